"""One bot process per SQLite file, enforced with a lock held for the process's lifetime.

SQLite serves one writing bot process well; a second one on the same file would compete for the
write lock and run a second reminder dispatcher whose claims are not shared. ``<file>.lock`` next
to the database is locked with ``flock`` by the first bot process; a second process is refused
with a :class:`DatabaseInUse` naming the holder's pid. The kernel drops the lock when the holder
exits, also after ``kill -9``, so a stale lock file never blocks a restart.

Within one process the lock is shared (counted), so several :class:`~bot.app.App` objects of one
process - tests do that - do not refuse each other.
"""

from __future__ import annotations

import fcntl
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from config.errors import OperatorError


class DatabaseInUse(OperatorError):
    """Another bot process holds the SQLite file's lock."""

    label = "database error"


@dataclass
class _Held:
    fd: int
    users: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def acquire(database: Path) -> Path:
    """Lock ``database`` for this process (again, if it holds it already); returns the key to release."""
    key = lock_path(database).resolve()
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.users += 1
            return key
        key.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise DatabaseInUse(
                f"another dialogbot process (pid {holder}) is using the SQLite file {database} (lock {key}). "
                "SQLite serves one bot process per file: stop the other process first, or use PostgreSQL "
                "(database_url) to run several bot processes on one database."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _held[key] = _Held(fd, 1)
        return key


def release(key: Path) -> None:
    """Give up one use of the lock; the last use unlocks (the file stays, unlocked)."""
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.users -= 1
        if held.users == 0:
            del _held[key]
            os.close(held.fd)  # closing the only descriptor releases the flock
