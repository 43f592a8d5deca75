"""Private-link tokens: made when a registration is stored, mailed once, kept only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import Registration

# 32 random bytes: a link that cannot be guessed, and short enough to survive mail clients.
TOKEN_BYTES = 32


def hash_manage_token(token: str) -> str:
    """Return the SHA-256 of a private-link token, as stored in `manage_token_hash`."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_manage_token() -> str:
    """Return a new private-link token; store only `hash_manage_token(token)`."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def issue_manage_token(*, registration: Registration) -> str:
    """Give the registration a new private-link token and return it; only its hash is kept.

    A new token replaces the old one, so a link sent earlier stops working.
    """
    token = new_manage_token()
    registration.manage_token_hash = hash_manage_token(token)
    return token


def manage_url(token: str) -> str:
    """Return the private link for `token`."""
    return f"{get_settings().public_base_url.rstrip('/')}/manage/{token}"


def find_by_token(*, session: Session, token: str) -> Registration | None:
    """Return the registration a private-link token belongs to, or None."""
    if not 20 <= len(token) <= 100:
        return None
    return session.scalar(
        select(Registration).where(Registration.manage_token_hash == hash_manage_token(token))
    )


def form_guard(token: str) -> str:
    """Return the value a manage form must send back, bound to its private-link token."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"manage-form:" + token.encode(), hashlib.sha256).hexdigest()


def form_guard_is_valid(token: str, submitted: str) -> bool:
    """Say whether a manage form came from a page this portal served for `token`."""
    return hmac.compare_digest(form_guard(token), submitted)
