"""Telegram's refusals as the core's platform-neutral port errors.

The Bot API says why a send failed only in its description ("Forbidden: bot was kicked from the
group chat", "Bad Request: chat not found") and, for an upgraded group, in
``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``). The core needs to know whether
the room is gone for good, moved, refusing or only failing for a moment; it never sees PTB.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from facilitation.ports import ChatGone, ChatMoved, ChatRefused, GoneReason, PortError, TemporaryFailure

# Descriptions (lower case, PTB has already dropped "Bad Request: ") that mean the chat is gone.
_GONE: tuple[tuple[str, GoneReason], ...] = (
    ("bot was kicked", GoneReason.KICKED),  # "...from the group chat" / "...from the supergroup chat"
    ("bot is not a member", GoneReason.NOT_MEMBER),  # "...of the supergroup chat" / "...of the channel chat"
    ("chat not found", GoneReason.NOT_FOUND),
    ("chat was deleted", GoneReason.NOT_FOUND),  # "Forbidden: the group chat was deleted"
    ("bot was blocked by the user", GoneReason.BLOCKED),
    # "Forbidden: bot can't initiate conversation with a user": a person who never pressed Start in a
    # private chat with the bot; gone like a blocked chat until they do (then they send /start).
    ("bot can't initiate conversation", GoneReason.NOT_STARTED),
    ("user is deactivated", GoneReason.BLOCKED),
)


def translate(error: TelegramError) -> PortError:
    """The port error for a failed Bot API call (order matters: BadRequest is a NetworkError)."""
    if isinstance(error, ChatMigrated):
        return ChatMoved(str(error.new_chat_id))
    if isinstance(error, Forbidden | BadRequest):
        described = error.message.lower()
        for words, reason in _GONE:
            if words in described:
                return ChatGone(reason)
        return ChatRefused(error.message)
    if isinstance(error, RetryAfter):
        wait = error.retry_after  # an int, or a timedelta when PTB_TIMEDELTA is set
        return TemporaryFailure(
            "flood control", retry_after=wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        )
    if isinstance(error, NetworkError):  # TimedOut included
        return TemporaryFailure(type(error).__name__)
    return PortError(type(error).__name__)


@contextlib.contextmanager
def port_errors() -> Iterator[None]:
    """Raise the port error for any Telegram error inside the block (the original as its cause)."""
    try:
        yield
    except TelegramError as error:
        raise translate(error) from error
