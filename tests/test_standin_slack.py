"""The Slack Web API stand-in, driven by the real slack_sdk AsyncWebClient and slack_bolt AsyncApp."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.standins.slack_api import (
    ManualClock,
    RateLimit,
    SlackStandIn,
    event_body,
    sign,
    slash_command_body,
    url_verification_body,
)
from tests.waiting import running_tasks, settled

TOKEN = "xoxb-test"
SIGNING_SECRET = "signing-secret-for-tests"
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Vote"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def api(clock: ManualClock) -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(
        bot_token=TOKEN, team_id="T1", bot_user_id="UBOT", clock=clock, retry_after=0
    ) as stand_in:
        yield stand_in


@pytest.fixture
def client(api: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=api.base_url)


async def test_auth_test_and_bad_token(api: SlackStandIn, client: AsyncWebClient) -> None:
    res = await client.auth_test()
    assert (res["team_id"], res["user_id"], res["bot_id"]) == ("T1", "UBOT", "BBOT")
    assert res["is_enterprise_install"] is False
    with pytest.raises(SlackApiError) as err:
        await AsyncWebClient(token="xoxb-wrong", base_url=api.base_url).auth_test()
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        await client.api_call("chat.nonsense")
    assert err.value.response["error"] == "unknown_method"


async def test_post_and_update_message(api: SlackStandIn, client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Round 1*"}}]
    first = await client.chat_postMessage(channel="C1", text="Round 1", blocks=blocks)
    second = await client.chat_postMessage(channel="C1", text="again")
    assert first["ts"] == "1700000000.000100" and second["ts"] == "1700000000.000200"
    assert first["message"]["blocks"] == blocks and first["message"]["user"] == "UBOT"
    updated = await client.chat_update(channel="C1", ts=first["ts"], text="Round 1 closed")
    assert updated["text"] == "Round 1 closed"
    stored = api.messages[("C1", first["ts"])]
    assert (stored.text, stored.blocks, stored.edits) == ("Round 1 closed", blocks, 1)
    assert [m.ts for m in api.messages_in("C1")] == [first["ts"], second["ts"]]

    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel="C1", ts="1.2", text="x")
    assert err.value.response["error"] == "message_not_found"
    with pytest.raises(SlackApiError) as err, pytest.warns(UserWarning, match="top-level `text`"):
        await client.chat_postMessage(channel="C1")
    assert err.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C2", text="x", blocks=[{"type": "divider"}] * 51)
    assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="#general", text="x")
    assert err.value.response["error"] == "channel_not_found"
    eph = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert eph["message_ts"] and api.ephemerals[0]["user"] == "U1"


async def test_conversations_open_and_users_info(api: SlackStandIn, client: AsyncWebClient) -> None:
    a = await client.conversations_open(users="U1")
    b = await client.conversations_open(users=["U1"])
    c = await client.conversations_open(users="U2")
    assert a["channel"]["id"] == b["channel"]["id"] != c["channel"]["id"]
    assert a["channel"]["id"].startswith("D")
    api.users["U1"] = {"real_name": "Anna"}
    info = await client.users_info(user="U1")
    assert info["user"]["real_name"] == "Anna" and info["user"]["tz"] == "Europe/Stockholm"


async def test_files_upload_v2_end_to_end(api: SlackStandIn, client: AsyncWebClient) -> None:
    data = b"\x89PNG fake chart bytes" * 100
    res = await client.files_upload_v2(
        channel="C1", content=data, filename="chart.png", title="Chart", initial_comment="Results"
    )
    file_id = res["file"]["id"]
    assert [c.method for c in api.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    upload = api.uploaded_files[file_id]
    assert (upload.data, upload.filename, upload.title, upload.channel) == (data, "chart.png", "Chart", "C1")
    assert upload.initial_comment == "Results" and upload.completed

    # completeUploadExternal without the upload POST fails
    url = await client.files_getUploadURLExternal(filename="x.txt", length=3)
    assert url["upload_url"].startswith(api.root_url + "/upload/")
    with pytest.raises(SlackApiError) as err:
        await client.files_completeUploadExternal(
            files=[{"id": url["file_id"], "title": "x"}], channel_id="C1"
        )
    assert err.value.response["error"] == "file_not_found"


async def test_views_open_trigger_expiry_and_publish(
    api: SlackStandIn, client: AsyncWebClient, clock: ManualClock
) -> None:
    fresh = api.new_trigger_id()
    clock.advance(2.9)
    opened = await client.views_open(trigger_id=fresh, view=MODAL)
    assert opened["view"]["id"] == api.opened_views[0]["id"]
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id=fresh, view=MODAL)
    assert err.value.response["error"] == "exchanged_trigger_id"

    stale = api.new_trigger_id()
    clock.advance(3.1)
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id=stale, view=MODAL)
    assert err.value.response["error"] == "expired_trigger_id"
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id="123.456.abc", view=MODAL)
    assert err.value.response["error"] == "invalid_trigger_id"

    updated = await client.views_update(view_id=opened["view"]["id"], view={**MODAL, "callback_id": "v2"})
    assert updated["view"]["callback_id"] == "v2"

    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Home"}}]}
    first = await client.views_publish(user_id="U1", view=home)
    again = await client.views_publish(user_id="U1", view={**home, "blocks": []})
    assert first["view"]["id"] == again["view"]["id"]
    assert api.published_views["U1"]["blocks"] == []


async def test_post_message_rate_limit_per_channel(
    api: SlackStandIn, client: AsyncWebClient, clock: ManualClock
) -> None:
    api.retry_after = None
    for _ in range(3):  # burst of 3
        await client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert err.value.response["error"] == "ratelimited"
    await client.chat_postMessage(channel="C2", text="other channel is fine")
    clock.advance(1.0)
    await client.chat_postMessage(channel="C1", text="one more after a second")
    assert api.count_429 == 1 and api.calls_to("chat.postMessage")[3].status == 429


async def test_tier3_update_limit_and_retry_handler(api: SlackStandIn, clock: ManualClock) -> None:
    api.rate_limits["chat.update"] = RateLimit(2, 60.0)
    plain = AsyncWebClient(token=TOKEN, base_url=api.base_url)  # default handlers: connection errors only
    posted = await plain.chat_postMessage(channel="C1", text="v0")
    await plain.chat_update(channel="C1", ts=posted["ts"], text="v1")
    await plain.chat_update(channel="C1", ts=posted["ts"], text="v2")
    with pytest.raises(SlackApiError) as err:
        await plain.chat_update(channel="C1", ts=posted["ts"], text="v3")
    assert err.value.response.status_code == 429 and "Retry-After" in err.value.response.headers

    retrying = AsyncWebClient(
        token=TOKEN,
        base_url=api.base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )

    api.on_ratelimited = lambda call: clock.advance(30.0)  # one token back (2 per 60 s) before the retry
    res = await retrying.chat_update(channel="C1", ts=posted["ts"], text="v3")
    assert res["ok"] and api.messages[("C1", posted["ts"])].text == "v3"
    assert [c.status for c in api.calls_to("chat.update")] == [200, 200, 429, 429, 200]


def bolt_app(api: SlackStandIn) -> tuple[AsyncApp, list[dict[str, Any]]]:
    app = AsyncApp(signing_secret=SIGNING_SECRET, client=AsyncWebClient(token=TOKEN, base_url=api.base_url))
    seen: list[dict[str, Any]] = []

    @app.command("/dialog")
    async def dialog(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        seen.append(body)
        await client.chat_postMessage(channel=body["channel_id"], text=f"Started: {body['text']}")

    @app.action("vote")
    async def vote(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("ballot")
    async def ballot(ack: Any, view: dict[str, Any]) -> None:
        seen.append(view["state"]["values"])
        await ack()

    @app.event("app_mention")
    async def mention(event: dict[str, Any], say: Any) -> None:
        await say(f"hi <@{event['user']}>")

    return app, seen


def test_sign_matches_slack_sdk_verifier() -> None:
    body = slash_command_body("/dialog", "start now", "U1", "C1")
    headers = sign(SIGNING_SECRET, body, 1_700_000_000)
    expected = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp="1700000000", body=body)
    assert headers["x-slack-signature"] == expected
    form = urllib.parse.parse_qs(body)
    assert form["command"] == ["/dialog"] and form["text"] == ["start now"] and "%2Fdialog" in body


async def test_bolt_slash_command_signed(api: SlackStandIn) -> None:
    app, seen = bolt_app(api)
    body = api.slash_command_body("/dialog", "workshop", user_id="U1", channel_id="C1")
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SIGNING_SECRET, body)))
    assert resp.status == 200
    calls = await api.wait_for_calls("chat.postMessage")  # the listener goes on after ack()
    assert calls[0].params["text"] == "Started: workshop"
    assert seen[0]["user_id"] == "U1" and api.calls_to("auth.test")  # SingleTeamAuthorization


async def test_bolt_rejects_bad_and_old_signatures(api: SlackStandIn) -> None:
    app, seen = bolt_app(api)
    before = running_tasks()
    body = slash_command_body("/dialog", "x")
    bad = {**sign(SIGNING_SECRET, body), "x-slack-signature": "v0=" + "0" * 64}
    assert (await app.async_dispatch(AsyncBoltRequest(body=body, headers=bad))).status == 401
    wrong_secret = sign("other-secret", body)
    assert (await app.async_dispatch(AsyncBoltRequest(body=body, headers=wrong_secret))).status == 401
    old = sign(SIGNING_SECRET, body, int(time.time()) - 301)
    assert (await app.async_dispatch(AsyncBoltRequest(body=body, headers=old))).status == 401
    await settled(before)  # whatever the requests started is over: no listener ran
    assert seen == [] and api.calls_to("chat.postMessage") == []


async def test_bolt_action_opens_modal_with_registered_trigger(api: SlackStandIn) -> None:
    app, seen = bolt_app(api)
    posted = await AsyncWebClient(token=TOKEN, base_url=api.base_url).chat_postMessage(
        channel="C1", text="Vote!"
    )
    body = api.block_actions_body("U1", "C1", "vote", "yes", message_ts=posted["ts"])
    payload = json.loads(urllib.parse.parse_qs(body)["payload"][0])
    assert payload["message"]["text"] == "Vote!" and payload["actions"][0]["value"] == "yes"
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SIGNING_SECRET, body)))
    assert resp.status == 200
    await api.wait_for_calls("views.open")
    assert api.calls_to("views.open")[0].ok and len(api.opened_views) == 1

    values = {"b1": {"choice": {"type": "static_select", "selected_option": {"value": "a"}}}}
    body = api.view_submission_body("U1", "ballot", values)
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SIGNING_SECRET, body)))
    assert resp.status == 200 and seen == [values]


async def test_bolt_events_and_url_verification(api: SlackStandIn) -> None:
    app, _ = bolt_app(api)
    body = url_verification_body("challenge-42")
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SIGNING_SECRET, body)))
    assert resp.status == 200 and json.loads(resp.body)["challenge"] == "challenge-42"
    body = event_body(
        {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> hi",
            "channel": "C1",
            "ts": "1700000001.000100",
        }
    )
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SIGNING_SECRET, body)))
    assert resp.status == 200
    calls = await api.wait_for_calls("chat.postMessage")
    assert calls[0].params["text"] == "hi <@U1>"


def test_start_in_thread_serves_another_loop() -> None:
    api = SlackStandIn(bot_token=TOKEN)
    base_url = api.start_in_thread()
    try:

        async def main() -> str:
            res = await AsyncWebClient(token=TOKEN, base_url=base_url).chat_postMessage(
                channel="C9", text="x"
            )
            return str(res["ts"])

        ts = asyncio.run(main())
        assert api.messages[("C9", ts)].text == "x"
    finally:
        api.stop_thread()


async def test_form_body_and_token_param(api: SlackStandIn) -> None:
    blocks = json.dumps([{"type": "divider"}])
    async with aiohttp.ClientSession() as session:
        form = {"token": TOKEN, "channel": "C1", "blocks": blocks}
        async with session.post(api.base_url + "chat.postMessage", data=form) as res:
            body = await res.json()
        assert res.status == 200 and body["ok"] and body["message"]["blocks"] == [{"type": "divider"}]
        async with session.post(api.base_url + "auth.test") as res:
            assert (await res.json()) == {"ok": False, "error": "not_authed"}


async def test_bolt_respond_goes_to_standin_response_url(api: SlackStandIn) -> None:
    app, _ = bolt_app(api)

    @app.command("/echo")
    async def echo(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"echo {command['text']}", response_type="ephemeral")

    body = api.slash_command_body("/echo", "hej")
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=sign(SIGNING_SECRET, body)))
    assert resp.status == 200
    await api.wait_for_calls("respond")
    assert api.responses[0]["text"] == "echo hej" and api.responses[0]["response_type"] == "ephemeral"


async def test_post_message_has_a_workspace_limit_too(
    api: SlackStandIn, clock: ManualClock, client: AsyncWebClient
) -> None:
    api.rate_limits["chat.postMessage"] = (RateLimit(1, 1.0, burst=3, per="channel"), RateLimit(5, 60.0))
    for n in range(5):  # five channels: each channel's bucket is fine, the workspace's runs dry
        await client.chat_postMessage(channel=f"C{n}", text="x")
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C9", text="x")
    assert err.value.response.status_code == 429
    clock.advance(12.0)  # one workspace token back (5 per 60 s)
    assert (await client.chat_postMessage(channel="C9", text="x"))["ok"]


async def test_throttle_next_and_files_refuse_a_user_id(api: SlackStandIn, client: AsyncWebClient) -> None:
    api.throttle_next("chat.update", retry_after=7)
    posted = await client.chat_postMessage(channel="C1", text="v0")
    with pytest.raises(SlackApiError) as err:
        await client.chat_update(channel="C1", ts=posted["ts"], text="v1")
    assert err.value.response.status_code == 429 and err.value.response.headers["Retry-After"] == "7"
    assert (await client.chat_update(channel="C1", ts=posted["ts"], text="v1"))["ok"]
    # Like Slack: a user id is fine for chat.postMessage, not for sharing a file.
    assert (await client.chat_postMessage(channel="U1", text="dm"))["channel"].startswith("D")
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.files_upload_v2(channel="U1", content=b"x", filename="a.txt")
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    assert (await client.files_upload_v2(channel=dm, content=b"x", filename="a.txt"))["ok"]


async def test_lost_channels_and_block_limits_refuse_as_slack_does(
    api: SlackStandIn, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C7", text="before")
    api.archive_channel("C7")
    api.remove_bot("C8")
    api.delete_channel("C9")
    for call, code in [
        (client.chat_postMessage(channel="C7", text="x"), "is_archived"),
        (client.chat_update(channel="C7", ts=posted["ts"], text="x"), "is_archived"),
        (client.chat_postMessage(channel="C8", text="x"), "not_in_channel"),
        (client.chat_postMessage(channel="C9", text="x"), "channel_not_found"),
        (client.files_upload_v2(channel="C8", content=b"png", filename="c.png"), "not_in_channel"),
    ]:
        with pytest.raises(SlackApiError) as err:
            await call
        assert err.value.response["error"] == code

    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    await client.chat_postMessage(channel="C20", text="x", blocks=[section("s" * 3000)] * 4)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C21", text="x", blocks=[section("s" * 3001)])
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be between 1 and 3000 characters [json-pointer:/blocks/0/text/text]"
    ]
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C22", text="x", blocks=[section("s")] * 51)
    assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C23", text="x", blocks=[section("s" * 3000)] * 5)
    assert err.value.response["error"] == "msg_blocks_too_long"
    buttons = [
        {"type": "button", "action_id": f"a{i}", "text": {"type": "plain_text", "text": "b"}, "value": "v"}
        for i in range(26)
    ]
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(
            channel="C24", text="x", blocks=[{"type": "actions", "elements": buttons}]
        )
    assert err.value.response["error"] == "invalid_blocks"
