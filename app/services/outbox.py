"""The outbox as staff see it: each mail's status and subject; a failed one tried again."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import OutboxMail, Registration
from app.services import audit, mail_batch, reply_digest, workshop_mail
from app.services.announcement_mail import announcement_subject
from app.services.mail_content import REGISTRATION_KINDS, MailCannotBeRendered, subject_of
from app.vocab import MAIL_STATUS_CODES, RETRYABLE_MAIL_STATUSES

log = logging.getLogger("alliance87.mail")


class MailNotFound(LookupError):
    """No queued mail has this id."""


class MailNotRetryable(Exception):
    """The mail was sent, or is being sent now; it cannot be tried again."""


@dataclass(frozen=True, slots=True)
class OutboxPage:
    """One page of the outbox, newest first, with how many mails are in each status."""

    mails: list[OutboxMail]
    total: int
    counts: dict[str, int]
    # Each listed mail's subject: as sent, or as it will be sent.
    subjects: dict[int, str]


def list_outbox(
    *,
    session: Session,
    status: str | None = None,
    registration_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OutboxPage:
    """Return a page of the outbox, newest first, perhaps of one status or one registration."""
    if status is not None and status not in MAIL_STATUS_CODES:
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
    counts = dict.fromkeys(MAIL_STATUS_CODES, 0)
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
        try:
            registration = registrations.get(mail.registration_id or 0)
            subjects[mail.id] = _subject(session, mail, registration)
        except Exception:  # noqa: BLE001 - listed all the same, with its last error
            # A mail that cannot be rendered (the worker fails it, saying why) must not
            # keep staff from the outbox that shows why.
            log.warning("mail %s (%s): its subject cannot be rendered", mail.id, mail.kind)
            subjects[mail.id] = ""
    return subjects


def _subject(session: Session, mail: OutboxMail, registration: Registration | None) -> str:
    if mail.subject is not None:  # sent: the subject as it went out
        return mail.subject
    if mail.kind == "announcement":
        return announcement_subject(session=session, mail=mail)
    if mail.kind == reply_digest.KIND:
        return reply_digest.subject(session=session, mail=mail)
    if mail.kind.startswith("workshop_"):
        try:
            return workshop_mail.subject(session=session, mail=mail)
        except MailCannotBeRendered:
            return ""
    if registration is not None and mail.kind in REGISTRATION_KINDS:
        return subject_of(mail, registration)
    renderer = mail_batch.RENDERERS.get(mail.kind)
    if renderer is not None:  # a kind a package above added (the roadmap's reports)
        try:
            return renderer(session=session, mail=mail).subject
        except MailCannotBeRendered:
            return ""
    return ""  # its registration is gone, or it is of no known kind: it will not be sent


def retry_mail(
    *, session: Session, mail_id: int, now: dt.datetime, staff_user_id: int | None = None
) -> OutboxMail:
    """Make a failed or waiting mail due now, with its full number of attempts again."""
    mail = session.get(OutboxMail, mail_id, with_for_update=True)
    if mail is None:
        raise MailNotFound(mail_id)
    if mail.status not in RETRYABLE_MAIL_STATUSES:
        raise MailNotRetryable(mail.status)
    mail.status = "queued"
    mail.attempts = 0
    mail.next_attempt_at = now
    # last_error stays, so staff can still see why it failed until the next attempt.
    session.flush()
    audit.record(session=session, action="mail_retry", staff_user_id=staff_user_id, now=now,
                 detail={"mail": mail_id})
    return mail
