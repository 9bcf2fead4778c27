"""Waiting on a condition instead of for a fixed time.

A test that sleeps "long enough" is slow on a fast machine and flaky on a loaded one; these
helpers wait exactly until what the test needs has happened, and fail with a clear message if
it does not happen in time. The 10 ms poll is only the mechanism.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

POLL = 0.01


async def eventually(predicate: Callable[[], T | Awaitable[T]], within: float = 10.0, what: str = "") -> T:
    """Wait until ``predicate()`` (plain or async) returns something true, and return it.

    Fails the test (AssertionError) after ``within`` seconds, naming ``what`` it waited for.
    """
    deadline = time.monotonic() + within
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what or predicate}"
        await asyncio.sleep(POLL)


def eventually_sync(predicate: Callable[[], T], within: float = 10.0, what: str = "") -> T:
    """:func:`eventually` for a test without an event loop (a subprocess being watched)."""
    deadline = time.monotonic() + within
    while True:
        result = predicate()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what or predicate}"
        time.sleep(POLL)


def running_tasks() -> set[asyncio.Task[object]]:
    """The tasks running now: pass them to :func:`settled` to wait for what starts after."""
    return set(asyncio.all_tasks())


async def settled(before: set[asyncio.Task[object]], within: float = 10.0) -> None:
    """Wait until every task started since ``before`` (:func:`running_tasks`) has finished.

    What a test checks did *not* happen (a refused request changed nothing, an ignored message
    got no answer) is checked once the work it started is over, not after a guessed pause.
    """
    here = {asyncio.current_task()}
    await eventually(
        lambda: not asyncio.all_tasks() - before - here, within, "the tasks started meanwhile to finish"
    )
