"""A whole SQLite write transaction in one hop to a thread of its own.

Through aiosqlite every statement of a transaction is a round trip between the event loop and
aiosqlite's thread (BEGIN, each statement, COMMIT), and under a burst of votes each round trip
waits its turn behind the other presses' callbacks in the loop: in the Telegram votes benchmark
a batch of answers took 6.4 ms at the median that way. Here the batch's statements run back to
back on a synchronous connection in one worker thread (2.2 ms at the median), so the loop hands
the work over once and is woken once when it has committed.

The transaction starts with ``BEGIN IMMEDIATE``: it holds SQLite's write lock from its first
statement, so the rounds' status it reads cannot change before its answers are written.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from storage.database import SQLITE_BUSY_SECONDS, apply_sqlite_pragmas

T = TypeVar("T")


class SqliteThreadWriter:
    """Runs ``work(connection)`` in one transaction on its own thread and connection.

    Only for a database file (:func:`storage.database.sqlite_file`): an in-memory database is
    private to each connection, so a second connection would not see it.

    Callers serialise their writes with the engine's asyncio write lock (see
    :class:`storage.transactions.Transactions`); this class only moves the work off the loop.
    """

    def __init__(self, url: str, busy_seconds: float = SQLITE_BUSY_SECONDS) -> None:
        """``busy_seconds``: how long a transaction waits for another process's write lock."""
        parsed = make_url(url).set(drivername="sqlite")  # the synchronous pysqlite driver
        self._engine: Engine = create_engine(
            parsed,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=0,
            connect_args={"timeout": busy_seconds},
            hide_parameters=True,
        )
        self._busy_seconds = busy_seconds
        event.listen(self._engine, "connect", self._connect)
        event.listen(self._engine, "begin", _begin_immediate)
        self._thread = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="sqlite-writer"
        )
        self._closed = False

    async def run(self, work: Callable[[Connection], T]) -> T:
        """``work`` in a committed transaction (rolled back if it raises)."""
        if self._closed:
            raise RuntimeError("the SQLite writer is closed")
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self._engine.begin() as connection:
            return work(connection)

    async def open(self) -> None:
        """Open the connection now rather than inside the first batch of votes."""
        await self.run(lambda connection: connection.exec_driver_sql("SELECT 1").scalar())

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._engine.dispose)  # closed on the thread that opened it
        self._thread.shutdown(wait=False)

    def _connect(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin where SQLAlchemy says (below)
        # the async engine made the file WAL
        apply_sqlite_pragmas(dbapi_connection, journal=False, busy_seconds=self._busy_seconds)


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
