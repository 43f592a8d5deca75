"""reply digest: each workshop reply noted for the secretariat's digest, and the digests

`reply_notice` holds each reply (and each offer that ran out) as it was, until a digest
claims it; `reply_digest` holds the digests, each naming the one before it, uniquely, so
two workers cannot both make one.

Revision ID: 0009_reply_digest
Revises: 0008_signed_links
Create Date: 2026-12-07 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_reply_digest"
down_revision: str | None = "0008_signed_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = "'accepted', 'offer_taken', 'waiting', 'declined', 'offer_expired'"
CHANNELS = "'', 'link', 'phone', 'letter', 'email'"


def upgrade() -> None:
    op.create_table(
        "reply_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follows_id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["mail_id"], ["outbox_mail.id"], ondelete="SET NULL",
                                name=op.f("fk_reply_digest_mail_id_outbox_mail")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_digest")),
        sa.UniqueConstraint("follows_id", name=op.f("uq_reply_digest_follows_id")),
        sa.UniqueConstraint("mail_id", name=op.f("uq_reply_digest_mail_id")),
    )
    op.create_table(
        "reply_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_reply_notice_outcome_known")),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name=op.f("ck_reply_notice_channel_known")),
        sa.ForeignKeyConstraint(["digest_id"], ["reply_digest.id"], ondelete="CASCADE",
                                name=op.f("fk_reply_notice_digest_id_reply_digest")),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"], ondelete="CASCADE",
                                name=op.f("fk_reply_notice_invitation_id_invitation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_notice")),
    )
    op.create_index(op.f("ix_reply_notice_digest_id"), "reply_notice", ["digest_id"])
    op.create_index(op.f("ix_reply_notice_invitation_id"), "reply_notice", ["invitation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reply_notice_invitation_id"), table_name="reply_notice")
    op.drop_index(op.f("ix_reply_notice_digest_id"), table_name="reply_notice")
    op.drop_table("reply_notice")
    op.drop_table("reply_digest")
