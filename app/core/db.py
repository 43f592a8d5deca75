"""The engine and sessions: SQLite tuned for concurrent writers, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from typing import Any

import anyio.to_thread
from sqlalchemy import Column, Engine, Table, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from app.core.config import get_settings
from app.core.sqlite import SQLITE_BUSY_TIMEOUT_MS, WRITE_OPTION, configure_sqlite

_WROTE = "alliance87_wrote"
# Set on a request's session that was declared for writing (`declare_writes`): a short
# transaction committed on the way (the sign-in check) does not end the declaration.
_WRITES_DECLARED = "alliance87_writes_declared"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: Any) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def is_database_busy(error: BaseException) -> bool:
    """Say whether `error` means the database could not take the work now (nothing was written).

    The write lock was not granted in time, or the database is unreachable (see
    `is_database_unavailable`). Trying again at once would only wait or fail as long
    again; the client is told to come back.
    """
    if isinstance(error, OperationalError) and "locked" in str(error.orig):
        return True
    return isinstance(error, TimeoutError) or is_database_unavailable(error)


# SQLSTATE classes that blame the server, not the statement: a connection exception (08),
# insufficient resources such as a full disk (53), an operator or a crash shutting the
# server down, or a server still starting (57P).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
# SQLite's primary result codes for a file that cannot be written or read now: busy,
# locked, read-only, an I/O error, a full disk, a file that cannot be opened.
_UNAVAILABLE_SQLITE_CODES = frozenset({5, 6, 8, 10, 13, 14})


def is_database_unavailable(error: BaseException) -> bool:
    """Say whether `error` means the database could not be reached or could not write now."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        code = getattr(error.orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _UNAVAILABLE_SQLITE_CODES
    sqlstate = getattr(error.orig, "sqlstate", None)
    # psycopg's errors about the connection itself (refused, closed, lost) carry no SQLSTATE.
    return sqlstate is None or str(sqlstate).startswith(_UNAVAILABLE_SQLSTATES)


def begin_write(session: Session) -> None:
    """Make the session's transaction one that will write, from here on.

    On SQLite it takes the write lock now rather than failing later; on PostgreSQL it
    changes nothing. A request may read first (check a form, verify a password) without
    holding the lock: if the transaction so far has only read, it is ended and a writing
    one begins. Once something was written, it is too late, and that is a bug.
    """
    if session.in_transaction():
        connection = session.connection()
        if connection.dialect.name != "sqlite" or connection.get_execution_options().get(
            WRITE_OPTION
        ):
            return
        if session.info.get(_WROTE):
            raise RuntimeError("begin_write() must come before the transaction's first write")
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})


def declare_writes(session: Session) -> None:
    """Make this session write from now on, including after a commit along the way."""
    session.info[_WRITES_DECLARED] = True
    begin_write(session)


def forget_writes_declared(session: Session) -> None:
    """End a session's declaration that it writes (the request is over)."""
    session.info.pop(_WRITES_DECLARED, None)


def commit_short_transaction(session: Session) -> None:
    """Commit what was done so far; a session declared for writing goes on writing.

    The sign-in check is its own short transaction, so a long page that follows does not
    keep SQLite's write lock unless the endpoint declared that it writes.
    """
    session.commit()
    if session.info.get(_WRITES_DECLARED):
        begin_write(session)


def insert_or_skip(
    session: Session, table: Table, *returning: Column[Any]
) -> ReturningInsert[Any]:
    """Return `INSERT … ON CONFLICT DO NOTHING RETURNING <columns>` for the session's database.

    A row that would break a unique constraint is skipped rather than failing the
    statement, so no savepoint is needed to carry on (PostgreSQL aborts the whole
    transaction on a failed statement); no row back means it was skipped. The statement
    takes its values as parameters and is built once per table, so each call reuses the
    compiled SQL.
    """
    return _insert_or_skip(session.get_bind().dialect.name, table, returning)


@lru_cache
def _insert_or_skip(
    dialect: str, table: Table, returning: tuple[Column[Any], ...]
) -> ReturningInsert[Any]:
    # Imported here: the dialect packages take a while to import, and only one is used.
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing().returning(*returning)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing().returning(*returning)


def create_db_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> Engine:
    """Create an engine for `url` with the settings this portal relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=pool_size,
            max_overflow=max_overflow,
            hide_parameters=True,
        )
        configure_sqlite(engine)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_timeout=30,
        # A failed statement's error message would otherwise carry a registrant's data.
        hide_parameters=True,
    )
    event.listen(engine, "handle_error", _treat_lost_connections_as_disconnects)
    return engine


def _treat_lost_connections_as_disconnects(context: Any) -> None:
    # psycopg reports some ways of losing the server ("cannot exit pipeline mode while
    # busy", a shutdown in the middle of a pipelined statement) in words that SQLAlchemy
    # does not take for a disconnect. The connection would then go back to the pool and
    # fail its rollback there, with a traceback in the log; marked as a disconnect, it is
    # thrown away, and the pool checks the others before their next use.
    error = context.original_exception
    if context.is_disconnect or not isinstance(error, context.dialect.loaded_dbapi.Error):
        return
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(error, context.dialect.loaded_dbapi.OperationalError) and (
        sqlstate is None or str(sqlstate).startswith(("08", "57P"))
    ):
        context.is_disconnect = True


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine, created on first use."""
    settings = get_settings()
    return create_db_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


@lru_cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def new_session() -> Session:
    """Open a session on the process-wide engine (for the CLI and workers)."""
    return _session_factory()()


async def _in_thread(function: Callable[[], object]) -> None:
    # A limiter of its own, as Starlette does for leaving sync dependencies: when every
    # request thread is busy waiting for the write lock, the request holding it must
    # still get a thread to commit and let go of it.
    await anyio.to_thread.run_sync(function, limiter=anyio.CapacityLimiter(1))


async def get_session() -> AsyncIterator[Session]:
    """Yield a session for one request: commit if it succeeds, roll back if it fails.

    Making and closing a session touches no database, so it happens on the event loop;
    only a transaction that was begun is committed or rolled back in a worker thread.
    A page that reads nothing (the form, with its deadline remembered) costs no thread.
    """
    session = new_session()
    try:
        yield session
        if session.in_transaction():
            await _in_thread(session.commit)
    except BaseException:
        if session.in_transaction():
            await _in_thread(session.rollback)
        raise
    finally:
        if session.in_transaction():  # pragma: no cover - only if a commit itself failed
            await _in_thread(session.close)
        else:
            session.close()
