"""Occurrence states, calendar file holders and notice deliveries of the SQL meetings store.

:meth:`SqlCalendarBook.apply_change` is one transaction: adopting the holders of the previous
calendar file, the compare-and-set of the occurrence's SEQUENCE and the notice rows (unique
delivery keys, ``ON CONFLICT DO NOTHING``). So a change is planned once however many dispatchers
notice it, and a crash leaves either all of it or none (the next tick notices it again).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal, select, update

from facilitation.meetings.calendar_book import Notice, OccurrenceState
from facilitation.meetings.store import PENDING
from storage.meetings_directory import aware, utc
from storage.meetings_models import CalendarCopyRow, ContactRow, DeliveryRow, OccurrenceRow, RsvpRow
from storage.transactions import Transactions


def _state(row: Any) -> OccurrenceState:
    return OccurrenceState(
        row.meeting_id, row.number, aware(row.starts_at), row.fingerprint, row.sequence, row.cancelled
    )


class SqlCalendarBook(Transactions):
    """:class:`facilitation.meetings.calendar_book.CalendarBook` on SQLAlchemy."""

    async def occurrence_states(self, meeting_ids: Iterable[int]) -> list[OccurrenceState]:
        wanted = list(meeting_ids)
        if not wanted:
            return []
        query = (
            select(OccurrenceRow)
            .where(OccurrenceRow.meeting_id.in_(wanted))
            .order_by(OccurrenceRow.meeting_id, OccurrenceRow.number)
        )
        async with self._read() as session:
            return [_state(r) for r in (await session.execute(query)).scalars().all()]

    async def add_occurrence(self, state: OccurrenceState) -> bool:
        async with self._write() as session:
            statement = (
                self._insert(OccurrenceRow)
                .values(
                    meeting_id=state.meeting_id,
                    number=state.number,
                    starts_at=utc(state.starts_at),
                    fingerprint=state.fingerprint,
                    sequence=state.sequence,
                    cancelled=state.cancelled,
                )
                .on_conflict_do_nothing(index_elements=["meeting_id", "number"])
                .returning(OccurrenceRow.number)
            )
            return (await session.execute(statement)).first() is not None

    async def apply_change(
        self, previous: OccurrenceState, new: OccurrenceState, kind: str, due_at: datetime, key_prefix: str
    ) -> int | None:
        meeting_id, number = previous.meeting_id, previous.number
        async with self._write() as session:
            holders = (
                select(DeliveryRow.meeting_id, literal(number).label("number"), DeliveryRow.contact_id)
                .where(
                    DeliveryRow.meeting_id == meeting_id,
                    DeliveryRow.occurrence_at == utc(previous.starts_at),
                    DeliveryRow.file_sent_at.is_not(None),
                )
                .distinct()
            )
            await session.execute(
                self._insert(CalendarCopyRow)
                .from_select(["meeting_id", "number", "contact_id"], holders)
                .on_conflict_do_nothing(index_elements=["meeting_id", "number", "contact_id"])
            )
            swapped = await session.execute(
                update(OccurrenceRow)
                .where(
                    OccurrenceRow.meeting_id == meeting_id,
                    OccurrenceRow.number == number,
                    OccurrenceRow.sequence == previous.sequence,
                )
                .values(
                    starts_at=utc(new.starts_at),
                    fingerprint=new.fingerprint,
                    sequence=new.sequence,
                    cancelled=new.cancelled,
                )
                .returning(OccurrenceRow.number)
            )
            if swapped.first() is None:  # another dispatcher recorded it (the holders stay adopted)
                return None
            contacts = (
                (
                    await session.execute(
                        select(CalendarCopyRow.contact_id).where(
                            CalendarCopyRow.meeting_id == meeting_id, CalendarCopyRow.number == number
                        )
                    )
                )
                .scalars()
                .all()
            )
            rows = [
                {
                    "delivery_key": f"{key_prefix}:{contact_id}:{new.sequence}",
                    "meeting_id": meeting_id,
                    "contact_id": contact_id,
                    "occurrence_at": utc(new.starts_at),
                    "offset_s": 0,
                    "due_at": utc(due_at),
                    "next_due_at": None,
                    "status": PENDING,
                    "attempts": 0,
                    "kind": kind,
                    "sequence": new.sequence,
                    "occurrence_no": number,
                }
                for contact_id in sorted(contacts)
            ]
            if not rows:
                return 0
            statement = (
                self._insert(DeliveryRow)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["delivery_key"])
                .returning(DeliveryRow.id)
            )
            return len((await session.execute(statement)).all())

    async def plan_notices(self, notices: Sequence[Notice]) -> int:
        rows = [
            {
                "delivery_key": n.delivery_key,
                "meeting_id": n.meeting_id,
                "contact_id": n.contact_id,
                "occurrence_at": utc(n.occurrence),
                "offset_s": int(n.offset.total_seconds()),
                "due_at": utc(n.due_at),
                "next_due_at": None,
                "status": PENDING,
                "attempts": 0,
                "kind": n.kind,
                "sequence": n.sequence,
                "occurrence_no": n.number,
            }
            for n in notices
        ]
        inserted = 0
        for start in range(0, len(rows), 500):
            async with self._write() as session:
                statement = (
                    self._insert(DeliveryRow)
                    .values(rows[start : start + 500])
                    .on_conflict_do_nothing(index_elements=["delivery_key"])
                    .returning(DeliveryRow.id)
                )
                inserted += len((await session.execute(statement)).all())
        return inserted

    async def organisation_answered(self, meeting_id: int, occurrence: datetime, contact_id: int) -> bool:
        colleague = ContactRow.__table__.alias("colleague")
        own = select(ContactRow.signatory_id).where(ContactRow.id == contact_id).scalar_subquery()
        query = (
            select(RsvpRow.id)
            .join(colleague, and_(colleague.c.id == RsvpRow.contact_id))
            .where(
                RsvpRow.meeting_id == meeting_id,
                RsvpRow.occurrence_at == utc(occurrence),
                colleague.c.signatory_id == own,
            )
            .limit(1)
        )
        async with self._read() as session:
            return (await session.execute(query)).first() is not None
