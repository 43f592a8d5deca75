"""The one place the portal asks for the time, so tests can move the clock."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Return the current instant as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)
