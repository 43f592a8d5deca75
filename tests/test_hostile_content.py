"""Hostile text is shown as text everywhere: every public page, every staff page, exports, mail.

One registration carries script tags, event handlers, a direction override and a very long
word. The test walks every page a person can open and checks that none of it becomes markup.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxMail, Registration
from app.services.mail_content import render_mail
from app.services.private_links import manage_token
from tests.factories import form_fields, registration_payload
from tests.staff_helpers import sign_in, staff_user
from tests.test_staff_access import STAFF_ROUTES

SCRIPT = "<script>alert('x')</script>"
HANDLER = '"><img src=x onerror=alert(1)>'
OVERRIDE = "Evil\u202eKL"
LONG_WORD = "A" * 180
HOSTILE = {
    "organisation_name": f"{SCRIPT} Sdn Bhd",
    "contact_name": f"Ali {HANDLER}",
    "contact_designation": OVERRIDE,
    "interest_statement": f"{LONG_WORD} <b onmouseover=alert(2)>bold</b> {SCRIPT}",
    "address": f"Jalan {HANDLER}",
}
RAW_MARKUP = ("<script>alert", "<img src=x", "<b onmouseover", "onerror=alert(1)>")


def assert_inert(text: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in text, f"{where}: {raw!r} came through as markup"
    # A form given back to fix keeps exactly what was typed, inside its input, where an
    # override cannot reorder anything around it; everywhere else none may appear.
    outside_inputs = re.sub(r'value="[^"]*"', "", text)
    assert "\u202e" not in outside_inputs, f"{where}: a direction override came through"


pytestmark = pytest.mark.usefixtures("staff_ready")


@pytest.fixture
def hostile(client: TestClient, session: Session) -> Registration:
    response = client.post("/api/v1/registrations", json=registration_payload(**HOSTILE))
    assert response.status_code == 201
    return session.scalars(select(Registration)).one()


def test_hostile_text_is_stored_as_typed_but_without_direction_overrides(
    hostile: Registration,
) -> None:
    assert hostile.organisation_name == HOSTILE["organisation_name"]
    assert hostile.contact_designation == "EvilKL"


def test_public_pages_show_hostile_text_as_text(
    client: TestClient, session: Session, hostile: Registration
) -> None:
    token = manage_token(hostile)
    pages = {
        "form with errors": client.post("/", data=form_fields(**HOSTILE, contact_email="x")),
        "private link": client.get(f"/manage/{token}"),
        "correction form": client.get(f"/manage/{token}/edit"),
        "withdrawal page": client.get(f"/manage/{token}/withdraw"),
    }

    for where, page in pages.items():
        assert page.status_code in (200, 422), where
        assert_inert(page.text, where)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Sdn Bhd" in pages["private link"].text


def test_every_staff_page_shows_hostile_text_as_text(
    client: TestClient, session: Session, hostile: Registration
) -> None:
    sign_in(client, staff_user(session, role="admin"))
    pages = [path.replace("{reference}", hostile.reference)
             for method, path, _ in STAFF_ROUTES
             if method == "GET" and "{" not in path.replace("{reference}", "")]

    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        if "html" in response.headers["content-type"]:
            assert_inert(response.text, path)
    detail = client.get(f"/staff/registrations/{hostile.reference}").text
    assert "&lt;script&gt;" in detail


def test_exports_and_mail_keep_hostile_text_inert(
    client: TestClient, session: Session, hostile: Registration
) -> None:
    sign_in(client, staff_user(session, role="admin"))

    rows = list(csv.reader(io.StringIO(
        client.get("/staff/exports/registrations.csv").content.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/staff/exports/registrations.xlsx").content))
    mails = session.scalars(select(OutboxMail)).all()

    assert any(HOSTILE["organisation_name"] in cell for cell in rows[1])
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == HOSTILE["organisation_name"] for c in cells)
    assert {mail.kind for mail in mails} == {"confirmation", "notification"}
    for mail in mails:
        # As the worker renders it for sending.
        assert_inert(render_mail(session=session, mail=mail).body_html, f"{mail.kind} mail")
