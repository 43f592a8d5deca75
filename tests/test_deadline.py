"""The deadline, checked on the server when a submission arrives, in Malaysian time."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, parse_deadline
from app.services.deadline import set_deadline
from tests.conftest import Clock, count_rows
from tests.factories import form_fields, registration_payload

URL = "/api/v1/registrations"


def at_myt(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=MALAYSIA)


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (at_myt(2022, 10, 20, 0, 0), True),
        (at_myt(2022, 10, 20, 23, 59, 59, 999999), True),
        # 23:59 in Kuala Lumpur is 15:59 UTC: still the 20th, still open.
        (dt.datetime(2022, 10, 20, 15, 59, 59, tzinfo=dt.UTC), True),
        (at_myt(2022, 10, 21, 0, 0), False),
        # 17:00 UTC on the 20th is already 01:00 on the 21st in Malaysia.
        (dt.datetime(2022, 10, 20, 17, 0, tzinfo=dt.UTC), False),
        (at_myt(2026, 11, 22, 9, 0), False),
    ],
)
def test_the_whole_of_20_october_counts_in_malaysian_time(
    client: TestClient, session: Session, clock: Clock, moment: dt.datetime, accepted: bool
) -> None:
    clock.set(moment)

    response = client.post(URL, json=registration_payload())

    assert response.status_code == (201 if accepted else 403)
    assert count_rows(session, "registration") == (1 if accepted else 0)
    assert count_rows(session, "outbox_mail") == (2 if accepted else 0)


def test_closed_answer_names_the_enquiries_mailbox(client: TestClient, clock: Clock) -> None:
    clock.set(at_myt(2022, 10, 21, 8, 0))

    response = client.post(URL, json=registration_payload())

    assert response.status_code == 403
    assert "alliance8.7@mohr.gov.my" in response.json()["detail"]


def test_a_deadline_recorded_in_the_database_wins_over_the_setting(
    client: TestClient, session: Session, clock: Clock
) -> None:
    set_deadline(
        session=session,
        value="2022-10-20T17:00:00+08:00",
        set_by="test",
        now=dt.datetime.now(dt.UTC),
    )
    session.commit()

    clock.set(at_myt(2022, 10, 20, 16, 59, 59))
    assert client.post(URL, json=registration_payload()).status_code == 201
    clock.set(at_myt(2022, 10, 20, 17, 0, 0))
    assert client.post(URL, json=registration_payload()).status_code == 403
    call = client.get("/api/v1/call").json()
    assert call["open"] is False
    assert call["deadline_text_en"] == "20 October 2022, 5:00 pm Malaysia time (UTC+8)"


def test_the_form_after_the_deadline_shows_the_closed_notice_and_stores_nothing(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(at_myt(2022, 10, 21, 0, 0, 1))

    page = client.get("/")
    posted = client.post("/", data=form_fields())

    assert "Pendaftaran telah ditutup" in page.text
    assert "alliance8.7@mohr.gov.my" in page.text
    assert "<form" not in page.text
    assert posted.status_code == 403
    assert count_rows(session, "registration") == 0


@pytest.mark.parametrize(
    ("value", "closes_at"),
    [
        ("2022-10-20", at_myt(2022, 10, 21)),
        ("2022-10-20T17:00:00+08:00", at_myt(2022, 10, 20, 17)),
        ("2022-10-20T09:00:00Z", at_myt(2022, 10, 20, 17)),
    ],
)
def test_deadline_values_parse_to_the_closing_instant(value: str, closes_at: dt.datetime) -> None:
    assert parse_deadline(value) == closes_at


@pytest.mark.parametrize("value", ["20/10/2022", "2022-10-20T17:00", "tomorrow", ""])
def test_malformed_deadlines_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_deadline(value)


def test_after_the_deadline_even_an_invalid_body_is_told_the_call_has_closed(
    client: TestClient, clock: Clock
) -> None:
    clock.set(at_myt(2022, 10, 21, 0, 0))

    response = client.post(URL, json={"organisation_name": ""})

    assert response.status_code == 403
    assert "2022-10-21T00:00:00+08:00" in response.json()["detail"]
