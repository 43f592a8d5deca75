"""Shared fixtures: a migrated real database, rolled-back sessions, a movable clock, a live server.

SQLite by default; PostgreSQL when TEST_DATABASE_URL says so. The schema is built with
`alembic upgrade head`, never `create_all`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

# Settings are read once per process, so the test database is chosen before the app loads.
_TMP = Path(tempfile.mkdtemp(prefix="alliance87-tests-"))
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite3'}"
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ["ENVIRONMENT"] = "test"
os.environ["SECRET_KEY"] = "test-secret-key"
os.environ["REGISTRATION_DEADLINE"] = "2022-10-20"
os.environ["SUBMISSION_RATE_LIMIT"] = "100000/minute"
os.environ.pop("SMTP_HOST", None)
warnings.filterwarnings("ignore", message=".*httpx2.*")

import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, delete, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.core.config import MALAYSIA  # noqa: E402
from app.core.db import create_db_engine, get_engine, get_session  # noqa: E402
from app.deps import request_time  # noqa: E402
from app.main import app  # noqa: E402
from app.models import Base  # noqa: E402
from app.services.deadline import forget_displayed_deadline  # noqa: E402
from app.services.registration.writer import (  # noqa: E402
    RegistrationWriter,
    get_registration_writer,
)
from tests.factories import registration_payload  # noqa: E402

if TYPE_CHECKING:
    from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    return config


@contextmanager
def empty_database_url(name: str) -> Iterator[str]:
    """An empty database of its own, on the suite's kind of server, for a migration test."""
    if not IS_POSTGRES:
        path = _TMP / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    url = make_url(TEST_DATABASE_URL)
    database = f"{url.database}_{name.replace('-', '_')}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    yield url.set(database=database).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The test database, emptied and migrated to head once per run. Unreachable means failure."""
    config = alembic_config(TEST_DATABASE_URL)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    yield get_engine()
    get_engine().dispose()


class Clock:
    """A clock the tests move; every request reads its arrival time from here."""

    def __init__(self) -> None:
        self.now = dt.datetime(2022, 10, 15, 10, 0, tzinfo=MALAYSIA)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_displayed_deadline() -> None:
    """Each test starts without a deadline remembered for the form page by an earlier one."""
    forget_displayed_deadline()


@pytest.fixture
def staff_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """For staff tests: no failed sign-ins counted from earlier tests, and cheap hashing."""
    from tests.staff_helpers import reset_login_limits, use_fast_password_hashing

    reset_login_limits()
    use_fast_password_hashing(monkeypatch)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""
    from tests.smtp import running_smtp_server  # tests.smtp imports this module

    yield from running_smtp_server()


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock()
    app.dependency_overrides[request_time] = moving
    yield moving
    app.dependency_overrides.pop(request_time, None)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    The app's request sessions are swapped for this one; their commits release savepoints,
    their rollbacks roll back to one, and nothing outlives the test.
    """
    connection = engine.connect()
    outer = connection.begin()
    test_session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )

    def request_session() -> Iterator[Session]:
        try:
            yield test_session
            test_session.commit()
        except BaseException:
            test_session.rollback()
            raise

    writer = RegistrationWriter(lambda: nullcontext(test_session))

    async def test_writer() -> RegistrationWriter:
        return writer

    app.dependency_overrides[get_session] = request_session
    app.dependency_overrides[get_registration_writer] = test_writer
    yield test_session
    app.dependency_overrides.pop(get_session, None)
    app.dependency_overrides.pop(get_registration_writer, None)
    test_session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def client(session: Session, clock: Clock) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def committed_db(engine: Engine) -> Iterator[Engine]:
    """For tests whose work must really commit (several connections, processes): emptied after."""
    yield engine
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def committed_session(committed_db: Engine) -> Iterator[Session]:
    """A session on `committed_db` whose objects stay readable after each commit."""
    with Session(committed_db, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def payload() -> dict[str, object]:
    return registration_payload()


def count_rows(session_or_engine: Session | Engine, table: str) -> int:
    sql = text(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names are literals in tests
    if isinstance(session_or_engine, Session):
        return int(session_or_engine.scalar(sql) or 0)
    with session_or_engine.connect() as connection:
        return int(connection.scalar(sql) or 0)


def separate_engine() -> Engine:
    return create_db_engine(TEST_DATABASE_URL, pool_size=5, max_overflow=50)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """A real uvicorn process serving the app over loopback, on the test database."""

    def __init__(self, *, workers: int = 1, env: dict[str, str] | None = None) -> None:
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        process_env = {**os.environ, "REGISTRATION_DEADLINE": "2099-12-31", **(env or {})}
        self.log = tempfile.NamedTemporaryFile(prefix="uvicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=process_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {Path(self.log.name).read_text()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"uvicorn did not become ready: {Path(self.log.name).read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except Exception:
            self.process.kill()


@pytest.fixture
def live_server(committed_db: Engine) -> Iterator[LiveServer]:
    """The app under uvicorn, one worker, with the call open; the database is emptied after."""
    server = LiveServer()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def committed_client(committed_db: Engine, clock: Clock) -> Iterator[TestClient]:
    """A client whose requests really commit (for tests that mix the app with the CLI)."""
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
