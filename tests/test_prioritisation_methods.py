"""Counting methods: hand-computed cases, Wikipedia's Schulze example, and votelib cross-checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.model import RoundKind
from facilitation.prioritisation.methods import (
    aggregate,
    approval_shares,
    borda,
    condorcet_winner,
    mean_rank,
    pairwise_matrix,
    points_totals,
    schulze,
)

A, B, C, D, E = 1, 2, 3, 4, 5


def ranking(*order: int) -> dict[int, int]:
    return {item: pos for pos, item in enumerate(order, start=1)}


def test_borda_full_rankings_hand_computed() -> None:
    ballots = [ranking(A, B, C), ranking(A, B, C), ranking(B, C, A)]
    result = borda(ballots, [A, B, C])
    assert result.scores == {A: 4, B: 4, C: 1}
    assert result.ranking == ((A, B), (C,))  # tie grouped, round order inside


def test_borda_truncated_ballots_are_averaged() -> None:
    # m = 4, top-2: ranked get 3 and 2; the two unranked share 1 + 0 -> 0.5 each
    ballots = [ranking(A, B), ranking(C, A)]
    scores = borda(ballots, [A, B, C, D]).scores
    assert scores == {A: 3 + 2, B: 2 + 0.5, C: 0.5 + 3, D: 0.5 + 0.5}
    # every ballot hands out m(m-1)/2 points, like a full ranking
    assert sum(scores.values()) == 2 * 6


def test_borda_on_points_and_approval_ties_share() -> None:
    assert borda([{A: 60, B: 40}], [A, B, C], RoundKind.POINTS).scores == {A: 2, B: 1, C: 0}
    assert borda([{A: 1}], [A, B, C], RoundKind.APPROVAL).scores == {A: 2, B: 0.5, C: 0.5}


def test_mean_rank_unranked_take_mean_of_remaining_positions() -> None:
    ballots = [ranking(A), ranking(B, A)]
    ranks = mean_rank(ballots, [A, B, C]).scores
    # ballot 1: A=1, B=C=2.5; ballot 2: B=1, A=2, C=3
    assert ranks == {A: 1.5, B: 1.75, C: 2.75}
    assert mean_rank(ballots, [A, B, C]).ranking == ((A,), (B,), (C,))


def test_points_totals_and_approval_shares() -> None:
    ballots = [{A: 70, B: 30}, {B: 100}]
    assert points_totals(ballots, [A, B, C]).scores == {A: 70, B: 130, C: 0}
    assert approval_shares(ballots, [A, B, C]).scores == {A: 0.5, B: 1.0, C: 0.0}
    assert approval_shares([], [A]).scores == {A: 0.0}


def test_pairwise_matrix_rules_per_kind() -> None:
    d = pairwise_matrix([ranking(A)], [A, B, C])
    assert d[A] == {B: 1, C: 1} and d[B] == {A: 0, C: 0}  # unranked vs unranked: no preference
    d = pairwise_matrix([{A: 50, B: 50}], [A, B, C], RoundKind.POINTS)
    assert d[A][B] == 0 and d[A][C] == 1 and d[B][C] == 1
    d = pairwise_matrix([{B: 1}], [A, B], RoundKind.APPROVAL)
    assert d[B][A] == 1 and d[A][B] == 0


def test_condorcet_paradox_has_no_winner_but_schulze_ranks() -> None:
    ballots = [ranking(A, B, C)] * 4 + [ranking(B, C, A)] * 3 + [ranking(C, A, B)] * 2
    items = [A, B, C]
    assert condorcet_winner(ballots, items) is None
    d = pairwise_matrix(ballots, items)
    assert (d[A][B], d[B][C], d[C][A]) == (6, 7, 5)  # a cycle A>B>C>A
    result = schulze(ballots, items)
    assert result.strongest[A] == {B: 6, C: 6}
    assert result.strongest[B] == {A: 5, C: 7}
    assert result.strongest[C] == {A: 5, B: 5}
    assert result.ranking == ((A,), (B,), (C,))


def test_condorcet_winner_found() -> None:
    ballots = [ranking(B, A, C), ranking(A, B, C), ranking(B, C, A)]
    assert condorcet_winner(ballots, [A, B, C]) == B


def wikipedia_ballots() -> list[dict[int, int]]:
    groups = [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
    ids = {letter: i for i, letter in enumerate("ABCDE", start=1)}
    return [ranking(*(ids[c] for c in order)) for count, order in groups for _ in range(count)]


def test_schulze_wikipedia_example() -> None:
    ballots = wikipedia_ballots()
    assert len(ballots) == 45
    result = schulze(ballots, [A, B, C, D, E])
    assert result.ranking == ((E,), (A,), (C,), (B,), (D,))
    assert result.strongest[A] == {B: 28, C: 28, D: 30, E: 24}
    assert result.strongest[E] == {A: 25, B: 28, C: 28, D: 31}
    assert pairwise_matrix(ballots, [A, B, C, D, E])[A][B] == 20


def test_schulze_tie_is_a_group() -> None:
    ballots = [ranking(A, B, C), ranking(B, A, C)]
    assert schulze(ballots, [A, B, C]).ranking == ((A, B), (C,))


def test_schulze_ranking_takes_every_unbeaten_item_first() -> None:
    # The audit's case: D (4) and E (5) are both unbeaten. D beats two items (B, C), E one (A),
    # so grouping by number of wins put E below D; by definition both are Schulze winners.
    ballots = [ranking(E, A, D, B), ranking(D, B, C)]
    result = schulze(ballots, [A, B, C, D, E])
    p = result.strongest
    beaten = {(a, b) for a in p for b in p[a] if p[a][b] > p[b][a]}
    assert beaten == {(D, B), (D, C), (B, C), (E, A)}
    assert result.ranking == ((D, E), (A, B), (C,))


def test_aggregate_top_k_result() -> None:
    ballots = [ranking(B, A), ranking(B, C), ranking(A, B)]
    result = aggregate(RoundKind.RANKING, ballots, [A, B, C, D], top_k=2)
    assert result.n_ballots == 3
    assert result.per_item[B].borda == 3 + 3 + 2
    assert result.per_item[D].borda == 1.5  # 0.5 from each ballot
    assert result.per_item[A].approval_share == pytest.approx(2 / 3)
    assert result.condorcet_winner == B
    assert result.order == (B, A, C, D)
    assert result.per_item[B].schulze_place == 1
    assert result.per_item[B].points is None


def test_aggregate_points_order_and_empty() -> None:
    result = aggregate(RoundKind.POINTS, [{A: 30, C: 70}, {C: 50, B: 50}], [A, B, C], budget=100)
    assert result.order == (C, B, A)
    assert [result.score(i) for i in result.order] == [120, 50, 30]
    empty = aggregate(RoundKind.APPROVAL, [], [A, B])
    assert empty.n_ballots == 0 and empty.order == (A, B) and empty.condorcet_winner is None


def test_aggregate_refuses_invalid_ballot() -> None:
    from facilitation.errors import DomainError

    with pytest.raises(DomainError):
        aggregate(RoundKind.RANKING, [ranking(A, B, C)], [A, B, C], top_k=2)


# --- property tests -------------------------------------------------------------------------

ITEMS = st.integers(min_value=2, max_value=6).map(lambda m: list(range(1, m + 1)))


@st.composite
def full_rankings(draw: st.DrawFn) -> tuple[list[int], list[dict[int, int]]]:
    items = draw(ITEMS)
    ballots = draw(st.lists(st.permutations(items), min_size=1, max_size=25))
    return items, [ranking(*order) for order in ballots]


@st.composite
def truncated_rankings(draw: st.DrawFn) -> tuple[list[int], list[dict[int, int]]]:
    items = draw(ITEMS)
    k = draw(st.integers(min_value=1, max_value=len(items)))
    orders = draw(st.lists(st.permutations(items), min_size=1, max_size=25))
    return items, [ranking(*order[: draw(st.integers(1, k))]) for order in orders]


def _votelib_ranked(ballots: list[dict[int, int]]) -> dict[tuple[int, ...], int]:
    votes: dict[tuple[int, ...], int] = {}
    for ballot in ballots:
        key = tuple(sorted(ballot, key=ballot.__getitem__))
        votes[key] = votes.get(key, 0) + 1
    return votes


@settings(max_examples=200, deadline=None)
@given(full_rankings())
def test_borda_matches_votelib_on_full_rankings(case: tuple[list[int], list[dict[int, int]]]) -> None:
    from votelib.component.rankscore import Borda
    from votelib.convert import RankedToPositionalVotes

    items, ballots = case
    expected = RankedToPositionalVotes(Borda(base=0)).convert(_votelib_ranked(ballots))
    ours = borda(ballots, items).scores
    assert {i: ours[i] for i in items} == {i: expected.get(i, 0) for i in items}


def _strict(p: dict[int, dict[int, int]], a: int, b: int) -> bool:
    return p[a][b] > p[b][a]


def assert_schulze_layers(
    items: list[int], p: dict[int, dict[int, int]], groups: tuple[tuple[int, ...], ...]
) -> None:
    """What Schulze's definition implies for the grouped ranking (a ≻ b iff p[a][b] > p[b][a]).

    The first group is the set of Schulze winners (nobody beats them); each later group is the
    winners among what is left. Hence: the groups partition the items; inside a group nobody
    beats anybody; nobody beats an item of an earlier group; and every item after the first
    group is beaten by someone in the group just before it (else it would have been unbeaten
    there). Items of different groups may still be unordered by ≻, so that is not required.
    """
    flat = [i for group in groups for i in group]
    assert sorted(flat) == sorted(items) and len(flat) == len(set(flat))
    assert set(groups[0]) == {a for a in items if not any(_strict(p, b, a) for b in items if b != a)}
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    for a in items:
        for b in items:
            if a != b and _strict(p, a, b):
                assert group_of[a] < group_of[b], (a, b)
    for g in range(1, len(groups)):
        for b in groups[g]:
            assert any(_strict(p, a, b) for a in groups[g - 1]), (b, g)


def test_schulze_layers_checker_rejects_win_counting() -> None:
    # The checker itself can fail: the old grouping by number of wins breaks it.
    ballots = [ranking(E, A, D, B), ranking(D, B, C)]
    p = schulze(ballots, [A, B, C, D, E]).strongest
    with pytest.raises(AssertionError):
        assert_schulze_layers([A, B, C, D, E], p, ((D,), (B, E), (A, C)))


@settings(max_examples=300, deadline=None)
@given(st.one_of(full_rankings(), truncated_rankings()))
def test_schulze_ranking_follows_the_definition(case: tuple[list[int], list[dict[int, int]]]) -> None:
    items, ballots = case
    result = schulze(ballots, items)
    assert_schulze_layers(items, result.strongest, result.ranking)
    winner = condorcet_winner(ballots, items)
    if winner is not None:
        assert result.ranking[0] == (winner,)


def _votelib_condorcet_counts(ballots: list[dict[int, int]], items: list[int]) -> dict[tuple[int, int], int]:
    """votelib's pairwise counts (ranked beat unranked); it only knows items someone ranked, so
    an item nobody ranked is added as beaten by every ranked item, which is what it would get."""
    from votelib.convert import RankedToCondorcetVotes

    counts = dict(RankedToCondorcetVotes(unranked_at_bottom=True).convert(_votelib_ranked(ballots)))
    never = [i for i in items if not any(i in b for b in ballots)]
    for ballot in ballots:
        for a in ballot:
            for x in never:
                counts[a, x] = counts.get((a, x), 0) + 1
    return counts


@settings(max_examples=300, deadline=None)
@given(st.one_of(full_rankings(), truncated_rankings()))
def test_schulze_matches_votelib_on_full_and_top_k_ballots(
    case: tuple[list[int], list[dict[int, int]]],
) -> None:
    from votelib.evaluate.condorcet import Schulze

    items, ballots = case
    counts = _votelib_condorcet_counts(ballots, items)
    ours = schulze(ballots, items)
    d = pairwise_matrix(ballots, items)
    for a in items:
        for b in items:
            if a != b:
                assert d[a][b] == counts.get((a, b), 0)
    paths = Schulze.widest_paths(counts)
    for a in items:
        for b in items:
            if a != b:
                assert ours.strongest[a][b] == paths.get((a, b), 0)
    selected = Schulze().evaluate(counts, 1) if len(items) > 1 else []
    if selected:
        # votelib picks the item(s) with most path wins; such an item is always unbeaten, so it
        # is among our winners (ours may hold more unbeaten items; see the definition test).
        winners = set(selected[0]) if isinstance(selected[0], frozenset) else {selected[0]}
        assert winners <= set(ours.ranking[0])
    unbeaten = {
        a for a in items if all(paths.get((b, a), 0) <= paths.get((a, b), 0) for b in items if b != a)
    }
    assert set(ours.ranking[0]) == unbeaten


def averaged_borda_by_positions(ballots: list[dict[int, int]], items: list[int]) -> dict[int, float]:
    """The averaged Borda count straight from its definition, position by position.

    A ballot ranking r of m items gives the item at position p m − p points and each of the
    m − r unranked items an equal share of what is left, (m − r − 1) / 2.
    """
    m = len(items)
    scores = dict.fromkeys(items, 0.0)
    for ballot in ballots:
        r = len(ballot)
        for item in items:
            scores[item] += m - ballot[item] if item in ballot else (m - r - 1) / 2
    return scores


def mean_rank_by_positions(ballots: list[dict[int, int]], items: list[int]) -> dict[int, float]:
    """Mean position; an item left out of a ballot ranking r items sits at the mean of r+1 … m."""
    m = len(items)
    totals = dict.fromkeys(items, 0.0)
    for ballot in ballots:
        r = len(ballot)
        for item in items:
            totals[item] += ballot[item] if item in ballot else sum(range(r + 1, m + 1)) / (m - r)
    return {i: v / len(ballots) for i, v in totals.items()}


def borda_over_all_items(m: int):  # type: ignore[no-untyped-def]
    """votelib's Borda scorer (base 0) over all m items of the round.

    votelib sizes the scale by the candidates that appear on some ballot; an item nobody ranked
    would shrink it, so the number of candidates is pinned to the round's m.
    """
    from votelib.component.rankscore import Borda

    class PinnedBorda(Borda):
        def set_n_candidates(self, n_candidates: int) -> None:
            super().set_n_candidates(m)

    return PinnedBorda(base=0)


def votelib_averaged_borda(ballots: list[dict[int, int]], items: list[int]) -> dict[int, float]:
    """votelib's positional Borda (unranked get 0) plus the averaging correction per ballot."""
    from votelib.convert import RankedToPositionalVotes

    m = len(items)
    positional = RankedToPositionalVotes(borda_over_all_items(m)).convert(_votelib_ranked(ballots))
    expected = {i: float(positional.get(i, 0)) for i in items}
    for ballot in ballots:
        for item in items:
            if item not in ballot:
                expected[item] += (m - len(ballot) - 1) / 2
    return expected


@settings(max_examples=300, deadline=None)
@given(truncated_rankings())
def test_borda_on_truncated_ballots_matches_independent_counts(
    case: tuple[list[int], list[dict[int, int]]],
) -> None:
    items, ballots = case
    scores = borda(ballots, items).scores
    assert scores == pytest.approx(averaged_borda_by_positions(ballots, items))
    assert scores == pytest.approx(votelib_averaged_borda(ballots, items))
    assert mean_rank(ballots, items).scores == pytest.approx(mean_rank_by_positions(ballots, items))
    # every ballot hands out m(m − 1)/2 points, however short it is
    m = len(items)
    assert sum(scores.values()) == pytest.approx(len(ballots) * m * (m - 1) / 2)


def test_borda_top_k_matches_votelib_on_1262_seeded_cases() -> None:
    """The audit's sweep: random top-k rounds against votelib plus the averaging correction."""
    import random

    rng = random.Random(1262)
    for _ in range(1262):
        m = rng.randint(2, 9)
        items = list(range(1, m + 1))
        k = rng.randint(1, m)
        ballots = []
        for _ in range(rng.randint(1, 30)):
            order = rng.sample(items, m)[: rng.randint(1, k)]
            ballots.append(ranking(*order))
        assert borda(ballots, items).scores == pytest.approx(votelib_averaged_borda(ballots, items))
