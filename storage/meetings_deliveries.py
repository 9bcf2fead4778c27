"""The delivery queue of the SQL meetings store: planning, claims under a lease, parts, give-up.

**Delivery guarantee.** Every reminder is one ``deliveries`` row whose ``delivery_key``
(meeting occurrence, contact, offset) is UNIQUE, so planning is idempotent: any number of
dispatchers may plan the same reminders (``INSERT ... ON CONFLICT DO NOTHING``). A dispatcher
*claims* due rows before sending (``pending`` → ``claimed`` with its worker id and the time) in
one statement: on PostgreSQL ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)``, so
concurrent dispatchers never claim the same row and never wait for each other; on SQLite the
single ``UPDATE`` runs under the store's write lock and SQLite's own writer lock.

A claim is a *lease* (10 minutes by default): a claim older than that is claimable again, so a
dispatcher that died mid-fan-out does not lose its reminders. Right before each platform call
the dispatcher runs :meth:`MeetingStore.renew`, a conditional ``UPDATE`` that succeeds only if
the row is still claimed by it and then restarts the lease; if another dispatcher has taken the
row over, nothing is sent. A reminder is two messages, each recorded right after the platform
accepted it: the calendar file (:meth:`MeetingStore.mark_file_sent`, whoever holds the row by
then) and the text (``sent``); a retry or a takeover sends only what is not recorded. Where the
platform carries the text as the file's caption (Telegram, a text of at most 1024 characters),
the reminder is one message, attempt-marked for both parts by one renewal and recorded by one
``UPDATE`` (``mark_sent(..., with_file=True)``).

So each message of a reminder is sent once, with exactly two at-least-once windows that no
database can close (no chat platform takes an idempotency key for sending a message):

* a single platform call that takes longer than the lease (the lease was renewed right before
  it, but another dispatcher may take the row over while the call hangs and send it too);
* a process that dies after the platform accepted a message and before its record committed
  (one database write): that message is sent again once the lease expires.

The second window is narrowed per platform with the *attempt marks*: the renewal right before a
call also writes ``file_attempt_at``/``text_attempt_at`` (the same UPDATE, no extra round trip).
A dispatcher taking over a row whose part has a mark and no record asks the platform first
(``ChatPort.delivered``): on Slack the text carries an opaque token in its message metadata and
is looked up in the DM's history, so it is recorded instead of sent again; an e-mail is sent
again but with the same Message-ID (derived from the token), which mail systems fold. Telegram
keeps the window (no idempotency key, no history for bots), as does a Slack calendar file
(files.* take no metadata); a Telegram reminder sent as one message keeps one such window, not
two, and a crash in it sends that one message again.

A queue that stalls, a slow fan-out or a long pause between claim and send cannot cause a
duplicate: the renewal before the send finds the row taken over and skips it. A dispatcher that
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update

from facilitation.meetings import ReminderDue, delivery_key
from facilitation.meetings.store import (
    CLAIMED,
    FAILED,
    GONE_ERROR,
    PENDING,
    SENT,
    SKIPPED,
    STATUSES,
    Claimed,
    StoredContact,
    Unreachable,
    attempt_marks,
    gone_reason,
)
from storage.meetings_directory import aware, aware_or_none, changed, utc
from storage.meetings_models import ContactRow, DeliveryRow
from storage.transactions import Transactions

_CHUNK = 500


def _claimed(row: Row[*tuple[Any, ...]]) -> Claimed:
    return Claimed(
        id=row.id,
        delivery_key=row.delivery_key,
        meeting_id=row.meeting_id,
        contact_id=row.contact_id,
        occurrence=aware(row.occurrence_at),
        offset=timedelta(seconds=row.offset_s),
        due_at=aware(row.due_at),
        next_due_at=aware_or_none(row.next_due_at),
        attempts=row.attempts,
        status=row.status,
        file_sent_at=aware_or_none(row.file_sent_at),
        kind=row.kind,
        sequence=row.sequence,
        number=row.occurrence_no,
        file_attempt_at=aware_or_none(row.file_attempt_at),
        text_attempt_at=aware_or_none(row.text_attempt_at),
    )


_CLAIM_COLUMNS = (
    DeliveryRow.id,
    DeliveryRow.delivery_key,
    DeliveryRow.meeting_id,
    DeliveryRow.contact_id,
    DeliveryRow.occurrence_at,
    DeliveryRow.offset_s,
    DeliveryRow.due_at,
    DeliveryRow.next_due_at,
    DeliveryRow.attempts,
    DeliveryRow.status,
    DeliveryRow.file_sent_at,
    DeliveryRow.kind,
    DeliveryRow.sequence,
    DeliveryRow.occurrence_no,
    DeliveryRow.file_attempt_at,
    DeliveryRow.text_attempt_at,
)


class SqlDeliveryQueue(Transactions):
    """Reminder deliveries on an async SQLAlchemy engine; see the module docstring for the guarantee."""

    # From the directory half (SqlMeetingStore has both): the contacts named by unreachable().
    contacts: Callable[..., Awaitable[list[StoredContact]]]

    async def plan(
        self,
        dues: Sequence[ReminderDue],
        meeting_ids: Mapping[tuple[str, str], int],
        contact_ids: Mapping[tuple[str, str], int],
    ) -> int:
        """Insert a pending row per reminder unless its delivery key exists; returns rows inserted.

        ``meeting_ids``/``contact_ids``: row ids by (process, key); a reminder of neither is left out.
        """
        if not dues:
            return 0
        rows = []
        for due in dues:
            meeting_id = meeting_ids.get((due.process_key, due.meeting_key))
            contact_id = contact_ids.get((due.process_key, due.contact_key))
            if meeting_id is None or contact_id is None:
                continue
            rows.append(
                {
                    "delivery_key": delivery_key(due),
                    "meeting_id": meeting_id,
                    "contact_id": contact_id,
                    "occurrence_at": utc(due.occurrence),
                    "offset_s": int(due.offset.total_seconds()),
                    "due_at": utc(due.due_at),
                    "next_due_at": utc(due.next_due_at) if due.next_due_at is not None else None,
                    "status": PENDING,
                    "attempts": 0,
                }
            )
        inserted = 0
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            async with self._write() as session:
                statement = (
                    self._insert(DeliveryRow)
                    .values(chunk)
                    .on_conflict_do_nothing(index_elements=["delivery_key"])
                    .returning(DeliveryRow.id)
                )
                inserted += len((await session.execute(statement)).all())
        return inserted

    def _claimable(
        self, now: datetime, lease: timedelta, abandoned: Sequence[str] = ()
    ) -> ColumnElement[bool]:
        now = utc(now)
        ours_no_longer = or_(DeliveryRow.claimed_at < now - lease, DeliveryRow.claimed_by.in_(abandoned))
        return or_(
            and_(DeliveryRow.status == PENDING, DeliveryRow.due_at <= now),
            and_(
                DeliveryRow.status == FAILED, DeliveryRow.retry_at.is_not(None), DeliveryRow.retry_at <= now
            ),
            and_(DeliveryRow.status == CLAIMED, ours_no_longer),
        )

    async def claim(
        self,
        worker_id: str,
        now: datetime,
        limit: int = 100,
        lease: timedelta = timedelta(minutes=10),
        platforms: Iterable[str] | None = None,
        abandoned: Sequence[str] = (),
    ) -> list[Claimed]:
        """Claim up to ``limit`` due rows (oldest due first) for ``worker_id``; see the module docstring.

        ``abandoned``: dispatchers known to have ended (a process on this host that died), whose
        claims are taken over at once instead of after their lease.
        """
        candidates = select(DeliveryRow.id).where(self._claimable(now, lease, abandoned))
        if platforms is not None:
            served = select(ContactRow.id).where(ContactRow.platform.in_(list(platforms)))
            candidates = candidates.where(DeliveryRow.contact_id.in_(served))
        candidates = candidates.order_by(DeliveryRow.due_at, DeliveryRow.id).limit(limit)
        if not self._sqlite:
            candidates = candidates.with_for_update(skip_locked=True, of=DeliveryRow)
        statement = (
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(candidates.scalar_subquery()))
            .values(
                status=CLAIMED,
                claimed_by=worker_id,
                claimed_at=utc(now),
                attempts=DeliveryRow.attempts + 1,
                retry_at=None,
            )
            .returning(*_CLAIM_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            rows = (await session.execute(statement)).all()
        return sorted((_claimed(r) for r in rows), key=lambda c: (c.due_at, c.id))

    async def release(self, worker_id: str, ids: Iterable[int]) -> int:
        """Give back claimed rows this worker has not started sending (clean shutdown)."""
        wanted = list(ids)
        if not wanted:
            return 0
        async with self._write() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id.in_(wanted),
                    DeliveryRow.status == CLAIMED,
                    DeliveryRow.claimed_by == worker_id,
                )
                .values(status=PENDING, claimed_by=None, claimed_at=None, attempts=DeliveryRow.attempts - 1)
            )
            return changed(result)

    async def mark_sent(
        self, delivery_id: int, at: datetime, worker_id: str | None = None, *, with_file: bool = False
    ) -> bool:
        """Record a send; False if the row was no longer claimed by ``worker_id`` (lease taken over).

        Run again after a lost answer (a database outage), it finds its own record and says True.
        ``with_file``: the calendar file was the same message, and the same UPDATE records it
        (``file_sent_at``, kept if set: calendar updates read when the contact got the file).
        """
        values: dict[str, object] = {"status": SENT, "sent_at": utc(at), "last_error": None, "retry_at": None}
        if with_file:
            values["file_sent_at"] = func.coalesce(DeliveryRow.file_sent_at, utc(at))
        mine = [DeliveryRow.claimed_by == worker_id] if worker_id else []
        async with self._write() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.status == CLAIMED, *mine)
                .values(**values)
                .returning(DeliveryRow.id)
            )
            if result.first() is not None:
                return True
            if (
                worker_id
                and (
                    await session.execute(
                        select(DeliveryRow.id).where(
                            DeliveryRow.id == delivery_id, DeliveryRow.status == SENT, *mine
                        )
                    )
                ).first()
                is not None
            ):
                return True
            await session.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))
            return False

    async def mark_file_sent(self, delivery_id: int, at: datetime) -> None:
        """Record that the reminder's calendar file was accepted. Whoever holds the row now: the
        file reached the contact, so no dispatcher that takes the row over may send it again."""
        async with self._write() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.file_sent_at.is_(None))
                .values(file_sent_at=utc(at))
            )

    async def renew(self, delivery_id: int, worker_id: str, now: datetime, part: str | None = None) -> bool:
        """Right before a send: True if the row is still claimed by ``worker_id`` (lease restarted).

        False means another dispatcher took the row over after the lease ran out; the caller
        must not send it. One conditional UPDATE, so it is atomic against a concurrent claim.
        With ``part`` the same UPDATE sets that part's attempt mark (no extra round trip): a
        dispatcher taking the row over later knows the part may have gone out.
        """
        values: dict[str, object] = {"claimed_at": utc(now)}
        values.update(dict.fromkeys(attempt_marks(part), utc(now)))
        async with self._write() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.id == delivery_id,
                    DeliveryRow.status == CLAIMED,
                    DeliveryRow.claimed_by == worker_id,
                )
                .values(**values)
                .returning(DeliveryRow.id)
            )
            return result.first() is not None

    @staticmethod
    def _still_ours(delivery_id: int, worker_id: str | None) -> list[ColumnElement[bool]]:
        """Row conditions: not sent, and (for a dispatcher) still claimed by ``worker_id``."""
        if worker_id is None:
            return [DeliveryRow.id == delivery_id, DeliveryRow.status != SENT]
        return [
            DeliveryRow.id == delivery_id,
            DeliveryRow.status == CLAIMED,
            DeliveryRow.claimed_by == worker_id,
        ]

    async def mark_skipped(self, delivery_id: int, reason: str, worker_id: str | None = None) -> None:
        async with self._write() as session:
            await session.execute(
                update(DeliveryRow)
                .where(*self._still_ours(delivery_id, worker_id))
                .values(status=SKIPPED, last_error=reason[:500], retry_at=None)
            )

    async def mark_failed(
        self,
        delivery_id: int,
        error: str,
        retry_at: datetime | None,
        worker_id: str | None = None,
        *,
        counts: bool = True,
    ) -> None:
        """A failed send: retried at ``retry_at``, or given up when it is None.

        ``counts=False`` (the platform only asked to slow down) gives back the attempt the claim
        took, so rate limiting alone never makes a reminder run out of attempts. ``error`` is
        stored as given: callers pass an exception type and a short reason, never a platform's
        message (which may quote a chat id).
        """
        values: dict[str, object] = {
            "status": FAILED,
            "last_error": error[:500],
            "retry_at": utc(retry_at) if retry_at is not None else None,
        }
        if not counts:
            values["attempts"] = DeliveryRow.attempts - 1
        async with self._write() as session:
            await session.execute(
                update(DeliveryRow).where(*self._still_ours(delivery_id, worker_id)).values(**values)
            )

    async def gone_before(self, contact_id: int, delivery_id: int) -> bool:
        """Whether the contact's latest other finished reminder also failed because its chat is gone."""
        query = (
            select(DeliveryRow.last_error)
            .where(
                DeliveryRow.contact_id == contact_id,
                DeliveryRow.id != delivery_id,
                DeliveryRow.status.in_([SENT, FAILED]),
                DeliveryRow.retry_at.is_(None),
            )
            .order_by(DeliveryRow.due_at.desc(), DeliveryRow.id.desc())
            .limit(1)
        )
        async with self._read() as session:
            last = (await session.execute(query)).scalar()
        return bool(last and last.startswith(GONE_ERROR))

    async def unreachable(self, process_key: str | None = None) -> list[Unreachable]:
        """Active contacts whose latest finished reminder failed because their chat is gone for good.

        ``reminders status`` and ``/osa`` list them: their next reminder is tried once more, but until
        the person adds the bot again (or the contact is changed) they hear of no meeting.
        """
        latest = func.row_number().over(
            partition_by=DeliveryRow.contact_id, order_by=(DeliveryRow.due_at.desc(), DeliveryRow.id.desc())
        )
        finished = (
            select(
                DeliveryRow.contact_id,
                DeliveryRow.status,
                DeliveryRow.last_error,
                DeliveryRow.claimed_at,
                latest.label("n"),
            )
            .where(DeliveryRow.status.in_([SENT, FAILED]), DeliveryRow.retry_at.is_(None))
            .subquery()
        )
        query = select(finished.c.contact_id, finished.c.last_error, finished.c.claimed_at).where(
            finished.c.n == 1, finished.c.status == FAILED, finished.c.last_error.startswith(GONE_ERROR)
        )
        async with self._read() as session:
            gone = {row.contact_id: row for row in (await session.execute(query)).all()}
        contacts = await self.contacts(process_key, ids=gone) if gone else []
        return [
            Unreachable(c, gone_reason(gone[c.id].last_error), aware_or_none(gone[c.id].claimed_at))
            for c in contacts
        ]

    async def claimers(self) -> set[str]:
        """The dispatchers holding claims now."""
        async with self._read() as session:
            workers = (
                await session.execute(
                    select(DeliveryRow.claimed_by)
                    .distinct()
                    .where(DeliveryRow.status == CLAIMED, DeliveryRow.claimed_by.is_not(None))
                )
            ).scalars()
            return {worker for worker in workers if worker is not None}

    async def claimed_by(self, worker_id: str) -> list[Claimed]:
        """The rows ``worker_id`` holds claimed (after an outage: some claims' answers were lost)."""
        query = (
            select(*_CLAIM_COLUMNS)
            .where(DeliveryRow.status == CLAIMED, DeliveryRow.claimed_by == worker_id)
            .order_by(DeliveryRow.due_at, DeliveryRow.id)
        )
        async with self._read() as session:
            return [_claimed(r) for r in (await session.execute(query)).all()]

    async def delivery(self, delivery_id: int) -> Claimed | None:
        async with self._read() as session:
            row = (
                await session.execute(select(*_CLAIM_COLUMNS).where(DeliveryRow.id == delivery_id))
            ).one_or_none()
        return _claimed(row) if row is not None else None

    async def deliveries(self, status: str | None = None) -> list[Claimed]:
        query = select(*_CLAIM_COLUMNS).order_by(DeliveryRow.due_at, DeliveryRow.id)
        if status is not None:
            query = query.where(DeliveryRow.status == status)
        async with self._read() as session:
            return [_claimed(r) for r in (await session.execute(query)).all()]

    async def files_sent_for(self, rows: Sequence[Claimed]) -> set[tuple[int, int, datetime]]:
        """(meeting, contact, occurrence) of ``rows`` whose calendar file a reminder already carried."""
        if not rows:
            return set()
        query = select(DeliveryRow.meeting_id, DeliveryRow.contact_id, DeliveryRow.occurrence_at).where(
            DeliveryRow.file_sent_at.is_not(None),
            DeliveryRow.contact_id.in_({r.contact_id for r in rows}),
            DeliveryRow.meeting_id.in_({r.meeting_id for r in rows}),
        )
        async with self._read() as session:
            return {(m, c, aware(o)) for m, c, o in (await session.execute(query)).all()}

    async def status_counts(self) -> dict[str, int]:
        async with self._read() as session:
            rows = await session.execute(
                select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
            )
            counts = dict.fromkeys(STATUSES, 0)
            counts.update({status: int(n) for status, n in rows})
            return counts

    async def next_due(self, now: datetime | None = None) -> datetime | None:
        """The earliest due time of a pending reminder (after ``now`` if given)."""
        query = select(func.min(DeliveryRow.due_at)).where(DeliveryRow.status == PENDING)
        if now is not None:
            query = query.where(DeliveryRow.due_at > utc(now))
        async with self._read() as session:
            return aware_or_none((await session.execute(query)).scalar())

    async def due_count(
        self, now: datetime, lease: timedelta = timedelta(minutes=10), abandoned: Sequence[str] = ()
    ) -> int:
        async with self._read() as session:
            query = (
                select(func.count()).select_from(DeliveryRow).where(self._claimable(now, lease, abandoned))
            )
            return int((await session.execute(query)).scalar_one())
