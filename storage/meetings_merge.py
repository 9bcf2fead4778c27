"""Merging a chat-registered contact into the file contact of the same person (SQL side).

See :mod:`facilitation.meetings.merging` for the rules; this runs inside the import's transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from facilitation.meetings.merging import rekeyed, same_person
from facilitation.meetings.store import FILE, SENT
from storage.meetings_models import ContactRow, DeliveryRow, RsvpRow, contact_of


async def merge_same_persons(session: AsyncSession, process: str, file_keys: list[str]) -> int:
    """Merge each non-file contact of ``process`` into the file contact (named in ``file_keys``) of
    the same signatory that reaches the same person; returns how many rows were merged away."""
    rows = list(
        (await session.execute(select(ContactRow).where(ContactRow.process_key == process))).scalars()
    )
    survivors = [r for r in rows if r.source == FILE and r.key in file_keys]
    merged = 0
    for loser in (r for r in rows if r.source != FILE):
        survivor = next(
            (
                s
                for s in survivors
                if s.signatory_id == loser.signatory_id and same_person(contact_of(s), contact_of(loser))
            ),
            None,
        )
        if survivor is not None:
            await _merge(session, loser, survivor)
            merged += 1
    return merged


async def _merge(session: AsyncSession, loser: ContactRow, survivor: ContactRow) -> None:
    kept = {
        d.delivery_key: d
        for d in (
            await session.execute(select(DeliveryRow).where(DeliveryRow.contact_id == survivor.id))
        ).scalars()
    }
    moving = list(
        (await session.execute(select(DeliveryRow).where(DeliveryRow.contact_id == loser.id))).scalars()
    )
    for delivery in moving:
        key = rekeyed(delivery.delivery_key, survivor.key)
        twin = kept.get(key)
        if twin is None:
            delivery.contact_id, delivery.delivery_key = survivor.id, key
            continue
        if delivery.status == SENT and twin.status != SENT:
            twin.status, twin.sent_at, twin.last_error, twin.retry_at = SENT, delivery.sent_at, None, None
            twin.claimed_by, twin.claimed_at = delivery.claimed_by, delivery.claimed_at
        if twin.file_sent_at is None and delivery.file_sent_at is not None:
            twin.file_sent_at = delivery.file_sent_at
        await session.delete(delivery)
    await session.flush()  # the re-keyed rows before the next reads
    own = {
        (r.meeting_id, r.occurrence_at): r
        for r in (await session.execute(select(RsvpRow).where(RsvpRow.contact_id == survivor.id))).scalars()
    }
    for rsvp in (await session.execute(select(RsvpRow).where(RsvpRow.contact_id == loser.id))).scalars():
        twin_rsvp = own.get((rsvp.meeting_id, rsvp.occurrence_at))
        if twin_rsvp is None or (rsvp.answered_at, rsvp.id) > (twin_rsvp.answered_at, twin_rsvp.id):
            if twin_rsvp is not None:
                await session.delete(twin_rsvp)
                await session.flush()
            rsvp.contact_id = survivor.id
        else:
            await session.delete(rsvp)
    survivor.opted_out = survivor.opted_out or loser.opted_out
    if survivor.workspace is None:
        survivor.workspace = loser.workspace
    await session.flush()
    await session.execute(delete(ContactRow).where(ContactRow.id == loser.id))
