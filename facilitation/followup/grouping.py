"""The follow-up grouped by principle and by party, computed from published figures only.

A group (a party's commitments, or those serving one principle) pools the *published*
distributions of its commitments: each commitment's overall result as the disclosure rule lets
it out, and per sector the panels shown side by side where that commitment compares the
sectors. A pooled figure is a sum of figures already published, so it cannot reveal a group the
rule hides. Its n counts answers (one person rates several commitments), never people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from facilitation.barometer.metrics import SectorBreakdown, StatementStats, statement_stats
from facilitation.followup.records import CommitmentTag
from facilitation.followup.scale import STEPS
from facilitation.groups import GroupKey

#: The parties in the order the chapter shows them.
PARTIES = ("offentlig", "ideburen", "bada")


@dataclass(frozen=True)
class GroupResult:
    """One group of commitments: ``by`` is ``"party"`` or ``"principle"``, ``key`` the party's or
    principle's key, ``positions`` the commitments (round positions) in it."""

    by: str
    key: str
    positions: tuple[int, ...]
    overall: StatementStats
    #: Per shown sector panel, the pooled panel and how many of the group's commitments it covers.
    panels: dict[GroupKey, StatementStats] = field(default_factory=dict)
    covered: dict[GroupKey, int] = field(default_factory=dict)


def pooled(stats: Sequence[StatementStats]) -> StatementStats:
    """One distribution of the answers of several published results (the sum of their counts)."""
    counts = [0] * STEPS
    for s in stats:
        for index, count in enumerate(s.distribution):
            counts[index] += count
    return statement_stats([value for value, count in enumerate(counts, 1) for _ in range(count)], STEPS)


def _group(
    by: str,
    key: str,
    positions: Sequence[int],
    breakdowns: Sequence[SectorBreakdown],
    order: Sequence[GroupKey],
) -> GroupResult:
    panels: dict[GroupKey, list[StatementStats]] = {}
    for position in positions:
        breakdown = breakdowns[position]
        if breakdown.compared:  # panels side by side only where the statement compares sectors
            for panel, stats in breakdown.shown.items():
                panels.setdefault(panel, []).append(stats)
    ordered = sorted(panels, key=lambda k: order.index(k) if k in order else len(order))
    return GroupResult(
        by,
        key,
        tuple(positions),
        pooled([breakdowns[p].overall for p in positions]),
        {panel: pooled(panels[panel]) for panel in ordered},
        {panel: len(panels[panel]) for panel in ordered},
    )


def group_results(
    breakdowns: Sequence[SectorBreakdown],
    tags: Sequence[CommitmentTag],
    principle_order: Sequence[str],
    group_order: Sequence[GroupKey],
) -> tuple[list[GroupResult], list[GroupResult]]:
    """The groups by party, then by principle (in ``principle_order``, then any other principle
    a commitment was tagged with when asked), each with at least one commitment."""
    by_party = [
        _group(
            "party", party, [i for i, tag in enumerate(tags) if tag.party == party], breakdowns, group_order
        )
        for party in PARTIES
        if any(tag.party == party for tag in tags)
    ]
    tagged = [key for tag in tags for key in tag.principles]
    keys = [k for k in principle_order if k in tagged] + sorted(
        {k for k in tagged if k not in principle_order}
    )
    by_principle = [
        _group(
            "principle",
            key,
            [i for i, tag in enumerate(tags) if key in tag.principles],
            breakdowns,
            group_order,
        )
        for key in keys
    ]
    return by_party, by_principle


def earlier_group(
    group: GroupResult, keys: Sequence[str], earlier: Mapping[str, StatementStats]
) -> StatementStats | None:
    """The group's result in an earlier year: its commitments asked then too (matched by key),
    pooled from what that year published; ``None`` if none of them was asked then."""
    matched = [earlier[keys[p]] for p in group.positions if keys[p] and keys[p] in earlier]
    return pooled(matched) if matched else None
