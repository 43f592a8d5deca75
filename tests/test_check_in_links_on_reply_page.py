"""The reply page shows each accepted representative's check-in link and QR code."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Representative
from app.services.private_links import form_guard
from tests.workshop_helpers import accept_form, invited

pytestmark = pytest.mark.usefixtures("staff_ready")


def test_an_accepted_reply_page_shows_a_scannable_check_in_link_that_checks_nobody_in(
    client: TestClient, session: Session, tmp_path: object
) -> None:
    reply = invited(client, session, workshop={"capacity": 5}, workshop_attendees=1)
    client.post(reply.path, data=accept_form(form_guard(reply.token),
                                             ("Nur Aisyah", "Officer", "aisyah@example.my")))

    page = client.get(reply.path + "?lang=en")

    links = re.findall(r'href="(http://[^"]+/staff/workshops/\d+/check-in/[^"]+)"', page.text)
    assert len(links) == 1 and f"/staff/workshops/{reply.workshop_id}/check-in/" in links[0]
    assert "does not check anyone in" in page.text
    session.expire_all()
    person = session.scalars(select(Representative)).one()
    assert person.checked_in_at is None
    image = re.search(r'src="data:image/png;base64,([^"]+)"', page.text)
    assert image is not None
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (zbar-tools) is not installed")
    png = f"{tmp_path}/code.png"
    with open(png, "wb") as out:
        out.write(base64.b64decode(image.group(1)))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True,  # noqa: S607
                             check=True).stdout.strip()
    assert decoded == links[0].replace("&amp;", "&")


def test_the_reply_page_draws_codes_only_for_the_people_the_reply_names(
    client: TestClient, session: Session
) -> None:
    # Walk-ins were checked in at the desk; however many there are, the page stays small.
    reply = invited(client, session, workshop={"capacity": 50}, workshop_attendees=1)
    client.post(reply.path, data=accept_form(form_guard(reply.token),
                                             ("Nur Aisyah", "Officer", "aisyah@example.my")))
    (named,) = session.scalars(select(Representative)).all()
    session.add_all(Representative(invitation_id=named.invitation_id, position=1 + n,
                                   full_name=f"Walk-in {n}", designation="", email="",
                                   walk_in=True) for n in range(30))
    session.commit()
    session.expire_all()  # the page reads the invitation's people afresh

    page = client.get(reply.path + "?lang=en")

    assert page.status_code == 200
    assert page.text.count('src="data:image/png;base64,') == 1
    assert "Walk-in 7" not in page.text  # nor a row of the reply form each
