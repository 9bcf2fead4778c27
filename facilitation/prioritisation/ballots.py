"""Ballot validation and immutable phone-friendly ballot drafts.

A ballot is what storage keeps for one participant: ``{item_id: value}`` where the value is a
rank position (1 = most important; only ranked items), the points given (0-point items not
stored) or 1 for an approved item. Validation raises :class:`DomainError` before anything is
stored, so bad input changes nothing. Drafts are frozen: every button press returns a new draft,
which makes "undo" and concurrent button presses trivial to reason about.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import pairwise

from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.model import Language, RoundKind

Ballot = Mapping[int, int]
PRIORITY_KINDS = (RoundKind.RANKING, RoundKind.POINTS, RoundKind.APPROVAL)


def validate_ballot(
    kind: RoundKind,
    ballot: Ballot,
    item_ids: Collection[int],
    *,
    top_k: int | None = None,
    budget: int | None = None,
) -> None:
    """Refuse an invalid ballot with a :class:`DomainError` the participant can act on.

    An empty ballot is refused for every kind: storage keeps no rows for it, so it could not be
    told apart from not voting. A ranking may be shorter than ``top_k`` (positions 1..r without
    gaps); points must sum to ``budget`` when one is given.
    """
    if kind not in PRIORITY_KINDS:
        raise ValueError(f"{kind} is not a prioritisation round")
    if not ballot:
        raise DomainError("prio.error.empty_ballot")
    known = set(item_ids)
    if any(item not in known for item in ballot):
        raise DomainError("prio.error.unknown_item")
    if kind is RoundKind.RANKING:
        _validate_ranking(ballot, top_k if top_k is not None else len(known))
    elif kind is RoundKind.POINTS:
        _validate_points(ballot, budget)
    elif any(value != 1 for value in ballot.values()):
        raise DomainError("prio.error.approval_value")


def _validate_ranking(ballot: Ballot, k: int) -> None:
    positions = sorted(ballot.values())
    if positions[0] < 1:
        raise DomainError("prio.error.rank_invalid")
    for previous, current in pairwise(positions):
        if current == previous:
            raise DomainError("prio.error.duplicate_rank", position=current)
    if positions[-1] > k:
        raise DomainError("prio.error.rank_beyond_k", k=k)
    for expected, position in enumerate(positions, start=1):
        if position != expected:
            raise DomainError("prio.error.rank_gap", position=expected)


def _validate_points(ballot: Ballot, budget: int | None) -> None:
    if any(value < 0 for value in ballot.values()):
        raise DomainError("prio.error.negative_points")
    given = sum(ballot.values())
    if budget is not None and given != budget:
        raise DomainError("prio.error.points_sum", given=given, budget=budget)


def _name(texts: Mapping[int, str], item: int) -> str:
    return texts.get(item, f"#{item}")


@dataclass(frozen=True)
class RankingDraft:
    """A ranking built one tap at a time: each tapped item takes the next position."""

    item_ids: tuple[int, ...]
    top_k: int | None = None
    order: tuple[int, ...] = ()

    @classmethod
    def from_ballot(cls, item_ids: Iterable[int], ballot: Ballot, top_k: int | None = None) -> RankingDraft:
        """Resume from a stored ballot so a participant can change their mind."""
        return cls(tuple(item_ids), top_k, tuple(sorted(ballot, key=ballot.__getitem__)))

    @property
    def k(self) -> int:
        return min(self.top_k or len(self.item_ids), len(self.item_ids))

    @property
    def next_position(self) -> int:
        return len(self.order) + 1

    @property
    def is_complete(self) -> bool:
        return len(self.order) >= self.k

    def add(self, item: int) -> RankingDraft:
        """The draft with ``item`` at the next position."""
        if item not in self.item_ids:
            raise DomainError("prio.error.unknown_item")
        if item in self.order:
            raise DomainError("prio.error.already_ranked")
        if self.is_complete:
            raise DomainError("prio.error.ranking_full", k=self.k)
        return replace(self, order=(*self.order, item))

    def undo(self) -> RankingDraft:
        """The draft without its last pick."""
        if not self.order:
            raise DomainError("prio.error.nothing_to_undo")
        return replace(self, order=self.order[:-1])

    def clear(self) -> RankingDraft:
        return replace(self, order=())

    def to_ballot(self) -> dict[int, int]:
        """The stored form; validated, so a draft never yields an invalid ballot."""
        ballot = {item: position for position, item in enumerate(self.order, start=1)}
        validate_ballot(RoundKind.RANKING, ballot, self.item_ids, top_k=self.k)
        return ballot

    def render_state(self, texts: Mapping[int, str], lang: Language = Language.SV) -> str:
        lines = [f"{pos}. {_name(texts, item)}" for pos, item in enumerate(self.order, start=1)]
        if self.is_complete:
            lines.append(t("prio.draft.ranking.done", lang, k=self.k))
        else:
            if not lines:
                lines.append(t("prio.draft.ranking.empty", lang))
            lines.append(t("prio.draft.ranking.next", lang, position=self.next_position, k=self.k))
        return "\n".join(lines)


@dataclass(frozen=True)
class PointsDraft:
    """Points handed out in steps (e.g. ±10 of 100, or ±1 of N dots), never beyond the budget.

    Until the whole budget is given the ballot is stored but not counted, so the running state
    says so on every press (``dots`` only changes the word: points or dots).
    """

    item_ids: tuple[int, ...]
    budget: int
    step: int = 1
    points: tuple[tuple[int, int], ...] = ()
    dots: bool = False

    def __post_init__(self) -> None:
        if self.budget <= 0 or self.step <= 0:
            raise ValueError("budget and step must be positive")

    @classmethod
    def from_ballot(
        cls, item_ids: Iterable[int], ballot: Ballot, budget: int, step: int = 1, *, dots: bool = False
    ) -> PointsDraft:
        return cls(tuple(item_ids), budget, step, tuple(sorted((i, v) for i, v in ballot.items() if v)), dots)

    def of(self, item: int) -> int:
        return dict(self.points).get(item, 0)

    @property
    def used(self) -> int:
        return sum(v for _, v in self.points)

    @property
    def remaining(self) -> int:
        return self.budget - self.used

    @property
    def is_complete(self) -> bool:
        return self.remaining == 0

    def _with(self, item: int, value: int) -> PointsDraft:
        current = dict(self.points)
        current[item] = value
        return replace(self, points=tuple(sorted((i, v) for i, v in current.items() if v)))

    def add(self, item: int) -> PointsDraft:
        """One step more for ``item``; the last step is cut to what is left."""
        if item not in self.item_ids:
            raise DomainError("prio.error.unknown_item")
        if self.remaining == 0:
            raise DomainError("prio.error.no_points_left")
        return self._with(item, self.of(item) + min(self.step, self.remaining))

    def remove(self, item: int) -> PointsDraft:
        """One step less for ``item`` (not below zero)."""
        if item not in self.item_ids:
            raise DomainError("prio.error.unknown_item")
        if self.of(item) == 0:
            raise DomainError("prio.error.no_points_on_item")
        return self._with(item, max(self.of(item) - self.step, 0))

    def clear(self) -> PointsDraft:
        return replace(self, points=())

    def to_ballot(self) -> dict[int, int]:
        ballot = dict(self.points)
        validate_ballot(RoundKind.POINTS, ballot, self.item_ids, budget=self.budget)
        return ballot

    def render_state(self, texts: Mapping[int, str], lang: Language = Language.SV) -> str:
        given = sorted(self.points, key=lambda iv: (-iv[1], self.item_ids.index(iv[0])))
        lines = [t("prio.draft.points.line", lang, name=_name(texts, i), points=v) for i, v in given]
        lines.append(self.status(lang))
        return "\n".join(lines)

    def status(self, lang: Language = Language.SV) -> str:
        """One line: counted (all given) or not counted yet, with what is left to give."""
        unit = "dots" if self.dots else "points"
        if self.is_complete:
            return t(f"prio.draft.{unit}.done", lang, budget=self.budget)
        return t(f"prio.draft.{unit}.remaining", lang, remaining=self.remaining, budget=self.budget)


@dataclass(frozen=True)
class ApprovalDraft:
    """A set of marked items; a tap toggles one."""

    item_ids: tuple[int, ...]
    chosen: frozenset[int] = frozenset()

    @classmethod
    def from_ballot(cls, item_ids: Iterable[int], ballot: Ballot) -> ApprovalDraft:
        return cls(tuple(item_ids), frozenset(i for i, v in ballot.items() if v))

    @property
    def is_complete(self) -> bool:
        return bool(self.chosen)

    def toggle(self, item: int) -> ApprovalDraft:
        if item not in self.item_ids:
            raise DomainError("prio.error.unknown_item")
        return replace(self, chosen=self.chosen ^ {item})

    def clear(self) -> ApprovalDraft:
        return replace(self, chosen=frozenset())

    def to_ballot(self) -> dict[int, int]:
        ballot = dict.fromkeys(sorted(self.chosen), 1)
        validate_ballot(RoundKind.APPROVAL, ballot, self.item_ids)
        return ballot

    def render_state(self, texts: Mapping[int, str], lang: Language = Language.SV) -> str:
        lines = [f"✓ {_name(texts, i)}" for i in self.item_ids if i in self.chosen]
        if lines:
            lines.append(t("prio.draft.approval.count", lang, count=len(lines)))
        else:
            lines.append(t("prio.draft.approval.none", lang))
        return "\n".join(lines)
