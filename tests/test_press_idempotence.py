"""A press delivered again changes nothing (issue 14), through python-telegram-bot and the stand-in.

Telegram re-sends an update it saw no answer to, also after the bot was killed between storing
a press and answering it. An approval mark must not be toggled off by the second delivery, a
points press must not add its step twice, and this must hold after a restart on SQLite and on
PostgreSQL. A *new* press on the same button still changes the ballot (people change their mind).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.app import App
from bot.telegram.runner import TelegramAdapter
from facilitation.model import RoundKind
from storage.models import PressRow
from tests.harness import running_app
from tests.standins.telegram_api import TelegramStandIn

TOKEN = "123456:TEST-press-token"
FACILITATOR = 1
PARTICIPANT = 4242
GROUP = -1009191

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


@asynccontextmanager
async def _bot(api: TelegramStandIn, tmp_path: Path, database_url: str | None) -> AsyncIterator[Bot]:
    """One bot process: the App and the PTB application, started and stopped like production."""
    settings: dict[str, Any] = {"telegram_token": TOKEN, "facilitators": {"telegram": [str(FACILITATOR)]}}
    if database_url:
        settings["database_url"] = database_url
    async with running_app(tmp_path, **settings) as app:
        adapter = TelegramAdapter.build(app.conversation, TOKEN, base_url=api.root_url)
        application = adapter.application
        await application.initialize()
        await application.start()
        try:
            yield Bot(api, app, adapter)
        finally:
            await application.stop()
            await application.shutdown()


class Bot:
    def __init__(self, api: TelegramStandIn, app: App, adapter: TelegramAdapter) -> None:
        self.api, self.app, self.adapter = api, app, adapter

    async def process(self, update: dict[str, Any]) -> None:
        application = self.adapter.application
        await application.process_update(Update.de_json(update, application.bot))

    async def command(self, text: str, user: int = FACILITATOR, chat: int = GROUP) -> None:
        await self.process(self.api.message_update(user, chat, text))

    async def redeliver(self, press: dict[str, Any]) -> None:
        """Telegram sends the same update again (the first was stored but never answered)."""
        self.api.expect_callback(press["callback_query"]["id"])
        await self.process(press)

    def buttons(self, prefix: str) -> tuple[int, list[str]]:
        """The newest message in the group whose buttons start with ``prefix``: (id, data)."""
        found = []
        for message in self.api.sent_messages(GROUP):
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            data = [b["callback_data"] for row in rows for b in row]
            if data and data[0].startswith(prefix):
                found.append((message.message_id, data))
        return found[-1]

    async def ballot(self, kind: RoundKind) -> dict[int, int]:
        """The participant's stored ballot in the workshop's round of ``kind``, by item position."""
        [round_] = [r for r in await self.app.store.rounds(1) if r.kind == kind]  # the only workshop
        key = self.app.pseudonymizer.participant_key("telegram", str(PARTICIPANT), 1)
        stored = await self.app.service.own_answers(round_.id, key)
        position = {item.id: item.position for item in round_.items}
        return {position[item]: value for item, value in stored.items()}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_press_delivered_again_changes_nothing_also_after_a_restart(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("pg_database") if backend == "postgres" else None
    async with TelegramStandIn(token=TOKEN, bot_username="dialogbot_test") as api:
        async with _bot(api, tmp_path, url) as bot:
            await bot.command("/workshop varmland-2015 Idempotent")
            workshop = await bot.app.store.workshop(1)
            assert workshop is not None
            await bot.command(f"/delta {workshop.join_code}", user=PARTICIPANT, chat=PARTICIPANT)
            await bot.command("/markera")
            message_id, marks = bot.buttons("pa.")
            mark = api.callback_update(PARTICIPANT, GROUP, message_id, marks[0])
            await bot.process(mark)
            assert await bot.ballot(RoundKind.APPROVAL) == {0: 1}
            await bot.redeliver(mark)
            assert await bot.ballot(RoundKind.APPROVAL) == {0: 1}  # not toggled off
            # A new press of the same button is a change of mind, and another one changes it back.
            await bot.process(api.callback_update(PARTICIPANT, GROUP, message_id, marks[0]))
            assert await bot.ballot(RoundKind.APPROVAL) == {}
            await bot.process(api.callback_update(PARTICIPANT, GROUP, message_id, marks[0]))
            assert await bot.ballot(RoundKind.APPROVAL) == {0: 1}

            await bot.command("/stang")
            async with bot.app.engine.connect() as connection:  # a closed round's presses are kept no more
                assert (await connection.execute(select(func.count()).select_from(PressRow))).scalar() == 0
            await bot.command("/poang 100")
            message_id, points = bot.buttons("pp.")
            plus = api.callback_update(PARTICIPANT, GROUP, message_id, points[0])
            await bot.process(plus)
            await bot.redeliver(plus)
            assert await bot.ballot(RoundKind.POINTS) == {0: 10}  # added once
        async with _bot(api, tmp_path, url) as bot:  # the bot was restarted; Telegram tries again
            await bot.redeliver(plus)
            await bot.redeliver(mark)
            assert await bot.ballot(RoundKind.POINTS) == {0: 10}
            await bot.process(api.callback_update(PARTICIPANT, GROUP, message_id, points[0]))
            assert await bot.ballot(RoundKind.POINTS) == {0: 20}
            # The answer to a redelivered press tells the ballot as it stands.
            await bot.redeliver(plus)
            answer = api.calls_to("answerCallbackQuery")[-1].params.get("text") or ""
            assert "20" in answer and await bot.ballot(RoundKind.POINTS) == {0: 20}
