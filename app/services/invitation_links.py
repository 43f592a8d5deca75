"""An invitation's private link: signed and derived from the row (see `private_links`).

Every mail about the invitation carries the same link, so a later mail (a reminder, an
offer, "Send again") never kills the link in an earlier one. The link dies only on
purpose: the invitation is cancelled (its nonce is cleared) or staff make a new link
(a new nonce). A link mailed before signed links is kept as a hash in `token_hash` and
works until then too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import Invitation
from app.services.private_links import (
    hash_manage_token,
    new_link_nonce,
    plausible_token,
    signed_row_id,
    signed_token,
    token_matches,
)

PURPOSE = "invitation"


def invitation_url(token: str) -> str:
    """Return the private link to an invitation's reply page."""
    return f"{get_settings().public_base_url.rstrip('/')}/invitation/{token}"


def invitation_token(invitation: Invitation) -> str | None:
    """Return the invitation's private-link token, or None while it has no link (cancelled)."""
    if invitation.link_nonce is None or invitation.status == "cancelled":
        return None
    return signed_token(PURPOSE, invitation.id, invitation.link_nonce)


def ensure_link(invitation: Invitation) -> None:
    """Give an invitation without a link (new, or cancelled and invited again) its link."""
    if invitation.link_nonce is None:
        invitation.link_nonce = new_link_nonce()


def make_new_link(invitation: Invitation) -> None:
    """Give the invitation a new link; every link mailed before stops working."""
    invitation.link_nonce = new_link_nonce()
    invitation.token_hash = None


def kill_links(invitation: Invitation) -> None:
    """Make every link mailed for the invitation stop working (it is cancelled)."""
    invitation.link_nonce = None
    invitation.token_hash = None


def find_by_token(*, session: Session, token: str) -> Invitation | None:
    """Return the invitation a private link belongs to, or None."""
    if not plausible_token(token):
        return None
    row_id = signed_row_id(token)
    if row_id is None:
        return session.scalar(
            select(Invitation).where(Invitation.token_hash == hash_manage_token(token)))
    invitation = session.get(Invitation, row_id)
    if invitation is None or invitation.status == "cancelled" or not token_matches(
            PURPOSE, row_id, invitation.link_nonce, token):
        return None
    return invitation
