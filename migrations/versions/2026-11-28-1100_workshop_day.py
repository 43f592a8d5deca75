"""workshop day: working groups, and check-in on each representative

Each workshop gets working groups (none at first; staff create the defaults, one per
pillar). A representative gains their group, when and by whom they were checked in, and
whether they came as a walk-in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PILLARS = "'prevention', 'protection', 'prosecution_enforcement', 'partnership'"


def upgrade() -> None:
    op.create_table(
        "working_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("name_ms", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("pillar", sa.String(length=32), nullable=True),
        sa.Column("seat_limit", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("seat_limit IS NULL OR seat_limit >= 1",
                           name=op.f("ck_working_group_seat_limit_positive")),
        sa.CheckConstraint(f"pillar IS NULL OR pillar IN ({PILLARS})",
                           name=op.f("ck_working_group_pillar_known")),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE",
                                name=op.f("fk_working_group_workshop_id_workshop")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group")),
    )
    op.create_index(op.f("ix_working_group_workshop_id"), "working_group", ["workshop_id"])
    # Nothing points at `representative`, so SQLite's rebuild of it loses nothing.
    with op.batch_alter_table("representative") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("checked_in_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("walk_in", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_foreign_key(op.f("fk_representative_group_id_working_group"),
                                 "working_group", ["group_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_representative_checked_in_by_staff_user"),
                                 "staff_user", ["checked_in_by"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_representative_group_id"), ["group_id"])


def downgrade() -> None:
    with op.batch_alter_table("representative") as batch:
        batch.drop_index(op.f("ix_representative_group_id"))
        batch.drop_constraint(op.f("fk_representative_checked_in_by_staff_user"),
                              type_="foreignkey")
        batch.drop_constraint(op.f("fk_representative_group_id_working_group"),
                              type_="foreignkey")
        batch.drop_column("walk_in")
        batch.drop_column("checked_in_by")
        batch.drop_column("checked_in_at")
        batch.drop_column("group_id")
    op.drop_index(op.f("ix_working_group_workshop_id"), table_name="working_group")
    op.drop_table("working_group")
