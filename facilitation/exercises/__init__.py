"""What an exercise is to the rest of the bot: the protocol, the narrow context it gets, its round rules.

Each exercise kind is one package (:mod:`facilitation.barometer`, :mod:`facilitation.prioritisation`)
holding its model, metrics, charts, texts, export and chat flow. The package declares

* its :class:`RoundRules` (settings, single answers, launch spec: what :class:`WorkshopService`
  and the Slack modal apply without knowing the kind), and
* its :class:`Exercise` (how a round is started, posted, answered and reported in a chat),

bundled as an :class:`ExerciseKind` in the package's ``kind.py`` and listed once in
:mod:`facilitation.exercises.registry`. The conversation handles the shared parts (who may do
what, lifecycle, live tally, errors, languages) and hands an exercise only an
:class:`ExerciseContext`: the few things exercises use, declared here, so that this module
imports neither the conversation nor the service (no import cycle through the exercises).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from facilitation.buttons import ButtonCodec
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.menu import Menu
from facilitation.model import (
    Language,
    Participant,
    Process,
    ResultFrame,
    Round,
    RoundItem,
    RoundKind,
    SectorKey,
    SectorValues,
    Workshop,
)
from facilitation.ports import Attachment, Button, ChatPort, ChatRef, Event, Keyboard, UserRef
from facilitation.store import BallotChange, Store

if TYPE_CHECKING:
    from facilitation.export import Table
    from facilitation.rendering import ChartRenderer


@dataclass(frozen=True)
class Post:
    """A message the exercise wants posted: text with optional buttons."""

    text: str
    buttons: Keyboard | None = None


@dataclass(frozen=True)
class Image:
    """A chart to post; ``alt``: one line that says in words what the chart shows (for screen
    readers and for whoever cannot see it: Slack's ``alt_txt``, the head of a Telegram caption,
    the PDF's alt text), built from the published figures only."""

    png: bytes
    caption: str
    filename: str
    alt: str = ""


Output = Post | Image


# --- the narrow context ------------------------------------------------------------------
class ExerciseTurn(Protocol):
    """What an exercise reads of the event it handles (the conversation's ``Turn`` has it)."""

    @property
    def event(self) -> Event: ...

    @property
    def port(self) -> ChatPort: ...

    @property
    def lang(self) -> Language: ...

    @property
    def chat(self) -> ChatRef: ...

    @property
    def user(self) -> UserRef: ...


class ExerciseService(Protocol):
    """The workshop use cases an exercise calls (:class:`facilitation.service.WorkshopService` has them)."""

    @property
    def store(self) -> Store: ...

    @property
    def processes(self) -> Mapping[str, Process]: ...

    async def create_round(
        self,
        workshop_id: int,
        kind: RoundKind,
        title: str,
        items: Sequence[tuple[str, str]],
        settings: Mapping[str, int] | None = None,
        compare_round_id: int | None = None,
    ) -> Round: ...

    async def require_round(self, round_id: int) -> Round: ...

    async def start_stepping(self, round_id: int) -> None: ...

    async def answer(
        self, round_id: int, item_id: int, participant_key: str, value: int, press_key: str = ""
    ) -> tuple[Round, Participant]: ...

    async def change_ballot(
        self, round_id: int, participant_key: str, change: BallotChange, press_key: str = ""
    ) -> tuple[dict[int, int], Participant]: ...

    async def own_answers(self, round_id: int, participant_key: str) -> dict[int, int]: ...

    async def result_frame(self, round_: Round) -> ResultFrame: ...

    async def sector_values(self, round_id: int) -> list[SectorValues]: ...

    async def frozen_ballots(self, round_id: int) -> dict[SectorKey, list[dict[int, int]]]: ...

    async def ballots_by_sector(self, round_id: int) -> dict[SectorKey, list[dict[int, int]]]: ...


class ExerciseContext(Protocol):
    """Everything an exercise may use of the conversation (:class:`facilitation.conversation.Conversation`
    has it); an exercise that needs more says so here first."""

    @property
    def service(self) -> ExerciseService: ...

    @property
    def codec(self) -> ButtonCodec: ...

    @property
    def renderer(self) -> ChartRenderer: ...

    def participant_key(self, turn: ExerciseTurn, workshop_id: int) -> str: ...

    def press_key(self, turn: ExerciseTurn) -> str: ...

    async def bound_workshop(self, turn: ExerciseTurn) -> Workshop: ...

    async def post_outputs(self, port: ChatPort, chat: ChatRef, outputs: Iterable[Output]) -> None: ...

    @property
    def annexes(self) -> Sequence[RoundAnnex]: ...


@dataclass(frozen=True)
class Chapter:
    """A part of the workshop report beyond the rounds (e.g. "Utveckling över åren"): a heading,
    paragraphs and charts, built from published figures only."""

    heading: str
    lines: tuple[str, ...] = ()
    charts: tuple[Image, ...] = ()


class RoundAnnex(Protocol):
    """What a feature outside the exercises adds to a closed round's outputs (e.g. the room's
    conclusion): after its results, to its export, to the workshop report. The conversation
    holds them (``annexes``); each returns nothing where it has nothing to add."""

    async def results(self, round_: Round, lang: Language) -> list[Output]:
        """Posted after the round's results (``/resultat``)."""
        ...

    async def tables(self, round_: Round, lang: Language) -> list[Table]:
        """Added to the round's CSV and XLSX export."""
        ...

    async def report_lines(self, round_: Round, lang: Language) -> list[tuple[str, str]]:
        """(heading, text) parts of the round's section in the report."""
        ...

    async def report_summary(self, rounds: Sequence[Round], lang: Language) -> list[str]:
        """Lines of the report's summary about ``rounds`` (the workshop's closed rounds)."""
        ...

    async def report_chapters(self, workshop: Workshop, lang: Language) -> list[Chapter]:
        """Chapters of the report after the rounds."""
        ...


#: A command an exercise adds beyond starting a round: gets the context, the turn and the arguments.
CommandHandler = Callable[[ExerciseContext, ExerciseTurn, tuple[str, ...]], Awaitable[None]]


@dataclass(frozen=True)
class ExerciseCommand:
    """A command an exercise declares beyond its start commands (e.g. the barometer's ``/rummet``)."""

    names: tuple[str, ...]
    handler: CommandHandler
    menu: Menu
    facilitator_only: bool = True
    #: Whether the admins of the room where the workshop was created lead it too (``chat_admins_lead``).
    room_admins: bool = False


#: What one simulated participant sees of a round's buttons: each button with its decoded action
#: and arguments (``None`` where the data is not the bot's).
DecodedButtons = Sequence[tuple[Button, tuple[str, tuple[int, ...]] | None]]


# --- the rules the service and the launch modal apply ----------------------------------------
@dataclass(frozen=True)
class RoundSpec:
    """A round as a launch form makes it: title, items (text, catalogue key) and settings."""

    title: str
    items: list[tuple[str, str]]
    settings: dict[str, int] = field(default_factory=dict)


class RoundRules(ABC):
    """The rules of one exercise's rounds that hold whatever chat they are started from.

    :class:`facilitation.service.WorkshopService` applies them by the round's kind (it keeps no
    rule of its own about a kind); the Slack launch modal makes its rounds with :meth:`launch`.
    Pure and light: no charts, no chat flow, so the service imports them at no cost.
    """

    kinds: tuple[RoundKind, ...] = ()
    #: Which catalogue of the process the items come from: ``"statements"`` or ``"principles"``.
    catalogue_name: str = "statements"

    @abstractmethod
    def catalogue(self, process: Process, lang: Language = Language.SV) -> list[tuple[str, str]]:
        """The process's catalogue of this kind as (text in ``lang``, key) pairs, in its order
        (an item's number is its place here)."""

    @abstractmethod
    def check_settings(self, kind: RoundKind, settings: dict[str, int], item_count: int) -> None:
        """Fill in the defaults of ``settings`` and refuse (DomainError) values the kind cannot run."""

    def check_answer(self, round_: Round, item: RoundItem, value: int) -> None:
        """Refuse (DomainError) a single answer (:meth:`WorkshopService.answer`) to ``round_``.

        By default a kind takes none: its answers come as whole ballots (``change_ballot``).
        """
        raise DomainError("error.bad_button")

    @abstractmethod
    def launch(
        self,
        kind: RoundKind,
        process: Process,
        lang: Language,
        entries: Sequence[tuple[str, str]],
        typed: Sequence[tuple[str, str]],
    ) -> RoundSpec:
        """The round a launch form makes of chosen catalogue ``entries`` and ``typed`` items
        (both (text, key) pairs), as the kind's own start command would make it."""


# --- the exercise ------------------------------------------------------------------------
class Exercise(ABC):
    """One exercise's chat flow: every member the conversation calls is declared here."""

    kinds: tuple[RoundKind, ...] = ()
    #: Button actions (see :class:`facilitation.buttons.ButtonCodec`) this exercise handles.
    actions: tuple[str, ...] = ()
    #: The commands that start a round (facilitators only): names, aliases together, and menu entry.
    starts: tuple[tuple[tuple[str, ...], Menu], ...] = ()
    #: Commands beyond starting a round, registered by the conversation when the exercise is added.
    commands: tuple[ExerciseCommand, ...] = ()

    @property
    def start_commands(self) -> tuple[str, ...]:
        return tuple(name for names, _menu in self.starts for name in names)

    @abstractmethod
    async def create_round(
        self,
        ctx: ExerciseContext,
        turn: ExerciseTurn,
        workshop: Workshop,
        process: Process,
        name: str,
        args: tuple[str, ...],
    ) -> Round:
        """A draft round for start command ``name`` with ``args``; raise DomainError to refuse."""

    @abstractmethod
    def instructions(self, round_: Round, lang: Language) -> str:
        """The explanation shown when the round opens."""

    @abstractmethod
    def posts(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Post]:
        """The messages with answer buttons for the round's current state."""

    @abstractmethod
    async def on_press(
        self, ctx: ExerciseContext, turn: ExerciseTurn, round_: Round, action: str, args: tuple[int, ...]
    ) -> str:
        """Apply a button press; returns the acknowledgement text. Raise DomainError to refuse."""

    @abstractmethod
    async def results(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Output]:
        """What to post when the round closes or results are asked for."""

    async def export(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Attachment]:
        """Aggregate exports of a closed round (CSV, XLSX); none by default."""
        return []

    async def tables(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
        """The aggregate tables of a closed round, the very ones :meth:`export` writes, for the
        workshop report's table of figures; none by default (or when the round publishes none)."""
        return []

    async def tally_note(self, ctx: ExerciseContext, round_: Round, lang: Language) -> str | None:
        """A line for the live tally of an open round (e.g. ballots that will not count yet).

        The tally only says how many have answered; an exercise whose stored answers can be
        incomplete uses this to say so in the room, never who. ``None``: nothing to add.
        """
        return None

    async def room_view(
        self, ctx: ExerciseContext, round_: Round, number: int, lang: Language
    ) -> list[Output] | None:
        """What the room answered to item ``number`` once its answers are final (posted when a
        step-by-step round moves on); ``None``: the exercise shows nothing then."""
        return None

    def simulated_presses(
        self, round_: Round, decoded: DecodedButtons, lean: Sequence[float], rng: random.Random
    ) -> list[str]:
        """The button data one simulated participant (local mode, demos) presses, in order.

        ``lean`` (one number per item position) biases the answers so sectors differ; none by default.
        """
        return []


@dataclass(frozen=True)
class ExerciseKind:
    """One exercise as the registry lists it: its round rules and a maker of its chat flow.

    The flow is made on demand so that the service, which needs only the rules, never loads
    the charts and the chat flow.
    """

    rules: RoundRules
    exercise: Callable[[], Exercise]


async def annex_tables(ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
    """What the conversation's annexes add to a closed round's export (a conclusion's table)."""
    return [table for annex in ctx.annexes for table in await annex.tables(round_, lang)]


async def process_of(ctx: ExerciseContext, round_: Round) -> Process | None:
    """The process (principle catalogue, statement bank, settings) the round's workshop runs."""
    workshop = await ctx.service.store.workshop(round_.workshop_id)
    return ctx.service.processes.get(workshop.process_key) if workshop else None


def t_count(key: str, lang: Language | str, count: int, /, **params: object) -> str:
    """``key.one`` when ``count`` is 1, else ``key.other``, with ``count`` filled in.

    Swedish adjectives and English nouns change with the number ("1 ofullständigt svar",
    "3 ofullständiga svar"; "1 response", "3 responses"), so count texts come in both forms.
    """
    return t(count_key(key, count), lang, count=count, **params)


def count_key(key: str, count: int) -> str:
    """The text key for ``count`` of something: ``key.one`` or ``key.other`` (see :func:`t_count`)."""
    return f"{key}.{'one' if count == 1 else 'other'}"
