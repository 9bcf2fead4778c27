"""A contact person who registers with an invitation gets, at once, the next meeting's date and
its calendar file: exactly once, also when the registration is delivered again. Through the real
conversation in local mode with the dispatcher on the app's SQLite database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.meetings_runner import Dispatcher
from config.meetings_files import load_meetings_configs
from facilitation.meetings.chat import install
from facilitation.meetings.directory import import_meetings
from facilitation.meetings.tz import STOCKHOLM
from tests.harness import LocalHarness

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "meetings" / "varmland-2015.toml"
PROCESS = "varmland-2015"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # the next meeting is months away: no reminder yet


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, Dispatcher]]:
    harness = await LocalHarness.start(tmp_path)
    clock = Clock(NOW)
    dispatcher = Dispatcher.from_app(harness.app, clock=clock)
    pseudonymizer = harness.app.pseudonymizer
    await import_meetings(dispatcher.store, load_meetings_configs([EXAMPLE], pseudonymizer), pseudonymizer)
    install(harness.app.conversation, dispatcher.store, clock=clock, kick=dispatcher.kick)
    try:
        yield harness, dispatcher
    finally:
        await dispatcher.stop()
        await harness.close()


def ics_files(harness: LocalHarness, chat: str = "erik") -> list[Path]:
    return [
        p
        for m in harness.port.messages.values()
        if m.chat.chat_id == chat
        for p in m.files
        if p.suffix == ".ics"
    ]


async def test_new_contact_gets_the_next_meeting_and_its_file_once(
    setup: tuple[LocalHarness, Dispatcher],
) -> None:
    harness, dispatcher = setup
    await dispatcher.tick()  # the configured contacts: nothing due in November
    assert [m for m in harness.port.messages.values() if m.files] == []
    out = "\n".join(await harness.run(":privat", f"/kontaktinbjudan {PROCESS} region-varmland", ":rum"))
    code = re.search(r"/kontakt (\S+)", out)
    assert code, out
    await harness.run(":privat", f"@erik /kontakt {code.group(1)}")
    if dispatcher._task is not None:  # the registration kicked a tick: the welcome goes out at once
        await dispatcher._task
    welcome = [
        m for m in harness.port.messages.values() if m.chat.chat_id == "erik" and "Välkommen" in m.text
    ]
    assert len(welcome) == 1
    assert (
        "Nästa möte: Årligt dialogmöte för Överenskommelsen i Värmland, tisdag 9 mars 2027" in welcome[0].text
    )
    assert "Lägg till i Google Kalender" in welcome[0].text
    (data,) = ics_files(harness)
    event = next(iter(Calendar.from_ical(data.read_bytes()).walk("VEVENT")))
    assert event.decoded("DTSTART") == datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)
    assert str(event["UID"]) == f"{PROCESS}-dialogmote-0@dialogbot"

    # The registration delivered again (and ticks after it): no second welcome, no second file.
    await harness.run(f"@erik /kontakt {code.group(1)}")
    if dispatcher._task is not None:
        await dispatcher._task
    await dispatcher.tick()
    welcome = [
        m for m in harness.port.messages.values() if m.chat.chat_id == "erik" and "Välkommen" in m.text
    ]
    assert len(welcome) == 1 and len(ics_files(harness)) == 1

    # Its first reminder (30 days before) then comes without a second calendar file.
    dispatcher.clock.now = datetime(2027, 2, 7, 9, tzinfo=UTC)  # type: ignore[attr-defined]
    await dispatcher.tick()
    reminders = [
        m for m in harness.port.messages.values() if m.chat.chat_id == "erik" and "Påminnelse" in m.text
    ]
    assert len(reminders) == 1 and len(ics_files(harness)) == 1
    assert len(ics_files(harness, "anna")) == 1  # a configured contact gets it with the reminder
