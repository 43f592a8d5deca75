"""The personal check-in link each accepted representative receives, and its QR code.

The link carries a code signed with the portal's SECRET_KEY that names the workshop and the
representative, so it cannot be guessed or altered, and the check-in page needs no lookup
table. Signed-in staff opening it get the person, ready to confirm; a representative
opening their own link gets a page that says to show this code at the desk, and only staff
confirming on their page check anyone in. The code does not expire; removing the
representative is what stops it working.
"""

from __future__ import annotations

import base64
import io
from typing import Literal

import segno
from itsdangerous import BadSignature, URLSafeSerializer

from app.core.config import get_settings
from app.core.i18n import N_

# Separates these codes from anything else signed with the same key.
SALT = "workshop-check-in"

CheckInCodeProblem = Literal["invalid", "other_workshop"]
# What the check-in page says, translated there with gettext.
PROBLEM_MESSAGES: dict[CheckInCodeProblem, str] = {
    "invalid": N_("This check-in link is not valid: it is incomplete or has been altered."),
    "other_workshop": N_("This check-in link is for another workshop."),
}


class CheckInCodeError(ValueError):
    """A check-in code that is forged, garbled, or for another workshop."""

    def __init__(self, problem: CheckInCodeProblem) -> None:
        self.problem = problem
        super().__init__(PROBLEM_MESSAGES[problem])


def _serializer(secret_key: str | None) -> URLSafeSerializer:
    key = secret_key if secret_key is not None else get_settings().secret_key
    return URLSafeSerializer(key, salt=SALT)


def check_in_code(
    *, workshop_id: int, representative_id: int, secret_key: str | None = None
) -> str:
    """Return the signed code that names this representative at this workshop."""
    return str(_serializer(secret_key).dumps([workshop_id, representative_id]))


def read_check_in_code(code: str, *, workshop_id: int, secret_key: str | None = None) -> int:
    """Return the representative a check-in code names, if it is genuine and for this workshop."""
    try:
        payload = _serializer(secret_key).loads(code)
    except BadSignature:
        raise CheckInCodeError("invalid") from None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and all(type(part) is int for part in payload)
    ):
        raise CheckInCodeError("invalid")
    code_workshop_id, representative_id = payload
    if code_workshop_id != workshop_id:
        raise CheckInCodeError("other_workshop")
    return int(representative_id)


def check_in_url(
    *, workshop_id: int, representative_id: int, base_url: str | None = None
) -> str:
    """Return the staff check-in link for this representative, as it goes in their mail."""
    base = (base_url if base_url is not None else get_settings().public_base_url).rstrip("/")
    code = check_in_code(workshop_id=workshop_id, representative_id=representative_id)
    return f"{base}/staff/workshops/{workshop_id}/check-in/{code}"


def qr_png(url: str) -> bytes:
    """Return the link as a QR code PNG, big enough for a phone camera from a printed page."""
    buffer = io.BytesIO()
    # Medium error correction survives a crease or a smudge; 4 modules of quiet zone is the
    # standard's minimum, which camera apps need to find the code.
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def qr_data_uri(url: str) -> str:
    """Return the link's QR code as a data: URI for an <img> on a page."""
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")
