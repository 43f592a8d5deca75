"""CSV and XLSX exports: Excel-safe, in the staff member's language, filtered, and logged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import phonenumbers
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.cli import main
from app.core.config import MALAYSIA
from app.core.db import new_session
from app.models import AuditLog
from app.services import staff_auth
from app.services.exports import FORMULA_STARTS, display_phone, neutralise
from tests.staff_helpers import (
    SETUP,
    registration,
    sign_in,
    staff_user,
)

SUBMITTED = dt.datetime(2022, 10, 18, 1, 30, 15, tzinfo=dt.UTC)  # 9:30:15 am in Malaysia
HOSTILE = ["=1+1", "+60 HYPERLINK", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0"]


pytestmark = pytest.mark.usefixtures("staff_ready")


@pytest.fixture
def people(session: Session) -> list:
    rows = [registration(session, organisation_name=name, contact_name=contact,
                         submitted_at=SUBMITTED + dt.timedelta(minutes=n),
                         category="cso" if n % 2 else "academic", workshop_attendees=n % 4)
            for n, (name, contact) in enumerate([
                ("Persatuan Sahabat Wanita", "Nur Aisyah binti Ahmad"),
                ("华联电子 Sdn Bhd", "陈伟明"),
                ("மலேசிய தமிழர் நலச் சங்கம்", "இராஜேஸ்வரி சுப்ரமணியம்"),
            ])]
    rows += [registration(session, organisation_name=name, category="other",
                          category_other="Koperasi", contact_designation=name,
                          submitted_at=SUBMITTED - dt.timedelta(days=1))
             for name in HOSTILE]
    return rows


def _csv(client: TestClient, url: str = "/staff/exports/registrations.csv", **params: str):  # noqa: ANN202
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _xlsx(body: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(body)).active


def test_csv_starts_with_a_bom_and_keeps_every_script(
    client: TestClient, session: Session, people: list
) -> None:
    sign_in(client, staff_user(session, role="viewer"))
    response = _csv(client)

    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    rows = _csv_rows(response.content)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Rujukan", "Dihantar (waktu Malaysia)", "Organisasi"]
    names = {row[2] for row in body}
    assert {"华联电子 Sdn Bhd", "மலேசிய தமிழர் நலச் சங்கம்", "Persatuan Sahabat Wanita"} <= names
    assert {"陈伟明", "இராஜேஸ்வரி சுப்ரமணியம்"} <= {row[10] for row in body}
    assert len(body) == len(people)


def test_csv_neutralises_formulas_but_keeps_phone_numbers_usable(
    client: TestClient, session: Session, people: list
) -> None:
    sign_in(client, staff_user(session, role="viewer"))
    body = _csv_rows(_csv(client, lang="en").content)[1:]

    organisations = {row[2] for row in body}
    for hostile in HOSTILE:
        assert "'" + hostile in organisations
        assert hostile not in organisations
    for row in body:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
    phones = {row[13] for row in body}
    assert phones == {"012-345 6789"}  # the +60 number as it is dialled; never "'+60…"
    assert {row[1] for row in body} >= {"2022-10-18 09:30:15"}


@pytest.mark.parametrize("value", ["=1+1", "+60123", "-2", "@SUM(A1)", "\tx", "\rx", "＝1"])
def test_neutralise_prefixes_a_single_quote(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("Tenaganita") == "Tenaganita"


def test_phone_layouts_match_the_phonenumbers_library() -> None:
    numbers = ["+60123456789", "+60111234567", "+60388865000", "+6082123456", "+60154963194",
               "+6085123456", "+60198765432", "+442079460958", "+6591234567", "+60 12 345 6789"]
    for number in numbers:
        parsed = phonenumbers.parse(number)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        expected = phonenumbers.format_out_of_country_calling_number(parsed, "MY")
        if expected.isdigit():  # not laid out (+60111234567 comes back as 111234567)
            assert display_phone(e164) == e164  # what was stored, not fewer digits
            continue
        assert display_phone(e164) == expected
        assert display_phone(e164) == expected  # and again, from the cached layout
        assert not display_phone(e164).startswith(FORMULA_STARTS)


def test_xlsx_has_a_frozen_filtered_header_and_real_types(
    client: TestClient, session: Session, people: list
) -> None:
    sign_in(client, staff_user(session, role="viewer"))
    response = client.get("/staff/exports/registrations.xlsx", params={"lang": "en"})

    assert response.status_code == 200
    sheet = _xlsx(response.content)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:W{len(people) + 1}"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Reference", "Submitted (Malaysia time)", "Organisation"]
    assert sheet.column_dimensions["C"].width > 30
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    first = rows[people[0].reference]
    assert isinstance(first[1].value, dt.datetime)
    assert first[1].value == dt.datetime(2022, 10, 18, 9, 30, 15)  # Malaysian wall-clock time
    assert first[17].data_type == "n" and first[17].value == 0
    assert rows[people[1].reference][17].value == 1
    assert first[3].value == "Academic institution"
    assert first[13].value == "012-345 6789"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    organisations = {row[2].value for row in rows.values()}
    assert set(HOSTILE) <= organisations  # kept as written, as text
    for row in rows.values():
        if row[2].value in HOSTILE:
            assert row[2].data_type == "s"
    assert "华联电子 Sdn Bhd" in organisations and "மலேசிய தமிழர் நலச் சங்கம்" in organisations


def test_exports_honour_the_filters_and_are_logged(
    client: TestClient, session: Session, people: list
) -> None:
    viewer = staff_user(session, role="viewer")
    sign_in(client, viewer)

    rows = _csv_rows(_csv(client, category="academic", lang="en").content)[1:]
    sheet = _xlsx(client.get("/staff/exports/registrations.xlsx",
                             params={"q": "sahabat"}).content)

    assert {row[3] for row in rows} == {"Academic institution"}
    assert len(rows) == 2
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == ["Persatuan Sahabat Wanita"]
    logged = session.scalars(select(AuditLog).where(AuditLog.action == "export")
                             .order_by(AuditLog.id)).all()
    assert [(e.staff_user_id, e.row_count) for e in logged] == [(viewer.id, 2), (viewer.id, 1)]
    details = [json.loads(e.detail) for e in logged]
    assert details[0]["filters"] == {"category": "academic"} and details[0]["format"] == "csv"
    assert details[1]["filters"] == {"q": "sahabat"} and details[1]["format"] == "xlsx"


def test_api_exports_with_a_token(client: TestClient, session: Session, people: list) -> None:
    user = staff_user(session, role="viewer")
    token, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
                                       actor=SETUP)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    as_csv = client.get("/api/v1/exports/registrations.csv", headers=headers,
                        params={"state": "wp_kuala_lumpur"})
    as_xlsx = client.get("/api/v1/exports/registrations.xlsx", headers=headers)

    assert len(_csv_rows(as_csv.content)) == len(people) + 1
    assert _xlsx(as_xlsx.content).max_row == len(people) + 1
    vias = [json.loads(d)["via"] for d in session.scalars(
        select(AuditLog.detail).where(AuditLog.action == "export"))]
    assert vias == ["api", "api"]


def test_admins_read_the_audit_log_and_viewers_cannot(
    client: TestClient, session: Session, people: list
) -> None:
    viewer = staff_user(session, role="viewer")
    sign_in(client, viewer)
    _csv(client, category="cso")
    assert client.get("/staff/audit").status_code == 403

    sign_in(client, staff_user(session, role="admin"))
    page = client.get("/staff/audit", params={"lang": "en"})

    assert page.status_code == 200
    assert viewer.email in page.text and "Export CSV" in page.text
    assert "category=cso" in page.text


def test_export_cli_writes_a_file_and_logs_it(
    committed_db: Engine, tmp_path, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    with new_session() as session:
        for name in ("Persatuan A", "=HYPERLINK(\"http://x\")", "陈伟明 Sdn Bhd"):
            registration(session, organisation_name=name, submitted_at=SUBMITTED)
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"

    assert main(["export", "--format", "csv", "--output", str(csv_path), "--lang", "en"]) == 0
    assert main(["export", "--format", "xlsx", "--output", str(xlsx_path)]) == 0

    rows = _csv_rows(csv_path.read_bytes())
    assert len(rows) == 4 and "'=HYPERLINK(\"http://x\")" in {r[2] for r in rows}
    sheet = openpyxl.load_workbook(xlsx_path).active
    assert sheet.max_row == 4 and sheet["B2"].value == SUBMITTED.astimezone(MALAYSIA).replace(
        tzinfo=None)
    assert "Wrote 3 registrations" in capsys.readouterr().err
    with new_session() as session:
        logged = session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
        assert sorted(json.loads(e.detail)["format"] for e in logged) == ["csv", "xlsx"]
        assert {e.row_count for e in logged} == {3}
        assert all(json.loads(e.detail)["actor"].startswith("cli:") for e in logged)


def test_export_cli_refuses_an_unknown_code(committed_db: Engine, tmp_path) -> None:  # noqa: ANN001
    status = main(["export", "--format", "csv", "--output", str(tmp_path / "x.csv"),
                   "--category", "bogus"])
    assert status == 2
    assert not (tmp_path / "x.csv").exists()


def test_phone_numbers_that_cannot_be_laid_out_still_reach_a_spreadsheet_as_text(
    client: TestClient, session: Session
) -> None:
    # Stored before the validator was strict, or imported: too short, and without its +.
    short = registration(session, organisation_name="Koperasi Nelayan Kuantan")
    bare = registration(session, organisation_name="Persatuan Majikan Ipoh")
    short.contact_phone, bare.contact_phone = "+601234", "60123456789"
    session.commit()
    sign_in(client, staff_user(session, role="viewer"))

    rows = {row[0]: row for row in _csv_rows(_csv(client, lang="en").content)[1:]}
    for reference, stored in ((short.reference, "+601234"), (bare.reference, "60123456789")):
        shown = rows[reference][13]
        assert shown == "'" + stored  # text: Excel keeps every digit, as written
        with pytest.raises(ValueError):
            float(shown)

    response = client.get("/staff/exports/registrations.xlsx", params={"lang": "en"})
    cells = {row[0].value: row[13] for row in _xlsx(response.content).iter_rows(min_row=2)}
    assert cells[short.reference].data_type == "s" and cells[short.reference].value == "+601234"
    assert cells[bare.reference].data_type == "s"
    assert cells[bare.reference].value == "60123456789"
