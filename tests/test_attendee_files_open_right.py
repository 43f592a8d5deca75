"""The attendee CSV and XLSX open as what they hold: telephones as text, times as times."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from tests.day_helpers import accepted
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
# Checked in at 9:05 in Putrajaya: 01:05 UTC.
NINE_OH_FIVE = dt.datetime(2022, 11, 15, 9, 5, tzinfo=MALAYSIA)


def _attendees(session: Session) -> tuple[int, list[int]]:
    workshop_id = stored_workshop(session, capacity=10)
    people = accepted(session, workshop_id, registration(session), "Aminah", "Ravi", "Mei Ling",
                      "Hostile")
    for person, phone in zip(people, ("0123456789", "'+60 3-8886 5000", "ext. 5", "=1+2"),
                             strict=True):
        person.phone = phone
    people[0].checked_in_at = NINE_OH_FIVE.astimezone(dt.UTC)
    people[1].checked_in_at = (NINE_OH_FIVE + dt.timedelta(minutes=20)).astimezone(dt.UTC)
    session.commit()
    return workshop_id, [person.id for person in people]


def test_the_csv_writes_phones_as_dialled_and_times_in_malaysia(
    client: TestClient, session: Session
) -> None:
    workshop_id, ids = _attendees(session)

    response = client.get(f"/api/v1/workshops/{workshop_id}/attendees.csv?lang=en",
                          headers=api_token(session))

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_name = {row["Full name"]: row for row in rows}
    assert by_name["Aminah"]["Telephone"] == "012-345 6789"
    assert by_name["Ravi"]["Telephone"] == "03-8886 5000"
    assert by_name["Mei Ling"]["Telephone"] == "ext. 5"
    assert by_name["Hostile"]["Telephone"] == "'=1+2"  # not a number: as typed, formula-safe
    assert by_name["Aminah"]["Checked in (Malaysia time)"] == "2022-11-15 09:05:00"
    assert by_name["Mei Ling"]["Checked in (Malaysia time)"] == ""
    assert sorted(int(row["Attendee id"]) for row in rows) == sorted(ids)


def test_the_xlsx_holds_text_phones_real_times_and_numeric_ids(
    client: TestClient, session: Session
) -> None:
    workshop_id, ids = _attendees(session)

    response = client.get(f"/api/v1/workshops/{workshop_id}/attendees.xlsx?lang=en",
                          headers=api_token(session))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows())
    column = {cell.value: index for index, cell in enumerate(header)}
    by_name = {row[column["Full name"]].value: row for row in rows}
    aminah, ravi = by_name["Aminah"], by_name["Ravi"]
    phone = aminah[column["Telephone"]]
    assert (phone.value, phone.data_type) == ("012-345 6789", "s")
    assert ravi[column["Telephone"]].value == "03-8886 5000"
    hostile = by_name["Hostile"][column["Telephone"]]
    assert (hostile.value, hostile.data_type) == ("=1+2", "s")
    checked_in = aminah[column["Checked in (Malaysia time)"]]
    assert checked_in.value == dt.datetime(2022, 11, 15, 9, 5)
    assert checked_in.is_date and checked_in.number_format == "yyyy-mm-dd hh:mm"
    assert ravi[column["Checked in (Malaysia time)"]].value > checked_in.value
    assert by_name["Mei Ling"][column["Checked in (Malaysia time)"]].value is None
    assert sorted(row[column["Attendee id"]].value for row in rows) == sorted(ids)
    assert all(isinstance(row[column["Attendee id"]].value, int) for row in rows)
