"""The follow-up's records in the database (see :class:`facilitation.followup.records.FollowupRecords`).

Tags are kept with an insert that does nothing when the round has a row already (``ON CONFLICT
DO NOTHING``), then read back, so of two processes keeping a round's tags at once the first
wins and both return the same tags.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from facilitation.followup.records import CommitmentTag
from facilitation.model import RoundKind, RoundStatus
from storage.models import FollowupTagsRow, RoundRow, WorkshopRow
from storage.transactions import Transactions


def _decoded(stored: list[list[object]]) -> list[CommitmentTag]:
    tags = []
    for entry in stored:
        party, principles = entry[0], entry[1]
        tags.append(
            CommitmentTag(
                str(party),
                tuple(str(key) for key in principles) if isinstance(principles, list) else (),
            )
        )
    return tags


class SqlFollowupRecords(Transactions):
    """Follow-up tags in ``followup_tags``; a process's follow-ups found by one query."""

    async def keep_tags(self, round_id: int, tags: Sequence[CommitmentTag]) -> list[CommitmentTag]:
        stored: list[list[object]] = [[tag.party, list(tag.principles)] for tag in tags]
        async with self._write() as session:
            await session.execute(
                self._insert(FollowupTagsRow)
                .values(round_id=round_id, tags=stored)
                .on_conflict_do_nothing(index_elements=["round_id"])
            )
            kept = await session.scalar(
                select(FollowupTagsRow.tags).where(FollowupTagsRow.round_id == round_id)
            )
        return _decoded(kept if kept is not None else stored)

    async def tags(self, round_id: int) -> list[CommitmentTag] | None:
        async with self._read() as session:
            kept = await session.scalar(
                select(FollowupTagsRow.tags).where(FollowupTagsRow.round_id == round_id)
            )
        return _decoded(kept) if kept is not None else None

    async def closed_followups(self, process_key: str) -> list[int]:
        async with self._read() as session:
            ids = await session.scalars(
                select(RoundRow.id)
                .join(WorkshopRow, WorkshopRow.id == RoundRow.workshop_id)
                .where(
                    WorkshopRow.process_key == process_key,
                    RoundRow.kind == RoundKind.FOLLOWUP.value,
                    RoundRow.status == RoundStatus.CLOSED.value,
                )
                .order_by(RoundRow.id)
            )
            return list(ids)
