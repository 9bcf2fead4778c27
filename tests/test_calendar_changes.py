"""Calendar entries that stay right (issue 16): one stable UID per occurrence, SEQUENCE on every
change, an update when a meeting moves or its place or agenda changes, METHOD:CANCEL when it is
cancelled, each delivered exactly once to every contact who holds a calendar file of it.

Through the real Telegram client library (python-telegram-bot) against the Bot API stand-in, on
SQLite and PostgreSQL; the files each chat received are applied in order by a calendar client
that parses them with icalendar (tests/calendar_client.py).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import STOCKHOLM, Meeting, due_time, meeting_ics, parse_meetings
from facilitation.meetings.calendar_links import google_link, outlook_link
from facilitation.meetings.memory_store import MemoryMeetingStore
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore
from storage.migrate import upgrade
from tests.calendar_client import CalendarClient
from tests.reminder_platforms import Telegram, telegram

PROCESS = "varmland-2015"
DAY = timedelta(days=1)
CHATS = {"c0": 101, "c1": 102, "c2": 103}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def config(meetings: list[dict[str, object]] | None = None, late: bool = False):  # type: ignore[no-untyped-def]
    forum = [{"key": "c2", "name": "Cilla", "telegram": "103"}]
    if late:  # a contact added after the changes: their first file must carry the current SEQUENCE
        forum.append({"key": "c3", "name": "Dan", "telegram": "104"})
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [
                    {"key": "c0", "name": "Anna", "telegram": "101"},
                    {"key": "c1", "name": "Bo", "telegram": "102", "language": "en"},
                ],
            },
            {
                "key": "forum",
                "name": "Idéburna forum",
                "contacts": forum,
            },
        ],
        "meetings": meetings if meetings is not None else [meeting()],
    }
    return parse_meetings(doc, "test.toml", PROCESS)


def meeting(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "dialogmote",
        "title": "Årligt dialogmöte",
        "start": "2027-03-09T10:00",
        "place": "Residenset, Karlstad",
        "agenda": "1. Uppföljning",
    }
    base.update(changes)
    return base


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


async def _store(url: str) -> SqlMeetingStore:
    engine = create_engine(url)
    if url.startswith("sqlite"):
        await upgrade(url, engine)
    return SqlMeetingStore(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'meetings.sqlite3'}"
    else:
        yield request.getfixturevalue("pg_database")


def files_per_chat(platform: Telegram) -> dict[int, list[bytes]]:
    files: dict[int, list[bytes]] = defaultdict(list)
    for call in platform.api.calls_to("sendDocument"):
        if call.status == 200:
            files[int(call.params["chat_id"])].append(call.files["document"])
    return files


def texts_per_chat(platform: Telegram) -> dict[int, list[str]]:
    """Each chat's texts in order: a text message's, or a document's caption (a reminder or notice
    with its calendar file is one document, the text as its caption, when the text fits there)."""
    texts: dict[int, list[str]] = defaultdict(list)
    for call in list(platform.api.calls):
        if call.status == 200 and call.method == "sendMessage":
            texts[int(call.params["chat_id"])].append(str(call.params["text"]))
        elif call.status == 200 and call.method == "sendDocument":
            texts[int(call.params["chat_id"])].append(str(call.params.get("caption") or ""))
    return texts


def calendars(platform: Telegram) -> dict[int, CalendarClient]:
    clients = {}
    for chat, files in files_per_chat(platform).items():
        client = clients[chat] = CalendarClient()
        for data in files:
            client.apply(data)
    return clients


async def test_moving_changing_and_cancelling_leaves_exactly_one_right_entry(database: str) -> None:
    store = await _store(database)
    other = await _store(database)  # a second dispatcher process with its own engine
    try:
        await store.import_config(config())
        clock = Clock(due_time(local(2027, 3, 9, 10), 30 * DAY))
        async with telegram() as platform:
            first = Dispatcher(store, {"telegram": platform.port}, None, clock=clock, worker_id="one")
            second = Dispatcher(other, {"telegram": platform.port}, None, clock=clock, worker_id="two")

            result = await first.tick()  # the 30-day reminder with the calendar file
            assert result.sent == 3
            assert {chat: len(f) for chat, f in files_per_chat(platform).items()} == dict.fromkeys(
                CHATS.values(), 1
            )
            assert not platform.api.calls_to("sendMessage")  # each reminder is its calendar file
            reminder = texts_per_chat(platform)[101][0]
            assert "Lägg till i Google Kalender: https://calendar.google.com/calendar/render?" in reminder
            assert "Lägg till i Outlook: https://outlook.office.com/calendar/0/deeplink/compose?" in reminder

            # The meeting moves a day and to another place: one update per contact, exactly once.
            await store.import_config(config([meeting(start="2027-03-10T13:00", place="Kristinehamn")]))
            clock.advance(timedelta(hours=1))
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 3, results
            assert {chat: len(f) for chat, f in files_per_chat(platform).items()} == dict.fromkeys(
                CHATS.values(), 2
            )
            assert texts_per_chat(platform)[101][-1].startswith(
                "Ändrat: Årligt dialogmöte är nu onsdag 10 mars 2027 kl. 13.00–16.00 i Kristinehamn."
            )
            assert texts_per_chat(platform)[102][-1].startswith("Changed: Årligt dialogmöte is now Wednesday")
            for chat, client in calendars(platform).items():
                (entry,) = client.entries()  # one entry, not a second one beside the old
                assert entry.start.astimezone(UTC) == local(2027, 3, 10, 13).astimezone(UTC), chat
                assert entry.location == "Kristinehamn" and entry.sequence == 1
                assert entry.uid == f"{PROCESS}-dialogmote-0@dialogbot"

            # Ticking again (a redelivery, both processes) sends nothing more.
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 0

            # The agenda changes: SEQUENCE 2, again once per contact, both dispatchers ticking.
            changed = [meeting(start="2027-03-10T13:00", place="Kristinehamn", agenda="1. Ny punkt")]
            await store.import_config(config(changed))
            clock.advance(timedelta(hours=1))
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 3
            for client in calendars(platform).values():
                (entry,) = client.entries()
                assert entry.sequence == 2 and "1. Ny punkt" in entry.description

            # The 7-day reminder of the old date is skipped; the new date's comes without a
            # calendar file to those who hold the current one, and with it (SEQUENCE 2) to a
            # contact added meanwhile.
            await store.import_config(config(changed, late=True))
            clock.now = due_time(local(2027, 3, 10, 13), 7 * DAY).astimezone(UTC)
            result = await first.tick()
            assert result.sent == 4
            assert {chat: len(f) for chat, f in files_per_chat(platform).items()} == {
                101: 3,
                102: 3,
                103: 3,
                104: 1,
            }
            assert "om 7 dagar" in texts_per_chat(platform)[101][-1]
            (late_entry,) = calendars(platform)[104].entries()
            assert late_entry.sequence == 2 and late_entry.start == local(2027, 3, 10, 13)

            # The meeting is cancelled (gone from the file): METHOD:CANCEL, once per contact.
            await store.import_config(config([], late=True))
            clock.advance(timedelta(hours=1))
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 4
            assert texts_per_chat(platform)[101][-1].startswith("Inställt: Årligt dialogmöte")
            for chat, client in calendars(platform).items():
                assert client.entries() == [], chat
                assert client.applied == (2 if chat == 104 else 4)
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent + r.failed for r in results) == 0
    finally:
        await store.engine.dispose()
        await other.engine.dispose()


async def test_an_occurrence_dropped_from_a_series_is_cancelled_and_the_others_stay(database: str) -> None:
    store = await _store(database)
    weekly = meeting(start="2027-03-09T10:00", rrule="FREQ=WEEKLY;COUNT=4", reminder_offsets=["1d"])
    try:
        await store.import_config(config([weekly]))
        clock = Clock(due_time(local(2027, 3, 23, 10), DAY))  # the third one's reminder
        async with telegram() as platform:
            dispatcher = Dispatcher(store, {"telegram": platform.port}, None, clock=clock)
            assert (await dispatcher.tick()).sent == 3
            await store.import_config(config([{**weekly, "rrule": "FREQ=WEEKLY;COUNT=3"}]))
            clock.advance(timedelta(minutes=5))
            assert (await dispatcher.tick()).sent == 0  # the third is still there: nothing changed
            await store.import_config(config([{**weekly, "rrule": "FREQ=WEEKLY;COUNT=2"}]))
            clock.advance(timedelta(minutes=5))
            assert (await dispatcher.tick()).sent == 3  # now it is gone: a cancel to its holders
            for client in calendars(platform).values():
                assert client.entries() == []
            assert (await dispatcher.tick()).sent == 0
    finally:
        await store.engine.dispose()


async def test_nudge_only_to_contacts_whose_organisation_has_not_answered(database: str) -> None:
    store = await _store(database)
    other = await _store(database)
    try:
        await store.import_config(config([meeting(nudge_offsets=["10d"], reminder_offsets=["1d"])]))
        clock = Clock(due_time(local(2027, 3, 9, 10), 10 * DAY))
        (stored,) = await store.meetings()
        contacts = {c.contact.key: c for c in await store.contacts()}
        # Bo answered for Region Värmland; Anna (same organisation) is not nudged, Cilla is.
        from facilitation.meetings import Rsvp

        await store.set_rsvp(stored.id, local(2027, 3, 9, 10), contacts["c1"].id, Rsvp.KOMMER, clock())
        assert await store.organisation_answered(stored.id, local(2027, 3, 9, 10), contacts["c0"].id)
        assert not await store.organisation_answered(stored.id, local(2027, 3, 9, 10), contacts["c2"].id)
        async with telegram() as platform:
            dispatchers = [
                Dispatcher(s, {"telegram": platform.port}, None, clock=clock, worker_id=f"w{n}")
                for n, s in enumerate((store, other))
            ]
            results = await asyncio.gather(*(d.tick() for d in dispatchers))
            assert sum(r.sent for r in results) == 1 and sum(r.skipped for r in results) == 2
            assert list(texts_per_chat(platform)) == [103]
            assert texts_per_chat(platform)[103][0].startswith(
                "Er organisation har inte svarat om Årligt dialogmöte tisdag 9 mars 2027"
            )
            assert files_per_chat(platform) == {}  # a nudge is a question, not a calendar file
            clock.advance(timedelta(hours=2))
            results = await asyncio.gather(*(d.tick() for d in dispatchers))
            assert sum(r.sent for r in results) == 0  # one nudge per offset, never a second
    finally:
        await store.engine.dispose()
        await other.engine.dispose()


def test_calendar_links_carry_the_occurrence() -> None:
    once = Meeting(
        "dialogmote", PROCESS, "Årligt dialogmöte", local(2027, 3, 9, 10), place="Karlstad", agenda="1. A&B"
    )
    google = urlparse(google_link(once, once.start, "https://bot.example/m/x"))
    query = parse_qs(google.query)
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/render")
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["Årligt dialogmöte"]
    assert query["dates"] == ["20270309T090000Z/20270309T120000Z"]
    assert query["location"] == ["Karlstad"] and "1. A&B" in query["details"][0]
    outlook = urlparse(outlook_link(once, once.start))
    query = parse_qs(outlook.query)
    assert (outlook.netloc, outlook.path) == ("outlook.office.com", "/calendar/0/deeplink/compose")
    assert query["startdt"] == ["2027-03-09T09:00:00Z"] and query["enddt"] == ["2027-03-09T12:00:00Z"]
    assert query["subject"] == ["Årligt dialogmöte"] and query["location"] == ["Karlstad"]


def test_files_in_order_sequence_and_cancel_with_the_parser() -> None:
    """The stable UID: a moved occurrence keeps it; a late older file does not undo a newer one."""
    series = Meeting("m", PROCESS, "Möte", local(2027, 3, 9, 10), rrule="FREQ=YEARLY")
    moved = Meeting("m", PROCESS, "Möte", local(2027, 3, 16, 10), rrule="FREQ=YEARLY")
    old = meeting_ics(series, local(2028, 3, 9, 10))
    new = meeting_ics(moved, local(2028, 3, 16, 10), sequence=1)
    client = CalendarClient()
    for data in (old, new, old):  # the old one again, late: ignored (lower SEQUENCE)
        client.apply(data)
    (entry,) = client.entries()
    assert entry.start == local(2028, 3, 16, 10) and entry.uid == f"{PROCESS}-m-1@dialogbot"
    cancel = meeting_ics(moved, local(2028, 3, 16, 10), sequence=2, number=1, cancelled=True)
    assert b"METHOD:CANCEL" in cancel and b"STATUS:CANCELLED" in cancel
    client.apply(cancel)
    assert client.entries() == []


async def test_memory_store_records_a_change_once() -> None:
    from facilitation.meetings.calendar_book import UPDATE, OccurrenceState

    store = MemoryMeetingStore()
    await store.import_config(config())
    (stored,) = await store.meetings()
    state = OccurrenceState(stored.id, 0, local(2027, 3, 9, 10), "a")
    assert await store.add_occurrence(state) and not await store.add_occurrence(state)
    new = OccurrenceState(stored.id, 0, local(2027, 3, 10, 10), "b", 1)
    assert await store.apply_change(state, new, UPDATE, local(2027, 2, 1, 10), "u") == 0
    assert await store.apply_change(state, new, UPDATE, local(2027, 2, 1, 10), "u") is None  # lost the race
    (kept,) = await store.occurrence_states([stored.id])
    assert kept.sequence == 1 and kept.fingerprint == "b"
