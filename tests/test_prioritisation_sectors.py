"""Sector splits: small groups hidden, complementary disclosure blocked, differences ranked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.model import RoundKind, Sector
from facilitation.prioritisation.sectors import (
    aggregate_by_sector,
    sector_differences,
    suppressed_groups,
)

IDE, OFF, ANN = Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN
ITEMS = [1, 2, 3]


def test_group_of_exactly_min_size_is_shown() -> None:
    assert suppressed_groups({IDE: 5, OFF: 5}, 5) == set()


def test_small_group_and_next_smallest_hidden() -> None:
    # OFF is too small; alone it could be computed as total − IDE − ANN, so ANN (next smallest) goes too
    assert suppressed_groups({IDE: 20, OFF: 2, ANN: 7}, 5) == {OFF, ANN}


def test_two_small_groups_summing_below_min_pull_in_another() -> None:
    assert suppressed_groups({IDE: 20, OFF: 1, ANN: 1, None: 9}, 5) == {OFF, ANN, None}
    assert suppressed_groups({IDE: 20, OFF: 3, ANN: 3}, 5) == {OFF, ANN}


def test_empty_groups_ignored_and_bad_min() -> None:
    assert suppressed_groups({IDE: 6, OFF: 0}, 5) == set()
    with pytest.raises(ValueError):
        suppressed_groups({IDE: 6}, 0)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([IDE, OFF, ANN, None]), st.integers(0, 12)), st.integers(1, 8))
def test_suppression_invariants(sizes: dict[Sector | None, int], k: int) -> None:
    hidden = suppressed_groups(sizes, k)
    for sector, n in sizes.items():
        if 0 < n < k:
            assert sector in hidden
    shown_any = any(n > 0 and s not in hidden for s, n in sizes.items())
    if hidden and shown_any:
        # what subtraction from the total reveals is a pool of at least k ballots
        assert sum(sizes[s] for s in hidden) >= k


def test_aggregate_by_sector_hides_results_and_sizes() -> None:
    ballots = {
        IDE: [{1: 1, 2: 2}] * 6,
        OFF: [{2: 1, 3: 2}] * 5,
        ANN: [{3: 1}] * 2,
    }
    results = aggregate_by_sector(RoundKind.RANKING, ballots, ITEMS, top_k=2, min_group_size=5)
    assert list(results) == [IDE, OFF, ANN]
    assert results[ANN].suppressed and results[ANN].result is None
    assert results[OFF].suppressed  # next smallest, complementary disclosure
    shown = results[IDE].result
    assert shown is not None and shown.n_ballots == 6 and shown.order[0] == 1


def test_sector_differences_orders_by_spread() -> None:
    ballots = {
        IDE: [{1: 1, 2: 2, 3: 3}] * 5,  # 1 first
        OFF: [{3: 1, 2: 2, 1: 3}] * 5,  # 1 last
    }
    results = aggregate_by_sector(RoundKind.RANKING, ballots, ITEMS, min_group_size=5)
    diffs = sector_differences(results)
    assert [d.item for d in diffs] == [1, 3, 2]
    assert diffs[0].spread == pytest.approx(1.0)
    assert (diffs[0].highest, diffs[0].lowest) == (IDE, OFF)
    assert diffs[-1].spread == 0


def test_sector_differences_ignore_suppressed() -> None:
    ballots = {IDE: [{1: 1}] * 5, OFF: [{2: 1}] * 2}
    results = aggregate_by_sector(RoundKind.APPROVAL, ballots, ITEMS, min_group_size=5)
    assert sector_differences(results) == []
