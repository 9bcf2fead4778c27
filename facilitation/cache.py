"""A tiny time-bounded cache for the hot path of a vote (rounds, participants, languages).

Entries expire after ``ttl`` seconds so several bot processes sharing one database see each
other's changes soon; the authoritative checks (is the round open?) are still made by the
store inside the write, so a stale entry can delay a hint but never let a wrong vote in.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class TTLCache(Generic[V]):
    """Least-recently-used mapping whose entries expire.

    ``spread``: entries live between ``ttl * (1 - spread)`` and ``ttl`` seconds, drawn at random,
    so entries put at one moment (200 phones joining together) are not all read again from the
    database at one later moment, in the middle of the votes.
    """

    def __init__(
        self,
        ttl: float,
        max_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        *,
        spread: float = 0.0,
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self.spread = spread
        self._clock = clock
        self._data: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires < self._clock():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        ttl = self.ttl * (1.0 - self.spread * random.random()) if self.spread else self.ttl
        self._data[key] = (self._clock() + ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_size:
            self._data.popitem(last=False)

    def drop(self, key: Hashable) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()


class SingleFlight(Generic[V]):
    """Concurrent loads of the same key share one call (a burst of presses reads a round once).

    The call runs as a task of its own: a waiter given up at its deadline (a press during a
    stalled database) is cancelled alone, and the others keep waiting for the same call, to be
    answered by their own deadlines, instead of ending unanswered with the first one's cancellation.
    """

    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Future[V]] = {}

    async def load(self, key: Hashable, loader: Callable[[], Awaitable[V]]) -> V:
        inflight = self._inflight.get(key)
        if inflight is None:
            inflight = asyncio.ensure_future(loader())
            self._inflight[key] = inflight
            inflight.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(inflight)

    def _landed(self, key: Hashable, done: asyncio.Future[V]) -> None:
        """Forget a finished call (its outcome is retrieved, also when every waiter gave up)."""
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled():
            done.exception()
