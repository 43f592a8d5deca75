"""Waiting out a database that is away, for the mail worker: logged once, retried calmly."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.core.db import is_database_busy

log = logging.getLogger("alliance87.db")
T = TypeVar("T")

# Between tries while the database is away: short at first (a failover takes seconds),
# never so long that delivery lags far behind its return.
FIRST_WAIT_SECONDS = 0.5
LONGEST_WAIT_SECONDS = 5.0


class DatabaseOutage:
    """Whether the database is away: one warning when it goes, one when it is back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._away_since: float | None = None
        # How many times it went away: a connection taken before then is not to be trusted.
        self.outages = 0

    @property
    def away(self) -> bool:
        """Say whether the database was away when last tried."""
        return self._away_since is not None

    def went_away(self, error: BaseException) -> None:
        """Note that the database did not answer; log it if it had been answering."""
        with self._lock:
            if self._away_since is not None:
                return
            self._away_since = time.monotonic()
            self.outages += 1
        cause = error.orig if isinstance(error, DBAPIError) else error
        first_line = (str(cause).strip().splitlines() or [""])[0][:200]
        log.warning("database unavailable (%s: %s); waiting for it to return",
                    type(cause).__name__, first_line)

    def answered(self) -> None:
        """Note that the database answered; log it if it had been away."""
        with self._lock:
            since, self._away_since = self._away_since, None
        if since is not None:
            log.warning("database reachable again after %.1f s", time.monotonic() - since)


database_outage = DatabaseOutage()


def wait_before_retry(attempt: int, stopping: threading.Event | None = None) -> bool:
    """Sleep before the attempt-th retry; return True if asked to stop meanwhile."""
    seconds = min(FIRST_WAIT_SECONDS * 2 ** attempt, LONGEST_WAIT_SECONDS)
    if stopping is None:
        time.sleep(seconds)
        return False
    return stopping.wait(seconds)


def until_database_answers(
    step: Callable[[], T], *, session: Session, give_up_at: float | None = None
) -> T:
    """Run `step`, trying again while the database is away (until `give_up_at`, if given).

    A step that failed rolled back, so it is whole or not done at all; the session is
    rolled back before each retry so that it takes a fresh connection.
    """
    attempt = 0
    while True:
        try:
            result = step()
        except Exception as error:
            if not is_database_busy(error):
                raise
            session.rollback()
            database_outage.went_away(error)
            if give_up_at is not None and time.monotonic() >= give_up_at:
                raise
            wait_before_retry(attempt)
            attempt += 1
            continue
        database_outage.answered()
        return result
