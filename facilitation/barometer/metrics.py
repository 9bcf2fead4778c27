"""What the room thinks of a statement: distribution, shares, agreement, dispersion, sector splits.

Definitions used (all on the ordered steps 1..K, K = ``steps``):

* **Agreement A** — van der Eijk, C. (2001) "Measuring agreement in ordered rating scales",
  *Quality & Quantity* 35: 325–341. A frequency distribution is peeled into *layers*: each layer
  is the pattern of non-empty categories times the smallest non-zero count. A layer with S
  non-empty categories has ``A = U · (1 − (S − 1)/(K − 1))`` where the unimodality
  ``U = ((K − 2)·TU − (K − 1)·TDU) / ((K − 2)·(TU + TDU))`` counts, over all ordered triples of
  categories, TU = patterns 110/011 (agree with unimodality) and TDU = 101 (bimodality); U = 1
  when there are neither. A of the distribution is the layers' A weighted by their share of
  respondents. A = 1 unanimity, 0 uniform, −1 half at each end.
* **Leik's D** — Leik, R. K. (1966) "A measure of ordinal consensus", *Pacific Sociological
  Review* 9(2): 85–90: ``D = 2/(K − 1) · Σ_{a<K} min(F_a, 1 − F_a)`` with F_a the cumulative
  share up to step a. D = 0 everyone on one step, 1 half at each end.

Sector splits follow the disclosure rule of :func:`facilitation.suppression.disclose`: a small
group's answer identifies its members, and so would the overall result minus the groups shown.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import combinations

from facilitation.barometer.scale import DONT_KNOW, check_steps, check_value
from facilitation.groups import group_keys, group_order, known_groups
from facilitation.model import DEFAULT_SECTORS, SectorDef, SectorKey, SectorValues
from facilitation.suppression import POOLED, Disclosure, Hidden, disclose

DEFAULT_MIN_GROUP_SIZE = 5
CONSENSUS_MIN_AGREEMENT = 0.5
POLARISED_MIN_SIDE_SHARE = 0.25


class Pattern(StrEnum):
    """A one-word reading of the room; text keys ``barometer.pattern.<value>``."""

    CONSENSUS = "consensus"
    POLARISED = "polarised"
    SPREAD = "spread"


@dataclass(frozen=True)
class StatementStats:
    """Aggregates of one statement; every metric is ``None`` when nobody answered.

    ``share_neutral`` is ``None`` on an even scale (it has no middle). ``polarised`` is true when
    A < 0 (closer to a split than to a uniform spread) *and* at least
    :data:`POLARISED_MIN_SIDE_SHARE` of the room is on each side; ``pattern`` is POLARISED then,
    CONSENSUS when A ≥ :data:`CONSENSUS_MIN_AGREEMENT`, otherwise SPREAD.
    """

    steps: int
    n: int
    distribution: tuple[int, ...]
    mean: float | None
    median: float | None
    share_agree: float | None
    share_disagree: float | None
    share_neutral: float | None
    agreement: float | None
    leik: float | None
    polarised: bool | None
    pattern: Pattern | None


def _pattern_agreement(pattern: Sequence[int]) -> Fraction:
    """A of one layer (a 0/1 pattern of non-empty categories), van der Eijk 2001 eq. 2–3."""
    k = len(pattern)
    tu = tdu = 0
    for i, j, m in combinations(range(k), 3):
        triple = (pattern[i], pattern[j], pattern[m])
        if triple == (1, 0, 1):
            tdu += 1
        elif triple in ((1, 1, 0), (0, 1, 1)):
            tu += 1
    u = Fraction(1) if tu + tdu == 0 else Fraction((k - 2) * tu - (k - 1) * tdu, (k - 2) * (tu + tdu))
    return u * (1 - Fraction(sum(pattern) - 1, k - 1))


def agreement(distribution: Sequence[int]) -> float | None:
    """Van der Eijk's A of counts per category (at least 3 categories); None without answers."""
    if len(distribution) < 3 or any(c < 0 for c in distribution):
        raise ValueError("agreement needs at least 3 categories and no negative counts")
    total = sum(distribution)
    if total == 0:
        return None
    rest = list(distribution)
    result = Fraction(0)
    while any(rest):
        pattern = [1 if c > 0 else 0 for c in rest]
        layer = min(c for c in rest if c > 0)
        result += Fraction(layer * sum(pattern), total) * _pattern_agreement(pattern)
        rest = [c - layer * p for c, p in zip(rest, pattern, strict=True)]
    return float(result)


def leik(distribution: Sequence[int]) -> float | None:
    """Leik's ordinal dispersion D (0 = all on one step, 1 = half at each end); None if empty."""
    total = sum(distribution)
    if total == 0 or len(distribution) < 2:
        return None
    cumulative = 0
    spread = Fraction(0)
    for count in distribution[:-1]:
        cumulative += count
        share = Fraction(cumulative, total)
        spread += min(share, 1 - share)
    return float(2 * spread / (len(distribution) - 1))


def statement_stats(values: Sequence[int], steps: int) -> StatementStats:
    """Aggregates of the answers to one statement; any value outside 1..steps is a ValueError."""
    check_steps(steps)
    for value in values:
        check_value(value, steps)
    counts = [0] * steps
    for value in values:
        counts[value - 1] += 1
    distribution = tuple(counts)
    n = len(values)
    if n == 0:
        return StatementStats(steps, 0, distribution, None, None, None, None, None, None, None, None, None)
    centre = (steps + 1) / 2
    agree = sum(c for v, c in enumerate(counts, 1) if v > centre) / n
    disagree = sum(c for v, c in enumerate(counts, 1) if v < centre) / n
    neutral = counts[steps // 2] / n if steps % 2 else None
    a = agreement(distribution)
    assert a is not None
    polarised = a < 0 and min(agree, disagree) >= POLARISED_MIN_SIDE_SHARE
    pattern = (
        Pattern.POLARISED
        if polarised
        else Pattern.CONSENSUS
        if a >= CONSENSUS_MIN_AGREEMENT
        else Pattern.SPREAD
    )
    return StatementStats(
        steps=steps,
        n=n,
        distribution=distribution,
        mean=statistics.fmean(values),
        median=float(statistics.median(values)),
        share_agree=agree,
        share_disagree=disagree,
        share_neutral=neutral,
        agreement=a,
        leik=leik(distribution),
        polarised=polarised,
        pattern=pattern,
    )


# --- sectors -------------------------------------------------------------------------------------


class GroupStatus(StrEnum):
    """Whether a sector's answers may be shown."""

    SHOWN = "shown"
    SUPPRESSED = "suppressed"
    EMPTY = "empty"


@dataclass(frozen=True)
class SectorGroup:
    """One group's result; a hidden group carries no stats, not even its size, only the reason.

    ``pooled`` marks a small group counted in the pooled panel ("Övriga") with others.
    """

    sector: SectorKey
    status: GroupStatus
    stats: StatementStats | None = None
    reason: Hidden | None = None
    pooled: bool = False
    #: "Vet inte" answers of a shown group (0 for a hidden one: they are published where its scale answers are).
    dont_know: int = 0

    @property
    def suppressed(self) -> bool:
        return self.status is GroupStatus.SUPPRESSED

    @property
    def n(self) -> int | None:
        """Answers in the group: 0 if empty, ``None`` (unknown) if suppressed."""
        if self.stats is not None:
            return self.stats.n
        return 0 if self.status is GroupStatus.EMPTY else None


@dataclass(frozen=True)
class SectorBreakdown:
    """What one statement may publish: the overall result, one group per sector, the pooled panel.

    ``overall`` is computed from the answers the disclosure rule lets into it (everyone, or the
    compared groups when a small residue is left out); when the room is below the minimum it is
    the stats of no answers and ``disclosure.overall`` is false. ``groups`` holds one entry per
    group the process knows (its sectors, then "no sector"); ``pooled`` the stats of the small
    groups shown together, if any. Hidden answers never reach any stats object here.
    """

    overall: StatementStats
    groups: tuple[SectorGroup, ...]
    min_group_size: int
    disclosure: Disclosure[SectorKey]
    pooled: StatementStats | None = None
    #: "Vet inte" answers of the groups in the published overall result, and of the pooled panel.
    dont_know: int = 0
    pooled_dont_know: int = 0

    def group(self, sector: SectorKey) -> SectorGroup:
        return next(g for g in self.groups if g.sector == sector)

    @property
    def shown(self) -> dict[SectorKey, StatementStats]:
        """Every panel that is drawn, by group key (the pooled one as :data:`POOLED`), in order."""
        panels = {g.sector: g.stats for g in self.groups if g.stats is not None}
        if self.pooled is not None:
            panels[POOLED] = self.pooled
        return panels

    @property
    def compared(self) -> bool:
        return self.disclosure.compared

    def dont_know_of(self, key: SectorKey) -> int:
        """The "Vet inte" answers of a shown panel (the pooled one as :data:`POOLED`)."""
        return self.pooled_dont_know if key == POOLED else self.group(key).dont_know


def sector_stats(
    sv: SectorValues,
    steps: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    sectors: Sequence[SectorDef] = DEFAULT_SECTORS,
) -> SectorBreakdown:
    """The published overall stats and per-group stats of one statement (see :func:`disclose`).

    All values, also of hidden groups, are validated first, so bad data fails the same way always.

    "Vet inte" answers (:data:`DONT_KNOW`) are taken out before anything is computed: the rule
    and every statistic see only the answers on the scale. A group's "Vet inte" count is
    published exactly where its scale answers are — its own panel, the pooled panel, the overall
    result — so it reveals nothing about a group the rule hides.
    """
    for value in sv.all_values:
        if value != DONT_KNOW:
            check_value(value, steps)
    everything = known_groups(sv.by_sector, sectors)
    by_group = {key: [v for v in values if v != DONT_KNOW] for key, values in everything.items()}
    unsure = {key: len(values) - len(by_group[key]) for key, values in everything.items()}
    by_group = {key: values for key, values in by_group.items() if values}
    order = group_order(sectors)
    disclosure = disclose(
        {key: len(values) for key, values in by_group.items()}, min_group_size, order=order.__getitem__
    )
    groups = []
    for key in group_keys(sectors):
        values = by_group.get(key, [])
        if not values:
            groups.append(SectorGroup(key, GroupStatus.EMPTY))
        elif key in disclosure.shown:
            groups.append(
                SectorGroup(
                    key, GroupStatus.SHOWN, statement_stats(values, steps), dont_know=unsure.get(key, 0)
                )
            )
        else:
            groups.append(
                SectorGroup(
                    key,
                    GroupStatus.SUPPRESSED,
                    reason=disclosure.hidden[key],
                    pooled=key in disclosure.pooled,
                )
            )
    included = [v for key in disclosure.included for v in by_group[key]]
    pooled = [v for key in disclosure.pooled for v in by_group[key]]
    return SectorBreakdown(
        statement_stats(included, steps),
        tuple(groups),
        min_group_size,
        disclosure,
        statement_stats(pooled, steps) if pooled else None,
        dont_know=sum(unsure.get(key, 0) for key in disclosure.included),
        pooled_dont_know=sum(unsure.get(key, 0) for key in disclosure.pooled),
    )


def distribution_distance(a: StatementStats, b: StatementStats) -> float:
    """Earth mover's distance between two answer distributions, scaled to 0..1 by (K − 1).

    On an ordered scale it is Σ|F_a − G_a| over the cumulative shares: how many steps, on
    average, answers must move to turn one room into the other.
    """
    if a.steps != b.steps or not a.n or not b.n:
        raise ValueError("distance needs two non-empty distributions on the same scale")
    fa = fb = 0.0
    total = 0.0
    for ca, cb in zip(a.distribution[:-1], b.distribution[:-1], strict=True):
        fa += ca / a.n
        fb += cb / b.n
        total += abs(fa - fb)
    return total / (a.steps - 1)


@dataclass(frozen=True)
class Division:
    """How far apart the shown panels are on statement ``index``.

    ``mean_gap`` is in scale steps (higher − lower mean of the most different pair);
    ``distance`` is :func:`distribution_distance` of that pair; ``score`` = (mean_gap/(K−1) +
    distance)/2 in 0..1 and orders the list. Keys are group keys (the pooled panel is
    :data:`~facilitation.suppression.POOLED`).
    """

    index: int
    text: str
    score: float
    mean_gap: float
    distance: float
    higher: SectorKey
    lower: SectorKey
    means: dict[SectorKey, float]


def dividing_statements(breakdowns: Sequence[SectorBreakdown], texts: Sequence[str]) -> list[Division]:
    """Statements ordered by how much the shown panels differ, most dividing first.

    Only panels the disclosure rule shows take part; a statement whose groups are not compared
    (fewer than two panels) is left out. Equal scores keep statement order.
    """
    divisions = []
    for index, (breakdown, text) in enumerate(zip(breakdowns, texts, strict=True)):
        if not breakdown.compared:
            continue
        shown = breakdown.shown
        steps = breakdown.overall.steps
        best: Division | None = None
        for (sa, a), (sb, b) in combinations(shown.items(), 2):
            assert a.mean is not None and b.mean is not None
            hi, lo = (sa, sb) if a.mean >= b.mean else (sb, sa)
            gap = abs(a.mean - b.mean)
            distance = distribution_distance(a, b)
            score = (gap / (steps - 1) + distance) / 2
            if best is None or score > best.score:
                means = {s: st.mean for s, st in shown.items() if st.mean is not None}
                best = Division(index, text, score, gap, distance, hi, lo, means)
        if best is not None:
            divisions.append(best)
    return sorted(divisions, key=lambda d: -d.score)


@dataclass(frozen=True)
class Change:
    """Current minus earlier; a delta is ``None`` when either side has no answers.

    ``delta_mean`` is also ``None`` when the two rounds used different scales (steps are then
    not the same distance apart); shares and A are comparable across scales.
    """

    n_current: int
    n_earlier: int
    delta_mean: float | None
    delta_share_agree: float | None
    delta_agreement: float | None


def _delta(current: float | None, earlier: float | None) -> float | None:
    return None if current is None or earlier is None else current - earlier


def compare(current: StatementStats, earlier: StatementStats) -> Change:
    """How a statement moved since an earlier round (e.g. last year's dialogue meeting)."""
    same_scale = current.steps == earlier.steps
    return Change(
        n_current=current.n,
        n_earlier=earlier.n,
        delta_mean=_delta(current.mean, earlier.mean) if same_scale else None,
        delta_share_agree=_delta(current.share_agree, earlier.share_agree),
        delta_agreement=_delta(current.agreement, earlier.agreement),
    )
