"""outbox renders when sending: a confirmation's private-link token waits on its row

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Mails queued before this revision carry rendered bodies and are sent as they are.
    with op.batch_alter_table("outbox_mail") as batch:
        batch.add_column(sa.Column("manage_token", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_column("manage_token")
