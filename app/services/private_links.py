"""Private links: a token derived from the row and signed, so that every mail carries the same link.

Why this mechanism (see docs/staff.md, "Private links"): a link the portal has mailed keeps
working for as long as what it opens exists, and sending another mail must never kill it.
The token is therefore derived from the row rather than stored: `{row id}.{HMAC-SHA256}`
over the link's purpose, the row's id and the row's `link_nonce`, keyed with SECRET_KEY.
Every mail about the row carries the same link, worked out when the mail is sent, so the
outbox never holds a token either. Making a new link (staff's "Make a new link", a
cancelled invitation, an erased registration) replaces or clears the nonce, which kills
every older link at once.

The nonce is random, not a counter, so neither half is enough alone: the database (a
backup, say) holds no usable link without SECRET_KEY, and a leaked SECRET_KEY forges no
link without the database. Rotating SECRET_KEY kills every link (docs/operations.md).

Links mailed before this scheme are random tokens whose SHA-256 is on the row
(`manage_token_hash`, `invitation.token_hash`); they keep working until a new link is made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import Registration
from app.models.base import new_link_nonce as new_link_nonce

# A signed token: the row's id, a dot, and the HMAC in unpadded base64url (43 characters).
# The older random tokens (43 characters of base64url) never hold a dot.
_SIGNED = re.compile(r"([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{43})")
_LARGEST_ID = 2**31 - 1


def signed_token(purpose: str, row_id: int, nonce: str) -> str:
    """Return the private-link token of a row: its id and an HMAC under SECRET_KEY."""
    key = get_settings().secret_key.encode()
    message = f"private-link:{purpose}:{row_id}:{nonce}".encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()
    return f"{row_id}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def signed_row_id(token: str) -> int | None:
    """Return the row id a signed token names (not yet checked), or None if it is not one."""
    found = _SIGNED.fullmatch(token)
    if found is None or int(found.group(1)) > _LARGEST_ID:
        return None
    return int(found.group(1))


def token_matches(purpose: str, row_id: int, nonce: str | None, token: str) -> bool:
    """Say whether `token` is the row's current link (a row without a nonce has none)."""
    if nonce is None:
        return False
    return hmac.compare_digest(signed_token(purpose, row_id, nonce), token)


def plausible_token(token: str) -> bool:
    """Say whether a token is worth looking up at all."""
    return 20 <= len(token) <= 100


def hash_manage_token(token: str) -> str:
    """Return the SHA-256 of a token mailed before signed links, as stored on its row."""
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token(registration: Registration) -> str | None:
    """Return the registration's private-link token, or None if it has no link (erased)."""
    if registration.link_nonce is None:
        return None
    return signed_token("manage", registration.id, registration.link_nonce)


def make_new_manage_link(*, registration: Registration) -> None:
    """Give the registration a new private link; every link mailed before stops working."""
    registration.link_nonce = new_link_nonce()
    registration.manage_token_hash = None


def manage_url(token: str) -> str:
    """Return the private link for `token`."""
    return f"{get_settings().public_base_url.rstrip('/')}/manage/{token}"


def find_by_token(*, session: Session, token: str) -> Registration | None:
    """Return the registration a private-link token belongs to, or None."""
    if not plausible_token(token):
        return None
    row_id = signed_row_id(token)
    if row_id is not None:
        registration = session.get(Registration, row_id)
        if registration is not None and token_matches("manage", row_id,
                                                      registration.link_nonce, token):
            return registration
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
