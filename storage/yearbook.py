"""Conclusions and yearly rounds in the database (:class:`facilitation.yearbook.store.YearbookStore`).

Each method is one short transaction. Replacing a conclusion is one upsert on the round's row,
so two facilitators writing at once leave one whole text (the later). Marking a yearly round
deletes the round's other year and then upserts the year's row in the same transaction; on
PostgreSQL two marks of one year serialise on the row, on SQLite writes take turns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from facilitation.yearbook.store import Conclusion, YearlyRound
from storage.meetings_directory import aware
from storage.models import ConclusionRow, YearlyRoundRow
from storage.transactions import Transactions


class SqlYearbook(Transactions):
    """:class:`~facilitation.yearbook.store.YearbookStore` on SQLAlchemy (SQLite or PostgreSQL)."""

    async def set_conclusion(self, round_id: int, text: str, at: datetime) -> bool:
        async with self._write() as session:
            before = await session.scalar(
                select(ConclusionRow.round_id).where(ConclusionRow.round_id == round_id).with_for_update()
            )
            statement = self._insert(ConclusionRow).values(round_id=round_id, text=text, recorded_at=at)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[ConclusionRow.round_id], set_={"text": text, "recorded_at": at}
                )
            )
            return before is not None

    async def conclusions(self, round_ids: Iterable[int]) -> dict[int, Conclusion]:
        ids = sorted(set(round_ids))
        if not ids:
            return {}
        async with self._read() as session:
            rows = (await session.scalars(select(ConclusionRow).where(ConclusionRow.round_id.in_(ids)))).all()
            return {row.round_id: Conclusion(row.round_id, row.text, aware(row.recorded_at)) for row in rows}

    async def mark_yearly(self, process_key: str, year: int, round_id: int) -> int | None:
        async with self._write() as session:
            await session.execute(delete(YearlyRoundRow).where(YearlyRoundRow.round_id == round_id))
            before = await session.scalar(
                select(YearlyRoundRow.round_id)
                .where(YearlyRoundRow.process_key == process_key, YearlyRoundRow.year == year)
                .with_for_update()
            )
            statement = self._insert(YearlyRoundRow).values(
                process_key=process_key, year=year, round_id=round_id
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[YearlyRoundRow.process_key, YearlyRoundRow.year],
                    set_={"round_id": round_id},
                )
            )
            return before

    async def unmark_yearly(self, round_id: int) -> bool:
        async with self._write() as session:
            result = await session.execute(
                delete(YearlyRoundRow)
                .where(YearlyRoundRow.round_id == round_id)
                .returning(YearlyRoundRow.year)
            )
            return bool(result.scalars().all())

    async def yearly_rounds(self, process_key: str) -> list[YearlyRound]:
        async with self._read() as session:
            rows = (
                await session.scalars(
                    select(YearlyRoundRow)
                    .where(YearlyRoundRow.process_key == process_key)
                    .order_by(YearlyRoundRow.year)
                )
            ).all()
            return [YearlyRound(row.process_key, row.year, row.round_id) for row in rows]
