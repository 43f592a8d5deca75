"""signed private links: a link nonce on registrations and invitations; no tokens in the outbox

A private link is now signed from the row's id and a random `link_nonce` with SECRET_KEY
(`app/services/private_links.py`), so every mail about a row carries the same link and a
later mail never kills an earlier one. Every registration and invitation that has a link
gets a nonce here; the SHA-256 of the link already mailed stays in `manage_token_hash` /
`invitation.token_hash`, and is accepted until staff make a new link, so links already
sent keep working. The outbox no longer holds tokens: a mail waiting to be sent gets the
signed link when it is rendered. `invitation.sent_at` (when the invitation was last
mailed) starts as `invited_at`.

Downgrading keeps the older links (their hashes were never removed) but the signed links
mailed since stop working: the earlier code cannot check them.

Revision ID: 0008_signed_links
Revises: 0007
Create Date: 2026-12-07 10:00:00+00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_signed_links"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _give_nonces(table: str, where: str) -> None:
    connection = op.get_bind()
    ids = connection.execute(sa.text(f"SELECT id FROM {table} WHERE {where}")).scalars().all()  # noqa: S608 - literal names
    if ids:
        connection.execute(
            sa.text(f"UPDATE {table} SET link_nonce = :nonce WHERE id = :id"),  # noqa: S608
            [{"id": row_id, "nonce": secrets.token_hex(16)} for row_id in ids])


def upgrade() -> None:
    op.add_column("registration", sa.Column("link_nonce", sa.String(length=32), nullable=True))
    op.add_column("invitation", sa.Column("link_nonce", sa.String(length=32), nullable=True))
    op.add_column("invitation", sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    # Erased registrations and cancelled invitations have no link.
    _give_nonces("registration", "organisation_key NOT LIKE 'erased:%'")
    _give_nonces("invitation", "status <> 'cancelled'")
    op.execute("UPDATE invitation SET sent_at = invited_at")
    op.drop_column("outbox_mail", "manage_token")


def downgrade() -> None:
    op.add_column("outbox_mail",
                  sa.Column("manage_token", sa.String(length=64), nullable=True))
    op.drop_column("invitation", "sent_at")
    op.drop_column("invitation", "link_nonce")
    op.drop_column("registration", "link_nonce")
