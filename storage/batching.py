"""Group commit for answers: many concurrent votes become one short write transaction.

In a live workshop hundreds of presses arrive within seconds. Committing each on its own makes
SQLite (one writer) and the connection pool the bottleneck; here every answer submitted while a
flush is running waits for the next flush, which checks the rounds' status once and upserts them
all. Each caller still learns whether its own answer was accepted before it is acknowledged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PendingAnswer:
    round_id: int
    item_id: int
    participant_key: str
    value: int
    at: datetime


@dataclass
class _Batch:
    answers: list[PendingAnswer] = field(default_factory=list)
    futures: list[asyncio.Future[bool]] = field(default_factory=list)


Flush = Callable[[Sequence[PendingAnswer]], Awaitable[list[bool]]]


class AnswerBatcher:
    """Collects answers and writes them with ``flush`` (one transaction per batch)."""

    def __init__(self, flush: Flush, max_batch: int = 500, gather_seconds: float = 0.002) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._gather = gather_seconds
        self._pending = _Batch()
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0

    async def submit(self, answer: PendingAnswer) -> bool:
        """True once the answer is committed; False if its round was not open."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.answers.append(answer)
        self._pending.futures.append(future)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(self._gather)  # let the presses that arrive together join this batch
        while self._pending.answers:
            batch, self._pending = self._pending, _Batch()
            for start in range(0, len(batch.answers), self._max_batch):
                answers = batch.answers[start : start + self._max_batch]
                futures = batch.futures[start : start + self._max_batch]
                try:
                    results = await self._flush(answers)
                except Exception as exc:  # every waiter learns of the failure
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                for future, accepted in zip(futures, results, strict=True):
                    if not future.done():
                        future.set_result(accepted)
