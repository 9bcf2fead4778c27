"""The MeetingStore contract on memory, SQLite and PostgreSQL: directory, delivery queue, RSVPs.

The same tests run on :class:`facilitation.meetings.memory_store.MemoryMeetingStore` and on
:class:`storage.meetings_repository.SqlMeetingStore` (SQLite and, required in CI, PostgreSQL),
as ``tests/test_store_contract.py`` does for the workshop store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from facilitation.meetings import Contact, MeetingsConfig, Rsvp, parse_meetings
from facilitation.meetings.attendance import (
    MAX_NOTE,
    MAX_PERSONS,
    AnswerProblem,
    attendance,
    record_answer,
    tally_of,
)
from facilitation.meetings.dispatch import Dispatcher, schedule
from facilitation.meetings.memory_store import MemoryMeetingStore
from facilitation.meetings.model import RsvpAnswer
from facilitation.meetings.store import (
    BOTH_PARTS,
    CLAIMED,
    CLI,
    FAILED,
    FILE_PART,
    OPTED_OUT,
    PENDING,
    SENT,
    SKIPPED,
    TEXT_PART,
    Claimed,
    DuplicateKey,
    ManagedByFile,
    MeetingStore,
    UnknownContact,
    UnknownSignatory,
)
from facilitation.model import Language
from facilitation.ports import ChatPort
from tests.test_reminders_dispatch import Clock, RecordingPort, config, local

LEASE = timedelta(minutes=10)
START = local(2027, 1, 1)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def meeting_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MeetingStore]:
    """Every MeetingStore implementation runs the same contract tests."""
    if request.param == "memory":
        yield MemoryMeetingStore()
        return
    from storage.database import create_engine
    from storage.meetings_repository import SqlMeetingStore
    from storage.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'meetings.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_database")
    engine = create_engine(url)
    if request.param == "sqlite":
        await upgrade(url, engine)
    yield SqlMeetingStore(engine)
    await engine.dispose()


async def _planned(
    store: MeetingStore, now: datetime = START, horizon: timedelta = timedelta(days=70)
) -> int:
    planned = await schedule(store, now, horizon)
    return await store.plan(planned.dues, planned.meeting_ids, planned.contact_ids)


async def _due_now(store: MeetingStore) -> datetime:
    """A minute after the first planned reminder is due."""
    first = await store.next_due()
    assert first is not None
    return first + timedelta(minutes=1)


async def _claimed_one(store: MeetingStore) -> tuple[Claimed, datetime]:
    """The first planned reminder, claimed by "A" a minute after it is due, and that time."""
    await store.import_config(config())
    await _planned(store)
    now = await _due_now(store)
    [row] = await store.claim("A", now, lease=LEASE)
    return row, now


def _reimport(cfg: MeetingsConfig, *, contacts: list[Contact]) -> MeetingsConfig:
    signatory = cfg.signatories[0]
    return MeetingsConfig(
        cfg.process_key,
        (type(signatory)(signatory.key, signatory.name, signatory.process_key, tuple(contacts)),),
        cfg.meetings,
    )


# --- the directory ----------------------------------------------------------------------------
async def test_import_upserts_by_key_and_deactivates_what_the_file_dropped(
    meeting_store: MeetingStore,
) -> None:
    cfg = config(contacts=3)
    result = await meeting_store.import_config(cfg)
    assert (result.signatories, result.contacts, result.meetings, result.deactivated) == (1, 3, 1, 0)
    [meeting] = await meeting_store.meetings()
    assert meeting.meeting.start == local(2027, 3, 9, 10, 0)
    assert await meeting_store.process_keys() == {"varmland-2015"}
    await meeting_store.add_signatory("varmland-2015", "kommun", "Karlstads kommun", CLI)
    again = await meeting_store.import_config(_reimport(cfg, contacts=list(cfg.signatories[0].contacts[:1])))
    assert again.deactivated == 2
    assert [c.contact.key for c in await meeting_store.contacts()] == ["c0"]
    assert [c.active for c in await meeting_store.contacts(active_only=False)] == [True, False, False]
    assert [(s.key, s.contacts, s.active) for s in await meeting_store.signatories("varmland-2015")] == [
        ("kommun", 0, True),
        ("region", 1, True),
    ]  # the CLI signatory is left alone by the file


async def test_opt_out_survives_a_reimport_and_a_new_key(meeting_store: MeetingStore) -> None:
    cfg = config(contacts=2)
    await meeting_store.import_config(cfg)
    c0, c1 = await meeting_store.contacts()
    assert await meeting_store.opt_out([c0.id]) == 1
    renamed = Contact("nytt", c0.contact.name, c0.contact.platform, c0.contact.address)
    await meeting_store.import_config(_reimport(cfg, contacts=[renamed, c1.contact]))
    found = {c.contact.key: c.contact.opted_out for c in await meeting_store.contacts()}
    assert found == {"nytt": True, "c1": False}


async def test_forgotten_contact_is_not_recreated_by_an_import(meeting_store: MeetingStore) -> None:
    cfg = config(contacts=2)
    await meeting_store.import_config(cfg)
    await _planned(meeting_store)
    c0 = (await meeting_store.contacts())[0]
    before = (await meeting_store.status_counts())[PENDING]
    removed = await meeting_store.forget_contact(c0.id, "tomb-c0", START)
    assert removed == 1 + before // 2  # the contact and its reminders
    result = await meeting_store.import_config(cfg, tombstone_of=lambda c: f"tomb-{c.key}")
    assert result.skipped_forgotten == 1
    assert [c.contact.key for c in await meeting_store.contacts()] == ["c1"]


def _email_config() -> MeetingsConfig:
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [
                    {"key": f"m{i}", "name": f"K{i}", "email": f"k{i}@kommun.example.se"} for i in range(2)
                ],
            }
        ]
    }
    return parse_meetings(doc, "test.toml", "varmland-2015")


async def test_email_contacts_are_marked_for_a_welcome_once_when_created(meeting_store: MeetingStore) -> None:
    """An e-mail contact is marked in the transaction that creates it (import or CLI), a chat
    contact is not, a re-import marks nobody again, and unmarking is for good."""
    await meeting_store.import_config(config(contacts=1))  # a chat contact (local): no mark
    assert await meeting_store.welcomes_pending() == []
    await meeting_store.import_config(_email_config())
    pending = await meeting_store.welcomes_pending()
    assert sorted(c.contact.key for c in pending) == ["m0", "m1"]
    await meeting_store.import_config(_email_config())  # the same again
    assert len(await meeting_store.welcomes_pending()) == 2
    await meeting_store.welcomes_planned([c.id for c in pending])
    await meeting_store.import_config(_email_config())
    assert await meeting_store.welcomes_pending() == []
    await meeting_store.add_contact(
        "varmland-2015", "region", Contact("d", "Dan", "email", "dan@kommun.example.se"), CLI
    )
    await meeting_store.add_contact("varmland-2015", "region", Contact("e", "Eva", "local", "eva"), CLI)
    assert [c.contact.key for c in await meeting_store.welcomes_pending()] == ["d"]


async def test_management_refuses_duplicates_unknowns_and_file_rows(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config(contacts=1))
    process = "varmland-2015"
    with pytest.raises(DuplicateKey):
        await meeting_store.add_signatory(process, "region", "Region", CLI)
    added = await meeting_store.add_signatory(process, "kommun", "Kommunen", CLI)
    assert await meeting_store.signatory_by_id(added.id) == await meeting_store.signatory(process, "kommun")
    person = Contact("anna", "Anna", "telegram", "42", language=Language.EN)
    stored, created = await meeting_store.add_contact(process, "kommun", person, CLI)
    assert created and stored.contact == person and stored.signatory_key == "kommun"
    same, created = await meeting_store.add_contact(
        process, "kommun", Contact("anna2", "Anna", "telegram", "42"), CLI
    )
    assert not created and same.id == stored.id
    with pytest.raises(DuplicateKey):
        await meeting_store.add_contact(process, "kommun", Contact("anna", "Bo", "telegram", "43"), CLI)
    with pytest.raises(UnknownSignatory):
        await meeting_store.add_contact(process, "nobody", person, CLI)
    with pytest.raises(ManagedByFile):
        await meeting_store.remove_signatory(process, "region")
    with pytest.raises(ManagedByFile):
        await meeting_store.remove_contact(process, "c0")
    with pytest.raises(UnknownContact):
        await meeting_store.remove_contact(process, "nobody")
    assert (await meeting_store.signatory(process, "kommun")).contacts == 1  # type: ignore[union-attr]
    assert await meeting_store.remove_signatory(process, "kommun") == 1
    assert await meeting_store.signatory(process, "kommun") is None
    assert [c.contact.key for c in await meeting_store.contacts(platform="telegram", address="42")] == []
    c0 = (await meeting_store.contacts())[0]
    await meeting_store.move_contact(c0.id, "-100123")
    assert (await meeting_store.contacts(address="-100123"))[0].id == c0.id


# --- the delivery queue -----------------------------------------------------------------------
async def test_planning_is_idempotent(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config(contacts=2))
    first = await _planned(meeting_store)
    assert first == 6  # the 30-, 7- and 1-day reminders of two contacts within 70 days of January
    assert await _planned(meeting_store) == 0
    assert (await meeting_store.status_counts())[PENDING] == 6
    assert await meeting_store.next_due() == min(d.due_at for d in await meeting_store.deliveries())


async def test_a_claim_is_exclusive_until_its_lease_runs_out(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config(contacts=2))
    await _planned(meeting_store)
    now = await _due_now(meeting_store)
    assert await meeting_store.due_count(now, LEASE) == 2
    claimed = await meeting_store.claim("A", now, limit=1, lease=LEASE)
    assert len(claimed) == 1 and claimed[0].attempts == 1 and claimed[0].status == CLAIMED
    rest = await meeting_store.claim("B", now, lease=LEASE)
    assert len(rest) == 1 and rest[0].id != claimed[0].id
    assert await meeting_store.claim("C", now, lease=LEASE) == []
    assert await meeting_store.claimers() == {"A", "B"}
    assert await meeting_store.claim("C", now, lease=LEASE, abandoned=["B"]) == [
        *(r for r in [await meeting_store.delivery(rest[0].id)] if r is not None)
    ]
    assert not await meeting_store.renew(rest[0].id, "B", now)  # C took it over
    later = now + LEASE + timedelta(seconds=1)
    assert await meeting_store.renew(claimed[0].id, "A", now)
    assert await meeting_store.renew(rest[0].id, "C", later - timedelta(minutes=1))
    [taken] = await meeting_store.claim("D", later, lease=LEASE, platforms=["local"])  # A's lease ran out
    assert taken.id == claimed[0].id and taken.attempts == 2
    assert not await meeting_store.renew(taken.id, "A", later)
    assert [r.id for r in await meeting_store.claimed_by("D")] == [taken.id]
    assert await meeting_store.claim("E", later + LEASE * 2, lease=LEASE, platforms=["slack"]) == []


async def test_the_renewal_before_a_send_marks_the_parts_attempt_for_a_takeover(
    meeting_store: MeetingStore,
) -> None:
    """A dispatcher taking a row over sees which part its dead owner was about to send."""
    row, now = await _claimed_one(meeting_store)
    assert row.file_attempt_at is None and row.text_attempt_at is None
    assert await meeting_store.renew(row.id, "A", now, FILE_PART)
    await meeting_store.mark_file_sent(row.id, now)
    assert await meeting_store.renew(row.id, "A", now + timedelta(seconds=1), TEXT_PART)
    assert not await meeting_store.renew(row.id, "B", now + timedelta(seconds=2), TEXT_PART)
    [taken] = await meeting_store.claim("B", now + LEASE * 2, lease=LEASE)  # A died: its lease ran out
    assert (taken.file_attempt_at, taken.text_attempt_at) == (now, now + timedelta(seconds=1))
    assert taken.attempt_at(TEXT_PART) == now + timedelta(seconds=1) and taken.file_sent_at == now
    assert await meeting_store.renew(taken.id, "B", now + LEASE * 2)  # no part: no mark changes
    assert (await meeting_store.delivery(row.id)).text_attempt_at == now + timedelta(seconds=1)  # type: ignore[union-attr]


async def test_one_message_carrying_both_parts_is_marked_and_recorded_as_both(
    meeting_store: MeetingStore,
) -> None:
    """The calendar file and the text as one message: one renewal marks both parts, so a dispatcher
    taking over after a death sees both may have gone out; one write records both, keeping a
    calendar file's first record (calendar updates read when the contact got it)."""
    row, now = await _claimed_one(meeting_store)
    assert await meeting_store.renew(row.id, "A", now, BOTH_PARTS)
    [taken] = await meeting_store.claim("B", now + LEASE * 2, lease=LEASE)  # A died before its record
    assert (taken.file_attempt_at, taken.text_attempt_at) == (now, now) and taken.file_sent_at is None
    assert taken.attempt_at(BOTH_PARTS) == now
    later = now + LEASE * 2 + timedelta(seconds=1)
    assert await meeting_store.renew(taken.id, "B", later, BOTH_PARTS)
    assert await meeting_store.mark_sent(taken.id, later, "B", with_file=True)
    assert await meeting_store.mark_sent(taken.id, later, "B", with_file=True)  # after a lost answer
    done = await meeting_store.delivery(row.id)
    assert done is not None and done.status == SENT and done.file_sent_at == later
    assert await meeting_store.files_sent_for([row]) == {(row.meeting_id, row.contact_id, row.occurrence)}
    assert done.attempt_at(BOTH_PARTS) == later


async def test_recording_both_parts_keeps_the_calendar_files_first_record(
    meeting_store: MeetingStore,
) -> None:
    row, now = await _claimed_one(meeting_store)
    await meeting_store.mark_file_sent(row.id, now)
    assert await meeting_store.mark_sent(row.id, now + timedelta(minutes=1), "A", with_file=True)
    assert (await meeting_store.delivery(row.id)).file_sent_at == now  # type: ignore[union-attr]


async def test_release_gives_the_attempt_back(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config())
    await _planned(meeting_store)
    now = await _due_now(meeting_store)
    [row] = await meeting_store.claim("A", now)
    assert await meeting_store.release("B", [row.id]) == 0
    assert await meeting_store.release("A", [row.id]) == 1
    released = await meeting_store.delivery(row.id)
    assert released is not None and released.status == PENDING and released.attempts == 0


async def test_sent_is_recorded_once_and_a_lost_answer_finds_its_record(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config())
    await _planned(meeting_store)
    now = await _due_now(meeting_store)
    [row] = await meeting_store.claim("A", now)
    await meeting_store.mark_file_sent(row.id, now)
    await meeting_store.mark_file_sent(row.id, now + timedelta(hours=1))  # the first record stays
    assert (await meeting_store.delivery(row.id)).file_sent_at == now  # type: ignore[union-attr]
    assert await meeting_store.files_sent_for([row]) == {(row.meeting_id, row.contact_id, row.occurrence)}
    assert await meeting_store.mark_sent(row.id, now, "A")
    assert await meeting_store.mark_sent(row.id, now, "A")  # run again after a lost answer
    assert not await meeting_store.mark_sent(row.id, now, "B")
    assert (await meeting_store.delivery(row.id)).status == SENT  # type: ignore[union-attr]
    await meeting_store.mark_skipped(row.id, "late", "A")  # a sent row is never changed again
    await meeting_store.mark_failed(row.id, "boom", None, "A")
    assert (await meeting_store.status_counts())[SENT] == 1


async def test_a_failure_is_retried_and_rate_limits_cost_no_attempt(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config())
    await _planned(meeting_store)
    now = await _due_now(meeting_store)
    [row] = await meeting_store.claim("A", now)
    await meeting_store.mark_failed(row.id, "RetryAfter", now + timedelta(seconds=30), "A", counts=False)
    assert await meeting_store.claim("A", now + timedelta(seconds=29)) == []
    [again] = await meeting_store.claim("A", now + timedelta(seconds=30))
    assert again.id == row.id and again.attempts == 1
    await meeting_store.mark_failed(row.id, "TimedOut", None, "B")  # not B's: nothing changes
    assert (await meeting_store.delivery(row.id)).status == CLAIMED  # type: ignore[union-attr]
    await meeting_store.mark_skipped(row.id, "x" * 600, "A")
    assert (await meeting_store.status_counts())[SKIPPED] == 1


async def test_a_gone_chat_makes_its_contact_unreachable(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config(contacts=2))
    await _planned(meeting_store)
    first, second, _last = sorted({d.due_at for d in await meeting_store.deliveries()})
    claimed = await meeting_store.claim("A", first + timedelta(minutes=1))
    contact_id = claimed[0].contact_id
    mine = [r for r in claimed if r.contact_id == contact_id]
    await meeting_store.mark_failed(mine[0].id, "ChatGone (blocked)", None, "A")
    for other in claimed:
        if other.contact_id != contact_id:
            await meeting_store.mark_sent(other.id, first, "A")
    [gone] = await meeting_store.unreachable("varmland-2015")
    assert (
        gone.contact.id == contact_id
        and gone.reason == "blocked"
        and gone.since == first + timedelta(minutes=1)
    )
    assert await meeting_store.unreachable("other") == []
    later = [
        r for r in await meeting_store.claim("A", second + timedelta(minutes=1)) if r.contact_id == contact_id
    ]
    assert await meeting_store.gone_before(contact_id, later[0].id)
    assert not await meeting_store.gone_before(contact_id, mine[0].id)


async def test_opt_out_skips_pending_reminders_and_opt_in_restores_future_ones(
    meeting_store: MeetingStore,
) -> None:
    await meeting_store.import_config(config(contacts=2))
    await _planned(meeting_store)
    c0 = (await meeting_store.contacts())[0]
    assert await meeting_store.opt_out([c0.id, 999_999]) == 1
    mine = [d for d in await meeting_store.deliveries() if d.contact_id == c0.id]
    assert {d.status for d in mine} == {SKIPPED}
    assert (await meeting_store.status_counts())[PENDING] == 3
    assert await meeting_store.opt_in([c0.id], START) == 1
    assert (await meeting_store.status_counts())[PENDING] == 6
    assert await meeting_store.opt_out([]) == 0


async def test_opt_in_leaves_the_past_skipped(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config())
    await _planned(meeting_store)
    c0 = (await meeting_store.contacts())[0]
    await meeting_store.opt_out([c0.id])
    await meeting_store.opt_in([c0.id], local(2027, 3, 10))  # after the occurrence
    assert {d.status for d in await meeting_store.deliveries()} == {SKIPPED}
    assert (await meeting_store.deliveries(SKIPPED))[0].status == SKIPPED
    assert OPTED_OUT  # the reason the skipped rows keep


# --- RSVPs ------------------------------------------------------------------------------------
async def test_the_organisation_answers_with_its_contacts_latest_answer(meeting_store: MeetingStore) -> None:
    """One row per contact; the organisation's answer is the latest of any of its contacts, also
    within one clock tick; another occurrence is apart; a stopped contact's answer still counts."""
    await meeting_store.import_config(config(contacts=3))
    await meeting_store.add_signatory("varmland-2015", "kommun", "Karlstads kommun", CLI)
    [meeting] = await meeting_store.meetings()
    c0, c1, c2 = await meeting_store.contacts()
    occurrence = meeting.meeting.start
    await meeting_store.set_rsvp(meeting.id, occurrence, c0.id, Rsvp.KANSKE, START)
    await meeting_store.set_rsvp(meeting.id, occurrence, c1.id, Rsvp.KOMMER_INTE, START)
    await meeting_store.set_rsvp(meeting.id, occurrence, c0.id, Rsvp.KOMMER, START, persons=3)  # same tick
    await meeting_store.set_rsvp(
        meeting.id, occurrence + timedelta(days=365), c2.id, Rsvp.SKICKAR_ERSATTARE, START, note="vice ordf."
    )
    await meeting_store.opt_out([c0.id])
    stockholm = occurrence.astimezone(local(2027, 1, 1).tzinfo)
    assert len(await meeting_store.rsvps(meeting.id, stockholm)) == 2  # c0's change of mind replaced it
    answer = await meeting_store.organisation_answer(meeting.id, stockholm, "region")
    assert answer is not None and answer.answer == RsvpAnswer(Rsvp.KOMMER, 3, None)
    assert answer.signatory_key == "region" and not hasattr(answer, "contact_id")
    assert await meeting_store.organisation_answer(meeting.id, stockholm, "kommun") is None
    assert await meeting_store.organisation_answer(meeting.id, stockholm, "no-such") is None
    later = await meeting_store.organisation_answer(meeting.id, occurrence + timedelta(days=365), "region")
    assert later is not None and later.answer == RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, None, "vice ordf.")

    lines = await attendance(meeting_store, meeting.id, occurrence)
    assert [(line.signatory.key, line.active_contacts) for line in lines] == [("kommun", 0), ("region", 2)]
    assert lines[0].answer is None and lines[0].uncontacted
    tally = tally_of(lines)
    assert (tally.yes, tally.no, tally.pending) == (1, 0, 1)
    # a later answer of another contact corrects the organisation's
    await meeting_store.set_rsvp(meeting.id, occurrence, c1.id, Rsvp.KOMMER_INTE, START + timedelta(hours=1))
    answer = await meeting_store.organisation_answer(meeting.id, occurrence, "region")
    assert answer is not None and answer.answer.answer == Rsvp.KOMMER_INTE


async def test_bad_answers_change_nothing(meeting_store: MeetingStore) -> None:
    await meeting_store.import_config(config())
    [meeting] = await meeting_store.meetings()
    [c0] = await meeting_store.contacts()
    occurrence = meeting.meeting.start
    for bad in (
        RsvpAnswer(Rsvp.KOMMER, 0),
        RsvpAnswer(Rsvp.KOMMER, MAX_PERSONS + 1),
        RsvpAnswer(Rsvp.KOMMER_INTE, 2),
        RsvpAnswer(Rsvp.KOMMER, 2, "en anteckning"),
        RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "x" * (MAX_NOTE + 1)),
        RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "rad ett\nrad två"),
        RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "noll\u200bbredd"),
    ):
        with pytest.raises(AnswerProblem):
            await record_answer(meeting_store, meeting.id, occurrence, c0.id, bad, START)
    assert await meeting_store.rsvps(meeting.id, occurrence) == []
    await record_answer(
        meeting_store,
        meeting.id,
        occurrence,
        c0.id,
        RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "  ordförandens ersättare "),
        START,
    )
    [stored] = await meeting_store.rsvps(meeting.id, occurrence)
    assert stored.answer == RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "ordförandens ersättare")


async def test_a_chat_contact_and_the_file_contact_of_the_same_person_are_merged(
    meeting_store: MeetingStore,
) -> None:
    """Registered by invitation first, then named in the file with an explicit key: one contact
    remains, with the reminder already sent and the answer, and nothing is sent twice."""
    cfg = config(contacts=1)
    await meeting_store.import_config(cfg)
    chat_contact = Contact("region.local-abc", "Anna", "local", "7", None, Language.SV)
    joined, created = await meeting_store.add_contact("varmland-2015", "region", chat_contact, "chat")
    assert created
    clock = Clock(local(2027, 2, 7, 12, 0))
    port = RecordingPort(clock=clock)
    ports: dict[str, ChatPort] = {"local": port}  # type: ignore[dict-item]
    assert (await Dispatcher(meeting_store, ports, clock=clock, worker_id="A").tick()).sent == 2
    [meeting] = await meeting_store.meetings()
    await meeting_store.set_rsvp(meeting.id, meeting.meeting.start, joined.id, Rsvp.KOMMER, START, persons=2)

    signatory = cfg.signatories[0]
    anna = Contact("anna-explicit", "Anna Andersson", "local", "7", None, Language.SV)
    await meeting_store.import_config(_reimport(cfg, contacts=[*signatory.contacts, anna]))
    contacts = await meeting_store.contacts(active_only=False)
    assert sorted(c.contact.key for c in contacts) == ["anna-explicit", "c0"]
    merged = next(c for c in contacts if c.contact.key == "anna-explicit")
    answer = await meeting_store.organisation_answer(meeting.id, meeting.meeting.start, "region")
    assert answer is not None and answer.answer == RsvpAnswer(Rsvp.KOMMER, 2, None)
    assert [r.contact_id for r in await meeting_store.rsvps(meeting.id, meeting.meeting.start)] == [merged.id]
    moved = [d for d in await meeting_store.deliveries() if d.contact_id == merged.id]
    assert {d.delivery_key.split(":")[-2] for d in moved} == {"anna-explicit"}  # re-keyed
    assert sorted(d.status for d in moved) == [PENDING, PENDING, SENT]  # the 30-day one was sent
    # the 30-day reminder is not sent again, the 7-day one goes once, to one contact
    assert (await Dispatcher(meeting_store, ports, clock=clock, worker_id="B").tick()).sent == 0
    clock.set(local(2027, 3, 2, 10, 0))
    assert (await Dispatcher(meeting_store, ports, clock=clock, worker_id="B").tick()).sent == 2
    assert port.per_chat() == {"1": 2, "7": 2} and len(port.files) == 2
    # the same person registering again finds the file contact (no workspace on either)
    again, created = await meeting_store.add_contact("varmland-2015", "region", chat_contact, "chat")
    assert not created and again.id == merged.id


async def test_a_merge_keeps_one_reminder_sent_when_both_had_one(meeting_store: MeetingStore) -> None:
    """Both entries were sent the 30-day reminder (the file named the person at another address,
    then the administrator corrected it): the merged contact keeps it as sent, with its calendar
    file, and the 7-day reminder goes once."""
    cfg = config(contacts=1)
    signatory = cfg.signatories[0]
    anna_old = Contact("anna-explicit", "Anna Andersson", "local", "8", None, Language.SV)
    await meeting_store.import_config(_reimport(cfg, contacts=[*signatory.contacts, anna_old]))
    chat_contact = Contact("region.local-abc", "Anna", "local", "7", "T1", Language.SV)
    _joined, created = await meeting_store.add_contact("varmland-2015", "region", chat_contact, "chat")
    assert created
    # ... registering again with the same identity (any workspace matches none) is not a third entry
    assert not (await meeting_store.add_contact("varmland-2015", "region", chat_contact, "chat"))[1]
    clock = Clock(local(2027, 2, 7, 12, 0))
    port = RecordingPort(clock=clock)
    ports: dict[str, ChatPort] = {"local": port}  # type: ignore[dict-item]
    assert (await Dispatcher(meeting_store, ports, clock=clock, worker_id="A").tick()).sent == 3
    anna = Contact("anna-explicit", "Anna Andersson", "local", "7", None, Language.SV)
    await meeting_store.import_config(_reimport(cfg, contacts=[*signatory.contacts, anna]))
    [merged] = [c for c in await meeting_store.contacts(active_only=False) if c.contact.address == "7"]
    assert merged.contact.key == "anna-explicit"
    rows = [d for d in await meeting_store.deliveries() if d.contact_id == merged.id]
    sent = [d for d in rows if d.status == SENT]
    assert len(sent) == 1 and sent[0].file_sent_at is not None and len(rows) == 3
    clock.set(local(2027, 3, 2, 10, 0))
    assert (await Dispatcher(meeting_store, ports, clock=clock, worker_id="B").tick()).sent == 2
    assert port.per_chat() == {"1": 2, "7": 2, "8": 1} and len(port.files) == 3


async def test_opt_out_of_the_merged_away_contact_stays(meeting_store: MeetingStore) -> None:
    cfg = config(contacts=1)
    await meeting_store.import_config(cfg)
    chat_contact = Contact("region.local-abc", "Anna", "local", "7", None, Language.SV)
    joined, _ = await meeting_store.add_contact("varmland-2015", "region", chat_contact, "chat")
    await meeting_store.opt_out([joined.id])
    anna = Contact("anna-explicit", "Anna Andersson", "local", "7", None, Language.SV)
    await meeting_store.import_config(_reimport(cfg, contacts=[*cfg.signatories[0].contacts, anna]))
    [merged] = [c for c in await meeting_store.contacts(active_only=False) if c.contact.address == "7"]
    assert merged.contact.key == "anna-explicit" and merged.contact.opted_out


# --- the dispatch rules on every store ----------------------------------------------------------
async def test_the_dispatcher_delivers_each_reminder_once_on_every_store(meeting_store: MeetingStore) -> None:
    cfg = config(contacts=2)
    await meeting_store.import_config(cfg)
    clock = Clock(local(2027, 2, 7, 12, 0))
    port = RecordingPort(clock=clock)
    # RecordingPort records what it is given and implements only the sending half of ChatPort.
    ports: dict[str, ChatPort] = {"local": port}  # type: ignore[dict-item]
    first = Dispatcher(meeting_store, ports, clock=clock, worker_id="A")
    second = Dispatcher(meeting_store, ports, clock=clock, worker_id="B")
    assert (await first.tick()).sent == 2
    assert (await second.tick()).sent == 0
    assert port.per_chat() == {"1": 1, "2": 1} and len(port.files) == 2
    counts = await meeting_store.status_counts()
    assert (counts[SENT], counts[PENDING], counts[FAILED]) == (2, 4, 0)  # the 30-day reminders went out
    clock.set(local(2027, 3, 2, 10, 0))
    assert (await second.tick()).sent == 2  # the 7-day reminders, by the other dispatcher
    assert port.per_chat() == {"1": 2, "2": 2} and len(port.files) == 2  # the calendar file only once
