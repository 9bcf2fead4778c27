"""Slack on slack-bolt's AsyncApp: slash command, buttons, the launch modal and App Home.

HTTP mode serves Bolt's aiohttp app (request signatures verified, requests older than five
minutes refused by Bolt); Socket Mode connects with the app-level token. Every listener acks
first and does the work afterwards, so Slack's three-second limit is always met.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.meetings_chat import installed_store, upcoming_meetings_text
from bot.slack.port import ACTION_PREFIX, PLATFORM, SlackPort, escape
from facilitation.conversation import COMMANDS, Conversation, Turn
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.model import Language, RoundKind, RoundStatus
from facilitation.ports import ButtonEvent, ChatRef, CommandEvent, MessageRef, TextEvent, UserRef

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SLASH_COMMAND = "/dialog"
LAUNCH_CALLBACK = "dialog-launch"
MODAL_WORDS = ("ny", "new", "starta", "launch")


def _chat(channel_id: str, team_id: str | None) -> ChatRef:
    return ChatRef(PLATFORM, channel_id, is_private=channel_id.startswith("D"), workspace=team_id)


def _user(user_id: str, name: str = "", team_id: str | None = None) -> UserRef:
    return UserRef(PLATFORM, user_id, name, workspace=team_id)


class SlackAdapter:
    """Registers the Bolt listeners that feed the conversation."""

    def __init__(self, conversation: Conversation, app: AsyncApp, client: AsyncWebClient) -> None:
        self.conversation = conversation
        self.app = app
        self.port = SlackPort(client)
        self._user_locks: dict[str, tuple[asyncio.Lock, int]] = {}
        conversation.add_port(self.port)
        app.command(SLASH_COMMAND)(self._on_command)
        app.action(re.compile(f"^{ACTION_PREFIX}-"))(self._on_action)
        app.view(LAUNCH_CALLBACK)(self._on_launch)
        app.event("app_home_opened")(self._on_home)
        app.event("message")(self._on_message)

    @classmethod
    def build(cls, conversation: Conversation, token: str, signing_secret: str, *, base_url: str = "",
              max_retries: int = 5) -> SlackAdapter:
        kwargs: dict[str, Any] = {"token": token}
        if base_url:
            kwargs["base_url"] = base_url
        client = AsyncWebClient(**kwargs)
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries))
        app = AsyncApp(client=client, signing_secret=signing_secret)
        return cls(conversation, app, client)

    # --- listeners ------------------------------------------------------------------------
    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        team = body.get("team_id")
        user = _user(body["user_id"], body.get("user_name", ""), team)
        chat = _chat(body["channel_id"], team)
        words = (body.get("text") or "").split()
        name, args = (words[0].lower(), tuple(words[1:])) if words else ("hjalp", ())
        response_url = body.get("response_url") or ""
        if name in MODAL_WORDS:
            await self._open_launch_modal(user, chat, body["trigger_id"], client, response_url)
            return
        if self._facilitator_only(name) and not self.conversation.is_facilitator(user):
            # Answered to the user alone: a refusal posted in the channel would expose who tried.
            turn = await self._turn(user, chat)
            await self._tell(user, chat, response_url, DomainError("error.not_facilitator").message(turn.lang))
            return
        await self.conversation.handle(CommandEvent(user, chat, name, args))

    def _facilitator_only(self, name: str) -> bool:
        command = COMMANDS.get(name.lstrip("/"))
        if command is not None:
            return command.facilitator_only
        starts = {n for exercise in self.conversation.exercises.values()
                  for n in getattr(exercise, "start_commands", ())}
        return name in starts

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
        await self.conversation.handle(ButtonEvent(
            user=_user(body["user"]["id"], body["user"].get("name", ""), team),
            chat=chat,
            data=str(action.get("value", "")),
            message=MessageRef(chat, str(message_ts)) if message_ts else None,
            press_id=body.get("response_url") or "",
        ))

    async def _on_message(self, event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        team = event.get("team")
        await self.conversation.handle(TextEvent(_user(event["user"], "", team), _chat(event["channel"], team),
                                                 event.get("text", "")))

    # --- the launch modal -----------------------------------------------------------------
    async def _turn(self, user: UserRef, chat: ChatRef) -> Turn:
        conv = self.conversation
        key = conv.pseudonymizer.participant_key(user.platform, user.user_id)
        return Turn(CommandEvent(user, chat, "ny"), self.port, key, await conv.user_language(key))

    async def _open_launch_modal(self, user: UserRef, chat: ChatRef, trigger_id: str,
                                 client: AsyncWebClient, response_url: str = "") -> None:
        turn = await self._turn(user, chat)
        try:
            if not self.conversation.is_facilitator(user):
                raise DomainError("error.not_facilitator")
            workshop = await self.conversation.bound_workshop(turn)
        except DomainError as refusal:
            await self._tell(user, chat, response_url, refusal.message(turn.lang))
            return
        process = self.conversation.service.processes[workshop.process_key]
        await client.views_open(trigger_id=trigger_id, view=launch_view(process, turn.lang, chat.chat_id))

    async def _on_launch(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        kind = _selected(values, "kind") or RoundKind.BAROMETER.value
        typed = [line.strip() for line in (_text(values, "typed") or "").splitlines() if line.strip()]
        chosen = _checked(values, "items")
        errors = {}
        if not typed and not chosen:
            errors["items"] = "Välj minst en punkt eller skriv egna. / Choose at least one item or type your own."
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        team = (body.get("team") or {}).get("id")
        user = _user(body["user"]["id"], body["user"].get("name", ""), team)
        chat = _chat(meta.get("channel", ""), team)
        turn = await self._turn(user, chat)
        conv = self.conversation
        try:
            if not conv.is_facilitator(user):
                raise DomainError("error.not_facilitator")
            workshop = await conv.bound_workshop(turn)
            process = conv.service.processes[workshop.process_key]
            catalogue = process.statements if kind == RoundKind.BAROMETER.value else process.principles
            items = [(getattr(entry, "text", None) or entry.name, entry.key)
                     for entry in catalogue if entry.key in chosen]
            items += [(text, f"egen-{i + 1}") for i, text in enumerate(typed)]
            settings = {"scale_steps": process.scale_steps} if kind == RoundKind.BAROMETER.value else {}
            round_ = await conv.service.create_round(workshop.id, RoundKind(kind), t(f"kind.{kind}", turn.lang),
                                                     items, settings)
            await conv.launch(turn, workshop, round_)
        except DomainError as refusal:
            await self._tell(user, chat, "", refusal.message(turn.lang))

    # --- App Home -------------------------------------------------------------------------
    async def _on_home(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":  # also sent when the Messages tab opens
            return
        user = _user(event["user"], "", None)
        conv = self.conversation
        key = conv.pseudonymizer.participant_key(user.platform, user.user_id)
        lang = await conv.user_language(key)
        await client.views_publish(user_id=user.user_id, view=await home_view(conv, key, lang, user.user_id))


def launch_view(process: Any, lang: Language, channel_id: str) -> dict[str, Any]:
    """The facilitator's modal: exercise kind, items from the process, or typed items."""
    sv = lang == Language.SV
    statements = [{"text": {"type": "plain_text", "text": s.text[:75]}, "value": s.key} for s in process.statements]
    principles = [{"text": {"type": "plain_text", "text": p.name[:75]}, "value": p.key} for p in process.principles]
    options = (statements + principles)[:100]
    return {
        "type": "modal",
        "callback_id": LAUNCH_CALLBACK,
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": {"type": "plain_text", "text": "Starta omgång" if sv else "Launch a round"},
        "submit": {"type": "plain_text", "text": "Starta" if sv else "Launch"},
        "blocks": [
            {"type": "input", "block_id": "kind", "label": {"type": "plain_text", "text": "Övning" if sv else "Exercise"},
             "element": {"type": "static_select", "action_id": "kind", "options": [
                 {"text": {"type": "plain_text", "text": t(f"kind.{k.value}", lang)}, "value": k.value}
                 for k in RoundKind]}},
            {"type": "input", "block_id": "items", "optional": True,
             "label": {"type": "plain_text", "text": "Påståenden/principer" if sv else "Statements/principles"},
             "element": {"type": "checkboxes", "action_id": "items", "options": options[:10]}
             if len(options) <= 10 else
             {"type": "multi_static_select", "action_id": "items", "options": options}},
            {"type": "input", "block_id": "typed", "optional": True,
             "label": {"type": "plain_text", "text": "Egna, en per rad" if sv else "Your own, one per line"},
             "element": {"type": "plain_text_input", "action_id": "typed", "multiline": True}},
        ],
    }


async def home_view(conv: Conversation, user_key: str, lang: Language, user_id: str = "") -> dict[str, Any]:
    """App Home: the user's workshops with open rounds, and their upcoming dialogue meetings."""
    lines = []
    store = conv.service.store
    for workshop_id in await _workshops_of(conv, user_key):
        workshop = await store.workshop(workshop_id)
        if workshop is None:
            continue
        open_rounds = [r for r in await store.rounds(workshop_id) if r.status == RoundStatus.OPEN]
        entry = f"*{escape(workshop.title)}*"
        for round_ in open_rounds:
            entry += f"\n• {escape(t(f'kind.{round_.kind.value}', lang))}: {escape(round_.title)}"
        lines.append(entry)
    text = "\n\n".join(lines) or ("Du är inte med i någon workshop ännu." if lang == Language.SV
                                  else "You have not joined a workshop yet.")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Dialogbot"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
    ]
    store_of_meetings = installed_store(conv)
    if store_of_meetings is not None and user_id:
        meetings = await upcoming_meetings_text(store_of_meetings, PLATFORM, user_id, lang, datetime.now(UTC))
        if meetings:
            heading = "Kommande dialogmöten" if lang == Language.SV else "Upcoming dialogue meetings"
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{heading}*\n{escape(meetings)}"[:3000]}})
    return {"type": "home", "blocks": blocks[:100]}


async def _workshops_of(conv: Conversation, user_key: str) -> list[int]:
    finder = getattr(conv.service.store, "workshops_of", None)
    return list(await finder(user_key)) if finder else []


def _selected(values: dict[str, Any], block: str) -> str | None:
    element = values.get(block, {}).get(block, {})
    option = element.get("selected_option")
    return option.get("value") if option else None


def _checked(values: dict[str, Any], block: str) -> set[str]:
    element = values.get(block, {}).get(block, {})
    return {o["value"] for o in element.get("selected_options") or []}


def _text(values: dict[str, Any], block: str) -> str | None:
    return values.get(block, {}).get(block, {}).get("value")


@contextlib.asynccontextmanager
async def slack_running(app: App) -> AsyncIterator[SlackAdapter]:
    """Serve Slack over HTTP (signed requests) or Socket Mode, per the settings."""
    settings = app.settings
    adapter = SlackAdapter.build(app.conversation, settings.slack_bot_token, settings.slack_signing_secret,
                                 base_url=settings.slack_api_base_url)
    runner: web.AppRunner | None = None
    socket = None
    try:
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            socket = AsyncSocketModeHandler(adapter.app, settings.slack_app_token)
            await socket.connect_async()
        else:
            runner = web.AppRunner(adapter.app.web_app(path="/slack/events"))
            await runner.setup()
            await web.TCPSite(runner, settings.slack_listen, settings.slack_port).start()
        log.info("Slack adapter running (%s)", "socket mode" if socket else "http")
        yield adapter
    finally:
        if socket is not None:
            await socket.close_async()
        if runner is not None:
            await runner.cleanup()
