"""Readiness: the database answers and carries the newest migration."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.core.config import get_settings
from app.core.db import get_engine

ROOT = Path(__file__).resolve().parent.parent.parent


@lru_cache
def expected_heads() -> frozenset[str]:
    """Return the migration heads this code expects, read once from migrations/."""
    # Imported here: Alembic is needed only when readiness is first asked, not at start-up.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migrations_at_head() -> tuple[bool, str]:
    """Return whether the database is reachable and migrated, and why not if it is not."""
    from alembic.runtime.migration import MigrationContext

    try:
        with get_engine().connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return False, f"database unreachable: {type(error).__name__}"
    if current != expected_heads():
        return False, "database migrations are not at head; run `alembic upgrade head`"
    return True, ""


def degraded_dependencies() -> dict[str, str]:
    """Name the dependencies that are away but that the portal carries on without."""
    # Imported here: the command line uses this module's neighbours without FastAPI.
    from app.core.ratelimit import limiter

    if get_settings().rate_limit_storage_url.startswith("memory"):
        return {}
    if limiter().check_store():
        return {}
    return {"rate_limit_store": "unreachable: each process counts its own limits until it returns"}
