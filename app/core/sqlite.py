"""SQLite tuned for concurrent writers: WAL, a busy timeout, and writers queued in the process."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event

# SQLite lets one writer in at a time. A transaction that reads first and writes later
# can fail at once with SQLITE_BUSY when another writer commits in between, so a
# transaction that will write takes the lock up front (BEGIN IMMEDIATE, see
# `begin_write`) and waits up to the busy timeout for it. Readers stay deferred and,
# in WAL mode, never wait for writers.
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "alliance87_write"
_HOLDS_WRITE_LOCK = "alliance87_holds_write_lock"


def configure_sqlite(engine: Engine) -> None:
    """Set SQLite's pragmas on each connection, and queue writers on a lock in the process."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    # Within one process, writers queue on a Python lock first. SQLite's own busy handler
    # waits by sleeping in growing steps (up to 100 ms), so a crowd of threads polling it
    # wastes most of the time the lock is free; a queue hands it over at once. Other
    # processes on the same file still meet SQLite's busy timeout.
    write_lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(WRITE_OPTION, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise TimeoutError("timed out waiting for the SQLite write lock")
        connection.info[_HOLDS_WRITE_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITE_LOCK, False):
            write_lock.release()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        _release(connection.info)

    # A connection returned to the pool mid-transaction is rolled back there, and a broken
    # one is thrown away; let go of the lock either way.
    @event.listens_for(engine.pool, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _state: Any = None) -> None:
        _release(record.info)

    @event.listens_for(engine.pool, "invalidate")
    @event.listens_for(engine.pool, "soft_invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any = None) -> None:
        _release(record.info)
