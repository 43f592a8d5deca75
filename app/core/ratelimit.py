"""Per-client rate limits, counted in RATE_LIMIT_STORAGE_URL so every instance shares them."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from functools import lru_cache

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from limits import RateLimitItem, parse_many

from app.core.config import get_settings
from app.core.failopen import FailOpenLimiter

_creating = threading.Lock()


@lru_cache
def limiter() -> FailOpenLimiter:
    """Return the limiter on the configured storage (memory, or Redis in production).

    A fixed window is one counter per client and window, in memory and in Redis alike; a
    moving window keeps a timestamp per hit, which costs more the higher the limit. While
    a shared store is unreachable, this process counts alone (see FailOpenLimiter).
    """
    # Made once, under a lock: the first request and /readyz may ask at the same moment,
    # and `limits` imports its Redis client lazily, which two threads at once get wrong.
    with _creating:
        return _the_limiter()


@lru_cache
def _the_limiter() -> FailOpenLimiter:
    return FailOpenLimiter(get_settings().rate_limit_storage_url)


@lru_cache
def submission_limits() -> list[RateLimitItem]:
    return parse_many(get_settings().submission_rate_limit)


def client_address(request: Request) -> str:
    """Return the client's address; uvicorn trusts proxy headers only from trusted proxies."""
    return request.client.host if request.client else "unknown"


def enforce(request: Request, scope: str, limits: list[RateLimitItem]) -> None:
    """Count one hit for this client, refusing with 429 and Retry-After once over the limit."""
    enforce_for(client_address(request), scope, limits)


def enforce_for(who: str, scope: str, limits: list[RateLimitItem]) -> None:
    """Count one hit for `who` in `scope`, refusing with 429 and Retry-After once over."""
    for item in limits:
        if not limiter().hit(item, scope, who):
            reset_at, _remaining = limiter().get_window_stats(item, scope, who)
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="Too many submissions from this address. Try again later.",
                headers={"Retry-After": str(retry_after)},
            )


def check_submission_rate(request: Request) -> None:
    """Apply SUBMISSION_RATE_LIMIT to one submission."""
    enforce(request, "submission", submission_limits())


def check_link_rate(request: Request, address_key: str) -> None:
    """Apply SUBMISSION_RATE_LIMIT to "Send me my link", per client and per address asked.

    The address is counted by its hash, so the limiter's store holds no address.
    """
    enforce(request, "link", submission_limits())
    enforce_for(hashlib.sha256(address_key.encode()).hexdigest(), "link-address",
                submission_limits())


@lru_cache
def _counts_in_memory() -> bool:
    return get_settings().rate_limit_storage_url.startswith("memory")


async def limit_submissions(request: Request) -> None:
    """Apply SUBMISSION_RATE_LIMIT as a dependency, on the event loop when counted in memory.

    Counting in memory takes microseconds and would cost more in a thread hand-off; a
    shared store (Redis) is a network round trip, which must not hold up the event loop.
    """
    if _counts_in_memory():
        check_submission_rate(request)
    else:
        await run_in_threadpool(check_submission_rate, request)
