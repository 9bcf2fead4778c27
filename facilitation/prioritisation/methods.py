"""Counting methods for principle prioritisation: Borda, pairwise, Condorcet, Schulze, totals.

Every ballot is read as a weak order of the round's items (see :func:`utility`):

* RANKING: lower position is better; ranked beats unranked; unranked items are tied.
* POINTS: more points is better; equal points (incl. 0 / not stored) are tied.
* APPROVAL: approved beats not approved; within each group items are tied.

**Borda variant.** Full rankings: the item at position p of m gets m − p points. Truncated
(top-k) ballots use the *averaged* Borda count ("Borda_av" in Baumeister, Faliszewski, Lang &
Rothe, *Campaigns for lazy voters: truncated ballots*, AAMAS 2012; the "averaged" treatment in
Wikipedia's *Borda count* article): ranked items keep m − p points and the unranked items share
the remaining points equally, each getting (m − r − 1) / 2 when r items are ranked. We chose
it over "unranked get 0" because every ballot then hands out the same total m(m − 1) / 2, so a
short ballot weighs as much as a full one and bullet voting gains nothing; and because it equals
Saari's pairwise reading of Borda (one point per item beaten, half per tie), which keeps Borda,
the pairwise matrix and Schulze consistent. Ties on POINTS/APPROVAL ballots are scored the same
way, so :func:`borda` works for every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from facilitation.model import RoundKind
from facilitation.prioritisation.ballots import validate_ballot

Ballot = Mapping[int, int]
Matrix = dict[int, dict[int, int]]
Ranking = tuple[tuple[int, ...], ...]
"""Groups of tied items, best group first; within a group items keep the round's order."""


@dataclass(frozen=True)
class Scored:
    """Per-item scores and the ranking they induce (ties grouped)."""

    scores: dict[int, float]
    ranking: Ranking


@dataclass(frozen=True)
class SchulzeResult:
    """Strongest path strengths p[a][b] (winning votes) and the Schulze ranking."""

    strongest: Matrix
    ranking: Ranking


def utility(kind: RoundKind, ballot: Ballot, item: int) -> float:
    """How much the ballot likes ``item``; only the order of these numbers matters."""
    value = ballot.get(item)
    if kind is RoundKind.RANKING:
        return -float(value) if value is not None else float("-inf")
    if kind is RoundKind.POINTS:
        return float(value or 0)
    if kind is RoundKind.APPROVAL:
        return 1.0 if value else 0.0
    raise ValueError(f"{kind} is not a prioritisation round")


def rank_groups(scores: Mapping[int, float], items: Sequence[int], *, descending: bool = True) -> Ranking:
    """Items grouped by equal score, best first; members of a group keep the order of ``items``."""
    values = sorted(set(scores[i] for i in items), reverse=descending)
    return tuple(tuple(i for i in items if scores[i] == v) for v in values)


def pairwise_matrix(
    ballots: Sequence[Ballot], items: Sequence[int], kind: RoundKind = RoundKind.RANKING
) -> Matrix:
    """d[a][b] = number of ballots preferring a over b (ties count for neither)."""
    d: Matrix = {a: {b: 0 for b in items if b != a} for a in items}
    for ballot in ballots:
        u = {i: utility(kind, ballot, i) for i in items}
        for a in items:
            row = d[a]
            for b in row:
                if u[a] > u[b]:
                    row[b] += 1
    return d


def borda(ballots: Sequence[Ballot], items: Sequence[int], kind: RoundKind = RoundKind.RANKING) -> Scored:
    """Averaged Borda scores (see module docstring); no k is needed since truncation is read from each ballot."""
    return borda_from_matrix(pairwise_matrix(ballots, items, kind), items, len(ballots))


def borda_from_matrix(d: Matrix, items: Sequence[int], n: int) -> Scored:
    """Borda as one point per pairwise win and half a point per tie (Saari's identity)."""
    scores = {a: sum(d[a][b] + (n - d[a][b] - d[b][a]) / 2 for b in d[a]) for a in items}
    return Scored(scores, rank_groups(scores, items))


def mean_rank(ballots: Sequence[Ballot], items: Sequence[int], kind: RoundKind = RoundKind.RANKING) -> Scored:
    """Mean position (1 = best); tied/unranked items get the average of the positions they span.

    An item left out of a ballot ranking r items counts as position (r + 1 + m) / 2, the mean
    of r + 1 … m, so mean rank = m − Borda / n exactly. Empty input gives 0 for every item.
    """
    scores = _mean_rank_scores(borda(ballots, items, kind).scores, len(items), len(ballots))
    return Scored(scores, rank_groups(scores, items, descending=False))


def _mean_rank_scores(borda_scores: Mapping[int, float], m: int, n: int) -> dict[int, float]:
    return {i: (m - s / n) if n else 0.0 for i, s in borda_scores.items()}


def points_totals(ballots: Sequence[Ballot], items: Sequence[int]) -> Scored:
    """Sum of points each item received."""
    scores = {i: float(sum(b.get(i, 0) for b in ballots)) for i in items}
    return Scored(scores, rank_groups(scores, items))


def approval_shares(ballots: Sequence[Ballot], items: Sequence[int]) -> Scored:
    """Share (0–1) of ballots that include the item (approved, given points, or ranked in the top k)."""
    n = len(ballots)
    scores = {i: (sum(1 for b in ballots if b.get(i)) / n) if n else 0.0 for i in items}
    return Scored(scores, rank_groups(scores, items))


def condorcet_winner(
    ballots: Sequence[Ballot], items: Sequence[int], kind: RoundKind = RoundKind.RANKING
) -> int | None:
    """The item beating every other item head to head, if there is one."""
    return condorcet_from_matrix(pairwise_matrix(ballots, items, kind), items)


def condorcet_from_matrix(d: Matrix, items: Sequence[int]) -> int | None:
    for a in items:
        if all(d[a][b] > d[b][a] for b in d[a]):
            return a
    return None


def schulze(
    ballots: Sequence[Ballot], items: Sequence[int], kind: RoundKind = RoundKind.RANKING
) -> SchulzeResult:
    """Schulze method (Schulze 2011, Social Choice and Welfare 36:267–303), winning-votes strength."""
    return schulze_from_matrix(pairwise_matrix(ballots, items, kind), items)


def schulze_from_matrix(d: Matrix, items: Sequence[int]) -> SchulzeResult:
    """Widest paths by Floyd–Warshall, then the Schulze ranking of the relation they define.

    Schulze (2011, §4) defines a ≻ b iff p[a][b] > p[b][a] and proves the relation transitive;
    the winners are the items no other item beats. The ranking repeats that on what is left
    (:func:`unbeaten_layers`): the first group is exactly the winners, and each later group is the
    winners once the earlier groups are set aside. So no item in a group beats another in it, no
    item beats an item of an earlier group, and every item after the first group is beaten by
    some item of the group just before it. Two items in different groups need not be ordered by
    ≻ (both can be unbeaten by each other), which is why counting wins, as votelib does, is not
    the same: with ballots 5>1>4>2 and 4>2>3, items 4 and 5 are both unbeaten, but 4 beats two
    items and 5 one.
    """
    p: Matrix = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in d[a]} for a in items}
    for k in items:
        for i in items:
            if i == k:
                continue
            for j in items:
                if j in (i, k):
                    continue
                p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return SchulzeResult(p, unbeaten_layers(items, lambda a, b: p[a][b] > p[b][a]))


def unbeaten_layers(items: Sequence[int], beats: Callable[[int, int], bool]) -> Ranking:
    """Groups of a strict partial order: the unbeaten items, then the unbeaten of the rest, …

    ``beats`` must be transitive and irreflexive (Schulze's relation is), so some item is
    always unbeaten; a cycle would be a programming error and is refused loudly.
    """
    remaining = list(items)
    ranking: list[tuple[int, ...]] = []
    while remaining:
        group = tuple(a for a in remaining if not any(beats(b, a) for b in remaining if b != a))
        if not group:
            raise ValueError("the relation has a cycle, so it has no unbeaten item")
        ranking.append(group)
        remaining = [a for a in remaining if a not in group]
    return tuple(ranking)


def place_of(ranking: Ranking) -> dict[int, int]:
    """Competition place (1, 2, 2, 4 …) of each item in a grouped ranking."""
    places: dict[int, int] = {}
    place = 1
    for group in ranking:
        for item in group:
            places[item] = place
        place += len(group)
    return places


@dataclass(frozen=True)
class ItemResult:
    """One principle's numbers; ``points`` is only set for POINTS rounds."""

    item: int
    borda: float
    mean_rank: float
    approval_share: float
    schulze_place: int
    points: int | None = None


#: A points budget up to this is handed out as dots, one per tap, and called dots ("prickar")
#: everywhere: on the phone, in the result text, on the charts and in the export.
DOTS_MAX_BUDGET = 20


def is_dots(budget: int | None) -> bool:
    """Whether a points round with ``budget`` is a dots round."""
    return budget is not None and budget <= DOTS_MAX_BUDGET


def headline(kind: RoundKind, r: ItemResult) -> float:
    """The number a chart shows for ``kind``: Borda points, total points or approval share."""
    if kind is RoundKind.POINTS:
        return float(r.points or 0)
    if kind is RoundKind.APPROVAL:
        return r.approval_share
    return r.borda


@dataclass(frozen=True)
class PriorityResult:
    """Everything a chart or an export needs about one set of ballots; no per-person data."""

    kind: RoundKind
    n_ballots: int
    items: tuple[int, ...]
    per_item: dict[int, ItemResult]
    condorcet_winner: int | None
    schulze_ranking: Ranking
    pairwise: Matrix
    strongest: Matrix
    order: tuple[int, ...]
    top_k: int | None = None
    budget: int | None = None

    def score(self, item: int) -> float:
        """The headline number: Borda points, total points or approval share by round kind."""
        return headline(self.kind, self.per_item[item])

    @property
    def measure(self) -> str:
        """Which number decides, as a text-key suffix: ``ranking`` (averaged Borda per
        participant), ``points`` or ``dots`` (total given) or ``approval`` (share who marked it)."""
        if self.kind is RoundKind.POINTS and is_dots(self.budget):
            return "dots"
        return self.kind.value

    def score_per_ballot(self, item: int) -> float:
        """The headline number scaled so groups of different size compare (shares stay shares)."""
        if self.kind is RoundKind.APPROVAL or not self.n_ballots:
            return self.score(item)
        return self.score(item) / self.n_ballots


def aggregate(
    kind: RoundKind,
    ballots: Sequence[Ballot],
    items: Sequence[int],
    top_k: int | None = None,
    budget: int | None = None,
) -> PriorityResult:
    """Validate every ballot, then count them all ways at once.

    ``order`` (for charts) is by headline score, then Schulze place, then the round's order.
    """
    for ballot in ballots:
        validate_ballot(kind, ballot, items, top_k=top_k, budget=budget)
    items = tuple(items)
    n = len(ballots)
    d = pairwise_matrix(ballots, items, kind)
    borda_scores = borda_from_matrix(d, items, n).scores
    ranks = _mean_rank_scores(borda_scores, len(items), n)
    shares = approval_shares(ballots, items).scores
    totals = points_totals(ballots, items).scores if kind is RoundKind.POINTS else None
    sch = schulze_from_matrix(d, items)
    places = place_of(sch.ranking)
    per_item = {
        i: ItemResult(i, borda_scores[i], ranks[i], shares[i], places[i], int(totals[i]) if totals else None)
        for i in items
    }
    order = sorted(items, key=lambda i: (-headline(kind, per_item[i]), places[i], items.index(i)))
    return PriorityResult(
        kind=kind,
        n_ballots=n,
        items=items,
        per_item=per_item,
        condorcet_winner=condorcet_from_matrix(d, items),
        schulze_ranking=sch.ranking,
        pairwise=d,
        strongest=sch.strongest,
        order=tuple(order),
        top_k=top_k,
        budget=budget,
    )


def winners(result: PriorityResult) -> tuple[int, ...]:
    """The items the deciding method puts first, in the round's order.

    One number decides each kind (:meth:`PriorityResult.score`): the averaged Borda count for a
    ranking, the total points or dots, the approval share. Items equal on it are told apart by
    their Schulze place; items equal on both share the first place (no random tie-break).
    Condorcet and Schulze are reported beside it as supporting figures, never as a second winner.
    """
    if not result.order:
        return ()

    def key(item: int) -> tuple[float, int]:
        return result.score(item), -result.per_item[item].schulze_place

    best = key(result.order[0])
    return tuple(i for i in result.items if key(i) == best)
