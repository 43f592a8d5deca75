"""A filter given several values is refused at the field, never narrowed to one of them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import count_rows
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token, create_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
BOTH = ["cso", "academic"]


def _three_categories(session: Session) -> None:
    for category in ("cso", "academic", "workers_union"):
        registration(session, category=category)


def _refused_at(response: Any, *where: str) -> bool:
    [problem] = response.json()["detail"]
    return (response.status_code == 422 and problem["loc"] == list(where)
            and "one value" in problem["msg"])


def test_inviting_two_categories_at_once_is_refused_and_invites_nobody(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    _three_categories(session)

    response = client.post(f"/api/v1/workshops/{workshop_id}/invitations",
                           json={"filters": {"category": BOTH}}, headers=headers)

    assert _refused_at(response, "body", "filters", "category"), response.text
    session.expire_all()
    assert count_rows(session, "invitation") == 0
    assert count_rows(session, "outbox_mail") == 0


def test_an_announcement_to_two_categories_at_once_is_refused_and_queues_nothing(
    client: TestClient, session: Session
) -> None:
    _three_categories(session)
    body = {"subject_ms": "Makluman", "body_ms": "Tuan/Puan {contact_name}",
            "subject_en": "Notice", "body_en": "Dear {contact_name}",
            "filters": {"category": BOTH}}

    dry_run = client.post("/api/v1/announcements", json={**body, "dry_run": True},
                          headers=api_token(session))
    sent = client.post("/api/v1/announcements", json=body, headers=api_token(session))

    assert _refused_at(dry_run, "body", "filters", "category"), dry_run.text
    assert _refused_at(sent, "body", "filters", "category"), sent.text
    session.expire_all()
    assert count_rows(session, "announcement") == 0
    assert count_rows(session, "outbox_mail") == 0


def test_the_lists_query_refuses_two_different_values_of_one_filter(
    client: TestClient, session: Session
) -> None:
    _three_categories(session)
    headers = api_token(session)

    both = client.get("/api/v1/registrations?category=cso&category=academic", headers=headers)
    repeated = client.get("/api/v1/registrations?category=cso&category=cso", headers=headers)

    assert _refused_at(both, "query", "category"), both.text
    assert repeated.status_code == 200
    assert repeated.json()["total"] == 1


def test_one_value_each_still_invites_as_before(client: TestClient, session: Session) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers)
    _three_categories(session)

    response = client.post(f"/api/v1/workshops/{workshop_id}/invitations",
                           json={"filters": {"category": "academic", "state": ""}},
                           headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["invited"] == 1
