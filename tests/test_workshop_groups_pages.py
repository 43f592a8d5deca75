"""Working groups in the back-office (SPEC 7.3): administrators change them, viewers cannot."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, Representative, WorkingGroup
from tests.day_helpers import accepted
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
HOSTILE = '<img src=x onerror=alert(1)> Kumar'


def _groups(session: Session, workshop_id: int) -> list[WorkingGroup]:
    session.expire_all()
    return list(session.scalars(select(WorkingGroup).where(
        WorkingGroup.workshop_id == workshop_id).order_by(WorkingGroup.position)))


def test_an_admin_creates_defaults_previews_and_applies_a_suggestion_then_moves_people(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=20)
    org = registration(session, pillars=["prevention", "protection"])
    people = accepted(session, workshop_id, org, "Aminah", HOSTILE)
    csrf = sign_in(client, staff_user(session))
    base = f"/staff/workshops/{workshop_id}/groups"

    client.post(f"{base}/defaults", data={"csrf_token": csrf})
    groups = _groups(session, workshop_id)
    preview = client.get(f"{base}?preview=1&lang=en")
    nothing_yet = [session.get(Representative, p.id).group_id for p in people]  # type: ignore[union-attr]
    applied = client.post(f"{base}-suggestion", data={"csrf_token": csrf},
                          follow_redirects=False)

    assert [g.name_en for g in groups] == [
        "Prevention", "Protection", "Prosecution and Enforcement",
        "Partnership and Strategic Collaboration"]
    assert "Suggestion (not applied yet)" in preview.text
    assert "&lt;img src=x" in preview.text and "<img src=x" not in preview.text
    assert nothing_yet == [None, None]
    assert applied.status_code == 303
    session.expire_all()
    placed = {session.get(Representative, p.id).group_id for p in people}  # type: ignore[union-attr]
    # One organisation's two people are spread over its two pillars.
    assert placed == {groups[0].id, groups[1].id}

    client.post(f"{base}-move", data={"csrf_token": csrf, "person": [str(people[0].id)],
                                      "group": str(groups[3].id)})
    none = client.post(f"{base}-move?lang=en", data={"csrf_token": csrf,
                                                     "group": str(groups[3].id)})
    session.expire_all()
    assert session.get(Representative, people[0].id).group_id == groups[3].id  # type: ignore[union-attr]
    assert "Select at least one person first." in client.get(
        f"{base}?problem=none_selected&lang=en").text
    assert none.status_code == 200 and "Select at least one person" in none.text
    printed = client.get(f"{base}/{groups[3].id}?lang=en")
    assert "Aminah" in printed.text and "Officer" in printed.text
    actions = set(session.scalars(select(AuditLog.action).where(AuditLog.action.like("group%"))))
    assert {"groups_defaults_created", "groups_suggestion_applied",
            "group_members_moved"} <= actions


def test_only_an_empty_group_can_be_removed(client: TestClient, session: Session) -> None:
    workshop_id = stored_workshop(session, capacity=20)
    (person,) = accepted(session, workshop_id, registration(session), "Siti")
    csrf = sign_in(client, staff_user(session))
    base = f"/staff/workshops/{workshop_id}/groups"
    client.post(f"{base}/add", data={"csrf_token": csrf, "name_ms": "Kanak-kanak",
                                     "name_en": "Children", "seat_limit": "5"})
    client.post(f"{base}/add", data={"csrf_token": csrf, "name_ms": "Kosong",
                                     "name_en": "Empty", "seat_limit": ""})
    children, empty = _groups(session, workshop_id)
    client.post(f"{base}-move", data={"csrf_token": csrf, "person": str(person.id),
                                      "group": str(children.id)})

    client.get(f"{base}?lang=en")  # the language is remembered for the pages that follow
    kept = client.post(f"{base}/{children.id}/remove", data={"csrf_token": csrf})
    client.post(f"{base}/{empty.id}/remove", data={"csrf_token": csrf})

    assert "Only an empty group can be removed" in kept.text
    assert [g.name_en for g in _groups(session, workshop_id)] == ["Children"]


def test_a_viewer_sees_the_groups_but_cannot_change_them(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=20)
    (person,) = accepted(session, workshop_id, registration(session), "Ravi")
    csrf = sign_in(client, staff_user(session, role="viewer"))
    base = f"/staff/workshops/{workshop_id}/groups"

    page = client.get(f"{base}?lang=en")
    refused = [client.post(f"{base}/defaults", data={"csrf_token": csrf}),
               client.post(f"{base}-suggestion", data={"csrf_token": csrf}),
               client.post(f"{base}-move", data={"csrf_token": csrf, "person": str(person.id)})]

    assert page.status_code == 200 and "Create the default groups" not in page.text
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert _groups(session, workshop_id) == []


def test_before_any_group_exists_the_suggestion_says_to_make_them_and_offers_no_apply(
    client: TestClient, session: Session
) -> None:
    workshop_id = stored_workshop(session, capacity=20)
    accepted(session, workshop_id, registration(session), "Aminah", "Ravi", "Mei Ling")
    csrf = sign_in(client, staff_user(session))
    base = f"/staff/workshops/{workshop_id}/groups"

    preview = client.get(f"{base}?preview=1&lang=en").text
    applied = client.post(f"{base}-suggestion", data={"csrf_token": csrf},
                          follow_redirects=False)

    suggestion = preview.split('id="suggestion"', 1)[1].split("<h2", 1)[0]
    assert "There are no working groups yet" in suggestion
    assert "Could not be placed" not in suggestion
    assert "Apply the suggestion" not in suggestion
    assert applied.headers["location"].endswith("?problem=no_groups")
    assert "There are no working groups yet: create them first" in client.get(
        f"{base}?problem=no_groups&lang=en").text
    assert session.scalars(select(AuditLog).where(
        AuditLog.action == "groups_suggestion_applied")).all() == []
