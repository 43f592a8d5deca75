"""The brake on failed staff sign-ins, counted in RATE_LIMIT_STORAGE_URL."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse_many

from app.core.ratelimit import limiter
from app.services.staff_auth import email_key, token_hash

# Failed sign-ins are counted per email (known or not, so the brake itself does not tell
# which emails have accounts) from each client address, and per client address. Counted per
# email alone, anyone who knows a staff email could lock its owner out with five guesses;
# per email and address, a stranger's failures slow only the stranger. The ceiling per
# email across all addresses is much higher: it stops guessing spread over many addresses
# (a botnet), at the price of locking the owner out too while it lasts, and is logged.
FAILED_LOGIN_LIMITS_PER_CLIENT = "20/15 minutes;60/day"
FAILED_LOGIN_LIMITS_PER_EMAIL_AND_CLIENT = "5/15 minutes;20/day"
FAILED_LOGIN_LIMITS_PER_EMAIL = "50/hour;200/day"

log = logging.getLogger("app.login_brake")


@dataclass(frozen=True)
class _LoginBrake:
    """One count of failed sign-ins: its limits, and whom it counts."""

    scope: str
    limits: str
    per_client: bool
    per_email: bool


_BRAKES = (
    _LoginBrake("staff-login-email-client", FAILED_LOGIN_LIMITS_PER_EMAIL_AND_CLIENT,
                per_client=True, per_email=True),
    _LoginBrake("staff-login-client", FAILED_LOGIN_LIMITS_PER_CLIENT,
                per_client=True, per_email=False),
    _LoginBrake("staff-login-email", FAILED_LOGIN_LIMITS_PER_EMAIL,
                per_client=False, per_email=True),
)


@lru_cache
def _failed_login_limits(limits: str) -> list[RateLimitItem]:
    return parse_many(limits)


def _login_keys(client: str, email: str) -> list[tuple[_LoginBrake, RateLimitItem, list[str]]]:
    hashed_email = token_hash(email_key(email))
    keys: list[tuple[_LoginBrake, RateLimitItem, list[str]]] = []
    for brake in _BRAKES:
        who = [hashed_email] if brake.per_email else []
        who += [client] if brake.per_client else []
        keys += [(brake, item, who) for item in _failed_login_limits(brake.limits)]
    return keys


def login_retry_after(*, client: str, email: str) -> int | None:
    """Return the seconds to wait if sign-ins failed too often here or for this email, else None."""
    for brake, item, who in _login_keys(client, email):
        if not limiter().test(item, brake.scope, *who):
            reset_at, _remaining = limiter().get_window_stats(item, brake.scope, *who)
            return max(1, math.ceil(float(reset_at) - time.time()))
    return None


def record_failed_login(*, client: str, email: str) -> None:
    """Count one failed sign-in; log when the ceiling for an email across addresses is reached."""
    for brake, item, who in _login_keys(client, email):
        limiter().hit(item, brake.scope, *who)
        # Locked requests are not counted, so this is true once per window.
        if not brake.per_client and not limiter().test(item, brake.scope, *who):
            log.warning(
                "staff sign-in locked for one email from every address: %s failed sign-ins "
                "(limit %s) for email key %s (the SHA-256 of the email, casefolded)",
                item.amount, item, who[0][:12],
                extra={"event": "staff_login_ceiling", "email_key": who[0][:12],
                       "limit": str(item)})
