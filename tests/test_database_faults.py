"""The database away or unable to write: every route answers 503 with Retry-After, never 500.

The faults are real: an engine whose server refuses connections (a closed port, or an
SQLite file in a directory that does not exist), and on SQLite a connection that may
only read, so every write fails as on a read-only file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from app.core.db import create_db_engine, get_session
from app.deps import request_time
from app.main import app
from app.routers.staff_deps import SESSION_COOKIE
from app.services.registration.writer import RegistrationWriter, get_registration_writer
from tests.conftest import _TMP, IS_POSTGRES, TEST_DATABASE_URL, Clock, count_rows, free_port
from tests.factories import form_fields, registration_payload

FAULTS = ["unreachable"] if IS_POSTGRES else ["unreachable", "read-only"]


def _faulty_engine(fault: str) -> Engine:
    if fault == "unreachable" and IS_POSTGRES:
        return create_db_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    if fault == "unreachable":
        return create_db_engine(f"sqlite:///{_TMP / 'no-such-directory' / 'gone.sqlite3'}")
    engine = create_db_engine(TEST_DATABASE_URL)

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    return engine


@pytest.fixture(params=FAULTS)
def faulty_client(request: pytest.FixtureRequest, engine: Engine) -> Iterator[TestClient]:
    """A client whose requests reach only a database that refuses them (to write, at least)."""
    yield from _client_on(request.param)


@pytest.fixture
def unreachable_client(engine: Engine) -> Iterator[TestClient]:
    """A client whose requests reach only a database that refuses connections."""
    yield from _client_on("unreachable")


def _client_on(fault: str) -> Iterator[TestClient]:
    faulty = _faulty_engine(fault)

    def faulty_session() -> Iterator[Session]:
        with Session(faulty, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    writer = RegistrationWriter(lambda: Session(faulty, expire_on_commit=False))

    async def faulty_writer() -> RegistrationWriter:
        return writer

    app.dependency_overrides[get_session] = faulty_session
    app.dependency_overrides[get_registration_writer] = faulty_writer
    app.dependency_overrides[request_time] = Clock()
    try:
        with TestClient(app, base_url="http://testserver", raise_server_exceptions=True) as client:
            yield client
    finally:
        for dependency in (get_session, get_registration_writer, request_time):
            app.dependency_overrides.pop(dependency, None)
        faulty.dispose()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "app"]


def test_an_api_submission_is_answered_503_with_retry_after_and_one_warning(
    faulty_client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    response = faulty_client.post(
        "/api/v1/registrations", json=registration_payload(), headers={"Idempotency-Key": "k1"}
    )

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "Nothing was stored; try again" in response.json()["detail"]
    [warning] = _warnings(caplog)
    assert "database unavailable" in warning.getMessage()
    assert warning.exc_info is None
    assert count_rows(engine, "registration") == 0


def test_the_form_says_so_in_malay_and_keeps_what_was_typed(faulty_client: TestClient) -> None:
    fields = form_fields(organisation_name="Persatuan Nelayan Kuala Kedah")

    response = faulty_client.post("/?lang=ms", data=fields)

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "pendaftaran anda tidak disimpan" in response.text
    assert 'value="Persatuan Nelayan Kuala Kedah"' in response.text
    assert fields["contact_email"] in response.text
    # Sent again, it is the same submission: a double click or a retry is stored once.
    assert f'value="{fields["form_token"]}"' in response.text


def test_the_form_says_so_in_english(faulty_client: TestClient) -> None:
    response = faulty_client.post("/?lang=en", data=form_fields())

    assert response.status_code == 503
    assert "your registration was not stored" in response.text


@pytest.mark.parametrize(
    ("path", "kwargs", "shows"),
    [
        ("/staff/registrations?lang=en", {"cookies": {SESSION_COOKIE: "x" * 40}},
         "Nothing was stored; try again"),
        ("/staff/registrations?lang=ms", {"cookies": {SESSION_COOKIE: "x" * 40}},
         "Tiada apa-apa yang disimpan"),
        ("/api/v1/registrations", {"headers": {"Authorization": "Bearer " + "x" * 40}},
         "Nothing was stored; try again"),
        ("/api/v1/call", {}, "Nothing was stored; try again"),
    ],
)
def test_staff_pages_and_apis_answer_503(
    unreachable_client: TestClient, path: str, kwargs: dict[str, Any], shows: str
) -> None:
    for name, value in kwargs.get("cookies", {}).items():
        unreachable_client.cookies.set(name, value)

    response = unreachable_client.get(path, follow_redirects=False, headers=kwargs.get("headers"))

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert shows in response.text


def test_readyz_answers_503_while_the_database_is_away(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import health

    unreachable = _faulty_engine("unreachable")
    monkeypatch.setattr(health, "get_engine", lambda: unreachable)
    with TestClient(app) as client:
        away = client.get("/readyz")
    monkeypatch.undo()
    with TestClient(app) as client:
        back = client.get("/readyz")

    assert away.status_code == 503
    assert "database unreachable" in away.json()["reason"]
    assert back.status_code == 200
