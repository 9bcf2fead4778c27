"""SQL implementations of :class:`facilitation.people.deadlines.DeadlineStore` and
:class:`facilitation.people.coleaders.CoLeaderStore`.

A deadline is claimed by one conditional ``UPDATE``: on PostgreSQL a second process's update of
the same row waits for the first one's row lock and then re-checks the condition (read
committed), finding the row claimed; on SQLite writes take turns. So of several processes
exactly one claims each due deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from facilitation.people.coleaders import Accepted, CoLeader
from facilitation.people.deadlines import Claim
from facilitation.people.reach import SealedRow
from storage.people_models import CoLeaderRow, RoundDeadlineRow, SealedAddressRow, UsedInvitationRow
from storage.transactions import Transactions


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class SqlDeadlines(Transactions):
    """Round deadlines in the shared database."""

    async def set_deadline(
        self, round_id: int, closes_at: datetime, remind_at: datetime | None = None
    ) -> None:
        reminder = {
            "remind_at": remind_at,
            "remind_state": "pending" if remind_at is not None else None,
            "remind_holder": None,
            "remind_until": None,
        }
        async with self._write() as session:
            statement = self._insert(RoundDeadlineRow).values(
                round_id=round_id, closes_at=closes_at, state="pending", attempts=0, **reminder
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["round_id"],
                    set_={
                        "closes_at": closes_at,
                        "state": "pending",
                        "holder": None,
                        "lease_until": None,
                        **reminder,
                    },
                )
            )

    async def deadline(self, round_id: int) -> datetime | None:
        async with self._read() as session:
            row = await session.get(RoundDeadlineRow, round_id)
            return _aware(row.closes_at) if row is not None and row.state != "done" else None

    async def claim_due(self, now: datetime, holder: str, until: datetime, limit: int = 20) -> list[Claim]:
        free = and_(
            RoundDeadlineRow.closes_at <= now,
            or_(
                RoundDeadlineRow.state == "pending",
                and_(RoundDeadlineRow.state == "claimed", RoundDeadlineRow.lease_until < now),
            ),
        )
        async with self._write() as session:
            candidates = select(RoundDeadlineRow.round_id).where(free).order_by(RoundDeadlineRow.closes_at)
            if not self._sqlite:
                candidates = candidates.with_for_update(skip_locked=True)
            due = list((await session.execute(candidates.limit(limit))).scalars())
            if not due:
                return []
            result = await session.execute(
                update(RoundDeadlineRow)
                .where(RoundDeadlineRow.round_id.in_(due), free)
                .values(
                    state="claimed", holder=holder, lease_until=until, attempts=RoundDeadlineRow.attempts + 1
                )
                .returning(RoundDeadlineRow.round_id, RoundDeadlineRow.attempts)
            )
            return sorted((Claim(int(r), int(n)) for r, n in result.all()), key=lambda claim: claim.round_id)

    async def done(self, round_id: int, holder: str) -> bool:
        async with self._write() as session:
            result = await session.execute(
                update(RoundDeadlineRow)
                .where(
                    RoundDeadlineRow.round_id == round_id,
                    RoundDeadlineRow.holder == holder,
                    RoundDeadlineRow.state == "claimed",
                )
                .values(state="done", lease_until=None)
                .returning(RoundDeadlineRow.round_id)
            )
            return result.first() is not None

    async def claim_reminders(
        self, now: datetime, holder: str, until: datetime, limit: int = 20
    ) -> list[int]:
        row = RoundDeadlineRow
        free = and_(
            row.remind_at <= now,
            row.state == "pending",
            or_(row.remind_state == "pending", and_(row.remind_state == "claimed", row.remind_until < now)),
        )
        async with self._write() as session:
            candidates = select(row.round_id).where(free).order_by(row.remind_at)
            if not self._sqlite:
                candidates = candidates.with_for_update(skip_locked=True)
            due = list((await session.execute(candidates.limit(limit))).scalars())
            if not due:
                return []
            result = await session.execute(
                update(row)
                .where(row.round_id.in_(due), free)
                .values(remind_state="claimed", remind_holder=holder, remind_until=until)
                .returning(row.round_id)
            )
            return sorted(int(r) for r in result.scalars())

    async def reminded(self, round_id: int, holder: str) -> bool:
        row = RoundDeadlineRow
        async with self._write() as session:
            result = await session.execute(
                update(row)
                .where(row.round_id == round_id, row.remind_holder == holder, row.remind_state == "claimed")
                .values(remind_state="done", remind_until=None)
                .returning(row.round_id)
            )
            return result.first() is not None


class SqlReach(Transactions):
    """Sealed private addresses (:class:`facilitation.people.reach.ReachStore`) in the shared database."""

    async def keep(self, workshop_id: int, tag: str, sealed: str, at: datetime) -> bool:
        async with self._write() as session:
            statement = self._insert(SealedAddressRow).values(
                workshop_id=workshop_id, tag=tag, sealed=sealed, stopped=False, reminded_round=0, sealed_at=at
            )
            result = await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["tag"],
                    set_={"sealed": sealed, "sealed_at": at},
                    where=SealedAddressRow.stopped.is_(False),
                ).returning(SealedAddressRow.id)
            )
            return result.first() is not None

    async def rows(self, workshop_id: int) -> list[SealedRow]:
        async with self._read() as session:
            found = await session.execute(
                select(SealedAddressRow)
                .where(SealedAddressRow.workshop_id == workshop_id, SealedAddressRow.sealed.is_not(None))
                .order_by(SealedAddressRow.id)
            )
            return [_sealed_row(row) for row in found.scalars()]

    async def rows_of(self, tags: Sequence[str]) -> list[SealedRow]:
        async with self._read() as session:
            found = await session.execute(
                select(SealedAddressRow).where(SealedAddressRow.tag.in_(list(tags)))
            )
            return [_sealed_row(row) for row in found.scalars()]

    async def stop(self, tags: Sequence[str]) -> int:
        async with self._write() as session:
            result = await session.execute(
                update(SealedAddressRow)
                .where(SealedAddressRow.tag.in_(list(tags)))
                .values(sealed=None, stopped=True)
                .returning(SealedAddressRow.id)
            )
            return len(result.all())

    async def resume(self, row_id: int, sealed: str, at: datetime) -> None:
        async with self._write() as session:
            await session.execute(
                update(SealedAddressRow)
                .where(SealedAddressRow.id == row_id)
                .values(sealed=sealed, stopped=False, sealed_at=at)
            )

    async def claim(self, row_id: int, round_id: int) -> bool:
        async with self._write() as session:
            result = await session.execute(
                update(SealedAddressRow)
                .where(SealedAddressRow.id == row_id, SealedAddressRow.reminded_round < round_id)
                .values(reminded_round=round_id)
                .returning(SealedAddressRow.id)
            )
            return result.first() is not None

    async def drop(self, row_id: int) -> None:
        async with self._write() as session:
            await session.execute(delete(SealedAddressRow).where(SealedAddressRow.id == row_id))

    async def forget(self, tags: Sequence[str]) -> int:
        async with self._write() as session:
            result = await session.execute(
                delete(SealedAddressRow)
                .where(SealedAddressRow.tag.in_(list(tags)))
                .returning(SealedAddressRow.id)
            )
            return len(result.all())

    async def expire(self, before: datetime) -> int:
        async with self._write() as session:
            result = await session.execute(
                delete(SealedAddressRow)
                .where(SealedAddressRow.sealed.is_not(None), SealedAddressRow.sealed_at < before)
                .returning(SealedAddressRow.id)
            )
            return len(result.all())


def _sealed_row(row: SealedAddressRow) -> SealedRow:
    return SealedRow(row.id, row.workshop_id, row.tag, row.sealed)


class SqlCoLeaders(Transactions):
    """Co-facilitators and used invitations in the shared database."""

    async def accept(
        self, signature: str, scope: str, platform: str, user_key: str, name: str, at: datetime
    ) -> Accepted:
        try:
            async with self._write() as session:
                if await session.get(UsedInvitationRow, signature) is not None:
                    return Accepted.USED
                found = await session.execute(
                    select(CoLeaderRow.id).where(CoLeaderRow.scope == scope, CoLeaderRow.user_key == user_key)
                )
                if found.first() is not None:
                    return Accepted.ALREADY
                session.add(UsedInvitationRow(signature=signature, used_at=at))
                session.add(
                    CoLeaderRow(scope=scope, platform=platform, user_key=user_key, name=name, added_at=at)
                )
                await session.flush()
        except IntegrityError:  # accepted at the same moment by someone else (or twice by this person)
            async with self._read() as session:
                used = await session.get(UsedInvitationRow, signature)
            return Accepted.USED if used is not None else Accepted.ALREADY
        return Accepted.ADDED

    async def co_leaders(self, scopes: list[str]) -> list[CoLeader]:
        async with self._read() as session:
            rows = await session.execute(
                select(CoLeaderRow).where(CoLeaderRow.scope.in_(scopes)).order_by(CoLeaderRow.id)
            )
            return [_co_leader(row) for row in rows.scalars()]

    async def leads(self, user_key: str, scopes: list[str]) -> bool:
        async with self._read() as session:
            found = await session.execute(
                select(CoLeaderRow.id)
                .where(CoLeaderRow.user_key == user_key, CoLeaderRow.scope.in_(scopes))
                .limit(1)
            )
            return found.first() is not None

    async def remove(self, co_leader_id: int) -> CoLeader | None:
        async with self._write() as session:
            row = await session.get(CoLeaderRow, co_leader_id)
            if row is None:
                return None
            removed = _co_leader(row)
            await session.execute(delete(CoLeaderRow).where(CoLeaderRow.id == co_leader_id))
            return removed


def _co_leader(row: CoLeaderRow) -> CoLeader:
    return CoLeader(row.id, row.scope, row.platform, row.user_key, row.name)
