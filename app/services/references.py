"""References people can read over the phone."""

from __future__ import annotations

import secrets

# No I, O, 0 or 1, which are mistaken for each other when read aloud or copied by hand.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    """Return a random reference: 8 characters, 40 bits, too many to guess to look anyone up."""
    # 32 symbols carry 5 bits each, so 40 random bits make exactly 8 of them, uniformly.
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    return "".join(REFERENCE_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))


def normalise_reference(text: str) -> str:
    """Read a reference as people type it: any case, with spaces or hyphens."""
    return text.strip().upper().replace("-", "").replace(" ", "")
