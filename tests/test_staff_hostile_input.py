"""Broken or hostile input on staff forms gets a client error, never a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.staff_helpers import (
    PASSWORD,
    csrf_of,
    sign_in,
    staff_user,
)

pytestmark = pytest.mark.usefixtures("staff_ready")


def test_a_nul_byte_in_the_sign_in_email_is_a_client_error(client: TestClient) -> None:
    page = client.get("/staff/login")

    response = client.post("/staff/login", data={
        "email": "a\x00@mohr.gov.my", "password": PASSWORD, "csrf_token": csrf_of(page.text)})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/staff/users/99999999999999999999/disable", {}),
        ("/staff/tokens/99999999999999999999/revoke", {}),
        ("/staff/outbox/99999999999999999999/retry", {}),
        ("/staff/deadline", {"deadline": "9999-12-31"}),
        ("/staff/deadline", {"deadline": "0001-01-01T00:00:00+08:00"}),
        ("/staff/deadline", {"deadline": "9999-12-31T20:00:00+00:00"}),
    ],
)
def test_out_of_range_staff_input_is_refused_without_a_server_error(
    client: TestClient, session: Session, path: str, form: dict[str, str]
) -> None:
    csrf = sign_in(client, staff_user(session, role="admin"))

    response = client.post(path, data={**form, "csrf_token": csrf}, follow_redirects=False)

    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert client.get("/", params={"lang": "en"}).status_code == 200
