"""Queue mail in the outbox, in the transaction of the change that causes it."""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import parseaddr

from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.templating import render_email
from app.models import OutboxMail, Registration


def _message_id() -> str:
    domain = parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


def queue_mail(
    *,
    session: Session,
    kind: str,
    to_address: str,
    language: str,
    context: dict[str, object],
    now: dt.datetime,
    registration_id: int | None = None,
) -> OutboxMail:
    """Render the `kind` templates in `language` and queue the message for delivery."""
    subject, body_text, body_html = render_email(kind, language, context)
    mail = OutboxMail(
        registration_id=registration_id,
        kind=kind,
        to_address=to_address,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=_message_id(),
        status="queued",
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
    )
    session.add(mail)
    return mail


def queue_registration_mails(*, session: Session, registration: Registration, now: dt.datetime) -> None:
    """Queue the registrant's confirmation and the secretariat's notification."""
    settings = get_settings()
    context: dict[str, object] = {"registration": registration, "settings": settings}
    queue_mail(
        session=session,
        kind="confirmation",
        to_address=registration.contact_email,
        language=registration.preferred_language,
        context=context,
        now=now,
        registration_id=registration.id,
    )
    queue_mail(
        session=session,
        kind="notification",
        to_address=settings.notify_email,
        language="en",
        context=context,
        now=now,
        registration_id=registration.id,
    )
