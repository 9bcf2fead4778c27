"""Per-sector prioritisation results with small groups suppressed, and where sectors differ.

A small group's result identifies its members, and the agreements forbid exposing them. A group
with 1 … ``min_group_size`` − 1 ballots is *suppressed*: only the fact that it is suppressed is
known, not its size. Because every count here is additive, a lone suppressed group could be
recovered as "overall result minus the shown groups" (complementary disclosure). So while the
suppressed groups together hold fewer than ``min_group_size`` ballots (always the case when
exactly one group is suppressed), the smallest shown group is suppressed too, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from facilitation.model import RoundKind, Sector
from facilitation.prioritisation.methods import Ballot, PriorityResult, aggregate
from facilitation.suppression import suppressed_groups as shared_suppressed_groups

DEFAULT_MIN_GROUP_SIZE = 5
SectorKey = Sector | None


@dataclass(frozen=True)
class SectorResult:
    """One sector's result, or ``result=None`` when suppressed (then nothing else is known)."""

    sector: SectorKey
    result: PriorityResult | None

    @property
    def suppressed(self) -> bool:
        return self.result is None


def suppressed_groups(sizes: Mapping[SectorKey, int], min_group_size: int) -> set[SectorKey]:
    """Groups to hide: the small ones plus, against subtraction, the next smallest as needed.

    "Not given" (``None``) is a group of its own here and shown when it is large enough.
    """
    return shared_suppressed_groups(sizes, min_group_size, order=_sort_key)


def _sort_key(sector: SectorKey) -> str:
    return "" if sector is None else sector.value


def aggregate_by_sector(
    kind: RoundKind,
    ballots_by_sector: Mapping[SectorKey, Sequence[Ballot]],
    items: Sequence[int],
    *,
    top_k: int | None = None,
    budget: int | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> dict[SectorKey, SectorResult]:
    """Results per sector that has ballots, in :class:`Sector` order with "not given" last.

    Every ballot is validated (also in hidden groups) so bad data fails the same way everywhere.
    """
    sizes = {s: len(b) for s, b in ballots_by_sector.items()}
    hidden = suppressed_groups(sizes, min_group_size)
    out: dict[SectorKey, SectorResult] = {}
    for sector in [*Sector, None]:
        ballots = ballots_by_sector.get(sector, ())
        if not ballots:
            continue
        result = aggregate(kind, ballots, items, top_k, budget)
        out[sector] = SectorResult(sector, None if sector in hidden else result)
    return out


@dataclass(frozen=True)
class SectorDifference:
    """How far apart the shown sectors put one principle (scores scaled to 0–1)."""

    item: int
    spread: float
    by_sector: dict[SectorKey, float]
    highest: SectorKey
    lowest: SectorKey


def normalised_score(result: PriorityResult, item: int) -> float:
    """The headline score as a share of its maximum, so sectors of any size compare.

    Borda is divided by n(m − 1), points by all points given, approval is already a share.
    """
    if not result.n_ballots:
        return 0.0
    if result.kind is RoundKind.APPROVAL:
        return result.score(item)
    if result.kind is RoundKind.POINTS:
        total = sum(result.score(i) for i in result.items)
        return result.score(item) / total if total else 0.0
    return result.score(item) / (result.n_ballots * max(len(result.items) - 1, 1))


def sector_differences(results_by_sector: Mapping[SectorKey, SectorResult]) -> list[SectorDifference]:
    """Principles ordered by the largest gap between shown sectors (max − min normalised score).

    Suppressed sectors never take part; with fewer than two shown sectors there is nothing to
    compare and the list is empty. Equal spreads keep the round's item order.
    """
    shown = {s: r.result for s, r in results_by_sector.items() if r.result is not None}
    if len(shown) < 2:
        return []
    items = next(iter(shown.values())).items
    diffs = []
    for item in items:
        values = {s: normalised_score(res, item) for s, res in shown.items()}
        highest = max(values, key=values.__getitem__)
        lowest = min(values, key=values.__getitem__)
        diffs.append(SectorDifference(item, values[highest] - values[lowest], values, highest, lowest))
    return sorted(diffs, key=lambda d: -d.spread)
