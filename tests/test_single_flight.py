"""Concurrent loads of one key share one call, and a waiter given up leaves the others waiting.

During a stalled database a press is given up at its deadline (cancelled); the presses that
shared its read of the round must still be answered by their own deadlines, not end unanswered.
"""

from __future__ import annotations

import asyncio

from facilitation.cache import SingleFlight


async def test_a_waiter_given_up_leaves_the_others_waiting_for_the_same_load() -> None:
    flight: SingleFlight[int] = SingleFlight()
    gate, called = asyncio.Event(), asyncio.Event()
    calls = 0

    async def loader() -> int:
        nonlocal calls
        calls += 1
        called.set()
        await gate.wait()
        return 7

    first = asyncio.create_task(flight.load("round", loader))
    second = asyncio.create_task(flight.load("round", loader))
    await called.wait()  # both are waiting on the one call
    first.cancel()
    gate.set()
    assert await second == 7
    assert first.cancelled() and calls == 1
    assert await flight.load("round", loader) == 7 and calls == 2  # a finished call is not kept


async def test_a_failed_load_fails_every_waiter_and_is_tried_again_next_time() -> None:
    flight: SingleFlight[int] = SingleFlight()
    gate = asyncio.Event()

    async def failing() -> int:
        await gate.wait()
        raise ConnectionError("database away")

    waiters = [asyncio.create_task(flight.load("k", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes)

    async def working() -> int:
        return 1

    assert await flight.load("k", working) == 1
