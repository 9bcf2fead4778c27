"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import storage.meetings_models  # noqa: F401  (registers the meetings tables)
from facilitation.model import Language, Sector
from facilitation.pseudonym import Pseudonymizer
from storage import people_models as _people_models  # noqa: F401  (registers issue 20's tables)
from storage.database import create_engine
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base
from storage.repository import SqlStore
from tests.conftest import SECRET

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        if url.startswith("sqlite"):
            await upgrade(url, engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()


async def test_sqlite_schema_matches_models(sqlite_url: str) -> None:
    assert await _differences(sqlite_url) == []


@pytest.mark.postgres
async def test_postgres_schema_matches_models(pg_database: str) -> None:
    assert await _differences(pg_database) == []


def _revision_named(suffix: str) -> tuple[str, str]:
    """The revision in the file ending in ``suffix``, and the one before it (numbers change as
    others chain theirs)."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    found = next(r for r in script.walk_revisions() if r.path.endswith(suffix))
    assert isinstance(found.down_revision, str)
    return found.revision, found.down_revision


def _frozen_rounds_revision() -> tuple[str, str]:
    """The revision that freezes rounds, and the one before it."""
    return _revision_named("_frozen_rounds.py")


async def _closed_round_before_freezing(url: str) -> None:
    """A database one revision before freezing, holding a closed and an open round with answers."""
    from alembic import command
    from sqlalchemy import text

    from storage.migrate import alembic_config

    _, before = _frozen_rounds_revision()
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            config = alembic_config(url)

            def to_before(sync_connection) -> None:  # type: ignore[no-untyped-def]
                config.attributes["connection"] = sync_connection
                command.upgrade(config, before)

            await connection.run_sync(to_before)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO workshops (id, process_key, title, join_code, language, created_at) "
                    "VALUES (1, 'varmland-2015', 'Förr', 'ABCDEF', 'sv', CURRENT_TIMESTAMP)"
                )
            )
            for round_id, status in ((1, "closed"), (2, "open")):
                await connection.execute(
                    text(
                        "INSERT INTO rounds (id, workshop_id, kind, title, status, settings) "
                        f"VALUES ({round_id}, 1, 'barometer', 'B', '{status}', '{{}}')"
                    )
                )
                await connection.execute(
                    text(
                        f"INSERT INTO round_items (id, round_id, position, text, ref_key) VALUES ({round_id}, {round_id}, "
                        "0, 'Påstående', 'p')"
                    )
                )
            for index, sector in enumerate(["ideburen", "ideburen", "offentlig", None]):
                await connection.execute(
                    text(
                        "INSERT INTO participants (workshop_id, key, sector, joined_at) "
                        "VALUES (1, :key, :sector, CURRENT_TIMESTAMP)"
                    ),
                    {"key": f"k{index}", "sector": sector},
                )
                for round_id in (1, 2):
                    await connection.execute(
                        text(
                            "INSERT INTO responses (round_id, item_id, participant_key, value, updated_at) "
                            "VALUES (:r, :r, :key, :value, CURRENT_TIMESTAMP)"
                        ),
                        {"r": round_id, "key": f"k{index}", "value": index + 1},
                    )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_rounds_closed_before_freezing_are_frozen_by_the_migration(
    backend: str, sqlite_url: str, request: pytest.FixtureRequest
) -> None:
    from storage.repository import SqlStore

    url = sqlite_url if backend == "sqlite" else request.getfixturevalue("pg_database_unmigrated")
    await _closed_round_before_freezing(url)
    await upgrade(url, secret=SECRET)  # later revisions re-key the participants with the secret
    engine = create_engine(url)
    store = SqlStore(engine)
    try:
        closed, still_open = await store.round(1), await store.round(2)
        assert closed is not None and still_open is not None
        assert closed.turnout == 4 and all(item.frozen for item in closed.items)
        assert (
            closed.frame is None
        )  # fixed the first time its results are read (WorkshopService.result_frame)
        frozen = await store.frozen_answers(1)
        assert sorted((a.sector or "", a.value) for a in frozen) == [
            ("", 4),
            ("ideburen", 1),
            ("ideburen", 2),
            ("offentlig", 3),
        ]
        assert sorted(a.ballot for a in frozen) == [1, 2, 3, 4]
        assert await store.frozen_answers(2) == [] and not any(item.frozen for item in still_open.items)
    finally:
        await store.aclose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_per_workshop_keys_revision_rekeys_stored_participants(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """A database from before per-workshop keys: one key per person in every workshop. The upgrade
    re-keys participations and answers with the secret (and refuses without it, changing nothing);
    the bot then finds the person's answers under their key in each workshop."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_database_unmigrated")
    _, before = _revision_named("_per_workshop_keys.py")
    pseudonymizer = Pseudonymizer(SECRET)
    old = pseudonymizer.user_key("telegram", "4711")  # what was stored in every workshop before
    engine = create_engine(url)
    try:
        await upgrade(url, engine, revision=before)
        async with engine.begin() as connection:
            for workshop in (1, 2):
                await connection.execute(
                    text(
                        "INSERT INTO workshops (id, process_key, title, join_code, language, created_at) "
                        f"VALUES ({workshop}, 'varmland-2015', 'W{workshop}', 'CODE{workshop}', 'sv', :at)"
                    ),
                    {"at": NOW},
                )
                await connection.execute(
                    text(
                        "INSERT INTO rounds (id, workshop_id, kind, title, status, settings) "
                        f"VALUES ({workshop}, {workshop}, 'barometer', 'B', 'open', '{{}}')"
                    )
                )
                await connection.execute(
                    text(
                        f"INSERT INTO round_items (id, round_id, position, text, ref_key) VALUES "
                        f"({workshop}, {workshop}, 0, 'P', 'p')"
                    )
                )
                for key, value in ((old, 4), ("someone-else", 2)):
                    await connection.execute(
                        text(
                            "INSERT INTO participants (workshop_id, key, sector, joined_at) "
                            f"VALUES ({workshop}, :key, 'ideburen', :at)"
                        ),
                        {"key": key, "at": NOW},
                    )
                    await connection.execute(
                        text(
                            "INSERT INTO responses (round_id, item_id, participant_key, value, updated_at) "
                            f"VALUES ({workshop}, {workshop}, :key, {value}, :at)"
                        ),
                        {"key": key, "at": NOW},
                    )
            await connection.execute(
                text("INSERT INTO preferences (user_key, language) VALUES (:k, 'en')"), {"k": old}
            )
        with pytest.raises(RuntimeError, match="needs the installation's secret"):
            await upgrade(url, engine)
        assert await current_revision(engine) == before
        await upgrade(url, engine, secret=SECRET)
        assert await current_revision(engine) == head_revision()
        store = SqlStore(engine)
        try:
            for workshop in (1, 2):
                new = pseudonymizer.participant_key("telegram", "4711", workshop)
                assert await store.own_responses(workshop, new) == {workshop: 4}
                participant = await store.participant(workshop, new)
                assert participant is not None and participant.sector == Sector.IDEBUREN
                assert await store.own_responses(workshop, old) == {}
            assert await store.language(old) == Language.EN  # a preference stays under the user key
            assert len(await store.responses(1)) == 2
        finally:
            await store.aclose()
    finally:
        await engine.dispose()


def test_the_newest_revision_read_from_the_files_is_alembics_head() -> None:
    """head_revision() reads the migration files without Alembic (kept out of the bot's memory)."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_revision_read_without_alembic_is_alembics(
    database: str, request: pytest.FixtureRequest
) -> None:
    """current_revision() on an empty database, one behind the newest and the newest, as Alembic reads it."""
    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "pg_database_unmigrated")
    engine = create_engine(url)
    try:
        for target in (None, "0011", "head"):
            if target is not None:
                await upgrade(url, engine, revision=target)
            async with engine.connect() as connection:
                alembic = await connection.run_sync(
                    lambda c: MigrationContext.configure(c).get_current_revision()
                )
            assert (
                await current_revision(engine)
                == alembic
                == {None: None, "0011": "0011"}.get(target, head_revision())
            )
    finally:
        await engine.dispose()
