"""The bot's files are its own: directories it creates are 0700 and its files 0600, whatever the umask.

The data directory holds the database (answers under pseudonymous keys), perhaps the secret that
derives those keys, and charts and exports. Nobody else on the server needs to read any of it,
and the usual umask of 022 would make all of it world-readable. An existing directory keeps its
mode (an operator may have chosen it); the files in it are made owner-only all the same.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` as a directory; created (with missing parents) readable by its owner only."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (replacing it), readable and writable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(fd, PRIVATE_FILE)
        handle.write(data)
    return path


def make_sqlite_files_private(database: Path) -> None:
    """The SQLite file and the ``-wal``/``-shm``/``-journal`` files beside it, owner-only.

    Called when SQLite has just opened (and perhaps created, with mode 0644 less the umask) the
    file, before anything is written: SQLite gives the write-ahead log and shared-memory files it
    creates later the database file's mode, so they follow. Companions left by an older version
    are changed too.
    """
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal"))):
        if path.exists():
            path.chmod(PRIVATE_FILE)
