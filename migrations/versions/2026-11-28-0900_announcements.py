"""announcements: the secretariat writes to registrants; undeliverable contact emails

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_ms", sa.String(length=200), nullable=False),
        sa.Column("body_ms", sa.Text(), nullable=False),
        sa.Column("subject_en", sa.String(length=200), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("recipients_ms", sa.Integer(), nullable=False),
        sa.Column("recipients_en", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=320), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("message_id_prefix", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "recipients = recipients_ms + recipients_en",
            name=op.f("ck_announcement_counts_add_up"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["staff_user.id"],
            name=op.f("fk_announcement_created_by_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_announcement_idempotency_key")),
        sa.UniqueConstraint("message_id_prefix", name=op.f("uq_announcement_message_id_prefix")),
    )
    with op.batch_alter_table("announcement") as batch:
        batch.create_index(batch.f("ix_announcement_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("outbox_mail") as batch:
        batch.add_column(sa.Column("announcement_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_outbox_mail_announcement_id_announcement"),
            "announcement",
            ["announcement_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(
            "uq_outbox_mail_announcement_registration",
            ["announcement_id", "registration_id"],
            unique=True,
        )

    with op.batch_alter_table("registration") as batch:
        batch.add_column(
            sa.Column("contact_undeliverable_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # Not a batch operation: on SQLite that rebuilds `registration`, and dropping the old
    # table runs the ON DELETE CASCADE of its pillars, focus areas and events. SQLite
    # (3.35 and later) and PostgreSQL both drop a plain column in place.
    op.execute("ALTER TABLE registration DROP COLUMN contact_undeliverable_at")
    # The earlier version cannot render announcement mail: what waits is dropped, what was
    # sent stays (its subject and bodies are on the row).
    op.execute(
        "DELETE FROM outbox_mail WHERE announcement_id IS NOT NULL AND status <> 'sent'"
    )
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_index("uq_outbox_mail_announcement_registration")
        batch.drop_constraint(
            batch.f("fk_outbox_mail_announcement_id_announcement"), type_="foreignkey"
        )
        batch.drop_column("announcement_id")
    with op.batch_alter_table("announcement") as batch:
        batch.drop_index(batch.f("ix_announcement_created_at"))
    op.drop_table("announcement")
