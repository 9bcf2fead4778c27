"""Projector charts of a follow-up: each commitment, the groups by party and principle (sectors
side by side), and the years compared.

Pure functions returning a matplotlib Figure, drawn in a chart worker (see
:mod:`facilitation.rendering`). The five steps run from red ("Inte alls") on the left to blue
("Helt och hållet") on the right, "Delvis" grey in the middle, as the barometer's colours.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from facilitation.barometer.charts import palette
from facilitation.barometer.metrics import StatementStats
from facilitation.charting import fit_legend, new_figure, rows_height, text_colour_on, wrap
from facilitation.followup.scale import STEPS, scale_labels
from facilitation.i18n import percent_text, t
from facilitation.model import Language

LABEL_WIDTH = 55
NOTE_COLOUR = "#555555"


def _stacked(
    ax: Axes, stats: Sequence[StatementStats | None], notes: Sequence[str | None], lang: Language
) -> None:
    """One 100 % bar per row (top row first), its steps' shares, n right of it, or the note."""
    colours = palette(STEPS)
    rows = len(stats)
    for row, (s, note) in enumerate(zip(stats, notes, strict=True)):
        y = rows - 1 - row
        if s is None or not s.n:
            ax.text(
                2, y, note or t("followup.chart.no_value", lang), va="center", fontsize=9, color=NOTE_COLOUR
            )
            continue
        left = 0.0
        for step, count in enumerate(s.distribution):
            share = 100.0 * count / s.n
            if share <= 0:
                continue
            ax.barh(y, share, left=left, color=colours[step], edgecolor="white", height=0.7)
            if share >= 8:
                ax.text(
                    left + share / 2,
                    y,
                    percent_text(share / 100),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=text_colour_on(colours[step]),
                )
            left += share
        ax.text(101, y, t("followup.chart.n", lang, n=s.n), va="center", fontsize=8)
    ax.set_xlim(0, 112)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(t("followup.chart.axis", lang))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend(fig: Figure, lang: Language, note: str | None = None) -> None:
    """The steps' colours below the chart, with ``note`` (what the sector panels leave out) above them."""
    colours = palette(STEPS)
    labels = scale_labels(lang)
    if note:
        fit_legend(fig, [Patch(color=c) for c in colours], labels, title=note, title_fontsize=9)
    else:
        fit_legend(fig, [Patch(color=c) for c in colours], labels)


def commitments_figure(
    labels: Sequence[str],
    stats: Sequence[StatementStats],
    notes: Sequence[str | None],
    lang: Language,
    title: str,
) -> Figure:
    """Every commitment as a bar of its answers from "Inte alls" to "Helt och hållet"."""
    wrapped = [wrap(label, LABEL_WIDTH) for label in labels]
    fig = new_figure(12, 1.6 + rows_height(wrapped, 0.5, padding=0.15))
    ax = fig.add_subplot()
    _stacked(ax, stats, notes, lang)
    ax.set_yticks(range(len(wrapped) - 1, -1, -1), wrapped, fontsize=9)
    ax.set_title(title, fontsize=14, loc="left")
    _legend(fig, lang)
    return fig


def groups_figure(
    labels: Sequence[str],
    parties: int,
    panels: Sequence[tuple[str, Sequence[StatementStats | None]]],
    lang: Language,
    title: str,
    note: str,
) -> Figure:
    """The groups (the parties' first, then the principles) as bars, one panel per shown sector
    beside everyone's, a line between the parties and the principles."""
    wrapped = [wrap(label, 30) for label in labels]
    fig = new_figure(max(9.0, 3.6 * len(panels) + 2.5), 2.0 + rows_height(wrapped, 0.45))
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (name, stats) in zip(axes, panels, strict=True):
        _stacked(ax, stats, [None] * len(stats), lang)
        ax.set_title(name, fontsize=11)
        if 0 < parties < len(labels):
            ax.axhline(len(labels) - parties - 0.5, color="#333333", linewidth=0.8)
    axes[0].set_yticks(range(len(wrapped) - 1, -1, -1), wrapped, fontsize=10)
    fig.suptitle(title, fontsize=14, x=0.01, ha="left")
    _legend(fig, lang, note)
    return fig


def years_figure(
    labels: Sequence[str],
    years: Sequence[int],
    shares: Sequence[Sequence[float | None]],
    lang: Language,
    title: str,
) -> Figure:
    """Per group the share kept (4–5) in each year, the latest year darkest; "–" where a year has none."""
    wrapped = [wrap(label, 30) for label in labels]
    count = len(years)
    height = 0.8 / count
    fig = new_figure(11, 1.8 + rows_height(wrapped, 0.25 * count + 0.25))
    ax = fig.add_subplot()
    blues = ["#c6dbef", "#9ecae1", "#6baed6", "#2171b5", "#08306b"][-count:]
    for row, values in enumerate(shares):
        centre = len(labels) - 1 - row
        for index, (year, value) in enumerate(zip(years, values, strict=True)):
            y = centre + 0.4 - height * (index + 0.5)
            if value is None:
                ax.text(1, y, f"{year}: {t('followup.chart.no_value', lang)}", va="center", fontsize=7)
                continue
            ax.barh(y, 100 * value, height=height * 0.9, color=blues[index])
            ax.text(100 * value + 1, y, f"{year}: {percent_text(value)} %", va="center", fontsize=7)
    ax.set_yticks(range(len(wrapped) - 1, -1, -1), wrapped, fontsize=10)
    ax.set_xlim(0, 115)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(t("followup.chart.years_axis", lang))
    ax.set_title(title, fontsize=13, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fit_legend(fig, [Patch(color=c) for c in blues], [str(y) for y in years])
    return fig
