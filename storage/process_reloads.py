"""Reloads of the process files asked for on one host, seen by every bot process on the database.

``dialogbot processes reload`` stamps one row with the time it was asked; every bot process reads
that stamp on its timer and re-reads its own process files when it has moved, so bots on other
hosts (each with its own copy of the files) follow too, not only the ones that see the marker
file in the data directory. A broken file found by such a reload is reported to the facilitators
by the one process that records the report first.

The rows live in ``seen_requests`` (a request's identity as a SHA-256, when it was seen, and until
when it is kept), the table every process already shares for requests seen once: an operator's
reload request is one more of those, so no table of its own is needed. Neither row holds a name,
an address or a path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from storage.models import SeenRequestRow
from storage.replay_guard import request_digest
from storage.transactions import Transactions

ASKED = request_digest("dialogbot", "processes-reload")
KEEP_ASKED = timedelta(days=3650)  # the stamp stays (purged only long after; then nothing moves)
KEEP_REPORT = timedelta(days=1)


class SqlReloadRequests(Transactions):
    """The latest reload asked for, and which broken-file reports were made already."""

    async def ask(self, now: datetime) -> None:
        """Have every bot process on the database re-read its process files (within its interval)."""
        async with self._write() as session:
            values = {"seen_at": now, "expires_at": now + KEEP_ASKED}
            insert = self._insert(SeenRequestRow).values(key=ASKED, **values)
            await session.execute(insert.on_conflict_do_update(index_elements=["key"], set_=values))

    async def asked(self) -> datetime | None:
        """When a reload was last asked for (None: never)."""
        async with self._read() as session:
            found = await session.execute(select(SeenRequestRow.seen_at).where(SeenRequestRow.key == ASKED))
            return found.scalar_one_or_none()

    async def first_report(self, generation: datetime | None, problems: Sequence[str], now: datetime) -> bool:
        """True for the first process to report ``problems`` for reload ``generation``; every other
        process finding the same broken files then says nothing (the facilitators hear it once)."""
        stamp = generation.isoformat() if generation is not None else "files"
        key = request_digest("dialogbot", "processes-reload-report", stamp, *problems)
        async with self._write() as session:
            insert = self._insert(SeenRequestRow).values(key=key, seen_at=now, expires_at=now + KEEP_REPORT)
            result = await session.execute(insert.on_conflict_do_nothing(index_elements=["key"]))
            return bool(result.rowcount)  # type: ignore[attr-defined]
