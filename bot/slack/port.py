"""The ChatPort on Slack: Block Kit messages, chat.update, files_upload_v2, ephemeral answers."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.ratelimit import SlidingWindow, Windows
from facilitation.ports import Attachment, ButtonEvent, ChatRef, Keyboard, MessageRef

log = logging.getLogger(__name__)

PLATFORM = "slack"
ACTION_PREFIX = "dlg"
MAX_TEXT = 3000  # a section block's text limit


def escape(text: str) -> str:
    """Slack mrkdwn escaping, so statement texts cannot mention @channel or inject links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blocks_for(text: str, buttons: Keyboard | None) -> list[dict[str, Any]]:
    """A section with the text and one actions block per keyboard row (Slack allows 25 per block)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)[:MAX_TEXT]}}]
    for row_index, row in enumerate(buttons or []):
        blocks.append({
            "type": "actions",
            "block_id": f"{ACTION_PREFIX}-row-{row_index}",
            "elements": [
                {"type": "button", "action_id": f"{ACTION_PREFIX}-{row_index}-{i}",
                 "text": {"type": "plain_text", "text": b.label[:75], "emoji": True}, "value": b.data}
                for i, b in enumerate(row[:25])
            ],
        })
    return blocks[:50]


class SlackPort:
    """Sends through the Web API, paced under Slack's per-channel and per-method limits."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, *, post_per_channel: tuple[int, float] = (1, 1.05),
                 updates: tuple[int, float] = (50, 61.0), edit_interval: float = 2.0) -> None:
        self.client = client
        self._posts = Windows(lambda _: SlidingWindow(*post_per_channel))
        self._updates = SlidingWindow(*updates)
        self._edit_interval = edit_interval

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        await self._posts[chat.chat_id].acquire()
        response = await self.client.chat_postMessage(channel=chat.chat_id, text=text[:MAX_TEXT],
                                                      blocks=blocks_for(text, buttons))
        return MessageRef(chat, str(response["ts"]))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        await self._updates.acquire()
        await self.client.chat_update(channel=message.chat.chat_id, ts=message.message_id, text=text[:MAX_TEXT],
                                      blocks=blocks_for(text, buttons))

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
        if event.press_id.startswith("http"):
            await AsyncWebhookClient(event.press_id, session=getattr(self.client, "session", None)).send(
                text=text, response_type="ephemeral", replace_original=False)
        else:
            await self.client.chat_postEphemeral(channel=event.chat.chat_id, user=event.user.user_id, text=text)

    def edit_interval(self, chat: ChatRef) -> float:
        return self._edit_interval
