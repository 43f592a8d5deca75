"""The call's deadline: read from the database, else from REGISTRATION_DEADLINE."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, get_settings, parse_deadline
from app.models import CallDeadline
from app.services import audit

_LATEST = select(CallDeadline.closes_at).order_by(CallDeadline.id.desc()).limit(1)


def registration_closes_at(session: Session) -> dt.datetime:
    """Return the instant the call closes, as the secretariat last set it."""
    # On the connection: a plain read, without the ORM's statement handling.
    closes_at = session.connection().scalar(_LATEST)
    return closes_at if closes_at is not None else get_settings().default_registration_closes_at


# Pages show the deadline on every visit, and the API checks it before reading a body.
# Reading it at most every two seconds spares the database during the deadline rush;
# what is stored is checked against the deadline read afresh, in the transaction storing it.
_DISPLAYED_FOR_SECONDS = 2.0
_displayed: tuple[float, dt.datetime] | None = None
SessionOpener = Callable[[], AbstractContextManager[Session]]


def _remembered() -> dt.datetime | None:
    displayed = _displayed
    if displayed is not None and time.monotonic() - displayed[0] < _DISPLAYED_FOR_SECONDS:
        return displayed[1]
    return None


def displayed_deadline(session: Session) -> dt.datetime:
    """Return the deadline as pages show it, at most two seconds old."""
    global _displayed
    remembered = _remembered()
    if remembered is not None:
        return remembered
    closes_at = registration_closes_at(session)
    _displayed = (time.monotonic(), closes_at)
    return closes_at


async def displayed_deadline_async(open_session: SessionOpener) -> dt.datetime:
    """Return `displayed_deadline` from the event loop.

    Only when it must be read afresh does this take a thread and a session.
    """
    remembered = _remembered()
    if remembered is not None:
        return remembered
    # anyio's threads, as FastAPI's run_in_threadpool uses, without importing FastAPI into
    # the commands (the mail worker starts faster without it).
    return await to_thread.run_sync(_read_displayed_deadline, open_session)


def _read_displayed_deadline(open_session: SessionOpener) -> dt.datetime:
    with open_session() as session:
        return displayed_deadline(session)


def forget_displayed_deadline() -> None:
    """Make the next page read the deadline afresh (after it was changed here)."""
    global _displayed
    _displayed = None


def is_open(closes_at: dt.datetime, now: dt.datetime) -> bool:
    """Say whether a submission arriving at `now` is in time."""
    return now < closes_at


def set_deadline(
    *, session: Session, value: str, set_by: str, now: dt.datetime,
    staff_user_id: int | None = None,
) -> CallDeadline:
    """Record a new deadline (a date or a date-time with offset), keeping the old ones."""
    forget_displayed_deadline()
    row = CallDeadline(
        closes_at=parse_deadline(value), given_as=value.strip(), set_by=set_by, set_at=now
    )
    session.add(row)
    session.flush()
    audit.record(session=session, action="deadline_set", staff_user_id=staff_user_id, now=now,
                 detail={"value": value, "closes_at": row.closes_at.isoformat(),
                         "set_by": set_by})
    return row


def last_moment(closes_at: dt.datetime) -> dt.datetime:
    """Return the last minute people should be told of, in Malaysian time.

    A deadline given as a date closes at the next midnight; people read that as
    "20 October, 11:59 pm", not "21 October, 12:00 am".
    """
    local = closes_at.astimezone(MALAYSIA)
    if local.time() == dt.time(0, 0):
        return local - dt.timedelta(minutes=1)
    return local
