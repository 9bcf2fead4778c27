"""Where the sectors agree, and whether a difference between them is more than chance.

Both read only what a result publishes: the answer distributions of the panels the disclosure
rule shows side by side (a sector, or the pooled small groups), one mapping per statement. A
distribution is the multiset of answers, so nothing here needs anyone's individual answer.

**Group-informed consensus** (as in Pol.is). For panel g of a statement, S_g is the number of
answers on the scale (a "Vet inte" answer is not on the scale), A_g the answers on the agree side
of the middle (steps above (K + 1)/2) and D_g those on the disagree side (below it); a middle
step counts in S_g but on neither side. The smoothed agree share (A_g + 1)/(S_g + 2) is the
Laplace estimate of how likely a member of g agrees: small panels are pulled towards ½. The
statement's agree consensus is the product of it over the panels, the disagree consensus the
same with D_g. A statement is listed as one the sectors agree on when every panel has a majority
on that side (A_g > S_g/2, equivalently a smoothed share above ½), ranked by the product.

**Permutation test.** The difference between panels is the score of
:func:`facilitation.barometer.metrics.dividing_statements`: over every pair of panels, the
largest (gap between means/(K − 1) + earth mover's distance)/2. Under "the sector makes no
difference", any assignment of the panel labels to the pooled answers (keeping the panel sizes)
is as likely as the one observed. :data:`PERMUTATIONS` such assignments are drawn; the p-value is
(1 + the number at least as large as the observed score)/(1 + :data:`PERMUTATIONS`). Over the
statements of a round the p-values are adjusted with Holm's step-down method, and a difference
counts as more than chance when its adjusted p-value is below :data:`SIGNIFICANCE`.

The draws are deterministic: their random keys are SplitMix64 of a counter, seeded from the
round and the statement (:func:`statement_seed`) — integer arithmetic that gives the same
numbers on every machine and every version, so a closed round's published p-values never change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar

import numpy as np

from facilitation.barometer.metrics import StatementStats

K = TypeVar("K", bound=Hashable | None)

#: Random assignments drawn per statement; the smallest possible p-value is 1/2000.
PERMUTATIONS = 1999
#: A difference is more than chance when its Holm-adjusted p-value is below this.
SIGNIFICANCE = 0.05
#: Scores closer than this count as equal (float noise; real differences are far larger).
_TIE = 1e-9
_ROWS_PER_CHUNK = 500


class Side(StrEnum):
    """The side of the scale the sectors agree on; text keys ``barometer.consensus.<value>``."""

    AGREE = "agree"
    DISAGREE = "disagree"


@dataclass(frozen=True)
class PanelCounts:
    """One panel's answers on a statement: A (agree side), D (disagree side), S (on the scale)."""

    agree: int
    disagree: int
    answers: int

    @classmethod
    def of(cls, stats: StatementStats) -> PanelCounts:
        centre = (stats.steps + 1) / 2
        agree = sum(c for v, c in enumerate(stats.distribution, 1) if v > centre)
        disagree = sum(c for v, c in enumerate(stats.distribution, 1) if v < centre)
        return cls(agree, disagree, stats.n)

    def on(self, side: Side) -> int:
        return self.agree if side is Side.AGREE else self.disagree

    def smoothed(self, side: Side) -> float:
        """(X + 1)/(S + 2) for X = A or D: the Laplace-smoothed share on ``side``."""
        return (self.on(side) + 1) / (self.answers + 2)

    def share(self, side: Side) -> float:
        return self.on(side) / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class Consensus(Generic[K]):
    """A statement on which every panel has a majority on ``side``; ``score`` is the product of
    the panels' smoothed shares on that side (0–1, higher = more clearly shared)."""

    index: int
    side: Side
    score: float
    panels: dict[K, PanelCounts]


def consensus_score(panels: Mapping[K, PanelCounts], side: Side) -> float:
    """The product over panels of (X_g + 1)/(S_g + 2), X = A (agree) or D (disagree)."""
    score = 1.0
    for counts in panels.values():
        score *= counts.smoothed(side)
    return score


def consensus_statements(shown: Sequence[Mapping[K, StatementStats]]) -> dict[Side, list[Consensus[K]]]:
    """Per side, the statements every panel agrees on, most clearly shared first.

    ``shown`` holds, per statement, the panels the disclosure rule draws side by side; a
    statement with fewer than two panels compares nothing and is left out. Equal scores keep
    statement order.
    """
    found: dict[Side, list[Consensus[K]]] = {Side.AGREE: [], Side.DISAGREE: []}
    for index, panels in enumerate(shown):
        if len(panels) < 2:
            continue
        counts = {key: PanelCounts.of(stats) for key, stats in panels.items()}
        for side in Side:
            if all(c.on(side) * 2 > c.answers for c in counts.values()):
                found[side].append(Consensus(index, side, consensus_score(counts, side), counts))
    return {side: sorted(entries, key=lambda c: -c.score) for side, entries in found.items()}


# --- is the difference more than chance? -------------------------------------------------------


def statement_seed(round_id: int, position: int) -> int:
    """The permutation draws' seed for one statement of one round (64 bits of SHA-256)."""
    digest = hashlib.sha256(f"dialogbot-permutation:{round_id}:{position}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _splitmix64(counter: np.ndarray) -> np.ndarray:
    """SplitMix64 (Steele, Lea & Flood 2014) of each counter: well-mixed 64-bit keys, exact integer
    arithmetic (wrapping modulo 2⁶⁴), the same on every platform."""
    z = counter + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def difference_scores(values: np.ndarray, sizes: Sequence[int], steps: int, orders: np.ndarray) -> np.ndarray:
    """The difference score for each row of ``orders`` (a permutation of the pooled answers; the
    first ``sizes[0]`` go to panel 0, the next to panel 1, …)."""
    rows, groups = orders.shape[0], len(sizes)
    labels = np.repeat(np.arange(groups), sizes)
    cells = np.arange(rows)[:, None] * (groups * steps) + labels[None, :] * steps + (values[orders] - 1)
    counts = np.bincount(cells.ravel(), minlength=rows * groups * steps).reshape(rows, groups, steps)
    n = np.asarray(sizes, dtype=float)[None, :]
    means = (counts * np.arange(1, steps + 1)).sum(axis=2) / n
    cumulative = np.cumsum(counts[:, :, :-1], axis=2) / n[:, :, None]
    best = np.zeros(rows)
    for a in range(groups):
        for b in range(a + 1, groups):
            gap = np.abs(means[:, a] - means[:, b]) / (steps - 1)
            distance = np.abs(cumulative[:, a] - cumulative[:, b]).sum(axis=1) / (steps - 1)
            best = np.maximum(best, (gap + distance) / 2)
    return best


def permutation_p(panels: Sequence[StatementStats], seed: int, permutations: int = PERMUTATIONS) -> float:
    """How often random panel labels give a difference at least as large as the observed one.

    ``panels`` are the distributions shown side by side (at least two, on one scale).
    """
    if len(panels) < 2 or len({p.steps for p in panels}) != 1 or any(p.n == 0 for p in panels):
        raise ValueError("a permutation test needs two or more non-empty panels on one scale")
    return _permutation_p(tuple(tuple(p.distribution) for p in panels), seed, permutations)


@lru_cache(maxsize=1024)
def _permutation_p(distributions: tuple[tuple[int, ...], ...], seed: int, permutations: int) -> float:
    """:func:`permutation_p` of the panels' distributions; a result and its export ask for the same
    statement's test, so the answer is kept (it is a pure function of its arguments)."""
    steps = len(distributions[0])
    values = np.concatenate([np.repeat(np.arange(1, steps + 1), d) for d in distributions])
    sizes = [sum(d) for d in distributions]
    total = len(values)
    observed = difference_scores(values, sizes, steps, np.arange(total)[None, :])[0]
    at_least = 0
    with np.errstate(over="ignore"):
        for start in range(0, permutations, _ROWS_PER_CHUNK):
            rows = min(_ROWS_PER_CHUNK, permutations - start)
            counter = np.arange(start * total, (start + rows) * total, dtype=np.uint64) + np.uint64(seed)
            keys = _splitmix64(counter).reshape(rows, total)
            orders = np.argsort(keys, axis=1, kind="stable")
            at_least += int(
                np.count_nonzero(difference_scores(values, sizes, steps, orders) >= observed - _TIE)
            )
    return (1 + at_least) / (1 + permutations)


def holm(pvalues: Mapping[K, float]) -> dict[K, float]:
    """Holm's step-down adjustment of p-values tested together (family-wise error control)."""
    ordered = sorted(pvalues.items(), key=lambda entry: entry[1])
    m = len(ordered)
    adjusted: dict[K, float] = {}
    running = 0.0
    for rank, (key, p) in enumerate(ordered):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[key] = running
    return adjusted


@dataclass(frozen=True)
class Significance:
    """The permutation test of one statement: raw and Holm-adjusted p-value."""

    index: int
    p: float
    adjusted: float

    @property
    def beyond_chance(self) -> bool:
        return self.adjusted < SIGNIFICANCE


def sector_differences_tested(
    shown: Sequence[Mapping[K, StatementStats]], round_id: int
) -> dict[int, Significance]:
    """The permutation test for every statement with two or more panels, Holm-adjusted together."""
    raw = {
        index: permutation_p(list(panels.values()), statement_seed(round_id, index))
        for index, panels in enumerate(shown)
        if len(panels) >= 2
    }
    adjusted = holm(raw)
    return {index: Significance(index, raw[index], adjusted[index]) for index in raw}


# --- is the room's make-up even? ----------------------------------------------------------------

#: A compared panel is under-represented when it holds fewer than this fraction of an even split.
SKEW_FRACTION = 2 / 3


@dataclass(frozen=True)
class Skew(Generic[K]):
    """A panel with far fewer answers than an even split of the compared answers would give it."""

    key: K
    n: int
    total: int
    even: float


def skewed_panels(shown: Sequence[Mapping[K, StatementStats]]) -> list[Skew[K]]:
    """The under-represented panels of a round, judged on its statement with the most compared answers.

    With k panels compared side by side, an even split gives each 1/k of the answers; a panel
    with less than :data:`SKEW_FRACTION` of that (for two panels: under a third, e.g. 8 of 30) is
    named, so nobody reads a comparison of 8 against 22 as two equal voices. Only panel sizes are
    used, which the sector chart publishes anyway; the first statement wins a tie.
    """
    compared = [panels for panels in shown if len(panels) >= 2]
    if not compared:
        return []
    panels = max(compared, key=lambda p: sum(s.n for s in p.values()))
    total = sum(s.n for s in panels.values())
    even = total / len(panels)
    return [
        Skew(key, stats.n, total, even) for key, stats in panels.items() if stats.n < SKEW_FRACTION * even
    ]


# --- the room -------------------------------------------------------------------------------


def most_divided(stats: Sequence[StatementStats]) -> int | None:
    """The statement on which the room is most divided, or ``None`` when the room is not divided.

    Only a *polarised* statement divides the room (van der Eijk's A < 0, closer to a split than
    to an even spread, with at least a quarter on each side); of those, the lowest A, first on
    ties. A room that agrees, or merely spreads out, has no "most divided" statement.
    """
    polarised = [(s.agreement, i) for i, s in enumerate(stats) if s.polarised and s.agreement is not None]
    return min(polarised)[1] if polarised else None
