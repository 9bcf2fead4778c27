"""Reminders and the platforms' rate limits: "too many requests" delays a reminder, it never
makes it run out of attempts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

from bot.meetings_runner import Dispatcher
from bot.ratelimit import RETRY_SHARED, SharedWindow
from bot.slack.port import SharedLimits, SlackLimits, SlackPort
from facilitation.meetings import due_time, parse_meetings
from facilitation.ports import ChatRef
from storage.database import create_engine
from storage.meetings_repository import SqlMeetingStore
from storage.rate_budget import RateBudgets, budget_key
from tests.reminder_platforms import TOKEN, Telegram, sender, standin, telegram
from tests.standins.slack_api import DEFAULT_RATE_LIMITS, SlackStandIn
from tests.tcp_proxy import CuttableProxy
from tests.test_reminders_dispatch import Clock, config
from tests.test_reminders_lease import DAY, MEETING, ONE_REMINDER
from tests.test_reminders_outage import through
from tests.test_slack_fanout import SPEED, _faster
from tests.waiting import eventually

# PTB 22.8's own RetryAfter.__init__ reads the deprecated int-valued ``retry_after``.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
SLACK_TOKEN = "xoxb-shared-test"


async def test_429s_never_use_up_a_reminders_attempts(meetings_sqlite: SqlMeetingStore) -> None:
    """Telegram refuses the reminder 6 times with 429 (more than the limiter retries): with 2
    attempts allowed it is still sent when Telegram lets it through, after the asked wait."""
    await meetings_sqlite.import_config(config(contacts=1, platform="telegram", meetings=ONE_REMINDER))
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    async with telegram(max_retries=0) as platform:
        platform.api.throttle_next("sendMessage", retry_after=3, times=6)
        dispatcher = Dispatcher(
            meetings_sqlite, {"telegram": platform.port}, None, clock=clock, ics="none", max_attempts=2
        )
        for _ in range(6):
            result = await dispatcher.tick()
            assert result.failed == 1
            (row,) = await meetings_sqlite.deliveries("failed")
            assert row.attempts == 0
            assert (await dispatcher.tick()).failed == 0, "retried before the wait Telegram asked for"
            clock.set(clock.now + timedelta(seconds=3))
        assert (await dispatcher.tick()).sent == 1
        assert platform.sends("sendMessage") == {1: 1} and platform.api.count_429 == 6
    assert (await meetings_sqlite.status_counts())["sent"] == 1


async def test_slack_429s_never_use_up_a_reminders_attempts(meetings_sqlite: SqlMeetingStore) -> None:
    """Slack answers 429 with Retry-After, more often than the client retries: still sent."""
    await meetings_sqlite.import_config(
        parse_meetings(
            {
                "signatories": [
                    {
                        "key": "region",
                        "name": "Region Värmland",
                        "contacts": [{"key": "anna", "name": "Anna", "slack": "C0ANNA"}],
                    }
                ],
                "meetings": ONE_REMINDER,
            },
            "slack.toml",
            "varmland-2015",
        )
    )
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    async with SlackStandIn(bot_token=SLACK_TOKEN) as api:
        api.throttle_next("chat.postMessage", retry_after=2, times=3)
        port = SlackPort(AsyncWebClient(token=SLACK_TOKEN, base_url=api.base_url))  # no retry handler
        dispatcher = Dispatcher(
            meetings_sqlite, {"slack": port}, None, clock=clock, ics="none", max_attempts=1
        )
        for _ in range(3):
            assert (await dispatcher.tick()).failed == 1
            (row,) = await meetings_sqlite.deliveries("failed")
            assert row.attempts == 0
            clock.set(clock.now + timedelta(seconds=2))
        assert (await dispatcher.tick()).sent == 1
        assert api.count_429 == 3 and len(api.messages) == 1


async def two_dispatchers(
    pg_database: str, contacts: int, rate: int, *, shared: bool
) -> tuple[Telegram, list]:
    """Two bot processes (their own engines and limiters) on one PostgreSQL and one bot token."""
    setup = SqlMeetingStore(create_engine(pg_database))
    await setup.import_config(config(contacts=contacts, platform="telegram", meetings=ONE_REMINDER))
    await setup.engine.dispose()
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    engines = [create_engine(pg_database) for _ in range(2)]
    try:
        async with standin(rate) as api, contextlib.AsyncExitStack() as stack:
            senders = [
                await stack.enter_async_context(
                    sender(
                        api,
                        rate,
                        shared=(RateBudgets(engine), budget_key("telegram", TOKEN)) if shared else None,
                    )
                )
                for engine in engines
            ]
            dispatchers = [
                Dispatcher(
                    SqlMeetingStore(engine),
                    {"telegram": one.port},
                    None,
                    clock=clock,
                    ics="none",
                    worker_id=f"process-{n}",
                    batch=20,
                )
                for n, (engine, one) in enumerate(zip(engines, senders, strict=True))
            ]
            results = await asyncio.gather(*(d.tick() for d in dispatchers))
            return senders[0], list(results)
    finally:
        for engine in engines:
            await engine.dispose()


@pytest.mark.postgres
async def test_two_processes_share_the_bot_tokens_limit(pg_database: str) -> None:
    """Each process alone paces to the limit; together they must too (Telegram counts per token)."""
    platform, results = await two_dispatchers(pg_database, 200, rate=30, shared=True)
    assert all(r.sent > 0 for r in results) and sum(r.sent for r in results) == 200
    assert platform.sends("sendMessage") == {chat: 1 for chat in range(1, 201)}
    assert platform.api.count_429 == 0, f"{platform.api.count_429} × 429"


def slack_places(places: RateBudgets) -> SharedLimits:
    """What ``App.shared_limit`` gives the Slack port of one process."""
    return lambda window, workspace: (places, budget_key("slack", SLACK_TOKEN, workspace, window))


@pytest.mark.postgres
async def test_two_processes_share_a_slack_workspaces_limit(pg_database: str) -> None:
    """Slack's chat.postMessage limit is per app and workspace: two processes that each keep to
    200 a minute must keep to it together (10 times faster on both sides)."""
    limits = {method: _faster(limit) for method, limit in DEFAULT_RATE_LIMITS.items()}
    engines = [create_engine(pg_database) for _ in range(2)]
    async with SlackStandIn(bot_token=SLACK_TOKEN, rate_limits=limits) as api:
        ports = [
            SlackPort(
                AsyncWebClient(token=SLACK_TOKEN, base_url=api.base_url),
                limits=SlackLimits().faster(SPEED),
                shared=slack_places(RateBudgets(engine)),
            )
            for engine in engines
        ]
        try:
            sends = [
                port.send_text(ChatRef("slack", f"C{n:05d}", workspace="T1"), "Påminnelse")
                for n in range(400)
                for port in [ports[n % 2]]
            ]
            results = await asyncio.gather(*sends, return_exceptions=True)
        finally:
            for engine in engines:
                await engine.dispose()
    assert [r for r in results if isinstance(r, Exception)] == []
    assert api.count_429 == 0 and len(api.messages) == 400


class SteppedClock:
    """The pacing's clock, moved on by the test alone: what was let through when is exact,
    however long the loaded machine takes to run it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.postgres
async def test_a_process_paces_at_its_share_while_the_shared_budget_is_unreachable(
    pg_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.ratelimit")
    clock = SteppedClock()
    async with CuttableProxy("127.0.0.1", make_url(pg_database).port or 5432) as proxy:
        engines = [create_engine(through(proxy, pg_database)) for _ in range(2)]
        # The database's answer is waited for in real time: generous, as on a loaded machine (the
        # cut below refuses connections at once, so nothing waits for it).
        one, other = (
            SharedWindow(RateBudgets(engine), budget_key("test"), 10, 1.0, timeout=10.0, clock=clock)
            for engine in engines
        )
        try:
            for window in (other, one):  # two processes sending: each one's share is 5 a second
                async with window.slot():
                    pass
            assert caplog.messages == []
            proxy.cut(3.0)
            started = clock.now
            let_through: list[float] = []

            async def send(count: int) -> None:
                for _ in range(count):
                    async with one.slot():
                        let_through.append(clock.now)

            # Its share, after a window: what the other sent just now is unknown.
            five = asyncio.create_task(send(5))
            await eventually(lambda: caplog.messages, what="the shared budget to be found unreachable")
            assert caplog.messages == [
                "rate limits: the shared budget is unreachable (ConnectionResetError); this "
                "process paces alone until it is back"
            ]
            clock.now = started + 0.99
            await asyncio.sleep(1.2)  # the waiting send looks at the clock again (it slept a window)
            assert let_through == []
            clock.now = started + 1.0
            await asyncio.wait_for(five, 30)
            assert let_through == [started + 1.0] * 5
            # A sixth in that window waits for the next: 5 + 5 stay under the 10.
            sixth = asyncio.create_task(send(1))
            clock.now = started + 1.99
            await asyncio.sleep(1.2)
            assert let_through == [started + 1.0] * 5
            clock.now = started + 2.0
            await asyncio.wait_for(sixth, 30)
            assert let_through == [started + 1.0] * 5 + [started + 2.0]

            # It asks the shared budget again RETRY_SHARED s after it last lost it (a place given back
            # during the cut loses it too), and then uses it once the database is back.
            await eventually(lambda: not proxy.is_cut, within=10, what="the cut to end")
            clock.now = started + 2.0 + RETRY_SHARED  # the last clock while it was away, and the wait

            async def rejoined() -> bool:
                async with one.slot():
                    pass
                return caplog.messages[-1] == "rate limits: shared with the other processes again"

            await eventually(rejoined, within=10, what="the shared budget to be used again")
        finally:
            for engine in engines:
                await engine.dispose()


PERIOD = 0.2  # seconds a place given back stays taken, in the silent-holder test


@pytest.mark.postgres
async def test_the_places_of_a_process_killed_mid_call_free_once_it_is_silent(pg_database: str) -> None:
    """A process killed mid-call never gives its places back. They used to stay taken for a
    minute (a few percent of the limit); once their holder has taken nothing for ``silent``
    seconds they are free, while a holder that keeps sending keeps its slow call's place."""
    engine = create_engine(pg_database)
    try:
        killed, living, other = (RateBudgets(engine, silent=1.0) for _ in range(3))
        budget = budget_key("test", "silent")  # 3 places a PERIOD (0.2 s)
        for places in (killed, living, other):
            await places.prepare(budget, 3)
        assert (await killed.take(budget, 3, PERIOD)).slot is not None  # in flight when it is killed
        slow = await living.take(budget, 3, PERIOD)  # a slow call of a process that goes on sending
        assert slow.slot is not None
        last = await other.take(budget, 3, PERIOD)
        assert last.slot is not None
        assert (await other.take(budget, 3, PERIOD)).slot is None  # all three in flight
        await other.give_back(budget, last.slot)
        await asyncio.sleep(0.6)
        quick = await living.take(budget, 3, PERIOD)  # the living holder sends again meanwhile
        assert quick.slot == last.slot
        await asyncio.sleep(0.6)  # the killed holder silent for 1.2 s, the living one for 0.6 s
        freed = await other.take(budget, 3, PERIOD)
        assert freed.slot is not None and freed.slot not in (slow.slot, quick.slot)
        assert (await other.take(budget, 3, PERIOD)).slot is None  # the living holder's places stay
    finally:
        await engine.dispose()
