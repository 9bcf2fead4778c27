"""Golden tests on what the barometer charts draw: bar geometry, labels, legends (not pixels)."""

from __future__ import annotations

import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from facilitation.barometer import scale_labels, sector_stats, statement_stats
from facilitation.barometer.charts import diverging_figure, room_figure, sector_figure
from facilitation.charting import to_png
from facilitation.model import Language, Sector, SectorValues

TEXTS = [
    "Min organisation har något att tillföra till Värmlands utveckling!",
    "Överenskommelsearbetet kan göras utan att kosta pengar",
]
# statement 1: counts (2, 1, 3, 1, 3) → 20/10/30/10/30 %; statement 2: all "Jag håller med"
VALUES = [[1, 1, 2, 3, 3, 3, 4, 5, 5, 5], [5, 5, 5, 5]]
STATS = [statement_stats(v, 5) for v in VALUES]
EARLIER = [statement_stats([1, 1, 1, 5], 5), None]
SV_LABELS = scale_labels(5)


def geometry(container) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    return [(round(p.get_x(), 6), round(p.get_width(), 6)) for p in container]


def legend_texts(fig: Figure) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]


def texts_of(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.fixture(scope="module")
def diverging() -> Figure:
    return diverging_figure(TEXTS, STATS, 5, Language.SV, "Åsiktsbarometer – Värmland", EARLIER)


def test_diverging_bars_disagree_left_neutral_centred_agree_right(diverging: Figure) -> None:
    ax = diverging.axes[0]
    steps = ax.containers[:5]
    assert [c.get_label() for c in steps] == SV_LABELS
    # (x, width) per statement for each step, in percent of n
    assert geometry(steps[0]) == [(-45, 20), (0, 0)]  # Jag håller INTE med, furthest left
    assert geometry(steps[1]) == [(-25, 10), (0, 0)]
    assert geometry(steps[2]) == [(-15, 30), (0, 0)]  # Varken eller across zero
    assert geometry(steps[3]) == [(15, 10), (0, 0)]
    assert geometry(steps[4]) == [(25, 30), (0, 100)]  # Jag håller med, furthest right
    assert to_hex(steps[0][0].get_facecolor()) == "#ca0020"  # red = disagree
    assert to_hex(steps[4][0].get_facecolor()) == "#0571b0"  # blue = agree
    assert "30 %" in texts_of(ax) and "100 %" in texts_of(ax)


def test_diverging_labels_n_title_and_legend(diverging: Figure) -> None:
    ax = diverging.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert [label.rsplit("\n", 1)[1] for label in labels] == ["n = 10", "n = 4"]
    assert labels[0].rsplit("\n", 1)[0].replace("\n", " ") == TEXTS[0]
    assert "\n" in labels[0].rsplit("\n", 1)[0]  # long statement wrapped
    assert "Överenskommelsearbetet" in labels[1] and "något" in labels[0]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first statement on top
    assert ax.get_title(loc="left") == "Åsiktsbarometer – Värmland"
    assert legend_texts(diverging) == [*SV_LABELS, "Förra omgången (streckad)"]


def test_diverging_earlier_round_beneath_with_its_own_n(diverging: Figure) -> None:
    ax = diverging.axes[0]
    earlier = ax.containers[5:]
    assert len(earlier) == 1  # the second statement has no earlier round
    # [1, 1, 1, 5]: 75 % "Jag håller INTE med" left of zero, 25 % "Jag håller med" right
    assert geometry(earlier[0]) == [(-75, 75), (0, 0), (0, 0), (0, 0), (0, 25)]
    bar = earlier[0][0]
    assert bar.get_height() < steps_height(ax) and bar.get_hatch()  # hatched, not a paler step
    assert bar.get_y() > ax.containers[0][0].get_y()  # beneath the current bar (y grows downwards)
    assert "förra: n = 4" in texts_of(ax)


def steps_height(ax: Axes) -> float:
    return ax.containers[0][0].get_height()


def test_diverging_in_english_without_earlier() -> None:
    fig = diverging_figure(TEXTS, STATS, 5, Language.EN, None)
    ax = fig.axes[0]
    assert len(ax.containers) == 5
    assert legend_texts(fig) == ["I do not agree", "Partly disagree", "Neither", "Partly agree", "I agree"]
    assert ax.get_title(loc="left") == "Opinion barometer"
    assert ax.get_xlabel().startswith("Share of answers")


def test_diverging_even_scale_has_no_centre_segment() -> None:
    stats = [statement_stats([1, 2, 3, 4], 4)]
    ax = diverging_figure(TEXTS[:1], stats, 4).axes[0]
    assert [geometry(c)[0] for c in ax.containers] == [(-50, 25), (-25, 25), (0, 25), (25, 25)]


SECTOR_VALUES = [
    SectorValues(TEXTS[0], {Sector.IDEBUREN: [5] * 6, Sector.OFFENTLIG: [1] * 5}),
    SectorValues(TEXTS[1], {Sector.IDEBUREN: [4] * 8, Sector.OFFENTLIG: [2] * 2}),
]


@pytest.fixture(scope="module")
def sectors() -> Figure:
    breakdowns = [sector_stats(v, 5, 5) for v in SECTOR_VALUES]
    return sector_figure(TEXTS, breakdowns, 5, Language.SV, "Per sektor")


def test_sector_panels_side_by_side(sectors: Figure) -> None:
    ideburen, offentlig = sectors.axes  # annan has no answers: no panel
    assert [ideburen.get_title(), offentlig.get_title()] == ["Idéburen sektor", "Offentlig sektor"]
    assert ideburen.get_xlim() == offentlig.get_xlim()  # same scale
    assert sectors.get_suptitle() == "Per sektor"
    # statement 2: offentlig (2) is too few; idéburen (8) beside the room's 10 would reveal those 2,
    # so each row says its own true reason instead of a bar
    assert geometry(ideburen.containers[4]) == [(0, 100)]
    assert [round(p.get_y() + p.get_height() / 2) for p in ideburen.containers[4]] == [0]
    assert geometry(offentlig.containers[0]) == [(-100, 100)]
    assert "n = 6" in texts_of(ideburen) and "n = 5" in texts_of(offentlig)
    assert texts_of(offentlig).count("för få svar") == 1
    assert texts_of(ideburen).count("dold så att den lilla gruppen\ninte kan räknas fram") == 1
    assert "n = 2" not in texts_of(offentlig) and "n = 8" not in texts_of(ideburen)
    labels = [t.get_text().replace("\n", " ") for t in ideburen.get_yticklabels()]
    assert labels == TEXTS
    assert legend_texts(sectors) == SV_LABELS


def test_sector_figure_with_every_group_hidden_is_not_drawn() -> None:
    breakdowns = [sector_stats(SectorValues(TEXTS[0], {Sector.ANNAN: [3, 3]}), 5, 5)]
    with pytest.raises(ValueError):
        sector_figure(TEXTS[:1], breakdowns, 5, Language.EN)


@pytest.fixture(scope="module")
def room() -> Figure:
    return room_figure(TEXTS[0], STATS[0], 5, Language.SV)


def test_room_counts_markers_and_labels(room: Figure) -> None:
    ax = room.axes[0]
    assert [p.get_height() for p in ax.containers[0]] == [2, 1, 3, 1, 3]
    assert [p.get_x() + p.get_width() / 2 for p in ax.containers[0]] == pytest.approx([1, 2, 3, 4, 5])
    assert texts_of(ax) == ["2", "1", "3", "1", "3"]
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert ticks[0] == "1 Jag håller INTE med" and ticks[-1] == "5 Jag håller med"
    mean, median = ax.lines
    assert list(mean.get_xdata()) == [pytest.approx(3.2)] and list(median.get_xdata()) == [3.0]
    assert legend_texts(room) == ["Medelvärde 3,2", "Median 3,0"]
    assert ax.get_title(loc="right") == "n = 10"
    assert ax.get_title(loc="left").replace("\n", " ") == TEXTS[0]


def test_room_without_answers_says_so() -> None:
    ax = room_figure("Integrationsarbetet", statement_stats([], 7), 7, Language.EN).axes[0]
    assert [p.get_height() for p in ax.containers[0]] == [0] * 7
    assert "no answers" in texts_of(ax) and not ax.lines
    with pytest.raises(ValueError):
        room_figure("x", statement_stats([], 7), 5)


def test_charts_render_png(diverging: Figure, sectors: Figure, room: Figure) -> None:
    for fig in (diverging, sectors, room):
        assert to_png(fig).startswith(b"\x89PNG\r\n\x1a\n")
