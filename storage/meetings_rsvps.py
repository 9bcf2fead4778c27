"""The RSVPs of the SQL meetings store: each contact's latest answer per meeting occurrence.

An answer replaces the contact's earlier one by deleting and inserting in one transaction, so
the row id follows the order of writes: the organisation's answer is its contacts' latest by
(answered_at, id), also when two contacts answer within the same clock tick.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from facilitation.meetings.attendance import organisation_answer
from facilitation.meetings.model import OrganisationAnswer, Rsvp, RsvpAnswer, StoredRsvp
from facilitation.meetings.store import SignatoryInfo
from storage.meetings_directory import aware, utc
from storage.meetings_models import ContactRow, MeetingRow, RsvpRow, SignatoryRow
from storage.transactions import Transactions


class SqlRsvpBook(Transactions):
    """RSVPs on an async SQLAlchemy engine."""

    async def set_rsvp(
        self,
        meeting_id: int,
        occurrence: datetime,
        contact_id: int,
        answer: Rsvp,
        at: datetime,
        *,
        persons: int | None = None,
        note: str | None = None,
    ) -> None:
        async with self._write() as session:
            await session.execute(
                delete(RsvpRow).where(
                    RsvpRow.meeting_id == meeting_id,
                    RsvpRow.occurrence_at == utc(occurrence),
                    RsvpRow.contact_id == contact_id,
                )
            )
            session.add(
                RsvpRow(
                    meeting_id=meeting_id,
                    occurrence_at=utc(occurrence),
                    contact_id=contact_id,
                    answer=answer.value,
                    answered_at=utc(at),
                    persons=persons,
                    note=note,
                )
            )

    async def rsvps(self, meeting_id: int, occurrence: datetime) -> list[StoredRsvp]:
        async with self._read() as session:
            rows = (
                await session.execute(
                    select(RsvpRow, ContactRow.signatory_id)
                    .join(ContactRow, ContactRow.id == RsvpRow.contact_id)
                    .where(RsvpRow.meeting_id == meeting_id, RsvpRow.occurrence_at == utc(occurrence))
                    .order_by(RsvpRow.id)
                )
            ).all()
        return [
            StoredRsvp(
                row.contact_id,
                signatory_id,
                RsvpAnswer(Rsvp(row.answer), row.persons, row.note),
                aware(row.answered_at),
                row.id,
            )
            for row, signatory_id in rows
        ]

    async def organisation_answer(
        self, meeting_id: int, occurrence: datetime, signatory_key: str
    ) -> OrganisationAnswer | None:
        async with self._read() as session:
            found = (
                await session.execute(
                    select(SignatoryRow)
                    .join(MeetingRow, MeetingRow.process_key == SignatoryRow.process_key)
                    .where(MeetingRow.id == meeting_id, SignatoryRow.key == signatory_key)
                )
            ).scalar_one_or_none()
        if found is None:
            return None
        signatory = SignatoryInfo(
            found.process_key, found.key, found.name, 0, found.active, found.id, found.source
        )
        return organisation_answer(await self.rsvps(meeting_id, occurrence), signatory)
