"""SQLite: a batch of answers is written on the writer thread's own connection, in one transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from facilitation.errors import DomainError
from facilitation.model import RoundKind
from facilitation.service import WorkshopService
from storage.database import create_engine, sqlite_file
from storage.migrate import upgrade
from storage.repository import SqlStore
from storage.sqlite_writer import SqliteThreadWriter
from tests.fixtures import PROCESSES


@pytest.fixture
async def file_store(tmp_path: Path) -> AsyncIterator[tuple[SqlStore, Path]]:
    path = tmp_path / "writer.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade(url, engine)
    store = SqlStore(engine)
    await store.open()
    try:
        yield store, path
    finally:
        await store.aclose()
        await engine.dispose()


async def _open_round(service: WorkshopService) -> tuple[int, int]:
    workshop = await service.create_workshop("varmland-2015", "Writer")
    round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1")])
    await service.open_round(round_.id)
    return round_.id, round_.items[0].id


def test_only_a_database_file_gets_a_writer_thread() -> None:
    assert sqlite_file("sqlite+aiosqlite:////data/dialogbot.sqlite3") == Path("/data/dialogbot.sqlite3")
    assert sqlite_file("sqlite+aiosqlite://") is None
    assert sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file("postgresql+asyncpg://dialogbot@127.0.0.1/dialogbot") is None


async def test_the_writer_connection_has_the_engine_settings(file_store: tuple[SqlStore, Path]) -> None:
    store, _path = file_store
    writer = store._answer_writer
    assert writer is not None

    def settings(connection) -> tuple:  # type: ignore[no-untyped-def]
        return tuple(
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "wal_autocheckpoint", "foreign_keys", "busy_timeout")
        )

    assert await writer.run(settings) == ("wal", 0, 1, 30000)


async def test_concurrent_answers_are_batched_and_read_back_by_the_engine(
    file_store: tuple[SqlStore, Path],
) -> None:
    store, _path = file_store
    service = WorkshopService(store, PROCESSES)
    round_id, item_id = await _open_round(service)
    await asyncio.gather(*(service.answer(round_id, item_id, f"p{i}", i % 5 + 1) for i in range(60)))
    assert store._answers.batches <= 5  # presses that arrived together shared a transaction (1 seen)
    await service.answer(round_id, item_id, "p0", 5)  # a later press replaces the earlier one
    responses = {r.participant_key: r.value for r in await store.responses(round_id)}
    assert len(responses) == 60 and responses["p0"] == 5 and responses["p1"] == 2
    assert len(await store.participants((await store.round(round_id)).workshop_id)) == 60


async def test_a_failing_batch_leaves_nothing_behind(file_store: tuple[SqlStore, Path]) -> None:
    store, path = file_store
    writer = store._answer_writer
    assert writer is not None

    def insert_then_fail(connection) -> None:  # type: ignore[no-untyped-def]
        connection.execute(text("INSERT INTO preferences (user_key, language) VALUES ('someone', 'en')"))
        raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        await writer.run(insert_then_fail)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM preferences").fetchone() == (0,)
    assert await writer.run(lambda c: c.exec_driver_sql("SELECT 1").scalar()) == 1  # still usable


async def test_a_batch_waits_for_another_writer_instead_of_failing(file_store: tuple[SqlStore, Path]) -> None:
    """BEGIN IMMEDIATE with the busy timeout: another process holding the write lock delays the
    batch; it does not fail with 'database is locked' nor read a status that then changes."""
    store, path = file_store
    service = WorkshopService(store, PROCESSES)
    round_id, item_id = await _open_round(service)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        pending = asyncio.ensure_future(service.answer(round_id, item_id, "waiting", 3))
        # a negative check needs a window: the batch is still waiting 0.3 s into the other's lock
        done, _ = await asyncio.wait({pending}, timeout=0.3)
        assert not done
        other.execute("UPDATE rounds SET status = 'closed' WHERE id = ?", (round_id,))
        other.execute("COMMIT")
        with pytest.raises(DomainError) as refused:  # the round closed before the batch could look
            await asyncio.wait_for(pending, 10)
        assert refused.value.key == "error.round_closed"
    finally:
        other.close()
    assert await store.responses(round_id) == []


async def test_a_closed_writer_refuses_work(tmp_path: Path) -> None:
    path = tmp_path / "closed.sqlite3"
    sqlite3.connect(path).close()
    writer = SqliteThreadWriter(f"sqlite+aiosqlite:///{path}")
    await writer.open()
    await writer.aclose()
    await writer.aclose()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        await writer.run(lambda c: None)
