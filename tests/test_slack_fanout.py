"""Reminder fan-out to Slack paced by our own windows: no 429s, nothing lost, nothing twice.

The real Dispatcher sends through the real SlackPort and slack_sdk client to the stand-in, whose
limits are Slack's: chat.postMessage 1/s per channel and several hundred a minute per workspace,
files.* Tier 4 (100/min), conversations.open Tier 3 (50/min). A fan-out that takes minutes against
Slack would take minutes here too, so both sides run SPEED times faster: the stand-in's periods
and our windows' periods are divided by SPEED, every count stays the same.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

from bot.app import App
from bot.meetings_runner import Dispatcher, TickResult
from bot.slack.port import SlackLimits
from bot.slack.runner import SlackAdapter
from config.settings import load_settings
from facilitation.meetings import due_time, parse_meetings
from tests.standins.slack_api import DEFAULT_RATE_LIMITS, Limits, RateLimit, SlackStandIn

TOKEN = "xoxb-fanout-test"
SPEED = 10.0


def _faster(limits: Limits) -> Limits:
    if isinstance(limits, RateLimit):
        return replace(limits, period=limits.period / SPEED)
    return tuple(replace(limit, period=limit.period / SPEED) for limit in limits)


@asynccontextmanager
async def _fanout(
    tmp_path: Path, addresses: list[str], ics: str
) -> AsyncIterator[tuple[SlackStandIn, TickResult]]:
    """One reminder to each address (the first of the occurrence: with its .ics when ``ics="first"``)."""
    limits = {method: _faster(limit) for method, limit in DEFAULT_RATE_LIMITS.items()}
    async with SlackStandIn(bot_token=TOKEN, rate_limits=limits) as api:
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
        adapter = SlackAdapter.build(
            app.conversation, TOKEN, "s", base_url=api.base_url, limits=SlackLimits().faster(SPEED)
        )
        try:
            config = parse_meetings(
                {
                    "signatories": [
                        {
                            "key": "alla",
                            "name": "Alla undertecknare",
                            "contacts": [
                                {"key": f"c{i}", "name": f"Kontakt {i}", "slack": address}
                                for i, address in enumerate(addresses)
                            ],
                        }
                    ],
                    "meetings": [
                        {
                            "key": "dialogmote",
                            "title": "Årligt dialogmöte",
                            "start": "2027-03-09T10:00",
                            "place": "Karlstad",
                            "reminder_offsets": ["7d"],
                        }
                    ],
                },
                "fanout.toml",
                "varmland-2015",
            )
            now = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
            dispatcher = Dispatcher.from_app(app, clock=lambda: now, ics=ics)
            await dispatcher.store.import_config(config)
            started = time.monotonic()
            result = await dispatcher.tick()
            print(
                f"\n{len(addresses)} reminders (ics={ics}) in {time.monotonic() - started:.1f} s at {SPEED:.0f}x; "
                f"{len(api.calls)} calls, {api.count_429} 429s"
            )
            yield api, result
        finally:
            await adapter.aclose()
            await app.aclose()


def _dm(api: SlackStandIn, address: str) -> str:
    return address if address.startswith("D") else api.dm_channels[address]


def _assert_each_got_one(api: SlackStandIn, addresses: list[str], *, files: bool) -> None:
    texts = Counter(m.channel for m in api.messages.values())
    assert {_dm(api, a): texts[_dm(api, a)] for a in addresses} == {_dm(api, a): 1 for a in addresses}
    assert sum(texts.values()) == len(addresses)
    uploads = Counter(f.channel for f in api.uploaded_files.values() if f.completed)
    if files:
        assert uploads == Counter(_dm(api, a) for a in addresses)
        assert all(
            f.filename.endswith(".ics") and (f.data or b"").startswith(b"BEGIN:VCALENDAR")
            for f in api.uploaded_files.values()
        )
    else:
        assert not uploads


async def test_150_reminders_with_calendar_files_get_no_429(tmp_path: Path) -> None:
    """90 contacts given as DM channel ids, 60 as user ids (their DM is opened first)."""
    addresses = [f"D{n:09d}" for n in range(90)] + [f"U{n:09d}" for n in range(60)]
    async with _fanout(tmp_path, addresses, "first") as (api, result):
        assert (result.sent, result.failed) == (150, 0)
        assert api.count_429 == 0, Counter(c.method for c in api.calls if c.status == 429)
        assert all(c.ok for c in api.calls), [(c.method, c.error) for c in api.calls if not c.ok]
        _assert_each_got_one(api, addresses, files=True)
        assert len(api.calls_to("conversations.open")) == 60  # once per user id, none for channel ids
        # Slack's Tier 4 would have refused a burst: the uploads were spread over windows.
        completes = [c.at for c in api.calls_to("files.completeUploadExternal")]
        assert completes[-1] - completes[0] >= 60.0 / SPEED


async def test_350_text_reminders_stay_under_the_workspace_posting_limit(tmp_path: Path) -> None:
    addresses = [f"D{n:09d}" for n in range(350)]
    async with _fanout(tmp_path, addresses, "none") as (api, result):
        assert (result.sent, result.failed) == (350, 0)
        assert api.count_429 == 0, Counter(c.method for c in api.calls if c.status == 429)
        _assert_each_got_one(api, addresses, files=False)
        posts = [c.at for c in api.calls_to("chat.postMessage")]
        assert posts[-1] - posts[0] >= 60.0 / SPEED  # 350 posts at 200 a (sped-up) minute
