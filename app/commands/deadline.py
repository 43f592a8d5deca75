"""`alliance87 set-deadline VALUE`: record a new deadline in the database.

`--if-unset` records it only when the database holds none yet. `make run` uses it to give
a development database its deadline once, so the web process, the mail worker and a second
instance all read the same one from the database, however each was started.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy import select

from app.core.clock import utcnow
from app.core.config import parse_deadline
from app.core.db import begin_write, new_session
from app.core.i18n import format_malaysian_time
from app.models import CallDeadline
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
    parser.add_argument(
        "--if-unset",
        action="store_true",
        help="record it only if the database holds no deadline yet (else keep that one)",
    )
    parser.set_defaults(handler=run)


def run(arguments: argparse.Namespace) -> int:
    try:
        parse_deadline(arguments.value)
    except ValueError as error:
        print(f"alliance87: {error}", file=sys.stderr)
        return 2
    with new_session() as session:
        begin_write(session)
        recorded = session.scalars(
            select(CallDeadline).order_by(CallDeadline.id.desc()).limit(1)
        ).first()
        if arguments.if_unset and recorded is not None:
            shown = format_malaysian_time(last_moment(recorded.closes_at), "en")
            print(f"Registration closes after {shown}, as recorded by {recorded.set_by}; "
                  "kept.")
            return 0
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
