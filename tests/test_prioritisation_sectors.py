"""Sector splits: small groups hidden, complementary disclosure blocked, differences ranked."""

from __future__ import annotations

import pytest

from facilitation.model import RoundKind, Sector
from facilitation.prioritisation.sectors import sector_differences, split_by_sector
from facilitation.suppression import POOLED, Hidden

IDE, OFF, ANN = Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN
ITEMS = [1, 2, 3]


def test_small_group_left_out_of_the_comparison_and_of_the_overall_result() -> None:
    ballots = {
        IDE: [{1: 1, 2: 2}] * 6,
        OFF: [{2: 1, 3: 2}] * 5,
        ANN: [{3: 1}] * 2,
    }
    split = split_by_sector(RoundKind.RANKING, ballots, ITEMS, top_k=2, min_group_size=5)
    results = split.by_sector
    assert list(results) == [IDE, OFF, ANN]
    assert results[ANN].suppressed and results[ANN].result is None and results[ANN].reason is Hidden.TOO_FEW
    assert results[IDE].result is not None and results[IDE].result.n_ballots == 6
    assert results[OFF].result is not None and results[OFF].result.n_ballots == 5  # exactly the minimum
    # the overall result is counted without annan's two ballots, so nothing subtracts to them
    assert split.result is not None and split.result.n_ballots == 11 and split.disclosure.residue == 2


def test_small_groups_pooled_when_together_large_enough() -> None:
    ballots = {IDE: [{1: 1}] * 6, OFF: [{2: 1}] * 3, None: [{3: 1}] * 2}
    split = split_by_sector(RoundKind.RANKING, ballots, ITEMS, min_group_size=5)
    assert list(split.by_sector) == [IDE, OFF, None, POOLED]
    pooled = split.by_sector[POOLED].result
    assert pooled is not None and pooled.n_ballots == 5
    assert split.by_sector[OFF].pooled and split.by_sector[None].pooled
    assert split.result is not None and split.result.n_ballots == 11


def test_one_large_group_is_hidden_to_protect_the_small_one() -> None:
    split = split_by_sector(
        RoundKind.APPROVAL, {IDE: [{1: 1}] * 9, OFF: [{2: 1}] * 2}, ITEMS, min_group_size=5
    )
    assert split.by_sector[IDE].reason is Hidden.PROTECTS and split.by_sector[OFF].reason is Hidden.TOO_FEW
    assert not split.compared and split.result is not None and split.result.n_ballots == 11


def test_room_below_the_minimum_has_no_result() -> None:
    split = split_by_sector(RoundKind.APPROVAL, {IDE: [{1: 1}] * 3, None: [{2: 1}]}, ITEMS, min_group_size=5)
    assert split.result is None and split.disclosure.total == 4 and not split.disclosure.overall
    with pytest.raises(ValueError):
        split_by_sector(RoundKind.APPROVAL, {IDE: [{1: 1}] * 6}, ITEMS, min_group_size=0)


def test_sector_differences_orders_by_spread() -> None:
    ballots = {
        IDE: [{1: 1, 2: 2, 3: 3}] * 5,  # 1 first
        OFF: [{3: 1, 2: 2, 1: 3}] * 5,  # 1 last
    }
    results = split_by_sector(RoundKind.RANKING, ballots, ITEMS, min_group_size=5).by_sector
    diffs = sector_differences(results)
    assert [d.item for d in diffs] == [1, 3, 2]
    assert diffs[0].spread == pytest.approx(1.0)
    assert (diffs[0].highest, diffs[0].lowest) == (IDE, OFF)
    assert diffs[-1].spread == 0


def test_sector_differences_ignore_suppressed() -> None:
    ballots = {IDE: [{1: 1}] * 5, OFF: [{2: 1}] * 2}
    results = split_by_sector(RoundKind.APPROVAL, ballots, ITEMS, min_group_size=5).by_sector
    assert sector_differences(results) == []
