"""Charts drawn in worker processes that come back when they die and end when the bot ends.

A chart worker can die: the kernel's OOM killer, an operator's ``kill``, a crash in a native
library. :class:`~concurrent.futures.ProcessPoolExecutor` then refuses every later task
(BrokenProcessPool) until the bot is restarted, so one dead worker used to break every later
``/stang`` and ``/resultat``. Here a broken pool is replaced by a new one and the chart is drawn
once more; when that fails too, :class:`~facilitation.rendering.ChartsUnavailable` lets the
conversation post the results once charts can be drawn again.

A worker must not outlive the bot either. A spawned worker holds both ends of its task queue's
pipe, so it never reads end-of-file when the bot dies and would wait forever after a
``kill -9`` of the bot. So each worker asks Linux to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``) and, on every platform, also looks once a second whether its
parent is still the process that started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from typing import Any

from bot.metrics import CHART_SECONDS
from facilitation.rendering import Build, ChartRenderer, ChartsUnavailable, render_png

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_SECONDS = 1.0
MAX_PROBE_WAIT = 60.0  # seconds between tries to bring charts back, at most
#: How much lower a chart worker's CPU priority is than the bot's (``nice``). When ten rooms close
#: at once both cores are busy drawing, and the bot process must still post every room's result
#: text at once and answer presses: with this the kernel gives the bot about three times a
#: worker's share of a busy core, and the workers all of whatever the bot leaves.
WORKER_NICENESS = 5
#: The chart modules a worker imports when it starts (the bot process never imports them).
WARM_MODULES = ("facilitation.barometer.charts", "facilitation.prioritisation.charts")


class ProcessChartRenderer(ChartRenderer):
    """Draws charts in ``processes`` spawned workers (the builder and its arguments must be
    picklable: module-level functions and dataclasses); a dead worker is replaced."""

    def __init__(self, processes: int = 1) -> None:  # no thread, unlike the base class
        if processes < 1:
            raise ValueError("at least one worker process")
        self._processes = processes
        self._pool = self._new_pool()
        self.pending = 0  # charts asked for and not drawn yet (a queue depth in the metrics)

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(os.getpid(),),
        )
        with contextlib.suppress(OSError):
            for _ in range(self._processes):  # each submission finds no idle worker yet, so starts one
                pool.submit(
                    _warm_up
                )  # start the workers now, not in the first /stang (matplotlib takes ~1 s)
        return pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A new pool instead of ``broken`` (once, however many renders saw it break)."""
        if self._pool is not broken:
            return
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    async def _draw(self, build: Build, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
        """PNG bytes of ``build(*args, **kwargs)``, drawn in a worker; a dead worker is replaced and
        the chart drawn once more, then :class:`ChartsUnavailable` is raised."""
        self.pending += 1
        try:
            return await self._in_worker(build, args, kwargs)
        finally:
            self.pending -= 1

    async def run(self, work: Callable[..., bytes], *args: Any) -> bytes:
        """The bytes ``work(*args)`` makes (a PDF report), in a worker like a chart (not timed as one)."""
        self.pending += 1
        try:
            return await self._submit(work, *args)
        finally:
            self.pending -= 1

    async def _in_worker(self, build: Build, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
        started = time.perf_counter()
        png = await self._submit(render_png, build, args, kwargs)
        CHART_SECONDS.observe(time.perf_counter() - started)
        return png

    async def _submit(self, work: Callable[..., bytes], *args: Any) -> bytes:
        """``work(*args)`` in a worker; a dead worker is replaced and the work done once more, then
        :class:`ChartsUnavailable` is raised."""
        for attempt in (1, 2):
            pool = self._pool
            try:
                return await asyncio.wrap_future(pool.submit(work, *args))
            except (BrokenExecutor, OSError) as exc:
                log.warning(
                    "chart worker died (%s); starting a new one%s",
                    type(exc).__name__,
                    " and trying again" if attempt == 1 else "",
                )
                self._replace(pool)
        raise ChartsUnavailable

    async def wait_until_available(self) -> None:
        """Return once a worker answers; tries again after 1, 2, 4 … (at most 60) seconds."""
        delay = 1.0
        while True:
            pool = self._pool
            try:
                await asyncio.wrap_future(pool.submit(_warm_up))
                return
            except (BrokenExecutor, OSError):
                self._replace(pool)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_PROBE_WAIT)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def start_worker(parent: int) -> None:
    """Worker initializer: give way to the bot process (:data:`WORKER_NICENESS`) and end with it."""
    with contextlib.suppress(OSError, AttributeError):  # no nice() on this platform: full priority
        os.nice(WORKER_NICENESS)
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker as soon as the process ``parent`` ends, however it ends."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl here: the watcher below still works
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _warm_up() -> bool:
    """Load the drawing machinery and the chart modules in the worker and draw one small text
    (the font is found and loaded once, not in the first ``/stang``); proves the worker answers.

    Then everything loaded so far is frozen out of the garbage collector's sight: matplotlib
    and numpy leave ~100 000 long-lived objects that every full collection would walk again,
    and a chart allocates enough to trigger several (measured: a chart drawn 15–25 % faster).
    """
    import gc
    import importlib

    from facilitation.charting import new_figure, to_png

    for module in WARM_MODULES:
        importlib.import_module(module)
    fig = new_figure(1.0, 1.0, dpi=20)
    fig.text(0.5, 0.5, "Åå 1")
    to_png(fig)
    del fig
    gc.collect()  # the warm-up figure's cycles go, not into the frozen generation
    gc.freeze()
    return True
