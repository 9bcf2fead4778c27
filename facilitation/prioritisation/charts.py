"""Projector charts of a prioritisation: ranked bars, sectors side by side, pairwise matrix.

Pure functions returning a matplotlib Figure (never pyplot), so tests read the drawn artists and
:class:`~facilitation.rendering.ChartRenderer` can build them in a worker process.

Ranking bars show the averaged Borda score *per participant* and start at the all-equal
baseline (m − 1)/2, not at zero: an averaged Borda ballot gives every principle it leaves out a
share of the points, so from zero all bars look alike (say 5.5 to 9 of 13) and the differences
people argued about vanish. From the baseline a bar says "above or below an even spread", the
axis keeps the real scale, and the label under the axis says so. Points and approval bars start
at zero, where an unchosen principle really is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from facilitation.charting import new_figure, rows_height, sector_colour, wrap
from facilitation.groups import GroupKey, group_names
from facilitation.i18n import number_text, percent_text, t
from facilitation.model import DEFAULT_SECTORS, Language, RoundKind, SectorKey
from facilitation.prioritisation.methods import Matrix, PriorityResult, schulze_from_matrix
from facilitation.prioritisation.sectors import SectorResult

BAR_COLOUR = "#1f5f8b"
BELOW_ALPHA = 0.45  # a ranking bar below the all-equal baseline is paler
BASELINE_COLOUR = "#444444"
NOTE_COLOUR = "#555555"
LABEL_WIDTH = 26
#: Up to this many principles the pairwise matrix names its columns (rotated); beyond it the
#: names collide, so columns are numbered and the rows carry the same numbers.
PAIRWISE_NAMED_COLUMNS = 8


def _name(texts: Mapping[int, str], item: int, width: int = LABEL_WIDTH) -> str:
    return wrap(texts.get(item, f"#{item}"), width)


def _axis_label(measure: str, lang: Language, per_ballot: bool = False) -> str:
    """The x axis of a ``measure`` (:attr:`PriorityResult.measure`): points, dots or a share."""
    if measure == RoundKind.APPROVAL.value:
        return t("prio.chart.axis.approval", lang)
    suffix = "_mean" if per_ballot else ""
    return t(f"prio.chart.axis.{measure}{suffix}", lang)


def _fmt(kind: RoundKind, value: float, lang: Language = Language.SV) -> str:
    """Shares as whole percent, Borda per participant with one decimal, points without ",0"."""
    if kind is RoundKind.APPROVAL:
        return f"{percent_text(value, lang)} %"
    return number_text(value, lang, trim=kind is RoundKind.POINTS)


def _height(labels: Sequence[str]) -> float:
    """Figure height for one bar per label: a long principle name wraps onto up to four lines,
    and its row must hold them all without touching the next one."""
    return max(4.0, 1.4 + rows_height(labels, 0.55))


@dataclass(frozen=True)
class Scale:
    """Where bars start and the x range they share (one scale for all sector panels)."""

    base: float
    low: float
    high: float


def borda_baseline(n_items: int) -> float:
    """The averaged Borda score per participant every principle gets when all are ranked equal.

    Every ballot hands out m(m − 1)/2 points over m principles, so the mean is (m − 1)/2.
    """
    return (n_items - 1) / 2


def _scale(kind: RoundKind, values: Sequence[float], n_items: int) -> Scale:
    """Zero-based for points and approval; around the all-equal baseline for rankings."""
    if kind is not RoundKind.RANKING:
        top = max([*values, 0.0])
        return Scale(0.0, 0.0, top * 1.18 if top > 0 else 1.0)
    base = borda_baseline(n_items)
    low, high = min([*values, base]), max([*values, base])
    pad = max(high - low, 0.5) * 0.18
    return Scale(base, max(0.0, low - pad), min(float(max(n_items - 1, 1)), high + pad))


def _bars(
    ax: Axes,
    values: Sequence[float],
    kind: RoundKind,
    colour: str,
    scale: Scale,
    lang: Language = Language.SV,
) -> None:
    """Horizontal bars from ``scale.base``, first value on top, each labelled with its value."""
    positions = list(range(len(values)))
    colours = [
        to_rgba(colour, 1.0 if v >= scale.base or kind is not RoundKind.RANKING else BELOW_ALPHA)
        for v in values
    ]
    container = ax.barh(
        positions, [v - scale.base for v in values], left=scale.base, color=colours, height=0.7
    )
    ax.bar_label(container, labels=[_fmt(kind, v, lang) for v in values], padding=3, fontsize=10)
    ax.set_ylim(len(values) - 0.5, -0.5)
    ax.set_xlim(scale.low, scale.high)
    ax.spines[["top", "right"]].set_visible(False)
    if kind is RoundKind.APPROVAL:
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{percent_text(x, lang)} %")
    if kind is RoundKind.RANKING:
        ax.axvline(
            scale.base,
            color=BASELINE_COLOUR,
            linestyle="--",
            linewidth=1,
            label=t("prio.chart.baseline", lang, baseline=_fmt(kind, scale.base, lang)),
        )


def _ranking_axis_label(n_items: int, lang: Language) -> str:
    base = borda_baseline(n_items)
    return t(
        "prio.chart.axis.borda_baseline",
        lang,
        top=max(n_items - 1, 0),
        baseline=_fmt(RoundKind.RANKING, base, lang),
    )


def ranked_bars_figure(
    result: PriorityResult,
    texts: Mapping[int, str],
    lang: Language = Language.SV,
    title: str | None = None,
) -> Figure:
    """One bar per principle, best on top, its score on the bar and n in the subtitle.

    Rankings are drawn per participant from the all-equal baseline (see the module docstring);
    points as totals and approval as shares, from zero.
    """
    ticks = [_name(texts, i) for i in result.order]
    fig = new_figure(10.0, _height(ticks) + (0.6 if result.kind is RoundKind.RANKING else 0.0))
    ax = fig.add_subplot()
    ranking = result.kind is RoundKind.RANKING
    values = [result.score_per_ballot(i) if ranking else result.score(i) for i in result.order]
    scale = _scale(result.kind, values, len(result.items))
    _bars(ax, values, result.kind, BAR_COLOUR, scale, lang)
    ax.set_yticks(range(len(values)), ticks, fontsize=11)
    if ranking:
        ax.set_xlabel(_ranking_axis_label(len(result.items), lang), fontsize=10)
        ax.legend(loc="lower right", frameon=False, fontsize=10)  # the dashed all-equal line
    else:
        ax.set_xlabel(_axis_label(result.measure, lang))
    ax.set_title(title or t("prio.chart.title", lang), fontsize=15, loc="left")
    fig.suptitle(
        t("prio.chart.n", lang, n=result.n_ballots), x=0.99, ha="right", fontsize=10, color=NOTE_COLOUR
    )
    return fig


def sector_figure(
    results_by_sector: Mapping[SectorKey, SectorResult],
    texts: Mapping[int, str],
    lang: Language = Language.SV,
    title: str | None = None,
    *,
    order: Sequence[int] | None = None,
    names: Mapping[GroupKey, str] | None = None,
    note: str | None = None,
) -> Figure:
    """The shown panels side by side on a shared principle order and scale, scores per participant.

    Hidden groups get no panel; ``note`` (under the chart) says which answers are not part of
    the comparison and why. ``names`` gives the panels' headings (default: the default sectors).
    ``order`` defaults to the first panel's order. Rankings start at the all-equal baseline as in
    :func:`ranked_bars_figure`.
    """
    names = dict(names) if names is not None else group_names(DEFAULT_SECTORS, lang)
    panels = [s for s in results_by_sector.values() if s.result is not None]
    if not panels:
        raise ValueError("no group is shown: there is no sector chart to draw")
    shown = [s.result for s in panels if s.result is not None]
    if order is None:
        order = shown[0].order
    kind = shown[0].kind
    measure = shown[0].measure
    n_items = len(shown[0].items)
    ticks = [_name(texts, i, 22) for i in order]
    fig = new_figure(
        max(6.0, 3.6 * len(panels) + 2.2), _height(ticks) + (0.6 if kind is RoundKind.RANKING else 0)
    )
    fig.suptitle(title or t("prio.chart.title", lang), fontsize=15)
    scale = _scale(kind, [r.score_per_ballot(i) for r in shown for i in order], n_items)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for position, (ax, panel) in enumerate(zip(axes, panels, strict=True)):
        result = panel.result
        assert result is not None
        _bars(
            ax,
            [result.score_per_ballot(i) for i in order],
            kind,
            sector_colour(panel.sector, position),
            scale,
            lang,
        )
        name = names.get(panel.sector, str(panel.sector))
        ax.set_title(f"{name}\n{t('prio.chart.n_short', lang, n=result.n_ballots)}", fontsize=12)
        if kind is not RoundKind.RANKING:
            ax.set_xlabel(_axis_label(measure, lang, per_ballot=True))
    footer = [_ranking_axis_label(n_items, lang)] if kind is RoundKind.RANKING else []
    if note:
        footer.append(wrap(note, 110))
    if footer:
        fig.supxlabel("\n".join(footer), fontsize=10)
    axes[0].set_yticks(range(len(order)), ticks, fontsize=11)
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
    fig = new_figure(size + 2.0, size)  # room for the row names left of the square matrix
    ax = fig.add_subplot()
    ax.imshow(margins, cmap="RdBu", vmin=-scale * 1.6, vmax=scale * 1.6, aspect="equal")
    for r, a in enumerate(order):
        for c, b in enumerate(order):
            label = "–" if a == b else str(matrix[a][b])
            ax.text(c, r, label, ha="center", va="center", fontsize=11)
    numbered = m > PAIRWISE_NAMED_COLUMNS
    if numbered:  # many columns: numbers that match the numbered rows, names would collide
        ax.set_xticks(range(m), [str(r + 1) for r in range(m)], fontsize=11)
        ax.set_yticks(range(m), [f"{r + 1}. {_name(texts, i, 22)}" for r, i in enumerate(order)], fontsize=10)
    else:
        ax.set_xticks(
            range(m),
            [_name(texts, i, 18) for i in order],
            fontsize=10,
            rotation=45,
            ha="right",
            rotation_mode="anchor",
        )
        ax.set_yticks(range(m), [_name(texts, i, 22) for i in order], fontsize=10)
    ax.set_ylabel(t("prio.chart.pairwise.rows", lang))
    ax.set_xlabel(t("prio.chart.pairwise.cols_numbered" if numbered else "prio.chart.pairwise.cols", lang))
    heading = title or t("prio.chart.pairwise.title", lang)
    if n is not None:
        heading = f"{heading}  ({t('prio.chart.n', lang, n=n)})"
    ax.set_title(heading, fontsize=13)
    fig.text(0.01, 0.005, t("prio.chart.pairwise.caption", lang), fontsize=9, color="#555555")
    return fig
