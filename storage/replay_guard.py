"""Which platform requests were already handled, so a replayed request changes nothing.

Slack signs every HTTP request, but a signature stays valid for five minutes: anyone who
captured a request (a proxy log, a leaked capture) can send it again within that window and
Bolt will accept it. The guard records a hash of each accepted request's identity (for a signed
request its timestamp and signature) in the shared database with ``ON CONFLICT DO NOTHING``, so
exactly one of several bot processes sees a request as new, however the copies are spread.

Only a SHA-256 of the identity is kept (no body, no user id); rows older than the retention are
deleted now and then by whichever process notices first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import SeenRequestRow
from storage.transactions import Transactions

# Bolt accepts a timestamp up to five minutes off our clock in either direction, so an original
# and its replay reach us at most ten minutes apart; keep a margin on top.
DEFAULT_RETENTION = timedelta(minutes=15)
DEFAULT_PURGE_EVERY = timedelta(minutes=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def request_digest(*parts: str) -> str:
    """The stored key: a SHA-256 over the parts (64 hex characters, the column's width).

    Parts are joined with a separator that cannot occur in them unescaped, so ("a", "bc") and
    ("ab", "c") never collide.
    """
    joined = "\x1f".join(part.replace("\\", "\\\\").replace("\x1f", "\\x1f") for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()


class ReplayGuard(Transactions):
    """Tells whether a request is seen for the first time, across every process on the database."""

    def __init__(self, engine: AsyncEngine, *, retention: timedelta = DEFAULT_RETENTION,
                 purge_every: timedelta = DEFAULT_PURGE_EVERY,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        super().__init__(engine)
        self.retention = retention
        self.purge_every = purge_every
        self._clock = clock
        self._next_purge: datetime | None = None

    async def first_time(self, *identity: str) -> bool:
        """Record the request named by ``identity``; True if no process recorded it before.

        One short write transaction: the insert either creates the row (new) or hits the
        primary key of a row another request (or another process) created (a replay).
        """
        now = self._clock()
        key = request_digest(*identity)
        async with self._write() as session:
            statement = (self._insert(SeenRequestRow).values(key=key, seen_at=now)
                         .on_conflict_do_nothing(index_elements=["key"])
                         .returning(SeenRequestRow.key))
            new = (await session.execute(statement)).first() is not None
        if self._next_purge is None or now >= self._next_purge:
            self._next_purge = now + self.purge_every
            await self.purge(now)
        return new

    async def purge(self, now: datetime | None = None) -> int:
        """Delete rows older than the retention (no replay of them can still be accepted)."""
        cutoff = (now or self._clock()) - self.retention
        async with self._write() as session:
            result = await session.execute(delete(SeenRequestRow).where(SeenRequestRow.seen_at < cutoff))
            return result.rowcount or 0

    async def count(self) -> int:
        """How many requests are remembered (for tests and the operator's curiosity)."""
        async with self._read() as session:
            return int((await session.execute(select(func.count()).select_from(SeenRequestRow))).scalar_one())
