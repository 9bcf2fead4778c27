"""Claims are leases: a dispatcher renews its claim right before each send and never sends a row
another dispatcher took over; a contact re-created in the same process gets its reminders again."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time
from facilitation.ports import ChatRef, MessageRef
from storage.meetings_repository import SqlMeetingStore
from tests.test_reminders_dispatch import Clock, RecordingPort, _store, config, local

DAY = timedelta(days=1)
LEASE = timedelta(minutes=10)
MEETING = local(2027, 3, 9, 10)
ONE_REMINDER = [
    {
        "key": "dialogmote",
        "title": "Årligt dialogmöte",
        "start": "2027-03-09T10:00",
        "reminder_offsets": ["1d"],
    }
]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    s = await _store(f"sqlite+aiosqlite:///{tmp_path / 'lease.sqlite3'}")
    yield s
    await s.engine.dispose()


def run(
    store: SqlMeetingStore, port: RecordingPort, clock: Clock, worker: str, **options: object
) -> Dispatcher:
    return Dispatcher(
        store, {port.platform: port}, None, clock=clock, worker_id=worker, ics="none", lease=LEASE, **options
    )  # type: ignore[arg-type]


class StallingPort(RecordingPort):
    """The first send hangs until released and then times out: the platform never got it."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock=clock)
        self.release = asyncio.Event()
        self.stalled = False

    async def send_text(self, chat: ChatRef, text: str, buttons=None) -> MessageRef:  # type: ignore[no-untyped-def]
        if not self.stalled:
            self.stalled = True
            self.blocked.set()
            await self.release.wait()
            raise TimeoutError
        return await super().send_text(chat, text, buttons)


async def test_stalled_dispatcher_sends_nothing_another_took_over(store: SqlMeetingStore) -> None:
    await store.import_config(config(contacts=5))
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    port_a = StallingPort(clock)
    port_b = RecordingPort(clock=clock)
    a = run(store, port_a, clock, "A", batch=5, concurrency=1)
    tick_a = asyncio.create_task(a.tick())
    await asyncio.wait_for(port_a.blocked.wait(), 10)  # A claimed all five; its one worker hangs
    assert (await store.status_counts())["claimed"] == 5

    clock.set(clock.now + LEASE + timedelta(minutes=1))  # A's claims have run out
    result_b = await run(store, port_b, clock, "B").tick()
    assert result_b.sent == 5

    port_a.release.set()  # A resumes with four rows still in its queue
    result_a = await asyncio.wait_for(tick_a, 10)
    assert port_a.texts == [], "A sent rows that B had taken over"
    assert (result_a.sent, result_a.taken_over) == (0, 4)
    assert Counter(chat for chat, _, _ in port_b.texts) == Counter({str(i + 1): 1 for i in range(5)})
    counts = await store.status_counts()
    assert (
        counts["sent"] == 5 and counts["failed"] == counts["claimed"] == 0
    )  # A's timeout did not undo B's send


async def test_claim_is_renewed_right_before_the_send(store: SqlMeetingStore) -> None:
    """A send that starts 9 minutes after the claim and takes 5 minutes is still A's alone."""
    await store.import_config(config(contacts=1))
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    store_a, store_b = SqlMeetingStore(store.engine), SqlMeetingStore(store.engine)
    renew = store_a.renew

    async def renew_after_a_stall(delivery_id: int, worker_id: str, now, part=None):  # type: ignore[no-untyped-def]
        clock.set(clock.now + timedelta(minutes=9))  # the queue stalled between claim and send
        return await renew(delivery_id, worker_id, clock(), part)

    store_a.renew = renew_after_a_stall  # type: ignore[method-assign]
    port_b = RecordingPort(clock=clock)
    b = run(store_b, port_b, clock, "B")
    during: list[int] = []

    class SlowPort(RecordingPort):
        async def send_text(self, chat: ChatRef, text: str, buttons=None) -> MessageRef:  # type: ignore[no-untyped-def]
            clock.set(clock.now + timedelta(minutes=5))  # 14 minutes after the claim, 5 after the renewal
            during.append((await b.tick()).sent)
            return await super().send_text(chat, text, buttons)

    port_a = SlowPort(clock=clock)
    result_a = await run(store_a, port_a, clock, "A").tick()
    assert during == [0], "B took over a claim A had renewed before sending"
    assert result_a.sent == 1 and len(port_a.texts) == 1 and port_b.texts == []
    assert (await store.status_counts())["sent"] == 1


async def test_renew_refuses_a_row_claimed_by_another_worker(store: SqlMeetingStore) -> None:
    await store.import_config(config(contacts=1, meetings=ONE_REMINDER))
    now = due_time(MEETING, DAY).astimezone(UTC)
    clock = Clock(now)
    await run(store, RecordingPort(clock=clock), clock, "A").plan(now)
    (row,) = await store.claim("A", now, 10, LEASE)
    assert await store.renew(row.id, "A", now + timedelta(minutes=9))
    assert await store.claim("B", now + timedelta(minutes=15), 10, LEASE) == []  # renewed at 9: still A's
    (taken,) = await store.claim("B", now + timedelta(minutes=20), 10, LEASE)
    assert taken.id == row.id
    assert not await store.renew(row.id, "A", now + timedelta(minutes=20))
    assert await store.renew(row.id, "B", now + timedelta(minutes=20))


async def test_contact_forgotten_and_recreated_is_planned_again_by_the_same_process(
    store: SqlMeetingStore,
) -> None:
    cfg = config(contacts=2)
    await store.import_config(cfg)
    clock = Clock(local(2027, 2, 1))
    port = RecordingPort(clock=clock)
    dispatcher = run(store, port, clock, "A")
    assert await dispatcher.plan(clock()) == 4  # the 30- and 7-day reminders of both contacts
    first = {c.contact.key: c.id for c in await store.contacts()}
    await store.forget_contact(first["c0"])  # deletes c0 with its planned reminder
    await store.import_config(cfg)  # the administrator adds the person again: a new row
    again = {c.contact.key: c.id for c in await store.contacts()}
    assert again["c0"] != first["c0"]
    assert await dispatcher.plan(clock()) == 2  # c0's two reminders again
    clock.set(due_time(MEETING, timedelta(days=30)))
    assert (await dispatcher.tick()).sent == 2
    assert port.per_chat() == Counter({"1": 1, "2": 1})
