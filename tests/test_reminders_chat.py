"""RSVP through the real conversation in local mode, stop/resume/forget, the tally, the .ics file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.meetings_runner import Dispatcher
from config.meetings_files import load_meetings_configs
from facilitation.meetings import STOCKHOLM, due_time
from facilitation.meetings.attendance import attendance, tally_of
from facilitation.meetings.chat import install, installed_store
from facilitation.meetings.directory import import_meetings
from facilitation.ports import UserRef
from storage.meetings_models import ForgottenContactRow
from storage.meetings_repository import SqlMeetingStore
from tests.harness import LocalHarness
from tests.waiting import eventually

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "meetings" / "varmland-2015.toml"
MEETING = datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, Dispatcher, Clock]]:
    harness = await LocalHarness.start(tmp_path)
    clock = Clock(due_time(MEETING, timedelta(days=30)))
    dispatcher = Dispatcher.from_app(harness.app, clock=clock)
    pseudonymizer = harness.app.pseudonymizer
    await import_meetings(dispatcher.store, load_meetings_configs([EXAMPLE], pseudonymizer), pseudonymizer)
    install(harness.app.conversation, dispatcher.store, clock=clock)
    try:
        yield harness, dispatcher, clock
    finally:
        await harness.close()


def reminder_of(harness: LocalHarness, who: str) -> int:
    return max(m.id for m in harness.port.messages.values() if m.chat.chat_id == who and m.buttons)


async def test_reminder_with_ics_rsvp_button_and_tally(setup: tuple[LocalHarness, Dispatcher, Clock]) -> None:
    harness, dispatcher, clock = setup
    result = await dispatcher.tick()
    assert result.sent == 4  # the example's four local contacts
    message = harness.port.messages[reminder_of(harness, "anna")]
    assert message.text.startswith(
        "Påminnelse: Årligt dialogmöte för Överenskommelsen i Värmland är om 30 dagar"
    )
    assert "tisdag 9 mars 2027 kl. 10.00–13.00" in message.text
    assert [b.label for b in harness.port.buttons_of(message.id)] == [
        "Kommer",
        "Kommer inte",
        "Kanske",
        "Skickar ersättare",
    ]
    english = harness.port.messages[reminder_of(harness, "david")]
    assert [b.label for b in harness.port.buttons_of(english.id)] == [
        "Coming",
        "Not coming",
        "Maybe",
        "Sending a substitute",
    ]

    # the calendar file came with it and parses back to the right event
    ics_files = [p for p in harness.port.files() if p.suffix == ".ics"]
    assert len(ics_files) == 4
    event = next(iter(Calendar.from_ical(ics_files[0].read_bytes()).walk("VEVENT")))
    start = event.decoded("dtstart")
    assert start == MEETING and str(start.tzinfo) == "Europe/Stockholm"
    assert event.decoded("dtend") == MEETING + timedelta(hours=3)
    assert str(event["location"]) == "Residenset, Karlstad"
    assert str(event["uid"]).startswith("varmland-2015-dialogmote-0@")  # the first of the series

    # answers by button; changing one's mind replaces the answer
    await harness.run(f"@anna {reminder_of(harness, 'anna')}.1", f"@bo {reminder_of(harness, 'bo')}.3")
    assert harness.last_ack().startswith("Tack! Ditt svar för organisationen: Kanske")
    await harness.run(f"@bo {reminder_of(harness, 'bo')}.2")
    assert "Kommer inte" in harness.last_ack()
    # somebody else's reminder cannot be answered
    await harness.run(f"@cilla {reminder_of(harness, 'anna')}.2")
    assert "skickades till någon annan" in harness.last_ack()

    out = "\n".join(await harness.run("/osa"))
    assert "Organisationer: 1 kommer, 0 kanske, 0 skickar ersättare, 1 kommer inte, 1 har inte svarat" in out
    assert "• Karlstads kommun: Kommer inte (svarat av en kontakt 2027-02-07)" in out
    assert "• Region Värmland: Kommer (svarat av en kontakt 2027-02-07)" in out
    assert "• Idéburna organisationer i Värmland: inget svar" in out
    assert "Anna" not in out and "Bo Berg" not in out  # organisations, never who answered
    refused = "\n".join(await harness.run("@anna /osa"))
    assert "Organisationer:" not in refused

    # the 7-day reminder has no second calendar file
    clock.now = due_time(MEETING, timedelta(days=7)).astimezone(UTC)
    assert (await dispatcher.tick()).sent == 4
    assert len([p for p in harness.port.files() if p.suffix == ".ics"]) == 4


async def test_stop_resume_and_forget(setup: tuple[LocalHarness, Dispatcher, Clock]) -> None:
    harness, dispatcher, clock = setup
    await dispatcher.tick()
    out = await harness.run("@anna :privat", "@anna /stoppa")
    assert any("inga fler påminnelser" in line for line in out)
    assert any("inte som kontaktperson" in line for line in await harness.run("@zelda /stoppa"))
    clock.now = due_time(MEETING, timedelta(days=7)).astimezone(UTC)
    assert (await dispatcher.tick()).sent == 3
    await harness.run("@anna /paminnelser")
    clock.now = due_time(MEETING, timedelta(days=1)).astimezone(UTC)
    assert (await dispatcher.tick()).sent == 4

    await harness.run(f"@bo {reminder_of(harness, 'bo')}.1", "@bo /glom_kontakt")
    confirm = max(m.id for m in harness.port.messages.values() if "glömmer dig" in m.text)
    await harness.session.press(UserRef("local", "bo", "bo"), confirm, 1)
    assert harness.last_ack().startswith("Klart:")
    store = dispatcher.store
    assert "karlstad-bo" not in {c.contact.key for c in await store.contacts(active_only=False)}
    # what is kept is the contact tombstone, which cannot be matched with the key of bo's votes
    pseudonymizer = harness.app.pseudonymizer
    async with store._read() as session:
        kept = set((await session.execute(select(ForgottenContactRow.tombstone))).scalars())
    assert kept == {pseudonymizer.contact_tombstone("local", "bo")}
    assert pseudonymizer.user_key("local", "bo") not in kept
    # bo's old reminder is gone with the rest
    await harness.run(f"@bo {reminder_of(harness, 'bo')}.1")
    assert harness.last_ack() == "Påminnelsen finns inte längre."
    # a config re-import does not bring the forgotten contact back
    await import_meetings(store, load_meetings_configs([EXAMPLE], pseudonymizer), pseudonymizer)
    assert "karlstad-bo" not in {c.contact.key for c in await store.contacts(active_only=False)}
    assert len(await store.contacts()) == 3


async def test_answer_is_refused_once_the_meeting_has_started(
    setup: tuple[LocalHarness, Dispatcher, Clock],
) -> None:
    """The app installs the commands with the wall clock; the test's clock must still rule."""
    harness, dispatcher, clock = setup
    await dispatcher.tick()
    await harness.run(f"@anna {reminder_of(harness, 'anna')}.1")
    assert harness.last_ack().startswith("Tack! Ditt svar för organisationen: Kommer")
    clock.now = MEETING.astimezone(UTC)
    await harness.run(f"@anna {reminder_of(harness, 'anna')}.2")
    assert harness.last_ack() == "Mötet har redan börjat; svaret kan inte ändras."
    await harness.run("@david /language en", f"@david {reminder_of(harness, 'david')}.1")
    assert harness.last_ack() == "The meeting has already started; the answer can no longer be changed."
    tallies = tally_of(await attendance(dispatcher.store, 1, MEETING))
    assert (tallies.yes, tallies.no) == (1, 0)


def test_install_again_replaces_store_and_clock(tmp_path: Path) -> None:
    import asyncio

    async def check() -> None:
        harness = await LocalHarness.start(tmp_path)
        try:
            first = installed_store(harness.app.conversation)
            assert first is not None
            store = SqlMeetingStore(harness.app.engine)
            clock = Clock(MEETING)
            chat = install(harness.app.conversation, store, clock=clock)
            assert installed_store(harness.app.conversation) is store and chat.clock is clock
            assert install(harness.app.conversation, first).clock is clock  # no clock given: kept
        finally:
            await harness.close()

    asyncio.run(check())


async def test_reminders_running_imports_config_and_schedules(tmp_path: Path) -> None:
    from bot.meetings_runner import reminders_running

    harness = await LocalHarness.start(tmp_path)
    try:
        async with reminders_running(harness.app, interval=0.1) as dispatcher:
            await eventually(lambda: dispatcher._task is not None, what="the scheduler's job to start a tick")
            assert {c.contact.key for c in await dispatcher.store.contacts()} >= {
                "region-anna",
                "ideburna-david",
            }
        await harness.run("/osa")
        assert any("Årligt dialogmöte" in line for line in harness.output)
    finally:
        await harness.close()
