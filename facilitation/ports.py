"""The port a chat platform adapter implements, and the platform-neutral events it delivers.

Telegram, Slack and the local terminal mode all translate their updates into these events and
implement :class:`ChatPort`; the conversation logic in :mod:`facilitation.conversation` never
sees a platform object, so one workshop can span platforms and tests can drive it directly.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from datetime import datetime

    from facilitation.model import Language

_REPLYING: contextvars.ContextVar[bool] = contextvars.ContextVar("dialogbot_replying", default=False)


@contextlib.contextmanager
def replying() -> Iterator[None]:
    """Mark what is sent inside as an answer to the user's own command or press.

    Adapters pace sends per chat; an answer goes ahead of the bulk waiting there (results,
    charts, tally edits, reminders), so a facilitator is answered at once in a busy group.
    Everything not marked is bulk.
    """
    token = _REPLYING.set(True)
    try:
        yield
    finally:
        _REPLYING.reset(token)


def is_reply() -> bool:
    """Whether the send being made answers a command or press (see :func:`replying`)."""
    return _REPLYING.get()


_DELIVERY: contextvars.ContextVar[str | None] = contextvars.ContextVar("dialogbot_delivery", default=None)


@contextlib.contextmanager
def delivering(token: str) -> Iterator[None]:
    """Mark what is sent inside as one part of a reminder, named by an opaque ``token``.

    A port whose platform can carry it does (Slack: the message's ``metadata``; e-mail: the
    Message-ID is derived from it), so that after a crash :meth:`ChatPort.delivered` can tell
    whether the part went out, or a re-send carries the same identity. The token names a delivery
    part, never a person.
    """
    reset = _DELIVERY.set(token)
    try:
        yield
    finally:
        _DELIVERY.reset(reset)


def delivery_token() -> str | None:
    """The token of the reminder part being sent (see :func:`delivering`), or None."""
    return _DELIVERY.get()


@dataclass(frozen=True)
class ChatRef:
    """Where a message goes: a group/channel or a private chat on one platform.

    ``title`` (the group's or channel's name, when the platform tells it) names a room to the
    facilitator; ``thread_id`` is the forum topic (Telegram) the bot answers in. Neither is part
    of the chat's identity: a chat is the same room whichever topic a command came from.
    """

    platform: str
    chat_id: str
    is_private: bool = False
    workspace: str | None = None
    title: str | None = field(default=None, compare=False)
    thread_id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class UserRef:
    """Who pressed or wrote; ``user_id`` is the platform's id and is never stored next to a vote."""

    platform: str
    user_id: str
    display_name: str = ""
    workspace: str | None = None
    is_chat_admin: bool = False


@dataclass(frozen=True)
class MessageRef:
    """A message the bot sent, so it can be edited later."""

    chat: ChatRef
    message_id: str


@dataclass(frozen=True)
class Button:
    """A button: ``data`` comes back in a :class:`ButtonEvent` and must fit in 64 bytes."""

    label: str
    data: str


Keyboard = list[list[Button]]


@dataclass(frozen=True)
class CommandEvent:
    """``/name arg1 arg2`` typed by ``user`` in ``chat`` (the name without slash, lower case)."""

    user: UserRef
    chat: ChatRef
    name: str
    args: tuple[str, ...] = ()
    #: How the adapter answers the command's author privately even where the bot cannot post
    #: (Slack: the command's response_url, good for five answers within 30 minutes); "" if none.
    reply_handle: str = ""


@dataclass(frozen=True)
class ButtonEvent:
    """A button press; the adapter must let the core acknowledge it through the port."""

    user: UserRef
    chat: ChatRef
    data: str
    message: MessageRef | None = None
    press_id: str = ""
    #: The platform's id of this one press, the same when the platform delivers it again
    #: (Telegram's callback query id, Slack's trigger_id); empty where presses are never redelivered.
    delivery_id: str = ""


@dataclass(frozen=True)
class TextEvent:
    """Free text sent to the bot (in a private chat, or mentioning it)."""

    user: UserRef
    chat: ChatRef
    text: str


Event = CommandEvent | ButtonEvent | TextEvent


@dataclass(frozen=True)
class Attachment:
    """A file the bot sends: a chart, an export or a calendar file.

    ``buttons`` go under the file's own message, so the caller gives them only to a port whose
    :meth:`ChatPort.fits_on_file` said the caption fits (the text and its buttons as one message).
    """

    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"
    caption: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    buttons: Keyboard | None = None


class PortError(Exception):
    """The platform refused or failed a call after the adapter's own retries.

    Adapters raise one of the subclasses below, translated from their library's errors, so the
    core can tell a room that is gone from one that failed for a moment; the message never
    carries a platform id (platforms quote chat ids in theirs).
    """


class GoneReason(StrEnum):
    """Why the bot can no longer post in a chat (each has a text ``room.gone.<value>``)."""

    KICKED = "kicked"  # Telegram: the bot was removed from the group
    NOT_MEMBER = "not_member"  # Slack not_in_channel, Telegram "bot is not a member"
    ARCHIVED = "archived"  # Slack is_archived
    NOT_FOUND = "not_found"  # the chat does not exist (deleted, or never was)
    BLOCKED = "blocked"  # a person blocked the bot, or their account is deactivated
    NOT_STARTED = "not_started"  # Telegram: the person never pressed Start in a private chat with the bot
    ADDRESS_REFUSED = "address_refused"  # e-mail: the server refused the address for good (5xx)
    MAIL_REFUSED = "mail_refused"  # e-mail: the server refused the message for good (5xx)


class ChatGone(PortError):
    """The chat is gone for the bot for good, as things stand: kicked, deleted, archived, not found.

    Retrying cannot help until a person changes something (adds the bot again, unarchives);
    a workshop unbinds such a room and the reminders stop trying such an address.
    """

    def __init__(self, reason: GoneReason) -> None:
        super().__init__(f"chat gone: {reason.value}")
        self.reason = reason


class ChatMoved(PortError):
    """The chat has a new id (a Telegram group upgraded to a supergroup): send there instead."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__("chat moved to a new id")
        self.new_chat_id = new_chat_id


class ChatRefused(PortError):
    """The chat is there but refused this message (no right to post, a closed topic, a message
    the platform will not take); the room stays, a person has to fix the cause."""


class TemporaryFailure(PortError):
    """Network trouble, a timeout, a platform outage or a rate limit after the adapter's retries:
    the same call may work later. ``retry_after``: seconds the platform asked to wait, if it said."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@runtime_checkable
class ChatPort(Protocol):
    """What the core needs from a chat platform."""

    platform: str

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        """Send ``text`` (with optional buttons) and return a handle for later edits."""
        ...

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        """Replace the text (and buttons) of a message the bot sent."""
        ...

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        """Send a PNG chart with a caption; ``alt_text``: one line saying what it shows (for screen
        readers: Slack's ``alt_txt``; Telegram, which has none, puts it at the caption's head)."""
        ...

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        """Send a document (CSV, XLSX, ICS)."""
        ...

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        """Answer a button press at once (Telegram answerCallbackQuery, Slack ack/ephemeral)."""
        ...

    def edit_interval(self, chat: ChatRef) -> float:
        """Seconds to leave between edits of one live message in ``chat`` to stay under limits."""
        ...

    # What differs between platforms. Every port has these (a port inherits the neutral ones from
    # :class:`PortDefaults` and overrides what its platform does differently), so the core asks a
    # port directly instead of probing it for optional members.

    #: Seconds within which the platform takes a press's answer (Telegram: a few), or None if it
    #: waits: the conversation then answers every press by then, also when the database stalls.
    press_answer_within: float | None
    #: How a bot command is typed on the platform: "/" (``/hjalp``), Slack "/dialog " (one slash
    #: command, the bot's command a word after it). Texts name commands with "/" and are rewritten.
    command_prefix: str

    def join_link(self, code: str) -> str | None:
        """A link that opens a private chat with the bot and sends ``/start CODE`` (Telegram's deep
        link), or None where the platform has none."""
        ...

    async def how_to_add(self, lang: Language, *, retry: bool = True) -> str:
        """How a person adds the bot to a chat it cannot post in ("" if the platform has no words
        for it); ``retry``: and to send the command again."""
        ...

    async def refuse(self, event: CommandEvent, text: str) -> bool:
        """Tell a refused command's author privately where the platform can (Slack: ephemeral);
        False if it cannot, and the refusal is answered in the chat instead."""
        ...

    async def delivered(self, chat: ChatRef, token: str, since: datetime) -> bool:
        """Whether a message sent under :func:`delivering` with ``token`` reached ``chat`` since
        ``since``; False where the platform cannot tell (Telegram has no history for bots)."""
        ...

    def fits_on_file(self, text: str) -> bool:
        """Whether ``text``, with buttons under it, can be the caption of a file's own message
        (Telegram: a document's caption, up to 1024 characters): a file and its text then go as
        one message, one send that can be repeated after a crash instead of two. False where the
        platform cannot (a file and a text are two messages there)."""
        ...


class PortDefaults:
    """The neutral answers to :class:`ChatPort`'s platform differences: a port inherits these and
    overrides only what its platform does differently (a platform that waits for a press's answer,
    types commands with "/", has no deep link, no words on adding the bot, no private refusal, no
    history to look in and no text with buttons on a file's message)."""

    press_answer_within: float | None = None
    command_prefix: str = "/"

    def join_link(self, code: str) -> str | None:
        return None

    async def how_to_add(self, lang: Language, *, retry: bool = True) -> str:
        return ""

    async def refuse(self, event: CommandEvent, text: str) -> bool:
        return False

    async def delivered(self, chat: ChatRef, token: str, since: datetime) -> bool:
        return False

    def fits_on_file(self, text: str) -> bool:
        return False
