"""Charts a room reads at a glance: nothing clipped, no labels on top of each other, colours that
survive a projector. Checked on the hard cases of ``docs/gallery.py`` (7- and 11-step scales, one
sector, long principle names, 14 principles pairwise, an earlier round) by measuring what was
drawn, not by comparing pixels."""

from __future__ import annotations

import importlib.util
import io
import random
from itertools import combinations
from pathlib import Path
from types import ModuleType

import matplotlib
import PIL.Image
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from facilitation.barometer.charts import ZERO_LINE_ZORDER, diverging_figure, palette
from facilitation.barometer.metrics import statement_stats
from facilitation.charting import CHART_STYLE, luminance, to_png


def _gallery() -> ModuleType:
    """``docs/gallery.py``, the script that draws the hard cases into ``docs/charts``."""
    path = Path(__file__).resolve().parent.parent / "docs" / "gallery.py"
    spec = importlib.util.spec_from_file_location("gallery", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gallery = _gallery()
CASES = {**gallery.barometer_cases(random.Random(2015)), **gallery.prioritisation_cases(random.Random(2015))}
#: The lightest non-neutral steps of the five-step palette (#f4a582, #92c5de) have a contrast of
#: about 1.9 against white; nothing on any scale may be paler than that on a projector.
MIN_CONTRAST_ON_WHITE = 1.85


def drawn(fig: Figure) -> Figure:
    to_png(fig)  # runs the layout, as the bot's PNG does
    return fig


def _undrawn_ticks(fig: Figure) -> set[int]:
    """Tick labels matplotlib keeps for ticks outside the view limits (it does not draw them)."""
    out: set[int] = set()
    for ax in fig.axes:
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = min(low, high), max(low, high)
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    out.update({id(tick.label1), id(tick.label2)})
    return out


def visible_texts(fig: Figure) -> list[Text]:
    undrawn = _undrawn_ticks(fig)
    texts = [
        t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in undrawn
    ]
    return [t for t in texts if t.get_window_extent().width > 0]


def inside(box: Bbox, outer: Bbox, slack: float = 1.0) -> bool:
    return (
        box.x0 >= outer.x0 - slack
        and box.y0 >= outer.y0 - slack
        and box.x1 <= outer.x1 + slack
        and box.y1 <= outer.y1 + slack
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_text_is_clipped(name: str) -> None:
    fig = drawn(CASES[name]())
    clipped = [t.get_text() for t in visible_texts(fig) if not inside(t.get_window_extent(), fig.bbox)]
    assert clipped == [], f"{name}: {clipped}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_two_axis_labels_overlap(name: str) -> None:
    fig = drawn(CASES[name]())
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            undrawn = _undrawn_ticks(fig)
            labels = [
                label
                for label in axis.get_ticklabels()
                if label.get_visible() and label.get_text() and id(label) not in undrawn
            ]
            boxes = [label.get_window_extent() for label in labels]
            for (a, la), (b, lb) in combinations(zip(boxes, labels, strict=True), 2):
                assert not a.overlaps(b), f"{name}: {la.get_text()!r} overlaps {lb.get_text()!r}"


def _pixels(png: bytes) -> bytes:
    """The RGB pixels of a PNG (its bytes also depend on the compression and the channels)."""
    with PIL.Image.open(io.BytesIO(png)) as image:
        return image.convert("RGB").tobytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_chart_is_drawn_once_into_the_pixels_savefig_would_write(name: str) -> None:
    """A chart worker's time is mostly drawing: ``savefig`` draws a figure with a layout engine
    twice, the PNG drawn once must have the same pixels."""
    with matplotlib.rc_context(CHART_STYLE):
        fig = CASES[name]()
        again = CASES[name]()
    draws: list[object] = []
    fig.canvas.mpl_connect("draw_event", draws.append)
    png = to_png(fig)
    assert len(draws) == 1, f"{name}: drawn {len(draws)} times"
    saved = io.BytesIO()
    with matplotlib.rc_context(CHART_STYLE):
        again.savefig(saved, format="png")
    assert _pixels(png) == _pixels(saved.getvalue()), name
    assert PIL.Image.open(io.BytesIO(png)).mode == "RGB", name


@pytest.mark.parametrize("name", sorted(CASES))
def test_titles_sit_where_matplotlibs_own_placement_puts_them(name: str) -> None:
    """``CHART_STYLE`` fixes every title at the top of its axes instead of letting matplotlib
    measure the sibling axes' tick labels at each draw: that must not move a single pixel."""
    with matplotlib.rc_context(CHART_STYLE):
        fixed = to_png(CASES[name]())
    with matplotlib.rc_context({**CHART_STYLE, "axes.titley": None}):
        placed = to_png(CASES[name]())
    assert _pixels(fixed) == _pixels(placed), name


@pytest.mark.parametrize("steps", range(3, 12))
def test_every_step_is_visible_on_a_projector(steps: int) -> None:
    colours = palette(steps)
    middle = steps // 2 if steps % 2 else None
    for index, colour in enumerate(colours):
        contrast = 1.05 / (luminance(colour) + 0.05)
        assert contrast >= MIN_CONTRAST_ON_WHITE, (steps, index, colour, round(contrast, 2))
    assert len(set(colours)) == steps
    # each side runs from dark at the end to light towards the middle
    half = steps // 2
    reds = colours[:half]
    blues = colours[steps - half :]
    assert [luminance(c) for c in reds] == sorted(luminance(c) for c in reds)
    assert [luminance(c) for c in blues] == sorted((luminance(c) for c in blues), reverse=True)
    if middle is not None:
        assert colours[middle] == "#bababa"


def test_zero_line_is_behind_the_percentage_labels() -> None:
    stats = [statement_stats([1, 2, 3, 3, 3, 3, 4, 5], 5)]
    fig = drawn(diverging_figure(["P"], stats, 5))
    ax = fig.axes[0]
    zero = [line for line in ax.lines if list(line.get_xdata()) == [0, 0]]
    assert zero and zero[0].get_zorder() == ZERO_LINE_ZORDER
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    assert all(p.get_zorder() > ZERO_LINE_ZORDER and p.get_alpha() in (None, 1.0) for p in bars)
    # the middle step's label sits across zero, on an opaque bar that hides the line
    middle = next(t for t in ax.texts if t.get_text() == "50 %")
    assert middle.get_position()[0] == 0.0


def test_earlier_round_is_hatched_not_a_paler_fill() -> None:
    now = [statement_stats([1, 2, 4, 5], 5)]
    before = [statement_stats([2, 2, 4, 4], 5)]
    fig = drawn(diverging_figure(["P"], now, 5, earlier=before))
    ax = fig.axes[0]
    earlier = [p for c in ax.containers if c.get_label() == "_earlier" for p in c]
    assert earlier and all(p.get_hatch() and p.get_facecolor()[:3] == (1.0, 1.0, 1.0) for p in earlier)
    current = [p for c in ax.containers if c.get_label() != "_earlier" for p in c if p.get_width() > 0]
    assert all(not p.get_hatch() for p in current)
    assert "förra: n = 4" in [t.get_text() for t in ax.texts]
