"""`alliance87 send-emails [--once]`: deliver the outbox, as a worker loop or one pass."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import is_database_busy, new_session
from app.core.logging import configure_logging, log_style
from app.core.outage import database_outage, wait_before_retry
from app.services.mailer import BATCH_SIZE, DeliveryReport, deliver_due, log_waiting_mail
from app.services.smtp_process import SmtpProcess
from app.services.workshop_due import run_due

log = logging.getLogger("alliance87.mail")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "send-emails",
        help="deliver queued mail (a worker loop; --once: what is due now, then exit)",
        description="Without SMTP_HOST nothing is sent: mail stays queued and is logged.",
    )
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds between passes when the outbox is empty (default 5)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    settings = get_settings()
    configure_logging(
        settings.log_level, log_style(settings.log_format, environment=settings.environment)
    )
    stopping = threading.Event()
    if not arguments.once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
    if settings.smtp_host is None:
        log.warning("SMTP_HOST is not set: mail stays in the outbox and is only logged")
    # One SMTP connection, in a process of its own (so the next mail is built while the
    # server takes this one), kept while there is mail to send and closed when the outbox
    # is empty, so a quiet worker does not hold the server's connection open.
    connection = SmtpProcess(settings) if settings.smtp_host else None
    totals = DeliveryReport()
    try:
        if connection is not None:
            connection.prepare()
        _passes(arguments, connection, stopping, totals)
    finally:
        if connection is not None:
            connection.close()
    if arguments.once:
        print(f"Sent {totals.sent}, to retry {totals.retrying}, failed {totals.failed}.")
    return 0


def _passes(
    arguments: argparse.Namespace, connection: SmtpProcess | None,
    stopping: threading.Event, totals: DeliveryReport,
) -> None:
    """Go over the outbox until stopped (or, with --once, until nothing is due)."""
    last_logged_id = 0
    failed_passes = 0
    while True:
        try:
            with new_session() as session:
                # Offers, expiries and reminders become mail here, and go out just below.
                run_due(session=session, now=utcnow())
                if connection is None:
                    last_logged_id = log_waiting_mail(session=session, after_id=last_logged_id)
                    busy = False
                else:
                    report = deliver_due(session=session, settings=connection.settings,
                                         connection=connection)
                    totals.sent += report.sent
                    totals.retrying += report.retrying
                    totals.failed += report.failed
                    # A full batch means more may be due: go again without waiting.
                    busy = len(report.claimed_ids) == BATCH_SIZE
            database_outage.answered()
            failed_passes = 0
        except Exception as error:
            # The database is away (a restart, a failover): what was claimed and not sent
            # waits for its lease to run out; the loop waits for the database, calmly.
            if arguments.once or not is_database_busy(error):
                raise
            database_outage.went_away(error)
            if wait_before_retry(failed_passes, stopping):
                return
            failed_passes += 1
            continue
        if arguments.once and not busy:
            return
        if not busy and connection is not None:
            connection.hang_up()
        if not busy and stopping.wait(arguments.interval):
            return
        if stopping.is_set():
            return
