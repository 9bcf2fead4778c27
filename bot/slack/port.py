"""The ChatPort on Slack: Block Kit messages, chat.update, files_upload_v2, ephemeral answers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

import bot.slack.texts  # noqa: F401  (registers the texts used here)
from bot.ratelimit import Places, SharedWindow, SlidingWindow, Windows
from bot.slack.errors import port_errors
from bot.textsplit import split_text
from facilitation.i18n import t
from facilitation.model import Language
from facilitation.ports import (
    Attachment,
    ButtonEvent,
    ChatRef,
    CommandEvent,
    Keyboard,
    MessageRef,
    PortDefaults,
    PortError,
    delivery_token,
    is_reply,
)

log = logging.getLogger(__name__)

PLATFORM = "slack"
ACTION_PREFIX = "dlg"
MAX_TEXT = 3000  # a section block's text, 1-3000 characters (Block Kit reference)
MAX_BLOCKS = 50  # blocks per message (chat.postMessage reference)
MAX_ACTIONS = 25  # elements of one actions block (Block Kit reference)
MAX_BUTTON_LABEL = 75  # a button's text (Block Kit reference)
# The section texts of one message together: Slack refuses blocks whose texts add up to about
# 12,000 characters (msg_blocks_too_long; undocumented, measured in slackapi/bolt-js#2509).
MAX_MESSAGE_TEXT = 11_000
MAX_FALLBACK = 4000  # chat.postMessage: "limit the number of characters in the text field to 4,000"
MAX_ALT_TEXT = (
    1000  # alt_txt of an upload: no limit documented; an image block takes 2000 (Block Kit), kept short
)
USER_ID_PREFIXES = ("U", "W")  # user ids; a channel id starts with C, G or D
# Message metadata of a reminder's part (chat.postMessage ``metadata``; Slack: event_type is an
# alphanumeric name with underscores, event_payload a free-form object).
DELIVERY_EVENT = "dialogbot_delivery"
HISTORY_PAGE = 15  # conversations.history ``limit``: the maximum for non-Marketplace apps (2025)
SharedLimits = Callable[[str, str], tuple[Places, str] | None]  # (window, workspace) -> places, budget


def escape(text: str) -> str:
    """Slack's escaping of ``&``, ``<`` and ``>``, for every text the bot sends (mrkdwn, plain_text,
    file titles and comments): a statement or title can then neither mention ``<!channel>`` or
    ``<@U…>`` nor inject a link, and Slack shows it as written.

    Slack reads these three characters as control characters in all the text it takes and
    decodes the entities for display ("Formatting text for app surfaces", Escaping text).
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Text as the user typed it: Slack sends typed text (slash command text, message text) with
    ``&``, ``<`` and ``>`` escaped. Undone once, where the adapter receives it, so plain text is
    stored (and shown as such on Telegram); ``&amp;`` last, so ``&amp;lt;`` becomes ``&lt;``."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escaped_within(text: str, limit: int) -> str:
    """``text`` escaped, shortened (with "…") so that the escaped text has at most ``limit``
    characters; never cuts inside an entity."""
    if len(escape(text)) <= limit:
        return escape(text)
    kept, length = [], 1  # room for the "…"
    for char in text:
        length += len(escape(char))
        if length > limit:
            break
        kept.append(char)
    return escape("".join(kept)) + "…"


def plain_text(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    """A Block Kit plain_text object of ``text`` (escaped and shortened to ``limit``)."""
    return {"type": "plain_text", "text": escaped_within(text, limit), "emoji": True}


def _escaped_length(text: str) -> int:
    return len(escape(text))


def message_texts(text: str) -> list[str]:
    """``text`` cut at line ends into the texts of as many messages as it takes (nothing dropped)."""
    return split_text(text, MAX_MESSAGE_TEXT, _escaped_length)


def blocks_for(text: str, buttons: Keyboard | None) -> list[dict[str, Any]]:
    """One message's blocks: ``text`` (one of :func:`message_texts`) escaped in sections cut at line
    ends, then an actions block per keyboard row (a row of more than 25 buttons in several)."""
    rows: list[dict[str, Any]] = []
    wrapped = [row[i : i + MAX_ACTIONS] for row in buttons or [] for i in range(0, len(row), MAX_ACTIONS)]
    for row_index, row in enumerate(wrapped):
        rows.append(
            {
                "type": "actions",
                "block_id": f"{ACTION_PREFIX}-row-{row_index}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"{ACTION_PREFIX}-{row_index}-{i}",
                        "text": plain_text(b.label, MAX_BUTTON_LABEL),
                        "value": b.data,
                    }
                    for i, b in enumerate(row)
                ],
            }
        )
    sections = [
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(piece) or " "}}
        for piece in split_text(text, MAX_TEXT, _escaped_length)
    ]
    return sections + rows


def fallback_text(text: str) -> str:
    """The top-level ``text`` (notifications, screen readers): escaped like the blocks."""
    return escape(text)[:MAX_FALLBACK]


@dataclass(frozen=True)
class SlackLimits:
    """Our own pacing, a margin under Slack's published limits (per app and workspace).

    Slack counts per method and workspace; a fan-out of reminders (a calendar file and a
    question to each of hundreds of contacts) would otherwise run into 429s and lean on the
    retry handler, which stalls every other call of the method for the Retry-After.
    Each figure is (calls, seconds) of a sliding window.
    """

    post_per_channel: tuple[int, float] = (3, 3.15)  # chat.postMessage: 1/s per channel, short bursts
    # chat.postMessage workspace-wide: "several hundred per minute" in Slack's method docs.
    post_per_workspace: tuple[int, float] = (200, 61.0)
    update: tuple[int, float] = (50, 61.0)  # chat.update: Tier 3, 50+ per minute
    files: tuple[int, float] = (90, 61.0)  # files.getUploadURLExternal/completeUploadExternal: Tier 4, 100+
    open_dm: tuple[int, float] = (45, 61.0)  # conversations.open: Tier 3, 50+ per minute
    # conversations.history: Tier 3 for internal (customer-built) apps; a non-Marketplace app
    # distributed to other workspaces gets 1 per minute and 15 messages a page (Slack, 2025).
    history: tuple[int, float] = (45, 61.0)

    def faster(self, factor: float) -> SlackLimits:
        """The same counts in ``factor`` times shorter periods (tests against a sped-up stand-in)."""
        windows = {f.name: getattr(self, f.name) for f in fields(self)}
        return SlackLimits(**{name: (count, period / factor) for name, (count, period) in windows.items()})


class SlackPort(PortDefaults):
    """Sends through the Web API, paced under Slack's per-channel, per-method and per-workspace limits."""

    platform = PLATFORM
    command_prefix = "/dialog "  # every bot command is a word after the one slash command

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        limits: SlackLimits | None = None,
        edit_interval: float = 2.0,
        max_dm_channels: int = 50_000,
        shared: SharedLimits | None = None,
    ) -> None:
        """``shared(window, workspace)``: where a workspace-wide limit is shared with the other bot
        processes (Slack counts per app and workspace, not per process), or None."""
        self.client = client
        self.limits = limits = limits or SlackLimits()
        self._shared = shared
        self._posts = Windows(lambda _: SlidingWindow(*limits.post_per_channel))
        self._workspace_posts = self._workspace_windows("chat.postMessage", limits.post_per_workspace)
        self._updates = self._workspace_windows("chat.update", limits.update)
        self._files = self._workspace_windows("files", limits.files)
        self._opens = self._workspace_windows("conversations.open", limits.open_dm)
        self._histories = self._workspace_windows("conversations.history", limits.history)
        self._edit_interval = edit_interval
        self._dm_channels: dict[tuple[str, str], str] = {}
        self._max_dm_channels = max_dm_channels
        self._bot_name: str | None = None  # the bot user's name (auth.test), read when first needed

    def _workspace_windows(self, name: str, limit: tuple[int, float]) -> Windows:
        def make(workspace: Hashable) -> SlidingWindow | SharedWindow:
            shared = self._shared(name, str(workspace)) if self._shared is not None else None
            return SharedWindow(*shared, *limit) if shared is not None else SlidingWindow(*limit)

        return Windows(make)

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        """``text`` in as many messages as Slack takes (cut at line ends), the buttons under the last.

        Returns the last message, the one a later edit (the live tally) changes.
        """
        parts = message_texts(text)
        ts = ""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            # The channel's window first: waiting for it must not hold a place in the workspace's.
            reply = is_reply()  # a command's answer goes ahead of the bulk posts waiting in the channel
            # A reminder's part carries its token on its last message (the one sent last), so a
            # dispatcher taking over after a crash finds it in the history (delivered()).
            metadata = _delivery_metadata() if last else None
            async with (
                self._posts[chat.chat_id].slot(reply=reply),
                self._workspace_posts[_workspace(chat)].slot(reply=reply),
            ):
                with port_errors():
                    response = await self.client.chat_postMessage(
                        channel=chat.chat_id,
                        text=fallback_text(part),
                        blocks=blocks_for(part, buttons if last else None),
                        metadata=metadata,
                    )
            ts = str(response["ts"])
        return MessageRef(chat, ts)

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        """Replace a message (a live tally: short); a text too long for one message keeps its head."""
        part = message_texts(text)[0]
        async with self._updates[_workspace(message.chat)].slot():
            with port_errors():
                await self.client.chat_update(
                    channel=message.chat.chat_id,
                    ts=message.message_id,
                    text=fallback_text(part),
                    blocks=blocks_for(part, buttons),
                )

    async def _upload(
        self, chat: ChatRef, data: bytes, filename: str, caption: str, alt_text: str = ""
    ) -> MessageRef:
        """files_upload_v2 (getUploadURLExternal, the upload, completeUploadExternal) in one window place.

        Both API calls are Tier 4 methods made once per upload, so one window of uploads paces both.
        """
        channel = await self._conversation_id(chat)
        async with self._files[_workspace(chat)].slot():
            with port_errors():
                response = await self.client.files_upload_v2(
                    channel=channel,
                    content=data,
                    filename=filename,
                    title=escape(filename),
                    initial_comment=escaped_within(caption, MAX_FALLBACK) if caption else None,
                    alt_txt=escaped_within(alt_text, MAX_ALT_TEXT) if alt_text else None,
                )
        files = response.get("files") or [response.get("file") or {}]
        return MessageRef(chat, str(files[0].get("id", "")))

    async def _conversation_id(self, chat: ChatRef) -> str:
        """A channel id files can be shared to: a user id (a contact's address) becomes the DM's id.

        chat.postMessage accepts a user id, files.completeUploadExternal only C/G/D ids. The DM's
        id never changes, so it is looked up once per user (conversations.open, Tier 3) and kept.
        """
        if not chat.chat_id.startswith(USER_ID_PREFIXES):
            return chat.chat_id
        key = (_workspace(chat), chat.chat_id)
        channel = self._dm_channels.get(key)
        if channel is None:
            async with self._opens[key[0]].slot():
                with port_errors():
                    response = await self.client.conversations_open(users=chat.chat_id)
            channel = str(response["channel"]["id"])
            if len(self._dm_channels) >= self._max_dm_channels:
                self._dm_channels.pop(next(iter(self._dm_channels)))
            self._dm_channels[key] = channel
        return channel

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        """The chart with its caption; its description for screen readers (``alt_txt``) is the
        chart's one-line summary, else the caption."""
        return await self._upload(chat, png, filename, caption, alt_text=alt_text or caption)

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        return await self._upload(chat, attachment.data, attachment.filename, attachment.caption)

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        """Bolt has already acked within 3 s; the answer is an ephemeral reply via response_url."""
        if not text:
            return
        await self.tell(event.chat, event.user.user_id, text, event.press_id)

    async def tell(self, chat: ChatRef, user_id: str, text: str, response_url: str = "") -> None:
        """Show ``text`` to one user only: via ``response_url`` if given, else chat.postEphemeral.

        The response_url works in a channel the bot is not in (chat.postEphemeral does not), but
        only five times within 30 minutes: when Slack refuses it, chat.postEphemeral is tried.
        The post goes through the Web API client's HTTP session (kept open for the adapter's
        lifetime), not a new connection per vote.
        """
        escaped = escaped_within(text, MAX_TEXT)
        if response_url.startswith("http"):
            with port_errors():
                response = await AsyncWebhookClient(response_url, session=self.client.session).send(
                    text=escaped, response_type="ephemeral", replace_original=False
                )
            if response.status_code == 200:
                return
            log.info(
                "a response_url refused an answer (%s); posting it ephemeral instead", response.status_code
            )
        with port_errors():
            await self.client.chat_postEphemeral(channel=chat.chat_id, user=user_id, text=escaped)

    async def refuse(self, event: CommandEvent, text: str) -> bool:
        """A refused command, shown to its user only (for the core's refusal path), through the
        command's response_url where it has one: it reaches them also where the bot may not post."""
        await self.tell(event.chat, event.user.user_id, text, event.reply_handle)
        return True

    async def how_to_add(self, lang: Language, *, retry: bool = True) -> str:
        """How to add the bot to a channel, naming it as Slack's /invite wants it; ``retry``: and
        to send the command again (not after one that did its part, e.g. created a workshop)."""
        suffix = "" if retry else "_only"
        if self._bot_name is None:
            try:
                with port_errors():
                    self._bot_name = str((await self.client.auth_test()).get("user") or "")
            except PortError as error:
                log.info("could not read the bot's name: %s", type(error).__name__)
                return t(f"slack.add_the_app{suffix}", lang)
        if self._bot_name:
            return t(f"slack.invite{suffix}", lang, name=self._bot_name)
        return t(f"slack.add_the_app{suffix}", lang)

    def edit_interval(self, chat: ChatRef) -> float:
        return self._edit_interval

    async def delivered(self, chat: ChatRef, token: str, since: datetime) -> bool:
        """Whether the bot's message carrying ``token`` in its metadata is in ``chat`` since ``since``.

        conversations.history of the DM (scope im:history) from ``since`` on, with
        ``include_all_metadata``; newest first, 15 a page (the most a non-Marketplace app may ask
        for), until the token or the end. A calendar file cannot carry metadata (files.* take
        none): its token is never found, and a file cut off by a crash is sent again.
        """
        channel = await self._conversation_id(chat)
        cursor: str | None = None
        while True:
            async with self._histories[_workspace(chat)].slot():
                with port_errors():
                    response = await self.client.conversations_history(
                        channel=channel,
                        oldest=f"{since.timestamp():.6f}",
                        include_all_metadata=True,
                        limit=HISTORY_PAGE,
                        cursor=cursor,
                    )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == DELIVERY_EVENT and payload.get("token") == token:
                    return True
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                return False


def _delivery_metadata() -> dict[str, Any] | None:
    """chat.postMessage ``metadata`` naming the reminder part being sent (an opaque token, no
    person), or None outside a reminder."""
    token = delivery_token()
    if token is None:
        return None
    return {"event_type": DELIVERY_EVENT, "event_payload": {"token": token}}


def _workspace(chat: ChatRef) -> str:
    """The key of the workspace-wide windows (one workspace per installation unless told)."""
    return chat.workspace or ""
