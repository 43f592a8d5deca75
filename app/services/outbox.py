"""Queue mail in the outbox, in the transaction of the change that causes it; staff's view of it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.templating import render_bodies, render_subject
from app.models import OutboxMail, Registration, RegistrationEvent
from app.models.base import table_of
from app.models.outbox import MAIL_STATUSES
from app.services import deadline
from app.services.private_links import issue_manage_token, manage_url
from app.services.references import normalise_reference

if TYPE_CHECKING:
    from app.services.registrations import NewRegistration

# The secretariat reads its notifications in English, the language of its other records.
SECRETARIAT_LANGUAGE = "en"
RETRYABLE_STATUSES = ("queued", "retry", "failed")


class MailNotFound(LookupError):
    """No queued mail has this id."""


class MailNotRetryable(Exception):
    """The mail was sent, or is being sent now; it cannot be tried again."""


class RegistrationNotFound(LookupError):
    """No registration has this reference."""


class MailCannotBeRendered(Exception):
    """The mail's registration is gone, so there is nothing to write."""


class RegistrationWithdrawn(Exception):
    """The registration was withdrawn, so its confirmation is not sent again."""


@dataclass(frozen=True, slots=True)
class OutboxPage:
    """One page of the outbox, newest first, with how many mails are in each status."""

    mails: list[OutboxMail]
    total: int
    counts: dict[str, int]
    # Each listed mail's subject: as sent, or as it will be sent.
    subjects: dict[int, str]


@lru_cache
def _message_id_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def _message_id() -> str:
    return f"<{secrets.token_hex(16)}@{_message_id_domain(get_settings().mail_from)}>"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a mail (a workshop's calendar file)."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """A mail's subject and bodies, as they are sent."""

    subject: str
    body_text: str
    body_html: str
    attachments: tuple[Attachment, ...] = ()


def _mail_row(
    kind: str,
    registration: NewRegistration | Registration,
    now: dt.datetime,
    *,
    to_secretariat: bool = False,
    manage_token: str | None = None,
) -> dict[str, Any]:
    language = SECRETARIAT_LANGUAGE if to_secretariat else registration.preferred_language
    return {
        "registration_id": registration.id,
        "kind": kind,
        "to_address": get_settings().notify_email if to_secretariat else registration.contact_email,
        "language": language,
        "manage_token": manage_token,
        "message_id": _message_id(),
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


_INSERT_MAIL = insert(table_of(OutboxMail))


def queue(session: Session, rows: list[dict[str, Any]]) -> None:
    """Queue mails made by the functions here, in one statement."""
    session.connection().execute(_INSERT_MAIL, rows)


def _staff_url(reference: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/staff/registrations/{reference}"


def registration_mail_rows(
    registration: NewRegistration, *, manage_token: str, now: dt.datetime
) -> list[dict[str, Any]]:
    """Make the registrant's confirmation, with its private link, and the secretariat's notice.

    Nothing is rendered now: the worker that sends them renders the subject and bodies
    (`render_mail`), from the registration as stored. The private link's token waits on the
    confirmation's row until it is sent, and is forgotten then. `registration_id` is to be
    filled in once the registration is stored.
    """
    return [
        _mail_row("confirmation", registration, now, manage_token=manage_token),
        _mail_row("notification", registration, now, to_secretariat=True),
    ]


def queue_withdrawal_mails(
    *, session: Session, registration: Registration, now: dt.datetime
) -> None:
    """Queue the registrant's confirmation of a withdrawal and the secretariat's notice of it."""
    queue(session, [
        _mail_row("withdrawal", registration, now),
        _mail_row("withdrawal_notice", registration, now, to_secretariat=True),
    ])


def render_mail(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Return a queued mail, rendered now from its registration.

    The deadline is read afresh, so a confirmation sent after the secretariat moved the
    deadline tells the registrant the new one.
    """
    if mail.kind.startswith("workshop_"):
        from app.services import workshop_mail  # it builds on this module

        return workshop_mail.render(session=session, mail=mail)
    registration = (
        session.get(Registration, mail.registration_id) if mail.registration_id else None
    )
    if registration is None:
        raise MailCannotBeRendered(f"mail {mail.id} has no registration to describe")
    context: dict[str, object] = {
        "registration": registration,
        "staff_url": _staff_url(registration.reference),
        "withdrawn_at": registration.withdrawn_at,
        "manage_url": manage_url(mail.manage_token) if mail.manage_token else "",
    }
    if mail.kind == "confirmation":
        context["last_moment"] = deadline.last_moment(deadline.registration_closes_at(session))
    return RenderedMail(_subject(mail, registration), *render_bodies(mail.kind, mail.language,
                                                                    context))


def _subject(mail: OutboxMail, registration: Registration) -> str:
    # Mails queued by earlier versions carry the subject they were queued with.
    if mail.subject is not None:
        return mail.subject
    return render_subject(mail.kind, mail.language, {"registration": registration})


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
    return OutboxPage(mails=list(mails), total=total, counts=counts,
                      subjects=_subjects(session, mails))


def _subjects(session: Session, mails: Sequence[OutboxMail]) -> dict[int, str]:
    waiting = {
        mail.registration_id for mail in mails
        if mail.subject is None and mail.registration_id is not None
    }
    registrations = {
        registration.id: registration
        for registration in session.scalars(
            select(Registration).where(Registration.id.in_(waiting))
        )
    } if waiting else {}
    subjects = {}
    for mail in mails:
        registration = registrations.get(mail.registration_id or 0)
        if mail.subject is not None:
            subjects[mail.id] = mail.subject
        elif mail.kind.startswith("workshop_"):
            from app.services import workshop_mail

            try:
                subjects[mail.id] = workshop_mail.subject(session=session, mail=mail)
            except MailCannotBeRendered:
                subjects[mail.id] = ""
        elif registration is not None:
            subjects[mail.id] = _subject(mail, registration)
        else:
            subjects[mail.id] = ""  # its registration is gone, so it will not be sent
    return subjects


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
) -> None:
    """Queue the confirmation again with a new private link; the old link stops working."""
    registration = session.scalar(
        select(Registration).where(Registration.reference == normalise_reference(reference))
    )
    if registration is None:
        raise RegistrationNotFound(reference)
    if registration.withdrawn_at is not None:
        raise RegistrationWithdrawn(reference)
    token = issue_manage_token(registration=registration)
    queue(session, [_mail_row("confirmation", registration, now, manage_token=token)])
    session.add(RegistrationEvent(
        registration_id=registration.id, at=now, actor=actor, action="confirmation_resent"
    ))
    session.flush()
