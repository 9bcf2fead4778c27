"""Asking for charts without loading matplotlib: renderers, lazy chart builders, deferred PNGs.

The bot process never draws a chart itself (its worker processes do, see
:mod:`bot.chart_workers`), yet matplotlib and everything it pulls in took ~50 MiB of the bot's
memory only because the exercises named their chart builders by importing them. So an exercise
names a builder with :func:`lazy_chart` (a module path and a function name, picklable), and
only the process that draws imports the module: :mod:`facilitation.charting` and the chart
modules are never imported by the bot process.

A room should read a closed round's result text at once, not after its charts are drawn. So
while a round is being closed the renderer *defers* (:func:`deferring`): ``render`` starts the
chart and returns a :class:`DeferredPng` at once; the room posts the text and then each chart
as it is done (:func:`png_of`), and all charts of all rooms are drawn side by side on the
workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Builds a figure: a module-level function or a :class:`LazyChart` (must be picklable).
Build = Callable[..., "Figure"]

_deferring: contextvars.ContextVar[bool] = contextvars.ContextVar("charts_deferred", default=False)


@dataclass(frozen=True)
class LazyChart:
    """A chart builder named by module and function: imported where it is called (a worker)."""

    module: str
    name: str

    def __call__(self, *args: Any, **kwargs: Any) -> Figure:
        builder: Callable[..., Figure] = getattr(importlib.import_module(self.module), self.name)
        return builder(*args, **kwargs)

    @property
    def __name__(self) -> str:  # as a function's, for logs and profiles
        return self.name


def lazy_chart(module: str, name: str) -> LazyChart:
    """The builder ``module.name``, without importing ``module`` (nor matplotlib) here."""
    return LazyChart(module, name)


def render_png(build: Build, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    """PNG bytes of ``build(*args, **kwargs)`` in the project's font (what a renderer runs)."""
    from facilitation.charting import draw_png

    return draw_png(build, args, kwargs)


class DeferredPng(bytes):
    """A chart still being drawn, where an :class:`~facilitation.exercises.Image` holds PNG bytes.

    Only :func:`deferring` code sees one; it is empty as bytes, and :func:`png_of` gives the
    real PNG (or raises :class:`ChartsUnavailable`). A bytes subclass, so the exercises, their
    ``Image`` and the tests that read ``Image.png`` stay as they are.
    """

    task: asyncio.Future[bytes]

    def __new__(cls, task: asyncio.Future[bytes]) -> DeferredPng:
        self = super().__new__(cls, b"")
        self.task = task
        task.add_done_callback(
            _retrieve
        )  # a room that fails before its charts must not log "never retrieved"
        return self

    async def result(self) -> bytes:
        return await asyncio.shield(self.task)


def _retrieve(task: asyncio.Future[bytes]) -> None:
    if not task.cancelled():
        task.exception()


@contextlib.contextmanager
def deferring() -> Iterator[None]:
    """Within this block (this task and the tasks it starts) ``render`` returns a
    :class:`DeferredPng` at once instead of waiting for the chart."""
    token = _deferring.set(True)
    try:
        yield
    finally:
        _deferring.reset(token)


async def png_of(png: bytes) -> bytes:
    """The PNG bytes, waiting for a deferred chart to be drawn."""
    return await png.result() if isinstance(png, DeferredPng) else png


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

    async def render(self, build: Build, *args: Any, **kwargs: Any) -> bytes:
        """PNG bytes of ``build(*args, **kwargs)``; raises :class:`ChartsUnavailable` when charts
        cannot be drawn now. While :func:`deferring`, a :class:`DeferredPng` at once."""
        if _deferring.get():
            return DeferredPng(asyncio.ensure_future(self._draw(build, args, kwargs)))
        return await self._draw(build, args, kwargs)

    async def _draw(self, build: Build, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, render_png, build, args, kwargs)

    async def run(self, work: Callable[..., bytes], *args: Any) -> bytes:
        """The bytes ``work(*args)`` makes (a PDF report), off the event loop like a chart;
        ``work`` and its arguments must be picklable for the worker processes."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work, *args)

    async def wait_until_available(self) -> None:
        """Return once a chart can be drawn again (a thread always can)."""
        return None

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
