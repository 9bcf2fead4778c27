"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage.meetings_models  # noqa: F401  (registers the meetings tables)
from storage.database import create_engine
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base


async def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        if url.startswith("sqlite"):
            await upgrade(url, engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                           Base.metadata))
    finally:
        await engine.dispose()


async def test_sqlite_schema_matches_models(sqlite_url: str) -> None:
    assert await _differences(sqlite_url) == []


@pytest.mark.postgres
async def test_postgres_schema_matches_models(pg_database: str) -> None:
    assert await _differences(pg_database) == []
