"""Per-device and per-IP limits on what browsers may post (refused at once, never queued)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

MAX_KEYS = 50_000


class Buckets:
    """A token bucket per key: ``rate`` posts a second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, at = self._state.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        allowed = tokens >= 1
        self._state[key] = (tokens - 1 if allowed else tokens, now)
        while len(self._state) > MAX_KEYS:
            self._state.popitem(last=False)
        return allowed


class Once:
    """Tokens seen before (a form posted again is a replay), forgotten when they expire anyway."""

    def __init__(self, clock: Callable[[], float] = time.time, limit: int = 200_000) -> None:
        self.clock = clock
        self.limit = limit
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first(self, token: str, expires: float) -> bool:
        now = self.clock()
        while self._seen and (next(iter(self._seen.values())) < now or len(self._seen) > self.limit):
            self._seen.popitem(last=False)
        if token in self._seen:
            return False
        self._seen[token] = expires
        return True
