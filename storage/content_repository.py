"""A workshop's own content and its proposal rounds on SQLAlchemy
(:class:`facilitation.content.store.ContentStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from facilitation.content.model import (
    ItemChange,
    Origin,
    Proposal,
    ProposalRound,
    ProposalStatus,
    SubmitRefusal,
)
from facilitation.content.store import ItemKeyTaken
from storage.models import ProposalRoundRow, ProposalRow, WorkshopItemRow, WorkshopRow
from storage.transactions import Transactions


def _change(row: WorkshopItemRow) -> ItemChange:
    return ItemChange(
        row.catalogue, row.key, row.text, row.text_en, row.removed, Origin(row.origin), row.rank, row.reworded
    )


def _round(row: ProposalRoundRow) -> ProposalRound:
    return ProposalRound(
        row.id, row.workshop_id, row.catalogue, row.per_person, row.per_round, row.is_open, row.opened_at
    )


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        row.id, row.round_id, row.number, row.text, ProposalStatus(row.status), row.merged_into, row.item_key
    )


class SqlContentStore(Transactions):
    """Item changes, proposal rounds and proposals (PostgreSQL or SQLite)."""

    async def item_changes(self, workshop_id: int) -> list[ItemChange]:
        async with self._read() as session:
            rows = await session.execute(
                select(WorkshopItemRow)
                .where(WorkshopItemRow.workshop_id == workshop_id)
                .order_by(WorkshopItemRow.id)
            )
            return [_change(row) for row in rows.scalars()]

    async def save_item_changes(self, workshop_id: int, changes: Sequence[ItemChange]) -> None:
        async with self._write() as session:
            await self._save(session, workshop_id, changes)

    async def add_item(self, workshop_id: int, change: ItemChange) -> None:
        async with self._write() as session:
            await self._save(session, workshop_id, [change], new=True)

    async def _save(
        self, session: object, workshop_id: int, changes: Sequence[ItemChange], *, new: bool = False
    ) -> None:
        """Upsert ``changes``; ``new``: insert only, and a key stored already (by a process adding
        at the same moment: the unique key decides) raises :class:`ItemKeyTaken`, rolling back."""
        for change in changes:
            values = {
                "text": change.text,
                "text_en": change.text_en,
                "removed": change.removed,
                "origin": change.origin.value,
                "rank": change.rank,
                "reworded": change.reworded,
            }
            insert = self._insert(WorkshopItemRow).values(
                workshop_id=workshop_id, catalogue=change.catalogue, key=change.key, **values
            )
            index = ["workshop_id", "catalogue", "key"]
            if new:
                result = await session.execute(insert.on_conflict_do_nothing(index_elements=index))  # type: ignore[attr-defined]
                if not result.rowcount:
                    raise ItemKeyTaken(change.key)
                continue
            await session.execute(  # type: ignore[attr-defined]
                insert.on_conflict_do_update(index_elements=index, set_=values)
            )

    async def open_proposal_round(
        self, workshop_id: int, catalogue: str, per_person: int, per_round: int, at: datetime
    ) -> ProposalRound | None:
        async with self._write() as session:
            lock = select(WorkshopRow.id).where(WorkshopRow.id == workshop_id)
            await session.execute(lock if self._sqlite else lock.with_for_update())  # one opener at a time
            already = await session.execute(
                select(ProposalRoundRow.id).where(
                    ProposalRoundRow.workshop_id == workshop_id, ProposalRoundRow.is_open.is_(True)
                )
            )
            if already.first() is not None:
                return None
            row = ProposalRoundRow(
                workshop_id=workshop_id,
                catalogue=catalogue,
                per_person=per_person,
                per_round=per_round,
                is_open=True,
                opened_at=at,
            )
            session.add(row)
            await session.flush()
            return _round(row)

    async def proposal_round(self, workshop_id: int) -> ProposalRound | None:
        async with self._read() as session:
            row = (
                await session.execute(
                    select(ProposalRoundRow)
                    .where(ProposalRoundRow.workshop_id == workshop_id)
                    .order_by(ProposalRoundRow.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            return _round(row) if row is not None else None

    async def close_proposal_round(self, round_id: int) -> bool:
        async with self._write() as session:
            result = await session.execute(
                update(ProposalRoundRow)
                .where(ProposalRoundRow.id == round_id, ProposalRoundRow.is_open.is_(True))
                .values(is_open=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def add_proposal(
        self, round_id: int, author_key: str, text: str, at: datetime, duplicate_of: int | None = None
    ) -> Proposal | SubmitRefusal:
        """``at`` is not stored: a proposal keeps no time beside its author's key."""
        async with self._write() as session:
            query = select(ProposalRoundRow).where(ProposalRoundRow.id == round_id)
            round_ = (
                await session.execute(query if self._sqlite else query.with_for_update())
            ).scalar_one_or_none()
            if round_ is None or not round_.is_open:
                return SubmitRefusal.CLOSED
            mine = (
                await session.execute(
                    select(func.count())
                    .select_from(ProposalRow)
                    .where(ProposalRow.round_id == round_id, ProposalRow.author_key == author_key)
                )
            ).scalar_one()
            if mine >= round_.per_person:
                return SubmitRefusal.PERSON
            count, last = (
                await session.execute(
                    select(func.count(), func.max(ProposalRow.number)).where(ProposalRow.round_id == round_id)
                )
            ).one()
            if count >= round_.per_round:
                return SubmitRefusal.ROUND
            row = ProposalRow(
                round_id=round_id,
                number=(last or 0) + 1,
                author_key=author_key,
                text=text,
                status=(ProposalStatus.PENDING if duplicate_of is None else ProposalStatus.MERGED).value,
                merged_into=duplicate_of,
            )
            session.add(row)
            await session.flush()
            return _proposal(row)

    async def count_by_author(self, round_id: int, author_key: str) -> int:
        async with self._read() as session:
            return int(
                (
                    await session.execute(
                        select(func.count())
                        .select_from(ProposalRow)
                        .where(ProposalRow.round_id == round_id, ProposalRow.author_key == author_key)
                    )
                ).scalar_one()
            )

    async def proposals(self, round_id: int) -> list[Proposal]:
        async with self._read() as session:
            rows = await session.execute(
                select(ProposalRow).where(ProposalRow.round_id == round_id).order_by(ProposalRow.number)
            )
            return [_proposal(row) for row in rows.scalars()]

    async def moderate(
        self,
        round_id: int,
        number: int,
        status: ProposalStatus,
        *,
        merged_into: int | None = None,
        item: tuple[int, ItemChange] | None = None,
    ) -> bool:
        async with self._write() as session:
            result = await session.execute(
                update(ProposalRow)
                .where(
                    ProposalRow.round_id == round_id,
                    ProposalRow.number == number,
                    ProposalRow.status == ProposalStatus.PENDING.value,
                )
                .values(status=status.value, merged_into=merged_into, item_key=item[1].key if item else None)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            if item is not None:
                await self._save(session, item[0], [item[1]], new=True)
            return True

    async def forget_authors(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        async with self._write() as session:
            gone = (
                await session.execute(
                    select(ProposalRow.round_id, ProposalRow.number).where(
                        ProposalRow.author_key.in_(list(keys))
                    )
                )
            ).all()
            if not gone:
                return 0
            await session.execute(delete(ProposalRow).where(ProposalRow.author_key.in_(list(keys))))
            for round_id, number in gone:
                await session.execute(
                    update(ProposalRow)
                    .where(ProposalRow.round_id == round_id, ProposalRow.merged_into == number)
                    .values(status=ProposalStatus.PENDING.value, merged_into=None)
                )
            return len(gone)
