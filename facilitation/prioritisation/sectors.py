"""Per-sector prioritisation results under the disclosure rule, and where sectors differ.

A small group's result identifies its members, and the agreements forbid exposing them. Which
groups are shown, pooled ("Övriga") or left out is decided by
:func:`facilitation.suppression.disclose`, the same rule the barometer uses: the overall result
is counted only over the groups the rule includes, so "overall minus the shown groups" is never
a group below the minimum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from facilitation.groups import group_order, known_groups
from facilitation.model import DEFAULT_SECTORS, RoundKind, SectorDef, SectorKey
from facilitation.prioritisation.methods import Ballot, PriorityResult, aggregate
from facilitation.suppression import POOLED, Disclosure, Hidden, disclose

DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class SectorResult:
    """One group's result, or ``result=None`` when hidden (then only ``reason`` is known).

    ``sector`` is a group key: a sector, ``None`` (no sector) or
    :data:`~facilitation.suppression.POOLED` for the small groups shown together.
    """

    sector: SectorKey
    result: PriorityResult | None
    reason: Hidden | None = None
    pooled: bool = False

    @property
    def suppressed(self) -> bool:
        return self.result is None


@dataclass(frozen=True)
class SectorSplit:
    """A prioritisation under the disclosure rule: the overall result and the groups.

    ``result`` is counted over the groups the rule includes (``None`` when no ballot is
    included: the room is below the minimum); ``by_sector`` has one entry per group with
    ballots, in presentation order, then the pooled panel if there is one.
    """

    result: PriorityResult | None
    by_sector: dict[SectorKey, SectorResult]
    disclosure: Disclosure[SectorKey]

    @property
    def compared(self) -> bool:
        return self.disclosure.compared


def split_by_sector(
    kind: RoundKind,
    ballots_by_sector: Mapping[SectorKey, Sequence[Ballot]],
    items: Sequence[int],
    *,
    top_k: int | None = None,
    budget: int | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    sectors: Sequence[SectorDef] = DEFAULT_SECTORS,
) -> SectorSplit:
    """The overall result and the per-group results the disclosure rule allows.

    Every ballot is validated (also in hidden groups) so bad data fails the same way everywhere.
    """
    grouped = known_groups({key: list(ballots) for key, ballots in ballots_by_sector.items()}, sectors)
    disclosure = disclose(
        {key: len(b) for key, b in grouped.items()}, min_group_size, order=group_order(sectors).__getitem__
    )
    out: dict[SectorKey, SectorResult] = {}
    for key, ballots in grouped.items():
        result = aggregate(kind, ballots, items, top_k, budget)
        if key in disclosure.shown:
            out[key] = SectorResult(key, result)
        else:
            out[key] = SectorResult(key, None, disclosure.hidden[key], key in disclosure.pooled)
    if disclosure.pooled:
        pooled = [b for key in disclosure.pooled for b in grouped[key]]
        out[POOLED] = SectorResult(POOLED, aggregate(kind, pooled, items, top_k, budget))
    included = [b for key in disclosure.included for b in grouped[key]]
    overall = aggregate(kind, included, items, top_k, budget) if included else None
    return SectorSplit(overall, out, disclosure)


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
    """Principles ordered by the largest gap between shown panels (max − min normalised score).

    Hidden groups never take part (the pooled panel does); with fewer than two shown panels there
    is nothing to compare and the list is empty. Equal spreads keep the round's item order.
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
