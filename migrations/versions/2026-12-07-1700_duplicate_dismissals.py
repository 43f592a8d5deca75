"""duplicate dismissals: pairs of registrations staff said are not the same organisation

Revision ID: 0012_duplicate_dismissals
Revises: 0011_roadmap
Create Date: 2026-12-07 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_duplicate_dismissals"
down_revision: str | None = "0011_roadmap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_dismissal",
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_duplicate_dismissal_ordered")),
        sa.ForeignKeyConstraint(["first_id"], ["registration.id"], ondelete="CASCADE",
                                name=op.f("fk_duplicate_dismissal_first_id_registration")),
        sa.ForeignKeyConstraint(["second_id"], ["registration.id"], ondelete="CASCADE",
                                name=op.f("fk_duplicate_dismissal_second_id_registration")),
        sa.ForeignKeyConstraint(["dismissed_by"], ["staff_user.id"], ondelete="SET NULL",
                                name=op.f("fk_duplicate_dismissal_dismissed_by_staff_user")),
        sa.PrimaryKeyConstraint("first_id", "second_id", name=op.f("pk_duplicate_dismissal")),
    )
    op.create_index(op.f("ix_duplicate_dismissal_second_id"), "duplicate_dismissal",
                    ["second_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_duplicate_dismissal_second_id"), table_name="duplicate_dismissal")
    op.drop_table("duplicate_dismissal")
