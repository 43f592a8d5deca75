"""The outbox in the back-office: staff see what was sent and why mail failed; admins act."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, OutboxMail, Registration
from app.services.mailer import deliver_due
from tests.factories import registration_payload
from tests.smtp import SmtpServer
from tests.staff_helpers import SETUP, sign_in, staff_user

pytestmark = pytest.mark.usefixtures("staff_ready")


def _registered(client: TestClient, **fields: object) -> str:
    response = client.post("/api/v1/registrations", json=registration_payload(**fields))
    assert response.status_code == 201
    return str(response.json()["reference"])


def _fail_confirmation(session: Session, reference: str, error: str) -> OutboxMail:
    mail = session.scalars(
        select(OutboxMail).join(Registration, OutboxMail.registration_id == Registration.id)
        .where(OutboxMail.kind == "confirmation", Registration.reference == reference)
    ).one()
    mail.status, mail.attempts, mail.last_error = "failed", 1, error
    session.commit()
    return mail


def test_staff_see_failed_mail_with_its_error_and_an_admin_retries_it(
    client: TestClient, session: Session
) -> None:
    reference = _registered(client)
    mail = _fail_confirmation(session, reference, "550 5.1.1 mailbox unavailable")
    csrf = sign_in(client, staff_user(session, role="admin"))

    page = client.get("/staff/outbox", params={"status": "failed"})

    assert page.status_code == 200
    assert "550 5.1.1 mailbox unavailable" in page.text
    assert reference in page.text
    retried = client.post(f"/staff/outbox/{mail.id}/retry", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert retried.status_code == 303
    session.refresh(mail)
    assert (mail.status, mail.attempts) == ("queued", 0)
    assert session.scalars(select(AuditLog.action)).all()[-1] == "mail_retry"


def test_a_viewer_sees_the_outbox_but_cannot_retry(client: TestClient, session: Session) -> None:
    reference = _registered(client)
    mail = _fail_confirmation(session, reference, "550 no such user")
    csrf = sign_in(client, staff_user(session, role="viewer"))

    assert "550 no such user" in client.get("/staff/outbox").text
    refused = client.post(f"/staff/outbox/{mail.id}/retry", data={"csrf_token": csrf})

    assert refused.status_code == 403
    session.refresh(mail)
    assert mail.status == "failed"


def test_resend_confirmation_queues_a_new_one(client: TestClient, session: Session) -> None:
    reference = _registered(client)
    csrf = sign_in(client, staff_user(session, role="admin"))
    page = client.get(f"/staff/registrations/{reference}", params={"lang": "en"})
    assert "Resend confirmation" in page.text

    response = client.post(f"/staff/registrations/{reference}/resend",
                           data={"csrf_token": csrf}, follow_redirects=False)

    assert response.status_code == 303
    confirmations = session.scalars(
        select(OutboxMail).where(OutboxMail.kind == "confirmation")).all()
    assert len(confirmations) == 2
    assert "same private link as before" in client.get(response.headers["location"]).text


def test_opening_a_registration_is_logged(client: TestClient, session: Session) -> None:
    reference = _registered(client)
    user = staff_user(session, role="viewer")
    sign_in(client, user)

    client.get(f"/staff/registrations/{reference}")

    entry = session.scalars(select(AuditLog).where(AuditLog.action == "view_registration")).one()
    assert entry.staff_user_id == user.id
    assert reference in entry.detail


def test_reading_registrations_through_the_api_is_logged(
    client: TestClient, session: Session
) -> None:
    from app.core.clock import utcnow
    from app.services import staff_auth

    reference = _registered(client)
    user = staff_user(session, role="viewer")
    token, _ = staff_auth.create_token(session=session, user=user, now=utcnow(), actor=SETUP)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    client.get("/api/v1/registrations", headers=headers)
    client.get(f"/api/v1/registrations/{reference}", headers=headers)

    actions = session.scalars(select(AuditLog.action).where(AuditLog.staff_user_id == user.id))
    assert list(actions) == ["api_list", "api_view_registration"]


def test_a_waiting_mail_shows_the_subject_it_is_then_sent_with(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    # The subject is written by the worker that sends the mail, not by the registration;
    # staff still see it while the mail waits, and it is kept once sent.
    reference = _registered(client, organisation_name="Persatuan Pekerja Ladang")
    sign_in(client, staff_user(session, role="viewer"))
    expected = f"New Alliance 8.7 registration: Persatuan Pekerja Ladang ({reference})"

    waiting = client.get("/staff/outbox", params={"status": "queued"})

    assert expected in waiting.text
    assert deliver_due(session=session, settings=smtp_server.settings()).sent == 2
    [received] = smtp_server.handler.to("alliance8.7@mohr.gov.my")
    assert received.message["Subject"] == expected
    sent = client.get("/staff/outbox", params={"status": "sent"})
    assert expected in sent.text
    session.expire_all()
    stored = session.scalars(select(OutboxMail.subject).where(OutboxMail.kind == "notification"))
    assert stored.one() == expected
