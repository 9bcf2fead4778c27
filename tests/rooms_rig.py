"""Both adapters of one App (as ``dialogbot run`` with both tokens) against both stand-ins.

Shared by the tests of rooms (isolation, migration, topics) and of results arriving whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from telegram import Update

from bot.app import App
from bot.slack.port import SlackLimits
from bot.slack.runner import SlackAdapter
from bot.telegram.ratelimit import TelegramRateLimiter
from bot.telegram.runner import TelegramAdapter
from config.settings import load_settings
from tests.harness import until
from tests.standins.slack_api import SlackStandIn, StoredMessage, sign
from tests.standins.telegram_api import RateLimits, TelegramStandIn
from tests.standins.telegram_api import StoredMessage as StoredTgMessage

TG_TOKEN = "123456:TEST-rooms"
SLACK_TOKEN = "xoxb-rooms"
SLACK_SECRET = "rooms-signing-secret"
TG_FACILITATOR = 1
TG_GROUP = -1009876  # a supergroup
SLACK_FACILITATOR = "UFAC"


@dataclass
class Rooms:
    """One App with both adapters, as ``dialogbot run`` with both tokens, against both stand-ins."""

    tg: TelegramStandIn
    slack: SlackStandIn
    app: App
    telegram: TelegramAdapter
    slack_adapter: SlackAdapter

    async def tg_update(self, data: dict[str, Any]) -> None:
        application = self.telegram.application
        await application.process_update(Update.de_json(data, application.bot))

    async def tg_command(
        self, text: str, chat: int = TG_GROUP, user: int = TG_FACILITATOR, **kw: Any
    ) -> None:
        await self.tg_update(self.tg.message_update(user, chat, text, **kw))

    async def slack_command(self, text: str, channel: str, user: str = SLACK_FACILITATOR) -> None:
        """``/dialog text`` in a channel named ``kanal-<channel id>``."""
        await self.slack_request(
            self.slack.slash_command_body(
                "/dialog", text, user, channel, channel_name=f"kanal-{channel.lower()}"
            )
        )

    async def slack_request(self, body: str) -> None:
        """A signed request (a command, a button press) through Bolt, as Slack sends it."""
        response = await self.slack_adapter.app.async_dispatch(
            AsyncBoltRequest(body=body, headers=sign(SLACK_SECRET, body))
        )
        assert response.status == 200

    def tg_texts(self, chat: int = TG_GROUP) -> list[str]:
        return [m.text or m.caption or "" for m in self.tg.sent_messages(chat)]

    def slack_texts(self, channel: str) -> list[str]:
        return [m.text or "" for m in self.slack.messages_in(channel)]

    async def room_keys(self, code: str) -> list[tuple[str, str]]:
        workshop = await self.app.service.workshop_by_code(code)
        return [(room.platform, room.chat_id) for room in await self.app.store.rooms(workshop.id)]

    async def workshop_in_telegram(self, chat: int = TG_GROUP, **kw: Any) -> str:
        """A workshop started in a Telegram group; its join code."""
        await self.tg_command("/workshop varmland-2015 Gemensam", chat=chat, chat_title="Karlstad", **kw)
        created = next(t for t in self.tg_texts(chat) if "Anslutningskod" in t)
        return created.split("Anslutningskod: ")[1][:6]

    async def join_slack(self, code: str, *channels: str) -> None:
        """Slack channels join the workshop as rooms (the facilitator's /dialog delta KOD)."""
        for channel in channels:
            await self.slack_command(f"delta {code}", channel)
            await until(lambda channel=channel: any("Välkommen till" in t for t in self.slack_texts(channel)))


SAVED = "Ditt svar:"
PRESS_AGAIN = "Databasen svarar inte just nu – tryck igen om en stund."


async def vote_in_telegram(rooms: Rooms, chat: int, people: int) -> None:
    """``people`` participants press the first statement's first button in a Telegram room, each
    until the bot answers that the vote is saved: on a loaded machine a press can pass its answer
    deadline and be told to press again (nothing saved), and a person then presses again."""
    message, data = tg_statement(rooms, chat)
    for person in range(people):
        for _ in range(5):
            update = rooms.tg.callback_update(100 + person, chat, message.message_id, data)
            await rooms.tg_update(update)
            query = update["callback_query"]["id"]
            [answer] = await until(
                lambda query=query: [
                    str(c.params.get("text") or "")
                    for c in rooms.tg.calls_to("answerCallbackQuery")
                    if c.params.get("callback_query_id") == query
                ]
            )
            if answer.startswith(SAVED):
                break
            assert answer == PRESS_AGAIN, answer
        else:
            raise AssertionError(f"participant {100 + person}'s vote was never saved")


def tg_statement(rooms: Rooms, chat: int) -> tuple[StoredTgMessage, str]:
    """The first barometer statement posted in a Telegram chat, and its first button's data."""
    found = posted_tg_statement(rooms, chat)
    if found is None:
        raise AssertionError("no statement posted")
    return found


def posted_tg_statement(rooms: Rooms, chat: int) -> tuple[StoredTgMessage, str] | None:
    """:func:`tg_statement`, or None while none is posted yet (a probe for ``until``: a launch
    from another platform reaches the Telegram room after the command is answered)."""
    for message in rooms.tg.sent_messages(chat):
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        if rows and rows[0][0]["callback_data"].startswith("b."):
            return message, rows[0][0]["callback_data"]
    return None


def statements(messages: list[StoredMessage]) -> list[StoredMessage]:
    return [
        m
        for m in messages
        if any(
            e["value"].startswith("b.")
            for b in m.blocks or []
            if b["type"] == "actions"
            for e in b["elements"]
        )
    ]


@pytest.fixture
def rooms_settings() -> dict[str, Any]:
    """Settings beyond the rig's own (a test module overrides this fixture)."""
    return {}


def with_process(tmp_path: Path, filename: str, toml: str, **settings: Any) -> dict[str, Any]:
    """``rooms_settings`` for a module with its own process: ``toml`` is the only process file."""
    processes = tmp_path / "processes"
    processes.mkdir()
    (processes / filename).write_text(toml, encoding="utf-8")
    return {"processes_dir": processes, **settings}


@pytest.fixture
def rooms_speed() -> float:
    """How many times faster than the platforms' real limits the stand-ins and the bot's pacing run
    (a test module posting many messages overrides this fixture)."""
    return 1.0


@pytest.fixture
async def rooms(tmp_path: Path, rooms_settings: dict[str, Any], rooms_speed: float) -> AsyncIterator[Rooms]:
    tg_limits = RateLimits(group_period=60.0 / rooms_speed, overall_max=int(30 * rooms_speed))
    async with (
        TelegramStandIn(token=TG_TOKEN, bot_username="dialogbot_test", limits=tg_limits) as tg,
        SlackStandIn(bot_token=SLACK_TOKEN, rate_limiting=rooms_speed == 1.0) as slack,
    ):
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"telegram": [str(TG_FACILITATOR)], "slack": [SLACK_FACILITATOR]},
            telegram_token=TG_TOKEN,
            slack_bot_token=SLACK_TOKEN,
            slack_signing_secret=SLACK_SECRET,
            slack_api_base_url=slack.base_url,
            **{"chart_processes": 0, **rooms_settings},
        )
        app = await App.create(settings)
        limiter = TelegramRateLimiter(overall=(int(30 * rooms_speed), 1.02), group=(20, 61.0 / rooms_speed))
        telegram = TelegramAdapter.build(
            app.conversation, TG_TOKEN, base_url=tg.root_url, rate_limiter=limiter
        )
        telegram.port.group_edit_interval = 0.2
        slack_adapter = SlackAdapter.build(
            app.conversation,
            SLACK_TOKEN,
            SLACK_SECRET,
            base_url=slack.base_url,
            limits=SlackLimits().faster(rooms_speed),
        )
        slack_adapter.port._edit_interval = 0.2
        application = telegram.application
        await application.initialize()
        await application.start()
        try:
            yield Rooms(tg, slack, app, telegram, slack_adapter)
        finally:
            await telegram.drain()
            await application.stop()
            await application.shutdown()
            await slack_adapter.aclose()
            await app.aclose()
