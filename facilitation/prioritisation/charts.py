"""Projector charts of a prioritisation: ranked bars, sectors side by side, pairwise matrix.

Pure functions returning a matplotlib Figure (never pyplot), so tests read the drawn artists and
:class:`~facilitation.charting.ChartRenderer` can build them in a worker process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from facilitation.charting import SECTOR_COLOURS, new_figure, wrap
from facilitation.i18n import t
from facilitation.model import Language, RoundKind
from facilitation.prioritisation.methods import Matrix, PriorityResult, schulze_from_matrix
from facilitation.prioritisation.sectors import SectorKey, SectorResult

BAR_COLOUR = "#1f5f8b"
LABEL_WIDTH = 26


def _name(texts: Mapping[int, str], item: int, width: int = LABEL_WIDTH) -> str:
    return wrap(texts.get(item, f"#{item}"), width)


def sector_label(sector: SectorKey, lang: Language = Language.SV) -> str:
    return t(f"prio.sector.{sector.value}" if sector is not None else "prio.sector.none", lang)


def _axis_label(kind: RoundKind, lang: Language, per_ballot: bool = False) -> str:
    if kind is RoundKind.APPROVAL:
        return t("prio.chart.axis.approval", lang)
    suffix = "_mean" if per_ballot else ""
    return t(f"prio.chart.axis.{'points' if kind is RoundKind.POINTS else 'ranking'}{suffix}", lang)


def _fmt(kind: RoundKind, value: float) -> str:
    if kind is RoundKind.APPROVAL:
        return f"{value:.0%}".replace("%", " %")
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _height(n_items: int) -> float:
    return max(4.0, 1.2 + 0.55 * n_items)


def _bars(ax: Axes, values: Sequence[float], kind: RoundKind, colour: str, xmax: float) -> None:
    """Horizontal bars, first value on top, each labelled with its value."""
    positions = list(range(len(values)))
    container = ax.barh(positions, values, color=colour, height=0.7)
    ax.bar_label(container, labels=[_fmt(kind, v) for v in values], padding=3, fontsize=10)
    ax.set_ylim(len(values) - 0.5, -0.5)
    ax.set_xlim(0, xmax * 1.18 if xmax > 0 else 1)
    ax.spines[["top", "right"]].set_visible(False)
    if kind is RoundKind.APPROVAL:
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}".replace("%", " %"))


def ranked_bars_figure(
    result: PriorityResult,
    texts: Mapping[int, str],
    lang: Language = Language.SV,
    title: str | None = None,
) -> Figure:
    """One bar per principle, best on top, headline score on each bar and n in the subtitle."""
    fig = new_figure(10.0, _height(len(result.order)))
    ax = fig.add_subplot()
    values = [result.score(i) for i in result.order]
    _bars(ax, values, result.kind, BAR_COLOUR, max([*values, 0.0]))
    ax.set_yticks(range(len(values)), [_name(texts, i) for i in result.order], fontsize=11)
    ax.set_xlabel(_axis_label(result.kind, lang))
    ax.set_title(title or t("prio.chart.title", lang), fontsize=15, loc="left")
    fig.suptitle(t("prio.chart.n", lang, n=result.n_ballots), x=0.99, ha="right", fontsize=10, color="#555555")
    return fig


def sector_figure(
    results_by_sector: Mapping[SectorKey, SectorResult],
    texts: Mapping[int, str],
    lang: Language = Language.SV,
    title: str | None = None,
    *,
    order: Sequence[int] | None = None,
) -> Figure:
    """Sectors side by side on a shared principle order, scores per response so sizes compare.

    ``order`` defaults to the first shown sector's order; a suppressed sector shows only a note.
    """
    sectors = list(results_by_sector.values())
    shown = [s.result for s in sectors if s.result is not None]
    if order is None:
        order = shown[0].order if shown else ()
    kind = shown[0].kind if shown else RoundKind.RANKING
    fig = new_figure(max(6.0, 3.6 * len(sectors) + 2.2), _height(len(order)))
    fig.suptitle(title or t("prio.chart.title", lang), fontsize=15)
    xmax = max([r.score_per_ballot(i) for r in shown for i in order] + [0.0])
    axes = fig.subplots(1, max(len(sectors), 1), sharey=True, squeeze=False)[0]
    for ax, sector in zip(axes, sectors, strict=False):
        colour = SECTOR_COLOURS.get(sector.sector.value if sector.sector else None, "#999999")
        name = sector_label(sector.sector, lang)
        if sector.result is None:
            ax.set_title(name, fontsize=12)
            ax.text(0.5, 0.5, wrap(t("prio.chart.suppressed", lang), 18), transform=ax.transAxes,
                    ha="center", va="center", fontsize=11, color="#555555", style="italic")
            ax.set_xticks([])
            ax.set_ylim(len(order) - 0.5, -0.5)
            ax.spines[["top", "right", "bottom"]].set_visible(False)
            continue
        result = sector.result
        _bars(ax, [result.score_per_ballot(i) for i in order], kind, colour, xmax)
        ax.set_title(f"{name}\n{t('prio.chart.n_short', lang, n=result.n_ballots)}", fontsize=12)
        ax.set_xlabel(_axis_label(kind, lang, per_ballot=True))
    axes[0].set_yticks(range(len(order)), [_name(texts, i, 22) for i in order], fontsize=11)
    return fig


def pairwise_figure(
    matrix: Matrix,
    texts: Mapping[int, str],
    lang: Language = Language.SV,
    title: str | None = None,
    *,
    n: int | None = None,
) -> Figure:
    """Heatmap of d[row][col] in Schulze order on both axes; blue where the row wins the pair."""
    items = list(matrix)
    order = [i for group in schulze_from_matrix(matrix, items).ranking for i in group]
    m = len(order)
    margins = [[matrix[a][b] - matrix[b][a] if a != b else 0 for b in order] for a in order]
    scale = max([abs(v) for row in margins for v in row] + [1])
    size = max(6.0, 2.8 + 0.8 * m)
    fig = new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    ax.imshow(margins, cmap="RdBu", vmin=-scale * 1.6, vmax=scale * 1.6, aspect="equal")
    for r, a in enumerate(order):
        for c, b in enumerate(order):
            label = "–" if a == b else str(matrix[a][b])
            ax.text(c, r, label, ha="center", va="center", fontsize=11)
    ax.set_xticks(range(m), [_name(texts, i, 18) for i in order], fontsize=10, rotation=45, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(m), [_name(texts, i, 22) for i in order], fontsize=10)
    ax.set_ylabel(t("prio.chart.pairwise.rows", lang))
    ax.set_xlabel(t("prio.chart.pairwise.cols", lang))
    heading = title or t("prio.chart.pairwise.title", lang)
    if n is not None:
        heading = f"{heading}  ({t('prio.chart.n', lang, n=n)})"
    ax.set_title(heading, fontsize=13)
    fig.text(0.01, 0.005, t("prio.chart.pairwise.caption", lang), fontsize=9, color="#555555")
    return fig
