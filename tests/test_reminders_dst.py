"""Every reminder of a year, across both daylight-saving changes, with a fake clock.

Meetings at 02:00-02:59 on the last Sunday of October happen in the autumn fold, when the
clock shows that hour twice; written with the explicit ``+02:00``/``+01:00`` the importer asks
for, or produced by a weekly rule. Each reminder must be sent once, at its due instant, and
none may be skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time, occurrences
from storage.meetings_repository import SqlMeetingStore
from tests.test_reminders_dispatch import Clock, RecordingPort, _store, config, local

YEAR_START, YEAR_END = local(2027, 1, 1), local(2028, 1, 1)
MEETINGS = [
    {
        "key": "sondag-natt",
        "title": "Nattligt dialogmöte",
        "start": "2027-01-10T02:30",
        "rrule": "FREQ=WEEKLY;BYDAY=SU",
        "reminder_offsets": ["7d", "1d", "2h"],
    },
    {
        "key": "forsta-0230",
        "title": "Första halv tre",
        "start": "2027-10-31T02:30+02:00",
        "reminder_offsets": ["7d", "1d", "2h"],
    },
    {
        "key": "andra-0230",
        "title": "Andra halv tre",
        "start": "2027-10-31T02:30+01:00",
        "reminder_offsets": ["7d", "1d", "2h", "30m"],
    },
    {
        "key": "host-daglig",
        "title": "Daglig avstämning",
        "start": "2027-10-27T02:45",
        "rrule": "FREQ=DAILY;COUNT=10",
        "reminder_offsets": ["1d", "30m"],
    },
    {
        "key": "var-daglig",
        "title": "Daglig avstämning i mars",
        "start": "2027-03-24T02:15",
        "rrule": "FREQ=DAILY;COUNT=8",
        "reminder_offsets": ["1d", "30m"],
    },
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    if request.param == "sqlite":
        meetings = await _store(f"sqlite+aiosqlite:///{tmp_path / 'dst.sqlite3'}")
    else:
        meetings = await _store(request.getfixturevalue("pg_database"), migrate=False)
    yield meetings
    await meetings.engine.dispose()


async def test_every_reminder_of_a_year_is_sent_once_at_its_instant_none_skipped(
    store: SqlMeetingStore,
) -> None:
    cfg = config(meetings=MEETINGS)
    await store.import_config(cfg)
    expected: Counter[datetime] = Counter()
    in_the_fold = 0
    for meeting in cfg.meetings:
        for occurrence in occurrences(meeting, YEAR_START, YEAR_END):
            in_the_fold += occurrence.astimezone(UTC) in (
                datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
                datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
            )
            for offset in meeting.reminder_offsets:
                due = due_time(occurrence, offset).astimezone(UTC)
                if YEAR_START <= due < YEAR_END:
                    expected[due] += 1
    assert in_the_fold == 3  # the weekly rule's first 02:30 and both explicit ones
    clock = Clock(YEAR_START.astimezone(UTC))
    port = RecordingPort(clock=clock)
    dispatcher = Dispatcher(store, {"local": port}, None, clock=clock, ics="none")
    for due in sorted(expected):
        clock.set(due - timedelta(seconds=1))
        before = len(port.texts)
        await dispatcher.tick()
        assert len(port.texts) == before, f"sent early, before {due}"
        clock.set(due)
        result = await dispatcher.tick()
        assert result.skipped_keys == [], f"skipped at {due.isoformat()}"
        assert len(port.texts) == before + expected[due], f"not sent at {due.isoformat()}"
    sent_at = Counter(at for _, _, at in port.texts)
    assert sent_at == expected
    counts = await store.status_counts()
    assert counts["sent"] == sum(expected.values()) and counts["skipped"] == 0
