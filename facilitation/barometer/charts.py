"""Projector charts of an Åsiktsbarometer round: all statements, sectors side by side, one room.

Pure functions returning a matplotlib Figure (never pyplot), so tests read the drawn artists and
:class:`~facilitation.rendering.ChartRenderer` can build them in a worker process. Disagree is red
on the left, agree blue on the right, the middle step grey and centred across zero — the same
line people stand on in the workshop room.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import cast

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from facilitation.barometer.analysis import Consensus, Side
from facilitation.barometer.metrics import GroupStatus, SectorBreakdown, StatementStats
from facilitation.barometer.scale import check_steps, scale_labels
from facilitation.charting import (
    diverging_palette,
    fit_legend,
    new_figure,
    rows_height,
    sector_colour,
    text_colour_on,
    wrap,
)
from facilitation.groups import GroupKey, group_names
from facilitation.i18n import number_text, percent_text, t
from facilitation.model import DEFAULT_SECTORS, Language
from facilitation.suppression import POOLED, Hidden

LABEL_WIDTH = 38
#: An earlier round is drawn as hatched outlines, never as paler fills: a faded bar looks like
#: this year's lighter step ("Håller delvis med") instead of like another year.
EARLIER_HATCH = "////"
NOTE_COLOUR = "#555555"
NEUTRAL_COLOUR = "#bababa"
N_X = 104.0  # where a sector panel writes each row's n, right of the ±100 % bars
ZERO_LINE_ZORDER = 0.5  # below bars (patches are drawn at zorder 1)


def palette(steps: int) -> list[str]:
    """Red (disagree) to blue (agree); the middle step of an odd scale grey, visible on white."""
    colours = diverging_palette(steps)
    if steps % 2:
        colours[steps // 2] = NEUTRAL_COLOUR
    return colours


def segments(stats: StatementStats) -> list[tuple[float, float]]:
    """``(left, width)`` in percent per step: disagree left of 0, neutral centred, agree right."""
    steps = stats.steps
    shares = [100.0 * c / stats.n if stats.n else 0.0 for c in stats.distribution]
    middle = steps // 2
    half = shares[middle] / 2 if steps % 2 else 0.0
    out: list[tuple[float, float]] = [(0.0, 0.0)] * steps
    if steps % 2:
        out[middle] = (-half, shares[middle])
    edge = -half
    for index in range(middle - 1, -1, -1):
        edge -= shares[index]
        out[index] = (edge, shares[index])
    edge = half
    for index in range((steps + 1) // 2, steps):
        out[index] = (edge, shares[index])
        edge += shares[index]
    return out


def _extent(stats: StatementStats) -> float:
    """How far from zero the bar of ``stats`` reaches on either side, in percent."""
    parts = segments(stats)
    return max(-parts[0][0], parts[-1][0] + parts[-1][1])


def _n(n: int, lang: Language | str) -> str:
    return t("barometer.chart.n", lang, n=n)


def _percent_axis(ax: Axes, limit: float = 100.0, right: float | None = None) -> None:
    ax.set_xlim(-limit, limit if right is None else right)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{percent_text(abs(x) / 100)} %"))
    # Behind the bars: the middle step's percentage is written across zero and must stay readable.
    ax.axvline(0, color="#333333", linewidth=1, zorder=ZERO_LINE_ZORDER)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _stacked(
    ax: Axes,
    ys: Sequence[float],
    rows: Sequence[StatementStats],
    colours: Sequence[str],
    labels: Sequence[str],
    height: float,
    alpha: float = 1.0,
    inline: bool = True,
) -> list[BarContainer]:
    """One container per step over ``rows``; percentages ≥ 8 written inside the segment."""
    containers = []
    for index, (colour, label) in enumerate(zip(colours, labels, strict=True)):
        parts = [segments(s)[index] for s in rows]
        container = ax.barh(
            list(ys),
            [w for _, w in parts],
            left=[x for x, _ in parts],
            height=height,
            color=colour,
            alpha=alpha,
            edgecolor="white",
            linewidth=0.8,
            label=label,
        )
        containers.append(container)
        if inline:
            for y, (x, w) in zip(ys, parts, strict=True):
                if w >= 8:
                    ax.text(
                        x + w / 2,
                        y,
                        f"{percent_text(w / 100)} %",
                        ha="center",
                        va="center",
                        fontsize=10,
                        color=text_colour_on(colour),
                    )
    return containers


def diverging_figure(
    texts: Sequence[str],
    stats: Sequence[StatementStats],
    steps: int,
    lang: Language | str = Language.SV,
    title: str | None = None,
    earlier: Sequence[StatementStats | None] | None = None,
    notes: Sequence[str | None] | None = None,
    footnote: str | None = None,
    dont_know: Sequence[int] | None = None,
) -> Figure:
    """All statements as diverging stacked bars, first statement on top, n in each label.

    With ``earlier`` (matched to ``texts`` by position), each statement also gets a thin, pale
    bar beneath it with the earlier round's n beside it, and a legend entry for it. A statement
    with a ``notes`` entry (too few answers to show) gets that note instead of a bar, and
    ``footnote`` goes under the axis (e.g. how many answers are not part of the result).
    ``dont_know`` (a round that offered "Vet inte") gives each statement's count of those answers,
    written beside n with its share of all answers: it is never part of a bar.
    """
    check_steps(steps)
    notes = list(notes) if notes is not None else [None] * len(stats)
    if (
        len(texts) != len(stats)
        or len(notes) != len(stats)
        or (earlier is not None and len(earlier) != len(stats))
    ):
        raise ValueError("texts, stats, notes and earlier must be equally long")
    has_earlier = earlier is not None and any(e is not None and e.n for e in earlier)
    unsure = list(dont_know) if dont_know is not None else [None] * len(stats)
    ticks = [
        wrap(text, LABEL_WIDTH) + ("" if note else f"\n{_n(s.n, lang)}" + _unsure(k, s.n, lang))
        for text, s, note, k in zip(texts, stats, notes, unsure, strict=True)
    ]
    fig = new_figure(12.0, max(4.0, 1.8 + rows_height(ticks, 1.25 if has_earlier else 1.0)))
    ax = fig.add_subplot()
    labels = scale_labels(steps, lang)
    colours = palette(steps)
    ys = list(range(len(stats)))
    height = 0.55 if has_earlier else 0.7
    containers = _stacked(ax, ys, stats, colours, labels, height)
    handles: list = list(containers)  # type: ignore[type-arg]
    legend_labels = list(labels)
    if has_earlier:
        assert earlier is not None
        for y, before in zip(ys, earlier, strict=True):
            if before is not None and before.n:  # an earlier room below the minimum has nothing to draw
                _earlier_bar(ax, y + 0.42, before, lang)
        handles.append(Patch(facecolor="white", edgecolor=NOTE_COLOUR, hatch=EARLIER_HATCH))
        legend_labels.append(t("barometer.chart.earlier", lang))
    drawn = [*stats, *(e for e in earlier or () if e is not None and e.n)]
    extent = max([_extent(s) for s in drawn] + [50.0])
    _percent_axis(ax, min(120.0, math.ceil(extent / 10) * 10 + (20 if has_earlier else 10)))
    for y, note in zip(ys, notes, strict=True):
        if note:
            ax.text(
                0, y, wrap(note, 60), ha="center", va="center", fontsize=10, style="italic", color=NOTE_COLOUR
            )
    ax.set_yticks(ys, ticks, fontsize=11)
    ax.set_ylim(len(stats) - 0.4 + (0.3 if has_earlier else 0), -0.6)
    ax.set_xlabel(
        t("barometer.chart.axis", lang) + (f"\n{wrap(footnote, 110)}" if footnote else ""), fontsize=11
    )
    ax.set_title(title or t("barometer.chart.title", lang), loc="left", fontsize=15)
    fit_legend(fig, handles, legend_labels)
    return fig


def _unsure(k: int | None, n: int, lang: Language | str) -> str:
    """ " · vet inte 3 (9 %)" beside n, or nothing where the round did not offer "Vet inte"."""
    if k is None:
        return ""
    share = percent_text(k / (n + k)) if n + k else "0"
    return " · " + t("barometer.chart.dont_know", lang, k=k, share=share)


def _earlier_bar(ax: Axes, y: float, before: StatementStats, lang: Language | str) -> None:
    """The earlier round's distribution as a thin bar of hatched outlines, its n beside it."""
    parts = segments(before)
    edges = [colour if w > 0 else "none" for (_, w), colour in zip(parts, palette(before.steps), strict=True)]
    ax.barh(
        [y] * before.steps,
        [w for _, w in parts],
        left=[x for x, _ in parts],
        height=0.22,
        facecolor="white",
        edgecolor=edges,
        hatch=EARLIER_HATCH,
        linewidth=1.0,
        label="_earlier",
    )
    right = max([x + w for x, w in parts if w > 0], default=0.0)
    ax.text(
        right + 1.5,
        y,
        t("barometer.chart.earlier_n", lang, n=before.n),
        va="center",
        fontsize=9,
        color=NOTE_COLOUR,
    )


def _cell_note(breakdown: SectorBreakdown, key: GroupKey) -> str:
    """Why a panel has no bar on this statement, in text-key form (see :func:`sector_figure`)."""
    if key == POOLED:
        small = any(r is Hidden.TOO_FEW for r in breakdown.disclosure.hidden.values())
        return "hidden.too_few" if small else "barometer.chart.no_answers"
    group = breakdown.group(key)
    if group.status is GroupStatus.EMPTY:
        return "barometer.chart.no_answers"
    return f"hidden.{group.reason.value if group.reason else Hidden.TOO_FEW.value}"


def sector_figure(
    texts: Sequence[str],
    breakdowns: Sequence[SectorBreakdown],
    steps: int,
    lang: Language | str = Language.SV,
    title: str | None = None,
    names: Mapping[GroupKey, str] | None = None,
    note: str | None = None,
    dont_know: bool = False,
) -> Figure:
    """One panel per group shown on some statement, same statement order and ±100 % scale.

    ``names`` gives the panels' headings in presentation order (default: the default sectors).
    A group that is shown on no statement gets no panel (``note``, above the legend, says what
    was left out and why); on a statement where a drawn panel's group is hidden, the row says
    why, in words. A split with no shown group at all is a ValueError: no empty chart is drawn.
    """
    check_steps(steps)
    if len(texts) != len(breakdowns):
        raise ValueError("texts and breakdowns must be equally long")
    names = dict(names) if names is not None else group_names(DEFAULT_SECTORS, lang)
    keys = [key for key in names if any(key in b.shown for b in breakdowns)]
    if not keys:
        raise ValueError("no group is shown on any statement: there is no sector chart to draw")
    ticks = [wrap(text, 30) for text in texts]
    fig = new_figure(
        max(9.0, 3.2 + (4.4 if dont_know else 3.6) * len(keys)), max(4.0, 2.0 + rows_height(ticks, 1.0))
    )
    axes = fig.subplots(1, len(keys), sharey=True, squeeze=False)[0]
    labels = scale_labels(steps, lang)
    colours = palette(steps)
    containers: list[BarContainer] = []
    for ax, key in zip(axes, keys, strict=True):
        shown = [(y, b.shown[key]) for y, b in enumerate(breakdowns) if key in b.shown]
        containers = _stacked(
            ax, [y for y, _ in shown], [s for _, s in shown], colours, labels, 0.7, inline=False
        )
        for y, breakdown in enumerate(breakdowns):
            stats = breakdown.shown.get(key)
            if stats is not None:
                label = _n(stats.n, lang)
                if dont_know:
                    label += "\n" + _unsure(breakdown.dont_know_of(key), stats.n, lang).removeprefix(" · ")
                ax.text(N_X, y, label, ha="left", va="center", fontsize=10, color=NOTE_COLOUR)
            else:
                ax.text(
                    0,
                    y,
                    wrap(t(_cell_note(breakdown, key), lang), 30),
                    ha="center",
                    va="center",
                    fontsize=10,
                    style="italic",
                    color=NOTE_COLOUR,
                )
        _percent_axis(
            ax, 100.0, right=N_X + (70 if dont_know else 32)
        )  # "vet inte 12 (45 %)" is wider than n
        ax.set_xticks([-100, -50, 0, 50, 100])
        ax.set_title(names[key], fontsize=13)
    axes[0].set_yticks(range(len(texts)), ticks, fontsize=10)
    axes[0].set_ylim(len(texts) - 0.5, -0.5)
    fig.suptitle(title or t("barometer.chart.title", lang), fontsize=15)
    axes[len(axes) // 2].set_xlabel(t("barometer.chart.axis", lang), fontsize=10)
    fit_legend(
        fig, _as_handles(containers), labels, title=wrap(note, 110) if note else None, title_fontsize=10
    )
    return fig


def _as_handles(containers: Sequence[BarContainer]) -> list[Artist]:
    """Bar containers as legend handles: matplotlib's legend draws a container as its first bar,
    but its type stubs name only artists, so the list is retyped here (nothing is converted)."""
    return cast(list[Artist], list(containers))


def _step_tick(value: int, label: str, width: int) -> str:
    """The step's number above its words; scales beyond seven steps already start a middle step's
    words with its number ("3 (lutar åt inte med)"), which is then not written twice."""
    if label.startswith(f"{value} "):
        return wrap(label, width)
    return f"{value}\n{wrap(label, width)}"


def room_figure(
    text: str,
    stats: StatementStats,
    steps: int,
    lang: Language | str = Language.SV,
) -> Figure:
    """Where the room stands on one statement: a column of people per step, mean and median."""
    check_steps(steps)
    if stats.steps != steps:
        raise ValueError("stats were computed on another scale")
    fig = new_figure(11.0, 6.0)
    ax = fig.add_subplot()
    positions = list(range(1, steps + 1))
    container = ax.bar(
        positions, stats.distribution, color=palette(steps), edgecolor="#333333", linewidth=0.6, width=0.7
    )
    ax.bar_label(container, labels=[str(c) for c in stats.distribution], padding=3, fontsize=13)
    labels = scale_labels(steps, lang)
    width = 14 if steps <= 7 else 9
    ax.set_xticks(
        positions,
        [_step_tick(v, label, width) for v, label in zip(positions, labels, strict=True)],
        fontsize=11 if steps <= 7 else 8,
    )
    ax.set_xlim(0.4, steps + 0.6)
    top = max([*stats.distribution, 1]) * 1.45
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(t("barometer.chart.count_axis", lang))
    ax.spines[["top", "right"]].set_visible(False)
    if stats.mean is not None and stats.median is not None:
        # markers in a band above the columns, so they never hide a count
        ax.plot(
            [stats.mean],
            [top * 0.93],
            marker="v",
            markersize=16,
            color="#111111",
            linestyle="none",
            label=t("barometer.chart.mean", lang, value=number_text(stats.mean, lang)),
        )
        ax.plot(
            [stats.median],
            [top * 0.84],
            marker="D",
            markersize=11,
            color="#6a3d9a",
            linestyle="none",
            label=t("barometer.chart.median", lang, value=number_text(stats.median, lang)),
        )
        fig.legend(loc="outside lower center", ncol=2, fontsize=11, frameon=False)
    else:
        ax.text(
            0.5,
            0.5,
            t("barometer.chart.no_answers", lang),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=14,
            style="italic",
            color=NOTE_COLOUR,
        )
    ax.set_title(wrap(text, 60), loc="left", fontsize=14)
    ax.set_title(_n(stats.n, lang), loc="right", fontsize=13, color=NOTE_COLOUR)
    return fig


def consensus_figure(
    texts: Sequence[str],
    consensus: Mapping[Side, Sequence[Consensus[GroupKey]]],
    names: Mapping[GroupKey, str],
    lang: Language | str = Language.SV,
    title: str | None = None,
) -> Figure:
    """ "Här är sektorerna överens": one row per agreed statement (agree first, then disagree,
    strongest first), a bar per shown panel with its share on that side, the consensus score in the
    label. ``texts`` are all statements of the round (with their numbers), indexed by
    :attr:`Consensus.index`; ``names`` gives the panels' names in presentation order. A ValueError
    when nothing is agreed: no empty chart is drawn.
    """
    entries = [entry for side in Side for entry in consensus.get(side, ())]
    if not entries:
        raise ValueError("no statement is agreed by every shown panel: there is no consensus chart to draw")
    keys = [key for key in names if any(key in entry.panels for entry in entries)]
    ticks = [
        wrap(texts[entry.index], LABEL_WIDTH)
        + "\n"
        + t(f"barometer.chart.consensus_{entry.side.value}", lang)
        + ", "
        + t("barometer.chart.consensus_score", lang, score=number_text(entry.score, lang, digits=2))
        for entry in entries
    ]
    fig = new_figure(12.0, max(4.0, 1.8 + rows_height(ticks, 0.5 + 0.3 * len(keys))))
    ax = fig.add_subplot()
    band = 0.8 / len(keys)
    handles: list[BarContainer] = []
    for position, key in enumerate(keys):
        colour = sector_colour(key, position)
        ys = [row - 0.4 + band * (position + 0.5) for row, entry in enumerate(entries) if key in entry.panels]
        shares = [100 * entry.panels[key].share(entry.side) for entry in entries if key in entry.panels]
        handles.append(ax.barh(ys, shares, height=band * 0.9, color=colour, label=names[key]))
        for y, share in zip(ys, shares, strict=True):
            ax.text(share + 1, y, f"{percent_text(share / 100)} %", va="center", fontsize=10)
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100], [f"{v} %" for v in (0, 25, 50, 75, 100)])
    ax.axvline(50, color=NOTE_COLOUR, linewidth=0.8, linestyle="--", zorder=ZERO_LINE_ZORDER)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(range(len(entries)), ticks, fontsize=11)
    ax.set_ylim(len(entries) - 0.5, -0.5)
    ax.set_xlabel(t("barometer.chart.consensus_axis", lang), fontsize=11)
    ax.set_title(title or t("barometer.chart.consensus_title", lang), loc="left", fontsize=15)
    fit_legend(fig, _as_handles(handles), [names[key] for key in keys])
    return fig
