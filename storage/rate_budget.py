"""Platform rate limits shared by every bot process on one PostgreSQL database.

Telegram limits a bot *token* to about 30 messages a second and Slack a *workspace*, whatever
number of processes send for them: two processes that each pace themselves to the limit send
twice the limit together. Here a limit of N messages per P seconds is N rows of
``rate_slots`` ("places"), and a message may go out only while it holds a place:

* **take**: one ``UPDATE … WHERE slot = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING``
  claims a free place, atomically across processes, and stamps it with the database's clock;
* **give back**: after the platform answered, the place is stamped ``done_at`` and stays
  occupied for P more seconds.

A place is free when it was given back at least P seconds ago (or never used, or its holder
died mid-call: it is older than ``stale``, or its holder has taken no place of the budget for
``silent`` seconds, which a dead process does not and a sending one does). So at every moment
at most N messages are in flight or completed within the last P seconds, the platform's own
sliding window sees at most N in any P seconds, and no two processes can both use the last
place. Times come from the
database's ``clock_timestamp()``, one clock for every process.

This is PostgreSQL only: on SQLite a single bot process owns the file and paces alone. Redis is
not needed: the database that several processes already share does this at about 60 short
statements a second at Telegram's full rate. Budget keys are hashes (never a token or an id).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

STALE_AFTER = 60.0  # seconds: a place taken and never given back (its process died mid-call)
#: Seconds after which a place still in flight is free when its holder has taken no other place
#: of the budget meanwhile: a process killed mid-call held its places for STALE_AFTER, a few
#: percent of the limit for a minute (bench/reminders.py --kill-after). Above the 20 s a Bot API
#: upload may take (PTB's media write timeout), so a live process's slow call keeps its place.
SILENT_HOLDER = 25.0
RECENT_WINDOWS = 10  # a process that took a place within this many windows counts as sending


class Taken(NamedTuple):
    slot: int | None  # the place taken, or None: all are occupied
    wait: float  # then: seconds until the earliest one frees up
    senders: int  # processes (this one included) that used the budget lately


_PREPARE = text("""
    INSERT INTO rate_slots (budget, slot)
    SELECT :budget, generate_series(0, :places - 1)
    ON CONFLICT DO NOTHING
""")
_TAKE = text("""
    WITH taken AS (
        UPDATE rate_slots SET holder = :holder, taken_at = clock_timestamp(), done_at = NULL
        WHERE budget = :budget AND slot = (
            SELECT slot FROM rate_slots AS place
            WHERE budget = :budget AND slot < :places AND (
                taken_at IS NULL
                OR done_at <= clock_timestamp() - make_interval(secs => :period)
                OR (done_at IS NULL AND taken_at <= clock_timestamp() - make_interval(secs => :stale))
                OR (done_at IS NULL AND taken_at <= clock_timestamp() - make_interval(secs => :silent)
                    AND NOT EXISTS (
                        SELECT 1 FROM rate_slots AS other
                        WHERE other.budget = :budget AND other.holder = place.holder
                          AND other.taken_at > clock_timestamp() - make_interval(secs => :silent))))
            ORDER BY done_at NULLS FIRST
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING slot)
    SELECT (SELECT slot FROM taken),
           (SELECT count(DISTINCT holder) FILTER (WHERE holder <> :holder) + 1 FROM rate_slots
            WHERE budget = :budget AND taken_at > clock_timestamp() - make_interval(secs => :period * :recent))
""")
_NEXT_FREE = text("""
    SELECT EXTRACT(EPOCH FROM min(done_at) + make_interval(secs => :period) - clock_timestamp())
    FROM rate_slots WHERE budget = :budget AND slot < :places AND done_at IS NOT NULL
""")
_GIVE_BACK = text("""
    UPDATE rate_slots SET done_at = clock_timestamp() - make_interval(secs => :ago)
    WHERE budget = :budget AND slot = :slot AND holder = :holder AND done_at IS NULL
""")


def budget_key(*parts: str) -> str:
    """The stored name of a budget: a SHA-256 of its parts (e.g. the platform and its token)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class RateBudgets:
    """Places of shared rate limits in PostgreSQL; one instance per process (its holder id)."""

    def __init__(self, engine: AsyncEngine, *, silent: float = SILENT_HOLDER) -> None:
        """``silent``: see :data:`SILENT_HOLDER` (a test shortens it)."""
        if engine.dialect.name != "postgresql":
            raise ValueError("shared rate budgets need PostgreSQL")
        self.engine = engine
        self.holder = uuid.uuid4().hex
        self.silent = silent

    async def prepare(self, budget: str, places: int) -> None:
        """Create the budget's places (idempotent; every process may do it)."""
        async with self.engine.begin() as connection:
            await connection.execute(_PREPARE, {"budget": budget, "places": places})

    async def take(self, budget: str, places: int, period: float) -> Taken:
        """A free place, or None and the seconds until the earliest occupied one frees up (0 when
        all are in flight: ask again shortly); and how many processes used the budget lately."""
        values = {
            "budget": budget,
            "places": places,
            "period": period,
            "holder": self.holder,
            "stale": STALE_AFTER,
            "silent": self.silent,
            "recent": RECENT_WINDOWS,
        }
        async with self.engine.begin() as connection:
            slot, senders = (await connection.execute(_TAKE, values)).one()
            if slot is not None:
                return Taken(int(slot), 0.0, int(senders))
            wait = (await connection.execute(_NEXT_FREE, values)).scalar()
        return Taken(None, max(float(wait or 0.0), 0.0), int(senders))

    async def give_back(self, budget: str, slot: int, ago: float = 0.0) -> None:
        """The message is done: the place counts for ``period`` more seconds from when it completed,
        ``ago`` seconds before this statement runs (the caller's own measure of the time between
        the platform's answer and now: waiting for a connection, the round trip, a busy loop).

        Stamping the database's "now" instead counted every place that much longer than the
        platform does, and at 30 places a second tens of milliseconds of give-back lag cost a
        few percent of the limit. Backdating to the completion is still safe: the platform saw
        the message before it completed, so every window of its own holding that message is
        covered here too."""
        values = {"budget": budget, "slot": slot, "holder": self.holder, "ago": max(ago, 0.0)}
        async with self.engine.begin() as connection:
            await connection.execute(_GIVE_BACK, values)
