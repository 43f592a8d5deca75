"""What falls due for workshops, run by the mail worker: expired offers, reminders, the digest.

Like the mailer, this owns its transactions: each workshop's work is committed on its own.
Any number of workers may run it at once. Reminders are claimed with an UPDATE that only
one of them can win (`reminded_at IS NULL`), and offers are expired under the workshop's
lock, so each reminder and each offer is sent once.

A reminder is for those who have had the invitation for a while: it goes
`WORKSHOP_REMINDER_HOURS` before replies close, and only to invitations last mailed at
least `REMINDER_NEEDS_HOURS` before that moment. One sent later (inside the window, or
just before it) is never reminded: its mail is still fresh.

The secretariat's digest of replies claims its replies as `reply_digest` says, so each
reply is told once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import begin_write
from app.models import Invitation, Registration, Workshop
from app.services import reply_digest, seating, workshop_mail

# How long before the reminder is due an invitation must have been mailed to get one.
REMINDER_NEEDS_HOURS = 12


@dataclass(slots=True)
class DueReport:
    expired: int = 0
    reminded: int = 0
    # Replies told in a digest to the secretariat.
    digested: int = 0


def _workshops_with_expired_offers(session: Session, now: dt.datetime) -> list[int]:
    return list(session.scalars(select(Invitation.workshop_id).where(
        Invitation.status == "offered", Invitation.offer_expires_at <= now).distinct()))


def reminder_due_at(replies_close_at: dt.datetime) -> dt.datetime:
    """Return when a workshop's reminders are due."""
    return replies_close_at - dt.timedelta(hours=get_settings().workshop_reminder_hours)


def last_sent_for_reminder(replies_close_at: dt.datetime) -> dt.datetime:
    """Return the latest an invitation may have been mailed and still get a reminder."""
    return reminder_due_at(replies_close_at) - dt.timedelta(hours=REMINDER_NEEDS_HOURS)


def _workshops_to_remind(session: Session, now: dt.datetime) -> list[int]:
    before = dt.timedelta(hours=get_settings().workshop_reminder_hours)
    rows = session.execute(
        select(Workshop.id, Workshop.replies_close_at, func.min(Invitation.sent_at))
        .join(Invitation, Invitation.workshop_id == Workshop.id)
        .where(Workshop.replies_close_at > now, Workshop.replies_close_at <= now + before,
               Invitation.status == "invited", Invitation.reminded_at.is_(None))
        .group_by(Workshop.id, Workshop.replies_close_at))
    return [workshop_id for workshop_id, closes_at, oldest in rows
            if oldest is not None and oldest <= last_sent_for_reminder(closes_at)]


def _send_reminders(session: Session, workshop_id: int, now: dt.datetime) -> int:
    closes_at = session.scalar(select(Workshop.replies_close_at)
                               .where(Workshop.id == workshop_id))
    if closes_at is None:
        return 0
    # The claim: whichever worker's UPDATE sets reminded_at owns these reminders. Those
    # mailed too late for a reminder are left alone, and never claimed.
    claimed = list(session.scalars(
        update(Invitation).where(Invitation.workshop_id == workshop_id,
                                 Invitation.status == "invited",
                                 Invitation.reminded_at.is_(None),
                                 Invitation.sent_at <= last_sent_for_reminder(closes_at))
        .values(reminded_at=now).returning(Invitation.id)))
    if not claimed:
        return 0
    rows = session.execute(
        select(Invitation, Registration).join(Registration,
                                              Registration.id == Invitation.registration_id)
        .where(Invitation.id.in_(claimed), Registration.withdrawn_at.is_(None))).all()
    mails = [workshop_mail.mail_row("workshop_reminder", registration, invitation, now)
             for invitation, registration in rows]
    workshop_mail.queue(session, mails)
    return len(mails)


# Further jobs for each pass, added by packages above the services (the roadmap's report
# reminders): each takes the session and the time, commits what it does, and returns
# how many mails it queued.
MORE_DUE_JOBS: list[Callable[[Session, dt.datetime], int]] = []


def run_due(*, session: Session, now: dt.datetime) -> DueReport:
    """Expire offers whose time ran out (offering their seats on), send due reminders, and
    the secretariat's digest of replies if one is due."""
    report = DueReport()
    expiring = _workshops_with_expired_offers(session, now)
    reminding = _workshops_to_remind(session, now)
    digest_due = reply_digest.digest_due(session=session, now=now)
    session.rollback()  # only read so far
    for workshop_id in expiring:
        begin_write(session)
        report.expired += seating.expire_offers(session=session, workshop_id=workshop_id, now=now)
        session.commit()
    for workshop_id in reminding:
        begin_write(session)
        report.reminded += _send_reminders(session, workshop_id, now)
        session.commit()
    # After the expiries, so that an offer that ran out on this pass is in the digest.
    if digest_due or expiring:
        begin_write(session)
        report.digested = reply_digest.queue_digest(session=session, now=now)
        session.commit()
    for job in MORE_DUE_JOBS:
        report.reminded += job(session, now)
    return report
