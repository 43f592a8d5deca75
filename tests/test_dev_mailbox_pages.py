"""The development mailbox shows a workshop acceptance as the registrant gets it: its QR
codes drawn in the HTML, and its calendar file listed and downloadable."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.dev_mailbox import serve_caught_mail
from app.services.mailer import deliver_due
from tests.conftest import free_port
from tests.smtp import mail_settings
from tests.staff_helpers import registration
from tests.test_check_in_codes import decode_qr
from tests.workshop_helpers import (
    AISYAH,
    RAVI,
    accept_form,
    api_token,
    create_workshop,
    invite,
    latest_link,
)

pytestmark = pytest.mark.usefixtures("staff_ready")
CONTACT = "hubungi@example.org.my"
DATA_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture
def dev_mailbox() -> Iterator[tuple[int, str]]:
    """The dev-mail catcher and its page, on free ports: (SMTP port, page's address)."""
    smtp_port, http_port = free_port(), free_port()
    catcher, page = serve_caught_mail(smtp_port=smtp_port, http_port=http_port)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    yield smtp_port, f"http://127.0.0.1:{http_port}"
    page.shutdown()
    catcher.stop()


def _accepted_and_mailed(client: TestClient, session: Session, smtp_port: int) -> None:
    """Invite an organisation, accept on its reply page, and deliver both mails."""
    headers = api_token(session)
    registered = registration(session, preferred_language="en", contact_email=CONTACT)
    workshop_id = create_workshop(client, headers)
    invite(client, headers, workshop_id, registered.reference)
    path, _token = latest_link(session, registered)
    deliver_due(session=session, settings=mail_settings(smtp_port))
    guard = re.search(r'name="guard" value="([^"]+)"', client.get(path).text)
    assert guard is not None
    answered = client.post(path, data=accept_form(guard.group(1), AISYAH, RAVI),
                           follow_redirects=False)
    assert answered.status_code == 303
    deliver_due(session=session, settings=mail_settings(smtp_port))


def test_the_acceptance_shows_its_qr_codes_and_offers_its_calendar_file(
    client: TestClient, session: Session, dev_mailbox: tuple[int, str], tmp_path: Path
) -> None:
    smtp_port, page = dev_mailbox
    _accepted_and_mailed(client, session, smtp_port)

    listing = httpx.get(page + "/")
    assert "Mail the portal sent (2)" in listing.text
    acceptance = httpx.get(page + "/mail/1")

    assert acceptance.status_code == 200
    assert "cid:" not in acceptance.text
    codes = DATA_PNG.findall(acceptance.text)
    assert len(codes) == 2  # one per representative, drawn where the mail puts them
    read = [decode_qr(base64.b64decode(code), tmp_path) for code in codes]
    assert all("/check-in/" in link for link in read), read
    # The page's CSP lets images in only as data: URIs; the cid: ones are now such.
    assert "img-src data:" in acceptance.headers["content-security-policy"]

    download = re.search(r'<a href="(/mail/1/attachments/\d+)" download>workshop\.ics</a>',
                         acceptance.text)
    assert download is not None, acceptance.text
    calendar = httpx.get(page + download.group(1))
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "attachment" in calendar.headers["content-disposition"]
    assert "workshop.ics" in calendar.headers["content-disposition"]
    assert "DTSTART;TZID=Asia/Kuala_Lumpur:20221115T090000" in calendar.text
    assert "Ravi a/l Kumar" in calendar.text


def test_a_mail_without_files_says_so_and_unknown_files_are_not_found(
    client: TestClient, session: Session, dev_mailbox: tuple[int, str]
) -> None:
    smtp_port, page = dev_mailbox
    _accepted_and_mailed(client, session, smtp_port)

    invitation = httpx.get(page + "/mail/0")

    assert "No attachments." in invitation.text
    assert httpx.get(page + "/mail/0/attachments/0").status_code == 404
    assert httpx.get(page + "/mail/1/attachments/7").status_code == 404
    assert httpx.get(page + "/mail/5/attachments/0").status_code == 404
