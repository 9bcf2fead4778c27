"""The PostgreSQL vote path does no work per batch that does not depend on the batch (issue 19).

Two bot processes on one PostgreSQL under a burst of votes (bench/scaleout.py) spent their time
on round trips and SQL preparation rather than on the votes: a pre-ping (BEGIN, an empty query,
ROLLBACK) on every checkout of a pooled connection, and a presses insert whose SQL text changed
with every batch size. These tests watch the statements that reach the server.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text

from facilitation.model import Language, RoundKind, RoundStatus
from storage.database import PING_AFTER_IDLE_SECONDS, create_engine
from storage.repository import SqlStore

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def _backend_pid(engine: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_burst_of_checkouts_pings_nothing_and_an_idle_dropped_connection_is_replaced(
    pg_database: str,
) -> None:
    engine = create_engine(pg_database, timeout=5.0)
    try:
        queries: list[str] = []
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            raw.add_query_logger(lambda record: queries.append(record.query))
        for _ in range(20):  # a burst: the same connection again and again, within milliseconds
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        pings = [q for q in queries if q.strip() == ";"]
        assert len(queries) >= 20, queries  # the logger saw the burst's statements
        assert pings == [], f"{len(pings)} pings for 20 checkouts in a burst"

        # The server drops the connection while it sits idle: the next checkout finds out
        # (a ping, the connection has been idle) and hands out a new one; nothing fails.
        dropped = await _backend_pid(engine)
        admin = await asyncpg.connect(pg_database.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", dropped)
        finally:
            await admin.close()
        await asyncio.sleep(PING_AFTER_IDLE_SECONDS + 0.3)
        assert await _backend_pid(engine) != dropped
    finally:
        await engine.dispose()


async def test_a_batch_of_presses_is_recorded_by_the_same_statement_whatever_its_size(
    pg_database: str,
) -> None:
    engine = create_engine(pg_database, timeout=5.0)
    store = SqlStore(engine)
    statements: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "presses" in statement and statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    try:
        workshop = await store.create_workshop("p", "Verkstad", "KOD123", Language.SV, NOW)
        assert workshop is not None
        round_ = await store.create_round(
            workshop.id, RoundKind.BAROMETER, "Runda", [("Ett", "a"), ("Två", "b")], {"scale_steps": 5}
        )
        assert await store.transition_round(round_.id, RoundStatus.DRAFT, RoundStatus.OPEN, NOW)
        item = round_.items[0].id
        assert await store.set_response(round_.id, item, "p1", 1, NOW, "press-1")  # a batch of one
        saved = await asyncio.gather(  # a batch of three, one of them delivered again
            store.set_response(round_.id, item, "p2", 2, NOW, "press-2"),
            store.set_response(round_.id, item, "p3", 3, NOW, "press-3"),
            store.set_response(round_.id, item, "p1", 5, NOW, "press-1"),
        )
        assert saved == [True, True, True]
        answers = {r.participant_key: r.value for r in await store.responses(round_.id)}
        assert answers == {"p1": 1, "p2": 2, "p3": 3}  # the press delivered again changed nothing
        assert len(statements) == 2, statements
        assert len(set(statements)) == 1, statements  # one SQL text: compiled and prepared once
    finally:
        await store.aclose()
        await engine.dispose()
