"""Shared fixtures: stores on memory, SQLite and (when reachable) PostgreSQL.

PostgreSQL tests use ``DIALOGBOT_TEST_PG_URL`` (default: the local server as user postgres).
Without a reachable server they are skipped with the reason; with ``DIALOGBOT_REQUIRE_PG=1``
(set by CI) a missing server is a failure instead.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from facilitation.memory_store import MemoryStore

PG_ADMIN_URL = os.environ.get(
    "DIALOGBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "test-secret-that-is-long-enough"


def _pg_reachable() -> str | None:
    """None if PostgreSQL answers, else the reason."""
    import asyncpg

    async def probe() -> None:
        connection = await asyncpg.connect(_plain(PG_ADMIN_URL), timeout=3)
        await connection.close()

    try:
        in_thread(probe)
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL.split('@')[-1]}: {type(exc).__name__}: {exc}"
    return None


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URL of a reachable PostgreSQL, or skip (fail under DIALOGBOT_REQUIRE_PG=1)."""
    reason = _pg_reachable()
    if reason:
        if os.environ.get("DIALOGBOT_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_ADMIN_URL


def in_thread(make_coroutine) -> object:  # type: ignore[no-untyped-def]
    """Run a coroutine to completion on a loop of its own (usable while a test loop runs)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _fresh_pg_database(pg_server: str, migrated: bool) -> Iterator[str]:
    import asyncpg

    from storage.migrate import upgrade

    name = f"dialogbot_test_{uuid.uuid4().hex[:12]}"
    url = f"{pg_server.rsplit('/', 1)[0]}/{name}"

    async def create() -> None:
        connection = await asyncpg.connect(_plain(pg_server))
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()
        if migrated:
            await upgrade(url)

    async def drop() -> None:
        connection = await asyncpg.connect(_plain(pg_server))
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    in_thread(create)
    yield url
    in_thread(drop)


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test; dropped afterwards."""
    yield from _fresh_pg_database(pg_server, migrated=True)


@pytest.fixture
def pg_database_unmigrated(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (a migration test takes it where it needs); dropped afterwards."""
    yield from _fresh_pg_database(pg_server, migrated=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


async def _sql_store(url: str) -> AsyncIterator:
    from storage.database import create_engine
    from storage.migrate import upgrade
    from storage.repository import SqlStore

    engine = create_engine(url)
    if url.startswith("sqlite"):
        await upgrade(url, engine)
    store = SqlStore(engine)
    try:
        yield store
    finally:
        await store.aclose()
        await engine.dispose()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator:
    """Every Store implementation runs the same contract tests."""
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_database")
    async for sql_store in _sql_store(url):
        yield sql_store


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator:
    """A local-mode session on a temporary SQLite file (see tests/harness.py)."""
    from tests.harness import LocalHarness

    h = await LocalHarness.start(tmp_path)
    yield h
    await h.close()


@pytest.fixture
async def meetings_sqlite(tmp_path: Path) -> AsyncIterator:
    """A meetings store on a migrated temporary SQLite file."""
    from storage.database import create_engine
    from storage.meetings_repository import SqlMeetingStore
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'meetings.sqlite3'}"
    engine = create_engine(url)
    await upgrade(url, engine)
    yield SqlMeetingStore(engine)
    await engine.dispose()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator:
    """``cli(*argv)`` runs ``dialogbot --data-dir TMP/data *argv``: (exit code, stdout, stderr)."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no dialogbot.toml from the working directory
    # main() configures logging for a command-line run; later tests must not inherit it
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    root_level = logging.root.level

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / "data"), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run
    for name in logging.root.manager.loggerDict:
        logging.getLogger(name).setLevel(levels.get(name, logging.NOTSET))
    logging.root.setLevel(root_level)
