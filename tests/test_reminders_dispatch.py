"""The reminder dispatcher against a real database with a controllable clock.

Yearly recurrence over several years, reminders in the DST weeks, a dispatcher killed
mid-fan-out, downtime catch-up, opt-out; on PostgreSQL two dispatchers with separate engines
deliver to 1,000 contacts exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import STOCKHOLM, Meeting, MeetingsConfig, due_time, occurrences, parse_meetings
from facilitation.ports import Attachment, ChatRef, MessageRef, PortDefaults
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore
from storage.migrate import upgrade
from tests.waiting import eventually

DAY = timedelta(days=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


class RecordingPort(PortDefaults):
    """A platform port that records what was accepted, with the clock time of acceptance."""

    def __init__(self, platform: str = "local", clock: Clock | None = None) -> None:
        self.platform = platform
        self.clock = clock
        self.texts: list[tuple[str, str, datetime | None]] = []
        self.files: list[tuple[str, Attachment]] = []
        self.block_after: int | None = None
        self.blocked = asyncio.Event()

    async def send_text(self, chat: ChatRef, text: str, buttons=None) -> MessageRef:  # type: ignore[no-untyped-def]
        if self.block_after is not None and len(self.texts) >= self.block_after:
            self.blocked.set()
            await asyncio.Event().wait()  # the process "dies" here
        await asyncio.sleep(0)
        self.texts.append((chat.chat_id, text, self.clock() if self.clock else None))
        return MessageRef(chat, str(len(self.texts)))

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        self.files.append((chat.chat_id, attachment))
        return MessageRef(chat, "f")

    def per_chat(self) -> Counter[str]:
        return Counter(chat for chat, _, _ in self.texts)


def config(*, contacts: int = 1, meetings: list[dict] | None = None, platform: str = "local"):  # type: ignore[no-untyped-def]
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [
                    {"key": f"c{i}", "name": f"Kontakt {i}", platform: f"{i + 1}"} for i in range(contacts)
                ],
            }
        ],
        "meetings": meetings
        or [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "place": "Karlstad",
                "rrule": "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
            }
        ],
    }
    return parse_meetings(doc, "test.toml", "varmland-2015")


async def _store(url: str, migrate: bool = True) -> SqlMeetingStore:
    engine = create_engine(url)
    if migrate:
        await upgrade(url, engine)
    return SqlMeetingStore(engine)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    s = await _store(f"sqlite+aiosqlite:///{tmp_path / 'meetings.sqlite3'}")
    yield s
    await s.engine.dispose()


def dispatcher(store: SqlMeetingStore, port: RecordingPort, clock: Clock, **options: object) -> Dispatcher:
    return Dispatcher(store, {port.platform: port}, None, clock=clock, **options)  # type: ignore[arg-type]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


async def test_yearly_meeting_reminds_on_time_for_several_years(store: SqlMeetingStore) -> None:
    cfg = config()
    await store.import_config(cfg)
    clock = Clock(local(2027, 1, 1))
    port = RecordingPort(clock=clock)
    d = dispatcher(store, port, clock)
    meeting = cfg.meetings[0]
    expected = []
    for occurrence in occurrences(meeting, local(2027, 1, 1), local(2031, 1, 1)):
        for offset in meeting.reminder_offsets:
            expected.append((occurrence, offset, due_time(occurrence, offset)))
    assert [o.date().isoformat() for o in {e[0] for e in expected}] != []
    assert sorted({e[0].date().isoformat() for e in expected}) == [
        "2027-03-09",
        "2028-03-14",
        "2029-03-13",
        "2030-03-12",
    ]
    for occurrence, _offset, due in expected:
        clock.set(due - timedelta(minutes=1))
        before = len(port.texts)
        await d.tick()
        assert len(port.texts) == before, f"sent early before {due}"
        clock.set(due)
        await d.tick()
        assert len(port.texts) == before + 1
        assert port.texts[-1][2] == due.astimezone(UTC)
        assert to_local_hhmm(port.texts[-1][2]) == "10:00"  # local wall time of a 10.00 meeting
        assert f"{occurrence.day} mars {occurrence.year}" in port.texts[-1][1]
    counts = await store.status_counts()
    assert counts["sent"] == 12 and counts["pending"] == 0 and counts["claimed"] == 0


def to_local_hhmm(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone(STOCKHOLM).strftime("%H:%M")


@pytest.mark.parametrize(
    ("start", "dues_utc"),
    [
        # Spring: clocks go forward on Sunday 28 March 2027; 10.00 is 09:00 UTC before, 08:00 after.
        ("2027-03-30T10:00", ["2027-03-23T09:00", "2027-03-29T08:00", "2027-03-30T06:00"]),
        # Autumn: clocks go back on Sunday 31 October 2027; 10.00 is 08:00 UTC before, 09:00 after.
        ("2027-11-02T10:00", ["2027-10-26T08:00", "2027-11-01T09:00", "2027-11-02T07:00"]),
    ],
)
async def test_reminders_land_at_local_time_in_dst_weeks(
    store: SqlMeetingStore, start: str, dues_utc: list[str]
) -> None:
    await store.import_config(
        config(
            meetings=[
                {"key": "dst", "title": "Dialogträff", "start": start, "reminder_offsets": ["7d", "1d", "2h"]}
            ]
        )
    )
    clock = Clock(local(2027, 3, 1) if start.startswith("2027-03") else local(2027, 10, 1))
    port = RecordingPort(clock=clock)
    d = dispatcher(store, port, clock)
    await d.tick()
    for index, due in enumerate(dues_utc):
        moment = datetime.fromisoformat(due).replace(tzinfo=UTC)
        clock.set(moment - timedelta(seconds=1))
        await d.tick()
        assert len(port.texts) == index
        clock.set(moment)
        await d.tick()
        assert len(port.texts) == index + 1
    # 7 days and 1 day before are 10.00 local across the change; 2 hours before is real hours.
    assert [to_local_hhmm(at) for _, _, at in port.texts] == ["10:00", "10:00", "08:00"]


async def test_dispatcher_killed_mid_fan_out_next_run_sends_the_rest_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kill.sqlite3'}"
    first_store = await _store(url)
    await first_store.import_config(config(contacts=50))
    due = due_time(local(2027, 3, 9, 10), timedelta(days=1))
    clock = Clock(due.astimezone(UTC))
    port = RecordingPort(clock=clock)
    port.block_after = 20
    dying = dispatcher(first_store, port, clock, batch=10, concurrency=4)
    task = asyncio.create_task(dying.tick())
    await asyncio.wait_for(port.blocked.wait(), 10)
    # Let the other workers record the sends the platform accepted (dying *between* an accepted
    # send and its mark is the documented at-least-once window), then the process dies:
    # no release, its claims stay until their lease expires.
    await eventually(lambda: _sent_marked(first_store, 20), what="the 20 accepted sends marked sent")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await first_store.engine.dispose()
    assert len(port.texts) == 20
    port.block_after = None

    second_store = await _store(url, migrate=False)
    try:
        counts = await second_store.status_counts()
        assert counts["sent"] == 20 and counts["claimed"] > 0
        restarted = dispatcher(second_store, port, clock)
        clock.set(clock.now + timedelta(minutes=1))
        await restarted.tick()  # the pending ones; the dead process's claims wait for their lease
        assert (await second_store.status_counts())["claimed"] == counts["claimed"]
        clock.set(clock.now + timedelta(minutes=11))
        await restarted.tick()  # lease expired: taken over (still within the late grace? catch up)
        per_chat = port.per_chat()
        assert len(per_chat) == 50 and set(per_chat.values()) == {1}
        final = await second_store.status_counts()
        assert final["sent"] == 50 and final["claimed"] == 0 and final["pending"] == 0
    finally:
        await second_store.engine.dispose()


async def _sent_marked(store: SqlMeetingStore, count: int) -> bool:
    return (await store.status_counts())["sent"] >= count


async def _released(store: SqlMeetingStore) -> dict[str, int] | None:
    counts = await store.status_counts()
    return counts if counts["claimed"] <= 2 else None


async def test_clean_stop_releases_unstarted_claims(store: SqlMeetingStore) -> None:
    await store.import_config(config(contacts=30))
    clock = Clock(due_time(local(2027, 3, 9, 10), DAY).astimezone(UTC))
    port = RecordingPort(clock=clock)
    port.block_after = 5
    d = dispatcher(store, port, clock, batch=30, concurrency=2)
    task = asyncio.create_task(d.tick())
    await asyncio.wait_for(port.blocked.wait(), 10)
    d._stopping = True  # what stop() does, while two sends hang
    counts = await eventually(lambda: _released(store), what="the unstarted claims released")
    assert counts["claimed"] <= 2 and counts["pending"] >= 23
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_downtime_catch_up_sends_only_the_useful_reminder(
    store: SqlMeetingStore, caplog: pytest.LogCaptureFixture
) -> None:
    await store.import_config(
        config(
            meetings=[
                {
                    "key": "dialogmote",
                    "title": "Årligt dialogmöte",
                    "start": "2027-03-09T10:00",
                    "rrule": "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
                },
                {
                    "key": "extra",
                    "title": "Extra dialogträff",
                    "start": "2027-03-03T13:00",
                    "reminder_offsets": ["7d", "1d"],
                },
            ]
        )
    )
    meeting_at = local(2027, 3, 9, 10)
    clock = Clock(meeting_at - timedelta(days=31))
    port = RecordingPort(clock=clock)
    d = dispatcher(store, port, clock)
    await d.tick()  # plans everything within the horizon
    clock.set(meeting_at - timedelta(days=30))
    await d.tick()
    assert len(port.texts) == 1 and "om 30 dagar" in port.texts[0][1]
    # Down from 14 days to 4 days before the meeting (10 days): the extra meeting passes meanwhile.
    clock.set(meeting_at - timedelta(days=14))
    await d.tick()
    assert len(port.texts) == 1
    caplog.set_level(logging.INFO, logger="facilitation.meetings.dispatch")
    clock.set(meeting_at - timedelta(days=4))
    result = await Dispatcher(store, {"local": port}, None, clock=clock).tick()  # a restarted process
    assert result.sent == 1 and result.caught_up == 1
    assert "om 4 dagar" in port.texts[-1][1] and "Årligt dialogmöte" in port.texts[-1][1]
    assert len(result.skipped_keys) == 2 and all("/extra:" in k for k in result.skipped_keys)
    assert (
        sum(
            "skipped delivery" in r.getMessage() and "meeting has started" in r.getMessage()
            for r in caplog.records
        )
        == 2
    )
    clock.set(meeting_at - DAY)
    await d.tick()
    assert len(port.texts) == 3 and "i morgon" in port.texts[-1][1]
    counts = await store.status_counts()
    assert counts == {"pending": 0, "claimed": 0, "sent": 3, "skipped": 2, "failed": 0}


async def test_opted_out_contact_gets_nothing_and_can_resume(store: SqlMeetingStore) -> None:
    await store.import_config(config(contacts=2))
    contacts = {c.contact.key: c for c in await store.contacts()}
    clock = Clock(local(2027, 2, 1))
    port = RecordingPort(clock=clock)
    d = dispatcher(store, port, clock)
    await d.tick()
    await store.opt_out([contacts["c0"].id])
    clock.set(due_time(local(2027, 3, 9, 10), timedelta(days=30)))
    await d.tick()
    assert port.per_chat() == Counter({"2": 1})
    await store.opt_in([contacts["c0"].id], clock())
    clock.set(due_time(local(2027, 3, 9, 10), timedelta(days=7)))
    await d.tick()
    assert port.per_chat() == Counter({"2": 2, "1": 1})
    # a re-import does not undo a contact's own opt-out
    await store.opt_out([contacts["c0"].id])
    await store.import_config(config(contacts=2))
    assert {c.contact.key: c.contact.opted_out for c in await store.contacts()} == {"c0": True, "c1": False}


async def test_failed_send_is_retried_later(store: SqlMeetingStore) -> None:
    await store.import_config(config())
    clock = Clock(due_time(local(2027, 3, 9, 10), DAY).astimezone(UTC))
    port = RecordingPort(clock=clock)
    calls = 0
    original = port.send_text

    async def flaky(chat, text, buttons=None):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("network down")
        return await original(chat, text, buttons)

    port.send_text = flaky  # type: ignore[method-assign]
    d = dispatcher(store, port, clock)
    result = await d.tick()
    assert result.failed == 1 and (await store.status_counts())["failed"] == 1
    await d.tick()
    assert len(port.texts) == 0  # not before retry_at
    clock.set(clock.now + timedelta(minutes=6))
    await d.tick()
    assert len(port.texts) == 1 and (await store.status_counts())["sent"] == 1


class Rendezvous:
    """Lines up the two dispatchers' claims so they reach PostgreSQL at the same moment.

    Concurrent claims are when a claim that does not lock its rows (no ``FOR UPDATE SKIP
    LOCKED``) hands the same rows to both; left to chance the claims interleave differently from
    run to run and such a bug slips through some runs. Each claim waits for the other
    dispatcher's next claim, until that dispatcher has found nothing more to claim and left.
    """

    def __init__(self, parties: int = 2, timeout: float = 5.0) -> None:
        self.present = parties
        self.timeout = timeout  # a safety net only: the other party always claims or leaves
        self.met = 0
        self._first: asyncio.Future[None] | None = None

    def _release(self) -> None:
        if self._first is not None and not self._first.done():
            self._first.set_result(None)
        self._first = None

    async def meet(self) -> None:
        if self.present < 2:
            return
        if self._first is not None:
            self._release()
            self.met += 1
            return
        arrived = self._first = asyncio.get_running_loop().create_future()
        await asyncio.wait_for(asyncio.shield(arrived), self.timeout)

    def leave(self) -> None:
        self.present -= 1
        self._release()


def record_claims(store: SqlMeetingStore, rendezvous: Rendezvous) -> list[int]:
    """Every row id ``store`` claims, each claim made together with the other dispatcher's."""
    claimed: list[int] = []
    claim = store.claim
    left = False

    async def claim_together(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal left
        if not left:
            await rendezvous.meet()
        rows = await claim(*args, **kwargs)
        claimed.extend(row.id for row in rows)
        if not rows and not left:  # this dispatcher's fan-out ends: the other no longer waits for it
            left = True
            rendezvous.leave()
        return rows

    store.claim = claim_together  # type: ignore[method-assign]
    return claimed


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_deliver_to_1000_contacts_exactly_once(pg_database: str) -> None:
    setup = await _store(pg_database, migrate=False)
    await setup.import_config(
        config(
            contacts=1000,
            meetings=[
                {
                    "key": "dialogmote",
                    "title": "Årligt dialogmöte",
                    "start": "2027-03-09T10:00",
                    "reminder_offsets": ["1d"],
                }
            ],
        )
    )
    await setup.engine.dispose()
    clock = Clock(due_time(local(2027, 3, 9, 10), DAY).astimezone(UTC))
    port = RecordingPort(clock=clock)  # both "processes" send to the same platform
    stores = [await _store(pg_database, migrate=False) for _ in range(2)]
    rendezvous = Rendezvous()
    claims = [record_claims(s, rendezvous) for s in stores]
    try:
        # small batches: many claim rounds, each one run concurrently by both dispatchers
        dispatchers = [
            Dispatcher(
                s, {"local": port}, None, clock=clock, batch=20, concurrency=8, worker_id=f"worker-{n}"
            )
            for n, s in enumerate(stores)
        ]
        results = await asyncio.gather(*(d.tick() for d in dispatchers))
        assert rendezvous.met >= 10, "the dispatchers' claims did not run concurrently"
        assert set(claims[0]) & set(claims[1]) == set(), "a row was claimed by both dispatchers"
        assert len(claims[0]) == len(set(claims[0])) and len(claims[1]) == len(set(claims[1]))
        per_chat = port.per_chat()
        assert len(per_chat) == 1000, "lost reminders"
        assert max(per_chat.values()) == 1, "duplicate reminders"
        assert sum(r.sent for r in results) == 1000 and sum(r.taken_over for r in results) == 0
        assert all(r.sent > 0 for r in results), "both dispatchers should have taken a share"
        assert len(port.files) == 1000  # one calendar file with each contact's first reminder
        counts = await stores[0].status_counts()
        assert counts["sent"] == 1000 and counts["pending"] == counts["claimed"] == 0
        # ticking again (both, and again planning the same reminders) sends nothing more
        await asyncio.gather(*(d.tick() for d in dispatchers))
        assert len(port.texts) == 1000
    finally:
        for s in stores:
            await s.engine.dispose()


def unplannable_meeting() -> Meeting:
    """A meeting row as stored before offsets were validated: "1000000d" falls before year 1."""
    return Meeting(
        "trasig",
        "varmland-2015",
        "Trasigt möte",
        local(2027, 3, 9, 10),
        reminder_offsets=(timedelta(days=1_000_000),),
    )


async def test_a_meeting_that_cannot_be_planned_stops_no_other(
    store: SqlMeetingStore, caplog: pytest.LogCaptureFixture
) -> None:
    good = config(
        contacts=2,
        meetings=[
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "reminder_offsets": ["1d"],
            }
        ],
    )
    await store.import_config(
        MeetingsConfig(good.process_key, good.signatories, (unplannable_meeting(), *good.meetings))
    )
    clock = Clock(due_time(local(2027, 3, 9, 10), DAY).astimezone(UTC))
    port = RecordingPort(clock=clock)
    d = dispatcher(store, port, clock)
    caplog.set_level(logging.INFO, logger="facilitation.meetings.dispatch")
    result = await d.tick()
    assert result.sent == 2 and port.per_chat() == Counter({"1": 1, "2": 1})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "reminders: meeting varmland-2015/trasig cannot be planned (OverflowError: date value out "
        "of range); the other meetings go on - fix it in its file and import it again"
    ]
    caplog.clear()
    await d.tick()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []  # said once, not every 30 s


async def test_a_worker_that_dies_is_replaced_and_the_fan_out_ends(
    store: SqlMeetingStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A client library that cancels its own call kills the worker running it (CancelledError is no
    Exception): the pool must not run empty, or the fan-out waits forever for its queue."""
    await store.import_config(
        config(
            contacts=10,
            meetings=[
                {
                    "key": "dialogmote",
                    "title": "Årligt dialogmöte",
                    "start": "2027-03-09T10:00",
                    "reminder_offsets": ["1d"],
                }
            ],
        )
    )
    clock = Clock(due_time(local(2027, 3, 9, 10), DAY).astimezone(UTC))

    class CancellingPort(RecordingPort):
        async def send_text(self, chat: ChatRef, text: str, buttons=None) -> MessageRef:  # type: ignore[no-untyped-def]
            if chat.chat_id == "3":
                raise asyncio.CancelledError
            return await super().send_text(chat, text, buttons)

    port = CancellingPort(clock=clock)
    result = await asyncio.wait_for(
        dispatcher(store, port, clock, batch=10, concurrency=1, ics="none").tick(), 10
    )
    assert result.sent == 9 and sorted(port.per_chat()) == sorted(str(i) for i in range(1, 11) if i != 3)
    assert "reminders: a delivery worker ended (cancelled); starting a new one" in caplog.messages
    assert (await store.status_counts())["claimed"] == 1  # left to its lease, as after a crash
