"""The workshop day in the staff API (SPEC 7.4): groups and check-in on the attendee list."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, Invitation, Representative
from app.services import working_groups
from tests.conftest import LiveServer
from tests.day_helpers import accepted
from tests.staff_helpers import registration
from tests.workshop_helpers import NOW, api_token, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")


def _check_in(client: TestClient, headers: dict[str, str], workshop_id: int,
              person_id: int) -> httpx.Response:
    return client.post(f"/api/v1/workshops/{workshop_id}/attendees/{person_id}/check-in",
                       headers=headers)


def test_the_attendee_list_shows_the_group_and_who_checked_in(
    client: TestClient, session: Session, clock: object
) -> None:
    headers = api_token(session)
    workshop_id = stored_workshop(session, capacity=10)
    first, second = accepted(session, workshop_id, registration(session), "Aminah", "Ravi")
    working_groups.create_default_groups(session=session, workshop_id=workshop_id,
                                         staff_user_id=None, now=NOW)
    prevention = working_groups.list_groups(session=session, workshop_id=workshop_id)[0]
    working_groups.move_people(session=session, workshop_id=workshop_id,
                               representative_ids=[first.id], group_id=prevention.id,
                               staff_user_id=None, now=NOW)
    session.commit()

    answered = _check_in(client, headers, workshop_id, first.id)
    later = _check_in(client, headers, workshop_id, first.id)
    listed = client.get(f"/api/v1/workshops/{workshop_id}/attendees?lang=en",
                        headers=headers).json()

    assert answered.status_code == 200, answered.text
    assert later.status_code == 200
    assert later.json()["checked_in_at"] == answered.json()["checked_in_at"]
    by_name = {item["full_name"]: item for item in listed}
    assert by_name["Aminah"]["group"] == "Prevention"
    assert by_name["Aminah"]["checked_in_at"] == answered.json()["checked_in_at"]
    assert by_name["Ravi"]["group"] is None and by_name["Ravi"]["checked_in_at"] is None
    csv = client.get(f"/api/v1/workshops/{workshop_id}/attendees.csv?lang=en",
                     headers=headers).content.decode("utf-8-sig")
    assert "Working group" in csv and "Prevention" in csv
    assert second.id != first.id


def test_a_viewer_token_cannot_check_in_and_bad_ids_get_clear_answers(
    client: TestClient, session: Session
) -> None:
    admin, viewer = api_token(session), api_token(session, role="viewer")
    workshop_id = stored_workshop(session, capacity=10)
    other_workshop = stored_workshop(session, capacity=10)
    (person,) = accepted(session, workshop_id, registration(session), "Siti")
    (cancelled,) = accepted(session, workshop_id, registration(session), "Chong Wei")
    invitation = session.get(Invitation, cancelled.invitation_id)
    assert invitation is not None
    invitation.status = "cancelled"
    session.commit()

    refused = _check_in(client, viewer, workshop_id, person.id)
    elsewhere = _check_in(client, admin, other_workshop, person.id)
    unknown = _check_in(client, admin, workshop_id, 999_999)
    removed = _check_in(client, admin, workshop_id, cancelled.id)
    no_workshop = _check_in(client, admin, 999_999, person.id)

    assert refused.status_code == 403
    assert (elsewhere.status_code, unknown.status_code, no_workshop.status_code) == (404,) * 3
    assert "no attendee" in unknown.json()["detail"]
    assert removed.status_code == 409 and "no longer attending" in removed.json()["detail"]
    session.expire_all()
    assert session.get(Representative, person.id).checked_in_at is None  # type: ignore[union-attr]


def test_two_phones_checking_in_the_same_person_at_once_record_one_time(
    committed_session: Session
) -> None:
    session = committed_session
    headers = api_token(session)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    workshop_id = stored_workshop(session, capacity=10, starts_at=soon)
    people = accepted(session, workshop_id, registration(session), "Nurul", "Arjun", "Mei Ling")
    server = LiveServer()
    try:
        server.wait_ready(timeout=120)
        attempts = [person.id for person in people for _phone in range(4)]
        start = threading.Barrier(len(attempts))

        def tap(person_id: int) -> tuple[int, int, str]:
            start.wait()
            response = httpx.post(f"{server.url}/api/v1/workshops/{workshop_id}/attendees/"
                                  f"{person_id}/check-in", headers=headers, timeout=60)
            return person_id, response.status_code, response.json().get("checked_in_at", "")

        with ThreadPoolExecutor(len(attempts)) as pool:
            answers = list(pool.map(tap, attempts))
    finally:
        server.stop()

    assert {code for _id, code, _at in answers} == {200}
    for person in people:
        times = {at for person_id, _code, at in answers if person_id == person.id}
        assert len(times) == 1, times  # every phone is told the same, first, time
    session.expire_all()
    logged = session.scalars(select(AuditLog).where(
        AuditLog.action == "attendee_checked_in")).all()
    assert len(logged) == len(people)  # one check-in each, however many phones tapped
