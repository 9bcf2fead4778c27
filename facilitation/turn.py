"""One incoming event and its user's turn, as every handler sees them.

Its own module so that the parts :class:`~facilitation.conversation.Conversation` delegates to
(results delivery, tallies) and the feature modules can name a turn, and refuse one, without
importing the conversation itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from facilitation.model import Language
from facilitation.ports import (
    ButtonEvent,
    ChatPort,
    ChatRef,
    CommandEvent,
    Event,
    Keyboard,
    MessageRef,
    UserRef,
    replying,
)

log = logging.getLogger("facilitation.conversation")  # its log lines, as before the split


class UserTurn:
    """One user's turn to be handled: their events go one at a time, in arrival order.

    A handler lets go of it while it posts bulk output (:meth:`Turn.posting`), so the user's
    next command is answered meanwhile instead of after a minute of paced results.
    """

    def __init__(self, lock: asyncio.Lock) -> None:
        self.lock = lock
        self.held = False

    async def take(self) -> None:
        await self.lock.acquire()
        self.held = True

    def let_go(self) -> None:
        if self.held:
            self.held = False
            self.lock.release()


@dataclass
class Turn:
    """One incoming event with what every handler needs: port, language, the user's own key.

    ``user_key`` keys the user's own settings (language); what they answer in a workshop is
    stored under :meth:`Conversation.participant_key`, a key of theirs in that workshop only.
    """

    event: Event
    port: ChatPort
    user_key: str
    lang: Language
    user_turn: UserTurn | None = field(default=None, repr=False)
    answered: list[bool] = field(default_factory=list, repr=False)  # [True] once a press is answered

    async def acknowledge(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the press of this turn (once: a press given up at its deadline is answered there)."""
        assert isinstance(self.event, ButtonEvent)
        self.answered.append(True)
        await self.port.acknowledge(self.event, text, alert)

    @contextlib.asynccontextmanager
    async def posting(self) -> AsyncIterator[None]:
        """Bulk output (a round, results, charts, files): the user's other events go meanwhile,
        and this handler continues after them once its output is posted."""
        held = self.user_turn
        if held is None or not held.held:
            yield
            return
        held.let_go()
        try:
            yield
        finally:
            await held.take()

    @property
    def chat(self) -> ChatRef:
        return self.event.chat

    @property
    def user(self) -> UserRef:
        return self.event.user

    async def reply(self, text: str, buttons: Keyboard | None = None) -> MessageRef:
        """Answer in the chat of the event, ahead of bulk output waiting there."""
        with replying():
            return await self.port.send_text(self.chat, text, buttons)


async def refuse(turn: Turn, text: str, *, tail: str = "") -> None:
    """Answer a refused event to its user (``tail``: the platform's own words, e.g. its commands)."""
    text = with_command_prefix(text, turn.port) + tail
    try:
        with replying():
            await _answer_refusal(turn, text)
    except Exception:
        log.warning("could not deliver a refusal", exc_info=True)


async def _answer_refusal(turn: Turn, text: str) -> None:
    if isinstance(turn.event, ButtonEvent):
        await turn.acknowledge(text, alert=True)
    elif not (isinstance(turn.event, CommandEvent) and await turn.port.refuse(turn.event, text)):
        await turn.reply(text)  # where the platform cannot tell the user alone (Slack can)


def with_command_prefix(text: str, port: ChatPort) -> str:
    """Commands in a text as the platform spells them (Slack: a word after ``/dialog``)."""
    prefix = port.command_prefix
    if prefix == "/":
        return text
    return re.sub(r"(^|[\s(])/(?=[a-zåäö])", lambda m: m.group(1) + prefix, text, flags=re.MULTILINE)
