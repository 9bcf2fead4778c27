"""Loopback stand-in of the Slack Web API, plus signed request factories for a Bolt app.

Point the real client at it::

    async with SlackStandIn(bot_token="xoxb-test") as api:
        client = AsyncWebClient(token="xoxb-test", base_url=api.base_url)

It behaves like Slack where tests can notice: JSON, form and query parameters are merged
(slack_sdk sends ``chat.*``/``views.*`` as JSON, ``auth.test``/``files.*``/``conversations.open`` as
query parameters), errors are HTTP 200 with ``{"ok": false, "error": ...}``, rate limits answer HTTP 429
with ``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``, trigger ids expire after 3 s,
``files.getUploadURLExternal`` hands out an upload URL on the stand-in itself.

Rate limits (token buckets, clock injectable; override per method with ``rate_limits=``):

* ``chat.postMessage``: 1 per second per channel, bursts of 3 (Slack: "1 per second, short bursts allowed"),
  and 300 per minute in the workspace (Slack: "several hundred messages per minute").
* ``chat.update``, ``conversations.open``, ``conversations.history``: Tier 3, 50 per minute per
  method (workspace wide; the Tier 3 of internal apps, conversations.history's reference).
* ``chat.postEphemeral``, ``views.*``, ``files.*``, ``users.info``, ``auth.test``: Tier 4, 100 per minute.

A method may have several limits (a tuple); a call must find a token in each. ``Retry-After`` is the
whole seconds until a token is free (at least 1) unless ``retry_after=`` fixes it; ``throttle_next()``
makes the next calls of a method answer 429 whatever the buckets say.

Text, as Slack treats it ("Formatting text for app surfaces", Escaping text): what users type
arrives escaped (``&`` ``<`` ``>`` as ``&amp;`` ``&lt;`` ``&gt;`` in slash command and message
text; modal input values arrive as typed), and in every text the bot sends Slack reads raw
``<…>`` as control sequences: ``mentions`` records each ``<!channel>``, ``<!here>``,
``<!everyone>``, ``<!subteam^…>``, ``<@U…>`` and link the bot sent, and :func:`displayed` is the
text a user sees (entities decoded). A command's response_url answers five times within 30
minutes (then ``used_url`` / ``expired_url``, HTTP 404), also in a channel the bot is not in.

Like Slack, ``files.completeUploadExternal`` refuses a user id as ``channel_id`` (a DM must be opened
with ``conversations.open`` first), while ``chat.postMessage`` accepts one. Socket Mode: with
``app_token=``, ``apps.connections.open`` hands out a WebSocket URL on the stand-in; ``send_envelope()``
pushes an envelope to the connected client and ``socket_acks`` records what it acknowledged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import math
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

Clock = Callable[[], float]
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]

RESPONSE_URL_USES = 5  # "up to 5 times within 30 minutes" (Slack: handling slash commands)
RESPONSE_URL_TTL = 30 * 60
CONTROL_SEQUENCE = re.compile(r"<[^<>]*>")  # raw <…>: a mention, a channel link or a link
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_TEXT = 40_000
MAX_SECTION_TEXT = 3000  # Block Kit: a section's text, 1-3000 characters
MAX_BUTTON_TEXT = 75  # Block Kit: a button's text
MAX_ACTIONS_ELEMENTS = 25  # Block Kit: elements of one actions block
# The texts of a message's blocks together. Undocumented: Slack answers msg_blocks_too_long from
# about 12,000 characters (slackapi/bolt-js#2509, #2867: "12,000 text characters with a buffer
# for block containers"); the stand-in refuses above 12,000.
MAX_BLOCKS_TEXT = 12_000
TRIGGER_TTL = 3.0
VALID_CHANNEL_PREFIXES = ("C", "D", "G")


class ManualClock:
    """A clock for tests: call it for the time, ``advance()`` to move it."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``limit`` calls per ``period`` seconds, at most ``burst`` at once.

    ``per="method"`` counts the workspace's calls to the method, ``per="channel"`` per channel.
    """

    limit: int
    period: float
    burst: int | None = None
    per: Literal["method", "channel"] = "method"

    @property
    def capacity(self) -> int:
        return self.burst if self.burst is not None else self.limit

    @property
    def refill_per_second(self) -> float:
        return self.limit / self.period


TIER_3 = RateLimit(50, 60.0)
TIER_4 = RateLimit(100, 60.0)
POST_MESSAGE = RateLimit(1, 1.0, burst=3, per="channel")
POST_MESSAGE_WORKSPACE = RateLimit(300, 60.0)

Limits = RateLimit | tuple[RateLimit, ...]

DEFAULT_RATE_LIMITS: dict[str, Limits] = {
    "auth.test": TIER_4,
    "chat.postMessage": (POST_MESSAGE, POST_MESSAGE_WORKSPACE),
    "chat.postEphemeral": TIER_4,
    "chat.update": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
}


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class Call:
    """One request the stand-in answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    error: str | None = None
    connection: object = None  # the client's (host, port): which keep-alive connection carried it

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class StoredMessage:
    """Current state of a posted message (chat.update edits it in place)."""

    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    user: str
    bot_id: str
    thread_ts: str | None = None
    edits: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None  # chat.postMessage ``metadata`` (event_type, event_payload)


#: files.getUploadURLExternal refuses a longer ``alt_txt`` with ``alt_txt_too_large`` (its error list).
MAX_ALT_TXT = 1000


@dataclass
class UploadedFile:
    """A file from files.getUploadURLExternal, filled by the upload POST and completeUploadExternal."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    alt_txt: str | None = None
    completed: bool = False


class SlackApiFailure(Exception):
    """Raised inside a handler to answer ``{"ok": false, "error": ...}`` (with Slack's explanation
    in ``response_metadata.messages`` when it gives one, as for invalid_blocks)."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def _fail(error: str, *messages: str) -> SlackApiFailure:
    return SlackApiFailure(error, list(messages))


def _block_texts(value: Any) -> list[str]:
    """Every ``text`` string inside a block (what Slack adds up for msg_blocks_too_long)."""
    if isinstance(value, dict):
        return [
            t
            for k, v in value.items()
            for t in ([v] if k == "text" and isinstance(v, str) else _block_texts(v))
        ]
    if isinstance(value, list):
        return [t for item in value for t in _block_texts(item)]
    return []


def _check_blocks(blocks: list[Any]) -> None:
    """Refuse blocks as chat.postMessage/chat.update do: invalid_blocks naming the JSON pointer."""
    if len(blocks) > MAX_BLOCKS_MESSAGE:
        raise _fail(
            "invalid_blocks",
            f"[ERROR] no more than {MAX_BLOCKS_MESSAGE} items allowed [json-pointer:/blocks]",
        )
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            raise _fail("invalid_blocks", f"[ERROR] must be an object [json-pointer:/blocks/{index}]")
        text = block.get("text") if block.get("type") == "section" else None
        if isinstance(text, dict) and not 1 <= len(str(text.get("text") or "")) <= MAX_SECTION_TEXT:
            raise _fail(
                "invalid_blocks",
                f"[ERROR] must be between 1 and {MAX_SECTION_TEXT} characters "
                f"[json-pointer:/blocks/{index}/text/text]",
            )
        elements = block.get("elements") if block.get("type") == "actions" else None
        if isinstance(elements, list):
            if len(elements) > MAX_ACTIONS_ELEMENTS:
                raise _fail(
                    "invalid_blocks",
                    f"[ERROR] no more than {MAX_ACTIONS_ELEMENTS} items allowed "
                    f"[json-pointer:/blocks/{index}/elements]",
                )
            for n, element in enumerate(elements):
                label = str(((element or {}).get("text") or {}).get("text") or "")
                if len(label) > MAX_BUTTON_TEXT:
                    raise _fail(
                        "invalid_blocks",
                        f"[ERROR] must be less than {MAX_BUTTON_TEXT + 1} characters "
                        f"[json-pointer:/blocks/{index}/elements/{n}/text/text]",
                    )
    if sum(map(len, _block_texts(blocks))) > MAX_BLOCKS_TEXT:
        raise _fail("msg_blocks_too_long")


def _flag(value: Any) -> bool:
    """A boolean parameter as Slack reads it (JSON true, or "true"/"1" in a form or query)."""
    return value is True or str(value).lower() in ("true", "1")


def _metadata(value: Any) -> dict[str, Any] | None:
    """chat.postMessage ``metadata``: an object with an ``event_type`` (letters, digits and
    underscores) and an ``event_payload`` object; Slack refuses others (invalid_metadata_format)."""
    if value is None or value == "":
        return None
    metadata = _json_param(value)
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not re.fullmatch(r"[A-Za-z0-9_]+", metadata["event_type"])
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        raise _fail("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def _json_param(value: Any) -> Any:
    """Blocks, views and files arrive as JSON strings in form/query bodies, as objects in JSON."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise _fail("invalid_arguments") from exc
    return value


class SlackStandIn:
    """A Slack Web API on 127.0.0.1 for the real slack_sdk / slack_bolt clients."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test",
        app_token: str = "",
        team_id: str = "T1",
        team: str = "Dialogbot Test",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "A1",
        clock: Clock = time.monotonic,
        rate_limits: Mapping[str, Limits | None] | None = None,
        rate_limiting: bool = True,
        retry_after: int | None = None,
        trigger_ttl: float = TRIGGER_TTL,
        host: str = "127.0.0.1",
        port: int = 0,
        wall: Clock | None = None,
    ) -> None:
        """``wall``: the time (Unix seconds) message ``ts`` values are made of, as Slack's are
        (then ``oldest``/``latest`` of conversations.history compare with it); by default a
        counter from 1,700,000,000 s."""
        self.bot_token = bot_token
        self.wall = wall
        self._last_ts = 0.0
        self.on_posted: Callable[[StoredMessage], Awaitable[None] | None] | None = None
        """Called with each message chat.postMessage stored; its answer goes back only after
        what it returns has been awaited (e.g. a dispatcher ended between Slack's acceptance
        and its record of it)."""
        self.app_token = app_token
        self.team_id = team_id
        self.team = team
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.rate_limiting = rate_limiting
        self.retry_after = retry_after
        self.trigger_ttl = trigger_ttl
        self.on_ratelimited: Callable[[Call], None] | None = None
        """Called with each 429 (e.g. to advance a ManualClock before the client retries)."""
        self.host = host
        self.port = port
        limits: dict[str, Limits | None] = dict(DEFAULT_RATE_LIMITS)
        limits.update(rate_limits or {})
        self.rate_limits: dict[str, Limits] = {k: v for k, v in limits.items() if v is not None}
        self._throttled: dict[str, list[int]] = {}
        self._failing: dict[str, list[str]] = {}

        self.calls: list[Call] = []
        self.count_429 = 0
        self.messages: dict[tuple[str, str], StoredMessage] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.uploaded_files: dict[str, UploadedFile] = {}
        self.published_views: dict[str, dict[str, Any]] = {}
        self.opened_views: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.responses: list[dict[str, Any]] = []
        self.mentions: list[tuple[str, str]] = []  # (method, raw control sequence) in what the bot sent
        self._response_urls: dict[str, list[float]] = {}  # key -> [issued at, answers taken]
        self.users: dict[str, dict[str, Any]] = {}
        self.dm_channels: dict[str, str] = {}
        self.triggers: dict[str, float] = {}
        self.used_triggers: set[str] = set()
        self.socket_acks: list[dict[str, Any]] = []
        self.lost_channels: dict[str, str] = {}  # channel -> the error every post to it gets
        self._sockets: list[web.WebSocketResponse] = []

        self._buckets: dict[tuple[str, str, int], _Bucket] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._handlers: dict[str, Handler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": self._apps_connections_open,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if self._runner is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The ``base_url`` for ``AsyncWebClient`` (ends with ``/api/``)."""
        return f"{self.root_url}/api/"

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/respond/{key}", self._handle_respond)
        app.router.add_get("/socket", self._handle_socket)
        return app

    async def start(self) -> str:
        """Serve on the running loop; returns ``base_url``."""
        runner = web.AppRunner(self._make_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self.base_url

    async def stop(self) -> None:
        """Stop serving."""
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self) -> str:
        """Serve on a private event loop in a daemon thread (benchmarks); returns ``base_url``."""
        if self._thread is not None:
            raise RuntimeError("already running in a thread")
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread_loop = loop
        self._thread = threading.Thread(target=run, name="slack-standin", daemon=True)
        self._thread.start()
        started.wait(10)
        if failure:
            self._thread = None
            raise failure[0]
        return self.base_url

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop the server started by ``start_in_thread``."""
        if self._thread is None or self._thread_loop is None:
            return
        self._thread_loop.call_soon_threadsafe(self._thread_loop.stop)
        self._thread.join(timeout)
        self._thread = None
        self._thread_loop = None

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one API method (also ``"upload"`` and ``"respond"``)."""
        return [c for c in self.calls if c.method == method]

    async def wait_for_calls(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        """Poll until ``count`` calls of ``method`` arrived (listeners run after ack)."""
        deadline = time.monotonic() + within
        while len(found := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} {method} calls after {within} s")
            await asyncio.sleep(0.01)
        return found

    def messages_in(self, channel: str) -> list[StoredMessage]:
        """Messages of one channel in posting order."""
        return [m for (ch, _), m in self.messages.items() if ch == channel]

    def reset(self) -> None:
        """Forget calls and rate-limit state (keeps messages, files, views)."""
        self.calls.clear()
        self.count_429 = 0
        self._buckets.clear()

    def throttle_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After: retry_after``."""
        self._throttled.setdefault(method, []).extend([retry_after] * times)

    def fail_next(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}`` (an
        outage Slack reports as internal_error, fatal_error or service_unavailable)."""
        self._failing.setdefault(method, []).extend([error] * times)

    def archive_channel(self, channel: str) -> None:
        """The channel is archived: posts, edits and file shares to it answer ``is_archived``."""
        self.lost_channels[channel] = "is_archived"

    def remove_bot(self, channel: str) -> None:
        """The bot is removed from the channel: posts to it answer ``not_in_channel``."""
        self.lost_channels[channel] = "not_in_channel"

    def delete_channel(self, channel: str) -> None:
        """The channel is deleted (or is private and the bot never saw it): ``channel_not_found``."""
        self.lost_channels[channel] = "channel_not_found"

    def new_trigger_id(self) -> str:
        """A trigger id views.open accepts for ``trigger_ttl`` seconds of ``clock``."""
        trigger = (
            f"{next(self._ids)}{secrets.randbelow(10**6)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        )
        self.triggers[trigger] = self.clock()
        return trigger

    def response_url(self) -> str:
        """A response_url on the stand-in; POSTs to it land in ``responses`` (five within 30 minutes)."""
        key = secrets.token_hex(8)
        self._response_urls[key] = [self.clock(), 0]
        return f"{self.root_url}/respond/{key}"

    # ------------------------------------------------------------------ Socket Mode

    async def wait_for_socket(self, within: float = 10.0) -> None:
        """Wait until a Socket Mode client is connected."""
        deadline = time.monotonic() + within
        while not self._sockets:
            if time.monotonic() > deadline:
                raise TimeoutError("no Socket Mode client connected")
            await asyncio.sleep(0.01)

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], envelope_id: str | None = None, retry_attempt: int = 0
    ) -> str:
        """Push an envelope (``slash_commands``, ``interactive``, ``events_api``) to the connected client."""
        await self.wait_for_socket()
        envelope_id = envelope_id or secrets.token_hex(16)
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    async def wait_for_acks(self, count: int, within: float = 10.0) -> list[dict[str, Any]]:
        """Wait until the client acknowledged ``count`` envelopes."""
        deadline = time.monotonic() + within
        while len(self.socket_acks) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.socket_acks)} of {count} envelopes acknowledged")
            await asyncio.sleep(0.01)
        return self.socket_acks

    # ------------------------------------------------------------------ bound request factories

    def slash_command_body(
        self, command: str, text: str = "", user_id: str = "U1", channel_id: str = "C1", **kwargs: Any
    ) -> str:
        """``slash_command_body`` with this workspace, a fresh trigger id and a response_url here."""
        kwargs.setdefault("team_id", self.team_id)
        kwargs.setdefault("api_app_id", self.app_id)
        kwargs.setdefault("trigger_id", self.new_trigger_id())
        kwargs.setdefault("response_url", self.response_url())
        return slash_command_body(command, text, user_id, channel_id, **kwargs)

    def block_actions_body(
        self, user_id: str, channel_id: str, action_id: str, value: str = "", **kwargs: Any
    ) -> str:
        """``block_actions_body`` with this workspace, a fresh trigger id, the stored message if any."""
        kwargs.setdefault("team_id", self.team_id)
        kwargs.setdefault("api_app_id", self.app_id)
        kwargs.setdefault("trigger_id", self.new_trigger_id())
        kwargs.setdefault("response_url", self.response_url())
        stored = self.messages.get((channel_id, kwargs.get("message_ts") or ""))
        if stored is not None and "message" not in kwargs:
            kwargs["message"] = {
                "type": "message",
                "user": stored.user,
                "bot_id": stored.bot_id,
                "ts": stored.ts,
                "text": stored.text or "",
                "blocks": stored.blocks or [],
            }
        return block_actions_body(user_id, channel_id, action_id, value, **kwargs)

    def view_submission_body(
        self, user_id: str, callback_id: str, state_values: dict[str, Any] | None = None, **kwargs: Any
    ) -> str:
        """``view_submission_body`` with this workspace and a fresh trigger id."""
        kwargs.setdefault("team_id", self.team_id)
        kwargs.setdefault("api_app_id", self.app_id)
        kwargs.setdefault("bot_id", self.bot_id)
        kwargs.setdefault("trigger_id", self.new_trigger_id())
        return view_submission_body(user_id, callback_id, state_values, **kwargs)

    def event_body(self, event: dict[str, Any], **kwargs: Any) -> str:
        """``event_body`` with this workspace and bot user."""
        kwargs.setdefault("team_id", self.team_id)
        kwargs.setdefault("api_app_id", self.app_id)
        kwargs.setdefault("bot_user_id", self.bot_user_id)
        return event_body(event, **kwargs)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError as exc:
                raise _fail("invalid_json") from exc
            if not isinstance(body, dict):
                raise _fail("invalid_json")
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params

    def _token(self, request: web.Request, params: dict[str, Any]) -> str | None:
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        token = params.pop("token", None)
        return str(token) if token else None

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        error: str | None,
        request: web.Request | None = None,
    ) -> None:
        connection = request.transport.get_extra_info("peername") if request and request.transport else None
        self.calls.append(Call(method, params, self.clock(), status, error, connection))

    def _check_rate(self, method: str, params: dict[str, Any]) -> int | None:
        """Take a token from each of the method's buckets; return Retry-After seconds when one is empty."""
        throttled = self._throttled.get(method)
        if throttled:
            return throttled.pop(0)
        entry = self.rate_limits.get(method) if self.rate_limiting else None
        if entry is None:
            return None
        limits = entry if isinstance(entry, tuple) else (entry,)
        now = self.clock()
        buckets = []
        for index, limit in enumerate(limits):
            key = str(params.get("channel") or "") if limit.per == "channel" else ""
            bucket = self._buckets.setdefault((method, key, index), _Bucket(float(limit.capacity), now))
            bucket.tokens = min(
                limit.capacity, bucket.tokens + (now - bucket.updated) * limit.refill_per_second
            )
            bucket.updated = now
            buckets.append((limit, bucket))
        empty = [(limit, bucket) for limit, bucket in buckets if bucket.tokens < 1]
        if not empty:
            for _, bucket in buckets:
                bucket.tokens -= 1
            return None
        if self.retry_after is not None:
            return self.retry_after
        return max(max(1, math.ceil((1 - b.tokens) / limit.refill_per_second)) for limit, b in empty)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except SlackApiFailure as failure:
            self._record(method, {}, 200, failure.error, request)
            return web.json_response(failure.body())
        token = self._token(request, params)
        handler = self._handlers.get(method)
        error: str | None = None
        if handler is None:
            error = "unknown_method"
        elif token is None:
            error = "not_authed"
        elif method == "apps.connections.open":  # only the app-level token opens Socket Mode
            error = (
                None
                if self.app_token and token == self.app_token
                else "not_allowed_token_type"
                if token == self.bot_token
                else "invalid_auth"
            )
        elif token != self.bot_token:
            error = "invalid_auth"
        if error is not None or handler is None:
            self._record(method, params, 200, error, request)
            return web.json_response({"ok": False, "error": error})
        retry_after = self._check_rate(method, params)
        if retry_after is not None:
            self.count_429 += 1
            self._record(method, params, 429, "ratelimited", request)
            if self.on_ratelimited is not None:
                self.on_ratelimited(self.calls[-1])
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
            )
        try:
            failing = self._failing.get(method)
            if failing:
                raise _fail(failing.pop(0))
            result = await handler(params)
        except SlackApiFailure as failure:
            self._record(method, params, 200, failure.error, request)
            return web.json_response(failure.body())
        self._record(method, params, 200, None, request)
        return web.json_response({"ok": True, **result})

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        data = await request.read()
        upload = self.uploaded_files.get(file_id)
        if upload is None:
            self._record("upload", {"file_id": file_id}, 404, "file_not_found", request)
            return web.Response(status=404, text="Not Found", content_type="text/plain")
        upload.data = data
        self._record("upload", {"file_id": file_id, "length": len(data)}, 200, None, request)
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for message in socket:
                if message.type == web.WSMsgType.TEXT:
                    data = json.loads(message.data)
                    if "envelope_id" in data:
                        self.socket_acks.append(data)
        finally:
            self._sockets.remove(socket)
        return socket

    async def _handle_respond(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            self._record("respond", {}, 400, "invalid_payload", request)
            return web.Response(status=400, text="invalid_payload", content_type="text/plain")
        issued = self._response_urls.get(request.match_info["key"])
        refusal = (
            "invalid_url"
            if issued is None
            else "expired_url"
            if self.clock() - issued[0] > RESPONSE_URL_TTL
            else "used_url"
            if issued[1] >= RESPONSE_URL_USES
            else None
        )
        if refusal is not None:
            self._record("respond", body, 404, refusal, request)
            return web.Response(status=404, text=refusal, content_type="text/plain")
        issued[1] += 1
        self._scan("respond", body)
        entry = {"url": str(request.url), **body}
        self.responses.append(entry)
        self._record("respond", entry, 200, None, request)
        return web.Response(text="ok", content_type="text/plain")

    # ------------------------------------------------------------------ helpers

    def _next_ts(self) -> str:
        if self.wall is not None:  # Slack: the time of posting, unique within the channel
            self._last_ts = max(self.wall(), self._last_ts + 0.000001)
            return f"{self._last_ts:.6f}"
        n = next(self._ts) * 100
        return f"{1_700_000_000 + n // 1_000_000}.{n % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _dm_channel(self, user_id: str) -> str:
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = "D" + hashlib.sha1(user_id.encode()).hexdigest()[:9].upper()
        return self.dm_channels[user_id]

    def _channel(self, params: dict[str, Any], name: str = "channel") -> str:
        channel = str(params.get(name) or "")
        if channel.startswith(("U", "W")):
            return self._dm_channel(channel)
        if not channel.startswith(VALID_CHANNEL_PREFIXES):
            raise _fail("channel_not_found")
        if channel in self.lost_channels:
            raise _fail(self.lost_channels[channel])
        return channel

    def _scan(self, method: str, value: Any) -> None:
        """Record every raw control sequence (mention, link) in the texts of ``value`` the bot sent."""
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("text", "title", "initial_comment", "alt_txt", "alt_text") and isinstance(
                    item, str
                ):
                    self.mentions.extend((method, found) for found in CONTROL_SEQUENCE.findall(item))
                else:
                    self._scan(method, item)
        elif isinstance(value, list):
            for item in value:
                self._scan(method, item)

    def _content(self, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
        text = params.get("text")
        blocks = _json_param(params["blocks"]) if params.get("blocks") is not None else None
        attachments = params.get("attachments")
        if not text and not blocks and not attachments:
            raise _fail("no_text")
        if blocks is not None and not isinstance(blocks, list):
            raise _fail("invalid_blocks")
        if blocks is not None:
            _check_blocks(blocks)
        if text is not None and len(str(text)) > MAX_TEXT:
            raise _fail("msg_too_long")
        return (str(text) if text is not None else None), blocks

    def _view(self, params: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
        view = _json_param(params.get("view"))
        if not isinstance(view, dict) or "type" not in view:
            raise _fail("invalid_arguments")
        if kind is not None and view["type"] != kind:
            raise _fail("invalid_arguments")
        if len(view.get("blocks") or []) > MAX_BLOCKS_VIEW:
            raise _fail("invalid_arguments")
        return view

    def _store_view(self, view: dict[str, Any], **extra: Any) -> dict[str, Any]:
        stored = {
            "id": self._next_id("V"),
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "hash": secrets.token_hex(8),
            "state": {"values": {}},
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
            **extra,
        }
        self.views[stored["id"]] = stored
        return stored

    def _take_trigger(self, params: dict[str, Any]) -> None:
        trigger = params.get("trigger_id")
        if not trigger:
            raise _fail("invalid_arguments")
        if trigger in self.used_triggers:
            raise _fail("exchanged_trigger_id")
        issued = self.triggers.get(trigger)
        if issued is None:
            raise _fail("invalid_trigger_id")
        if self.clock() - issued > self.trigger_ttl:
            raise _fail("expired_trigger_id")
        self.used_triggers.add(trigger)

    # ------------------------------------------------------------------ methods

    async def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://{self.host}:{self.port}/socket?ticket={secrets.token_hex(8)}"}

    async def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_id.lower()}.slack.com/",
            "team": self.team,
            "user": "dialogbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    async def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        text, blocks = self._content(params)
        self._scan("chat.postMessage", {"text": text, "blocks": blocks})
        thread_ts = params.get("thread_ts") or None
        metadata = _metadata(params.get("metadata"))
        ts = self._next_ts()
        stored = self.messages[(channel, ts)] = StoredMessage(
            channel, ts, text, blocks, self.bot_user_id, self.bot_id, thread_ts, metadata=metadata
        )
        if self.on_posted is not None:
            reaction = self.on_posted(stored)
            if reaction is not None:
                await reaction
        message: dict[str, Any] = {
            "type": "message",
            "text": text or "",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "ts": ts,
            "team": self.team_id,
        }
        if blocks is not None:
            message["blocks"] = blocks
        if thread_ts:
            message["thread_ts"] = thread_ts
        return {"channel": channel, "ts": ts, "message": message}

    async def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        ts = str(params.get("ts") or "")
        stored = self.messages.get((channel, ts))
        if stored is None:
            raise _fail("message_not_found")
        text, blocks = self._content(params)
        self._scan("chat.update", {"text": text, "blocks": blocks})
        stored.history.append({"text": stored.text, "blocks": stored.blocks})
        stored.text = text if text is not None else stored.text
        stored.blocks = blocks if blocks is not None else stored.blocks
        stored.edits += 1
        message = {"text": stored.text or "", "user": stored.user, "bot_id": stored.bot_id}
        if stored.blocks is not None:
            message["blocks"] = stored.blocks
        return {"channel": channel, "ts": ts, "text": stored.text or "", "message": message}

    async def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        user = str(params.get("user") or "")
        if not user:
            raise _fail("user_not_in_channel")
        text, blocks = self._content(params)
        self._scan("chat.postEphemeral", {"text": text, "blocks": blocks})
        ts = self._next_ts()
        self.ephemerals.append({"channel": channel, "user": user, "text": text, "blocks": blocks, "ts": ts})
        return {"message_ts": ts}

    async def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Messages of a channel, newest first, between ``oldest`` and ``latest`` (exclusive unless
        ``inclusive``), ``limit`` a page (default 100, at most 999) with a cursor; a message's
        ``metadata`` only with ``include_all_metadata`` (Slack's conversations.history)."""
        channel = self._channel(params)
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or math.inf)
        inclusive = _flag(params.get("inclusive"))
        try:
            limit = min(int(params.get("limit") or 100), 999)
        except ValueError as exc:
            raise _fail("invalid_limit") from exc
        offset = int(str(params.get("cursor") or "0").removeprefix("o:") or 0)

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = sorted(
            (m for (c, ts), m in self.messages.items() if c == channel and within(float(ts))),
            key=lambda m: float(m.ts),
            reverse=True,
        )
        page = found[offset : offset + limit]
        messages = []
        for stored in page:
            message: dict[str, Any] = {
                "type": "message",
                "user": stored.user,
                "bot_id": stored.bot_id,
                "text": stored.text or "",
                "ts": stored.ts,
            }
            if stored.blocks is not None:
                message["blocks"] = stored.blocks
            if stored.metadata is not None and _flag(params.get("include_all_metadata")):
                message["metadata"] = stored.metadata
            messages.append(message)
        more = offset + limit < len(found)
        return {
            "messages": messages,
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": f"o:{offset + limit}" if more else ""},
        }

    async def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": self._channel(params)}}
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise _fail("users_list_not_supplied")
        if len(users) == 1:
            return {"channel": {"id": self._dm_channel(users[0])}, "already_open": False, "no_op": False}
        key = ",".join(sorted(users))
        return {"channel": {"id": "G" + hashlib.sha1(key.encode()).hexdigest()[:9].upper()}}

    async def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user") or "")
        if not user_id.startswith(("U", "W")):
            raise _fail("user_not_found")
        default = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "tz": "Europe/Stockholm",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_bot": user_id == self.bot_user_id,
            "locale": "sv-SE",
            "profile": {"display_name": user_id.lower(), "real_name": f"User {user_id}"},
        }
        return {"user": {**default, **self.users.get(user_id, {})}}

    async def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        self._scan("views.open", view)
        self._take_trigger(params)
        stored = self._store_view(view)
        stored["root_view_id"] = stored["id"]
        self.opened_views.append(stored)
        return {"view": stored}

    async def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        self._take_trigger(params)
        stored = self._store_view(view)
        self.opened_views.append(stored)
        return {"view": stored}

    async def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        current = None
        if view_id:
            current = self.views.get(str(view_id))
        elif external_id:
            current = next((v for v in self.views.values() if v.get("external_id") == external_id), None)
        else:
            raise _fail("invalid_arguments")
        if current is None:
            raise _fail("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            raise _fail("hash_conflict")
        current.update(view)
        current["hash"] = secrets.token_hex(8)
        return {"view": current}

    async def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user_id") or "")
        if not user_id.startswith(("U", "W")):
            raise _fail("user_not_found")
        view = self._view(params, kind="home")
        self._scan("views.publish", view)
        previous = self.published_views.get(user_id)
        if previous is not None and params.get("hash") and params["hash"] != previous["hash"]:
            raise _fail("hash_conflict")
        stored = self._store_view(view, id=previous["id"]) if previous else self._store_view(view)
        self.published_views[user_id] = stored
        return {"view": stored}

    async def _files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length", ""))
        except (TypeError, ValueError) as exc:
            raise _fail("invalid_arguments") from exc
        if not filename or length <= 0:
            raise _fail("invalid_arguments")
        alt_txt = params.get("alt_txt")
        if alt_txt is not None and len(str(alt_txt)) > MAX_ALT_TXT:
            # files.getUploadURLExternal: "Description for the image is longer than the limit of 1000 character"
            raise _fail("alt_txt_too_large")
        file_id = self._next_id("F")
        self._scan("files.getUploadURLExternal", {"alt_txt": params.get("alt_txt")})
        self.uploaded_files[file_id] = UploadedFile(
            file_id, str(filename), length, alt_txt=params.get("alt_txt")
        )
        return {"upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    async def _files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        files = _json_param(params.get("files"))
        if not isinstance(files, list) or not files:
            raise _fail("invalid_arguments")
        if str(params.get("channel_id") or "").startswith(("U", "W")):
            raise _fail("invalid_arguments")  # Slack: channel_id must match ^[CGDZ][A-Z0-9]{8,}$
        channel = self._channel(params, "channel_id") if params.get("channel_id") else None
        uploads = []
        for item in files:
            upload = self.uploaded_files.get(str(item.get("id")))
            if upload is None or upload.data is None:
                raise _fail("file_not_found")
            uploads.append((upload, item))
        self._scan(
            "files.completeUploadExternal", {"initial_comment": params.get("initial_comment"), "files": files}
        )
        result = []
        for upload, item in uploads:
            upload.title = item.get("title") or upload.filename
            upload.channel = channel
            upload.initial_comment = params.get("initial_comment")
            upload.thread_ts = params.get("thread_ts")
            upload.completed = True
            result.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": len(upload.data or b""),
                    "channels": [channel] if channel else [],
                    "user": self.bot_user_id,
                }
            )
        return {"files": result}


# ---------------------------------------------------------------------- incoming request factories


def escaped(text: str) -> str:
    """Typed text as Slack sends it to an app: ``&``, ``<``, ``>`` as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def displayed(text: str) -> str:
    """What a Slack user sees of a text the bot sent (entities decoded; control sequences are in
    ``SlackStandIn.mentions``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with ``body``: v0 HMAC-SHA256 signature, timestamp, content type."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    content_type = (
        "application/json" if body.lstrip().startswith("{") else "application/x-www-form-urlencoded"
    )
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": f"v0={digest}",
    }


def _random_trigger() -> str:
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def slash_command_body(
    command: str,
    text: str = "",
    user_id: str = "U1",
    channel_id: str = "C1",
    team_id: str = "T1",
    trigger_id: str | None = None,
    response_url: str = "https://hooks.slack.com/commands/T1/1/test",
    *,
    user_name: str | None = None,
    channel_name: str = "general",
    team_domain: str = "dialogbot-test",
    api_app_id: str = "A1",
    token: str = "verification-token",
) -> str:
    """Form body of a slash command, as Slack posts it (``text`` escaped as Slack does).
    Unregistered trigger id unless given."""
    return urllib.parse.urlencode(
        {
            "token": token,
            "team_id": team_id,
            "team_domain": team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": escaped(text),
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or _random_trigger(),
        }
    )


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions_body(
    user_id: str,
    channel_id: str,
    action_id: str,
    value: str = "",
    block_id: str = "b1",
    message_ts: str = "1700000000.000100",
    trigger_id: str | None = None,
    *,
    team_id: str = "T1",
    api_app_id: str = "A1",
    response_url: str = "https://hooks.slack.com/actions/T1/1/test",
    action: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
    state_values: dict[str, Any] | None = None,
    token: str = "verification-token",
) -> str:
    """Form body ``payload=<json>`` of a button click on a message. ``action`` replaces the button."""
    act = action or {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": value or action_id, "emoji": True},
        "value": value,
    }
    act = {"action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}", **act}
    payload = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or _random_trigger(),
        "team": {"id": team_id, "domain": "dialogbot-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "message": message or {"type": "message", "user": "UBOT", "ts": message_ts, "text": "", "blocks": []},
        "state": {"values": state_values or {}},
        "response_url": response_url,
        "actions": [act],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def view_submission_body(
    user_id: str,
    callback_id: str,
    state_values: dict[str, Any] | None = None,
    private_metadata: str = "",
    trigger_id: str | None = None,
    *,
    team_id: str = "T1",
    api_app_id: str = "A1",
    bot_id: str = "BBOT",
    view_id: str = "V1",
    blocks: list[dict[str, Any]] | None = None,
    token: str = "verification-token",
) -> str:
    """Form body ``payload=<json>`` of a modal submission. ``state_values``: block_id → action_id → value."""
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "dialogbot-test"},
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or _random_trigger(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values or {}},
            "hash": secrets.token_hex(8),
            "title": {"type": "plain_text", "text": "Dialogbot"},
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def event_body(
    event: dict[str, Any],
    *,
    team_id: str = "T1",
    api_app_id: str = "A1",
    bot_user_id: str = "UBOT",
    event_id: str | None = None,
    event_time: int | None = None,
    token: str = "verification-token",
) -> str:
    """JSON body of an Events API ``event_callback`` (a message's text escaped as Slack does)."""
    if event.get("type") == "message" and isinstance(event.get("text"), str):
        event = {**event, "text": escaped(event["text"])}
    return json.dumps(
        {
            "token": token,
            "team_id": team_id,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": event_time if event_time is not None else int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": secrets.token_hex(12),
        }
    )


def url_verification_body(challenge: str, token: str = "verification-token") -> str:
    """JSON body of the Events API URL handshake."""
    return json.dumps({"token": token, "challenge": challenge, "type": "url_verification"})
