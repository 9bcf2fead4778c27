"""Group commit: many concurrent writes (votes, seen updates) become one short write transaction.

In a live workshop hundreds of presses arrive within seconds. Committing each on its own makes
SQLite (one writer) and the connection pool the bottleneck; here every item submitted while a
flush is running waits for the next flush, which writes them all (answers: checks the rounds'
status once and upserts them; seen updates: one insert). Each caller still learns its own
item's outcome before the press is acknowledged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PendingAnswer:
    round_id: int
    item_id: int
    participant_key: str
    value: int
    at: datetime


@dataclass
class _Batch(Generic[T]):
    items: list[T] = field(default_factory=list)
    futures: list[asyncio.Future[bool]] = field(default_factory=list)


class GroupCommit(Generic[T]):
    """Collects items and writes them with ``flush`` (one transaction per batch).

    ``flush`` gets the batch and returns one boolean per item, in order (e.g. whether an answer
    was accepted); :meth:`submit` hands each caller its own.
    """

    def __init__(self, flush: Callable[[Sequence[T]], Awaitable[list[bool]]], max_batch: int = 500,
                 gather_seconds: float = 0.002) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._gather = gather_seconds
        self._pending: _Batch[T] = _Batch()
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0

    async def submit(self, item: T) -> bool:
        """``flush``'s outcome for ``item`` once its batch is committed."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.items.append(item)
        self._pending.futures.append(future)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(self._gather)  # let the presses that arrive together join this batch
        while self._pending.items:
            batch, self._pending = self._pending, _Batch()
            for start in range(0, len(batch.items), self._max_batch):
                items = batch.items[start : start + self._max_batch]
                futures = batch.futures[start : start + self._max_batch]
                try:
                    results = await self._flush(items)
                except Exception as exc:  # every waiter learns of the failure
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                for future, outcome in zip(futures, results, strict=True):
                    if not future.done():
                        future.set_result(outcome)


AnswerBatcher = GroupCommit[PendingAnswer]  # answers: True if accepted, False if the round was not open
