"""Where the API once disagreed with its own OpenAPI document (found by schemathesis)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Registration
from app.services import staff_auth
from tests.factories import registration_payload
from tests.staff_helpers import sign_in, staff_user


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


def test_the_api_refuses_a_blank_filter_which_the_staff_page_reads_as_any(
    client: TestClient, session: Session
) -> None:
    user = staff_user(session, role="viewer")
    token, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC))
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    blank = client.get("/api/v1/registrations", params={"category": ""}, headers=headers)
    text = client.get("/api/v1/registrations", params={"q": ""}, headers=headers)
    anonymous = client.get("/api/v1/registrations", params={"category": ""})
    sign_in(client, user)
    page = client.get("/staff/registrations", params={"category": ""})

    assert blank.status_code == 422
    assert text.status_code == 200
    assert anonymous.status_code == 401
    assert page.status_code == 200
