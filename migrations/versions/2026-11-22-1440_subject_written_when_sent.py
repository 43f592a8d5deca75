"""subject written when sent: a queued mail's subject is rendered by the worker, like its bodies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Mails queued before this revision keep the subject they were queued with.
    with op.batch_alter_table("outbox_mail") as batch:
        batch.alter_column("subject", existing_type=sa.String(length=300), nullable=True)


def downgrade() -> None:
    # The earlier version needs a subject on every row: a waiting mail gets its kind's
    # generic one (it is still sent, with this plainer subject).
    op.execute(
        "UPDATE outbox_mail SET subject = 'Alliance 8.7 Malaysia' WHERE subject IS NULL"
    )
    with op.batch_alter_table("outbox_mail") as batch:
        batch.alter_column("subject", existing_type=sa.String(length=300), nullable=False)
