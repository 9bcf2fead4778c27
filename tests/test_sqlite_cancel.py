"""A write cancelled in the middle of its statement never leaves SQLite's write lock held.

A dispatcher's tick, a vote handler or a shutdown can be cancelled while the driver runs an
``UPDATE ... RETURNING``. Before the fix the unfinished statement lived on in the cancel's
traceback (kept by whoever holds the cancelled task), the connection could not close, and every
later writer found the database "locked" - for 600 s in a CI run of the reminders' crash test.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from sqlalchemy import text

from storage.database import create_engine
from storage.transactions import Transactions


class _Counter(Transactions):
    """A repository on the shared transaction helpers: one counter row, bumped with RETURNING."""

    async def bump(self) -> int:
        async with self._write() as session:
            return int(
                (
                    await session.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n"))
                ).scalar_one()
            )

    async def value(self) -> int:
        async with self._read() as session:
            return int((await session.execute(text("SELECT n FROM counter WHERE id = 1"))).scalar_one())


async def test_writes_cancelled_mid_statement_leave_the_database_writable(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cancel.sqlite3'}", timeout=0.5)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
            )
            await connection.execute(text("INSERT INTO counter VALUES (1, 0)"))
        counter = _Counter(engine)
        kept: list[asyncio.Task[None]] = []  # the cancelled tasks stay referenced, as in a test or a task set

        async def bumping() -> None:
            while True:
                await counter.bump()

        random.seed(7)
        locked = 0
        for _ in range(60):
            task = asyncio.create_task(bumping())
            kept.append(task)
            await asyncio.sleep(random.random() * 0.003)  # lands anywhere in a transaction
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            try:
                await counter.bump()
            except Exception:  # "database is locked" after the 0.5 s busy timeout
                locked += 1
        assert locked == 0, f"{locked} of 60 writes after a cancel found the database locked"
        assert await counter.value() >= 60
    finally:
        await engine.dispose()
