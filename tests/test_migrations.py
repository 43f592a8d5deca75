"""Migrations on both databases: empty to head, down to base, back up, and no drift."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_alembic import Config as PytestAlembicConfig
from pytest_alembic.tests import (  # noqa: F401 - collected as tests
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app.core.db import create_db_engine
from tests.conftest import _TMP, IS_POSTGRES, ROOT, TEST_DATABASE_URL


@pytest.fixture
def alembic_config() -> PytestAlembicConfig:
    return PytestAlembicConfig(config_options={"file": str(ROOT / "alembic.ini"),
                                               "script_location": str(ROOT / "migrations")})


@pytest.fixture
def alembic_engine() -> Iterator[Engine]:
    """A database of its own, so walking the migrations never touches the suite's data."""
    if not IS_POSTGRES:
        path = _TMP / "migrations.sqlite3"
        path.unlink(missing_ok=True)
        engine = create_db_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0)
        yield engine
        engine.dispose()
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_db_engine(url.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()
