"""Exercises plug into the conversation: how a round is posted, answered and reported.

Each exercise (barometer, prioritisation) implements :class:`Exercise`; the conversation
handles the shared parts (who may do what, lifecycle, live tally, errors, languages).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitation.model import Language, Round, RoundKind
from facilitation.ports import Attachment, Keyboard

if TYPE_CHECKING:
    from facilitation.conversation import Conversation, Turn


@dataclass(frozen=True)
class Post:
    """A message the exercise wants posted: text with optional buttons."""

    text: str
    buttons: Keyboard | None = None


@dataclass(frozen=True)
class Image:
    """A chart to post."""

    png: bytes
    caption: str
    filename: str


Output = Post | Image


class Exercise(ABC):
    """One kind of round."""

    kinds: tuple[RoundKind, ...] = ()
    #: Button actions (see :class:`facilitation.buttons.ButtonCodec`) this exercise handles.
    actions: tuple[str, ...] = ()

    @abstractmethod
    def instructions(self, round_: Round, lang: Language) -> str:
        """The explanation shown when the round opens."""

    @abstractmethod
    def posts(self, conv: Conversation, round_: Round, lang: Language) -> list[Post]:
        """The messages with answer buttons for the round's current state."""

    @abstractmethod
    async def on_press(self, conv: Conversation, turn: Turn, round_: Round, action: str,
                       args: tuple[int, ...]) -> str:
        """Apply a button press; returns the acknowledgement text. Raise DomainError to refuse."""

    @abstractmethod
    async def results(self, conv: Conversation, round_: Round, lang: Language) -> list[Output]:
        """What to post when the round closes or results are asked for."""

    async def export(self, conv: Conversation, round_: Round, lang: Language) -> list[Attachment]:
        """Aggregate exports of a closed round (CSV, XLSX); none by default."""
        return []
