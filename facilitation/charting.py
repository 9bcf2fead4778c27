"""Shared matplotlib plumbing: Figure API on the Agg canvas, never pyplot's global state.

Charts are built by pure functions returning a :class:`~matplotlib.figure.Figure`, so tests can
inspect what was drawn (bar widths, labels) without comparing pixels; :func:`to_png` turns one
into bytes. :class:`ChartRenderer` runs rendering off the event loop (on a thread here; the bot
draws in worker processes, see :mod:`bot.chart_workers`, so a heavy chart never holds the event
loop or the GIL that acknowledges votes).
"""

from __future__ import annotations

import asyncio
import io
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Disagree is red on the left, agree is blue on the right; neutral is grey in the middle.
# Colour-blind safe diverging palette (ColorBrewer RdBu) so the projector view stays readable.
DIVERGING_5 = ("#ca0020", "#f4a582", "#bababa", "#92c5de", "#0571b0")
SECTOR_COLOURS = {"ideburen": "#1b9e77", "offentlig": "#7570b3", "annan": "#d95f02", None: "#999999"}
FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib and has å, ä, ö


def diverging_palette(steps: int) -> list[str]:
    """``steps`` colours from strong disagree (red) through grey to strong agree (blue)."""
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    if steps == 5:
        return list(DIVERGING_5)
    return [matplotlib.colors.to_hex(cmap(0.1 + 0.8 * i / max(steps - 1, 1))) for i in range(steps)]


def new_figure(width: float = 10.0, height: float = 6.0, dpi: int = 100) -> Figure:
    """A Figure with its own Agg canvas and the project's font, independent of pyplot."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    return fig


def wrap(text: str, width: int = 40) -> str:
    """``text`` broken onto lines of at most ``width`` characters for axis labels."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def render_png(build: Callable[..., Figure], args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """PNG bytes of ``build(*args, **kwargs)`` in the project's font (what a renderer runs)."""
    with matplotlib.rc_context({"font.family": FONT_FAMILY}):
        fig = build(*args, **kwargs)
    return to_png(fig)


class ChartsUnavailable(Exception):
    """Charts cannot be drawn right now (their worker died and could not be brought back).

    The conversation then posts what it can and the results once charts can be drawn again
    (:meth:`ChartRenderer.wait_until_available`), rather than failing the command.
    """


class ChartRenderer:
    """Renders chart-building functions off the event loop, on one thread.

    Enough for the local mode and tests; the bot process draws in worker processes that are
    restarted when they die (:class:`bot.chart_workers.ProcessChartRenderer`, same interface).
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")

    async def render(self, build: Callable[..., Figure], *args: Any, **kwargs: Any) -> bytes:
        """PNG bytes of ``build(*args, **kwargs)``; raises :class:`ChartsUnavailable` when charts
        cannot be drawn now."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, render_png, build, args, kwargs)

    async def wait_until_available(self) -> None:
        """Return once a chart can be drawn again (a thread always can)."""
        return None

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
