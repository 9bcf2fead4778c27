"""Scale, metrics and sector suppression of the Åsiktsbarometer, against hand-computed values."""

from __future__ import annotations

import pytest

from facilitation.barometer import (
    GroupStatus,
    Pattern,
    agreement,
    button_labels,
    compare,
    dividing_statements,
    is_agree,
    is_disagree,
    is_neutral,
    leik,
    scale_hint,
    scale_labels,
    sector_stats,
    statement_stats,
)
from facilitation.barometer.texts import TEXTS
from facilitation.model import Language, Sector, SectorValues
from facilitation.suppression import POOLED, Hidden

IB, OF, AN = Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN


# --- scale ---------------------------------------------------------------------------------------


def test_scale_labels_five_and_seven_steps() -> None:
    assert scale_labels(5) == [
        "Jag håller INTE med",
        "Håller delvis inte med",
        "Varken eller",
        "Håller delvis med",
        "Jag håller med",
    ]
    assert scale_labels(5, Language.EN) == [
        "I do not agree",
        "Partly disagree",
        "Neither",
        "Partly agree",
        "I agree",
    ]
    seven = scale_labels(7)
    assert seven[0] == "Jag håller INTE med" and seven[-1] == "Jag håller med"
    assert seven[3] == "Varken eller" and len(set(seven)) == 7


def test_scale_labels_even_and_generic_sizes() -> None:
    assert "Varken eller" not in scale_labels(4) and "Varken eller" not in scale_labels(6)
    nine = scale_labels(9)
    assert nine[0] == "Jag håller INTE med" and nine[4] == "Varken eller" and nine[8] == "Jag håller med"
    assert nine[1] == "2 (lutar åt inte med)" and nine[7] == "8 (lutar åt med)"
    assert len(set(scale_labels(10, "en"))) == 10  # no step shares a label
    for steps in range(3, 12):
        assert len(scale_labels(steps)) == steps


def test_button_labels_are_short_and_hint_names_the_ends() -> None:
    assert button_labels(5) == ["1 👎", "2", "3", "4", "5 👍"]
    assert len(button_labels(11)) == 11 and button_labels(11)[-1] == "11 👍"
    assert scale_hint(7) == "1 = Jag håller INTE med … 7 = Jag håller med"


def test_sides_of_the_scale() -> None:
    assert [is_disagree(v, 5) for v in range(1, 6)] == [True, True, False, False, False]
    assert [is_neutral(v, 5) for v in range(1, 6)] == [False, False, True, False, False]
    assert [is_agree(v, 5) for v in range(1, 6)] == [False, False, False, True, True]
    assert not any(is_neutral(v, 4) for v in range(1, 5))
    assert [is_agree(v, 4) for v in range(1, 5)] == [False, False, True, True]


@pytest.mark.parametrize("steps", [2, 12, 0, True])
def test_unsupported_scale_sizes_are_refused(steps: int) -> None:
    with pytest.raises(ValueError):
        scale_labels(steps)
    with pytest.raises(ValueError):
        statement_stats([1], steps)


# --- van der Eijk's A and Leik's D ---------------------------------------------------------------


def test_agreement_reference_points() -> None:
    assert agreement([0, 0, 12, 0, 0]) == 1.0  # unanimity
    assert agreement([3, 3, 3, 3, 3]) == pytest.approx(0.0)  # uniform
    assert agreement([2, 2, 2, 2, 2, 2, 2]) == pytest.approx(0.0)
    assert agreement([5, 0, 0, 0, 5]) == pytest.approx(-1.0)  # split room, half at each end
    assert agreement([4, 0, 0, 0, 0, 0, 4]) == pytest.approx(-1.0)
    assert agreement([0, 0, 0, 0, 0]) is None


def test_agreement_layered_example() -> None:
    # The worked 7-category example used with van der Eijk's measure (agrmt reference value
    # 0.6113333 = 917/1500): layers of 10, 20, 10, 90, 80 and 320 respondents.
    assert agreement([30, 40, 210, 130, 530, 50, 10]) == pytest.approx(917 / 1500, abs=1e-12)


def test_agreement_hand_worked_layers() -> None:
    # K=5, pattern 10100 (one layer): TU = 2 (triples 0,2,3 and 0,2,4 are 110), TDU = 1 (0,1,2 is
    # 101); U = (3·2 − 4·1)/(3·3) = 2/9; S = 2 → A = 2/9 · (1 − 1/4) = 1/6.
    assert agreement([1, 0, 1, 0, 0]) == pytest.approx(1 / 6)
    # K=5, (0,10,20,10,0): layer 01110 × 10 (30 people): TU = 6, TDU = 0, U = 1, S = 3,
    # A = 1 − 2/4 = 1/2; layer 00100 × 10 (10 people): A = 1 → (30·½ + 10·1)/40 = 0.625.
    assert agreement([0, 10, 20, 10, 0]) == pytest.approx(0.625)
    # K=3, pattern 110: TU = 1, U = 1, S = 2 → A = 1 − 1/2.
    assert agreement([4, 4, 0]) == pytest.approx(0.5)
    # K=5, (2,0,1,0,2): layer 10101 ×1 (3 people): TU = 2 (0,2,3 and 1,2,4), TDU = 4, so
    # U = (3·2 − 4·4)/(3·6) = −5/9, S = 3, A = −5/18; layer 10001 ×1 (2 people): A = −1.
    assert agreement([2, 0, 1, 0, 2]) == pytest.approx(3 / 5 * -5 / 18 + 2 / 5 * -1)  # = −17/30


def test_leik_reference_points() -> None:
    assert leik([0, 9, 0, 0, 0]) == 0.0
    assert leik([5, 0, 0, 0, 5]) == pytest.approx(1.0)
    # uniform K=5: F = .2 .4 .6 .8 → min(F, 1−F) = .2 .4 .4 .2 → 2·1.2/4
    assert leik([1, 1, 1, 1, 1]) == pytest.approx(0.6)
    # F = .03 .07 .28 .41 .94 .99 → .03+.07+.28+.41+.06+.01 = .86 → 2·.86/6
    assert leik([30, 40, 210, 130, 530, 50, 10]) == pytest.approx(0.86 / 3)
    assert leik([0, 0, 0]) is None


# --- statement stats -----------------------------------------------------------------------------


def test_statement_stats_of_a_room() -> None:
    s = statement_stats([1, 2, 2, 3, 4, 5, 5, 5], 5)
    assert s.n == 8 and s.distribution == (1, 2, 1, 1, 3)
    assert s.mean == pytest.approx(27 / 8) and s.median == 3.5
    assert (s.share_disagree, s.share_neutral, s.share_agree) == (3 / 8, 1 / 8, 4 / 8)
    assert s.agreement == pytest.approx(agreement([1, 2, 1, 1, 3]))
    assert s.leik == pytest.approx(leik([1, 2, 1, 1, 3]))


def test_split_room_is_polarised_and_unanimous_room_is_consensus() -> None:
    split = statement_stats([1] * 6 + [5] * 6, 5)
    assert split.agreement == pytest.approx(-1.0) and split.polarised and split.pattern is Pattern.POLARISED
    same = statement_stats([4] * 9, 5)
    assert same.agreement == 1.0 and same.polarised is False and same.pattern is Pattern.CONSENSUS
    uniform = statement_stats([1, 2, 3, 4, 5], 5)
    assert uniform.polarised is False and uniform.pattern is Pattern.SPREAD
    # A < 0 (gaps between the answers) but only one in five on the disagree side: not polarised
    lopsided = statement_stats([1, 3, 3, 5, 5], 5)
    assert lopsided.agreement == pytest.approx(-0.1) and lopsided.share_disagree == 0.2
    assert lopsided.polarised is False and lopsided.pattern is Pattern.SPREAD


def test_empty_and_even_scales() -> None:
    empty = statement_stats([], 5)
    assert empty.n == 0 and empty.distribution == (0, 0, 0, 0, 0)
    assert all(
        v is None
        for v in (
            empty.mean,
            empty.median,
            empty.share_agree,
            empty.agreement,
            empty.leik,
            empty.polarised,
            empty.pattern,
        )
    )
    even = statement_stats([1, 2, 3, 4], 4)
    assert even.share_neutral is None and even.share_agree == 0.5 and even.share_disagree == 0.5


@pytest.mark.parametrize("bad", [[0], [6], [3, 7], [2.5], [True]])
def test_values_outside_the_scale_are_refused(bad: list[int]) -> None:
    with pytest.raises(ValueError):
        statement_stats(bad, 5)


# --- sector suppression --------------------------------------------------------------------------


def sv(**groups: list[int]) -> SectorValues:
    keys = {"i": IB, "o": OF, "a": AN, "none": None}
    return SectorValues("Påstående", {keys[k]: v for k, v in groups.items()})


def test_boundary_min_minus_one_hidden_min_shown() -> None:
    b = sector_stats(sv(i=[5] * 8, o=[1] * 5, a=[3] * 4), 5, min_group_size=5)
    # annan (4) hidden and left out of everything: idéburen and offentlig are compared on their own
    assert (
        b.group(AN).status is GroupStatus.SUPPRESSED and b.group(AN).n is None and b.group(AN).stats is None
    )
    assert b.group(AN).reason is Hidden.TOO_FEW and not b.group(AN).pooled
    assert b.group(OF).n == 5 and b.group(IB).n == 8
    assert b.overall.n == 13 and b.overall.distribution == (5, 0, 0, 0, 8)  # annan's 3s are nowhere
    assert b.disclosure.residue == 4 and b.compared
    # with annan absent, a group of exactly min size is shown
    b = sector_stats(sv(i=[5] * 8, o=[1] * 5), 5, min_group_size=5)
    assert b.group(OF).status is GroupStatus.SHOWN and b.group(OF).n == 5
    assert b.group(AN).status is GroupStatus.EMPTY and b.group(AN).n == 0
    assert b.overall.n == 13 and b.disclosure.residue == 0


def test_complementary_disclosure_is_blocked() -> None:
    # one large group: no comparison, and the large group is hidden so the small one cannot be derived
    b = sector_stats(sv(i=[5] * 20, o=[1] * 4), 5, 5)
    assert b.shown == {} and not b.compared
    assert b.group(IB).reason is Hidden.PROTECTS and b.group(OF).reason is Hidden.TOO_FEW
    assert b.overall.n == 24  # everyone is in the room's result, nobody's group is shown
    # small groups that together reach the minimum are shown pooled, and then compared
    b = sector_stats(sv(i=[5] * 20, o=[1] * 3, a=[2] * 2), 5, 5)
    assert set(b.shown) == {IB, POOLED} and b.shown[POOLED].n == 5
    assert b.group(OF).pooled and b.group(AN).pooled and b.overall.n == 25
    # people without a sector are a group like any other
    b = sector_stats(sv(i=[5] * 9, o=[1] * 9, none=[3] * 6), 5, 5)
    assert set(b.shown) == {IB, OF, None} and b.overall.n == 24
    b = sector_stats(sv(i=[5] * 9, o=[1] * 9, none=[3] * 2), 5, 5)
    assert set(b.shown) == {IB, OF} and b.overall.n == 18 and b.disclosure.residue == 2
    # a room below the minimum shows nothing but its count
    b = sector_stats(sv(i=[5, 4], none=[1]), 5, 5)
    assert b.overall.n == 0 and not b.disclosure.overall and b.disclosure.total == 3
    with pytest.raises(ValueError):
        sector_stats(sv(i=[3]), 5, 0)


def test_values_in_hidden_groups_are_still_validated() -> None:
    with pytest.raises(ValueError):
        sector_stats(sv(i=[5] * 8, a=[9]), 5, 5)


# --- dividing statements and change over time --------------------------------------------------


def divide(items: list[SectorValues], steps: int = 5, minimum: int = 5) -> list:
    return dividing_statements([sector_stats(v, steps, minimum) for v in items], [v.item_text for v in items])


def test_dividing_statements_ranked_by_sector_difference() -> None:
    items = [
        sv(i=[4] * 6, o=[4] * 6),  # no difference
        sv(i=[5] * 6, o=[1] * 6),  # as far apart as possible
        sv(i=[4] * 6, o=[2] * 6),  # two steps apart
        sv(i=[5] * 6, o=[1] * 3),  # offentlig hidden → only one sector shown
        sv(i=[5] * 6, o=[1] * 6, a=[3] * 2),  # annan left out; the two others compared
    ]
    divisions = divide(items)
    assert [d.index for d in divisions] == [1, 4, 2, 0]
    top = divisions[0]
    assert (top.higher, top.lower) == (IB, OF)
    assert top.mean_gap == 4.0 and top.distance == pytest.approx(1.0) and top.score == pytest.approx(1.0)
    assert divisions[1].score == pytest.approx(1.0)  # equal scores keep statement order
    assert divisions[2].mean_gap == 2.0 and divisions[2].score == pytest.approx(0.5)
    assert divisions[3].score == 0.0
    assert set(top.means) == {IB, OF}


def test_distribution_distance_counts_beyond_the_mean() -> None:
    # same mean (3), different shape: a split room vs a middle room still divides
    divisions = divide([sv(i=[1] * 5 + [5] * 5, o=[3] * 10)])
    assert divisions[0].mean_gap == 0.0 and divisions[0].distance == pytest.approx(0.5)


def test_compare_with_an_earlier_round() -> None:
    now = statement_stats([5, 5, 4, 4, 1], 5)
    before = statement_stats([1, 1, 2, 5], 5)
    change = compare(now, before)
    assert change.delta_mean == pytest.approx(19 / 5 - 9 / 4)
    assert change.delta_share_agree == pytest.approx(4 / 5 - 1 / 4)
    assert change.delta_agreement == pytest.approx(now.agreement - before.agreement)  # type: ignore[operator]
    assert (change.n_current, change.n_earlier) == (5, 4)
    other_scale = compare(now, statement_stats([7, 7], 7))
    assert other_scale.delta_mean is None and other_scale.delta_share_agree == pytest.approx(-0.2)
    assert compare(now, statement_stats([], 5)).delta_agreement is None


def test_every_swedish_text_has_an_english_one() -> None:
    assert set(TEXTS["sv"]) == set(TEXTS["en"])
    assert all(key.startswith("barometer.") for key in TEXTS["sv"])
