"""Every Telegram update counts once: redelivered updates change nothing, across bot processes.

Telegram sends an update again (same ``update_id``) when its webhook POST gets no 2xx in time or
the answer is lost, and a polling bot that dies before its next getUpdates leaves its last
updates to whoever polls next. The stand-in does both; the bot runs as ``dialogbot run`` starts
it (``telegram_running``), on SQLite and on PostgreSQL, one or two processes on one database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from bot.app import App
from bot.telegram.runner import telegram_running
from storage.database import create_engine
from storage.migrate import alembic_config, upgrade
from storage.replay_guard import ReplayGuard
from tests.harness import free_port, running_app, until
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _answered, _markups, _until

TOKEN = "123456:TEST-redelivery-token"
FACILITATOR = 1
VOTER = 7001
GROUP = -1005151
SECRET = "redelivery-webhook-secret-0123"

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    return str(request.getfixturevalue("pg_database"))


@asynccontextmanager
async def _process(
    api: TelegramStandIn, tmp_path: Path, database_url: str, **settings: Any
) -> AsyncIterator[App]:
    """One bot process as ``dialogbot run`` starts it (its own App and adapter, a shared database)."""
    values: dict[str, Any] = {
        "telegram_token": TOKEN,
        "telegram_api_base_url": api.root_url,
        "facilitators": {"telegram": [str(FACILITATOR)]},
        "database_url": database_url,
        "secret": "shared-secret-of-the-installation",
    }
    async with running_app(tmp_path, **{**values, **settings}) as app, telegram_running(app):
        yield app


def _webhook(port: int) -> dict[str, Any]:
    return {
        "telegram_mode": "webhook",
        "telegram_webhook_url": "https://bot.example.org/telegram",
        "telegram_webhook_secret": SECRET,
        "telegram_webhook_listen": "127.0.0.1",
        "telegram_webhook_port": port,
    }


async def _points_round(api: TelegramStandIn) -> list[str]:
    """A workshop in GROUP with an open 100-point round; the buttons of its ballot."""
    api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Omleverans", push=True)
    await _until(api, lambda: any("Anslutningskod" in (m.text or "") for m in api.sent_messages(GROUP)))
    api.message_update(FACILITATOR, GROUP, "/poang 100", push=True)
    [(_message, buttons)] = await _until(api, lambda: _markups(api, GROUP, "pp."))
    return buttons


async def _points_of_voter(app: App) -> dict[int, int]:
    [round_] = await app.store.rounds(1)
    key = app.pseudonymizer.participant_key("telegram", str(VOTER), round_.workshop_id)
    return await app.service.own_answers(round_.id, key)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_press_whose_webhook_answer_was_lost_counts_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL: two processes behind one URL, and the redelivery reaches the other one."""
    url = _database(backend, tmp_path, request)
    async with TelegramStandIn(token=TOKEN) as api, AsyncExitStack() as stack:
        ports = [free_port() for _ in range(2 if backend == "postgres" else 1)]
        apps = [
            await stack.enter_async_context(_process(api, tmp_path / f"p{i}", url, **_webhook(port)))
            for i, port in enumerate(ports)
        ]
        api.webhook_targets = [f"http://127.0.0.1:{port}/telegram" for port in ports]
        buttons = await _points_round(api)
        plus_first = buttons[0]

        api.lose_webhook_replies(1)
        press = api.callback_update(VOTER, GROUP, 3, plus_first, push=True)
        update_id = press["update_id"]
        await _until(api, lambda: [o for u, o in api.webhook_deliveries if u == update_id] == ["lost", "ok"])
        # The redelivery's answer stops the spinner (the first one, in the lost reply, never
        # arrived) and tells the ballot as it stands, as for any vote delivered again: a vote is
        # told again by its press id, stored with it (tests/test_press_idempotence.py).
        [answer] = await _until(api, lambda: _answered(api, press))
        step = next(iter((await _points_of_voter(apps[0])).values()))
        assert await _points_of_voter(apps[0]) == {1: step} and step > 0  # one press, not two
        assert f": {step}\n" in answer

        # The same voter presses again (a new update): that one counts.
        again = api.callback_update(VOTER, GROUP, 3, plus_first, push=True)
        await _until(api, lambda: _answered(api, again))
        assert await _points_of_voter(apps[-1]) == {1: 2 * step}


async def _barometer(api: TelegramStandIn) -> list[tuple[int, list[str]]]:
    """A workshop in GROUP with an open barometer; each statement's message id and buttons."""
    api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Omleverans", push=True)
    await _until(api, lambda: any("Anslutningskod" in (m.text or "") for m in api.sent_messages(GROUP)))
    api.message_update(FACILITATOR, GROUP, "/barometer", push=True)
    return await _until(api, lambda: _markups(api, GROUP, "b."))


async def _position_of_voter(app: App) -> dict[int, int]:
    [round_] = await app.store.rounds(1)
    key = app.pseudonymizer.participant_key("telegram", str(VOTER), round_.workshop_id)
    return await app.service.own_answers(round_.id, key)


async def _seen_updates(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(sa.text("SELECT count(*) FROM seen_requests"))).scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_vote_delivered_again_never_undoes_a_later_one_also_after_a_restart(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A vote is told again by its press id, stored with it: no seen-update record is written for
    it (a second write transaction per vote), yet a redelivery neither counts twice nor undoes
    the voter's later change of mind; PostgreSQL: two processes, the redeliveries reach the other."""
    url = _database(backend, tmp_path, request)
    async with TelegramStandIn(token=TOKEN) as api:
        async with AsyncExitStack() as stack:
            ports = [free_port() for _ in range(2 if backend == "postgres" else 1)]
            apps = [
                await stack.enter_async_context(_process(api, tmp_path / f"p{i}", url, **_webhook(port)))
                for i, port in enumerate(ports)
            ]
            api.webhook_targets = [f"http://127.0.0.1:{port}/telegram" for port in ports]
            [(message_id, buttons), *_] = await _barometer(api)
            seen = await _seen_updates(url)

            api.lose_webhook_replies(1)  # the first answer never reaches Telegram: it sends the vote again
            first = api.callback_update(VOTER, GROUP, message_id, buttons[0], push=True)
            await _until(
                api,
                lambda: [o for u, o in api.webhook_deliveries if u == first["update_id"]] == ["lost", "ok"],
            )
            [(item, value)] = (await _position_of_voter(apps[0])).items()
            assert value == 1
            changed = api.callback_update(VOTER, GROUP, message_id, buttons[1], push=True)
            await _until(api, lambda: _answered(api, changed))
            assert await _position_of_voter(apps[-1]) == {item: 2}

            api.push_update(first)  # the first vote once more, after the change of mind
            await _until(
                api,
                lambda: (
                    [o for u, o in api.webhook_deliveries if u == first["update_id"]] == ["lost", "ok", "ok"]
                ),
            )
            assert await _position_of_voter(apps[0]) == {item: 2}  # not flipped back
            assert await _seen_updates(url) == seen  # votes wrote no seen-update record
        async with _process(api, tmp_path / "restarted", url, **_webhook(ports[0])) as restarted:
            api.webhook_targets = [f"http://127.0.0.1:{ports[0]}/telegram"]
            api.push_update(first)
            await _until(
                api,
                lambda: (
                    [o for u, o in api.webhook_deliveries if u == first["update_id"]]
                    == ["lost", "ok", "ok", "ok"]
                ),
            )
            assert await _position_of_voter(restarted) == {item: 2}


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_update_polled_again_after_a_crash_counts_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.runner")
    url = _database(backend, tmp_path, request)
    async with TelegramStandIn(token=TOKEN) as api:
        async with _process(api, tmp_path / "first", url) as first:
            buttons = await _points_round(api)
            press = api.callback_update(VOTER, GROUP, 3, buttons[0], push=True)
            await _until(api, lambda: _answered(api, press))
            [step] = (await _points_of_voter(first)).values()
        # The first process died before its next getUpdates confirmed the press: Telegram hands it
        # to the process that polls next.
        api.redeliver(press)

        def answers() -> int:
            return sum(
                c.params["callback_query_id"] == press["callback_query"]["id"]
                for c in api.calls_to("answerCallbackQuery")
            )

        async with _process(api, tmp_path / "second", url) as second:
            await until(lambda: "already handled" in caplog.text or answers() > 1)
            assert await _points_of_voter(second) == {1: step}
            assert api.pending_updates <= 1  # taken (and confirmed by the next poll)
    assert answers() == 1  # the redelivered press was neither applied nor answered again


@pytest.mark.parametrize("backend", BACKENDS)
async def test_update_ids_are_kept_a_day_and_slack_requests_fifteen_minutes(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _database(backend, tmp_path, request)
    engine = create_engine(url)
    if backend == "sqlite":
        await upgrade(url, engine)
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    clock = [now]
    guard = ReplayGuard(engine, purge_every=timedelta(0), clock=lambda: clock[0])
    try:
        assert await guard.first_time("telegram-update", "123456", "42", keep=timedelta(hours=25))
        assert await guard.first_time("slack-signed", "1700000000", "v0=abc")
        clock[0] = now + timedelta(hours=2)
        assert await guard.first_time("slack-signed", "1700007200", "v0=new")  # purges the old Slack row
        assert await guard.count() == 2
        assert not await guard.first_time("telegram-update", "123456", "42", keep=timedelta(hours=25))
        assert await guard.first_time(
            "telegram-update", "654321", "42", keep=timedelta(hours=25)
        )  # another bot
        clock[0] = now + timedelta(hours=26)
        assert await guard.first_time("telegram-update", "123456", "43", keep=timedelta(hours=25))
        assert await guard.count() == 2  # 654321's update (seen at 14:00) and the new one; 12:00's are gone
        # A redelivery racing its original (one batch), among other updates: new exactly once.
        identities = [("telegram-update", "123456", str(n)) for n in (50, 51, 50, 52, 50)]
        outcomes = await asyncio.gather(*(guard.first_time(*i, keep=timedelta(hours=25)) for i in identities))
        assert outcomes == [True, True, False, True, False]
    finally:
        await guard.aclose()
        await engine.dispose()


def test_the_migration_keeps_recorded_slack_requests_for_their_window(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    engine = sa.create_engine(url)
    seen_at = datetime(2026, 12, 1, 9, 0)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(
            sa.text("INSERT INTO seen_requests (key, seen_at) VALUES ('k', :at)"), {"at": seen_at}
        )
        command.upgrade(config, "head")
        [expires] = connection.execute(sa.text("SELECT expires_at FROM seen_requests")).scalars()
    engine.dispose()
    assert str(expires).startswith("2026-12-01 09:15:00")
