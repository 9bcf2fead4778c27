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
    groups = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
              (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC")]
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


@settings(max_examples=200, deadline=None)
@given(full_rankings())
def test_schulze_matches_votelib_paths_and_ranking(case: tuple[list[int], list[dict[int, int]]]) -> None:
    from votelib.convert import RankedToCondorcetVotes
    from votelib.evaluate.condorcet import Schulze

    items, ballots = case
    counts = RankedToCondorcetVotes().convert(_votelib_ranked(ballots))
    paths = Schulze.widest_paths(counts)
    ours = schulze(ballots, items)
    for a in items:
        for b in items:
            if a != b:
                assert ours.strongest[a][b] == paths.get((a, b), 0)
    # compatibility: whenever p[a][b] > p[b][a], a is in an earlier group
    group_of = {i: g for g, group in enumerate(ours.ranking) for i in group}
    for a in items:
        for b in items:
            if a != b and ours.strongest[a][b] > ours.strongest[b][a]:
                assert group_of[a] < group_of[b]
    # votelib's winner (or tie) is our first group
    selected = Schulze().evaluate(counts, 1)
    if not selected:  # votelib returns nothing when no path beats another: everyone is tied
        assert ours.ranking == (tuple(items),)
        return
    winners = set(selected[0]) if isinstance(selected[0], frozenset) else {selected[0]}  # votelib.Tie
    assert winners == set(ours.ranking[0])


@settings(max_examples=200, deadline=None)
@given(truncated_rankings())
def test_borda_identities_on_truncated_ballots(case: tuple[list[int], list[dict[int, int]]]) -> None:
    items, ballots = case
    n, m = len(ballots), len(items)
    scores = borda(ballots, items).scores
    assert sum(scores.values()) == n * m * (m - 1) / 2
    ranks = mean_rank(ballots, items).scores
    for i in items:
        assert ranks[i] == pytest.approx(m - scores[i] / n)
    winner = condorcet_winner(ballots, items)
    if winner is not None:
        assert schulze(ballots, items).ranking[0] == (winner,)
