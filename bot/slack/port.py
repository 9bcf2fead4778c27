"""The ChatPort on Slack: Block Kit messages, chat.update, files_upload_v2, ephemeral answers."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.ratelimit import SlidingWindow, Windows
from facilitation.ports import Attachment, ButtonEvent, ChatRef, CommandEvent, Keyboard, MessageRef

log = logging.getLogger(__name__)

PLATFORM = "slack"
ACTION_PREFIX = "dlg"
MAX_TEXT = 3000  # a section block's text limit
MAX_BLOCKS = 50  # blocks per message
MAX_FALLBACK = 4000  # Slack truncates a message's top-level text beyond 40,000; keep notifications short


def escape(text: str) -> str:
    """Slack mrkdwn escaping, so statement texts cannot mention @channel or inject links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sections(text: str) -> list[str]:
    """``text`` escaped and cut at line ends into pieces that fit a section block (nothing dropped)."""
    pieces: list[str] = []
    current = ""
    for line in escape(text).split("\n"):
        while len(line) > MAX_TEXT:  # one very long line: hard cut
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:MAX_TEXT])
            line = line[MAX_TEXT:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_TEXT:
            pieces.append(current)
            candidate = line
        current = candidate
    if current or not pieces:
        pieces.append(current or " ")
    return pieces


def blocks_for(text: str, buttons: Keyboard | None) -> list[dict[str, Any]]:
    """Sections with the text and one actions block per keyboard row (Slack allows 25 per block)."""
    rows: list[dict[str, Any]] = []
    for row_index, row in enumerate(buttons or []):
        rows.append({
            "type": "actions",
            "block_id": f"{ACTION_PREFIX}-row-{row_index}",
            "elements": [
                {"type": "button", "action_id": f"{ACTION_PREFIX}-{row_index}-{i}",
                 "text": {"type": "plain_text", "text": b.label[:75], "emoji": True}, "value": b.data}
                for i, b in enumerate(row[:25])
            ],
        })
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in _sections(text)]
    return (sections[:MAX_BLOCKS - len(rows)] + rows)[:MAX_BLOCKS]


def fallback_text(text: str) -> str:
    """The top-level ``text`` (notifications, screen readers): escaped like the blocks."""
    return escape(text)[:MAX_FALLBACK]


class SlackPort:
    """Sends through the Web API, paced under Slack's per-channel and per-method limits."""

    platform = PLATFORM
    command_prefix = "/dialog "  # every bot command is a word after the one slash command

    def __init__(self, client: AsyncWebClient, *, post_per_channel: tuple[int, float] = (3, 3.15),
                 updates: tuple[int, float] = (50, 61.0), edit_interval: float = 2.0) -> None:
        self.client = client
        self._posts = Windows(lambda _: SlidingWindow(*post_per_channel))
        self._updates = SlidingWindow(*updates)
        self._edit_interval = edit_interval

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        async with self._posts[chat.chat_id].slot():
            response = await self.client.chat_postMessage(channel=chat.chat_id, text=fallback_text(text),
                                                          blocks=blocks_for(text, buttons))
        return MessageRef(chat, str(response["ts"]))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        async with self._updates.slot():
            await self.client.chat_update(channel=message.chat.chat_id, ts=message.message_id,
                                          text=fallback_text(text), blocks=blocks_for(text, buttons))

    async def _upload(self, chat: ChatRef, data: bytes, filename: str, caption: str) -> MessageRef:
        response = await self.client.files_upload_v2(channel=chat.chat_id, content=data, filename=filename,
                                                     title=filename, initial_comment=caption)
        files = response.get("files") or [response.get("file") or {}]
        return MessageRef(chat, str(files[0].get("id", "")))

    async def send_image(self, chat: ChatRef, png: bytes, caption: str, filename: str) -> MessageRef:
        return await self._upload(chat, png, filename, caption)

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        return await self._upload(chat, attachment.data, attachment.filename, attachment.caption)

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        """Bolt has already acked within 3 s; the answer is an ephemeral reply via response_url."""
        if not text:
            return
        await self.tell(event.chat, event.user.user_id, text, event.press_id)

    async def tell(self, chat: ChatRef, user_id: str, text: str, response_url: str = "") -> None:
        """Show ``text`` to one user only: via ``response_url`` if given, else chat.postEphemeral."""
        if response_url.startswith("http"):
            await AsyncWebhookClient(response_url, session=getattr(self.client, "session", None)).send(
                text=text[:MAX_TEXT], response_type="ephemeral", replace_original=False)
        else:
            await self.client.chat_postEphemeral(channel=chat.chat_id, user=user_id, text=text[:MAX_TEXT])

    async def refuse(self, event: CommandEvent, text: str) -> None:
        """A refused command, shown to its user only (for the core's refusal path)."""
        await self.tell(event.chat, event.user.user_id, text)

    def edit_interval(self, chat: ChatRef) -> float:
        return self._edit_interval
