"""The roadmap's staff API (SPEC 8.4): outcomes and commitments, who may write, what is refused."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, RoadmapCommitment
from tests.roadmap_helpers import (
    commitment_payload,
    create_commitment,
    create_outcome,
    outcome_payload,
)
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")


def test_an_outcome_is_created_changed_and_audited_with_before_and_after(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    created = client.post("/api/v1/roadmap/outcomes", json=outcome_payload(), headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["number"] == "1.1" and body["baseline_year"] == 2021 and body["id"] > 0

    changed = client.patch(f"/api/v1/roadmap/outcomes/{body['id']}",
                           json={"target": "60%"}, headers=headers)

    assert changed.status_code == 200
    assert changed.json()["target"] == "60%"
    assert changed.json()["title_en"] == "Public awareness of forced labour rises"
    entry = session.scalars(select(AuditLog).where(
        AuditLog.action == "roadmap_outcome_changed")).one()
    detail = json.loads(entry.detail)
    assert (detail["before"]["target"], detail["after"]["target"]) == ("50%", "60%")


def test_an_outcome_number_used_twice_is_a_conflict(client: TestClient, session: Session) -> None:
    headers = api_token(session)
    create_outcome(client, headers)
    other = create_outcome(client, headers, number="1.2")

    assert client.post("/api/v1/roadmap/outcomes", json=outcome_payload(),
                       headers=headers).status_code == 409
    assert client.patch(f"/api/v1/roadmap/outcomes/{other}", json={"number": "1.1"},
                        headers=headers).status_code == 409


def test_a_commitment_names_its_lead_and_partners_by_reference(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    lead, partner = registration(session), registration(session)
    create_outcome(client, headers)

    response = client.post("/api/v1/roadmap/commitments", json=commitment_payload(
        lead={"reference": lead.reference.lower()}, partners=[partner.reference]),
        headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "1.1.1" and body["id"] > 0
    assert body["lead"] == {"reference": lead.reference, "name": None}
    assert body["partners"] == [partner.reference]
    entry = session.scalars(select(AuditLog).where(
        AuditLog.action == "roadmap_commitment_created")).one()
    assert json.loads(entry.detail)["after"]["lead"]["reference"] == lead.reference


def test_a_commitment_patch_changes_only_what_is_sent_and_is_audited(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    partner = registration(session)
    create_outcome(client, headers)
    create_outcome(client, headers, number="2.1", pillar="protection")
    commitment_id = create_commitment(client, headers)

    response = client.patch(f"/api/v1/roadmap/commitments/{commitment_id}", json={
        "outcome": "2.1", "partners": [partner.reference], "ends_on": "2026-06-30"},
        headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["outcome"], body["partners"], body["ends_on"]) == (
        "2.1", [partner.reference], "2026-06-30")
    assert body["lead"] == {"reference": None,
                            "name": "Jabatan Tenaga Kerja Semenanjung Malaysia"}
    detail = json.loads(session.scalars(select(AuditLog).where(
        AuditLog.action == "roadmap_commitment_changed")).one().detail)
    assert (detail["before"]["outcome"], detail["after"]["outcome"]) == ("1.1", "2.1")


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"outcome": "9.9"}, "outcome", "No outcome has the number 9.9"),
    ({"lead": {"reference": "ZZZZ9999"}}, "lead", "No registration has the reference ZZZZ9999"),
    ({"partners": ["ZZZZ9999"]}, "partners", "No registration has the reference ZZZZ9999"),
])
def test_an_unknown_outcome_or_reference_is_named_in_a_422(
    client: TestClient, session: Session, changes: dict[str, object], field: str, words: str
) -> None:
    headers = api_token(session)
    create_outcome(client, headers)

    response = client.post("/api/v1/roadmap/commitments", json=commitment_payload(**changes),
                           headers=headers)

    assert response.status_code == 422
    assert {"loc": ["body", field], "msg": words, "type": "unknown"} in response.json()["detail"]
    assert session.scalar(select(RoadmapCommitment.id)) is None


@pytest.mark.parametrize(("changes", "field"), [
    ({"title_en": "Line one\x0bhidden"}, "title_en"),
    ({"title_ms": "Tab\there"}, "title_ms"),
    ({"lead": {"name": "Jabatan\x1b[31m"}}, "lead"),
    ({"lead": {"name": "A body", "reference": "ABCD2345"}}, "lead"),
    ({"lead": {}}, "lead"),
    ({"ends_on": "2022-12-31"}, ""),
    ({"starts_on": "31/01/2023"}, "starts_on"),
    ({"weight": 0}, "weight"),
    ({"weight": True}, "weight"),
    ({"code": "=1+1"}, "code"),
])
def test_bad_fields_are_refused_at_the_field(
    client: TestClient, session: Session, changes: dict[str, object], field: str
) -> None:
    headers = api_token(session)
    create_outcome(client, headers)

    response = client.post("/api/v1/roadmap/commitments", json=commitment_payload(**changes),
                           headers=headers)

    assert response.status_code == 422, response.text
    locations = [error["loc"] for error in response.json()["detail"]]
    assert any(field in loc or (not field and loc == ["body"]) for loc in locations), locations
    assert all(error["msg"] for error in response.json()["detail"])


def test_a_commitment_code_used_twice_is_a_conflict(client: TestClient, session: Session) -> None:
    headers = api_token(session)
    create_outcome(client, headers)
    create_commitment(client, headers)
    second = create_commitment(client, headers, code="1.1.2")

    assert client.post("/api/v1/roadmap/commitments", json=commitment_payload(),
                       headers=headers).status_code == 409
    assert client.patch(f"/api/v1/roadmap/commitments/{second}", json={"code": "1.1.1"},
                        headers=headers).status_code == 409


def test_writes_need_an_administrators_token(client: TestClient, session: Session) -> None:
    admin = api_token(session)
    viewer = api_token(session, role="viewer")
    outcome_id = create_outcome(client, admin)
    commitment_id = create_commitment(client, admin)
    writes = [("post", "/api/v1/roadmap/outcomes", outcome_payload(number="3.1")),
              ("patch", f"/api/v1/roadmap/outcomes/{outcome_id}", {"target": "1"}),
              ("post", "/api/v1/roadmap/commitments", commitment_payload(code="1.1.9")),
              ("patch", f"/api/v1/roadmap/commitments/{commitment_id}", {"weight": 5})]

    for method, path, body in writes:
        assert client.request(method, path, json=body, headers=viewer).status_code == 403
        assert client.request(method, path, json=body).status_code == 401
        assert client.request(method, path, json=body, headers={
            "Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/api/v1/roadmap/outcomes", headers=viewer).status_code == 200
    assert client.get("/api/v1/roadmap/outcomes").status_code == 401
    assert client.get(f"/api/v1/roadmap/commitments/{commitment_id}",
                      headers=viewer).json()["weight"] == 2


def test_unknown_ids_are_404(client: TestClient, session: Session) -> None:
    headers = api_token(session)
    assert client.patch("/api/v1/roadmap/outcomes/999", json={"target": "1"},
                        headers=headers).status_code == 404
    assert client.patch("/api/v1/roadmap/commitments/999", json={"weight": 1},
                        headers=headers).status_code == 404
