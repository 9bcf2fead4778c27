"""One process, one event loop, one workshop with participants on Telegram and on Slack at once.

Both adapters are wired to the same App (as ``dialogbot run`` does with both tokens set) against
their loopback stand-ins. The facilitator opens the workshop in a Telegram group, a Slack channel
joins it with the same code (a facilitator's word: a participant's code does not make a channel
a room), the round launched from Telegram reaches both rooms, and the closed round gives one
aggregated result in both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from telegram import Update

from bot.app import App
from bot.slack.runner import SlackAdapter
from bot.telegram.runner import TelegramAdapter
from config.settings import load_settings
from facilitation.model import RoundStatus
from tests.harness import until
from tests.standins.slack_api import SlackStandIn, sign
from tests.standins.telegram_api import TelegramStandIn

TG_TOKEN = "123456:TEST-mixed"
SLACK_TOKEN = "xoxb-mixed"
SLACK_SECRET = "mixed-signing-secret"
TG_FACILITATOR, TG_GROUP = 1, -1009876
SLACK_FACILITATOR, SLACK_CHANNEL = "UFAC", "C42"


async def test_one_workshop_across_telegram_and_slack(tmp_path: Path) -> None:
    async with TelegramStandIn(token=TG_TOKEN, bot_username="dialogbot_test") as tg, \
            SlackStandIn(bot_token=SLACK_TOKEN) as slack:
        settings = load_settings(
            None, env={}, env_file=None, data_dir=tmp_path, chart_processes=0,
            facilitators={"telegram": [str(TG_FACILITATOR)], "slack": [SLACK_FACILITATOR]},
            telegram_token=TG_TOKEN, slack_bot_token=SLACK_TOKEN, slack_signing_secret=SLACK_SECRET,
            slack_api_base_url=slack.base_url)
        app = await App.create(settings)
        telegram = TelegramAdapter.build(app.conversation, TG_TOKEN, base_url=tg.root_url)
        telegram.port.group_edit_interval = 0.5
        slack_adapter = SlackAdapter.build(app.conversation, SLACK_TOKEN, SLACK_SECRET, base_url=slack.base_url)
        application = telegram.application
        await application.initialize()
        await application.start()
        try:
            async def tg_update(data: dict[str, Any]) -> None:
                await application.process_update(Update.de_json(data, application.bot))

            async def slack_request(body: str) -> None:
                response = await slack_adapter.app.async_dispatch(
                    AsyncBoltRequest(body=body, headers=sign(SLACK_SECRET, body)))
                assert response.status == 200

            # The facilitator starts the workshop in the Telegram group.
            await tg_update(tg.message_update(TG_FACILITATOR, TG_GROUP, "/workshop varmland-2015 Gemensam"))
            created = next(m.text for m in tg.sent_messages(TG_GROUP) if m.text and "Anslutningskod" in m.text)
            code = created.split("Anslutningskod: ")[1][:6]

            # A participant's code in another channel joins them, but does not make it a room.
            await slack_request(slack.slash_command_body("/dialog", f"delta {code}", "USOMEONE", "COTHER"))
            await until(lambda: [m for m in slack.messages_in("COTHER") if "Gemensam" in (m.text or "")])
            workshop = await app.service.workshop_by_code(code)
            assert [(c.platform, c.chat_id) for c in await app.store.rooms(workshop.id)] == [("telegram", str(TG_GROUP))]

            # The Slack facilitator joins the Slack channel to the same workshop with the code.
            await slack_request(slack.slash_command_body("/dialog", f"delta {code}", SLACK_FACILITATOR, SLACK_CHANNEL))
            await until(lambda: [m for m in slack.messages_in(SLACK_CHANNEL) if "Gemensam" in (m.text or "")])

            # The round launched from Telegram is posted in both rooms.
            await tg_update(tg.message_update(TG_FACILITATOR, TG_GROUP, "/barometer 1"))
            statement_tg = await until(lambda: next(
                (m for m in tg.sent_messages(TG_GROUP) if m.text and m.text.startswith("1. Min organisation")), None))
            statement_slack = await until(lambda: next(
                (m for m in slack.messages_in(SLACK_CHANNEL) if (m.text or "").startswith("1. Min organisation")),
                None))
            tg_data = [b["callback_data"] for row in statement_tg.reply_markup["inline_keyboard"] for b in row]
            slack_values = [e["value"] for b in statement_slack.blocks if b["type"] == "actions"
                            for e in b["elements"]]

            # 6 people vote "5" on Telegram, 4 vote "1" on Slack.
            for person in range(6):
                await tg_update(tg.callback_update(100 + person, TG_GROUP, statement_tg.message_id, tg_data[4]))
            for person in range(4):
                body = slack.block_actions_body(f"U{person:03d}", SLACK_CHANNEL, "dlg-0-0", slack_values[0],
                                                message_ts=statement_slack.ts)
                await slack_request(body)
            round_ = await app.service.open_round_of(workshop.id)
            assert round_ is not None
            await until(lambda: len(tg.calls_to("answerCallbackQuery")) == 6)
            await until(lambda: slack.responses and len(slack.responses) >= 4)
            responses = await app.store.responses(round_.id)
            assert sorted(r.value for r in responses) == [1, 1, 1, 1, 5, 5, 5, 5, 5, 5]
            assert await app.service.turnout(round_.id) == 10

            # Closing (from Slack this time) gives one aggregated result in both rooms.
            await slack_request(slack.slash_command_body("/dialog", "stang", SLACK_FACILITATOR, SLACK_CHANNEL))
            await until(lambda: [m for m in slack.messages_in(SLACK_CHANNEL) if "n = 10" in (m.text or "")])
            await until(lambda: [m for m in tg.sent_messages(TG_GROUP) if "n = 10" in (m.text or "")])
            await until(lambda: tg.calls_to("sendPhoto"))
            await until(lambda: [f for f in slack.uploaded_files.values() if f.completed])
            assert (await app.store.round(round_.id)).status == RoundStatus.CLOSED  # type: ignore[union-attr]
        finally:
            await telegram.drain()
            await application.stop()
            await application.shutdown()
            await slack_adapter.aclose()
            await app.aclose()
