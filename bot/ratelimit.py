"""Sliding-window pacing shared by the platform adapters.

A sliding window (at most ``limit`` calls in any ``period`` seconds) matches how the platforms
count, unlike a leaky bucket that lets a burst be followed immediately by more.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable


class SlidingWindow:
    """At most ``limit`` calls in any ``period`` seconds, counted the way the server counts them.

    A call occupies its place from the moment it is let through until it has completed, and
    then counts from its completion time: the server saw it at some moment in between, so
    every server-side window holding that call is also covered here. (Counting from the moment
    a call was let through undercounts when calls arrive late and bunched, and provokes 429s.)
    """

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._changed = asyncio.Condition()

    async def acquire(self) -> None:
        """Wait for a place; the caller must :meth:`release` it when the call has completed."""
        async with self._changed:
            while True:
                now = self._clock()
                while self._done and self._done[0] <= now - self.period:
                    self._done.popleft()
                if self._in_flight + len(self._done) < self.limit:
                    self._in_flight += 1
                    return
                wait = self._done[0] + self.period - now if self._done else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)

    async def release(self) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._done.append(self._clock())
            self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """``async with window.slot(): await call()``."""
        await self.acquire()
        try:
            yield
        finally:
            await self.release()

    def idle(self) -> bool:
        now = self._clock()
        return self._in_flight == 0 and (not self._done or self._done[-1] <= now - self.period)


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
