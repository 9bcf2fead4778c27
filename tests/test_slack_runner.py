"""``slack_running`` as ``dialogbot run`` starts it: Bolt's aiohttp server, or Socket Mode.

HTTP: signatures are checked, requests older than five minutes are refused, a replay is answered
200 and dropped. Socket Mode (requests are not signed): an envelope Slack delivers again is
acknowledged again and dropped. Stopping closes the HTTP session the adapter shared.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import App
from bot.slack.errors import SlackStartFailed
from bot.slack.runner import slack_running
from config.errors import ConfigError
from tests.harness import free_port, running_app
from tests.standins.slack_api import SlackStandIn, sign
from tests.test_slack_flow import _fail, buttons, settle, wait_for

TOKEN = "xoxb-runner-test"
APP_TOKEN = "xapp-runner-test"
SECRET = "runner-signing-secret"
FACILITATOR = "UFAC"
CHANNEL = "C7"


@asynccontextmanager
async def _app(api: SlackStandIn, tmp_path: Path, **settings: Any) -> AsyncIterator[App]:
    values: dict[str, Any] = {
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_base_url": api.base_url,
        "facilitators": {"slack": [FACILITATOR]},
    }
    async with running_app(tmp_path, **{**values, **settings}) as app:
        yield app


def _workshop_messages(api: SlackStandIn) -> list[str]:
    return [m.text or "" for m in api.messages_in(CHANNEL) if "Anslutningskod" in (m.text or "")]


async def test_slack_running_over_http_checks_signatures_and_drops_replays(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    async with (
        SlackStandIn(bot_token=TOKEN) as api,
        _app(api, tmp_path, slack_listen="127.0.0.1", slack_port=port) as app,
        aiohttp.ClientSession() as http,
    ):

        async def post(body: str, headers: dict[str, str]) -> int:
            async with http.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                return response.status

        async with slack_running(app) as adapter:
            body = api.slash_command_body("/dialog", "workshop varmland-2015 Över HTTP", FACILITATOR, CHANNEL)
            assert await post(body, sign("not-the-secret", body)) == 401
            assert await post(body, sign(SECRET, body, int(time.time()) - 301)) == 401  # older than 5 min
            assert await post(body, {"content-type": "application/x-www-form-urlencoded"}) == 401
            await settle(api, quiet=0.8)
            assert api.messages_in(CHANNEL) == [] and await app.store.workshop(1) is None

            headers = sign(SECRET, body)
            assert await post(body, headers) == 200
            await wait_for(lambda: _workshop_messages(api) or _fail("no workshop yet"))
            assert await post(body, headers) == 200  # the same request again: accepted, and dropped
            await settle(api, quiet=0.8)
            assert len(_workshop_messages(api)) == 1 and await app.store.workshop(2) is None
            session = adapter.port.client.session
            assert session is not None and not session.closed
        assert session.closed  # the shared HTTP session is closed with the adapter


async def test_slack_running_in_socket_mode_drops_a_redelivered_envelope(tmp_path: Path) -> None:
    async with (
        SlackStandIn(bot_token=TOKEN, app_token=APP_TOKEN) as api,
        _app(api, tmp_path, slack_app_token=APP_TOKEN) as app,
    ):
        async with slack_running(app):
            await api.wait_for_socket()
            command = _form(
                api.slash_command_body("/dialog", "workshop varmland-2015 Socket", FACILITATOR, CHANNEL)
            )
            envelope = await api.send_envelope("slash_commands", command)
            await wait_for(lambda: _workshop_messages(api) or _fail("no workshop yet"))
            # Slack did not see the ack in time and delivers the same envelope again.
            await api.send_envelope("slash_commands", command, envelope_id=envelope, retry_attempt=1)
            acks = await api.wait_for_acks(2)
            assert [a["envelope_id"] for a in acks] == [envelope, envelope]
            created = next(m for m in api.messages_in(CHANNEL) if "Anslutningskod" in (m.text or ""))

            # A press arrives as an interactive envelope; its redelivery does not count twice.
            press = json.loads(
                _form(
                    api.block_actions_body(
                        "U3", CHANNEL, "dlg-0-0", buttons(created)[0]["value"], message_ts=created.ts
                    )
                )["payload"]
            )
            pressed = await api.send_envelope("interactive", press)
            await api.wait_for_calls("respond", 1)
            await api.send_envelope("interactive", press, envelope_id=pressed, retry_attempt=1)
            await api.wait_for_acks(4)
            await settle(api, quiet=0.8)
        assert len(_workshop_messages(api)) == 1 and await app.store.workshop(2) is None
        assert len(api.calls_to("respond")) == 1
        assert len(await app.store.participants(1)) == 1


def _form(body: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(body, keep_blank_values=True))


async def test_a_malformed_timestamp_is_a_bad_signature(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    async with (
        SlackStandIn(bot_token=TOKEN) as api,
        _app(api, tmp_path, slack_listen="127.0.0.1", slack_port=port) as app,
        aiohttp.ClientSession() as http,
    ):
        async with slack_running(app):
            body = api.slash_command_body("/dialog", "workshop varmland-2015 X", FACILITATOR, CHANNEL)
            for timestamp in ("abc", "", "1.5e9", "١٧٠٠٠٠٠٠٠٠"):  # the last: Arabic-Indic digits
                headers = {**sign(SECRET, body), "x-slack-request-timestamp": timestamp}
                async with http.post(url, data=body.encode(), headers=headers) as response:
                    assert response.status == 401, timestamp
            await settle(api, quiet=0.5)
        assert api.messages_in(CHANNEL) == [] and await app.store.workshop(1) is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_http_mode_refuses_to_start_without_a_signing_secret(tmp_path: Path) -> None:
    port = free_port()
    async with (
        SlackStandIn(bot_token=TOKEN) as api,
        _app(api, tmp_path, slack_signing_secret="", slack_listen="127.0.0.1", slack_port=port) as app,
    ):
        with pytest.raises(ConfigError) as refused:
            async with slack_running(app):
                pytest.fail("started without a signing secret")
        assert refused.value.where == "slack_signing_secret"
        assert not api.calls
        with socket.socket() as probe:  # nothing listens on the port
            assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("app_token", ["xapp-revoked-never-shown", TOKEN])  # a wrong one; the bot token there
async def test_a_refused_app_token_stops_the_start_with_the_setting_named(
    tmp_path: Path, app_token: str
) -> None:
    async with (
        SlackStandIn(bot_token=TOKEN, app_token=APP_TOKEN) as api,
        _app(api, tmp_path, slack_app_token=app_token) as app,
    ):
        with pytest.raises(SlackStartFailed) as refused:
            async with slack_running(app):
                pytest.fail("started with a refused app-level token")
        message = str(refused.value)
        assert "slack_app_token" in message and "xapp-" in message and "connections:write" in message
        assert app_token not in message
        assert refused.value.__cause__ is None and refused.value.__suppress_context__  # nothing that holds it
        assert [c.error for c in api.calls] == [
            None,
            "invalid_auth" if app_token != TOKEN else "not_allowed_token_type",
        ]  # auth.test, then Socket Mode
        assert not api._sockets


async def test_a_busy_http_port_names_slack_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with (
            SlackStandIn(bot_token=TOKEN) as api,
            _app(api, tmp_path, slack_listen="127.0.0.1", slack_port=port) as app,
        ):
            with pytest.raises(SlackStartFailed) as refused:
                async with slack_running(app):
                    pytest.fail("started on a port that is in use")
    assert "slack_port" in str(refused.value) and str(port) in str(refused.value)
