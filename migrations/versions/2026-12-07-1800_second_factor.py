"""second factor: TOTP secrets, recovery codes, and sessions waiting for their second step

Existing sessions get no `second_factor_at`, so each counts as a password alone: everyone
signs in again, with a second factor, after this migration.

Revision ID: 0013_second_factor
Revises: 0012_duplicate_dismissals
Create Date: 2026-12-07 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_second_factor"
down_revision: str | None = "0012_duplicate_dismissals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain nullable columns, added in place (no batch rebuild of the tables).
    op.add_column("staff_user", sa.Column("totp_secret", sa.String(255), nullable=True))
    op.add_column("staff_user",
                  sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("staff_user", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.add_column("staff_session",
                  sa.Column("second_factor_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "staff_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_user.id"], ondelete="CASCADE",
                                name=op.f("fk_staff_recovery_code_staff_user_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_recovery_code_code_hash")),
    )
    op.create_index(op.f("ix_staff_recovery_code_staff_user_id"), "staff_recovery_code",
                    ["staff_user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_recovery_code_staff_user_id"), table_name="staff_recovery_code")
    op.drop_table("staff_recovery_code")
    op.drop_column("staff_session", "second_factor_at")
    op.drop_column("staff_user", "totp_last_step")
    op.drop_column("staff_user", "totp_confirmed_at")
    op.drop_column("staff_user", "totp_secret")
