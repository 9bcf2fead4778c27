"""What the calendar sync adds to every dispatcher tick, and what one change costs.

Usage: python bench/calendar_sync.py [--contacts 1000] [--meetings 5] [--database-url URL]

A process with ``--meetings`` yearly meetings (each with a 10-day nudge) and ``--contacts``
contacts on a fresh SQLite file (or the PostgreSQL database named, whose meetings tables must be
empty): every contact first holds a calendar file of each meeting's next occurrence; then printed:
the first sync (creates the occurrence states and plans the nudges), the steady-state sync (what
every tick pays when nothing changed), and a sync that notices one meeting moved and plans the
update for every holder in one transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from facilitation.meetings import parse_meetings
from facilitation.meetings.calendar_book import UPDATE
from facilitation.meetings.calendar_sync import plan_welcome, sync
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore
from storage.migrate import upgrade

NOW = datetime(2027, 2, 20, 9, tzinfo=UTC)


def config(contacts: int, meetings: int, shift_days: int = 0):  # type: ignore[no-untyped-def]
    return parse_meetings(
        {
            "signatories": [
                {
                    "key": f"org{s}",
                    "name": f"Organisation {s}",
                    "contacts": [
                        {"key": f"c{s}-{i}", "name": f"Kontakt {i}", "local": f"u{s}-{i}"}
                        for i in range(contacts // 10)
                    ],
                }
                for s in range(10)
            ],
            "meetings": [
                {
                    "key": f"m{m}",
                    "title": f"Möte {m}",
                    "start": f"2027-03-{9 + m + (shift_days if m == 0 else 0):02d}T10:00",
                    "rrule": "FREQ=YEARLY",
                    "nudge_offsets": ["10d"],
                    "reminder_offsets": ["1d"],
                }
                for m in range(meetings)
            ],
        },
        "bench.toml",
        "bench",
    )


async def main(args: argparse.Namespace) -> None:
    url = args.database_url or f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    engine = create_engine(url)
    if url.startswith("sqlite"):
        await upgrade(url, engine)
    store = SqlMeetingStore(engine)
    try:
        await store.import_config(config(args.contacts, args.meetings))
        for contact in await store.contacts():  # everyone holds the next occurrence's file
            await plan_welcome(store, contact, NOW)
        for row in await store.deliveries():
            await store.mark_file_sent(row.id, NOW)
        horizon = timedelta(days=35)
        known: set[tuple[str, int, int]] = set()
        started = time.perf_counter()
        first = await sync(store, NOW, horizon, known)
        print(
            f"first sync: {time.perf_counter() - started:.3f} s ({first.tracked} occurrences, {first.nudges} nudges planned)"
        )
        times = []
        for _ in range(10):
            started = time.perf_counter()
            steady = await sync(store, NOW, horizon, known)
            times.append(time.perf_counter() - started)
        assert steady.updates == steady.nudges == 0
        print(f"steady sync (nothing changed): median {statistics.median(times) * 1000:.1f} ms over 10")
        await store.import_config(config(args.contacts, args.meetings, shift_days=1))
        started = time.perf_counter()
        moved = await sync(store, NOW, horizon, known)
        print(f"sync noticing a move: {time.perf_counter() - started:.3f} s, {moved.updates} updates planned")
        assert moved.updates == args.contacts // 10 * 10
        assert len([r for r in await store.deliveries() if r.kind == UPDATE]) == moved.updates
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--meetings", type=int, default=5)
    parser.add_argument("--database-url", default="")
    asyncio.run(main(parser.parse_args()))
