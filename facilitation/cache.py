"""Tiny time-bounded caches for the hot path of a vote (rounds, participants, languages).

Entries expire after ``ttl`` seconds so several bot processes sharing one database see each
other's changes soon; the authoritative checks (is the round open?) are still made by the
store inside the write, so a stale entry can delay a hint but never let a wrong vote in.
:class:`ReadAhead` reads through a :class:`TTLCache` and reads a hot entry again in the
background, so the votes of a burst never wait for it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Generic, TypeVar

V = TypeVar("V")
log = logging.getLogger(__name__)


class TTLCache(Generic[V]):
    """Least-recently-used mapping whose entries expire.

    ``stale``: an entry past its ``ttl`` is kept this many seconds more for :meth:`lookup`, which
    gives it with "not fresh": the caller answers from it and reads it again in the background
    (refresh-ahead), so a burst of votes never waits for a hot entry to be read again. :meth:`get`
    gives fresh entries only.
    """

    def __init__(
        self,
        ttl: float,
        max_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        *,
        stale: float = 0.0,
    ) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self.stale = stale
        self._clock = clock
        # key -> (expires, written, value), both times by ``clock``
        self._data: OrderedDict[Hashable, tuple[float, float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        value, fresh = self.lookup(key)
        return value if fresh else None

    def lookup(self, key: Hashable) -> tuple[V | None, bool]:
        """The entry of ``key`` (None if there is none, or it is ``ttl + stale`` old) and whether
        it is younger than ``ttl``. Both ages are half-open: an entry exactly ``ttl`` old is no
        longer fresh (so a reader that asks every ``ttl`` seconds always reads again)."""
        entry = self._data.get(key)
        if entry is None:
            return None, False
        expires, _written, value = entry
        now = self._clock()
        if expires + self.stale <= now:
            del self._data[key]
            return None, False
        self._data.move_to_end(key)
        return value, now < expires

    def now(self) -> float:
        """The cache's clock: what :meth:`put_read` compares a read's start with."""
        return self._clock()

    def put(self, key: Hashable, value: V) -> None:
        now = self._clock()
        self._data[key] = (now + self.ttl, now, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_size:
            self._data.popitem(last=False)

    def put_read(self, key: Hashable, value: V, started: float) -> None:
        """Put what a read begun at ``started`` gave, unless the entry was put since: a change this
        process made while the read was on its way is newer than what the read saw."""
        entry = self._data.get(key)
        if entry is None or entry[1] < started:
            self.put(key, value)

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


class ReadAhead(Generic[V]):
    """A :class:`TTLCache` read through: a missing entry is read (once however many ask), one past
    its ttl is answered from at once and read again in the background (refresh-ahead).

    A burst of votes then never waits for a hot entry to be read again; only the first ask after
    an entry went unused for ``ttl + stale`` seconds waits. Use it for what a moment's staleness
    cannot make wrong (the store decides whether a vote counts).

    ``keep``: whether a value read is kept (a draft round is not: it is about to change).
    """

    def __init__(
        self,
        ttl: float,
        max_size: int = 10_000,
        *,
        stale: float,
        keep: Callable[[V], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache: TTLCache[V] = TTLCache(ttl, max_size, clock, stale=stale)
        self._loads: SingleFlight[V] = SingleFlight()
        self._keep = keep
        self._refreshes: dict[Hashable, asyncio.Task[V]] = {}

    async def get(self, key: Hashable, read: Callable[[], Awaitable[V]]) -> V:
        """The entry of ``key``; ``read`` gives it when there is none (and, later, in the background)."""
        value, fresh = self._cache.lookup(key)
        if value is None:
            return await self.load(key, read)
        if not fresh:
            self._read_soon(key, read)
        return value

    async def load(self, key: Hashable, read: Callable[[], Awaitable[V]]) -> V:
        """Read ``key`` now (joining a read already under way), whatever is cached."""
        return await self._loads.load(key, lambda: self._read(key, read))

    async def _read(self, key: Hashable, read: Callable[[], Awaitable[V]]) -> V:
        started = self.now()
        value = await read()
        self.put_read(key, value, started)
        return value

    async def read_many(self, read: Callable[[], Awaitable[Iterable[tuple[Hashable, V]]]]) -> None:
        """Put every (key, value) one ``read`` gives (one query for many entries, e.g. the bindings
        of all of a workshop's chats): see :meth:`put_read`."""
        started = self.now()
        for key, value in await read():
            self.put_read(key, value, started)

    def put_read(self, key: Hashable, value: V, started: float) -> None:
        """Put what a read begun at ``started`` (by :meth:`now`) gave, unless the entry was put
        since or ``keep`` refuses it. An entry read so is fresh again: none of the votes that ask
        for it waits, or starts a read of its own behind it."""
        if self._keep is None or self._keep(value):
            self._cache.put_read(key, value, started)

    def _read_soon(self, key: Hashable, read: Callable[[], Awaitable[V]]) -> None:
        """Read ``key`` again in a task of its own context: not the asking press's deadline
        (:mod:`facilitation.deadline`), which would cut a read that serves the presses after it."""
        if key in self._refreshes:
            return
        task = asyncio.get_running_loop().create_task(self.load(key, read), context=contextvars.Context())
        self._refreshes[key] = task
        task.add_done_callback(lambda done: self._refreshed(key, done))

    def _refreshed(self, key: Hashable, done: asyncio.Task[V]) -> None:
        """A background read finished; a failed one is only noted (the next ask reads again)."""
        if self._refreshes.get(key) is done:
            del self._refreshes[key]
        if not done.cancelled() and done.exception() is not None:
            log.debug("a cached entry could not be read again (%s)", type(done.exception()).__name__)

    @property
    def ttl(self) -> float:
        """Seconds an entry is fresh after it was read or put."""
        return self._cache.ttl

    def now(self) -> float:
        """The cache's clock (monotonic seconds unless one was given)."""
        return self._cache.now()

    def peek(self, key: Hashable) -> V | None:
        """The entry of ``key`` if there is one, fresh or not (nothing is read)."""
        return self._cache.lookup(key)[0]

    def fresh(self, key: Hashable) -> V | None:
        """The entry of ``key`` if it is within its ttl (nothing is read)."""
        return self._cache.get(key)

    def put(self, key: Hashable, value: V) -> None:
        self._cache.put(key, value)

    def drop(self, key: Hashable) -> None:
        self._cache.drop(key)

    def clear(self) -> None:
        self._cache.clear()

    async def aclose(self) -> None:
        """Stop the background reads (the process is stopping)."""
        refreshes = list(self._refreshes.values())
        for task in refreshes:
            task.cancel()
        await asyncio.gather(*refreshes, return_exceptions=True)
