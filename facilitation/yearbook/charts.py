"""The trend chart: per statement, the mean and the share agreeing per yearly round.

Drawn in a chart worker (named by :func:`facilitation.rendering.lazy_chart`); a pure function of
its arguments, which hold only published figures (:mod:`facilitation.yearbook.trend`).
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from facilitation.charting import fit_legend, new_figure, sector_colour, wrap
from facilitation.groups import GroupKey
from facilitation.i18n import t
from facilitation.model import Language
from facilitation.yearbook import texts as _texts  # noqa: F401  (registers yearbook.* texts)
from facilitation.yearbook.trend import Trend

ROOM = "#111111"


def trend_figure(trend: Trend, lang: Language | str = Language.SV, title: str = "") -> Figure:
    """One row per statement: its mean (left) and share agreeing (right) per year, the whole room
    as a thick black line and each sector the year's round showed as a thin coloured one."""
    rows = max(len(trend.statements), 1)
    fig = new_figure(11.0, 1.0 + 2.4 * rows)
    fig.suptitle(title or t("yearbook.chart.title", lang, process=trend.process), fontsize=14)
    groups: list[GroupKey] = []
    for series in trend.statements:
        for point in series.points:
            groups += [key for key in point.sectors if key not in groups]
    order = list(trend.names)
    groups.sort(key=lambda key: order.index(key) if key in order else len(order))
    years = list(trend.years)
    axes = fig.subplots(rows, 2, squeeze=False)
    for row, series in enumerate(trend.statements):
        mean_ax, share_ax = axes[row]
        steps = max((p.overall.steps for p in series.points if p.overall is not None), default=5)
        for ax, value, top in ((mean_ax, "mean", steps), (share_ax, "share_agree", 1.0)):
            for position, key in enumerate(groups):
                xs = [p.year for p in series.points if key in p.sectors]
                ys = [getattr(p.sectors[key], value) for p in series.points if key in p.sectors]
                ax.plot(xs, ys, marker="o", linewidth=1.4, markersize=5, color=sector_colour(key, position))
            xs = [p.year for p in series.points if p.overall is not None]
            ys = [getattr(p.overall, value) for p in series.points if p.overall is not None]
            ax.plot(xs, ys, marker="s", linewidth=3, markersize=7, color=ROOM)
            low = 1 if value == "mean" else 0
            margin = (top - low) * 0.04  # a point on the scale's end is drawn whole
            ax.set_ylim(low - margin, top + margin)
            ax.set_xlim(min(years, default=0) - 0.5, max(years, default=0) + 0.5)
            ax.set_xticks(years)
            ax.grid(axis="y", color="#dddddd")
            ax.spines[["top", "right"]].set_visible(False)
        share_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        mean_ax.set_ylabel(t("yearbook.chart.mean_axis", lang, steps=steps), fontsize=9)
        share_ax.set_ylabel(t("yearbook.chart.agree_axis", lang), fontsize=9)
        mean_ax.set_title(wrap(f"{series.number or '–'}. {series.text}", 60), fontsize=10, loc="left")
        if not any(p.overall is not None for p in series.points):
            for ax in (mean_ax, share_ax):
                ax.text(0.5, 0.5, t("yearbook.chart.nothing", lang), transform=ax.transAxes, ha="center")
    if not trend.statements:
        for ax in axes[0]:
            ax.text(0.5, 0.5, t("yearbook.chart.nothing", lang), transform=ax.transAxes, ha="center")
    handles = [Line2D([], [], color=ROOM, linewidth=3, marker="s")]
    labels = [t("yearbook.chart.room", lang)]
    for position, key in enumerate(groups):
        handles.append(Line2D([], [], color=sector_colour(key, position), linewidth=1.4, marker="o"))
        labels.append(trend.names.get(key, str(key)))
    fit_legend(fig, handles, labels, fontsize=10)
    return fig
