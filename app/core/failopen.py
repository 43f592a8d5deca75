"""Rate limits that fail open: while the shared store is away, each process counts alone.

Refusing every registration because the counters cannot be reached would turn the whole
call away for a Redis blip; counting in this process keeps a limit (per process instead of
shared) until the store answers again, as Envoy's rate-limit filter and slowapi do.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from limits.util import WindowStats

log = logging.getLogger("app.ratelimit")
T = TypeVar("T")

# While the store is away, it is asked again at most this often (by a request or /readyz).
PROBE_INTERVAL_SECONDS = 1.0
# A store that does not answer within this is treated as away, so no request waits longer.
STORE_TIMEOUT_SECONDS = 0.5


def _shared_storage(url: str) -> Storage:
    options: dict[str, Any] = {"wrap_exceptions": True}
    if url.startswith(("redis://", "rediss://", "redis+unix://")):
        options |= {"socket_connect_timeout": STORE_TIMEOUT_SECONDS,
                    "socket_timeout": STORE_TIMEOUT_SECONDS}
    storage = storage_from_string(url, **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"RATE_LIMIT_STORAGE_URL names an asynchronous store: {url}")
    return storage


class FailOpenLimiter:
    """A fixed-window limiter on a shared store, counting in memory while the store is away."""

    def __init__(self, url: str) -> None:
        self.storage = _shared_storage(url)
        self._shared = FixedWindowRateLimiter(self.storage)
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()
        self._away = False
        self._next_probe = 0.0

    @property
    def degraded(self) -> bool:
        """Say whether this process is counting alone because the shared store is away."""
        return self._away

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count a hit; return False if it is over the limit."""
        return self._call(lambda limiter: limiter.hit(item, *identifiers, cost=cost))

    def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Return whether a hit would still be within the limit, counting nothing."""
        return self._call(lambda limiter: limiter.test(item, *identifiers, cost=cost))

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """Return when the current window resets and how many hits remain in it."""
        return self._call(lambda limiter: limiter.get_window_stats(item, *identifiers))

    def check_store(self) -> bool:
        """Ask the shared store whether it answers, and note if it went away or came back."""
        reachable = self.storage.check()
        self._note(reachable, None if reachable else "it did not answer a ping")
        return reachable

    def _call(self, use: Callable[[FixedWindowRateLimiter], T]) -> T:
        if self._away and not (time.monotonic() >= self._next_probe and self.check_store()):
            return use(self._local)
        try:
            return use(self._shared)
        except StorageError as error:
            self._note(False, f"{type(error.storage_error).__name__}: {error}")
            return use(self._local)

    def _note(self, reachable: bool, why: str | None) -> None:
        with self._lock:
            if not reachable:
                self._next_probe = time.monotonic() + PROBE_INTERVAL_SECONDS
            if reachable == (not self._away):
                return
            self._away = not reachable
        if reachable:
            log.warning("rate-limit store reachable again: shared limits apply")
        else:
            log.warning("rate-limit store unreachable (%s): each process counts its own "
                        "limits until it returns", why)
