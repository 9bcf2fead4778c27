"""Which platform requests were already handled, so a replayed request changes nothing.

Slack signs every HTTP request, but a signature stays valid for five minutes: anyone who
captured a request (a proxy log, a leaked capture) can send it again within that window and
Bolt will accept it. The guard records a hash of each accepted request's identity (for a signed
request its timestamp and signature) in the shared database with ``ON CONFLICT DO NOTHING``, so
exactly one of several bot processes sees a request as new, however the copies are spread.

The same table tells a Telegram update Telegram delivered again (its webhook got no 2xx in
time, or a polling process died before confirming it) by the bot's id and the ``update_id``.
Only a SHA-256 of the identity is kept (no body, no user id); each row is kept as long as the
request can come again (``keep``) and deleted afterwards by whichever process notices first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from facilitation.clock import utc_now
from storage.batching import GroupCommit
from storage.database import rowcount, sqlite_file
from storage.models import SeenRequestRow
from storage.sqlite_writer import SqliteThreadWriter
from storage.transactions import Transactions

# Bolt accepts a timestamp up to five minutes off our clock in either direction, so an original
# and its replay reach us at most ten minutes apart; keep a margin on top.
DEFAULT_RETENTION = timedelta(minutes=15)
DEFAULT_PURGE_EVERY = timedelta(minutes=1)


def request_digest(*parts: str) -> str:
    """The stored key: a SHA-256 over the parts (64 hex characters, the column's width).

    Parts are joined with a separator that cannot occur in them unescaped, so ("a", "bc") and
    ("ab", "c") never collide.
    """
    joined = "\x1f".join(part.replace("\\", "\\\\").replace("\x1f", "\\x1f") for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()


class ReplayGuard(Transactions):
    """Tells whether a request is seen for the first time, across every process on the database."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        purge_every: timedelta = DEFAULT_PURGE_EVERY,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(engine)
        self.retention = retention
        self.purge_every = purge_every
        self._clock = clock
        self._next_purge: datetime | None = None
        self._batches: GroupCommit[tuple[str, datetime, datetime]] = GroupCommit(self._record)
        # SQLite: a batch is one hop to a writer thread, as the answers' (see storage.sqlite_writer).
        url = engine.url.render_as_string(hide_password=False)
        self._writer = SqliteThreadWriter(url) if sqlite_file(url) is not None else None

    async def first_time(self, *identity: str, keep: timedelta | None = None) -> bool:
        """Record the request named by ``identity``; True if no process recorded it before.

        The row is kept for ``keep`` (default: the guard's retention). Requests arriving together
        are recorded in one short write transaction (a burst of votes must not queue up behind
        one commit each): its insert either creates a request's row (new) or hits the primary key
        of a row another request, or another process, created (a repeat).
        """
        now = self._clock()
        new = await self._batches.submit((request_digest(*identity), now, now + (keep or self.retention)))
        if self._next_purge is None or now >= self._next_purge:
            self._next_purge = now + self.purge_every
            await self.purge(now)
        return new

    async def _record(self, rows: Sequence[tuple[str, datetime, datetime]]) -> list[bool]:
        """Insert a batch of (key, seen_at, expires_at); for each, whether it was new.

        The same key twice in one batch (a redelivery racing its original) is new only once.
        """
        values = list(
            {
                key: {"key": key, "seen_at": seen, "expires_at": expires}
                for key, seen, expires in reversed(rows)
            }.values()
        )
        if self._writer is not None:
            assert self._write_lock is not None
            async with self._write_lock:  # SQLite's one writer: taken in turn with every other write
                created = await self._writer.run(lambda connection: self._insert_new(connection, values))
        else:
            async with self._write() as session:
                connection = await session.connection()
                created = await connection.run_sync(self._insert_new, values)
        outcomes = []
        for key, _seen, _expires in rows:
            outcomes.append(key in created)
            created.discard(key)
        return outcomes

    def _insert_new(self, connection: Connection, values: list[dict[str, object]]) -> set[str]:
        """Insert the rows whose key is not there yet; the keys inserted."""
        statement = (
            self._insert(SeenRequestRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(SeenRequestRow.key)
        )
        return set(connection.execute(statement).scalars())

    async def aclose(self) -> None:
        """Close the SQLite writer thread (the engine is the caller's to dispose)."""
        if self._writer is not None:
            await self._writer.aclose()

    async def purge(self, now: datetime | None = None) -> int:
        """Delete the rows that have expired (no repeat of them can still be accepted)."""
        now = now or self._clock()
        async with self._write() as session:
            result = await session.execute(delete(SeenRequestRow).where(SeenRequestRow.expires_at < now))
            return rowcount(result)

    async def count(self) -> int:
        """How many requests are remembered (for tests and the operator's curiosity)."""
        async with self._read() as session:
            return int((await session.execute(select(func.count()).select_from(SeenRequestRow))).scalar_one())
