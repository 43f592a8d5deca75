"""Deliver the outbox over SMTP: claim due mail under a lease, send it, record what happened.

The worker owns its transactions, unlike request services: each claim and each outcome is
committed on its own, so a message is never sent while its row is locked, and a message
that went out is recorded at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import partial
from typing import cast

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.db import begin_write, is_database_busy
from app.core.outage import until_database_answers
from app.models import OutboxMail
from app.services.deliverability import note_delivery
from app.services.mail_batch import BatchReader
from app.services.mail_content import (
    SECRETARIAT_KINDS,
    MailCannotBeRendered,
    RenderedMail,
    build_message,
    redact_private_links,
)
from app.services.smtp_delivery import Courier, Outcome, SmtpConnection, describe

log = logging.getLogger("alliance87.mail")

# Backoff after a temporary failure: 1, 2, 4 … minutes, never more than an hour apart.
# After MAX_ATTEMPTS (about ten hours of trying) the mail is failed and staff can retry it.
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 15
BATCH_SIZE = 50
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


# Built once, as the worker runs it after every message; the columns it sets are the keys
# of the parameters it is given.
_RECORD_OUTCOME = update(OutboxMail).where(
    OutboxMail.id == bindparam("mail_id"), OutboxMail.status == "inflight")


def _record(
    session: Session,
    mail: OutboxMail,
    outcome: Outcome,
    now: dt.datetime,
    rendered: RenderedMail | None = None,
) -> str:
    # The row is this worker's while it is inflight, so its attempts are as claimed.
    attempts = mail.attempts + 1
    values: dict[str, object]
    if outcome.status == "sent":
        values = {"status": "sent", "sent_at": now, "last_error": ""}
        # What was sent is kept for staff, but the private link is for the registrant's
        # eyes only: the stored copy has it removed (the link is signed from the row, so
        # the database holds no usable link).
        if rendered is not None:
            values.update(subject=rendered.subject,
                          body_text=redact_private_links(rendered.body_text),
                          body_html=redact_private_links(rendered.body_html))
    elif outcome.status == "retry" and (attempts < MAX_ATTEMPTS or outcome.connection_lost):
        # A server that is away, however long, is waited for (at most an hour between
        # tries); only a message the server keeps turning away runs out of attempts.
        values = {"status": "retry", "next_attempt_at": now + retry_delay(attempts),
                  "last_error": outcome.error}
    else:
        values = {"status": "failed", "last_error": outcome.error}
    begin_write(session)
    # One statement by primary key: nothing is read first, and no row is held in the session.
    recorded = session.connection().execute(
        _RECORD_OUTCOME, {"mail_id": mail.id, "attempts": attempts, **values})
    if recorded.rowcount == 0:  # pragma: no cover - only if staff deleted it
        session.rollback()
        return "gone"
    status = str(values["status"])
    if mail.kind not in SECRETARIAT_KINDS:
        note_delivery(session=session, registration_id=mail.registration_id,
                      to_address=mail.to_address, delivered=status == "sent", now=now,
                      permanently_refused=(status == "failed"
                                           and outcome.label.startswith("SMTP 5")))
    session.commit()
    # Ids and kinds only: addresses and names stay out of the logs.
    log.info("mail %s (%s): %s after %s attempt(s)", mail.id, mail.kind, status, attempts)
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
    limit: int = BATCH_SIZE, connection: Courier | None = None,
) -> DeliveryReport:
    """Send the mail that is due now and record each outcome before the next message goes.

    Each message is built while the server is taking the one before (over `connection`, an
    `SmtpProcess` in the worker, which keeps it from batch to batch); else over one
    connection opened and closed here.
    """
    settings = settings or get_settings()
    report = DeliveryReport()
    if settings.smtp_host is None:
        return report
    started = time.monotonic()
    # A worker stops sending from a batch at half the lease (see LEASE).
    stop_at = started + LEASE.total_seconds() / 2
    claimed_at = now or utcnow()
    mails = claim_due(session=session, now=claimed_at, limit=limit)
    report.claimed_ids = [mail.id for mail in mails]
    if not mails:
        return report
    envelope_from = parseaddr(settings.mail_from)[1]
    smtp = connection or SmtpConnection(settings)
    settle = partial(_settle, session, report, now)
    reader = BatchReader(session, mails)
    # Handed to the server, its outcome not yet recorded: never more than one.
    sending: tuple[OutboxMail, RenderedMail] | None = None
    try:
        for position, mail in enumerate(mails):
            # Rendered and built while the server takes the message before. While the
            # database is away, it is waited for no longer than the lease allows.
            try:
                content = until_database_answers(
                    partial(reader.render, mail), session=reader.session, give_up_at=stop_at)
                message = _build(mail, content, settings)
            except Exception as error:
                # Whatever this message's data makes rendering or building raise, it fails
                # alone, with the reason, and the next one goes (docs/mail.md, "A poisoned
                # message").
                message = _poisoned(reader, mail, error)
            if sending is not None:
                (sent_mail, sent_content), sending = sending, None
                # Recorded before the next message goes, however long the database is
                # away, or it would be sent again once its lease ran out.
                outcome = smtp.finish()
                settle(sent_mail, outcome, sent_content)
                if outcome.connection_lost:
                    # The server is away: the rest wait as long as that one.
                    for each in mails[position:]:
                        settle(each, outcome, None, quiet=True)
                    break
            if time.monotonic() > stop_at:
                until_database_answers(
                    partial(_release, session, mails[position:], claimed_at), session=session)
                report.retrying += len(mails) - position
                break
            if isinstance(message, Outcome):
                settle(mail, message, None)
            else:
                smtp.start(envelope_from, mail.to_address, message)
                sending = (mail, cast(RenderedMail, content))
    finally:
        reader.close()
        if sending is not None:
            settle(sending[0], smtp.finish(), sending[1])
        if connection is None:
            smtp.close()
    return report


def _build(
    mail: OutboxMail, content: RenderedMail | MailCannotBeRendered, settings: Settings
) -> bytes | Outcome:
    """Return the message to send, or why there is none."""
    if isinstance(content, MailCannotBeRendered):
        return Outcome("failed", str(content), "nothing to render")
    return build_message(mail, content, settings=settings, now=utcnow())


def _poisoned(reader: BatchReader, mail: OutboxMail, error: Exception) -> Outcome:
    """Return a failure for a message that could not be rendered or built.

    A database that is away is not the message's fault: that is raised again, for the
    batch to wait as it always does.
    """
    if is_database_busy(error):
        raise error
    # The reason goes to the outbox, for staff; the log has no addresses or names.
    log.error("mail %s (%s) cannot be sent: %s", mail.id, mail.kind, type(error).__name__)
    if isinstance(error, SQLAlchemyError):
        reader.start_again()  # the error may have left its transaction unusable
    return Outcome("failed", f"Cannot be sent as it is: {describe(error)}"[:2000],
                   type(error).__name__)


def _settle(
    session: Session, report: DeliveryReport, now: dt.datetime | None, mail: OutboxMail,
    outcome: Outcome, rendered: RenderedMail | None, *, quiet: bool = False,
) -> None:
    """Record one mail's outcome, waiting out a database that is away; count it."""
    if outcome.status != "sent" and not quiet:  # quiet: the rest of a batch, held back
        log.warning("mail %s (%s) not delivered: %s", mail.id, mail.kind, outcome.label)
    status = until_database_answers(
        partial(_record, session, mail, outcome, now or utcnow(), rendered), session=session)
    report.sent += status == "sent"
    report.retrying += status == "retry"
    report.failed += status == "failed"


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
