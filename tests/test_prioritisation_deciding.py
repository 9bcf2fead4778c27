"""One method decides each exercise kind; the others are stated as support. Schulze's variant.

Ranking: the averaged Borda count per participant; points and dots: the total given; approval:
the share who marked it. Ties on that number go to the better Schulze place; items still equal
share the first place. Condorcet and Schulze (pairwise comparisons) are supporting figures.
"""

from __future__ import annotations

import re

from facilitation.model import Round, RoundKind, RoundStatus, Sector
from facilitation.prioritisation import aggregate, pairwise_matrix, schulze
from facilitation.prioritisation.methods import winners
from tests.harness import LocalHarness

ONE, TWO, THREE = 1, 2, 3
#: The minimal case: ballots 2>3, 2, 1>2, 3>1, 3>1 (unranked items tie below the ranked ones).
MINIMAL = [{TWO: 1, THREE: 2}, {TWO: 1}, {ONE: 1, TWO: 2}, {THREE: 1, ONE: 2}, {THREE: 1, ONE: 2}]


def _widest_paths(strength: dict[int, dict[int, int]], items: list[int]) -> dict[int, dict[int, int]]:
    p = {a: dict(row) for a, row in strength.items()}
    for k in items:
        for i in items:
            for j in items:
                if len({i, j, k}) == 3:
                    p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def test_minimal_case_pairwise_counts_and_winning_votes() -> None:
    items = [ONE, TWO, THREE]
    d = pairwise_matrix(MINIMAL, items)
    # 1 beats 2 three to two, 3 beats 1 three to one, 2 beats 3 three to two: a cycle.
    assert d == {ONE: {TWO: 3, THREE: 1}, TWO: {ONE: 2, THREE: 3}, THREE: {ONE: 3, TWO: 2}}
    result = schulze(MINIMAL, items)
    # Winning votes: every defeat has strength 3, so every strongest path is 3 and nobody is
    # beaten: a three-way tie, reported as one shared first place (no random tie-break).
    assert result.strongest == {ONE: {TWO: 3, THREE: 3}, TWO: {ONE: 3, THREE: 3}, THREE: {ONE: 3, TWO: 3}}
    assert result.ranking == ((ONE, TWO, THREE),)
    # The margins variant would differ: margins 1 (1>2), 2 (3>1), 1 (2>3) make 3 beat 1, so the
    # variant matters here and the README names it.
    margins = {a: {b: max(d[a][b] - d[b][a], 0) for b in d[a]} for a in items}
    by_margin = _widest_paths(margins, items)
    assert by_margin[THREE][ONE] > by_margin[ONE][THREE]


def test_minimal_case_is_decided_by_borda_with_schulze_as_support() -> None:
    result = aggregate(RoundKind.RANKING, MINIMAL, [ONE, TWO, THREE], top_k=2)
    # averaged Borda (m = 3): 1 gets 0 + ½ + 2 + 1 + 1, 2 gets 2 + 2 + 1, 3 gets 1 + ½ + 2 + 2
    assert {i: result.per_item[i].borda for i in (ONE, TWO, THREE)} == {ONE: 4.5, TWO: 5.0, THREE: 5.5}
    assert result.condorcet_winner is None
    assert winners(result) == (THREE,)


def test_ties_on_the_deciding_number_go_to_the_better_schulze_place() -> None:
    # Points: A and B both get 10; everybody who gave B anything prefers B to A (3 to 1), so
    # Schulze puts B first and B wins the tie; C gets nothing.
    ballots = [{1: 10}, {2: 4, 3: 6}, {2: 3, 3: 7}, {2: 3, 3: 7}]
    result = aggregate(RoundKind.POINTS, ballots, [1, 2, 3], budget=10)
    assert result.per_item[1].points == result.per_item[2].points == 10
    assert result.per_item[3].points == 20
    assert winners(result) == (3,)
    even = aggregate(RoundKind.POINTS, [{1: 10}, {2: 10}], [1, 2], budget=10)
    assert winners(even) == (1, 2)  # equal points and an equal Schulze place: a shared first place


async def _points_round_with_two_candidate_winners(h: LocalHarness) -> Round:
    """A points round where the totals and Schulze disagree about the first place."""
    await h.run("/workshop varmland-2015 Test", "/poang 10")
    round_ = max(await h.app.store.rounds(1), key=lambda r: r.id)
    assert round_.status == RoundStatus.OPEN
    keys = {item.ref_key: item.id for item in round_.items}
    samverkan, utveckling = keys["samverkan"], keys["utveckling"]
    # 3 people put everything on Samverkan; 4 people give Utveckling 6 and Samverkan 4:
    # Samverkan totals 46 against 24, but 4 of 7 prefer Utveckling to Samverkan.
    ballots = [{samverkan: 10}] * 3 + [{utveckling: 6, samverkan: 4}] * 4
    for index, ballot in enumerate(ballots):
        key = f"p{index}"
        await h.app.service.join(round_.workshop_id, key, sector=Sector.IDEBUREN)
        await h.app.service.submit_ballot(round_.id, key, ballot)
    return round_


async def test_points_round_names_one_winner_and_states_schulze_as_support(harness: LocalHarness) -> None:
    h = harness
    await _points_round_with_two_candidate_winners(h)
    printed = await h.run("/stang")
    summary = next(line for line in printed if "n = 7 svar" in line)
    assert summary.count("Vinnare") == 1
    assert "Avgör: prickar totalt" in summary
    assert "Vinnare: Samverkan (46 prickar)." in summary
    support = next(line for line in summary.splitlines() if line.startswith("Som stöd"))
    assert "etta enligt Schulze: Utveckling" in support and "Vinnare" not in support
    assert not re.search(r"\bpoäng\b", summary)  # a dots round says prickar throughout


async def test_dots_round_says_prickar_in_chart_and_export(harness: LocalHarness) -> None:
    h = harness
    round_ = await _points_round_with_two_candidate_winners(h)
    await h.run("/stang", f"/export {round_.id}")
    csv_text = next(p for p in h.port.files() if p.suffix == ".csv").read_bytes().decode("utf-8-sig")
    assert "Prickar totalt" in csv_text and "Poäng totalt" not in csv_text
    assert "poäng" not in csv_text.lower().replace("borda-poäng", "")
