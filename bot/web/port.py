"""The web platform's port: what the bot sent to each web chat, kept in memory for the pages.

A web chat is either a workshop's screen (a read-only room, ``screen-<workshop id>``) or one
browser's private chat (its device id). Sending, editing and acknowledging change the chat's
messages and bump its version; pages wait for a new version (server-sent events) and render the
messages again. Nothing is stored here: what must survive a restart or reach the pages of every
process (the round's state and turnout, a browser's open ballot) the pages derive from the
database (:mod:`bot.web.rounds`), and a tally taken over from another process is edited in as
a new message.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import OrderedDict
from dataclasses import dataclass, field

from facilitation.ports import Attachment, ButtonEvent, ChatRef, Keyboard, MessageRef, PortDefaults

PLATFORM = "web"
SCREEN_PREFIX = "screen-"
MAX_MESSAGES = 40  # per chat: a screen shows the latest, a phone the latest few
MAX_CHATS = 20_000  # browsers of every workshop this process serves; the oldest quiet one goes first
MAX_IMAGE_BYTES = 4_000_000


def screen_chat(workshop_id: int) -> ChatRef:
    return ChatRef(PLATFORM, f"{SCREEN_PREFIX}{workshop_id}", is_private=False)


@dataclass
class WebMessage:
    id: int
    text: str
    buttons: Keyboard | None = None
    png: bytes | None = None
    caption: str = ""
    alt_text: str = ""  # the chart's one-line summary in words, for screen readers
    edits: int = 0  # a live tally is edited; the screen keeps the latest edited one in view


@dataclass
class WebChat:
    """One web chat: its messages (oldest first), the last press's answer and a change signal."""

    messages: OrderedDict[int, WebMessage] = field(default_factory=OrderedDict)
    notice: str = ""
    notice_alert: bool = False
    version: int = 0
    #: The round state (id, open, step) this browser's page last caught up with (None: not yet, e.g.
    #: after a restart): the page tells of a new round, a step or a close it has not shown.
    seen: tuple[int | None, bool, int | None] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def bump(self) -> None:
        self.version += 1
        self.changed.set()
        self.changed = asyncio.Event()  # waiters hold the old one, which stays set


class WebPort(PortDefaults):
    """The ``web`` platform: messages in memory, pages told of each change."""

    platform = PLATFORM

    def __init__(self, *, edit_interval: float = 0.3) -> None:
        """``edit_interval``: seconds between edits of one live tally (the screen's turnout lags
        no more than that behind a vote)."""
        self._edit_interval = edit_interval
        self._chats: OrderedDict[str, WebChat] = OrderedDict()
        self._ids = itertools.count(1)

    def chat(self, chat_id: str) -> WebChat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = WebChat()
            while len(self._chats) > MAX_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return chat

    def peek(self, chat_id: str) -> WebChat | None:
        return self._chats.get(chat_id)

    def is_blank(self, room: ChatRef) -> bool:
        chat = self._chats.get(room.chat_id)
        return chat is None or not chat.messages

    def _add(self, chat_ref: ChatRef, message: WebMessage) -> MessageRef:
        chat = self.chat(chat_ref.chat_id)
        chat.messages[message.id] = message
        while len(chat.messages) > MAX_MESSAGES:
            chat.messages.popitem(last=False)
        chat.bump()
        return MessageRef(chat_ref, str(message.id))

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        return self._add(chat, WebMessage(next(self._ids), text, buttons))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        chat = self.chat(message.chat.chat_id)
        try:
            stored = chat.messages[int(message.message_id)]
        except (KeyError, ValueError):
            # Not (or no longer) here: a tally taken over after a restart. Shown as a new message.
            self._add(message.chat, WebMessage(next(self._ids), text, buttons))
            return
        stored.text, stored.buttons = text, buttons
        stored.edits += 1
        chat.bump()

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        image = WebMessage(next(self._ids), "", None, png[:MAX_IMAGE_BYTES], caption, alt_text=alt_text)
        return self._add(chat, image)

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        # Exports (CSV, XLSX) go to facilitators in Telegram or Slack; a browser gets the caption.
        return self._add(chat, WebMessage(next(self._ids), attachment.caption or attachment.filename))

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        chat = self.chat(event.chat.chat_id)
        chat.notice, chat.notice_alert = text or "", alert
        chat.bump()

    def wake_all(self) -> None:
        """Wake every page waiting for a change (the server is stopping: they end their streams)."""
        for chat in self._chats.values():
            chat.changed.set()
            chat.changed = asyncio.Event()

    def edit_interval(self, chat: ChatRef) -> float:
        return self._edit_interval

    def image(self, chat_id: str, message_id: int) -> bytes | None:
        chat = self._chats.get(chat_id)
        message = chat.messages.get(message_id) if chat is not None else None
        return message.png if message is not None else None

    async def changed(self, chat_id: str, version: int, within: float) -> int:
        """Wait until the chat's version is past ``version`` (or ``within`` seconds pass); the version now."""
        chat = self.chat(chat_id)
        if chat.version == version:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await chat.changed.wait()
        return self.chat(chat_id).version
