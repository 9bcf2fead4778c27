"""Shared matplotlib plumbing: Figure API on the Agg canvas, never pyplot's global state.

Charts are built by pure functions returning a :class:`~matplotlib.figure.Figure`, so tests can
inspect what was drawn (bar widths, labels) without comparing pixels; :func:`to_png` turns one
into bytes. Only a process that draws imports this module (and matplotlib): asking for a chart
goes through :mod:`facilitation.rendering`, and the bot draws in worker processes
(:mod:`bot.chart_workers`), so a heavy chart never holds the event loop or the GIL that
acknowledges votes.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
import PIL.Image

matplotlib.use("Agg", force=False)

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.typing import RcKeyType

# Disagree is red on the left, agree is blue on the right; neutral is grey in the middle.
# Colour-blind safe diverging palette (ColorBrewer RdBu) so the projector view stays readable.
DIVERGING_5 = ("#ca0020", "#f4a582", "#bababa", "#92c5de", "#0571b0")
SECTOR_COLOURS = {
    "ideburen": "#1b9e77",
    "offentlig": "#7570b3",
    "annan": "#d95f02",
    None: "#999999",
    "*": "#7f7f7f",
}
# A process's own sectors take these in turn (ColorBrewer Dark2, as the defaults above).
OTHER_SECTOR_COLOURS = (
    "#1b9e77",
    "#7570b3",
    "#d95f02",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
)
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib and has å, ä, ö
#: The settings every chart is built and drawn with. ``axes.titley`` fixed at the top of the axes
#: (matplotlib's default, ``None``, places each title by measuring the tick labels of every
#: sibling axes at every draw and layout pass, in case some of them sit on top): none of our
#: charts puts anything above its axes, so the titles land on exactly the same pixels, and a
#: chart is drawn about a tenth faster (``tests/test_chart_layout.py`` checks the pixels).
CHART_STYLE: dict[RcKeyType, Any] = {"font.family": FONT_FAMILY, "axes.titley": 1.0}
#: zlib level of the PNGs. Our charts are flat colours: level 1 makes files a few per cent larger
#: than the default 6 and takes about two thirds of its time.
PNG_COMPRESS_LEVEL = 1
#: Where on RdBu each side's colours are taken (0 = darkest red). RdBu turns almost white towards
#: 0.5; a projector washes out anything paler than 0.30 (#f4a582 / #92c5de, the light steps of
#: the five-step palette), so every scale spreads its steps over 0.04–0.30 and 0.70–0.96.
SIDE_DARKEST, SIDE_LIGHTEST = 0.04, 0.30
#: Text on a colour darker than this relative luminance is written in white, else in black.
DARK_LUMINANCE = 0.3


def diverging_palette(steps: int) -> list[str]:
    """``steps`` colours from strong disagree (red) to strong agree (blue), none paler than the
    light steps of the five-step palette; an odd scale's middle is left for the caller (grey)."""
    from matplotlib import colormaps

    if steps == 5:
        return list(DIVERGING_5)
    cmap = colormaps["RdBu"]
    side = steps // 2
    if side == 1:
        ts = [0.1]
    else:
        ts = [SIDE_DARKEST + (SIDE_LIGHTEST - SIDE_DARKEST) * i / (side - 1) for i in range(side)]
    reds = [matplotlib.colors.to_hex(cmap(t)) for t in ts]
    blues = [matplotlib.colors.to_hex(cmap(1.0 - t)) for t in reversed(ts)]
    middle = [matplotlib.colors.to_hex(cmap(0.5))] if steps % 2 else []
    return [*reds, *middle, *blues]


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a colour: 0 black … 1 white."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in matplotlib.colors.to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_on(colour: str) -> str:
    """White on dark colours, black on light ones, so a label inside a bar is always readable."""
    return "white" if luminance(colour) < DARK_LUMINANCE else "black"


def sector_colour(key: str | None, position: int) -> str:
    """A group's colour: the default sectors' own, else the ``position``-th of a fixed palette."""
    return SECTOR_COLOURS.get(key) or OTHER_SECTOR_COLOURS[position % len(OTHER_SECTOR_COLOURS)]


def new_figure(width: float = 10.0, height: float = 6.0, dpi: int = 100) -> Figure:
    """A Figure with its own Agg canvas and the project's font, independent of pyplot."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    return fig


def wrap(text: str, width: int = 40) -> str:
    """``text`` broken onto lines of at most ``width`` characters for axis labels."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


#: Height in inches one line of an 11-point label takes (11 pt × 1.2 line spacing / 72).
LINE_INCHES = 0.19


def rows_height(labels: Sequence[str], minimum_row: float, padding: float = 0.25) -> float:
    """Inches a column of evenly spaced tick labels needs so no two of them overlap: every row
    gets at least ``minimum_row`` and at least the tallest label's lines plus ``padding``."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return len(labels) * max(minimum_row, LINE_INCHES * lines + padding)


def fit_legend(
    fig: Figure,
    handles: Sequence[Artist],
    labels: Sequence[str],
    *,
    fontsize: float = 10,
    wrap_width: int = 22,
    **kwargs: Any,
) -> Legend:
    """A legend below the axes with as many columns as the figure's width holds, never clipped.

    One row is tried first; when the legend is wider than the figure, fewer columns are tried,
    and the entries are then spread evenly over the rows needed (11 steps: 4 + 4 + 3). The
    figure grows by the legend's height, so the plot above keeps the room it was sized for.
    """
    wrapped = [wrap(label, wrap_width) for label in labels]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    options = {"loc": "outside lower center", "fontsize": fontsize, "frameon": False, **kwargs}
    count = max(len(wrapped), 1)
    for ncol in range(count, 0, -1):
        rows = math.ceil(count / ncol)
        legend = fig.legend(list(handles), wrapped, ncol=math.ceil(count / rows), **options)
        extent = legend.get_window_extent(renderer)
        if ncol == 1 or extent.width <= fig.bbox.width * 0.97:
            fig.set_figheight(fig.get_figheight() + extent.height / fig.dpi)
            return legend
        legend.remove()
    raise AssertionError("unreachable: one column always fits")


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes: drawn once on its Agg canvas, the pixels then compressed.

    Not ``savefig``: with a layout engine it draws the whole figure twice (once without output,
    to run the layout, then again for the pixels), and that first pass was about a fifth of a
    chart's time. ``canvas.draw`` runs the same layout and draws once, to the same pixels as
    ``savefig`` (``tests/test_chart_layout.py``). The PNG is RGB, not RGBA: a chart is opaque
    (white behind everything), so the alpha channel only made the file larger and slower to write.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context(CHART_STYLE):
        canvas.draw()
        rgba = PIL.Image.frombuffer(
            "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        rgba.convert("RGB").save(
            buffer, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(fig.dpi, fig.dpi)
        )
    return buffer.getvalue()


def draw_png(build: Callable[..., Figure], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """PNG bytes of ``build(*args, **kwargs)`` in the project's font (what a renderer runs, in the
    process that draws: see :func:`facilitation.rendering.render_png`)."""
    with matplotlib.rc_context(CHART_STYLE):
        fig = build(*args, **kwargs)
    return to_png(fig)
