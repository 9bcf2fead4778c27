"""Group commit (storage.batching): how many batches are written at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from storage.batching import GroupCommit


class SlowDatabase:
    """A flush that waits until told to finish, noting how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most_at_once = 0
        self.batches: list[list[int]] = []
        self.finish = asyncio.Event()

    async def flush(self, items: Sequence[int]) -> list[bool]:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.batches.append(list(items))
        try:
            await self.finish.wait()
        finally:
            self.running -= 1
        return [True] * len(items)


@pytest.mark.parametrize("flushes", [1, 2])
async def test_items_arriving_while_a_batch_is_written_wait_only_when_no_other_flush_may_run(
    flushes: int,
) -> None:
    database = SlowDatabase()
    commit: GroupCommit[int] = GroupCommit(database.flush, flushes=flushes)
    first = [asyncio.create_task(commit.submit(i)) for i in range(3)]
    await asyncio.sleep(0.05)  # the first batch is taken (after 2 ms) and being written
    assert database.batches == [[0, 1, 2]]
    later = [asyncio.create_task(commit.submit(i)) for i in range(3, 6)]
    await asyncio.sleep(0.05)
    assert database.batches == ([[0, 1, 2], [3, 4, 5]] if flushes == 2 else [[0, 1, 2]])
    database.finish.set()
    assert await asyncio.gather(*first, *later) == [True] * 6
    assert database.most_at_once == flushes
    assert sorted(i for batch in database.batches for i in batch) == list(range(6))
    assert commit.batches == 2


async def test_an_item_submitted_as_the_last_batch_lands_gets_a_worker_of_its_own() -> None:
    """The waiter of a batch's last item wakes before the finished worker's done callbacks run:
    what it submits then must not wait for that worker (it hung until the press's deadline)."""

    async def flush(items: Sequence[int]) -> list[bool]:
        return [True] * len(items)

    commit: GroupCommit[int] = GroupCommit(flush)

    async def press_twice() -> bool:
        await commit.submit(1)
        return await commit.submit(2)  # in the step that woke it

    assert await asyncio.wait_for(press_twice(), timeout=2.0) is True
    assert commit.batches == 2
