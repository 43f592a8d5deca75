"""Cross-site request forgery defences for HTML forms: signed form tokens and origin checks."""

from __future__ import annotations

import itertools
import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from fastapi import Request
from itsdangerous import BadSignature, TimestampSigner

from app.core.config import get_settings

# People take their time over a form; a day is long enough and still bounds a replay.
FORM_TOKEN_MAX_AGE_SECONDS = 24 * 3600

# A form token's value needs to be unique, not secret: the signature is what cannot be
# forged. A random prefix per process and a counter make it unique without asking the
# kernel for randomness on every page view (slow on some virtual machines).
_PROCESS_PREFIX = secrets.token_urlsafe(6)
_form_numbers = itertools.count()


@lru_cache(maxsize=8)
def _signer(purpose: str) -> TimestampSigner:
    return TimestampSigner(get_settings().secret_key, salt=f"form-token:{purpose}")


def new_form_token(purpose: str) -> str:
    """Return a signed token, unique to this page view, to put in a form for `purpose`."""
    return _signer(purpose).sign(f"{_PROCESS_PREFIX}{next(_form_numbers):x}").decode()


def form_token_is_valid(token: str, purpose: str) -> bool:
    """Say whether `token` was issued by this portal for `purpose` within the last day."""
    try:
        _signer(purpose).unsign(token, max_age=FORM_TOKEN_MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return True


def is_same_origin(request: Request) -> bool:
    """Say whether the browser reports that the request came from this site.

    Browsers send `Sec-Fetch-Site` and `Origin` on form posts; a request from another
    site is refused. Clients that send neither (scripts, old browsers) still need a
    valid form token.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin == "null":
        # Privacy tools, and browsers under `Referrer-Policy: no-referrer`, send `null`.
        # With no `Sec-Fetch-Site` to vouch either way (Safari before 16.4), the signed
        # form token is the defence; a browser that says cross-site was refused above.
        return fetch_site in (None, "same-origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host
