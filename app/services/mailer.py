"""Deliver the outbox over SMTP: claim due mail under a lease, send it, record what happened.

The worker owns its transactions, unlike request services: each claim and each outcome is
committed on its own, so a message is never sent while its row is locked, and a message
that went out is recorded at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import partial

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.db import begin_write
from app.core.outage import until_database_answers
from app.models import OutboxMail
from app.services import workshop_mail
from app.services.announcement_mail import ANNOUNCEMENT_KINDS, render_announcement
from app.services.deliverability import note_delivery
from app.services.mail_content import (
    MailCannotBeRendered,
    RenderedMail,
    build_message,
    redact_private_links,
    render_mail,
)
from app.services.smtp_delivery import Outcome, classify, connect

log = logging.getLogger("alliance87.mail")

# Backoff after a temporary failure: 1, 2, 4 … minutes, never more than an hour apart.
# After MAX_ATTEMPTS (about ten hours of trying) the mail is failed and staff can retry it.
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 15
BATCH_SIZE = 20
# A claimed row belongs to its worker until the lease runs out; then any worker may take it
# again (the first one died). A worker stops sending from a batch at half the lease, so it
# never sends a message whose lease another worker may already have taken over.
LEASE = dt.timedelta(minutes=5)


@dataclass(slots=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    claimed_ids: list[int] = field(default_factory=list)


def retry_delay(attempts: int) -> dt.timedelta:
    """Return how long to wait before the next try, after `attempts` tries."""
    delay: dt.timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


def claim_due(*, session: Session, now: dt.datetime, limit: int = BATCH_SIZE) -> list[OutboxMail]:
    """Move up to `limit` due mails to inflight under a lease and commit; return them."""
    begin_write(session)
    due = or_(
        OutboxMail.status.in_(("queued", "retry")),
        # An inflight row whose lease ran out was left by a worker that died.
        OutboxMail.status == "inflight",
    )
    # SKIP LOCKED: on PostgreSQL two workers claim different rows instead of waiting for
    # each other. SQLite has no row locks; begin_write's BEGIN IMMEDIATE serialises claimers.
    mails = list(session.scalars(
        select(OutboxMail)
        .where(due, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    for mail in mails:
        mail.status = "inflight"
        mail.next_attempt_at = now + LEASE
    session.flush()
    # Detached, the rows keep what was read, whatever the session does after the commit.
    for mail in mails:
        session.expunge(mail)
    session.commit()
    return mails


def render(session: Session, mail: OutboxMail) -> RenderedMail:
    """Return what to send for a claimed mail, rendered now from its registration."""
    try:
        if mail.kind in ANNOUNCEMENT_KINDS:
            return render_announcement(session=session, mail=mail)
        if mail.kind.startswith("workshop_"):
            return workshop_mail.render(session=session, mail=mail)
        return render_mail(session=session, mail=mail)
    finally:
        session.rollback()  # only read: end the transaction before sending


def _record(
    session: Session,
    mail: OutboxMail,
    outcome: Outcome,
    now: dt.datetime,
    rendered: RenderedMail | None = None,
) -> str:
    begin_write(session)
    row = session.get(OutboxMail, mail.id)
    if row is None or row.status != "inflight":  # pragma: no cover - only if staff deleted it
        session.rollback()
        return "gone"
    row.attempts += 1
    if outcome.status == "sent":
        row.status = "sent"
        row.sent_at = now
        row.last_error = ""
        # What was sent is kept for staff, but the private link is for the registrant's
        # eyes only: once it has gone out, the database keeps nothing but its hash, on
        # the registration.
        if rendered is not None:
            row.subject = rendered.subject
            row.body_text = redact_private_links(rendered.body_text)
            row.body_html = redact_private_links(rendered.body_html)
        row.manage_token = None
    elif outcome.status == "retry" and (row.attempts < MAX_ATTEMPTS or outcome.connection_lost):
        # A server that is away, however long, is waited for (at most an hour between
        # tries); only a message the server keeps turning away runs out of attempts.
        row.status = "retry"
        row.next_attempt_at = now + retry_delay(row.attempts)
        row.last_error = outcome.error
    else:
        row.status = "failed"
        row.last_error = outcome.error
    note_delivery(session=session, mail=row, now=now, permanently_refused=(
        row.status == "failed" and outcome.label.startswith("SMTP 5")))
    status = row.status
    session.commit()
    session.expunge(row)
    # Ids and kinds only: addresses and names stay out of the logs.
    log.info("mail %s (%s): %s after %s attempt(s)", mail.id, mail.kind, status, mail.attempts + 1)
    return status


def _release(session: Session, mails: list[OutboxMail], now: dt.datetime) -> None:
    """Give claimed but unsent mails back, due now, without counting an attempt."""
    if not mails:
        return
    begin_write(session)
    for mail in mails:
        row = session.get(OutboxMail, mail.id)
        if row is not None and row.status == "inflight":
            row.status = "retry" if row.attempts else "queued"
            row.next_attempt_at = now
    session.commit()
    session.expunge_all()


def deliver_due(
    *, session: Session, settings: Settings | None = None, now: dt.datetime | None = None,
    limit: int = BATCH_SIZE,
) -> DeliveryReport:
    """Send the mail that is due now, over one SMTP connection, and record each outcome."""
    settings = settings or get_settings()
    report = DeliveryReport()
    if settings.smtp_host is None:
        return report
    started = time.monotonic()
    claimed_at = now or utcnow()
    mails = claim_due(session=session, now=claimed_at, limit=limit)
    report.claimed_ids = [mail.id for mail in mails]
    envelope_from = parseaddr(settings.mail_from)[1]
    smtp: smtplib.SMTP | None = None
    try:
        for position, mail in enumerate(mails):
            if time.monotonic() - started > LEASE.total_seconds() / 2:
                until_database_answers(
                    partial(_release, session, mails[position:], claimed_at), session=session)
                report.retrying += len(mails) - position
                break
            rendered: RenderedMail | None = None
            try:
                # While the database is away, wait for it no longer than the lease allows.
                rendered = until_database_answers(
                    partial(render, session, mail), session=session,
                    give_up_at=started + LEASE.total_seconds() / 2)
                if smtp is None:
                    smtp = connect(settings)
                message = build_message(mail, rendered, settings=settings, now=utcnow())
                smtp.send_message(message, from_addr=envelope_from, to_addrs=[mail.to_address])
                outcome = Outcome("sent")
            except MailCannotBeRendered as error:
                outcome = Outcome("failed", str(error), "nothing to render")
            except (smtplib.SMTPException, OSError, ValueError) as error:
                outcome = classify(error)
                log.warning("mail %s (%s) not delivered: %s", mail.id, mail.kind, outcome.label)
            # The server is away after a lost connection: the rest wait as long as this one.
            affected = mails[position:] if outcome.connection_lost else [mail]
            for each in affected:
                # A message that went out is recorded however long the database is away,
                # or it would be sent again once its lease ran out.
                status = until_database_answers(
                    partial(_record, session, each, outcome, now or utcnow(),
                            rendered if each is mail else None),
                    session=session)
                report.sent += status == "sent"
                report.retrying += status == "retry"
                report.failed += status == "failed"
            if outcome.connection_lost:
                break
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return report


def log_waiting_mail(*, session: Session, after_id: int = 0) -> int:
    """Log each waiting mail queued after `after_id` (no SMTP_HOST); return the last id.

    Only the id, kind and language are logged: the mail stays in the outbox, where staff
    and developers can read it.
    """
    rows = session.execute(
        select(OutboxMail.id, OutboxMail.kind, OutboxMail.language)
        .where(OutboxMail.id > after_id, OutboxMail.status.in_(("queued", "retry")))
        .order_by(OutboxMail.id)
    ).all()
    session.rollback()
    for mail_id, kind, language in rows:
        log.info("mail %s (%s, %s) stays queued: SMTP_HOST is not set", mail_id, kind, language)
    return rows[-1][0] if rows else after_id
