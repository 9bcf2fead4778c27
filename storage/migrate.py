"""Applying Alembic migrations from code (``dialogbot db upgrade`` and SQLite's first start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
SECRET_ATTRIBUTE = "pseudonym_secret"  # how a migration that re-keys data gets the secret


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _upgrade_sync(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(url: str, engine: AsyncEngine | None = None, *, secret: str = "", revision: str = "head") -> str:
    """Bring the database at ``url`` to the newest schema (or ``revision``); returns the revision reached.

    ``secret`` is the installation's pseudonymisation secret: revision 0011 re-keys stored
    participants with it (see its docstring) and refuses to run on stored answers without it.
    """
    own = engine is None
    engine = engine or create_engine(url)
    config = alembic_config(url)
    config.attributes[SECRET_ATTRIBUTE] = secret
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_sync, config, revision)
        return await current_revision(engine) or ""
    finally:
        if own:
            await engine.dispose()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    async with engine.connect() as connection:
        return await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
