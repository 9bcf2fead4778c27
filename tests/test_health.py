"""``/healthz`` and ``/readyz``: what a load balancer and an orchestrator are told.

The database is cut with the TCP proxy in front of PostgreSQL: ``/readyz`` answers 503 with the
reason (and nothing an outsider could use: no address, port, user or password) while it is down,
and 200 again once it is back, on the same process, while ``/healthz`` stays 200 throughout.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from bot.app import App
from bot.health import health_running
from bot.meetings_runner import reminders_running
from bot.telegram.runner import telegram_running
from tests.harness import free_port, running_app
from tests.standins.telegram_api import TelegramStandIn
from tests.tcp_proxy import CuttableProxy

SECRET = "health-test-secret-0123456789"

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


async def _get(http: aiohttp.ClientSession, port: int, path: str) -> tuple[int, Any, str]:
    async with http.get(f"http://127.0.0.1:{port}{path}") as response:
        text = await response.text()
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body, text


async def _ready_within(http: aiohttp.ClientSession, port: int, seconds: float) -> tuple[int, Any, str]:
    """Ask /readyz until it says ready (an event, not a fixed wait); the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = await _get(http, port, "/readyz")
        if answer[0] == 200 or time.monotonic() > deadline:
            return answer


@asynccontextmanager
async def _serving(tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[App, int]]:
    port = free_port()
    async with running_app(tmp_path, health_port=port, secret=SECRET, **settings) as app, health_running(app):
        yield app, port


@pytest.mark.postgres
async def test_readyz_fails_while_the_database_is_down_and_recovers(pg_database: str, tmp_path: Path) -> None:
    target = make_url(pg_database)
    async with CuttableProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        async with (
            _serving(tmp_path, database_url=url) as (app, port),
            reminders_running(app, interval=3600),
            aiohttp.ClientSession() as http,
        ):
            assert await _get(http, port, "/readyz") == (200, {"status": "ready"}, '{"status": "ready"}')
            assert (await _get(http, port, "/healthz"))[0] == 200

            proxy.cut(3.0)
            status, body, text = await _get(http, port, "/readyz")
            assert status == 503
            assert body == {"status": "not ready", "problems": ["database: not reachable"]}
            for secret in (
                str(proxy.port),
                str(target.port),
                "127.0.0.1",
                "postgres",
                target.database or "",
                SECRET,
            ):
                assert secret not in text
            assert (await _get(http, port, "/healthz"))[0] == 200  # alive, only not ready

            assert (await _ready_within(http, port, 30.0))[:2] == (200, {"status": "ready"})
            assert proxy.cuts and not proxy.is_cut


async def test_readyz_names_what_has_not_started(tmp_path: Path) -> None:
    """A configured platform not (yet) started and a dispatcher not running make the process not ready."""
    token = "123456:TEST-health-token-000000000000"
    async with (
        TelegramStandIn(token=token) as api,
        _serving(tmp_path, telegram_token=token, telegram_api_base_url=api.root_url) as (app, port),
        aiohttp.ClientSession() as http,
    ):
        status, body, _ = await _get(http, port, "/readyz")
        assert status == 503
        assert body["problems"] == [
            "telegram: the adapter has not started",
            "reminders: the dispatcher is not running",
        ]
        async with reminders_running(app, interval=3600), telegram_running(app):
            assert (await _get(http, port, "/readyz"))[:2] == (200, {"status": "ready"})
        assert (await _get(http, port, "/readyz"))[1]["problems"] == [
            "telegram: the adapter has not started",
            "reminders: the dispatcher is not running",
        ]


async def test_no_server_unless_a_port_is_configured(tmp_path: Path) -> None:
    async with running_app(tmp_path, secret=SECRET) as app, health_running(app) as runner:
        assert runner is None and app.settings.health_port == 0


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_readyz_fails_on_a_database_behind_the_newest_migration_and_passes_after_upgrade(
    database: str, request: pytest.FixtureRequest
) -> None:
    """A database one migration behind (a deploy that skipped ``dialogbot db upgrade``) is named
    as the reason; once upgraded, the same process is ready without a restart."""
    from aiohttp import web

    from bot.health import Health
    from storage.database import create_engine
    from storage.migrate import head_revision, upgrade

    url = request.getfixturevalue("sqlite_url" if database == "sqlite" else "pg_database_unmigrated")
    engine = create_engine(url)
    runner: web.AppRunner | None = None
    try:
        behind = _revised_by(head_revision())
        assert await upgrade(url, engine, revision=behind) == behind
        health = Health(engine, dispatcher=lambda: True)
        web_app = web.Application()
        health.add_routes(web_app)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with aiohttp.ClientSession() as http:
            assert await _get(http, port, "/readyz") == (
                503,
                {
                    "status": "not ready",
                    "problems": ["database: not at the newest migration (run: dialogbot db upgrade)"],
                },
                '{"status": "not ready", "problems": ["database: not at the newest migration (run: dialogbot db '
                'upgrade)"]}',
            )
            assert (await _get(http, port, "/healthz"))[0] == 200  # alive, only not ready
            await upgrade(url, engine)
            assert (await _get(http, port, "/readyz"))[:2] == (200, {"status": "ready"})
    finally:
        if runner is not None:
            await runner.cleanup()
        await engine.dispose()


def _revised_by(revision: str) -> str:
    """The revision ``revision`` follows (its ``down_revision``): revision ids need not be consecutive."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    down = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down
