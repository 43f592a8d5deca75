"""The acceptance mail carries each representative's check-in link and its QR code (SPEC 7.3)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.mailer import deliver_due
from tests.smtp import SmtpServer
from tests.staff_helpers import registration, sign_in, staff_user
from tests.system_tools import system_tool
from tests.workshop_helpers import (
    LINK,
    accept_form,
    api_token,
    create_workshop,
    invitation_of,
    invite,
)

pytestmark = pytest.mark.usefixtures("staff_ready")
CONTACT = "hubungi@example.org.my"
PEOPLE = (("陈美玲", "Setiausaha", "chen@example.org.my"),
          ("முருகன் சுப்பிரமணியம்", "Pegawai", "murugan@example.org.my"))
CHECK_IN_LINK = re.compile(r"http://127\.0\.0\.1:8000(/staff/workshops/\d+/check-in/[\w.-]+)")


def _decode(png: bytes, tmp_path: Path) -> str:
    image = tmp_path / "mailed.png"
    image.write_bytes(png)
    result = subprocess.run(
        [system_tool("zbarimg", "zbar-tools"), "--quiet", "--raw", "-Sbinary", str(image)],
        capture_output=True, check=True)
    return result.stdout.decode("utf-8").removesuffix("\n")


def test_each_representative_gets_a_check_in_link_and_its_qr_code_in_the_acceptance_mail(
    client: TestClient, session: Session, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    headers = api_token(session)
    registered = registration(session, preferred_language="ms", contact_email=CONTACT)
    workshop_id = create_workshop(client, headers)
    invite(client, headers, workshop_id, registered.reference)
    deliver_due(session=session, settings=smtp_server.settings())
    [invited] = smtp_server.handler.to(CONTACT)
    found = LINK.search(invited.text)
    assert found is not None
    page = client.get(found.group(1))
    guard = re.search(r'name="guard" value="([^"]+)"', page.text)
    assert guard is not None
    client.post(found.group(1), data=accept_form(guard.group(1), *PEOPLE))

    deliver_due(session=session, settings=smtp_server.settings())
    confirmation = smtp_server.handler.to(CONTACT)[-1]

    people = invitation_of(session, registered, workshop_id).representatives
    text_links = CHECK_IN_LINK.findall(confirmation.text)
    assert len(text_links) == 2
    for person, path in zip(people, text_links, strict=True):
        assert f"- {person.full_name}: http://127.0.0.1:8000{path}" in confirmation.text
    images = [part for part in confirmation.message.walk()
              if part.get_content_type() == "image/png"]
    assert len(images) == 2
    html = confirmation.html
    for image, path in zip(images, text_links, strict=True):
        cid = str(image["Content-ID"]).strip("<>")
        assert f'src="cid:{cid}"' in html  # shown inline, where the HTML puts it
        assert image.get_content_disposition() == "inline"
        assert _decode(image.get_content(), tmp_path) == f"http://127.0.0.1:8000{path}"
    assert "Pautan daftar masuk untuk hari bengkel" in confirmation.text  # in Malay, as asked
    # The calendar file is still the only attachment.
    assert [part.get_filename() for part in confirmation.message.iter_attachments()] == [
        "workshop.ics"]

    # The representative opens their own link: the code to show at the desk, nobody checked in.
    own_view = client.get(text_links[0] + "?lang=en")
    assert own_view.status_code == 200 and "Show this code at the registration desk" in (
        own_view.text)
    assert all(person.checked_in_at is None
               for person in invitation_of(session, registered, workshop_id).representatives)

    # Staff scanning it see the person, ready to confirm; still nobody is checked in.
    sign_in(client, staff_user(session, role="viewer"))
    scanned = client.get(text_links[0] + "?lang=en")
    assert scanned.status_code == 200 and PEOPLE[0][0] in scanned.text
    assert "Confirm check-in" in scanned.text
    assert all(person.checked_in_at is None
               for person in invitation_of(session, registered, workshop_id).representatives)
