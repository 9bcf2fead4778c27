"""Sliding-window pacing shared by the platform adapters.

A sliding window (at most ``limit`` calls in any ``period`` seconds) matches how the platforms
count, unlike a leaky bucket that lets a burst be followed immediately by more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Protocol

log = logging.getLogger(__name__)


class SlidingWindow:
    """At most ``limit`` calls in any ``period`` seconds, counted the way the server counts them.

    A call occupies its place from the moment it is let through until it has completed, and
    then counts from its completion time: the server saw it at some moment in between, so
    every server-side window holding that call is also covered here. (Counting from the moment
    a call was let through undercounts when calls arrive late and bunched, and provokes 429s.)
    """

    def __init__(
        self, limit: int, period: float, clock: Callable[[], float] = time.monotonic, *, reserve: int = 0
    ) -> None:
        """``reserve``: places of each window that only answers (``reply``) may take, so that in a
        chat the bot is filling with bulk output an answer still goes out at once."""
        self.limit = limit
        self.period = period
        self.reserve = min(max(reserve, 0), limit - 1)
        self._clock = clock
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._changed = asyncio.Condition()
        self._replies_waiting = 0

    async def acquire(self, *, reply: bool = False) -> None:
        """Wait for a place; the caller must :meth:`release` it when the call has completed.

        ``reply``: the call answers someone (a command, a press) and takes the next free place
        before any bulk call (results, charts, tally edits, reminders) waiting in this window,
        so a facilitator's command is not answered only after a minute of their own paced
        output; bulk calls leave the window's ``reserve`` places to answers. Within each lane
        places go in arrival order.
        """
        async with self._changed:
            if reply:
                self._replies_waiting += 1
            try:
                while True:
                    now = self._clock()
                    while self._done and self._done[0] <= now - self.period:
                        self._done.popleft()
                    used = self._in_flight + len(self._done)
                    if used < self.limit and (
                        reply or (used < self.limit - self.reserve and not self._replies_waiting)
                    ):
                        self._in_flight += 1
                        return
                    wait = self._done[0] + self.period - now if self._done else None
                    with contextlib.suppress(TimeoutError):  # asyncio.timeout never swallows a cancel
                        async with asyncio.timeout(wait):
                            await self._changed.wait()
            finally:
                if reply:
                    self._replies_waiting -= 1
                    self._changed.notify_all()  # bulk calls held back for this one may go now

    async def release(self) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._done.append(self._clock())
            self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def slot(self, *, reply: bool = False) -> AsyncIterator[None]:
        """``async with window.slot(): await call()`` (``reply``: see :meth:`acquire`)."""
        await self.acquire(reply=reply)
        try:
            yield
        finally:
            await self.release()

    def idle(self) -> bool:
        now = self._clock()
        return self._in_flight == 0 and (not self._done or self._done[-1] <= now - self.period)

    def fill(self) -> None:
        """Count the window as used up just now (what others sent is unknown)."""
        now = self._clock()
        self._done.extend([now] * max(self.limit - self._in_flight - len(self._done), 0))


class Windows:
    """One :class:`SlidingWindow` per key (chat, channel, method), forgetting idle ones."""

    def __init__(
        self, make: Callable[[Hashable], SlidingWindow | SharedWindow], max_keys: int = 4096
    ) -> None:
        self._make = make
        self._max_keys = max_keys
        self._windows: dict[Hashable, SlidingWindow | SharedWindow] = {}

    def __getitem__(self, key: Hashable) -> SlidingWindow | SharedWindow:
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) >= self._max_keys:
                for stale in [k for k, w in self._windows.items() if w.idle()]:
                    del self._windows[stale]
            window = self._windows[key] = self._make(key)
        return window


RETRY_SHARED = 2.0  # seconds between tries of an unreachable shared budget


class Places(Protocol):
    """Places of a rate limit shared across processes (:class:`storage.rate_budget.RateBudgets`)."""

    async def prepare(self, budget: str, places: int) -> None: ...

    async def take(self, budget: str, places: int, period: float) -> tuple[int | None, float, int]:
        """(place or None, seconds until one frees up, processes sending lately)."""
        ...

    async def give_back(self, budget: str, slot: int, ago: float = 0.0) -> None:
        """The call holding ``slot`` completed ``ago`` seconds before the database records it."""
        ...


class SharedWindow:
    """A :class:`SlidingWindow` for this process, and a place in the same limit shared with every
    other process that sends for the same bot token or workspace.

    Waiting for the shared place is done by one coroutine of the process at a time (the others
    queue behind it in order), so a full budget costs one database query per freed place, not
    one per waiting message. When the database does not answer within ``timeout`` the process
    paces alone (said once in the log) until it answers again, at its share of the limit (the
    limit divided by the number of processes the budget last saw sending), starting after one
    window and keeping to that share for one window after the database is back, because what
    was sent alone is not in the database.
    """

    def __init__(
        self,
        places: Places,
        budget: str,
        limit: int,
        period: float,
        *,
        timeout: float = 2.0,
        local: SlidingWindow | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock``: the seconds the windows and the retries of the shared budget are counted in
        (a test passes its own, so pacing is checked exactly however loaded the machine is);
        ``timeout`` is real time, as the database's answer is."""
        self.places = places
        self.budget = budget
        self.limit = limit
        self.period = period
        self.timeout = timeout
        self._clock = clock
        self.local = local or SlidingWindow(limit, period, clock)
        self._turn = asyncio.Lock()
        self._prepared = False
        self._alone = False
        self._ask_again = 0.0  # while alone: when to try the database again
        self._giving_back: set[asyncio.Task[None]] = set()
        self._senders = 1  # processes the shared budget saw sending lately
        self._share: SlidingWindow | None = None  # this process's share while alone
        self._rejoined = -period  # when the shared budget answered again after being away

    async def _take(self) -> int | None:
        async with self._turn:
            if self._alone and self._clock() < self._ask_again:
                return None
            try:
                async with asyncio.timeout(self.timeout):
                    if not self._prepared:
                        await self.places.prepare(self.budget, self.limit)
                        self._prepared = True
                    slot, wait, self._senders = await self.places.take(self.budget, self.limit, self.period)
                while slot is None:
                    await asyncio.sleep(min(max(wait, 0.005), self.period))
                    async with asyncio.timeout(self.timeout):
                        slot, wait, self._senders = await self.places.take(
                            self.budget, self.limit, self.period
                        )
            except Exception as exc:  # the database is away or slow: pace alone meanwhile
                self._pace_alone(exc)
                return None
            if self._alone:
                self._alone = False
                self._rejoined = self._clock()
                log.info("rate limits: shared with the other processes again")
            return slot

    def _pace_alone(self, exc: Exception) -> None:
        self._ask_again = self._clock() + RETRY_SHARED
        if not self._alone:
            self._alone = True
            self._alone_share().fill()  # the last window's messages of every process are unknown here
            log.warning(
                "rate limits: the shared budget is unreachable (%s); this process paces alone until "
                "it is back",
                type(exc).__name__,
            )

    async def _give_back(self, slot: int, completed: float) -> None:
        """``completed``: ``time.monotonic()`` when the call completed. The place is stamped as
        freed then, not when this background task reaches the database (after a connection is
        free and a round trip): that lag made every shared place count longer than the
        platform counts it and cost ~5 % of Telegram's limit with two processes. Real time,
        not ``self._clock``, because the database's clock is real time."""
        try:
            async with asyncio.timeout(self.timeout):
                await self.places.give_back(self.budget, slot, time.monotonic() - completed)
        except Exception as exc:  # the place frees itself once it is stale
            self._pace_alone(exc)

    @contextlib.asynccontextmanager
    async def slot(self, *, reply: bool = False) -> AsyncIterator[None]:
        """``async with window.slot(): await call()`` under both this process's and the shared limit.

        ``reply``: ahead of bulk calls in this process's window (:meth:`SlidingWindow.acquire`).

        The shared place is given back in the background: the caller has its answer at once (a
        reminder is recorded as sent without waiting for it), and a place stamped a moment late
        only counts a moment longer.
        """
        async with contextlib.AsyncExitStack() as slots:
            await slots.enter_async_context(self.local.slot(reply=reply))
            shared = await self._take()
            # Alone, and for one window after: the shared budget never saw what was sent alone.
            if shared is None or self._clock() - self._rejoined < self.period:
                await slots.enter_async_context(self._alone_share().slot())
            try:
                yield
            finally:
                if shared is not None:
                    task = asyncio.create_task(self._give_back(shared, time.monotonic()))
                    self._giving_back.add(task)
                    task.add_done_callback(self._giving_back.discard)

    def _alone_share(self) -> SlidingWindow:
        share = max(1, self.limit // self._senders)
        if self._share is None or self._share.limit != share:
            self._share = SlidingWindow(share, self.period, self._clock)
        return self._share

    def idle(self) -> bool:
        return self.local.idle()
