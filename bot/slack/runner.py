"""Slack on slack-bolt's AsyncApp: slash command, buttons, the launch modal and App Home.

HTTP mode serves Bolt's aiohttp app (request signatures verified, requests older than five
minutes refused by Bolt); Socket Mode connects with the app-level token. Every listener acks
first and does the work afterwards, so Slack's three-second limit is always met. A request that
was already handled (a replay of a signed request within its five minutes, or a redelivered
event or envelope) is answered 200 and dropped by :class:`ReplayMiddleware`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.middleware.request_verification.async_request_verification import AsyncRequestVerification
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.heap import settle_heap
from bot.metrics import count_rate_limited, timed_webhooks
from bot.slack.content_modal import (
    CONTENT_CALLBACK,
    CONTENT_WORDS,
    ContentForm,
    FormErrors,
    channel_of,
    content_view,
    field_of,
)
from bot.slack.errors import start_failures
from bot.slack.home import home_view
from bot.slack.modal import (
    DEADLINE_BLOCK,
    KIND_BLOCK,
    LAUNCH_CALLBACK,
    LaunchChoice,
    choice_errors,
    launch_view,
    round_spec,
)
from bot.slack.port import ACTION_PREFIX, PLATFORM, SharedLimits, SlackLimits, SlackPort, escape, unescape
from facilitation.content.chat import installed
from facilitation.content.model import CATALOGUES
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.menu import usage_words
from facilitation.model import Round, Workshop
from facilitation.ports import ButtonEvent, ChatRef, CommandEvent, MessageRef, TextEvent, UserRef
from facilitation.turn import Turn
from storage.replay_guard import ReplayGuard

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["LAUNCH_CALLBACK", "ReplayMiddleware", "SlackAdapter", "slack_running"]

log = logging.getLogger(__name__)

SLASH_COMMAND = "/dialog"
#: Slack's own word after /dialog (not a command of the table): a facilitator's launch form.
MODAL_WORDS = ("ny", "new", "starta", "launch")
HELP_WORD = "hjalp"  # what a bare /dialog does: the help (a name of the table's /hjalp)
ENVELOPE_HEADER = "x-dialogbot-socket-envelope-id"  # set by our Socket Mode handler, never by Slack
UNNAMED_CHANNELS = (
    "directmessage",
    "privategroup",
)  # what a slash command gives for a DM or an old private group


class CountedSlackRetries(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 retry handler, counting each 429 and each retry it makes (here, not in
    :mod:`bot.metrics`, so that a bot without Slack never loads slack_sdk)."""

    async def _can_retry_async(
        self, *, state: Any, request: Any, response: Any = None, error: Exception | None = None
    ) -> bool:
        limited = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if limited:
            count_rate_limited("slack", retried=state.current_attempt < self.max_retry_count)
        return limited


def usage_hint(conversation: Conversation) -> str:
    """The slash command's usage hint in the app manifests (slack/*.json), from the command table."""
    return usage_words(conversation.command_table(), MODAL_WORDS[0])


def _chat(channel_id: str, team_id: str | None, name: str | None = None) -> ChatRef:
    """``name``: the channel's name as a slash command gives it (not for DMs and private groups)."""
    title = name if name and name not in UNNAMED_CHANNELS else None
    return ChatRef(
        PLATFORM, channel_id, is_private=channel_id.startswith("D"), workspace=team_id, title=title
    )


def _user(user_id: str, name: str = "", team_id: str | None = None) -> UserRef:
    return UserRef(PLATFORM, user_id, name, workspace=team_id)


class SlackAdapter:
    """Registers the Bolt listeners that feed the conversation."""

    def __init__(
        self,
        conversation: Conversation,
        app: AsyncApp,
        client: AsyncWebClient,
        *,
        limits: SlackLimits | None = None,
        replay_guard: ReplayGuard | None = None,
        shared: SharedLimits | None = None,
    ) -> None:
        self.conversation = conversation
        self.app = app
        self.port = SlackPort(client, limits=limits, shared=shared)
        self.replay_guard = replay_guard
        conversation.add_port(self.port)
        if replay_guard is not None:
            app.use(ReplayMiddleware(replay_guard))  # global middleware run after Bolt's signature check
        app.command(SLASH_COMMAND)(self._on_command)
        app.action(re.compile(f"^{ACTION_PREFIX}-"))(self._on_action)
        app.view(LAUNCH_CALLBACK)(self._on_launch)
        app.view(CONTENT_CALLBACK)(self._on_content)
        app.event("app_home_opened")(self._on_home)
        app.event("message")(self._on_message)

    @classmethod
    def build(
        cls,
        conversation: Conversation,
        token: str,
        signing_secret: str,
        *,
        base_url: str = "",
        max_retries: int = 5,
        limits: SlackLimits | None = None,
        replay_guard: ReplayGuard | None = None,
        shared: SharedLimits | None = None,
    ) -> SlackAdapter:
        """The adapter with its Web API client; call :meth:`aclose` when done (it owns an HTTP session).

        One aiohttp session serves every Web API call and every response_url answer (slack_sdk
        otherwise opens a session, and a connection, per call). ``replay_guard``: drop requests
        already handled (production always passes one, see :func:`slack_running`); ``shared``:
        where the workspace-wide limits are shared with other processes (see :class:`SlackPort`).
        """
        kwargs: dict[str, Any] = {"token": token, "session": aiohttp.ClientSession()}
        if base_url:
            kwargs["base_url"] = base_url
        client = AsyncWebClient(**kwargs)
        client.retry_handlers.append(CountedSlackRetries(max_retry_count=max_retries))
        # Bolt's own check, but a malformed timestamp is a bad signature (401), not a crash (500).
        app = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            request_verification_enabled=False,
            before_authorize=SignatureCheck(signing_secret),
        )
        return cls(conversation, app, client, limits=limits, replay_guard=replay_guard, shared=shared)

    # --- listeners ------------------------------------------------------------------------
    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        team = body.get("team_id")
        user = _user(body["user_id"], body.get("user_name", ""), team)
        chat = _chat(body["channel_id"], team, body.get("channel_name"))
        words = unescape(body.get("text") or "").split()  # Slack escapes & < > in what was typed
        name, args = (words[0].lower(), tuple(words[1:])) if words else (HELP_WORD, ())
        response_url = body.get("response_url") or ""
        if name in MODAL_WORDS:
            await self._open_launch_modal(user, chat, body["trigger_id"], client, response_url)
            return
        if name in CONTENT_WORDS and not args and installed(self.conversation) is not None:
            await self._open_content_modal(user, chat, body["trigger_id"], client, response_url)
            return
        if self._facilitator_only(name) and not await self._leads(user, chat, name):
            # Answered to the user alone: a refusal posted in the channel would expose who tried.
            turn = await self._turn(user, chat)
            await self._tell(
                user, chat, response_url, DomainError("error.not_facilitator").message(turn.lang)
            )
            return
        await self.conversation.handle(CommandEvent(user, chat, name, args, reply_handle=response_url))

    async def _leads(self, user: UserRef, chat: ChatRef, name: str) -> bool:
        """Whether ``user`` may run the facilitator command ``name`` here: a configured facilitator,
        or for a command about the channel's workshop a co-facilitator of it (when the database does
        not answer, the conversation decides and says so)."""
        if self.conversation.is_facilitator(user):
            return True
        name = name.lstrip("/")
        if not any(name in spec.names and spec.room_admins for spec in self.conversation.command_table()):
            return False
        try:
            return await self.conversation.leadership.co_leads(user, chat)
        except Exception:
            return True

    def _facilitator_only(self, name: str) -> bool:
        """Whether the table declares ``name`` for facilitators (refused here, to the user alone)."""
        name = name.lstrip("/")
        return any(name in spec.names and spec.facilitator_only for spec in self.conversation.command_table())

    async def _tell(self, user: UserRef, chat: ChatRef, response_url: str, text: str) -> None:
        """An ephemeral answer to one user: via the request's response_url (works in channels the bot
        is not a member of), else chat.postEphemeral."""
        try:
            await self.port.tell(chat, user.user_id, text, response_url)
        except Exception:
            log.warning("could not deliver an ephemeral answer", exc_info=True)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        team = (body.get("team") or {}).get("id")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not channel:
            return
        chat = _chat(channel, team)
        action = (body.get("actions") or [{}])[0]
        message_ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
        await self.conversation.handle(
            ButtonEvent(
                user=_user(body["user"]["id"], body["user"].get("name", ""), team),
                chat=chat,
                data=str(action.get("value", "")),
                message=MessageRef(chat, str(message_ts)) if message_ts else None,
                press_id=body.get("response_url") or "",
                delivery_id=str(body.get("trigger_id") or ""),
            )
        )

    async def _on_message(self, event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        team = event.get("team")
        await self.conversation.handle(
            TextEvent(
                _user(event["user"], "", team), _chat(event["channel"], team), unescape(event.get("text", ""))
            )
        )

    # --- the launch modal -----------------------------------------------------------------
    async def _turn(self, user: UserRef, chat: ChatRef) -> Turn:
        conv = self.conversation
        key = conv.pseudonymizer.user_key(user.platform, user.user_id)
        return Turn(CommandEvent(user, chat, "ny"), self.port, key, await conv.languages.of(key))

    async def _open_launch_modal(
        self, user: UserRef, chat: ChatRef, trigger_id: str, client: AsyncWebClient, response_url: str = ""
    ) -> None:
        turn = await self._turn(user, chat)
        try:
            if not self.conversation.is_facilitator(user):
                raise DomainError("error.not_facilitator")
            workshop = await self.conversation.bound_workshop(turn)
        except DomainError as refusal:
            await self._tell(user, chat, response_url, refusal.message(turn.lang))
            return
        process = await self.conversation.service.process_of(workshop)
        await client.views_open(trigger_id=trigger_id, view=launch_view(process, turn.lang, chat.chat_id))

    async def _on_launch(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Check the submission and create the round before answering, so every refusal shows in the
        still open modal; the round is posted (slow: several messages) after the ack."""
        choice = LaunchChoice.from_view(view)
        team = (body.get("team") or {}).get("id")
        user = _user(body["user"]["id"], body["user"].get("name", ""), team)
        chat = _chat(choice.channel_id, team)
        turn = await self._turn(user, chat)
        try:
            workshop, round_, after = await self._create_launched_round(turn, choice)
        except _ModalErrors as refused:
            await ack(
                response_action="errors",
                errors={block: escape(text) for block, text in refused.errors.items()},
            )
            return
        await ack()
        try:
            await self.conversation.launch(turn, workshop, round_)
        except DomainError as refusal:
            await self._tell(user, chat, "", refusal.message(turn.lang))
            return
        for then in after:  # e.g. the deadline stored and the rooms told when the round closes
            await then(round_)

    async def _launch_options(
        self, turn: Turn, choice: LaunchChoice
    ) -> list[Callable[[Round], Awaitable[None]]]:
        """The form's options (the deadline) checked by the conversation's launch options, as a
        launch command's ``slut=`` is, before the round exists; a refusal goes under its field."""
        args, after = choice.option_args, []
        try:
            for option in self.conversation.launch_options:
                args, then = await option(turn, args)
                after.extend([then] if then is not None else [])
        except DomainError as refusal:
            raise _ModalErrors({DEADLINE_BLOCK: refusal.message(turn.lang)}) from refusal
        return after

    async def _create_launched_round(
        self, turn: Turn, choice: LaunchChoice
    ) -> tuple[Workshop, Round, list[Callable[[Round], Awaitable[None]]]]:
        """The draft round of a valid submission and what its options do once it is launched;
        :class:`_ModalErrors` (field → text) otherwise."""
        conv = self.conversation
        try:
            if not conv.is_facilitator(turn.user):
                raise DomainError("error.not_facilitator")
            workshop = await conv.bound_workshop(turn)
            process = await conv.service.process_of(workshop)
            errors = choice_errors(choice, process, turn.lang)
            if errors:
                raise _ModalErrors(errors)
            after = await self._launch_options(turn, choice)
            title, items, settings = round_spec(choice, process, workshop)
            compare = workshop.compare_round_id if choice.is_barometer else None
            round_ = await conv.service.create_round(
                workshop.id, choice.kind, title, items, settings, compare_round_id=compare
            )
        except DomainError as refusal:
            raise _ModalErrors({KIND_BLOCK: refusal.message(turn.lang)}) from refusal
        return workshop, round_, after

    # --- the content modal (/dialog innehall) -------------------------------------------------
    async def _open_content_modal(
        self, user: UserRef, chat: ChatRef, trigger_id: str, client: AsyncWebClient, response_url: str = ""
    ) -> None:
        turn = await self._turn(user, chat)
        content = installed(self.conversation)
        assert content is not None
        try:
            if not await self.conversation.leadership.may_lead(turn):
                raise DomainError("error.not_facilitator")
            workshop = await self.conversation.bound_workshop(turn)
            lists = {c: await content.content.items(workshop, c) for c in CATALOGUES}
        except DomainError as refusal:
            await self._tell(user, chat, response_url, refusal.message(turn.lang))
            return
        await client.views_open(
            trigger_id=trigger_id, view=content_view(workshop.title, lists, turn.lang, chat.chat_id)
        )

    async def _on_content(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Make the change before answering, so a refusal shows under its field in the open modal;
        the confirmation is posted after the ack, where the modal was opened."""
        team = (body.get("team") or {}).get("id")
        user = _user(body["user"]["id"], body["user"].get("name", ""), team)
        turn = await self._turn(user, _chat(channel_of(view), team))
        content = installed(self.conversation)
        try:
            form = ContentForm.from_view(view, turn.lang)
            if content is None or not await self.conversation.leadership.may_lead(turn):
                raise DomainError("error.not_facilitator")
            workshop = await self.conversation.bound_workshop(turn)
            done = await content.apply(workshop, form.edit, turn.lang)
        except FormErrors as refused:
            await ack(
                response_action="errors", errors={b: escape(text) for b, text in refused.errors.items()}
            )
            return
        except DomainError as refusal:
            await ack(
                response_action="errors", errors={field_of(refusal.key): escape(refusal.message(turn.lang))}
            )
            return
        await ack()
        await self._tell(user, turn.chat, "", done)

    # --- App Home -------------------------------------------------------------------------
    async def _on_home(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":  # also sent when the Messages tab opens
            return
        user = _user(event["user"], "", None)
        conv = self.conversation
        lang = await conv.languages.of(conv.pseudonymizer.user_key(user.platform, user.user_id))
        await client.views_publish(user_id=user.user_id, view=await home_view(conv, user, lang))

    async def aclose(self) -> None:
        """Close the HTTP session the Web API client and the response_url answers share, and the
        replay guard's writer."""
        session = self.port.client.session
        if session is not None and not session.closed:
            await session.close()
        if self.replay_guard is not None:
            await self.replay_guard.aclose()


class _ModalErrors(Exception):
    """A launch submission refused field by field (``response_action: "errors"``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("launch refused")
        self.errors = errors


class _StrictVerifier(SignatureVerifier):
    """slack_sdk's verifier, refusing a timestamp that is no whole number instead of raising."""

    def is_valid(self, body: str | bytes, timestamp: str | None, signature: str | None) -> bool:
        if timestamp is None or not timestamp.isascii() or not timestamp.isdigit():
            return False
        return super().is_valid(body, timestamp, signature)


class SignatureCheck(AsyncRequestVerification):
    """Bolt's request verification (HTTP mode) with :class:`_StrictVerifier`.

    Bolt's verifier calls ``int()`` on the ``X-Slack-Request-Timestamp`` header, so a request
    with a non-numeric one ended in an HTTP 500 and a logged traceback; it is an invalid
    signature like any other and gets Bolt's 401.
    """

    @property
    def verifier(self) -> SignatureVerifier:
        if self._verifier is None:
            self._verifier = _StrictVerifier(signing_secret=self._signing_secret)
        return self._verifier


class ReplayMiddleware(AsyncMiddleware):
    """Drops a request this installation already handled (Bolt runs it after the signature check).

    A replay gets the normal empty 200, so whoever replays learns nothing, and nothing is done.
    """

    def __init__(self, guard: ReplayGuard) -> None:
        self.guard = guard

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        identity = request_identity(req)
        if identity is None or await self.guard.first_time(*identity):
            return await next()
        log.info("ignored a Slack request that was already handled (replay or redelivery)")
        return BoltResponse(status=200, body="")


def request_identity(req: AsyncBoltRequest) -> tuple[str, ...] | None:
    """What makes a request the same request when it comes again.

    An Events API event: its event id (Slack's own retries and replays share it). Socket Mode: the
    envelope id (its requests are not signed). HTTP: the signature with its timestamp, which a
    replay must reuse because the body cannot change under a valid signature.
    """
    body = req.body if isinstance(req.body, dict) else {}
    if body.get("type") == "event_callback" and body.get("event_id"):
        return ("slack-event", str(body.get("team_id") or ""), str(body["event_id"]))
    if req.mode == "socket_mode":
        envelope = _header(req, ENVELOPE_HEADER)
        return ("slack-envelope", envelope) if envelope else None
    timestamp, signature = _header(req, "x-slack-request-timestamp"), _header(req, "x-slack-signature")
    return ("slack-signed", timestamp, signature) if timestamp and signature else None


def _header(req: AsyncBoltRequest, name: str) -> str:
    values = req.headers.get(name) or [""]
    return str(values[0])


class EnvelopeSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, passing each envelope's id on to the replay middleware."""

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.time()
        headers: dict[str, str | Sequence[str]] = dict(build_headers(req) or {})
        headers[ENVELOPE_HEADER] = req.envelope_id
        response = await self.app.async_dispatch(
            AsyncBoltRequest(mode="socket_mode", body=req.payload, headers=headers)
        )
        await send_async_response(client, req, response, started)


async def _check_tokens(client: AsyncWebClient, app_token: str) -> None:
    """Ask Slack whether it accepts the tokens before serving anything.

    Bolt's AsyncApp checks the bot token only when the first request arrives, so a wrong token
    started "fine" and every command then failed; slack_sdk's Socket Mode client retries a refused
    app-level token forever, logging a traceback each time. Both are asked once here instead.
    """
    await client.auth_test()
    if app_token:
        await client.apps_connections_open(app_token=app_token)


@contextlib.asynccontextmanager
async def slack_running(app: App) -> AsyncIterator[SlackAdapter]:
    """Serve Slack over HTTP (signed requests) or Socket Mode, per the settings.

    Requests already handled are dropped through the database, so this holds when several bot
    processes behind a load balancer share it. A failure while starting (a refused token, Slack
    out of reach, a busy port) is a :class:`~bot.slack.errors.SlackStartFailed` naming the setting.
    """
    settings = app.settings
    settings.require_secrets("slack")
    adapter = SlackAdapter.build(
        app.conversation,
        settings.slack_bot_token,
        settings.slack_signing_secret,
        base_url=settings.slack_api_base_url,
        replay_guard=ReplayGuard(app.engine),
        shared=lambda window, workspace: app.shared_limit(
            "slack", settings.slack_bot_token, workspace, window
        ),
    )
    runner: web.AppRunner | None = None
    socket: EnvelopeSocketModeHandler | None = None
    try:
        with start_failures(settings):
            await _check_tokens(adapter.port.client, settings.slack_app_token)
            if settings.slack_app_token:
                socket = EnvelopeSocketModeHandler(adapter.app, settings.slack_app_token)
                await socket.connect_async()
            else:
                web_app = adapter.app.web_app(path="/slack/events")
                app.health.add_routes(web_app)  # /healthz, /readyz, /metrics beside /slack/events
                web_app.middlewares.append(timed_webhooks("slack"))
                runner = web.AppRunner(web_app, access_log=None)
                await runner.setup()
                await web.TCPSite(runner, settings.slack_listen, settings.slack_port).start()
        log.info("Slack adapter running (%s)", "socket mode" if socket else "http")
        app.health.started.add("slack")
        settle_heap()  # the adapter's start-up objects out of later full collections
        yield adapter
    finally:
        app.health.started.discard("slack")
        if socket is not None:
            await socket.close_async()
        if runner is not None:
            await runner.cleanup()
        await adapter.aclose()
