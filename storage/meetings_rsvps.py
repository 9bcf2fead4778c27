"""The RSVPs of the SQL meetings store: one answer per contact and meeting occurrence, counted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from facilitation.meetings import Rsvp, RsvpTally
from storage.meetings_directory import utc
from storage.meetings_models import ContactRow, MeetingRow, RsvpRow, SignatoryRow
from storage.transactions import Transactions


class SqlRsvpBook(Transactions):
    """RSVPs on an async SQLAlchemy engine."""

    async def set_rsvp(
        self, meeting_id: int, occurrence: datetime, contact_id: int, answer: Rsvp, at: datetime
    ) -> None:
        async with self._write() as session:
            insert = self._insert(RsvpRow).values(
                meeting_id=meeting_id,
                occurrence_at=utc(occurrence),
                contact_id=contact_id,
                answer=answer.value,
                answered_at=utc(at),
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["meeting_id", "occurrence_at", "contact_id"],
                    set_={"answer": insert.excluded.answer, "answered_at": insert.excluded.answered_at},
                )
            )

    async def tally(self, meeting_id: int, occurrence: datetime) -> RsvpTally:
        """Counts only; ``invited`` is the process's active, not opted-out contacts of active signatories."""
        async with self._read() as session:
            process = (
                await session.execute(select(MeetingRow.process_key).where(MeetingRow.id == meeting_id))
            ).scalar()
            answers = (
                (
                    await session.execute(
                        select(RsvpRow.answer).where(
                            RsvpRow.meeting_id == meeting_id, RsvpRow.occurrence_at == utc(occurrence)
                        )
                    )
                )
                .scalars()
                .all()
            )
            invited = int(
                (
                    await session.execute(
                        select(func.count())
                        .select_from(ContactRow)
                        .join(SignatoryRow, SignatoryRow.id == ContactRow.signatory_id)
                        .where(
                            ContactRow.process_key == process,
                            ContactRow.active.is_(True),
                            SignatoryRow.active.is_(True),
                            ContactRow.opted_out.is_(False),
                        )
                    )
                ).scalar_one()
            )
        values = [Rsvp(a) for a in answers]
        return RsvpTally.count(values, invited=max(invited, len(values)))
