"""KeyedLocks: the one per-key lock behind a user's turn and a chat's bulk output."""

from __future__ import annotations

import asyncio

from facilitation.keyed_locks import KeyedLocks
from tests.waiting import eventually


async def test_callers_for_one_key_go_one_at_a_time_in_arrival_order() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    release = asyncio.Event()
    order: list[str] = []
    arrived: list[str] = []

    async def caller(name: str) -> None:
        arrived.append(name)  # from here to waiting at the lock there is no await
        async with locks.held("anna"):
            order.append(name)
            await release.wait()

    tasks = [asyncio.create_task(caller(name)) for name in ("first", "second", "third")]
    await eventually(lambda: len(arrived) == 3, what="every caller at the lock")
    assert order == ["first"]  # the others wait for the holder
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first", "second", "third"]
    assert len(locks) == 0  # nobody holds or waits: the key is forgotten


async def test_other_keys_do_not_wait_and_a_waited_for_key_is_kept() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    with locks.reserved("anna") as anna:
        await anna.acquire()
        async with locks.held("bertil"):  # another key: not blocked by anna's holder
            assert len(locks) == 2
        with locks.reserved("anna") as again:
            assert again is anna  # a second user of the key gets the same lock, not a fresh one
        anna.release()
        assert len(locks) == 1  # still reserved by the outer block
    assert len(locks) == 0
