"""Walk-ins at the desk (issue 29, 3): a viewer's walk-in never undoes an organisation's answer.

Each attack is replayed through the desk's page as staff use it: the walk-in form's POST.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, get_settings
from app.core.db import declare_writes
from app.models import AuditLog, Invitation, Registration, Representative
from app.services import purge, walk_ins
from tests.conftest import Clock
from tests.day_helpers import accepted
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
# The workshop's day, in Malaysian time (stored_workshop starts at 9:00 on 15 November).
ON_THE_DAY = dt.datetime(2022, 11, 15, 8, 30, tzinfo=MALAYSIA)


def _walk_in(client: TestClient, csrf: str, workshop_id: int, reference: str,
             name: str = "Ravi a/l Kumar", **extra: str) -> Response:
    return client.post(f"/staff/workshops/{workshop_id}/walk-in?lang=en", data={
        "csrf_token": csrf, "reference": reference, "full_name": name,
        "designation": "Volunteer", **extra}, follow_redirects=False)


def _invitation(session: Session, workshop_id: int, registered: Registration) -> Invitation:
    session.expire_all()
    return session.scalars(select(Invitation).where(
        Invitation.workshop_id == workshop_id,
        Invitation.registration_id == registered.id)).one()


def _walk_in_audit(session: Session) -> list[dict[str, object]]:
    session.expire_all()
    return [json.loads(entry.detail) for entry in session.scalars(
        select(AuditLog).where(AuditLog.action == "walk_in_added").order_by(AuditLog.id))]


def _cancel(client: TestClient, csrf: str, workshop_id: int, invitation_id: int) -> None:
    response = client.post(
        f"/staff/workshops/{workshop_id}/invitations/{invitation_id}/cancel",
        data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text


def test_a_viewers_walk_in_does_not_undo_a_cancellation(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(ON_THE_DAY)
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session, organisation_name="Persatuan Dibatalkan")
    (named,) = accepted(session, workshop_id, org, "Lim Mei Ling")
    invitation_id = named.invitation_id
    admin_csrf = sign_in(client, staff_user(session))
    _cancel(client, admin_csrf, workshop_id, invitation_id)
    client.cookies.clear()
    csrf = sign_in(client, staff_user(session, role="viewer"))

    refused = _walk_in(client, csrf, workshop_id, org.reference)
    check_in_named = client.post(f"/staff/workshops/{workshop_id}/check-in/{named.id}?lang=en",
                                 data={"csrf_token": csrf})

    assert refused.status_code == 409
    assert "A walk-in does not change that answer" in refused.text
    assert "Persatuan Dibatalkan" in refused.text and "Cancelled" in refused.text
    assert "Only an administrator can add this person anyway" in refused.text
    assert _invitation(session, workshop_id, org).status == "cancelled"
    assert check_in_named.status_code == 409
    assert session.scalars(select(Representative).where(
        Representative.walk_in.is_(True))).all() == []


def test_a_walk_in_for_an_organisation_that_declined_warns_and_shows_its_answer(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(ON_THE_DAY)
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session)
    session.add(Invitation(workshop_id=workshop_id, registration_id=org.id, status="declined",
                           invited_at=ON_THE_DAY, replied_at=ON_THE_DAY - dt.timedelta(days=20),
                           decline_reason="Our director is abroad that week"))
    session.commit()
    csrf = sign_in(client, staff_user(session, role="viewer"))

    refused = _walk_in(client, csrf, workshop_id, org.reference.lower(),
                       override_reason="A viewer tries anyway")

    assert refused.status_code == 409
    assert "Declined" in refused.text and "Our director is abroad that week" in refused.text
    assert 'value="Ravi a/l Kumar"' in refused.text  # what was typed is kept
    assert _invitation(session, workshop_id, org).status == "declined"
    assert _walk_in_audit(session) == []


def test_an_administrator_adds_one_anyway_with_a_reason_in_the_audit(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(ON_THE_DAY)
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session)
    (named,) = accepted(session, workshop_id, org, "Lim Mei Ling")
    csrf = sign_in(client, staff_user(session))
    _cancel(client, csrf, workshop_id, named.invitation_id)

    asked = _walk_in(client, csrf, workshop_id, org.reference)
    added = _walk_in(client, csrf, workshop_id, org.reference,
                     override_reason="The director confirmed by phone this morning")

    assert asked.status_code == 409 and 'name="override_reason"' in asked.text
    assert added.status_code == 303
    invitation = _invitation(session, workshop_id, org)
    assert invitation.status == "accepted"
    # The cancelled invitation's named person is not brought back with the walk-in.
    assert [(p.full_name, p.walk_in) for p in invitation.representatives] == [
        ("Ravi a/l Kumar", True)]
    (entry,) = _walk_in_audit(session)
    assert entry["status_before"] == "cancelled" and entry["status"] == "accepted"
    assert entry["overridden"] == ["answer"]
    assert entry["reason"] == "The director confirmed by phone this morning"


@pytest.mark.parametrize("how", ["withdrawn", "erased"])
def test_a_withdrawn_or_erased_registration_cannot_walk_in(
    client: TestClient, session: Session, clock: Clock, how: str
) -> None:
    clock.set(ON_THE_DAY)
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session, organisation_name="Persatuan Menarik Diri",
                       submitted_at=ON_THE_DAY - dt.timedelta(days=60))
    reference = org.reference
    if how == "withdrawn":
        org.withdrawn_at = ON_THE_DAY - dt.timedelta(days=30)
    else:  # kept past the retention period the secretariat set
        purge.purge(session=session, now=ON_THE_DAY, keep_for=dt.timedelta(days=30))
    session.commit()
    csrf = sign_in(client, staff_user(session))

    refused = _walk_in(client, csrf, workshop_id, reference,
                       override_reason="An administrator cannot override this")
    contributors = client.get(f"/staff/workshops/{workshop_id}/contributors.csv?lang=en")

    assert refused.status_code == 409
    assert ("withdrawn its registration" if how == "withdrawn" else "erased") in refused.text
    assert session.scalars(select(Invitation)).all() == []
    assert contributors.status_code == 200 and reference not in contributors.text


def test_walk_ins_open_on_the_workshops_day_and_a_setting_opens_them_earlier(
    client: TestClient, session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    day_before = ON_THE_DAY - dt.timedelta(days=1)
    clock.set(day_before)
    workshop_id = stored_workshop(session, capacity=10)
    org = registration(session)
    csrf = sign_in(client, staff_user(session, role="viewer"))

    desk = client.get(f"/staff/workshops/{workshop_id}/check-in?lang=en")
    early = _walk_in(client, csrf, workshop_id, org.reference)
    monkeypatch.setattr(get_settings(), "workshop_walk_in_days_before", 1)
    widened = _walk_in(client, csrf, workshop_id, org.reference)
    clock.set(dt.datetime(2022, 11, 16, 0, 0, tzinfo=MALAYSIA))  # the day after it ended
    client.cookies.clear()
    csrf = sign_in(client, staff_user(session, role="viewer"))
    after = _walk_in(client, csrf, workshop_id, org.reference, name="Tan Ah Kow")

    assert f'action="/staff/workshops/{workshop_id}/walk-in"' not in desk.text
    assert "Walk-ins can be added on the days of the workshop, from" in desk.text
    assert early.status_code == 409 and "only on the days of the workshop" in early.text
    assert widened.status_code == 303
    assert after.status_code == 409
    assert len(_walk_in_audit(session)) == 1


def test_an_organisation_cannot_bring_more_than_the_workshop_allows_without_an_admin(
    client: TestClient, session: Session, clock: Clock
) -> None:
    clock.set(ON_THE_DAY)
    workshop_id = stored_workshop(session, capacity=10, max_representatives=2)
    org = registration(session)
    accepted(session, workshop_id, org, "Aminah binti Ali")
    viewer_csrf = sign_in(client, staff_user(session, role="viewer"))

    second = _walk_in(client, viewer_csrf, workshop_id, org.reference, name="Siti")
    third = _walk_in(client, viewer_csrf, workshop_id, org.reference, name="Ah Kow")
    client.cookies.clear()
    admin_csrf = sign_in(client, staff_user(session))
    overridden = _walk_in(client, admin_csrf, workshop_id, org.reference, name="Ah Kow",
                          override_reason="Invited by the Minister's office")

    assert second.status_code == 303
    assert third.status_code == 409 and "as many representatives as the workshop" in third.text
    assert overridden.status_code == 303
    assert len(_invitation(session, workshop_id, org).representatives) == 3
    assert _walk_in_audit(session)[-1]["overridden"] == ["most_representatives"]


def test_two_desks_adding_the_last_place_at_once_add_one(committed_db: Engine) -> None:
    # The walk-in takes the workshop's lock, so the organisation's count is read one desk
    # after the other (FOR UPDATE on PostgreSQL, the write lock on SQLite).
    with Session(committed_db, expire_on_commit=False) as setup:
        workshop_id = stored_workshop(setup, capacity=10, max_representatives=2)
        org = registration(setup)
        accepted(setup, workshop_id, org, "Aminah binti Ali")
        reference = org.reference
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def desk(name: str) -> None:
        with Session(committed_db) as session:
            start.wait()
            declare_writes(session)  # as the walk-in page's WriteSessionDep does
            try:
                walk_ins.add_walk_in(session=session, workshop_id=workshop_id,
                                     reference=reference, full_name=name, designation="",
                                     staff_user_id=None, now=ON_THE_DAY)
                session.commit()
                outcomes.append("added")
            except walk_ins.WalkInRefused as refused:
                session.rollback()
                outcomes.append(refused.reason)

    threads = [threading.Thread(target=desk, args=(name,)) for name in ("Siti", "Ah Kow")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["added", "full"]
    with Session(committed_db) as check:
        assert len(check.scalars(select(Representative)).all()) == 2
