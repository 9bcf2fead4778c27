"""The CalendarBook part of the MeetingStore contract on memory, SQLite and PostgreSQL: occurrence
states, the compare-and-set of a change with its notices, holders, notice idempotency and
"has this contact's organisation answered"."""

from __future__ import annotations

from datetime import timedelta

from facilitation.meetings import Rsvp
from facilitation.meetings.calendar_book import CANCEL, NUDGE, UPDATE, Notice, OccurrenceState
from facilitation.meetings.store import MeetingStore
from tests.test_meetings_store_contract import meeting_store  # noqa: F401  (the fixture)
from tests.test_reminders_dispatch import config, local

OCCURRENCE = local(2027, 3, 9, 10)
MOVED = local(2027, 3, 10, 13)


async def test_a_change_is_recorded_once_and_told_to_the_holders(meeting_store: MeetingStore) -> None:  # noqa: F811
    store = meeting_store
    await store.import_config(config(contacts=3))
    (stored,) = await store.meetings()
    contacts = await store.contacts()
    first = OccurrenceState(stored.id, 0, OCCURRENCE, "a")
    assert await store.add_occurrence(first)
    assert not await store.add_occurrence(first)  # one state per occurrence
    # Two contacts got the calendar file (a welcome each), the third did not.
    welcomes = [
        Notice("welcome", f"w:{c.id}", stored.id, c.id, OCCURRENCE, 0, local(2027, 1, 1)) for c in contacts
    ]
    assert await store.plan_notices(welcomes) == 3
    assert await store.plan_notices(welcomes) == 0  # idempotent on the delivery key
    rows = {r.contact_id: r for r in await store.deliveries()}
    for contact in contacts[:2]:
        await store.mark_file_sent(rows[contact.id].id, local(2027, 1, 1))

    moved = OccurrenceState(stored.id, 0, MOVED, "b", 1)
    assert await store.apply_change(first, moved, UPDATE, local(2027, 1, 2), "update:m:#0") == 2
    assert await store.apply_change(first, moved, UPDATE, local(2027, 1, 2), "update:m:#0") is None  # raced
    (kept,) = await store.occurrence_states([stored.id])
    assert (kept.starts_at, kept.sequence, kept.fingerprint, kept.cancelled) == (MOVED, 1, "b", False)
    updates = [r for r in await store.deliveries() if r.kind == UPDATE]
    assert sorted(r.contact_id for r in updates) == sorted(c.id for c in contacts[:2])
    assert {(r.sequence, r.number, r.occurrence) for r in updates} == {(1, 0, MOVED)}

    # A second change before the first update went out still reaches both holders.
    cancelled = OccurrenceState(stored.id, 0, MOVED, "b", 2, cancelled=True)
    assert await store.apply_change(kept, cancelled, CANCEL, local(2027, 1, 3), "cancel:m:#0") == 2
    cancels = [r for r in await store.deliveries() if r.kind == CANCEL]
    assert len(cancels) == 2 and {r.sequence for r in cancels} == {2}


async def test_organisation_answered_looks_at_the_contacts_signatory(meeting_store: MeetingStore) -> None:  # noqa: F811
    store = meeting_store
    await store.import_config(config(contacts=2))
    (stored,) = await store.meetings()
    one, two = await store.contacts()
    assert not await store.organisation_answered(stored.id, OCCURRENCE, one.id)
    await store.set_rsvp(stored.id, OCCURRENCE, two.id, Rsvp.KOMMER_INTE, local(2027, 1, 1))
    assert await store.organisation_answered(stored.id, OCCURRENCE, one.id)  # a colleague answered
    assert not await store.organisation_answered(stored.id, local(2028, 3, 14, 10), one.id)  # another year
    nudge = Notice(NUDGE, "n:1", stored.id, one.id, OCCURRENCE, 0, local(2027, 2, 27, 10), timedelta(days=10))
    assert await store.plan_notices([nudge]) == 1
    (row,) = await store.deliveries()
    assert (row.kind, row.offset, row.number, row.sequence) == (NUDGE, timedelta(days=10), 0, None)
