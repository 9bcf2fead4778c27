"""Sliding-window pacing shared by the platform adapters.

A sliding window (at most ``limit`` calls in any ``period`` seconds) matches how the platforms
count, unlike a leaky bucket that lets a burst be followed immediately by more.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable


class SlidingWindow:
    """At most ``limit`` acquisitions in any ``period`` seconds; waiters are served in order."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                while self._times and self._times[0] <= now - self.period:
                    self._times.popleft()
                if len(self._times) < self.limit:
                    self._times.append(now)
                    return
                await asyncio.sleep(self._times[0] + self.period - now)

    def idle(self) -> bool:
        now = self._clock()
        return not self._times or self._times[-1] <= now - self.period


class Windows:
    """One :class:`SlidingWindow` per key (chat, channel, method), forgetting idle ones."""

    def __init__(self, make: Callable[[Hashable], SlidingWindow], max_keys: int = 4096) -> None:
        self._make = make
        self._max_keys = max_keys
        self._windows: dict[Hashable, SlidingWindow] = {}

    def __getitem__(self, key: Hashable) -> SlidingWindow:
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) >= self._max_keys:
                for stale in [k for k, w in self._windows.items() if w.idle()]:
                    del self._windows[stale]
            window = self._windows[key] = self._make(key)
        return window
