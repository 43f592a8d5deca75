"""After the deadline the private link changes the contact person: three mails, nothing else."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import ENQUIRIES_EMAIL
from app.models import AuditLog, Registration, RegistrationEvent
from app.services.mailer import deliver_due
from app.services.private_links import form_guard, manage_token
from tests.conftest import Clock
from tests.smtp import SmtpServer
from tests.workshop_helpers import NOW, create_workshop, invite, invited

SECRETARIAT = "alliance8.7@mohr.gov.my"
MANAGE_LINK = re.compile(r"http://127\.0\.0\.1:8000(/manage/[A-Za-z0-9_.-]+)")
NEW = {"contact_name": "Tan Mei Ling", "contact_designation": "Setiausaha Agung",
       "contact_email": "meiling@example.org.my", "contact_phone": "03-8886 5000"}


def test_a_new_contact_gets_a_confirmation_the_old_a_notice_and_the_secretariat_is_told(
    client: TestClient, session: Session, clock: Clock, smtp_server: SmtpServer
) -> None:
    setup = invited(client, session, contact_email="ravi@example.org.my",
                    contact_name="Ravi a/l Kumar", preferred_language="en")
    registration = setup.registration
    token = manage_token(registration)
    assert token is not None
    clock.set(NOW)  # after the registration deadline; the invitation's mail not yet sent

    form = client.get(f"/manage/{token}/edit")
    assert form.status_code == 200
    assert "only the contact person" in form.text or "stay as they were" in form.text
    assert 'name="organisation_name"' not in form.text
    changed = client.post(f"/manage/{token}/edit", data={"guard": form_guard(token), **NEW})

    assert [step.status_code for step in changed.history] == [303]
    assert "The contact person has been changed" in changed.text
    deliver_due(session=session, settings=smtp_server.settings())
    [invitation_mail, confirmation] = smtp_server.handler.to("meiling@example.org.my")
    assert "invitation" in invitation_mail.message["Subject"].lower()
    assert "you are now your organisation's contact" in confirmation.message["Subject"]
    [notice] = smtp_server.handler.to("ravi@example.org.my")
    assert "changed to Tan Mei Ling (meiling@example.org.my)" in notice.text
    assert ENQUIRIES_EMAIL in notice.text and "If this wasn't you" in notice.text
    assert MANAGE_LINK.search(notice.text) is None
    [told] = smtp_server.handler.to(SECRETARIAT)
    assert "meiling@example.org.my" in told.text and told.message["Reply-To"] == (
        "meiling@example.org.my")
    # The link in the confirmation is the one already mailed; it and the invitation's work.
    link = MANAGE_LINK.search(confirmation.text)
    assert link is not None and link.group(1) == f"/manage/{token}"
    assert "Tan Mei Ling" in client.get(link.group(1)).text
    assert client.get(setup.path).status_code == 200
    # Later mail goes to the new contact too.
    smtp_server.handler.received.clear()
    invite(client, setup.headers, create_workshop(client, setup.headers), registration.reference)
    deliver_due(session=session, settings=smtp_server.settings())
    assert [r.rcpt_tos for r in smtp_server.received] == [["meiling@example.org.my"]]
    session.expire_all()
    [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "contact_changed"))
    assert json.loads(entry.detail) == {"reference": registration.reference,
                                        "fields": list(NEW)}
    assert "contact_changed" in session.scalars(select(RegistrationEvent.action).where(
        RegistrationEvent.registration_id == registration.id)).all()


def test_an_answer_is_refused_and_a_wrong_email_shown_at_its_field(
    client: TestClient, session: Session, clock: Clock
) -> None:
    setup = invited(client, session, contact_email="ravi@example.org.my")
    token = manage_token(setup.registration)
    assert token is not None
    clock.set(NOW)
    guard = form_guard(token)

    answer = client.post(f"/manage/{token}/edit?lang=en",
                         data={"guard": guard, **NEW, "organisation_name": "Another name"})
    wrong = client.post(f"/manage/{token}/edit?lang=en",
                        data={"guard": guard, **NEW, "contact_email": "meiling@"})
    forged = client.post(f"/manage/{token}/edit", data={"guard": "x", **NEW})

    assert answer.status_code == 422
    assert "only the contact person can be changed" in answer.text
    assert wrong.status_code == 422
    assert 'id="contact_email-error"' in wrong.text and 'value="meiling@"' in wrong.text
    assert 'value="Tan Mei Ling"' in wrong.text
    assert forged.status_code == 403
    session.expire_all()
    kept = session.get(Registration, setup.registration.id)
    assert kept is not None
    assert kept.contact_email == "ravi@example.org.my"
    assert kept.organisation_name != "Another name"
