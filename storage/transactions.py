"""Short transactions on one engine, shared by every repository.

On SQLite only one writer can commit at a time, so write transactions are serialised by an
asyncio lock (one bot process per SQLite file; WAL lets reads run alongside). Repositories on
the same engine share the lock. On PostgreSQL, row locks do that work and no lock is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.database import sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

_SQLITE_LOCKS: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


class Transactions:
    """Base for repositories: ``_write()``/``_read()`` sessions and the dialect's upsert insert."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)
        self._sqlite = engine.dialect.name == "sqlite"
        # Each bot imports only its own database's dialect (PostgreSQL's is about 2 MiB).
        self._insert: Callable[..., sqlite.Insert] | Callable[..., postgresql.Insert]
        if self._sqlite:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            self._insert = sqlite_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as postgresql_insert

            self._insert = postgresql_insert
        self._write_lock = _SQLITE_LOCKS.setdefault(engine, asyncio.Lock()) if self._sqlite else None

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        with _statements_released_on_cancel():
            if self._write_lock is None:
                async with self._sessions() as session, session.begin():
                    yield session
                return
            async with self._write_lock, self._sessions() as session, session.begin():
                yield session

    @contextlib.asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncSession]:
        with _statements_released_on_cancel():
            async with self._sessions() as session:
                yield session


@contextlib.contextmanager
def _statements_released_on_cancel() -> Iterator[None]:
    """A transaction cancelled mid-statement lets go of the statement at once.

    A cancel that lands while the driver runs a statement leaves the driver's cursor in the
    finished frames of the cancel's traceback, and whoever holds the cancelled task or the
    exception keeps that traceback. On SQLite an unfinished statement keeps its connection open
    (closing it only makes it a "zombie") and so keeps the file's write lock: every other writer
    then waited out its busy timeout and found the database "locked" - in a test holding the
    cancelled task, for good (the crash-between-file-and-text test, 600 s in CI). Clearing those
    frames' locals frees the cursor, which finalises the statement and ends the transaction.
    Frames still running (the callers above) are left as they are.
    """
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, Exception):
            traceback.clear_frames(exc.__traceback__)
        raise
