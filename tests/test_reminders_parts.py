"""A reminder is two messages, the calendar file and the text, each recorded once the platform
accepted it: a dispatcher that dies between them leaves only the text to whoever takes over."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time
from storage.meetings_repository import SqlMeetingStore
from tests.harness import until
from tests.reminder_platforms import telegram
from tests.test_reminders_dispatch import Clock, config
from tests.test_reminders_lease import DAY, LEASE, MEETING, ONE_REMINDER
from tests.waiting import eventually


async def test_a_crash_between_the_calendar_file_and_the_text_leaves_only_the_text(
    meetings_sqlite: SqlMeetingStore,
) -> None:
    contacts = 5
    await meetings_sqlite.import_config(config(contacts=contacts, platform="telegram", meetings=ONE_REMINDER))
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
