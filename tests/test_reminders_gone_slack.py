"""Reminders to Slack channels that are gone for good (archived, the bot removed, deleted): each
fails with its reason without stopping the others, the organiser is told by name, and a gone
channel is not tried again within the same reminder. Real slack_sdk client and SlackPort against
the stand-in, which refuses chat.postMessage as Slack does (``is_archived``, ``not_in_channel``,
``channel_not_found``)."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from bot.app import App
from bot.meetings_runner import Dispatcher
from bot.slack.runner import SlackAdapter
from config.settings import load_settings
from facilitation.meetings import due_time, parse_meetings
from tests.standins.slack_api import SlackStandIn

TOKEN = "xoxb-gone-reminders"
ORGANISER = "UORG"
CHANNELS = {
    "styrgrupp": "C0ARCHIVED",
    "kommun": "C0REMOVED",
    "forening": "G0DELETED",
    "region": "C0FINE",
    "anna": "U0ANNA",
}


async def test_gone_slack_channels_fail_for_good_and_the_organiser_is_told(tmp_path: Path) -> None:
    async with SlackStandIn(bot_token=TOKEN, rate_limiting=False) as api:
        app = await App.create(
            load_settings(
                None,
                env={},
                env_file=None,
                data_dir=tmp_path,
                chart_processes=0,
                slack_bot_token=TOKEN,
                slack_signing_secret="s",
                slack_api_base_url=api.base_url,
                facilitators={"slack": [ORGANISER]},
            )
        )
        adapter = SlackAdapter.build(app.conversation, TOKEN, "s", base_url=api.base_url)
        try:
            config = parse_meetings(
                {
                    "signatories": [
                        {
                            "key": "region",
                            "name": "Region Värmland",
                            "contacts": [
                                {"key": key, "name": key.title(), "slack": address}
                                for key, address in CHANNELS.items()
                            ],
                        }
                    ],
                    "meetings": [
                        {
                            "key": "dialogmote",
                            "title": "Årligt dialogmöte",
                            "start": "2027-03-09T10:00",
                            "reminder_offsets": ["7d"],
                        }
                    ],
                },
                "gone.toml",
                "varmland-2015",
            )
            now = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
            dispatcher = Dispatcher.from_app(app, clock=lambda: now, ics="none")
            await dispatcher.store.import_config(config)
            api.archive_channel(CHANNELS["styrgrupp"])
            api.remove_bot(CHANNELS["kommun"])
            api.delete_channel(CHANNELS["forening"])

            result = await dispatcher.tick()

            assert (result.sent, result.failed) == (2, 3)
            assert len(api.messages_in(CHANNELS["region"])) == 1
            assert len(api.messages_in(api.dm_channels["U0ANNA"])) == 1
            told = [m.text or "" for m in api.messages_in(api.dm_channels[ORGANISER])]
            assert len(told) == 3 and all("Årligt dialogmöte" in text for text in told)
            assert any(
                "Styrgrupp (Region Värmland) på Slack: kanalen är arkiverad" in text for text in told
            ), told
            assert any(
                "Kommun (Region Värmland) på Slack: boten är inte längre med där" in text for text in told
            )
            assert any(
                "Forening (Region Värmland) på Slack: chatten finns inte längre" in text for text in told
            )
            assert len(await dispatcher.store.deliveries("failed")) == 3
            posts = len(api.calls_to("chat.postMessage"))
            assert (await dispatcher.tick()).failed == 0  # not tried again
            assert len(api.calls_to("chat.postMessage")) == posts
        finally:
            await adapter.aclose()
            await app.aclose()
