"""`alliance87 purge`: erase personal data past its time, keeping the anonymous counts."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from typing import Any

from app.core.clock import utcnow
from app.core.db import begin_write, new_session
from app.services.purge import purge, retention_days, set_retention_days


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "purge",
        help="erase the personal data of withdrawn and expired registrations",
        description="Withdrawn registrations are always erased. Registrations submitted more "
        "than the retention period ago are erased too. Category, state, pillars, focus areas "
        "and attendance stay, so the counts remain.",
    )
    parser.add_argument(
        "--set-retention-days",
        type=int,
        metavar="DAYS",
        help="record the retention period set by the secretariat, then purge with it",
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    now = utcnow()
    with new_session() as session:
        begin_write(session)
        if arguments.set_retention_days is not None:
            if arguments.set_retention_days < 1:
                print("alliance87: the retention period must be at least 1 day", file=sys.stderr)
                return 2
            set_retention_days(
                session=session,
                days=arguments.set_retention_days,
                set_by=f"cli:{getpass.getuser()}",
                now=now,
            )
        days = retention_days(session=session)
        keep_for = dt.timedelta(days=days) if days else None
        result = purge(session=session, now=now, keep_for=keep_for)
        session.commit()
    period = f"older than {days} days" if days else "no retention period set"
    print(
        f"Erased the personal data of {result.registrations} registrations "
        f"(withdrawn, or {period}); removed {result.idempotency_records} old retry records."
    )
    return 0
