"""Where the API once disagreed with its own OpenAPI document (found by schemathesis)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Registration
from app.services import staff_auth
from tests.factories import registration_payload
from tests.staff_helpers import SETUP, staff_user


def test_a_method_not_allowed_names_every_method_of_the_path(client: TestClient) -> None:
    # POST is public and GET is the staff API's: both live at this path.
    response = client.options("/api/v1/registrations")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert client.delete("/healthz").headers["allow"] == "GET, HEAD"


def test_a_whole_number_of_attendees_written_with_a_decimal_point_is_accepted(
    client: TestClient, session: Session
) -> None:
    response = client.post("/api/v1/registrations",
                           json=registration_payload(workshop_attendees=2.0))
    refused = client.post("/api/v1/registrations",
                          json=registration_payload(organisation_name="Tenaganita",
                                                    workshop_attendees=2.5))

    assert response.status_code == 201
    assert session.scalars(select(Registration.workshop_attendees)).one() == 2
    assert refused.status_code == 422


def test_a_blank_filter_is_documented_as_the_staff_api_reads_it(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session, role="viewer")
    token, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
                                       actor=SETUP)
    session.commit()
    parameters = client.get("/openapi.json").json()["paths"]["/api/v1/registrations"]["get"][
        "parameters"
    ]
    category = next(p for p in parameters if p["name"] == "category")

    blank = client.get("/api/v1/registrations", params={"category": ""},
                       headers={"Authorization": f"Bearer {token}"})

    assert blank.status_code == 200
    assert {"type": "string", "pattern": r"^\s*$"} in category["schema"]["anyOf"]
