"""Applying Alembic migrations from code (``dialogbot db upgrade`` and SQLite's first start).

Alembic (with Mako and Pygments, ~10 MiB) is loaded only to migrate: a bot on a database that is
already current asks which revision it is at, and which is the newest, without it (the
readiness probe asks that all the time).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
SECRET_ATTRIBUTE = "pseudonym_secret"  # how a migration that re-keys data gets the secret
VERSION_TABLE = "alembic_version"  # Alembic's default, where it keeps the revision reached
_REVISION = re.compile(r"""^(down_)?revision\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|None)""", re.MULTILINE)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision: the one no other migration revises (the migrations are linear).

    Read from the migration files' ``revision`` and ``down_revision`` lines rather than through
    Alembic's ScriptDirectory (tests/test_migrations.py checks the two agree).
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, revision in _REVISION.findall(script.read_text(encoding="utf-8")):
            if revision:
                (revised if down else revisions).add(revision)
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have one head, not {sorted(heads)}")
    return heads.pop()


def _upgrade_sync(connection: Connection, config: Config, revision: str) -> None:
    from alembic import command

    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(
    url: str, engine: AsyncEngine | None = None, *, secret: str = "", revision: str = "head"
) -> str:
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
        return await connection.run_sync(_stored_revision)


def _stored_revision(connection: Connection) -> str | None:
    """What Alembic's MigrationContext.get_current_revision reads, for a linear history."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one_or_none()
