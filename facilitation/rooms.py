"""Posting to every room of a workshop, each room on its own.

A workshop can run in a Telegram group and two Slack channels at once. One of them may be gone
(the bot kicked, the channel archived), moved (a Telegram group upgraded to a supergroup gets a
new id) or failing for a moment; the others must still get the round, the buttons and the
results, and the facilitator must be told which room failed and what to do. So every fan-out
goes through :func:`deliver_to_rooms`, which delivers to all rooms at once, follows a moved room
to its new id, and returns what happened in each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from facilitation import room_texts as _room_texts  # noqa: F401  (registers the texts)
from facilitation.exercises import Image, Output, Post
from facilitation.i18n import t
from facilitation.model import Language
from facilitation.ports import (
    ChatGone,
    ChatMoved,
    ChatPort,
    ChatRef,
    ChatRefused,
    Keyboard,
    MessageRef,
    TemporaryFailure,
)
from facilitation.rendering import png_of

log = logging.getLogger(__name__)

MAX_TITLE_SHOWN = 64

#: Called when a room turns out to have a new id: (old address, new address).
OnMoved = Callable[[ChatRef, ChatRef], Awaitable[None]]


class RoomLink:
    """One room during a fan-out: its port and address, following the room once to a new id.

    A send refused with :class:`ChatMoved` is retried on the new id (after ``on_moved`` has
    moved the room's binding there), so a group upgraded to a supergroup mid-workshop still
    gets the message that found out.
    """

    def __init__(self, port: ChatPort, chat: ChatRef, on_moved: OnMoved) -> None:
        self.port = port
        self.chat = chat
        self.moved_from: ChatRef | None = None
        self._on_moved = on_moved

    async def send_text(self, text: str, buttons: Keyboard | None = None) -> MessageRef:
        return await self._follow(lambda chat: self.port.send_text(chat, text, buttons))

    async def send_image(self, png: bytes, caption: str, filename: str, alt_text: str = "") -> MessageRef:
        return await self._follow(lambda chat: self.port.send_image(chat, png, caption, filename, alt_text))

    async def post(self, outputs: Iterable[Output]) -> None:
        """Post an exercise's outputs (texts with buttons, charts) in order."""
        for output in outputs:
            if isinstance(output, Image):  # a chart still being drawn is waited for here
                await self.send_image(await png_of(output.png), output.caption, output.filename, output.alt)
            elif isinstance(output, Post):
                await self.send_text(output.text, output.buttons)

    async def _follow(self, send: Callable[[ChatRef], Awaitable[MessageRef]]) -> MessageRef:
        try:
            return await send(self.chat)
        except ChatMoved as moved:
            if self.moved_from is not None:  # moved twice within one delivery: not a real move
                raise
            old, new = self.chat, moved_chat(self.chat, moved.new_chat_id)
            await self._on_moved(old, new)
            self.chat, self.moved_from = new, old
            return await send(new)


def moved_chat(old: ChatRef, new_chat_id: str) -> ChatRef:
    """The room at its new id: same platform, workspace and title; a new chat has no topics yet."""
    return ChatRef(old.platform, new_chat_id, old.is_private, old.workspace, title=old.title)


@dataclass(frozen=True)
class RoomOutcome:
    """What one room's delivery came to: ``room`` is its address at the end (after a move)."""

    room: ChatRef
    error: Exception | None = None
    moved_from: ChatRef | None = None

    @property
    def gone(self) -> bool:
        return isinstance(self.error, ChatGone)


Deliver = Callable[[RoomLink], Awaitable[None]]


async def deliver_to_rooms(
    rooms: Sequence[tuple[ChatPort, ChatRef]], deliver: Deliver, on_moved: OnMoved
) -> list[RoomOutcome]:
    """Run ``deliver`` for every room at once; one room's failure never stops another's.

    Returns one outcome per room, in the order given. Failures are logged by kind only (no
    platform ids); the caller decides what to tell whom.
    """

    async def one(port: ChatPort, chat: ChatRef) -> RoomOutcome:
        link = RoomLink(port, chat, on_moved)
        try:
            await deliver(link)
        except Exception as error:  # every failure is this room's alone
            if isinstance(error, ChatGone | ChatRefused | TemporaryFailure):
                log.warning("delivery to a %s room failed: %s", chat.platform, error)
            else:
                log.exception("delivery to a %s room failed unexpectedly", chat.platform)
            return RoomOutcome(link.chat, error, link.moved_from)
        return RoomOutcome(link.chat, None, link.moved_from)

    return list(await asyncio.gather(*(one(port, chat) for port, chat in rooms)))


def room_name(room: ChatRef, lang: Language) -> str:
    """How the facilitator knows the room: the platform and the room's name, if the bot knows it."""
    platform = room.platform if room.platform in ("telegram", "slack") else "other"
    if room.title:
        title = " ".join(room.title.split())[:MAX_TITLE_SHOWN]
        return t(f"room.name.{platform}", lang, title=title, platform=room.platform)
    return t(f"room.unnamed.{platform}", lang, platform=room.platform)


@dataclass(frozen=True)
class Delivery:
    """What a fan-out delivers, for the facilitator's report: text keys ``room.what.<kind>`` and
    ``room.fix.<kind>`` (what did not arrive, and how to get it there once the room works)."""

    kind: str
    number: int

    def failure_report(self, outcome: RoomOutcome, lang: Language, join_code: str) -> str:
        """One sentence naming the room, what it did not get and why, and what to do."""
        name = room_name(outcome.room, lang)
        what = t(f"room.what.{self.kind}", lang, number=self.number)
        error = outcome.error
        if isinstance(error, ChatGone):
            return t(
                "room.gone",
                lang,
                room=name,
                what=what,
                reason=t(f"room.gone.{error.reason.value}", lang),
                code=join_code,
            )
        fix = t(f"room.fix.{self.kind}", lang, number=self.number)
        if isinstance(error, ChatRefused):
            return t("room.refused", lang, room=name, what=what, fix=fix)
        if isinstance(error, TemporaryFailure):
            return t("room.unavailable", lang, room=name, what=what, fix=fix)
        return t("room.failed", lang, room=name, what=what, fix=fix)
