"""An invitation's private link: a token mailed once and kept only as its SHA-256."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import Invitation
from app.services.private_links import hash_manage_token, new_manage_token


def invitation_url(token: str) -> str:
    """Return the private link to an invitation's reply page."""
    return f"{get_settings().public_base_url.rstrip('/')}/invitation/{token}"


def issue_token(invitation: Invitation) -> str:
    """Give the invitation a new private-link token and return it; the old link stops working."""
    token = new_manage_token()
    invitation.token_hash = hash_manage_token(token)
    return token


def find_by_token(*, session: Session, token: str) -> Invitation | None:
    """Return the invitation a private link belongs to, or None."""
    if not 20 <= len(token) <= 100:
        return None
    return session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_manage_token(token)))
