"""`alliance87 set-deadline VALUE`: record a new deadline in the database."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.core.clock import utcnow
from app.core.config import parse_deadline
from app.core.db import begin_write, new_session
from app.core.i18n import format_malaysian_time
from app.services.deadline import last_moment, set_deadline


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "set-deadline",
        help="record a new deadline (a date, or an ISO 8601 date-time with offset)",
        description="A date means the whole day counts in Malaysian time; a date-time with "
        "an offset is the instant the call closes.",
    )
    parser.add_argument("value", help="e.g. 2022-10-20 or 2022-10-20T17:00:00+08:00")
    parser.add_argument("--by", default=None, help="who decided (defaults to the OS user)")
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        parse_deadline(arguments.value)
    except ValueError as error:
        print(f"alliance87: {error}", file=sys.stderr)
        return 2
    with new_session() as session:
        begin_write(session)
        row = set_deadline(
            session=session,
            value=arguments.value,
            set_by=arguments.by or f"cli:{getpass.getuser()}",
            now=utcnow(),
        )
        session.commit()
        shown = format_malaysian_time(last_moment(row.closes_at), "en")
    print(f"Registration now closes after {shown} ({row.closes_at.isoformat()}).")
    return 0
