"""Reminders and the platforms' rate limits: "too many requests" delays a reminder, it never
makes it run out of attempts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time
from storage.meetings_repository import MeetingStore
from tests.reminder_platforms import telegram
from tests.test_reminders_dispatch import Clock, _store, config
from tests.test_reminders_lease import DAY, MEETING, ONE_REMINDER

# PTB 22.8's own RetryAfter.__init__ reads the deprecated int-valued ``retry_after``.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[MeetingStore]:
    s = await _store(f"sqlite+aiosqlite:///{tmp_path / 'ratelimit.sqlite3'}")
    yield s
    await s.engine.dispose()


async def test_429s_never_use_up_a_reminders_attempts(store: MeetingStore) -> None:
    """Telegram refuses the reminder 6 times with 429 (more than the limiter retries): with 2
    attempts allowed it is still sent when Telegram lets it through, after the asked wait."""
    await store.import_config(config(contacts=1, platform="telegram", meetings=ONE_REMINDER))
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    async with telegram(max_retries=0) as platform:
        platform.api.throttle_next("sendMessage", retry_after=3, times=6)
        dispatcher = Dispatcher(store, {"telegram": platform.port}, None, clock=clock, ics="none", max_attempts=2)
        for _ in range(6):
            result = await dispatcher.tick()
            assert result.failed == 1
            (row,) = await store.deliveries("failed")
            assert row.attempts == 0
            assert (await dispatcher.tick()).failed == 0, "retried before the wait Telegram asked for"
            clock.set(clock.now + timedelta(seconds=3))
        assert (await dispatcher.tick()).sent == 1
        assert platform.sends("sendMessage") == {1: 1} and platform.api.count_429 == 6
    assert (await store.status_counts())["sent"] == 1
