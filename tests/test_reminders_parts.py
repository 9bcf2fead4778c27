"""A reminder is two messages, the calendar file and the text, each recorded once the platform
accepted it: a dispatcher that dies between them leaves only the text to whoever takes over.
Where the platform carries the text and its buttons as the file's caption (Telegram, up to 1024
characters) it is one message, and both parts are recorded by one write."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, timedelta

import pytest
from sqlalchemy import event
from telegram import Bot

from bot.meetings_runner import Dispatcher
from bot.telegram.port import MAX_CAPTION, TelegramPort
from bot.textsplit import utf16_length
from facilitation.buttons import ButtonCodec
from facilitation.meetings import due_time
from facilitation.meetings.calendar_links import calendar_links_text
from facilitation.meetings.messages import RSVP_ACTION, reminder_text, rsvp_buttons
from facilitation.meetings.store import SENT
from facilitation.model import Language
from facilitation.ports import PortDefaults
from facilitation.pseudonym import Pseudonymizer
from storage.meetings_repository import SqlMeetingStore
from tests.conftest import SECRET
from tests.harness import until
from tests.reminder_platforms import TOKEN, telegram
from tests.standins.telegram_api import StoredMessage
from tests.test_reminders_dispatch import Clock, config
from tests.test_reminders_lease import DAY, LEASE, MEETING, ONE_REMINDER
from tests.waiting import eventually

# A place as long as the import allows (300 characters): it is in the text and in both calendar
# links, so the reminder no longer fits a document's 1024-character caption.
LONG_PLACE = ("Residenset, Stora salen, Västra Torggatan 1, Karlstad. Ingång från Tingvallagatan; " * 4)[:300]
CODEC = ButtonCodec(Pseudonymizer(SECRET))


def one_reminder(place: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    """The meeting with one reminder (a day before), held at ``place`` if given."""
    return [{**meeting, **({"place": place} if place else {})} for meeting in ONE_REMINDER]


def _updates_of_deliveries(store: SqlMeetingStore) -> list[set[str]]:
    """The columns each ``UPDATE deliveries`` statement sets, in order, from now on."""
    writes: list[set[str]] = []

    def seen(conn: object, cursor: object, statement: str, *rest: object) -> None:
        found = re.match(r"\s*UPDATE deliveries SET (.*?) WHERE ", statement, re.S)
        if found:
            writes.append(set(re.findall(r"(\w+)=", found.group(1))))

    event.listen(store.engine.sync_engine, "before_cursor_execute", seen)
    return writes


async def _expected_text(store: SqlMeetingStore) -> str:
    [stored] = await store.meetings()
    meeting = stored.meeting
    return (
        reminder_text(meeting, meeting.start, DAY, Language.SV)
        + "\n"
        + calendar_links_text(meeting, meeting.start, Language.SV, "")
    )


def _buttons(message: StoredMessage) -> list[tuple[str, tuple[str, tuple[int, ...]]]]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [(b["text"], CODEC.decode(b["callback_data"])) for row in rows for b in row]


async def test_a_crash_between_the_calendar_file_and_the_text_leaves_only_the_text(
    meetings_sqlite: SqlMeetingStore,
) -> None:
    """(A text too long for a document's caption: a shorter one goes as one message, below.)"""
    contacts = 5
    await meetings_sqlite.import_config(
        config(contacts=contacts, platform="telegram", meetings=one_reminder(LONG_PLACE))
    )
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    async with telegram() as platform:
        dying = Dispatcher(
            meetings_sqlite, {"telegram": platform.port}, None, clock=clock, worker_id="A", lease=LEASE
        )
        tick = asyncio.create_task(dying.tick())

        async def files_recorded() -> bool:
            return sum(row.file_sent_at is not None for row in await meetings_sqlite.deliveries()) == contacts

        # Each text waits about a second behind its file for the chat's window (1 message/s per
        # private chat): the process dies in that second, with every file sent and recorded.
        await eventually(files_recorded, within=10, what="the calendar files to be sent and recorded")
        tick.cancel()
        with pytest.raises(asyncio.CancelledError):
            await tick
        assert platform.sends("sendMessage") == {}, "a text went out before the crash: not the case tested"
        assert sum(platform.sends("sendDocument").values()) == contacts
        clock.set(clock.now + LEASE + timedelta(minutes=1))  # the dead process's claims run out
        result = await Dispatcher(
            meetings_sqlite, {"telegram": platform.port}, None, clock=clock, worker_id="B"
        ).tick()
        assert result.sent == contacts
        await until(lambda: len(platform.sends("sendMessage")) == contacts)
        assert platform.sends("sendDocument") == {chat: 1 for chat in range(1, contacts + 1)}
        assert platform.sends("sendMessage") == {chat: 1 for chat in range(1, contacts + 1)}


async def test_a_telegram_reminder_with_its_calendar_file_is_one_message_recorded_by_one_write(
    meetings_sqlite: SqlMeetingStore,
) -> None:
    """The text is the document's caption, with the RSVP buttons under it; the renewal before the
    send marks both parts as attempted, and one UPDATE records both."""
    await meetings_sqlite.import_config(config(contacts=1, platform="telegram", meetings=one_reminder()))
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    writes = _updates_of_deliveries(meetings_sqlite)
    async with telegram() as platform:
        dispatcher = Dispatcher(meetings_sqlite, {"telegram": platform.port}, CODEC, clock=clock)
        assert (await dispatcher.tick()).sent == 1
        [message] = platform.api.sent_messages(1)
    [row] = await meetings_sqlite.deliveries()
    assert platform.sends("sendMessage") == {} and platform.sends("sendDocument") == {1: 1}
    assert message.kind == "document" and message.caption == await _expected_text(meetings_sqlite)
    labels = [label for _answer, label in rsvp_buttons(Language.SV)]
    assert _buttons(message) == [(label, (RSVP_ACTION, (row.id, i))) for i, label in enumerate(labels)]
    assert row.status == SENT and row.file_sent_at is not None  # calendar updates read file_sent_at
    assert row.file_attempt_at is not None and row.text_attempt_at is not None
    marks = [w for w in writes if w & {"file_attempt_at", "text_attempt_at"}]
    assert marks == [{"claimed_at", "file_attempt_at", "text_attempt_at"}]  # one renewal marks both
    records = [w for w in writes if w & {"file_sent_at", "sent_at"}]
    assert len(records) == 1 and {"status", "sent_at", "file_sent_at"} <= records[0]


async def test_a_text_too_long_for_a_caption_still_goes_as_the_file_and_then_the_text(
    meetings_sqlite: SqlMeetingStore,
) -> None:
    await meetings_sqlite.import_config(
        config(contacts=1, platform="telegram", meetings=one_reminder(LONG_PLACE))
    )
    text = await _expected_text(meetings_sqlite)
    assert utf16_length(text) > MAX_CAPTION  # what is tested
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    writes = _updates_of_deliveries(meetings_sqlite)
    async with telegram() as platform:
        dispatcher = Dispatcher(meetings_sqlite, {"telegram": platform.port}, CODEC, clock=clock)
        assert (await dispatcher.tick()).sent == 1
        await until(lambda: len(platform.api.sent_messages(1)) == 2)
        document, question = platform.api.sent_messages(1)
    assert document.kind == "document" and document.caption == "Årligt dialogmöte"
    assert document.reply_markup is None
    assert question.kind == "text" and question.text == text
    assert [label for label, _data in _buttons(question)] == [name for _a, name in rsvp_buttons(Language.SV)]
    [row] = await meetings_sqlite.deliveries()
    assert row.status == SENT and row.file_sent_at is not None
    records = [w for w in writes if w & {"file_sent_at", "sent_at"}]
    assert records == [{"file_sent_at"}, {"status", "sent_at", "last_error", "retry_at"}]  # one by one


def test_telegram_carries_a_text_on_a_file_up_to_the_caption_limit_counted_in_utf16() -> None:
    port = TelegramPort(Bot(TOKEN))
    assert port.fits_on_file("x" * MAX_CAPTION) and not port.fits_on_file("x" * (MAX_CAPTION + 1))
    assert not port.fits_on_file("😀" * (MAX_CAPTION // 2 + 1))  # 513 characters, 1026 UTF-16 units
    assert not PortDefaults().fits_on_file("x")  # Slack, e-mail, the browser: a file and a text
