"""drop the planning capacity: the one-workshop planning page and its setting are gone

Before workshops were rows, `/staff/workshop` kept one capacity for "the workshop" in
`portal_setting` (`workshop_capacity`). Each workshop has had its own capacity since 0006,
which took the setting into the first workshop; nothing reads the setting now, so it goes.

The downgrade puts the setting back from the first workshop's capacity (the workshop 0006
made from it, if it made one), so the old page shows a capacity again; with no workshop
there is nothing to put back, and the old page says "not set", as it did before any was set.

Revision ID: 0010_planning_capacity
Revises: 0009_reply_digest
Create Date: 2026-12-07 12:00:00+00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_planning_capacity"
down_revision: str | None = "0009_reply_digest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "workshop_capacity"


def upgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM portal_setting WHERE key = :key"), {"key": KEY})


def downgrade() -> None:
    connection = op.get_bind()
    capacity = connection.scalar(sa.text(
        "SELECT capacity FROM workshop WHERE id = (SELECT min(id) FROM workshop)"))
    if capacity is None:
        return
    now = dt.datetime.now(dt.UTC)
    # As the app stores times: UTC, and without an offset on SQLite (UTCDateTime).
    stored = now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now
    connection.execute(sa.text(
        "INSERT INTO portal_setting (key, value, updated_by, updated_at) "
        "VALUES (:key, :value, 'migration:0008', :now)").bindparams(
        sa.bindparam("now", type_=sa.DateTime(timezone=True))),
        {"key": KEY, "value": str(capacity), "now": stored})
