"""Queue mail in the outbox, in the transaction of the change that causes it; staff's view of it."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.templating import render_email
from app.models import OutboxMail, Registration, RegistrationEvent
from app.models.outbox import MAIL_STATUSES
from app.services import deadline
from app.services.private_links import issue_manage_token, manage_url
from app.services.references import normalise_reference

# The secretariat reads its notifications in English, the language of its other records.
SECRETARIAT_LANGUAGE = "en"
RETRYABLE_STATUSES = ("queued", "retry", "failed")


class MailNotFound(LookupError):
    """No queued mail has this id."""


class MailNotRetryable(Exception):
    """The mail was sent, or is being sent now; it cannot be tried again."""


class RegistrationNotFound(LookupError):
    """No registration has this reference."""


class RegistrationWithdrawn(Exception):
    """The registration was withdrawn, so its confirmation is not sent again."""


@dataclass(frozen=True, slots=True)
class OutboxPage:
    """One page of the outbox, newest first, with how many mails are in each status."""

    mails: list[OutboxMail]
    total: int
    counts: dict[str, int]


@lru_cache
def _message_id_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def _message_id() -> str:
    return f"<{secrets.token_hex(16)}@{_message_id_domain(get_settings().mail_from)}>"


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


def _staff_url(registration: Registration) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/staff/registrations/{registration.reference}"


def queue_confirmation(
    *,
    session: Session,
    registration: Registration,
    now: dt.datetime,
    closes_at: dt.datetime | None = None,
) -> OutboxMail:
    """Queue the registrant's confirmation, with a new private link to view, correct or withdraw."""
    token = issue_manage_token(registration=registration)
    if closes_at is None:
        closes_at = deadline.registration_closes_at(session)
    return queue_mail(
        session=session,
        kind="confirmation",
        to_address=registration.contact_email,
        language=registration.preferred_language,
        context={
            "registration": registration,
            "manage_url": manage_url(token),
            "last_moment": deadline.last_moment(closes_at),
        },
        now=now,
        registration_id=registration.id,
    )


def queue_registration_mails(
    *,
    session: Session,
    registration: Registration,
    now: dt.datetime,
    closes_at: dt.datetime | None = None,
) -> None:
    """Queue the registrant's confirmation and the secretariat's notification."""
    queue_confirmation(session=session, registration=registration, now=now, closes_at=closes_at)
    queue_mail(
        session=session,
        kind="notification",
        to_address=get_settings().notify_email,
        language=SECRETARIAT_LANGUAGE,
        context={"registration": registration, "staff_url": _staff_url(registration)},
        now=now,
        registration_id=registration.id,
    )


def queue_withdrawal_mails(
    *, session: Session, registration: Registration, now: dt.datetime
) -> None:
    """Queue the registrant's confirmation of a withdrawal and the secretariat's notice of it."""
    context: dict[str, object] = {"registration": registration, "withdrawn_at": now}
    queue_mail(
        session=session,
        kind="withdrawal",
        to_address=registration.contact_email,
        language=registration.preferred_language,
        context=context,
        now=now,
        registration_id=registration.id,
    )
    queue_mail(
        session=session,
        kind="withdrawal_notice",
        to_address=get_settings().notify_email,
        language=SECRETARIAT_LANGUAGE,
        context={**context, "staff_url": _staff_url(registration)},
        now=now,
        registration_id=registration.id,
    )


def list_outbox(
    *,
    session: Session,
    status: str | None = None,
    registration_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OutboxPage:
    """Return a page of the outbox, newest first, perhaps of one status or one registration."""
    if status is not None and status not in MAIL_STATUSES:
        raise ValueError(f"unknown mail status {status!r}")
    conditions = []
    if status is not None:
        conditions.append(OutboxMail.status == status)
    if registration_id is not None:
        conditions.append(OutboxMail.registration_id == registration_id)
    mails = session.scalars(
        select(OutboxMail).where(*conditions)
        .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
        .limit(limit).offset(offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(OutboxMail).where(*conditions)) or 0
    counts = dict.fromkeys(MAIL_STATUSES, 0)
    for mail_status, count in session.execute(
        select(OutboxMail.status, func.count()).group_by(OutboxMail.status)
    ):
        counts[mail_status] = count
    return OutboxPage(mails=list(mails), total=total, counts=counts)


def retry_mail(*, session: Session, mail_id: int, now: dt.datetime) -> OutboxMail:
    """Make a failed or waiting mail due now, with its full number of attempts again."""
    mail = session.get(OutboxMail, mail_id, with_for_update=True)
    if mail is None:
        raise MailNotFound(mail_id)
    if mail.status not in RETRYABLE_STATUSES:
        raise MailNotRetryable(mail.status)
    mail.status = "queued"
    mail.attempts = 0
    mail.next_attempt_at = now
    # last_error stays, so staff can still see why it failed until the next attempt.
    session.flush()
    return mail


def resend_confirmation(
    *, session: Session, reference: str, now: dt.datetime, actor: str
) -> OutboxMail:
    """Queue the confirmation again with a new private link; the old link stops working."""
    registration = session.scalar(
        select(Registration).where(Registration.reference == normalise_reference(reference))
    )
    if registration is None:
        raise RegistrationNotFound(reference)
    if registration.withdrawn_at is not None:
        raise RegistrationWithdrawn(reference)
    mail = queue_confirmation(session=session, registration=registration, now=now)
    session.add(RegistrationEvent(
        registration_id=registration.id, at=now, actor=actor, action="confirmation_resent"
    ))
    session.flush()
    return mail
