"""The port a chat platform adapter implements, and the platform-neutral events it delivers.

Telegram, Slack and the local terminal mode all translate their updates into these events and
implement :class:`ChatPort`; the conversation logic in :mod:`facilitation.conversation` never
sees a platform object, so one workshop can span platforms and tests can drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ChatRef:
    """Where a message goes: a group/channel or a private chat on one platform."""

    platform: str
    chat_id: str
    is_private: bool = False
    workspace: str | None = None


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
    language_hint: str | None = None


@dataclass(frozen=True)
class ButtonEvent:
    """A button press; the adapter must let the core acknowledge it through the port."""

    user: UserRef
    chat: ChatRef
    data: str
    message: MessageRef | None = None
    press_id: str = ""
    language_hint: str | None = None
    #: The platform's id of this one press, the same when the platform delivers it again
    #: (Telegram's callback query id, Slack's trigger_id); empty where presses are never redelivered.
    delivery_id: str = ""


@dataclass(frozen=True)
class TextEvent:
    """Free text sent to the bot (in a private chat, or mentioning it)."""

    user: UserRef
    chat: ChatRef
    text: str
    language_hint: str | None = None


Event = CommandEvent | ButtonEvent | TextEvent


@dataclass(frozen=True)
class Attachment:
    """A file the bot sends: a chart, an export or a calendar file."""

    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"
    caption: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class PortError(Exception):
    """The platform refused or failed a call after the adapter's own retries."""


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

    async def send_image(self, chat: ChatRef, png: bytes, caption: str, filename: str) -> MessageRef:
        """Send a PNG chart with a caption."""
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
