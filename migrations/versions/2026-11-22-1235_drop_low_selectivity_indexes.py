"""drop the indexes on category, state, pillar and focus area

Each has a handful of distinct values, so it narrows a search little (the staff list
pages by submission time, and a pillar or focus-area filter is answered by the primary
key), while every registration paid for it with one more B-tree write.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:25:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_registration_category", "registration", "category"),
    ("ix_registration_state", "registration", "state"),
    ("ix_registration_pillar_pillar", "registration_pillar", "pillar"),
    ("ix_registration_focus_area_focus_area", "registration_focus_area", "focus_area"),
)


def upgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
