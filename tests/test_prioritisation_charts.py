"""Golden tests on what the prioritisation charts draw (artists, not pixels)."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from facilitation.charting import SECTOR_COLOURS, to_png
from facilitation.model import Language, RoundKind, Sector
from facilitation.prioritisation import aggregate, split_by_sector
from facilitation.prioritisation.charts import pairwise_figure, ranked_bars_figure, sector_figure

NAMES = {
    1: "Självständighet och oberoende",
    2: "Dialog",
    3: "Kvalitet",
    4: "Långsiktighet",
    5: "Öppenhet och insyn",
    6: "Mångfald",
}
ITEMS = list(NAMES)


def ranking(*order: int) -> dict[int, int]:
    return {item: pos for pos, item in enumerate(order, start=1)}


BALLOTS = [ranking(2, 5, 1)] * 3 + [ranking(5, 2, 3)] * 2 + [ranking(3, 6, 4)]


def all_texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text")))


def tick_labels(ax) -> list[str]:  # type: ignore[no-untyped-def]
    return [label.get_text() for label in ax.get_yticklabels()]


def test_ranked_bars_golden() -> None:
    result = aggregate(RoundKind.RANKING, BALLOTS, ITEMS, top_k=3)
    fig = ranked_bars_figure(result, NAMES)
    ax = fig.axes[0]
    bars = list(ax.containers[0])
    # Averaged Borda per participant, drawn from the all-equal baseline (6 − 1)/2 = 2.5.
    # Dialog: 3 × 5 (first) + 2 × 4 (second) + 1 (unranked on a top-3 ballot: (6−3−1)/2) = 24 → 4.0
    # Långsiktighet: 5 × 1 (unranked) + 3 (third) = 8 → 1.33, below the baseline.
    assert all(p.get_x() == 2.5 for p in bars)
    widths = [p.get_width() for p in bars]
    assert widths[0] == 1.5
    assert widths == [result.score(i) / 6 - 2.5 for i in result.order]
    assert widths == sorted(widths, reverse=True)
    assert widths[-1] == 8 / 6 - 2.5 and result.order[-1] == 4
    assert ax.get_xlim()[0] > 0  # not from zero, where every bar would look alike
    baseline = [line for line in ax.lines if list(line.get_xdata()) == [2.5, 2.5]]
    assert baseline and baseline[0].get_linestyle() == "--"
    # first bar drawn at the top: y axis inverted
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    labels = tick_labels(ax)
    assert labels[0] == "Dialog" and labels[1] == "Öppenhet och insyn"
    assert "Självständighet och\noberoende" in labels  # wrapped long name
    assert ax.get_xlabel().startswith(
        "Borda-poäng per deltagare (0–5). Staplarna utgår från 2,5 = alla lika viktiga"
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["alla lika viktiga: 2,5"]
    assert ax.get_title(loc="left") == "Vilka principer är viktiga för oss?"
    text = all_texts(fig)
    assert "n = 6 svar" in text
    bar_values = [t.get_text() for t in ax.texts]
    assert bar_values[0] == "4,0" and bar_values[-1] == "1,3"


def test_ranked_bars_in_english_use_a_decimal_point() -> None:
    result = aggregate(RoundKind.RANKING, BALLOTS, ITEMS, top_k=3)
    ax = ranked_bars_figure(result, NAMES, Language.EN).axes[0]
    assert ax.get_xlabel().startswith(
        "Borda points per participant (0–5). Bars start at 2.5 = all equally important"
    )
    assert "1.3" in [t.get_text() for t in ax.texts]


def test_ranked_bars_english_points_and_approval_labels() -> None:
    points = aggregate(RoundKind.POINTS, [{1: 60, 2: 40}, {2: 100}], ITEMS, budget=100)
    fig = ranked_bars_figure(points, NAMES, Language.EN, title="Our principles")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Points" and ax.get_title(loc="left") == "Our principles"
    assert [p.get_width() for p in ax.patches][:2] == [140, 60]
    approval = aggregate(RoundKind.APPROVAL, [{1: 1}, {1: 1, 2: 1}], ITEMS)
    ax = ranked_bars_figure(approval, NAMES).axes[0]
    assert ax.get_xlabel() == "Andel som markerat"
    assert [t.get_text() for t in ax.texts][:2] == ["100 %", "50 %"]


def test_sector_figure_draws_the_shown_panels_and_notes_what_is_left_out() -> None:
    by_sector = {
        Sector.IDEBUREN: BALLOTS * 2,
        Sector.OFFENTLIG: BALLOTS,
        Sector.ANNAN: BALLOTS[:3],
        None: BALLOTS[:1],
    }
    results = split_by_sector(RoundKind.RANKING, by_sector, ITEMS, top_k=3, min_group_size=5).by_sector
    assert results[Sector.ANNAN].suppressed and results[None].suppressed  # 3 + 1 < 5: left out
    order = aggregate(RoundKind.RANKING, BALLOTS, ITEMS, top_k=3).order
    fig = sector_figure(results, NAMES, order=order, note="4 svar från grupper med färre än 5 ingår inte.")
    ideburen, offentlig = fig.axes  # hidden groups get no empty panel
    assert ideburen.get_title() == "Idéburen sektor\nn = 12"
    assert offentlig.get_title() == "Offentlig sektor\nn = 6"
    # same principle order, values per response so sizes compare
    assert tick_labels(ideburen)[0] == NAMES[order[0]]
    i_widths = [p.get_width() for p in ideburen.containers[0]]
    o_widths = [p.get_width() for p in offentlig.containers[0]]
    assert i_widths == o_widths  # same ballots, doubled
    assert ideburen.patches[0].get_facecolor() == to_rgba(SECTOR_COLOURS["ideburen"])
    assert offentlig.patches[0].get_facecolor() == to_rgba(SECTOR_COLOURS["offentlig"])
    # Rankings start at the all-equal baseline in every panel too, on one shared scale.
    assert all(p.get_x() == 2.5 for p in ideburen.patches) and ideburen.get_xlim() == offentlig.get_xlim()
    assert "alla lika viktiga" in fig.get_supxlabel()
    assert "4 svar från grupper med färre än 5 ingår inte." in fig.get_supxlabel()
    assert fig.get_suptitle() == "Vilka principer är viktiga för oss?"


def test_sector_figure_pools_small_groups_and_refuses_an_empty_chart() -> None:
    by_sector = {Sector.IDEBUREN: BALLOTS * 2, Sector.OFFENTLIG: BALLOTS[:3], Sector.ANNAN: BALLOTS[:3]}
    results = split_by_sector(RoundKind.RANKING, by_sector, ITEMS, top_k=3, min_group_size=5).by_sector
    _ideburen, pooled = sector_figure(results, NAMES).axes
    assert pooled.get_title() == "Övriga\nn = 6"
    hidden = split_by_sector(
        RoundKind.RANKING, {Sector.IDEBUREN: BALLOTS[:3]}, ITEMS, top_k=3, min_group_size=5
    ).by_sector
    with pytest.raises(ValueError):
        sector_figure(hidden, NAMES)


def test_pairwise_figure_cells_in_schulze_order() -> None:
    result = aggregate(RoundKind.RANKING, BALLOTS, ITEMS, top_k=3)
    fig = pairwise_figure(result.pairwise, NAMES, n=result.n_ballots)
    ax = fig.axes[0]
    order = [i for g in result.schulze_ranking for i in g]
    assert tick_labels(ax)[:2] == ["Dialog", "Öppenhet och insyn"]
    assert ax.get_xticklabels()[0].get_text() == "Dialog"
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == len(order) ** 2
    assert cells[0] == "–"
    assert cells[1] == str(result.pairwise[order[0]][order[1]]) == "3"
    assert "n = 6 svar" in ax.get_title()


def test_charts_render_png() -> None:
    result = aggregate(RoundKind.RANKING, BALLOTS, ITEMS, top_k=3)
    for fig in (ranked_bars_figure(result, NAMES), pairwise_figure(result.pairwise, NAMES)):
        assert to_png(fig).startswith(b"\x89PNG\r\n\x1a\n")
