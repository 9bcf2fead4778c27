"""Group commit: many concurrent writes (votes, seen updates) become one short write transaction.

In a live workshop hundreds of presses arrive within seconds. Committing each on its own makes
SQLite (one writer) and the connection pool the bottleneck; here every item submitted while a
flush is running waits for the next flush, which writes them all (answers: checks the rounds'
status once and upserts them; seen updates: one insert). Each caller still learns its own
item's outcome before the press is acknowledged.

A press is answered by its deadline (:mod:`facilitation.deadline`) even when the database has
stalled, and told its vote was not saved: so nothing may be committed for it afterwards. A
press given up before its batch was taken is left out of it; a batch's transaction must begin
its COMMIT by :func:`commit_deadline` (the earliest deadline of its presses, less
:data:`COMMIT_LEAD`), else it is rolled back. The lead covers PostgreSQL's
``idle_in_transaction_session_timeout`` (:data:`storage.database.IDLE_IN_TRANSACTION_SECONDS`):
a COMMIT sent in time but held up in a network stall finds its transaction already ended by the
server when the press is answered, so it cannot commit later either. What remains is a COMMIT
that reached the server just before the stall, whose answer never came back: that press is
answered "not saved" although it was.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from facilitation.deadline import answer_by
from storage.database import IDLE_IN_TRANSACTION_SECONDS

T = TypeVar("T")

# Seconds before a press's deadline by which its batch's COMMIT must have begun: the server's
# idle-in-transaction limit plus half a second for the answer to reach the press.
COMMIT_LEAD = IDLE_IN_TRANSACTION_SECONDS + 0.5
_COMMIT_BY: contextvars.ContextVar[float | None] = contextvars.ContextVar("dialogbot_commit_by", default=None)


class TooLate(TimeoutError):
    """The press this write was for is past its deadline: nothing of it was (or will be) committed."""


def commit_deadline() -> float | None:
    """Inside a flush: the monotonic time by which its COMMIT must begin (None: no press waits)."""
    return _COMMIT_BY.get()


def check_commit_deadline(commit_by: float | None) -> None:
    """Raise :class:`TooLate` (so the transaction rolls back) when ``commit_by`` has passed."""
    if commit_by is not None and time.monotonic() > commit_by:
        raise TooLate("a press's deadline passed before its batch could commit")


@dataclass(frozen=True)
class PendingAnswer:
    round_id: int
    item_id: int
    participant_key: str
    value: int
    at: datetime
    #: The press's id as stored (see :meth:`facilitation.store.WorkshopStore.set_response`); "" if none.
    press_key: str = ""


@dataclass
class _Batch(Generic[T]):
    items: list[T] = field(default_factory=list)
    futures: list[asyncio.Future[bool]] = field(default_factory=list)
    commit_by: list[float | None] = field(default_factory=list)


class GroupCommit(Generic[T]):
    """Collects items and writes them with ``flush`` (one transaction per batch).

    ``flush`` gets the batch and returns one boolean per item, in order (e.g. whether an answer
    was accepted); :meth:`submit` hands each caller its own.

    ``flushes``: how many batches may be written at once. With one, the items that arrive while
    a batch is written wait for its commit before theirs begins; a database with row locks
    (PostgreSQL) can take the next batch meanwhile. With two, the first presses of 20 workshops
    voting at once were answered about 50 ms sooner (bench/scaleout.py), since the first batch
    of a burst is the slowest. SQLite has one writer: one.
    """

    def __init__(
        self,
        flush: Callable[[Sequence[T]], Awaitable[list[bool]]],
        max_batch: int = 500,
        gather_seconds: float = 0.002,
        flushes: int = 1,
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._gather = gather_seconds
        self._flushes = flushes
        self._pending: _Batch[T] = _Batch()
        self._workers: set[asyncio.Task[None]] = set()
        self._gathering = False  # a worker is about to take the pending items
        self.batches = 0

    async def submit(self, item: T) -> bool:
        """``flush``'s outcome for ``item`` once its batch is committed.

        Raises :class:`TooLate` when the press being handled (:func:`facilitation.deadline.answer_by`)
        can no longer be written in time; nothing of ``item`` is then committed.
        """
        deadline = answer_by()
        commit_by = deadline - COMMIT_LEAD if deadline is not None else None
        check_commit_deadline(commit_by)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.items.append(item)
        self._pending.futures.append(future)
        self._pending.commit_by.append(commit_by)
        # A worker that has returned is done at once, before its done callbacks run: counting it
        # would leave this item waiting for a worker that took its last batch already.
        self._workers = {worker for worker in self._workers if not worker.done()}
        if not self._gathering and len(self._workers) < self._flushes:
            self._workers.add(asyncio.create_task(self._drain()))
        return await future

    async def _drain(self) -> None:
        self._gathering = True
        try:
            await asyncio.sleep(self._gather)  # let the presses that arrive together join this batch
        finally:
            self._gathering = False
        while self._pending.items:
            batch, self._pending = self._pending, _still_waiting(self._pending)
            for start in range(0, len(batch.items), self._max_batch):
                items = batch.items[start : start + self._max_batch]
                futures = batch.futures[start : start + self._max_batch]
                limits = [
                    limit for limit in batch.commit_by[start : start + self._max_batch] if limit is not None
                ]
                token = _COMMIT_BY.set(min(limits) if limits else None)
                try:
                    results = await self._flush(items)
                except Exception as exc:  # every waiter learns of the failure
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                finally:
                    _COMMIT_BY.reset(token)
                self.batches += 1
                for future, outcome in zip(futures, results, strict=True):
                    if not future.done():
                        future.set_result(outcome)


def _still_waiting(batch: _Batch[T]) -> _Batch[T]:
    """Empties ``batch`` of the items nobody waits for any more (their press was given up) or
    that can no longer commit in time (their waiters learn so); returns a new empty batch."""
    now = time.monotonic()
    kept: _Batch[T] = _Batch()
    for item, future, commit_by in zip(batch.items, batch.futures, batch.commit_by, strict=True):
        if future.done():
            continue
        if commit_by is not None and now > commit_by:
            future.set_exception(TooLate("a press's deadline passed before its batch could be written"))
            continue
        kept.items.append(item)
        kept.futures.append(future)
        kept.commit_by.append(commit_by)
    batch.items, batch.futures, batch.commit_by = kept.items, kept.futures, kept.commit_by
    return _Batch()


AnswerBatcher = GroupCommit[PendingAnswer]  # answers: True if accepted, False if the round was not open
