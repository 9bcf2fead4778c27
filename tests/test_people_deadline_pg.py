"""A round launched with a deadline closes itself after a restart, on PostgreSQL, with two bot
processes running: closed once, its results posted once.

Each "process" is what ``dialogbot run`` builds (``App.create`` on the shared database, a real
python-telegram-bot Application on the Bot API stand-in, ``people_running``'s timers); they
share a clock the test moves on, so the deadline comes without waiting for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from telegram import Update

from bot.app import App
from bot.people_runner import PeopleTimers, people_running
from bot.telegram.runner import TelegramAdapter
from config.settings import load_settings
from facilitation.model import RoundStatus
from storage.database import create_engine
from tests.harness import until
from tests.standins.telegram_api import TelegramStandIn

TOKEN = "123456:TEST-deadline-token"
FACILITATOR = 1
GROUP = -1002020
CLOSED_TEXT = "Här är resultatet"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning"),
]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def _process(
    api: TelegramStandIn, tmp_path: Path, url: str, clock: Clock
) -> AsyncIterator[tuple[App, TelegramAdapter]]:
    settings = load_settings(
        None,
        env={},
        env_file=None,
        data_dir=tmp_path,
        database_url=url,
        secret="shared-secret-of-the-installation",
        facilitators={"telegram": [str(FACILITATOR)]},
        chart_processes=0,
        telegram_token=TOKEN,
    )
    app = await App.create(settings, clock=clock)
    app.conversation.live.lease_seconds, app.conversation.live.lease_tick = 1.5, 0.1
    adapter = TelegramAdapter.build(app.conversation, TOKEN, base_url=api.root_url)
    await adapter.application.initialize()
    app.health.started.add("telegram")  # as telegram_running marks it: live tallies are taken over here
    try:
        yield app, adapter
    finally:
        app.health.started.discard("telegram")
        await adapter.application.shutdown()
        await app.aclose()


async def _say(api: TelegramStandIn, adapter: TelegramAdapter, text: str) -> None:
    update = api.message_update(FACILITATOR, GROUP, text, chat_title="Kalmar")
    await adapter.application.process_update(Update.de_json(update, adapter.application.bot))


def _closings(api: TelegramStandIn) -> int:
    return sum(CLOSED_TEXT in (m.text or "") for m in api.sent_messages(GROUP))


async def _deadline_rows(url: str) -> list[tuple[str, int]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT state, attempts FROM round_deadlines"))
            return [(state, attempts) for state, attempts in rows]
    finally:
        await engine.dispose()


async def test_a_deadline_round_closes_itself_after_a_restart_once_with_two_processes(
    tmp_path: Path, pg_database: str
) -> None:
    clock = Clock()
    async with TelegramStandIn(token=TOKEN) as api:
        async with _process(api, tmp_path / "first", pg_database, clock) as (first, adapter):
            await _say(api, adapter, "/workshop varmland-2015 Dialogträff")
            await _say(api, adapter, "/barometer 1,2 slut=14:30")  # Stockholm time: 13:30 UTC
            [workshop_id] = await first.store.workshop_ids()
            round_ = await first.service.open_round_of(workshop_id)
            assert round_ is not None
            assert "stängs automatiskt 14:30" in (api.last_text(GROUP) or "")
        # The bot is stopped (a deploy); the deadline (13:30 UTC) passes while it is down.
        clock.now += timedelta(minutes=45)
        async with (
            _process(api, tmp_path / "second", pg_database, clock) as (second, _a),
            _process(api, tmp_path / "third", pg_database, clock) as (third, _b),
            people_running(second, interval=0.2) as timers_b,
            people_running(third, interval=0.2) as timers_c,
        ):
            # Besides their timers, both processes tick at the same moment.
            posted = await asyncio.gather(*(_tick(t) for t in (timers_b, timers_c, timers_b, timers_c)))
            await until(lambda: _closings(api) >= 1)
            await asyncio.sleep(1.0)  # several more ticks of both timers
            assert sum(len(p) for p in posted) <= 1
            closed = await second.service.require_round(round_.id)
            assert closed.status == RoundStatus.CLOSED
            assert _closings(api) == 1  # posted once, by one of the two
            # The live tally the stopped process posted shows the round closed too.
            await until(
                lambda: any(
                    "🔒" in (m.text or "") and "stängd" in (m.text or "") for m in api.sent_messages(GROUP)
                ),
                within=10,
            )
            assert not [m for m in api.sent_messages(GROUP) if "har svarat hittills" in (m.text or "")]
        assert await _deadline_rows(pg_database) == [("done", 1)]  # claimed once, finished


async def _tick(timers: PeopleTimers) -> list[int]:
    return await timers.closer.tick()


ANSWERS = 731_000_001
UNDECIDED = 731_000_002
STOPS = 731_000_003


async def _from(api: TelegramStandIn, adapter: TelegramAdapter, person: int, text: str) -> None:
    update = api.message_update(person, person, text)
    await adapter.application.process_update(Update.de_json(update, adapter.application.bot))


def _reminded(api: TelegramStandIn, person: int) -> int:
    return sum("Påminnelse: omgång" in (m.text or "") for m in api.sent_messages(person))


async def test_the_undecided_are_reminded_once_after_a_restart_with_two_processes(
    tmp_path: Path, pg_database: str
) -> None:
    clock = Clock()
    async with TelegramStandIn(token=TOKEN) as api:
        async with _process(api, tmp_path / "first", pg_database, clock) as (_first, adapter):
            await _say(api, adapter, "/workshop varmland-2015 Dialogträff")
            created = next(m.text for m in api.sent_messages(GROUP) if m.text and "Anslutningskod" in m.text)
            code = created.split("Anslutningskod: ")[1].split()[0]
            await _say(api, adapter, "/barometer 1,2 slut=14:30")  # 13:30 UTC: reminded at 13:27
            for person in (ANSWERS, UNDECIDED, STOPS):
                await _from(api, adapter, person, f"/start {code}")
            await _from(api, adapter, ANSWERS, "/rosta")
            [statement, *_] = [
                m for m in api.sent_messages(ANSWERS) if "'callback_data': 'b." in str(m.reply_markup or "")
            ]
            data = statement.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
            press = api.callback_update(ANSWERS, ANSWERS, statement.message_id, data)
            await adapter.application.process_update(Update.de_json(press, adapter.application.bot))
            assert "Ditt svar" in str(api.calls_to("answerCallbackQuery")[-1].params.get("text"))
            await _from(api, adapter, STOPS, "/stoppa")
        # The bot is stopped; the reminder's time (13:27 UTC) passes while it is down.
        clock.now += timedelta(minutes=28)
        async with (
            _process(api, tmp_path / "second", pg_database, clock) as (second, _a),
            _process(api, tmp_path / "third", pg_database, clock) as (third, _b),
            people_running(second, interval=0.2) as timers_b,
            people_running(third, interval=0.2) as timers_c,
        ):
            assert timers_b.reminder is not None and timers_c.reminder is not None
            ticks = (timers_b.reminder.tick, timers_c.reminder.tick) * 2
            sent = await asyncio.gather(*(tick() for tick in ticks))  # besides their timers, at once
            await until(lambda: _reminded(api, UNDECIDED) >= 1)
            await asyncio.sleep(1.0)  # several more ticks of both timers
            assert sum(sent) <= 1
            assert _reminded(api, UNDECIDED) == 1
            assert _reminded(api, ANSWERS) == 0 and _reminded(api, STOPS) == 0
            round_ = await second.service.open_round_of(1)
            assert round_ is not None  # the round itself closes at 13:30, not now
        # Started once more: nobody is reminded again.
        async with (
            _process(api, tmp_path / "fourth", pg_database, clock) as (fourth, _c),
            people_running(fourth, interval=0.2) as timers_d,
        ):
            assert timers_d.reminder is not None
            assert await timers_d.reminder.tick() == 0
        assert _reminded(api, UNDECIDED) == 1
        engine = create_engine(pg_database)
        try:
            async with engine.connect() as connection:
                states = (await connection.execute(sa.text("SELECT remind_state FROM round_deadlines"))).all()
        finally:
            await engine.dispose()
        assert [state for (state,) in states] == ["done"]
