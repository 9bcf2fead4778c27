"""A live tally has a lease in the database: one process edits it, another takes it over.

Before, the tally was edited by the process that opened the round only: after a restart nobody
edited it any more, and with several processes on one database nobody took over from a process
that died. Here the bot runs as ``dialogbot run`` starts it (``telegram_running``) against the
Telegram stand-in, whose per-chat limits count edits; the lease and the edit interval are
shortened so that a takeover happens within the test.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import App
from bot.telegram.runner import TelegramAdapter, telegram_running
from storage.database import create_engine
from tests.harness import free_port, running_app, until
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _answered, _markups, _until
from tests.test_telegram_redelivery import _webhook

TOKEN = "123456:TEST-live-lease-token"
FACILITATOR = 1
GROUP = -1007373
EDIT_INTERVAL = 0.5  # the port's interval between two edits of a group's message (6 s in production)
LEASE = 1.5

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


@asynccontextmanager
async def _process(
    api: TelegramStandIn, tmp_path: Path, database_url: str, port: int
) -> AsyncIterator[tuple[App, TelegramAdapter]]:
    """One bot process (its own App and webhook adapter) on a shared database, short leases."""
    settings: dict[str, Any] = {
        "telegram_token": TOKEN,
        "telegram_api_base_url": api.root_url,
        "facilitators": {"telegram": [str(FACILITATOR)]},
        "database_url": database_url,
        "secret": "shared-secret-of-the-installation",
        **_webhook(port),
    }
    async with running_app(tmp_path, **settings) as app:
        app.conversation.live.lease_seconds, app.conversation.live.lease_tick = LEASE, 0.1
        async with telegram_running(app) as adapter:
            adapter.port.group_edit_interval = EDIT_INTERVAL
            yield app, adapter


async def _barometer(api: TelegramStandIn) -> tuple[int, list[tuple[int, list[str]]]]:
    """A workshop in GROUP with an open barometer: the tally's message id, the statements' buttons."""
    api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Lease", push=True)
    await _until(api, lambda: any("Anslutningskod" in (m.text or "") for m in api.sent_messages(GROUP)))
    api.message_update(FACILITATOR, GROUP, "/barometer", push=True)
    statements = await _until(api, lambda: _markups(api, GROUP, "b."))
    [tally] = [m.message_id for m in api.sent_messages(GROUP) if "har svarat" in (m.text or "")]
    return tally, statements


async def _vote(api: TelegramStandIn, voter: int, statement: tuple[int, list[str]]) -> None:
    press = api.callback_update(voter, GROUP, statement[0], statement[1][0], push=True)
    await _until(api, lambda: _answered(api, press))


def _edits(api: TelegramStandIn, message_id: int) -> list[Any]:
    return [
        c
        for c in api.calls_to("editMessageText")
        if c.params.get("message_id") == message_id and c.status == 200
    ]


def _shows(api: TelegramStandIn, message_id: int, voters: int) -> bool:
    [message] = [m for m in api.sent_messages(GROUP) if m.message_id == message_id]
    return f"{voters} har svarat" in (message.text or "")


def _within_budget(api: TelegramStandIn, message_id: int) -> None:
    """No 429 (the stand-in counts edits in each group's window), and no two edits of the message
    closer than the port's interval, across holders (the final edit at /stang is made at once)."""
    times = [c.at for c in _edits(api, message_id)]
    assert api.count_429 == 0
    assert all(b - a >= EDIT_INTERVAL * 0.9 for a, b in itertools.pairwise(times)), times


async def _leases(url: str) -> list[tuple[str, datetime]]:
    """(holder, lease_until) of every live message."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT holder, lease_until FROM live_messages"))
            return [
                (holder, until if isinstance(until, datetime) else datetime.fromisoformat(until))
                for holder, until in rows
            ]
    finally:
        await engine.dispose()


async def _holders(url: str) -> list[str]:
    return [holder for holder, _ in await _leases(url)]


async def test_a_restarted_bot_goes_on_editing_the_open_rounds_tally(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    port = free_port()
    async with TelegramStandIn(token=TOKEN) as api:
        api.webhook_targets = [f"http://127.0.0.1:{port}/telegram"]
        async with _process(api, tmp_path / "first", url, port):
            tally, statements = await _barometer(api)
            await _vote(api, 8001, statements[0])
            await until(lambda: _shows(api, tally, 1))
        # Stopped (a deploy): the round is still open and people go on voting.
        async with _process(api, tmp_path / "second", url, port) as (second, _adapter):
            await _vote(api, 8002, statements[0])
            await until(lambda: _shows(api, tally, 2))  # the same message, edited by the new process
            assert second.conversation.live.edits(1) >= 1
            _within_budget(api, tally)
            api.message_update(FACILITATOR, GROUP, "/stang", push=True)
            await until(lambda: any("Här är resultatet" in (m.text or "") for m in api.sent_messages(GROUP)))
            await until(
                lambda: (
                    "stängd"
                    in (next(m for m in api.sent_messages(GROUP) if m.message_id == tally).text or "")
                )
            )
        assert api.count_429 == 0
    assert await _holders(url) == []  # a closed round's tally is edited by nobody


@pytest.mark.postgres
async def test_one_process_edits_a_tally_and_another_takes_over_when_it_dies(
    tmp_path: Path, pg_database: str
) -> None:
    async with TelegramStandIn(token=TOKEN) as api, AsyncExitStack() as stack:
        ports = [free_port() for _ in range(2)]
        processes = [
            await stack.enter_async_context(_process(api, tmp_path / f"p{i}", pg_database, port))
            for i, port in enumerate(ports)
        ]
        targets = {
            id(app): f"http://127.0.0.1:{port}/telegram"
            for (app, _), port in zip(processes, ports, strict=True)
        }
        api.webhook_targets = list(targets.values())  # the updates take turns between the processes
        tally, statements = await _barometer(api)
        [(holder_id, first_lease)] = await _leases(pg_database)
        [(holder, _), (other, other_adapter)] = sorted(
            processes, key=lambda p: p[0].conversation.live.leases.holder != holder_id
        )  # type: ignore[union-attr]
        for voter in range(8101, 8107):
            await _vote(api, voter, statements[0])
        await until(lambda: _shows(api, tally, 6))

        async def renewed_for_a_while() -> bool:
            return all(
                until > first_lease + timedelta(seconds=2 * LEASE) for _, until in await _leases(pg_database)
            )

        while not await renewed_for_a_while():  # noqa: ASYNC110 (a condition in the database, polled as until does)
            await asyncio.sleep(0.05)
        assert await _holders(pg_database) == [holder_id]
        assert holder.conversation.live.edits(1) >= 1 and other.conversation.live.edits(1) == 0

        _dies(holder)
        api.webhook_targets = [targets[id(other)]]
        for voter in range(8107, 8110):
            await _vote(api, voter, statements[0])
        await until(lambda: _shows(api, tally, 9), within=LEASE * 10)
        assert other.conversation.live.edits(1) >= 1
        assert await _holders(pg_database) == [other.conversation.live.leases.holder]  # type: ignore[union-attr]
        _within_budget(api, tally)
        assert other_adapter.port.group_edit_interval == EDIT_INTERVAL


def _dies(app: App) -> None:
    """The process stops dead, as under SIGKILL or a lost host: no more edits or renewals, nothing
    released (and Telegram's webhook reaches only the other process)."""
    for task in app.background:
        task.cancel()
    live = app.conversation.live
    for task in live._pollers.values():
        task.cancel()
    live._pollers.clear()
    live._groups.clear()
