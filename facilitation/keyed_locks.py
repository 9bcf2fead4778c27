"""One lock per key (a user, a chat) for as long as anyone holds or waits for it.

Conversation keeps two: one user's events go one at a time, and one bulk output at a time per
chat. A key's lock is forgotten once nobody holds or waits for it, so thousands of participants
leave nothing behind, and it is never forgotten while someone waits (a new lock for the same
key would let the next comer overtake the waiter).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    """An :class:`asyncio.Lock` per key, counted by its users (holders and waiters)."""

    def __init__(self) -> None:
        self._locks: dict[K, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        """How many keys have a lock now (someone holds or waits for it)."""
        return len(self._locks)

    @contextlib.contextmanager
    def reserved(self, key: K) -> Iterator[asyncio.Lock]:
        """``key``'s lock, kept for as long as the block runs; the caller takes and lets go of it
        (a user's turn is let go while their bulk output posts, and taken again after)."""
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            yield lock
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @contextlib.asynccontextmanager
    async def held(self, key: K) -> AsyncIterator[None]:
        """Hold ``key``'s lock for the block: callers for the same key go one at a time, in order."""
        with self.reserved(key) as lock:
            async with lock:
                yield
