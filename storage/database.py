"""Engine creation: SQLite gets WAL and foreign keys, PostgreSQL gets a sized pool."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from config.private_files import make_sqlite_files_private, private_dir

log = logging.getLogger(__name__)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched: its result is a CursorResult, which the typing of
    ``session.execute`` does not know."""
    return cast(CursorResult[Any], result).rowcount or 0


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL; None for an in-memory database or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


CONNECT_TIMEOUT = 10.0  # seconds to connect when no timeout is given (command-line tools, migrations)
SQLITE_BUSY_SECONDS = 30.0  # how long SQLite waits for another writer when no timeout is given
SQLITE_READERS = 16  # SQLite connections kept open for reads (as many more opened for a moment)
# A transaction the bot leaves idle this long is ended by PostgreSQL. The bot never waits for
# anything but the database inside a transaction, so this only ends the transactions of a
# connection cut off in a network stall: a COMMIT stuck in the network can then no longer
# commit after the bot has told the presser the vote was not saved (see storage.batching).
IDLE_IN_TRANSACTION_SECONDS = 2.0

_TIMEOUTS: weakref.WeakKeyDictionary[AsyncEngine, float] = weakref.WeakKeyDictionary()


def create_engine(url: str, *, timeout: float | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with the right per-dialect settings.

    ``hide_parameters``: a database error's message never carries the statement's values, so a
    participant key or a vote cannot reach a log through an exception.

    ``timeout`` (the bot: ``settings.database_timeout``): how long any one wait on the database
    may last - connecting, one statement (on the client and, as ``statement_timeout``, on the
    server), SQLite's wait for another writer. (A pooled connection is waited for up to
    SQLAlchemy's 30 s: under a burst of presses that is load, not a stall, and the connections
    it waits for are themselves bounded by ``timeout``.) Without it a
    stalled database holds a button press, and the bot's shutdown, for as long as the stall
    lasts. None (migrations, command-line tools): only connecting is bounded.
    """
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        database = sqlite_file(url)
        if database is not None:
            private_dir(database.parent)
        busy = timeout if timeout is not None else SQLITE_BUSY_SECONDS
        if database is not None:
            # Readers kept open, not opened and closed: each aiosqlite connection is a thread, and
            # with SQLAlchemy's default of 5 kept (and 10 more opened for a moment) a burst of
            # browser votes opened a connection, its thread and its pragmas for a handful of reads.
            kwargs.setdefault("pool_size", SQLITE_READERS)
            kwargs.setdefault("max_overflow", SQLITE_READERS)
        engine = create_async_engine(url, connect_args={"timeout": busy}, **kwargs)
        if timeout is not None:
            _TIMEOUTS[engine] = timeout

        journal_set: list[bool] = []

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL is a property of the file: once per engine is enough, and a connection opened
            # during a burst of votes must not wait for the writer's lock. The file is made
            # owner-only before the WAL files exist, so they are created owner-only too.
            if database is not None and not journal_set:
                make_sqlite_files_private(database)
            apply_sqlite_pragmas(dbapi_connection, journal=not journal_set, busy_seconds=busy)
            journal_set.append(True)

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # The most recently returned connection first: under a burst the same few connections carry
    # the votes (and stay warm), the rest stay idle and are checked before their next use.
    kwargs.setdefault("pool_use_lifo", True)
    ping_idle = "pool_pre_ping" not in kwargs  # a caller's own choice stands
    connect_args: dict[str, Any] = {"timeout": timeout if timeout is not None else CONNECT_TIMEOUT}
    if timeout is not None:
        connect_args["command_timeout"] = timeout
        connect_args["server_settings"] = {
            "statement_timeout": str(int(timeout * 1000)),
            "idle_in_transaction_session_timeout": str(int(IDLE_IN_TRANSACTION_SECONDS * 1000)),
        }
    engine = create_async_engine(
        url, connect_args={**connect_args, **kwargs.pop("connect_args", {})}, **kwargs
    )
    if timeout is not None:
        _TIMEOUTS[engine] = timeout
    if ping_idle:
        ping_when_idle(engine)
    return engine


# A pooled connection unused this long is pinged before it is handed out (see ping_when_idle).
PING_AFTER_IDLE_SECONDS = 1.0
_RETURNED_AT = "dialogbot_returned_at"


def ping_when_idle(engine: AsyncEngine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Ping a pooled connection on checkout only when it sat unused for ``idle_seconds``.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and asyncpg's ping is three round
    trips (BEGIN, an empty query, ROLLBACK): under a burst of votes on PostgreSQL that was 7.5 %
    of a bot process's time (py-spy, bench/scaleout.py), spent on connections returned
    milliseconds before. A connection the server dropped (a restart, a network cut, an idle
    timeout) is one that has sat idle; it is found here and replaced, as with the pre-ping. One
    dropped within its last second of use fails its statement instead, which the callers treat
    as an outage (the press is answered "not saved") and which invalidates the pool, as any
    disconnect does.
    """
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < idle_seconds:
            return  # just opened, or in use a moment ago
        if not dialect._do_ping_w_event(dbapi_connection):
            raise sa_exc.InvalidatePoolError()  # the pool reconnects, as after a failed pre-ping


def database_timeout(engine: AsyncEngine) -> float | None:
    """The ``timeout`` ``engine`` was created with (None: waits are not bounded)."""
    return _TIMEOUTS.get(engine)


def apply_sqlite_pragmas(
    dbapi_connection: Any, *, journal: bool, busy_seconds: float = SQLITE_BUSY_SECONDS
) -> None:
    """Per-connection SQLite settings (``journal``: also switch the file to WAL; ``busy_seconds``:
    how long a statement waits for another connection's write lock before it fails)."""
    cursor = dbapi_connection.cursor()
    if journal:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
    # No checkpoint inside a commit: the commit that crossed 1000 WAL pages would copy them into
    # the database file and fsync it, stalling a batch of votes for tens of milliseconds.
    # :func:`checkpoint_wal` does that work in the background instead (and SQLite checkpoints
    # when the last connection closes).
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


# SQLSTATE classes of a server that is unreachable or going away, and of a transaction that may
# simply be run again: 08 connection exception, 57 operator intervention (shutdown, restart),
# 53 insufficient resources (too many connections), 40 serialization failure / deadlock.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "57", "53", "40")
# Errors without a SQLSTATE: SQLite's busy file and I/O failures, asyncpg's closed connection.
_OUTAGE_MESSAGES = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database",
    "connection is closed",
    "connection was closed",
)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached or dropped the connection.

    Such an error says nothing about the statement: run it again once the database is back.
    Anything else (a constraint, a bug in a query) would fail the same way again. A connection
    refused or reset surfaces as a bare ``OSError`` from the driver's connect; a connection
    lost mid-statement as a ``DBAPIError`` that invalidated the connection; a locked SQLite
    file as an ``OperationalError``.
    """
    if isinstance(exc, OSError | TimeoutError | sa_exc.TimeoutError):
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc.orig, OSError | TimeoutError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate)[:2] in _TRANSIENT_SQLSTATE_CLASSES
    message = str(exc.orig).lower()
    return any(sign in message for sign in _OUTAGE_MESSAGES)


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def checkpoint_wal(engine: AsyncEngine, every: float = 5.0) -> None:
    """Copy SQLite's write-ahead log into the database file every ``every`` seconds, until cancelled.

    A PASSIVE checkpoint waits for no reader or writer, so votes keep committing while it runs
    (in the driver's thread, outside the event loop); it keeps the WAL file from growing without
    the stall an automatic checkpoint puts into one unlucky commit.
    """
    while True:
        await asyncio.sleep(every)
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # a busy or closing database: try again next time
            log.debug("WAL checkpoint skipped", exc_info=True)


async def warm_pool(engine: AsyncEngine, connections: int = 3) -> None:
    """Open ``connections`` pooled connections now, so the first burst of votes does not wait
    while a connection (a thread and a file handle each, with aiosqlite) is opened for the reads
    and writes that go through the engine: measured at about 60 ms, the slowest press of a first
    burst. (The votes themselves are written by :class:`storage.sqlite_writer.SqliteThreadWriter`.)"""
    opened = [await engine.connect() for _ in range(connections)]
    for connection in opened:
        await connection.close()  # back into the pool, still open
