"""The staff API for workshops (SPEC 7.4): details, seats, invitations, attendees."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, OutboxMail
from app.services.private_links import form_guard
from tests.staff_helpers import registration
from tests.workshop_helpers import (
    STARTS,
    accept_form,
    api_token,
    create_workshop,
    invite,
    invited,
    latest_link,
    workshop_payload,
)

pytestmark = pytest.mark.usefixtures("staff_ready")
HOSTILE = ("=HYPERLINK(\"http://evil.example\")", "@SUM(A1)", "+60 12-345 6789")


def test_a_workshop_is_created_read_and_counted_in_representatives(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers, capacity=3)
    accepting, waiting, silent = (registration(session, workshop_attendees=n) for n in (2, 3, 1))
    invite(client, headers, workshop_id, accepting.reference, waiting.reference, silent.reference)
    for registered, people in ((accepting, 2), (waiting, 2)):
        path, token = latest_link(session, registered)
        client.post(path, data=accept_form(form_guard(token), *[
            (f"Person {n}", "Officer", f"p{n}@{registered.reference.lower()}.my")
            for n in range(people)]))

    body = client.get(f"/api/v1/workshops/{workshop_id}", headers=headers).json()

    assert body["title_en"] == "Strategic planning workshop"
    assert body["starts_at"].startswith("2022-11-15T01:00:00")  # stored and given in UTC
    assert {k: body[k] for k in ("capacity", "accepted", "waiting", "invited", "declined")} == {
        "capacity": 3, "accepted": 2, "waiting": 2, "invited": 1, "declined": 0}
    listed = client.get(f"/api/v1/workshops/{workshop_id}/invitations", headers=headers).json()
    assert {(i["reference"], i["status"], len(i["representatives"])) for i in listed} == {
        (accepting.reference, "accepted", 2), (waiting.reference, "waiting", 2),
        (silent.reference, "invited", 0)}


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_at": (STARTS.replace(hour=8)).isoformat()}, "ends_at"),
    ({"replies_close_at": STARTS.replace(hour=10).isoformat()}, "replies_close_at"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"online_url": "ftp://files.example.my"}, "online_url"),
])
def test_bad_workshop_details_are_refused_with_the_field_named(
    client: TestClient, session: Session, changes: dict[str, str], field: str
) -> None:
    headers = api_token(session)
    response = client.post("/api/v1/workshops", json=workshop_payload(**changes),
                           headers=headers)
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]


def test_times_without_an_offset_and_wrong_types_are_named(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    response = client.post("/api/v1/workshops", headers=headers, json=workshop_payload(
        starts_at="2022-11-15T09:00", capacity="many"))
    assert response.status_code == 422
    named = {error["loc"][-1] for error in response.json()["detail"]}
    assert named == {"starts_at", "capacity"}
    assert response.headers["cache-control"] == "no-store"


def test_capacity_cannot_drop_below_the_seats_accepted_and_a_new_venue_is_told_once(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session)
    client.post(reply.path, data=accept_form(form_guard(reply.token), ("A", "B", "a@example.my"),
                                             ("C", "D", "c@example.my")))
    workshop = f"/api/v1/workshops/{reply.workshop_id}"

    too_small = client.patch(workshop, json={"capacity": 1}, headers=reply.headers)
    moved = client.patch(workshop, json={"venue": "Dewan Merdeka"}, headers=reply.headers)
    unchanged = client.patch(workshop, json={"venue": "Dewan Merdeka"}, headers=reply.headers)

    assert too_small.status_code == 422 and too_small.json()["detail"][0]["loc"][-1] == "capacity"
    assert moved.status_code == unchanged.status_code == 200
    assert moved.json()["venue"] == "Dewan Merdeka"
    session.expire_all()
    assert session.scalars(select(OutboxMail.kind).where(
        OutboxMail.kind == "workshop_changed")).all() == ["workshop_changed"]


def test_inviting_by_the_lists_filters_leaves_out_withdrawn_and_the_already_invited(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    first = registration(session, category="cso")
    registration(session, category="cso")
    registration(session, category="academic")
    withdrawn = registration(session, category="cso")
    withdrawn.withdrawn_at = withdrawn.submitted_at
    session.commit()
    invite(client, headers, workshop_id, first.reference)

    response = client.post(f"/api/v1/workshops/{workshop_id}/invitations",
                           json={"filters": {"category": "cso", "withdrawn": "include"}},
                           headers=headers)

    assert response.status_code == 200
    assert response.json() == {"invited": 1, "already_invited": 1, "unknown_references": []}
    neither = client.post(f"/api/v1/workshops/{workshop_id}/invitations", json={},
                          headers=headers)
    assert neither.status_code == 422


def test_viewers_read_but_cannot_write_and_strangers_get_nothing(
    client: TestClient, session: Session
) -> None:
    admin, viewer = api_token(session), api_token(session, role="viewer")
    workshop_id = create_workshop(client, admin)
    registered = registration(session)
    base = f"/api/v1/workshops/{workshop_id}"

    assert client.post("/api/v1/workshops", json=workshop_payload(),
                       headers=viewer).status_code == 403
    assert client.patch(base, json={"capacity": 99}, headers=viewer).status_code == 403
    assert client.post(f"{base}/invitations", json={"references": [registered.reference]},
                       headers=viewer).status_code == 403
    assert client.get(base, headers=viewer).status_code == 200
    for path in (base, f"{base}/invitations", f"{base}/attendees", f"{base}/attendees.csv"):
        assert client.get(path).status_code == 401
    assert client.get("/api/v1/workshops/999999", headers=viewer).status_code == 404
    session.expire_all()
    assert session.scalars(select(OutboxMail)).all() == []


def test_attendee_lists_are_formula_safe_and_logged(client: TestClient, session: Session) -> None:
    reply = invited(client, session, organisation_name="Persatuan 陈伟明 தமிழ்")
    person = (HOSTILE[0], HOSTILE[1], "x@ex.my")
    client.post(reply.path, data=accept_form(form_guard(reply.token), person,
                                             **{"representatives-0-phone": HOSTILE[2]}))
    base = f"/api/v1/workshops/{reply.workshop_id}/attendees"

    listed = client.get(base, headers=reply.headers).json()
    csv_text = client.get(f"{base}.csv", headers=reply.headers).content.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(
        f"{base}.xlsx", headers=reply.headers, params={"lang": "en"}).content))

    assert [(a["reference"], a["full_name"], a["checked_in_at"]) for a in listed] == [
        (reply.registration.reference, HOSTILE[0], None)]
    assert "Persatuan 陈伟明 தமிழ்" in csv_text
    assert "'=HYPERLINK" in csv_text and "'@SUM(A1)" in csv_text
    # The telephone is written as dialled from Malaysia, so it cannot start a formula.
    assert "012-345 6789" in csv_text and "+60" not in csv_text
    sheet = workbook.active
    assert sheet is not None
    cells = [cell.value for cell in sheet[2]]
    assert HOSTILE[0] in cells and all(cell.data_type != "f" for cell in sheet[2])
    assert sheet["A1"].value == "Reference"
    session.expire_all()
    exports = session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [(e.row_count, '"attendees"' in e.detail) for e in exports] == [(1, True), (1, True)]
