"""Domain value types shared by every part of the bot.

They are plain dataclasses so the domain can be exercised in tests without a database or a
chat platform; storage maps them to rows and adapters map them to platform payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Language(StrEnum):
    """Languages the bot speaks; Swedish is the default everywhere."""

    SV = "sv"
    EN = "en"


class Sector(StrEnum):
    """The keys of the default sectors (:data:`DEFAULT_SECTORS`); a process may define its own.

    A participant's sector is stored as its key (a ``str``); these members compare equal to it.
    """

    IDEBUREN = "ideburen"
    OFFENTLIG = "offentlig"
    ANNAN = "annan"


#: A sector key (``"ideburen"``, or a process's own), ``None`` for "no sector given".
SectorKey = str | None


@dataclass(frozen=True)
class SectorDef:
    """One sector a process splits its results by, with its names for headings and sentences.

    ``short`` is the form used inside a sentence and in compact lists ("högst för idéburen
    sektor", "annan 3,2"); it defaults to ``name``.
    """

    key: str
    name: str
    name_en: str = ""
    short: str = ""
    short_en: str = ""

    def name_in(self, lang: Language) -> str:
        """The heading in ``lang`` (the Swedish name where the process gives no English one)."""
        return (self.name_en or self.name) if lang == Language.EN else self.name

    def short_in(self, lang: Language) -> str:
        """The in-sentence form in ``lang``, falling back to the heading."""
        if lang == Language.EN:
            return self.short_en or self.name_en or self.short or self.name
        return self.short or self.name


#: The sectors of a process file that defines none: the agreements' two parties and "other".
DEFAULT_SECTORS: tuple[SectorDef, ...] = (
    SectorDef(
        Sector.IDEBUREN.value, "Idéburen sektor", "Idea-based sector", "idéburen sektor", "idea-based sector"
    ),
    SectorDef(
        Sector.OFFENTLIG.value, "Offentlig sektor", "Public sector", "offentlig sektor", "public sector"
    ),
    SectorDef(Sector.ANNAN.value, "Annan", "Other", "annan", "other"),
)


class RoundKind(StrEnum):
    """The exercise a round runs."""

    BAROMETER = "barometer"
    RANKING = "ranking"
    POINTS = "points"
    APPROVAL = "approval"
    FOLLOWUP = "followup"


class RoundStatus(StrEnum):
    """A round's lifecycle: draft → open → closed (never back)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Principle:
    """One principle of an agreement; ``local`` marks additions beyond the national six."""

    key: str
    name: str
    description: str = ""
    local: bool = False
    name_en: str = ""

    def name_in(self, lang: Language) -> str:
        """The name in ``lang`` (the Swedish name where the process gives no English one)."""
        return (self.name_en or self.name) if lang == Language.EN else self.name


@dataclass(frozen=True)
class Statement:
    """One Åsiktsbarometer statement from a process's statement bank."""

    key: str
    text: str
    text_en: str = ""

    def text_in(self, lang: Language) -> str:
        """The statement in ``lang`` (the Swedish text where the process gives no English one)."""
        return (self.text_en or self.text) if lang == Language.EN else self.text


@dataclass(frozen=True)
class Commitment:
    """One commitment (åtagande) of the agreement: its text, the party that made it
    (``"offentlig"``, ``"ideburen"`` or ``"bada"``) and the keys of the principles it serves.
    ``/uppfoljning`` asks how well each was met (:mod:`facilitation.followup`)."""

    key: str
    text: str
    party: str
    principles: tuple[str, ...] = ()
    text_en: str = ""

    def text_in(self, lang: Language) -> str:
        """The commitment in ``lang`` (the Swedish text where the process gives no English one)."""
        return (self.text_en or self.text) if lang == Language.EN else self.text


@dataclass(frozen=True)
class Process:
    """A regional Överenskommelse process with its principle catalogue and statement bank."""

    key: str
    name: str
    region: str = ""
    year: int | None = None
    description: str = ""
    principles: tuple[Principle, ...] = ()
    statements: tuple[Statement, ...] = ()
    scale_steps: int = 5
    min_group_size: int | None = None
    #: The sectors participants choose from and results are split by, in presentation order.
    sectors: tuple[SectorDef, ...] = DEFAULT_SECTORS
    #: Closed barometer rounds (by number) that are the process's official earlier year: any
    #: workshop of the process may ``/jamfor`` them, not only one its facilitator leads.
    official_rounds: tuple[int, ...] = ()
    #: Barometers offer "Vet inte / berör inte oss" beside the scale (the process file's switch).
    dont_know: bool = False
    #: The parties' commitments (åtaganden), followed up year by year with ``/uppfoljning``.
    commitments: tuple[Commitment, ...] = ()


@dataclass
class Workshop:
    """A workshop or dialogue meeting session that participants join with a short code."""

    id: int
    process_key: str
    title: str
    join_code: str
    language: Language = Language.SV
    created_at: datetime | None = None
    #: A closed barometer round (often last year's meeting) the next barometer is drawn against.
    compare_round_id: int | None = None


@dataclass(frozen=True)
class ChatBinding:
    """The workshop a chat is in, and whether the workshop was created in that chat.

    ``origin`` matters for ``group_admins_are_facilitators``: a group's admins lead only the
    workshops started in their group, never one whose room they got by ``/delta KOD``.
    """

    workshop_id: int
    origin: bool = False


@dataclass
class Participant:
    """A participant known only by a pseudonymous key (keyed hash of platform, user id and workshop)."""

    key: str
    workshop_id: int
    sector: SectorKey = None
    organisation: str | None = None


@dataclass(frozen=True)
class ResultFrame:
    """What a round's results are split and judged by: the minimum group size and the sectors.

    Fixed into the round when its first answers become final, so a later change of
    ``min_group_size`` or of the process's sector list cannot change — and so reveal — what a
    closed round publishes.
    """

    min_group_size: int
    sectors: tuple[SectorDef, ...] = DEFAULT_SECTORS


@dataclass(frozen=True)
class FrozenAnswer:
    """One final answer, copied without any key when its item was frozen.

    ``sector`` is the participant's sector at that moment (``None``: none, or one the process
    no longer has). ``ballot`` numbers the participants of one freeze in a shuffled order, so a
    prioritisation's answers can be regrouped into ballots; it says nothing about who, and the
    same person has another number in a later freeze of the same round.
    """

    item_id: int
    ballot: int
    sector: SectorKey
    value: int


@dataclass
class RoundItem:
    """A statement or principle inside a round; ``position`` orders them from 0.

    ``number`` is what people see: its number in the process's catalogue (``/barometer 1,3``
    keeps 1 and 3), or ``position + 1`` when it has none (0 is filled in so).
    """

    id: int
    position: int
    text: str
    ref_key: str = ""
    #: Its answers are final and copied, without keys, into the round's frozen answers.
    frozen: bool = False
    number: int = 0

    def __post_init__(self) -> None:
        if self.number == 0:
            self.number = self.position + 1


@dataclass
class Round:
    """One exercise run inside a workshop.

    ``settings`` holds exercise parameters: ``scale_steps`` for a barometer, ``top_k`` for a
    ranking, ``budget`` for points. ``current_position`` is the statement shown when the
    facilitator steps through one item at a time (``None`` means all items are shown).

    ``frame`` is what the round's results are judged by — the minimum group size and the
    sectors — fixed the first time an answer of it becomes final (a step on, or the close), and
    ``turnout`` is how many took part, fixed at the close: a closed round's published figures
    never change, whatever the configuration or the participants do afterwards.
    """

    id: int
    workshop_id: int
    kind: RoundKind
    title: str
    status: RoundStatus = RoundStatus.DRAFT
    items: list[RoundItem] = field(default_factory=list)
    settings: dict[str, int] = field(default_factory=dict)
    current_position: int | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    compare_round_id: int | None = None
    frame: ResultFrame | None = None
    turnout: int | None = None

    def item(self, item_id: int) -> RoundItem | None:
        """The item with ``item_id`` if it belongs to this round."""
        return next((it for it in self.items if it.id == item_id), None)

    @property
    def scale_steps(self) -> int:
        return int(self.settings.get("scale_steps", 5))

    @property
    def dont_know(self) -> bool:
        """Whether this barometer offers "Vet inte / berör inte oss" (stored as the value 0)."""
        return bool(self.settings.get("dont_know", 0))


@dataclass(frozen=True)
class Response:
    """One participant's answer to one item: a scale step, a rank position or points."""

    round_id: int
    item_id: int
    participant_key: str
    value: int


@dataclass(frozen=True)
class SectorValues:
    """Anonymous answers to one item, grouped by sector; the input of every aggregation.

    ``by_sector`` maps a sector (or ``None`` for participants who did not say) to the list of
    values given. No participant key travels with the values.
    """

    item_text: str
    by_sector: dict[SectorKey, list[int]]

    @property
    def all_values(self) -> list[int]:
        return [v for values in self.by_sector.values() for v in values]
