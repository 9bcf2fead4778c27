"""Exercises plug into the conversation: how a round is posted, answered and reported.

Each exercise (barometer, prioritisation) implements :class:`Exercise`; the conversation
handles the shared parts (who may do what, lifecycle, live tally, errors, languages).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitation.i18n import t
from facilitation.menu import Menu
from facilitation.model import Language, Process, Round, RoundKind
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
    #: The commands that start a round (facilitators only): names, aliases together, and menu entry.
    starts: tuple[tuple[tuple[str, ...], Menu], ...] = ()

    @property
    def start_commands(self) -> tuple[str, ...]:
        return tuple(name for names, _menu in self.starts for name in names)

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

    def install(self, conv: Conversation) -> None:
        """Register the exercise's commands beyond starting a round (none by default).

        Called once per conversation by the wiring, after the exercise is added; raises
        ValueError if a command name is already taken.
        """
        return None

    async def tally_note(self, conv: Conversation, round_: Round, lang: Language) -> str | None:
        """A line for the live tally of an open round (e.g. ballots that will not count yet).

        The tally only says how many have answered; an exercise whose stored answers can be
        incomplete uses this to say so in the room, never who. ``None``: nothing to add.
        """
        return None


async def process_of(conv: Conversation, round_: Round) -> Process | None:
    """The process (principle catalogue, statement bank, settings) the round's workshop runs."""
    workshop = await conv.service.store.workshop(round_.workshop_id)
    return conv.service.processes.get(workshop.process_key) if workshop else None


def t_count(key: str, lang: Language | str, count: int, /, **params: object) -> str:
    """``key.one`` when ``count`` is 1, else ``key.other``, with ``count`` filled in.

    Swedish adjectives and English nouns change with the number ("1 ofullständigt svar",
    "3 ofullständiga svar"; "1 response", "3 responses"), so count texts come in both forms.
    """
    return t(count_key(key, count), lang, count=count, **params)


def count_key(key: str, count: int) -> str:
    """The text key for ``count`` of something: ``key.one`` or ``key.other`` (see :func:`t_count`)."""
    return f"{key}.{'one' if count == 1 else 'other'}"
