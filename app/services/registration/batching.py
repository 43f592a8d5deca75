"""Group commit: calls that arrive together are handled together, in one worker thread.

Each event loop has at most one batch in flight. Calls that arrive while it is being
handled wait and are handled together in the next one, so under load each batch pays
the fixed costs (a thread hand-off, a lock, a commit) once for many calls, and with no
load a call is handled at once, alone.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio.to_thread

# Turns of the event loop with no new call before a batch is closed.
_QUIET_TURNS = 4
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(slots=True)
class _Queue(Generic[Item, Result]):
    waiting: list[tuple[Item, asyncio.Future[Result]]] = field(default_factory=list)
    draining: asyncio.Task[None] | None = None
    # Its own limiter, so a batch never waits for a thread behind requests that wait for it.
    limiter: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))


class Batcher(Generic[Item, Result]):
    """Hand calls to `handle` in batches of up to `max_batch`, in a worker thread.

    `handle` gets a batch and returns one outcome per item, in order: a result, or the
    exception to raise to that item's caller.
    """

    def __init__(
        self,
        handle: Callable[[list[Item]], Sequence[Result | BaseException]],
        *,
        max_batch: int = 64,
    ) -> None:
        self._handle = handle
        self._max_batch = max_batch
        # Futures belong to one event loop; a process may run several in turn (tests do).
        self._queues: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _Queue[Item, Result]
        ] = weakref.WeakKeyDictionary()

    async def submit(self, item: Item) -> Result:
        """Queue `item`, and return its result (or raise its exception) once it is handled."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[Result] = loop.create_future()
        queue.waiting.append((item, future))
        if queue.draining is None:
            queue.draining = loop.create_task(self._drain(queue))
        return await future

    async def _gather(self, queue: _Queue[Item, Result]) -> None:
        """Let the event loop run until no more calls join, so that one batch takes them all.

        Requests that arrived together are still being read and checked when the first
        one is queued; a few turns of the loop with none queued mean the rest have gone
        elsewhere. With no load that costs a few microseconds; under load the batches fill.
        """
        quiet_turns = 0
        while quiet_turns < _QUIET_TURNS and len(queue.waiting) < self._max_batch:
            waiting = len(queue.waiting)
            await asyncio.sleep(0)
            quiet_turns = quiet_turns + 1 if len(queue.waiting) == waiting else 0

    async def _drain(self, queue: _Queue[Item, Result]) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while queue.waiting:
                await self._gather(queue)
                batch = queue.waiting[: self._max_batch]
                del queue.waiting[: self._max_batch]
                items = [item for item, _ in batch]
                try:
                    outcomes = await anyio.to_thread.run_sync(
                        self._handle, items, limiter=queue.limiter
                    )
                except Exception as failed:  # handle() itself failed: every caller hears it
                    outcomes = [failed] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # its caller has gone
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            # Only when the loop itself is shutting down are calls left unanswered.
            for _, future in batch + queue.waiting:
                future.cancel()
            queue.waiting.clear()
            queue.draining = None
