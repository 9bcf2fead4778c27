"""One rounding rule everywhere: half away from zero, on the decimal value, in texts, charts and exports."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitation.barometer.charts import diverging_figure
from facilitation.barometer.export import export_tables
from facilitation.barometer.metrics import sector_stats, statement_stats
from facilitation.barometer.results import _pct
from facilitation.i18n import number_text, percent_text, rounded
from facilitation.model import Language, RoundKind, Sector, SectorValues
from facilitation.prioritisation import aggregate
from facilitation.prioritisation.charts import ranked_bars_figure
from facilitation.prioritisation.export import export_tables as prio_export_tables


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (52.5, 0, "53"),
        (1.25, 1, "1.3"),
        (18.75, 1, "18.8"),
        (0.125, 2, "0.13"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (-1.25, 1, "-1.3"),
        (3.45, 1, "3.5"),
        (100 * 29 / 200, 0, "15"),
        (1.005, 2, "1.01"),
        (7.0, 1, "7.0"),
        (0.04999, 1, "0.0"),
    ],
)
def test_half_away_from_zero_on_the_decimal_value(value: float, digits: int, expected: str) -> None:
    assert rounded(value, digits) == Decimal(expected)


def test_texts_use_the_rule_in_both_languages() -> None:
    assert number_text(1.25, Language.SV) == "1,3"
    assert number_text(18.75, Language.SV) == "18,8"
    assert number_text(1.25, Language.EN) == "1.3"
    assert number_text(4.0, Language.SV, trim=True) == "4"
    assert number_text(-0.04, Language.SV) == "0,0"  # no "-0,0"
    assert percent_text(0.525) == "53"
    assert percent_text(21 / 40) == "53"


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=400))
def test_percent_of_counts_matches_exact_arithmetic(part: int, whole: int) -> None:
    """A share of counts (k of n) rounds as the exact fraction does, whatever the float noise."""
    exact = Fraction(100 * part, whole)
    floor = exact.numerator // exact.denominator
    expected = floor + (1 if exact - floor >= Fraction(1, 2) else 0)
    assert percent_text(part / whole) == str(expected)


def test_barometer_text_chart_and_export_agree_on_52_5_percent() -> None:
    """21 of 40 agree: 52,5 % is "53" in the summary, on the bar and in the export (one decimal: 52,5)."""
    values = [5] * 21 + [1] * 19
    stats = statement_stats(values, 5)
    assert _pct(stats.share_agree) == "53"
    fig = diverging_figure(["P"], [stats], 5)
    assert "53 %" in [t.get_text() for t in fig.axes[0].texts]
    tables = export_tables(["P"], [stats], [sector_stats(SectorValues("P", {Sector.IDEBUREN: values}), 5)], 5)
    assert tables[0].rows[0][tables[0].headers.index("Håller med (%)")] == 52.5


def test_export_rounds_half_away_from_zero() -> None:
    # mean 1.125 → 1.13 (Python's round(1.125, 2) gives 1.12)
    stats = statement_stats([1] * 7 + [2], 5)
    tables = export_tables(["P"], [stats], [sector_stats(SectorValues("P", {None: [1] * 7 + [2]}), 5)], 5)
    assert tables[0].rows[0][tables[0].headers.index("Medelvärde")] == 1.13


def test_prioritisation_chart_and_export_use_the_rule() -> None:
    # 1 of 8 approve item 1: 12,5 % → "13 %" on the bar; approval share 0.125 exported as 0.125
    ballots = [{1: 1}] + [{2: 1}] * 7
    result = aggregate(RoundKind.APPROVAL, ballots, [1, 2])
    fig = ranked_bars_figure(result, {1: "A", 2: "B"})
    assert "13 %" in [t.get_text() for t in fig.axes[0].texts]
    items = prio_export_tables(result, None, {1: "A", 2: "B"})[1]
    row = next(r for r in items.rows if r[1] == "A")
    assert row[items.headers.index("Andel som markerat")] == 0.125
