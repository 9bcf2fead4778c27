"""A moved and then cancelled meeting through the real slack_sdk client and SlackPort against the
Slack Web API stand-in: each channel gets the update and the cancel once (calendar files through
files.getUploadURLExternal/completeUploadExternal), and a calendar client applying a channel's
files in order ends with the one right entry, then none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.meetings_runner import Dispatcher
from bot.slack.runner import SlackAdapter
from config.settings import load_settings
from facilitation.meetings import STOCKHOLM, due_time, parse_meetings
from tests.calendar_client import CalendarClient
from tests.standins.slack_api import SlackStandIn

TOKEN = "xoxb-calendar-changes"
CHANNELS = {"region": "C0REGION01", "forum": "C0FORUM001"}


def config(meetings: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    return parse_meetings(
        {
            "signatories": [
                {
                    "key": "region",
                    "name": "Region Värmland",
                    "contacts": [{"key": k, "name": k.title(), "slack": v} for k, v in CHANNELS.items()],
                }
            ],
            "meetings": meetings,
        },
        "slack.toml",
        "varmland-2015",
    )


MEETING = {
    "key": "dialogmote",
    "title": "Årligt dialogmöte",
    "start": "2027-03-09T10:00",
    "place": "Karlstad",
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_update_and_cancel_reach_each_slack_channel_once(tmp_path: Path) -> None:
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
            )
        )
        adapter = SlackAdapter.build(app.conversation, TOKEN, "s", base_url=api.base_url)
        try:
            clock = Clock(
                due_time(datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM), timedelta(days=30)).astimezone(UTC)
            )
            dispatcher = Dispatcher.from_app(app, clock=clock)
            await dispatcher.store.import_config(config([MEETING]))
            assert (await dispatcher.tick()).sent == 2
            await dispatcher.store.import_config(config([{**MEETING, "start": "2027-03-11T09:00"}]))
            clock.now += timedelta(minutes=10)
            assert (await dispatcher.tick()).sent == 2
            assert (await dispatcher.tick()).sent == 0  # again: nothing more
            for channel in CHANNELS.values():
                texts = [m.text or "" for m in api.messages_in(channel)]
                assert (
                    sum(
                        text.startswith("Ändrat: Årligt dialogmöte är nu torsdag 11 mars 2027")
                        for text in texts
                    )
                    == 1
                )
            files = [f for f in api.uploaded_files.values() if f.completed]
            for channel in CHANNELS.values():
                client = CalendarClient()
                for upload in (f for f in files if f.channel == channel):
                    assert upload.data is not None
                    client.apply(upload.data)
                (entry,) = client.entries()
                assert entry.start == datetime(2027, 3, 11, 9, tzinfo=STOCKHOLM)

            await dispatcher.store.import_config(config([]))
            clock.now += timedelta(minutes=10)
            assert (await dispatcher.tick()).sent == 2
            assert (await dispatcher.tick()).sent == 0
            files = [f for f in api.uploaded_files.values() if f.completed]
            for channel in CHANNELS.values():
                client = CalendarClient()
                mine = [f for f in files if f.channel == channel]
                assert len(mine) == 3  # reminder, update, cancel
                for upload in mine:
                    assert upload.data is not None
                    client.apply(upload.data)
                assert client.entries() == []
                assert any(
                    (m.text or "").startswith("Inställt: Årligt dialogmöte") for m in api.messages_in(channel)
                )
        finally:
            await adapter.aclose()
            await app.aclose()
