"""Endpoints that write declare it once (WriteSessionDep); the declaration outlives sign-in."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.core.db import commit_short_transaction, declare_writes, forget_writes_declared
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="SQLite's write lock; PostgreSQL has none")


def _writer_waits(committed_db: Engine, holder: Session) -> bool:
    """Say whether another writer has to wait while `holder` is open."""
    finished = threading.Event()

    def other_writer() -> None:
        with Session(committed_db) as other:
            declare_writes(other)
            other.execute(text("SELECT 1"))
            other.rollback()
        finished.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    waited = not finished.wait(0.5)
    holder.rollback()
    thread.join(timeout=30)
    return waited


def test_a_declared_session_keeps_the_write_lock_after_a_short_commit(
    committed_db: Engine,
) -> None:
    # The sign-in check commits its own short transaction; an endpoint that declared it
    # writes must still hold the lock afterwards, or a concurrent writer slips in between.
    with Session(committed_db) as session:
        declare_writes(session)
        commit_short_transaction(session)
        session.execute(text("SELECT 1"))
        assert _writer_waits(committed_db, session)


def test_a_reading_session_lets_go_of_the_lock_after_a_short_commit(
    committed_db: Engine,
) -> None:
    from app.core.db import begin_write

    with Session(committed_db) as session:
        begin_write(session)  # the sign-in check's own write
        commit_short_transaction(session)
        session.execute(text("SELECT 1"))
        started = time.monotonic()
        assert not _writer_waits(committed_db, session)
        assert time.monotonic() - started < 5


def test_forgetting_the_declaration_ends_it(committed_db: Engine) -> None:
    with Session(committed_db) as session:
        declare_writes(session)
        forget_writes_declared(session)
        commit_short_transaction(session)
        session.execute(text("SELECT 1"))
        assert not _writer_waits(committed_db, session)
