"""Cross-site request forgery defences for HTML forms: signed form tokens and origin checks."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.config import get_settings

# People take their time over a form; a day is long enough and still bounds a replay.
FORM_TOKEN_MAX_AGE_SECONDS = 24 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=f"form-token:{purpose}")


def new_form_token(purpose: str) -> str:
    """Return a signed, random token to put in a form for `purpose`."""
    return _serializer(purpose).dumps(secrets.token_urlsafe(16))


def form_token_is_valid(token: str, purpose: str) -> bool:
    """Say whether `token` was issued by this portal for `purpose` within the last day."""
    try:
        _serializer(purpose).loads(token, max_age=FORM_TOKEN_MAX_AGE_SECONDS)
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
