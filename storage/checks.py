"""Whether the configured database can be used, said as one paragraph an operator can act on.

A database that cannot be reached, a role or database that does not exist, or an SQLite file in
a place that cannot be written would otherwise surface as a driver's exception with a long
traceback. :func:`database_errors` turns those into a :class:`DatabaseError` that names the
setting (``database_url``), the server or file, the problem and the fix; :func:`check_database`
connects without creating or changing anything (``dialogbot config check`` and the start of
``dialogbot run``).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from config.errors import CORRECT_AND_RETRY, SERVICE_UNREACHABLE, OperatorError
from storage.database import create_engine, is_sqlite, sqlite_file
from storage.migrate import current_revision, head_revision, upgrade

SETTING = "database_url"
_CLASS_PREFIX = re.compile(r"^<class '[^']+'>: ")


class DatabaseError(OperatorError):
    """The database named by ``database_url`` cannot be used as it is."""

    label = "database error"


class SchemaOutOfDate(DatabaseError):
    """A PostgreSQL schema behind the newest migration; ``dialogbot db upgrade`` brings it up."""


def shown_url(url: str) -> str:
    """The URL as an operator may see it: never the password."""
    return make_url(url).render_as_string(hide_password=True)


def _postgres_fix(sqlstate: str | None, problem: str, url: str) -> tuple[str, int]:
    """The fix for a PostgreSQL refusal (by SQLSTATE) and the exit code."""
    parsed = make_url(url)
    user, database = parsed.username or "dialogbot", parsed.database or "dialogbot"
    if sqlstate == "28000" and "does not exist" in problem:
        return (
            f"create the role as the postgres superuser (`createuser --pwprompt {user}`, or in psql "
            f"`CREATE ROLE {user} LOGIN PASSWORD '…';`) or correct the user in {SETTING}"
        ), CORRECT_AND_RETRY
    if sqlstate == "28000":
        return (
            f"allow this user and host in the server's pg_hba.conf, or correct {SETTING}"
        ), CORRECT_AND_RETRY
    if sqlstate == "28P01":
        return (
            f"correct the password in {SETTING} (or set the role's password with ALTER ROLE)",
            CORRECT_AND_RETRY,
        )
    if sqlstate == "3D000":
        return (
            f"create it as the postgres superuser (`createdb --owner {user} {database}`, or in psql "
            f"`CREATE DATABASE {database} OWNER {user};`), then run `dialogbot db upgrade`"
        ), CORRECT_AND_RETRY
    if sqlstate == "42501":
        return (
            f"give the role {user} the rights it needs on {database} (it should own the database)",
            CORRECT_AND_RETRY,
        )
    return "check the server's log, then start again", SERVICE_UNREACHABLE


def _os_problem(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[0].lower() + text[1:] if text else type(exc).__name__


def database_failure(exc: BaseException, url: str) -> DatabaseError | None:
    """The operator's paragraph for ``exc`` raised while opening ``url``; None if it is not about that."""
    if isinstance(exc, DatabaseError):
        return exc
    if is_sqlite(url):
        return _sqlite_failure(exc, url)
    where = f"PostgreSQL at {shown_url(url)} ({SETTING})"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        problem = (
            _CLASS_PREFIX.sub("", str(exc.orig)).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
        )
        fix, code = _postgres_fix(sqlstate, problem, url)
        return DatabaseError(f"{where} refused the connection: {problem}. Fix: {fix}.", exit_code=code)
    if isinstance(exc, TimeoutError):
        return DatabaseError(
            f"{where} did not answer in time. Fix: start PostgreSQL or correct the host and "
            f"port in {SETTING}, then start again.",
            exit_code=SERVICE_UNREACHABLE,
        )
    if isinstance(exc, OSError):
        return DatabaseError(
            f"cannot connect to {where}: {_os_problem(exc)}. Fix: start PostgreSQL or correct "
            f"the host and port in {SETTING}, then start again.",
            exit_code=SERVICE_UNREACHABLE,
        )
    return None


async def open_database(
    url: str, *, migrate: bool = True, secret: str = "", wait_limit: float | None = None
) -> AsyncEngine:
    """An engine on ``url`` at the newest schema, or a :class:`DatabaseError`.

    An SQLite file is migrated when ``migrate`` (the bot does that on start; a listing does not),
    with the installation's ``secret`` (see :func:`storage.migrate.upgrade`); PostgreSQL must
    already be at the newest schema (``dialogbot db upgrade``), as must an SQLite file that is not
    migrated here. ``wait_limit``: the ``timeout`` of :func:`storage.database.create_engine`.
    """
    with database_errors(url):
        engine = create_engine(url, timeout=wait_limit)
        try:
            if is_sqlite(url) and migrate:
                if await current_revision(engine) != head_revision():  # Alembic only to migrate
                    await upgrade(url, engine, secret=secret)
            elif (revision := await current_revision(engine)) != head_revision():
                raise schema_out_of_date(url, revision)
        except BaseException:
            await engine.dispose()
            raise
        return engine


def _sqlite_failure(exc: BaseException, url: str) -> DatabaseError | None:
    file = sqlite_file(url)
    if isinstance(exc, DBAPIError) and isinstance(exc.orig, sqlite3.Error):
        problem = str(exc.orig)
    elif isinstance(exc, OSError):
        problem = _os_problem(exc)
    else:
        return None
    return DatabaseError(
        f"cannot use the SQLite file {file} ({SETTING}, or data_dir when {SETTING} is not set): "
        f"{problem}. Fix: give a directory this user can write in data_dir or {SETTING}, or make "
        "the file and its directory writable."
    )


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Inside: a failure to open or use the database at ``url`` leaves as a :class:`DatabaseError`."""
    try:
        yield
    except Exception as exc:
        failure = database_failure(exc, url)
        if failure is None or failure is exc:
            raise
        raise failure from exc


def creatable_problem(path: Path, *, directory: bool = False) -> str | None:
    """Why a file (or ``directory``) at ``path`` could not be created or written; nothing is
    created to find out. None when it can."""
    folder = path if directory else path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable by this user"
    return None


@dataclass(frozen=True)
class DatabaseState:
    """What :func:`check_database` found."""

    description: str
    revision: str | None
    exists: bool


async def check_database(url: str, *, require_newest: bool) -> DatabaseState:
    """Connect to ``url`` and read its schema revision, creating and changing nothing.

    A missing SQLite file is fine if it can be created (the bot creates and migrates it on start);
    ``require_newest``: a schema behind the newest migration is a :class:`SchemaOutOfDate`.
    """
    file = sqlite_file(url)
    if file is not None and not file.exists():
        problem = creatable_problem(file)
        if problem:
            raise DatabaseError(
                f"cannot create the SQLite file {file} ({SETTING}, or data_dir when {SETTING} is "
                f"not set): {problem}. Fix: give a directory this user can write."
            )
        return DatabaseState(f"SQLite file {file} (created on the first start)", None, False)
    with database_errors(url):
        engine = create_engine(url)
        try:
            revision = await current_revision(engine)
        finally:
            await engine.dispose()
    kind = f"SQLite file {file}" if file is not None else f"PostgreSQL at {shown_url(url)}"
    if require_newest and revision != head_revision():
        raise schema_out_of_date(url, revision)
    newest = "newest" if revision == head_revision() else f"newest is {head_revision()}"
    return DatabaseState(f"connected to {kind}, schema {revision or 'empty'} ({newest})", revision, True)


def schema_out_of_date(url: str, revision: str | None) -> SchemaOutOfDate:
    state = f"has its schema at {revision}" if revision else "is empty (no tables yet)"
    return SchemaOutOfDate(
        f"the database at {shown_url(url)} ({SETTING}) {state}, but this version of dialogbot "
        f"needs schema {head_revision()}. Fix: run `dialogbot db upgrade` first."
    )
