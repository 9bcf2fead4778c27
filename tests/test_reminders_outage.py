"""The reminder dispatcher through a database outage: a cuttable proxy in front of PostgreSQL,
the real Telegram path (PTB with our rate limiter) against the Bot API stand-in.

A fan-out to 300 contacts loses its database for 5 s a third of the way in: the tick must
come back by itself when the database does, and every contact gets the calendar file and the
reminder exactly once (as one message, the text as the document's caption, when it fits there;
as two when it does not).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.meetings_runner import Dispatcher, TickResult
from facilitation.meetings import due_time
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore
from tests.reminder_platforms import Telegram, telegram
from tests.tcp_proxy import CuttableProxy
from tests.test_reminders_dispatch import Clock, config
from tests.test_reminders_lease import DAY, MEETING
from tests.test_reminders_parts import LONG_PLACE, one_reminder
from tests.waiting import eventually


@pytest.fixture
async def platform() -> AsyncIterator[Telegram]:
    async with telegram(rate=150) as sped_up:  # five times Telegram's rate: the test takes seconds
        yield sped_up


def through(proxy: CuttableProxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


async def fan_out_with_outage(
    pg_database: str,
    platform: Telegram,
    contacts: int,
    *,
    outage: float = 5.0,
    mode: str = "refuse",
    lost_claims: int = 0,
    place: str | None = None,
    **options: Any,
) -> TickResult:
    """A tick to ``contacts`` whose database goes away for ``outage`` s after a third of the texts.

    ``lost_claims``: rows claimed under the dispatcher's worker id beforehand, as a claim that
    committed while its answer was lost in the outage leaves them.
    """
    setup = SqlMeetingStore(create_engine(pg_database))
    await setup.import_config(config(contacts=contacts, platform="telegram", meetings=one_reminder(place)))
    now = due_time(MEETING, DAY).astimezone(UTC)
    clock = Clock(now)
    if lost_claims:
        await Dispatcher(setup, {}, clock=clock).plan(now)
        assert len(await setup.claim("A", now, lost_claims)) == lost_claims
    await setup.engine.dispose()
    async with CuttableProxy("127.0.0.1", make_url(pg_database).port or 5432) as proxy:
        store = SqlMeetingStore(create_engine(through(proxy, pg_database)))
        dispatcher = Dispatcher(
            store, {"telegram": platform.port}, None, clock=clock, worker_id="A", **options
        )
        tick = asyncio.create_task(dispatcher.tick())
        try:
            await eventually(lambda: sum(reminder_parts(platform)[0].values()) >= contacts // 3, within=30)
            proxy.cut(outage, mode)
            return await asyncio.wait_for(tick, 60)
        finally:
            if not tick.done():
                tick.cancel()
            await store.engine.dispose()


def reminder_parts(platform: Telegram) -> tuple[Counter[int], Counter[int]]:
    """The reminder texts and the calendar files each chat got: a document is a file, and the text
    too when it carries it as its caption (not only the meeting's title)."""
    carried = Counter(
        int(call.params["chat_id"])
        for call in platform.api.calls_to("sendDocument")
        if call.status == 200 and call.params.get("caption") != "Årligt dialogmöte"
    )
    return platform.sends("sendMessage") + carried, platform.sends("sendDocument")


async def assert_each_contact_got_each_part_once(pg_database: str, platform: Telegram, contacts: int) -> None:
    texts, files = reminder_parts(platform)
    assert sorted(texts) == list(range(1, contacts + 1)), f"{contacts - len(texts)} lost reminders"
    assert set(texts.values()) == {1}, f"{sum(texts.values()) - contacts} duplicate texts"
    assert sorted(files) == list(range(1, contacts + 1)), f"{contacts - len(files)} lost calendar files"
    assert set(files.values()) == {1}, f"{sum(files.values()) - contacts} duplicate calendar files"
    check = SqlMeetingStore(create_engine(pg_database))
    try:
        counts = await check.status_counts()
    finally:
        await check.engine.dispose()
    assert counts["sent"] == contacts and counts["claimed"] == counts["pending"] == counts["failed"] == 0


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["refuse", "hang"])
async def test_fan_out_survives_a_5_s_database_outage_and_sends_each_part_once(
    pg_database: str, platform: Telegram, mode: str
) -> None:
    """``refuse``: the server restarts (connections reset, new ones refused); ``hang``: the
    network stops carrying anything for 5 s."""
    result = await fan_out_with_outage(pg_database, platform, 300, mode=mode)
    assert result.sent == 300 and result.failed == 0
    await assert_each_contact_got_each_part_once(pg_database, platform, 300)
    assert platform.sends("sendMessage") == {}  # each reminder was one document: text and file


@pytest.mark.postgres
@pytest.mark.parametrize("place", [None, LONG_PLACE], ids=["one message", "file and text"])
async def test_rows_claimed_while_the_answer_was_lost_are_sent_after_the_outage(
    pg_database: str, platform: Telegram, place: str | None
) -> None:
    """Not left to their 10-minute lease (the test's clock never moves, so they would never go).

    Small claims keep the dispatcher claiming while the outage happens, as a claim in flight
    at the cut is what loses an answer.
    """
    result = await fan_out_with_outage(
        pg_database, platform, 120, outage=1.0, lost_claims=20, place=place, batch=10, concurrency=8
    )
    assert result.sent == 120
    await assert_each_contact_got_each_part_once(pg_database, platform, 120)
