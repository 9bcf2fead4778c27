"""A replayed Slack request changes nothing, also when another bot process receives the copy.

A signed request stays valid for five minutes; these tests send the very same body with the very
same signature headers a second time (as an attacker with a captured request would), through the
real AsyncApp (``async_dispatch``) and over HTTP (Bolt's aiohttp app), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import App
from bot.slack.runner import SlackAdapter
from config.settings import load_settings
from facilitation.model import RoundStatus
from storage.database import create_engine
from storage.migrate import upgrade
from storage.replay_guard import ReplayGuard
from tests.standins.slack_api import SlackStandIn, StoredMessage, sign
from tests.test_slack_flow import (
    _fail,
    buttons,
    message_with,
    settle,
    start_workshop,
    statement_messages,
    wait_for,
)

TOKEN = "xoxb-replay-test"
SECRET = "replay-signing-secret"
KEY_SECRET = "replay-pseudonym-secret-0123456789"
FACILITATOR = "UFAC"
CHANNEL = "C1"

Send = Callable[[str, dict[str, str]], Awaitable[int]]


@dataclass
class Process:
    """One bot process: its App (own engine) and Slack adapter, and how requests reach it."""

    app: App
    adapter: SlackAdapter
    send: Send


@dataclass
class Rig:
    api: SlackStandIn
    processes: list[Process]

    # What tests.test_slack_flow's helpers expect of a rig.
    @property
    def app(self) -> App:
        return self.processes[0].app

    async def command(self, text: str, user: str = FACILITATOR, channel: str = CHANNEL) -> None:
        body = self.api.slash_command_body("/dialog", text, user, channel)
        assert await self.processes[0].send(body, sign(SECRET, body)) == 200

    async def wait_message(self, needle: str, channel: str = CHANNEL, within: float = 30.0) -> StoredMessage:
        return await wait_for(lambda: message_with(self.api, needle, channel), within)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'replay.sqlite3'}"
    return str(request.getfixturevalue("pg_database"))


@contextlib.asynccontextmanager
async def _processes(
    api: SlackStandIn, tmp_path: Path, url: str, count: int, transport: str
) -> AsyncIterator[Rig]:
    """``count`` bot processes (separate Apps and engines) on one database, as behind a load balancer."""
    processes: list[Process] = []
    cleanups: list[Callable[[], Awaitable[None]]] = []
    http = aiohttp.ClientSession()
    try:
        for number in range(count):
            settings = load_settings(
                None,
                env={},
                env_file=None,
                data_dir=tmp_path / f"p{number}",
                database_url=url,
                secret=KEY_SECRET,
                chart_processes=0,
                facilitators={"slack": [FACILITATOR]},
                slack_bot_token=TOKEN,
                slack_signing_secret=SECRET,
                slack_api_base_url=api.base_url,
            )
            app = await App.create(settings)
            adapter = SlackAdapter.build(
                app.conversation, TOKEN, SECRET, base_url=api.base_url, replay_guard=ReplayGuard(app.engine)
            )
            cleanups += [app.aclose, adapter.aclose]
            send = await _transport(adapter, transport, http, cleanups)
            processes.append(Process(app, adapter, send))
        yield Rig(api, processes)
    finally:
        for cleanup in reversed(cleanups):
            await cleanup()
        await http.close()


async def _transport(
    adapter: SlackAdapter,
    transport: str,
    http: aiohttp.ClientSession,
    cleanups: list[Callable[[], Awaitable[None]]],
) -> Send:
    """A function delivering (body, headers) to the adapter: Bolt's dispatch, or HTTP to its web app."""
    if transport == "dispatch":

        async def dispatch(body: str, headers: dict[str, str]) -> int:
            return (await adapter.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))).status

        return dispatch
    runner = web.AppRunner(adapter.app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    cleanups.append(runner.cleanup)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"

    async def post(body: str, headers: dict[str, str]) -> int:
        async with http.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            return response.status

    return post


@pytest.mark.parametrize("transport", ["dispatch", "http"])
async def test_a_replayed_slash_command_changes_nothing(
    tmp_path: Path, database_url: str, transport: str
) -> None:
    async with (
        SlackStandIn(bot_token=TOKEN) as api,
        _processes(api, tmp_path, database_url, 1, transport) as rig,
    ):
        send = rig.processes[0].send
        # /dialog workshop replayed would create a second workshop with a new code.
        body = api.slash_command_body("/dialog", "workshop varmland-2015 Replay", FACILITATOR, CHANNEL)
        headers = sign(SECRET, body)
        assert await send(body, headers) == 200
        created = await rig.wait_message("Anslutningskod")
        await settle(rig.api, quiet=1.0)
        effects = _effects(api)
        assert await send(body, headers) == 200  # within its five minutes: a normal 200 ...
        await settle(rig.api, quiet=1.0)
        assert _effects(api) == effects  # ... and nothing posted, answered or changed
        assert await rig.app.store.workshop(2) is None
        code = (created.text or "").split("Anslutningskod: ")[1][:6]

        # /dialog barometer 1 replayed: one round, and not even a refusal goes back.
        body = api.slash_command_body("/dialog", "barometer 1", FACILITATOR, CHANNEL)
        headers = sign(SECRET, body)
        assert await send(body, headers) == 200
        await wait_for(lambda: statement_messages(api) or _fail("not posted yet"))
        await settle(rig.api, quiet=1.0)
        effects = _effects(api)
        assert await send(body, headers) == 200
        await settle(rig.api, quiet=1.0)
        assert _effects(api) == effects
        workshop = await rig.app.service.workshop_by_code(code)
        assert [r.status for r in await rig.app.store.rounds(workshop.id)] == [RoundStatus.OPEN]
        assert len(statement_messages(api)) == 1


@pytest.mark.parametrize("transport", ["dispatch", "http"])
async def test_a_replayed_vote_does_not_undo_a_change_of_mind(
    tmp_path: Path, database_url: str, transport: str
) -> None:
    async with (
        SlackStandIn(bot_token=TOKEN) as api,
        _processes(api, tmp_path, database_url, 1, transport) as rig,
    ):
        await _vote_change_and_replay(api, rig, replay_to=0)


@pytest.mark.postgres
async def test_a_replay_sent_to_another_process_changes_nothing(tmp_path: Path, pg_database: str) -> None:
    async with SlackStandIn(bot_token=TOKEN) as api, _processes(api, tmp_path, pg_database, 2, "http") as rig:
        await _vote_change_and_replay(api, rig, replay_to=1)
        # And a slash command replayed to the other process: still one round.
        body = api.slash_command_body("/dialog", "stang", FACILITATOR, CHANNEL)
        headers = sign(SECRET, body)
        assert await rig.processes[0].send(body, headers) == 200
        await rig.wait_message("är stängd")
        # One person answered, so the disclosure rule publishes the result as text only (no chart
        # of a room below the minimum): it follows "Här är resultatet" at chat.postMessage's pace
        # (3 per 3 s per channel), so a quiet 3.5 s means everything has been posted.
        await rig.wait_message("Här är resultatet", within=60)
        await settle(rig.api, quiet=3.5)
        assert not api.calls_to("files.completeUploadExternal")
        calls = _effects(api)
        assert await rig.processes[1].send(body, headers) == 200
        await settle(rig.api, quiet=3.5)
        assert _effects(api) == calls


async def _vote_change_and_replay(api: SlackStandIn, rig: Rig, replay_to: int) -> None:
    """Vote 2, change to 5, then the first vote's request is replayed: the 5 must stay."""
    await start_workshop(rig)
    await rig.command("barometer 1")
    statement = await wait_for(lambda: statement_messages(api)[0])
    values = [b["value"] for b in buttons(statement)]
    first = api.block_actions_body("U42", CHANNEL, "dlg-0-1", values[1], message_ts=statement.ts)
    first_headers = sign(SECRET, first)
    assert await rig.processes[0].send(first, first_headers) == 200
    await api.wait_for_calls("respond", 1)
    change = api.block_actions_body("U42", CHANNEL, "dlg-0-4", values[4], message_ts=statement.ts)
    assert await rig.processes[0].send(change, sign(SECRET, change)) == 200
    await api.wait_for_calls("respond", 2)
    assert await rig.processes[replay_to].send(first, first_headers) == 200
    await settle(rig.api, quiet=1.0)
    app = rig.app
    [round_] = await app.store.rounds(1)
    assert [r.value for r in await app.store.responses(round_.id)] == [5]
    assert [r["text"][:17] for r in api.responses] == ["Ditt svar: 2 av 5", "Ditt svar: 5 av 5"]


async def test_a_redelivered_event_is_handled_once(tmp_path: Path) -> None:
    """Slack redelivers an event it thinks was not acknowledged with a new signature: same event id."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'events.sqlite3'}"
    async with SlackStandIn(bot_token=TOKEN) as api, _processes(api, tmp_path, url, 1, "dispatch") as rig:
        body = api.event_body(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D1",
                "user": "U2",
                "text": "hej",
                "ts": "1700000001.000100",
            },
            event_id="Ev0REPLAY1",
        )
        send = rig.processes[0].send
        assert await send(body, sign(SECRET, body)) == 200
        await wait_for(lambda: api.messages_in("D1")[0])
        retry = {
            **sign(SECRET, body, int(time.time()) + 1),
            "x-slack-retry-num": "1",
            "x-slack-retry-reason": "http_timeout",
        }
        assert await send(body, retry) == 200
        await settle(rig.api, quiet=1.0)
        assert len(api.messages_in("D1")) == 1


async def test_a_request_signed_anew_is_not_a_replay(tmp_path: Path) -> None:
    """Two presses of the same button are two requests (own timestamps and signatures): both count."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'twice.sqlite3'}"
    async with SlackStandIn(bot_token=TOKEN) as api, _processes(api, tmp_path, url, 1, "dispatch") as rig:
        body = api.slash_command_body("/dialog", "hjalp", "U5", CHANNEL)
        send = rig.processes[0].send
        now = int(time.time())
        assert await send(body, sign(SECRET, body, now)) == 200
        assert await send(body, sign(SECRET, body, now - 1)) == 200
        await wait_for(lambda: len(api.messages_in(CHANNEL)) == 2 or _fail("two answers expected"))
        await settle(rig.api, quiet=0.5)
        assert len(api.messages_in(CHANNEL)) == 2


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_replay_guard_remembers_within_the_window_and_purges_after(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'guard.sqlite3'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("pg_database"))
    )
    engine = create_engine(url)
    if backend == "sqlite":
        await upgrade(url, engine)
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    clock = [now]
    guard = ReplayGuard(
        engine, retention=timedelta(minutes=15), purge_every=timedelta(minutes=1), clock=lambda: clock[0]
    )
    other = ReplayGuard(engine, clock=lambda: clock[0])  # a second process on the same database
    try:
        assert await guard.first_time("slack-signed", "1700000000", "v0=abc") is True
        assert await other.first_time("slack-signed", "1700000000", "v0=abc") is False
        assert await guard.first_time("slack-signed", "1700000000", "v0=abd") is True
        assert await guard.first_time("slack-signed", "170000000", "0v0=abc") is True  # no ambiguity
        clock[0] = now + timedelta(minutes=14)
        assert await guard.first_time("slack-signed", "1700000840", "v0=new") is True
        assert await guard.count() == 4
        clock[0] = now + timedelta(minutes=16)
        assert await guard.first_time("slack-signed", "1700000960", "v0=newer") is True
        assert await guard.count() == 2  # the three from 12:00 are gone, nothing newer
    finally:
        await guard.aclose()
        await other.aclose()
        await engine.dispose()


def _effects(api: SlackStandIn) -> list[tuple[str, int]]:
    """Every call the bot made that shows or changes something (auth.test is Bolt's own)."""
    return [(c.method, c.status) for c in api.calls if c.method != "auth.test"]
