"""The SQLAlchemy implementation of :class:`facilitation.store.Store`.

Each method is one short transaction. On SQLite, write transactions are serialised by an
in-process lock (one bot process per SQLite file; WAL lets reads run alongside). On PostgreSQL
an answer takes a share lock on its round row, so once a close has committed no answer can.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, Select, TextClause, bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.types import Integer, String

from facilitation.model import (
    DEFAULT_SECTORS,
    ChatBinding,
    FrozenAnswer,
    Language,
    Participant,
    Response,
    ResultFrame,
    Round,
    RoundItem,
    RoundKind,
    RoundStatus,
    SectorDef,
    SectorKey,
    Workshop,
)
from facilitation.ports import ChatRef
from facilitation.store import BallotChange, frozen_rows
from storage.batching import AnswerBatcher, PendingAnswer, check_commit_deadline, commit_deadline
from storage.database import database_timeout, rowcount, sqlite_file
from storage.models import (
    ROOM_TITLE_LENGTH,
    ChatBindingRow,
    FrozenAnswerRow,
    ParticipantRow,
    PreferenceRow,
    PressRow,
    ResponseRow,
    RoomRow,
    RoundItemRow,
    RoundRow,
    WorkshopRow,
)
from storage.sqlite_writer import SqliteThreadWriter
from storage.transactions import Transactions

T = TypeVar("T")
_RETRIES = 4
_RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
#: The participant and press of :meth:`SqlStore.prepare_answers` (rolled back): no pseudonym
#: (a hex HMAC) and no platform's press id looks like it.
REHEARSAL_KEY = "~rehearsal~"


def _retryable(exc: DBAPIError) -> bool:
    """Whether PostgreSQL aborted the transaction only because of another one (safe to run again)."""
    original = getattr(exc, "orig", None)
    state = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if state is None:  # asyncpg's error is wrapped once more by SQLAlchemy's adapter
        state = getattr(getattr(original, "__cause__", None), "sqlstate", None)
    return state in _RETRYABLE_SQLSTATES


async def _retrying(transaction: Callable[[], Awaitable[T]]) -> T:
    """Run a whole transaction again (a few times) when PostgreSQL aborted it for another's sake."""
    for attempt in range(_RETRIES - 1):
        try:
            return await transaction()
        except DBAPIError as exc:
            if not _retryable(exc):
                raise
            await asyncio.sleep(0.01 * (attempt + 1))
    return await transaction()


def _record_presses_pg() -> TextClause:
    """Record a batch's presses, returning the keys new to the table, as one statement whatever
    the batch's size.

    A multi-row VALUES has one SQL text per number of rows: under a burst of votes each batch was
    compiled by SQLAlchemy and prepared by PostgreSQL anew. ``unnest`` of two arrays keeps the
    keys' (sorted) order, so two processes still lock them in the same order.
    """
    from sqlalchemy.dialects.postgresql import ARRAY  # PostgreSQL only: a SQLite bot never loads the dialect

    table = PressRow.__tablename__
    return text(
        f"INSERT INTO {table} (key, round_id) "
        "SELECT * FROM unnest(CAST(:keys AS VARCHAR[]), CAST(:rounds AS INTEGER[])) "
        "ON CONFLICT (key) DO NOTHING RETURNING key"
    ).bindparams(bindparam("keys", type_=ARRAY(String)), bindparam("rounds", type_=ARRAY(Integer)))


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    """``values`` in pieces that stay far below SQLite's and asyncpg's limits on bound parameters
    (a person's keys: one per workshop of the installation)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _workshop(row: WorkshopRow) -> Workshop:
    return Workshop(
        row.id,
        row.process_key,
        row.title,
        row.join_code,
        Language(row.language),
        _aware(row.created_at),
        row.compare_round_id,
    )


def _participant(row: ParticipantRow) -> Participant:
    return Participant(row.key, row.workshop_id, row.sector or None, row.organisation)


def _room_title(chat: ChatRef) -> str | None:
    return chat.title[:ROOM_TITLE_LENGTH] if chat.title else None


def _round(row: RoundRow) -> Round:
    return Round(
        id=row.id,
        workshop_id=row.workshop_id,
        kind=RoundKind(row.kind),
        title=row.title,
        status=RoundStatus(row.status),
        items=[
            RoundItem(i.id, i.position, i.text, i.ref_key, frozen=bool(i.frozen), number=i.number or 0)
            for i in row.items
        ],
        settings=dict(row.settings or {}),
        current_position=row.current_position,
        opened_at=_aware(row.opened_at),
        closed_at=_aware(row.closed_at),
        compare_round_id=row.compare_round_id,
        frame=_frame(row),
        turnout=row.turnout,
    )


def _frame(row: RoundRow) -> ResultFrame | None:
    if row.min_group_size is None:
        return None
    sectors = (
        tuple(SectorDef(*entry) for entry in row.sectors) if row.sectors is not None else DEFAULT_SECTORS
    )
    return ResultFrame(row.min_group_size, sectors)


def _frame_values(frame: ResultFrame) -> dict[str, object]:
    """The frame as the round's columns (sectors as lists, so JSON holds them)."""
    sectors = [[s.key, s.name, s.name_en, s.short, s.short_en] for s in frame.sectors]
    return {"min_group_size": frame.min_group_size, "sectors": sectors}


class SqlStore(Transactions):
    """Workshop persistence on an async SQLAlchemy engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._answers = AnswerBatcher(self._write_answers, flushes=1 if self._sqlite else 2)
        # Statements built once and run with executemany, so a batch of any size reuses the
        # compiled SQL instead of compiling a new multi-row VALUES statement each time.
        answer = self._insert(ResponseRow)
        self._upsert_answer = answer.on_conflict_do_update(
            index_elements=["round_id", "item_id", "participant_key"],
            set_={"value": answer.excluded.value, "updated_at": answer.excluded.updated_at},
        )
        self._add_participant = self._insert(ParticipantRow).on_conflict_do_nothing(
            index_elements=["workshop_id", "key"]
        )
        self._record_presses = None if self._sqlite else _record_presses_pg()
        # SQLite: a batch of answers is one hop to a writer thread instead of a round trip
        # through aiosqlite per statement (see storage.sqlite_writer).
        url = engine.url.render_as_string(hide_password=False)
        busy = database_timeout(engine)
        self._answer_writer = (
            (SqliteThreadWriter(url, busy) if busy is not None else SqliteThreadWriter(url))
            if sqlite_file(url) is not None
            else None
        )

    async def open(self) -> None:
        """Open the answer writer's connection before the first votes arrive."""
        if self._answer_writer is not None:
            await self._answer_writer.open()

    async def aclose(self) -> None:
        """Close the answer writer (the engine is the caller's to dispose)."""
        if self._answer_writer is not None:
            await self._answer_writer.aclose()

    # --- workshops -----------------------------------------------------------------------
    async def create_workshop(
        self, process_key: str, title: str, join_code: str, language: Language, created_at: datetime
    ) -> Workshop | None:
        async with self._write() as session:
            statement = (
                self._insert(WorkshopRow)
                .values(
                    process_key=process_key,
                    title=title,
                    join_code=join_code,
                    language=language.value,
                    created_at=created_at,
                )
                .on_conflict_do_nothing(index_elements=["join_code"])
                .returning(WorkshopRow.id)
            )
            workshop_id = (await session.execute(statement)).scalar_one_or_none()
            if workshop_id is None:
                return None
        return await self.workshop(workshop_id)

    async def workshop(self, workshop_id: int) -> Workshop | None:
        async with self._read() as session:
            row = await session.get(WorkshopRow, workshop_id)
            return _workshop(row) if row else None

    async def set_compare_round(self, workshop_id: int, round_id: int | None) -> None:
        async with self._write() as session:
            await session.execute(
                update(WorkshopRow).where(WorkshopRow.id == workshop_id).values(compare_round_id=round_id)
            )

    async def workshop_by_code(self, join_code: str) -> Workshop | None:
        async with self._read() as session:
            row = (
                await session.execute(select(WorkshopRow).where(WorkshopRow.join_code == join_code))
            ).scalar()
            return _workshop(row) if row else None

    # --- participants --------------------------------------------------------------------
    async def upsert_participant(
        self,
        workshop_id: int,
        key: str,
        sector: SectorKey = None,
        organisation: str | None = None,
        at: datetime | None = None,
    ) -> Participant:
        async with self._write() as session:
            insert = self._insert(ParticipantRow).values(
                workshop_id=workshop_id,
                key=key,
                sector=sector or None,
                organisation=organisation,
                joined_at=at or datetime.now(UTC),
            )
            statement = insert.on_conflict_do_update(
                index_elements=["workshop_id", "key"],
                set_={
                    "sector": func.coalesce(insert.excluded.sector, ParticipantRow.sector),
                    "organisation": func.coalesce(insert.excluded.organisation, ParticipantRow.organisation),
                },
            ).returning(ParticipantRow.sector, ParticipantRow.organisation)
            stored_sector, stored_org = (await session.execute(statement)).one()
        return Participant(key, workshop_id, stored_sector or None, stored_org)

    async def participant(self, workshop_id: int, key: str) -> Participant | None:
        async with self._read() as session:
            row = await session.get(ParticipantRow, (workshop_id, key))
            return _participant(row) if row else None

    async def workshop_ids(self) -> list[int]:
        async with self._read() as session:
            return sorted((await session.execute(select(WorkshopRow.id))).scalars())

    async def workshops_of(self, keys: Mapping[int, str]) -> list[int]:
        """The workshops a participant has joined (for their own App Home view)."""
        joined: list[int] = []
        async with self._read() as session:
            for chunk in _chunks(list(keys.values())):
                rows = await session.execute(
                    select(ParticipantRow.workshop_id, ParticipantRow.key).where(
                        ParticipantRow.key.in_(chunk)
                    )
                )
                joined += [workshop_id for workshop_id, key in rows if keys.get(workshop_id) == key]
        return sorted(joined)

    async def participants(self, workshop_id: int) -> list[Participant]:
        async with self._read() as session:
            rows = await session.execute(
                select(ParticipantRow).where(ParticipantRow.workshop_id == workshop_id)
            )
            return [_participant(r) for r in rows.scalars()]

    # --- rounds --------------------------------------------------------------------------
    async def create_round(
        self,
        workshop_id: int,
        kind: RoundKind,
        title: str,
        items: Sequence[tuple[str, str]],
        settings: Mapping[str, int],
        compare_round_id: int | None = None,
        numbers: Sequence[int] | None = None,
    ) -> Round:
        async with self._write() as session:
            row = RoundRow(
                workshop_id=workshop_id,
                kind=kind.value,
                title=title,
                status=RoundStatus.DRAFT.value,
                settings=dict(settings),
                compare_round_id=compare_round_id,
            )
            row.items = [
                RoundItemRow(position=i, text=text, ref_key=ref, number=numbers[i] if numbers else None)
                for i, (text, ref) in enumerate(items)
            ]
            session.add(row)
            await session.flush()
            round_id = row.id
        found = await self.round(round_id)
        assert found is not None
        return found

    async def round(self, round_id: int) -> Round | None:
        async with self._read() as session:
            row = await session.get(RoundRow, round_id)
            return _round(row) if row else None

    async def rounds(self, workshop_id: int) -> list[Round]:
        async with self._read() as session:
            rows = await session.execute(
                select(RoundRow).where(RoundRow.workshop_id == workshop_id).order_by(RoundRow.id)
            )
            return [_round(r) for r in rows.scalars()]

    async def open_rounds(self) -> list[Round]:
        async with self._read() as session:
            rows = await session.scalars(
                select(RoundRow).where(RoundRow.status == RoundStatus.OPEN.value).order_by(RoundRow.id)
            )
            return [_round(row) for row in rows]

    async def prepare_answers(self, round_id: int) -> None:
        """Write one answer to ``round_id`` as a batch of votes does, and roll it back.

        On PostgreSQL the first batch of a burst cost 50-60 ms more than the later ones (its
        statements compiled, prepared on the connection, planned by a fresh server process):
        the first presses of 20 workshops voting at once waited for it (bench/scaleout.py).
        Nothing is committed: the participant, the press and the answer are rolled back.
        SQLite's answers are written by a thread of their own, which keeps its statements.
        """
        if self._answer_writer is not None or self._record_presses is None:
            return
        async with self._read() as session:
            item_id = (
                await session.execute(
                    select(RoundItemRow.id)
                    .where(RoundItemRow.round_id == round_id, RoundItemRow.frozen.is_(False))
                    .order_by(RoundItemRow.position)
                    .limit(1)
                )
            ).scalar()
            if item_id is None:
                return
            rehearsal = PendingAnswer(round_id, item_id, REHEARSAL_KEY, 1, datetime.now(UTC), REHEARSAL_KEY)
            connection = await session.connection()
            await connection.run_sync(self._answer_batch, [rehearsal])
            await session.rollback()

    async def transition_round(
        self, round_id: int, from_status: RoundStatus, to_status: RoundStatus, at: datetime
    ) -> bool:
        values: dict[str, object] = {"status": to_status.value}
        if to_status == RoundStatus.OPEN:
            values["opened_at"] = at
        if to_status == RoundStatus.CLOSED:
            values["closed_at"] = at
        async with self._write() as session:
            result = await session.execute(
                update(RoundRow)
                .where(RoundRow.id == round_id, RoundRow.status == from_status.value)
                .values(**values)
            )
            if rowcount(result) and to_status == RoundStatus.CLOSED:  # a press on a closed round is refused
                await session.execute(delete(PressRow).where(PressRow.round_id == round_id))
            return bool(rowcount(result))

    async def set_current_position(self, round_id: int, position: int | None) -> None:
        async with self._write() as session:
            await session.execute(
                update(RoundRow).where(RoundRow.id == round_id).values(current_position=position)
            )

    # --- freezing: what a round publishes, fixed ------------------------------------------
    async def freeze_items(self, round_id: int, item_ids: Sequence[int], frame: ResultFrame) -> None:
        async with self._write() as session:
            # The round row first, exclusively: an answer batch holds it shared until it commits,
            # so every answer given before this freeze is in it, and none after it is accepted.
            locked = select(RoundRow.workshop_id).where(RoundRow.id == round_id)
            workshop_id = (
                await session.execute(locked if self._sqlite else locked.with_for_update())
            ).scalar()
            if workshop_id is not None:
                await self._freeze(session, round_id, workshop_id, item_ids, frame)

    async def close_round(self, round_id: int, at: datetime, frame: ResultFrame) -> bool:
        async with self._write() as session:
            closed = (
                await session.execute(
                    update(RoundRow)
                    .where(RoundRow.id == round_id, RoundRow.status == RoundStatus.OPEN.value)
                    .values(status=RoundStatus.CLOSED.value, closed_at=at)
                    .returning(RoundRow.workshop_id)
                )
            ).scalar()
            if closed is None:
                return False
            await session.execute(
                delete(PressRow).where(PressRow.round_id == round_id)
            )  # presses are refused now
            items = (
                await session.execute(select(RoundItemRow.id).where(RoundItemRow.round_id == round_id))
            ).scalars()
            await self._freeze(session, round_id, closed, list(items), frame)
            turnout = (
                await session.execute(
                    select(func.count(func.distinct(ResponseRow.participant_key))).where(
                        ResponseRow.round_id == round_id
                    )
                )
            ).scalar_one()
            await session.execute(update(RoundRow).where(RoundRow.id == round_id).values(turnout=turnout))
            return True

    async def _freeze(
        self,
        session: AsyncSession,
        round_id: int,
        workshop_id: int,
        item_ids: Sequence[int],
        frame: ResultFrame,
    ) -> None:
        """Mark the items not yet frozen as frozen and copy their answers, keys left behind."""
        await session.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id, RoundRow.min_group_size.is_(None))
            .values(**_frame_values(frame))
        )
        claimed = list(
            (
                await session.execute(
                    update(RoundItemRow)
                    .where(
                        RoundItemRow.round_id == round_id,
                        RoundItemRow.id.in_(item_ids),
                        RoundItemRow.frozen.is_(False),
                    )
                    .values(frozen=True)
                    .returning(RoundItemRow.id)
                )
            ).scalars()
        )
        if not claimed:
            return
        answers = (
            await session.execute(
                select(
                    ResponseRow.participant_key, ResponseRow.item_id, ResponseRow.value, ParticipantRow.sector
                )
                .outerjoin(
                    ParticipantRow,
                    (ParticipantRow.workshop_id == workshop_id)
                    & (ParticipantRow.key == ResponseRow.participant_key),
                )
                .where(ResponseRow.round_id == round_id, ResponseRow.item_id.in_(claimed))
            )
        ).all()
        first = (
            await session.execute(
                select(func.coalesce(func.max(FrozenAnswerRow.ballot), 0)).where(
                    FrozenAnswerRow.round_id == round_id
                )
            )
        ).scalar_one() + 1
        rows = frozen_rows(answers, frame, first)
        if rows:
            await session.execute(
                insert(FrozenAnswerRow),
                [
                    {
                        "round_id": round_id,
                        "item_id": r.item_id,
                        "ballot": r.ballot,
                        "sector": r.sector,
                        "value": r.value,
                    }
                    for r in rows
                ],
            )

    async def frozen_answers(self, round_id: int) -> list[FrozenAnswer]:
        async with self._read() as session:
            rows = await session.execute(
                select(
                    FrozenAnswerRow.item_id,
                    FrozenAnswerRow.ballot,
                    FrozenAnswerRow.sector,
                    FrozenAnswerRow.value,
                )
                .where(FrozenAnswerRow.round_id == round_id)
                .order_by(FrozenAnswerRow.id)
            )
            return [FrozenAnswer(*row) for row in rows]

    async def fix_frame(self, round_id: int, frame: ResultFrame) -> None:
        async with self._write() as session:
            await session.execute(
                update(RoundRow)
                .where(RoundRow.id == round_id, RoundRow.min_group_size.is_(None))
                .values(**_frame_values(frame))
            )

    # --- answers -------------------------------------------------------------------------
    def _lock_open_rounds(self, round_ids: Sequence[int]) -> Select[int, int]:
        """(id, workshop id) of those rounds that are open, share-locked on PostgreSQL until commit:
        once a close has committed, no answer can be written to the round any more."""
        query = select(RoundRow.id, RoundRow.workshop_id).where(
            RoundRow.id.in_(round_ids), RoundRow.status == RoundStatus.OPEN.value
        )
        return query if self._sqlite else query.with_for_update(read=True)

    async def set_response(
        self, round_id: int, item_id: int, participant_key: str, value: int, at: datetime, press_key: str = ""
    ) -> bool:
        return await self._answers.submit(
            PendingAnswer(round_id, item_id, participant_key, value, at, press_key)
        )

    async def _write_answers(self, answers: Sequence[PendingAnswer]) -> list[bool]:
        """Write a batch of answers in one transaction; see :meth:`_answer_batch`.

        PostgreSQL: retried when it picks the batch as a deadlock victim. Rows are locked in one
        global order (rounds, then participants, then answers, each sorted), so two processes'
        batches should only ever wait for each other; the retry is the safety net that keeps a
        rare deadlock from losing a whole batch of votes.
        """
        commit_by = commit_deadline()
        if self._answer_writer is not None:
            assert self._write_lock is not None
            async with self._write_lock:  # SQLite's one writer: taken in turn with every other write
                check_commit_deadline(commit_by)
                return await self._answer_writer.run(
                    lambda connection: self._answer_batch(connection, answers, commit_by)
                )
        return await _retrying(lambda: self._write_answers_on_engine(answers, commit_by))

    async def _write_answers_on_engine(
        self, answers: Sequence[PendingAnswer], commit_by: float | None
    ) -> list[bool]:
        async with self._write() as session:
            connection = await session.connection()
            return await connection.run_sync(self._answer_batch, answers, commit_by)

    def _answer_batch(
        self, connection: Connection, answers: Sequence[PendingAnswer], commit_by: float | None = None
    ) -> list[bool]:
        """Lock the rounds involved (shared, on PostgreSQL), upsert the answers of open ones whose
        statement is not frozen; roll back if the presses' ``commit_by`` (see
        :mod:`storage.batching`) has passed by then.

        Core statements, not the ORM: its bulk-insert machinery costs more than the SQL itself
        at hundreds of votes a second.
        """
        query = self._lock_open_rounds(sorted({a.round_id for a in answers}))
        workshops = {row[0]: row[1] for row in connection.execute(query).all()}
        frozen = set(
            connection.execute(
                select(RoundItemRow.id).where(
                    RoundItemRow.id.in_({a.item_id for a in answers}), RoundItemRow.frozen.is_(True)
                )
            ).scalars()
        )
        # an answer counts if its round is open and its statement not stepped past (frozen)
        accepted = [a.round_id in workshops and a.item_id not in frozen for a in answers]
        taken = self._first_deliveries(connection, [a for a, ok in zip(answers, accepted, strict=True) if ok])
        people = {(workshops[a.round_id], a.participant_key): a.at for a in taken}
        if people:
            connection.execute(
                self._add_participant,
                [{"workshop_id": w, "key": k, "joined_at": at} for (w, k), at in sorted(people.items())],
            )
        latest: dict[tuple[int, int, str], PendingAnswer] = {}
        for answer in taken:  # a later press in the same batch wins
            latest[(answer.round_id, answer.item_id, answer.participant_key)] = answer
        if latest:
            connection.execute(
                self._upsert_answer,
                [
                    {
                        "round_id": a.round_id,
                        "item_id": a.item_id,
                        "participant_key": a.participant_key,
                        "value": a.value,
                        "updated_at": a.at,
                    }
                    for _, a in sorted(latest.items())
                ],
            )
        check_commit_deadline(commit_by)  # the presses were told "not saved": never commit after that
        return accepted

    def _first_deliveries(self, connection: Connection, answers: list[PendingAnswer]) -> list[PendingAnswer]:
        """Record the presses of ``answers`` in the batch's transaction; the answers to apply.

        An answer whose press was recorded before (Telegram delivered it again, to this process
        or another, before or after a restart) is left out: it counts already, and applying it
        again could undo a later change of mind. The same press twice in one batch counts once.
        Keys are inserted sorted, so two processes' batches lock them in the same order.
        """
        keys = sorted({(a.press_key, a.round_id) for a in answers if a.press_key})
        if not keys:
            return answers
        if self._record_presses is not None:  # PostgreSQL: one statement, prepared once
            recorded = connection.execute(
                self._record_presses, {"keys": [k for k, _ in keys], "rounds": [r for _, r in keys]}
            )
        else:
            recorded = connection.execute(
                self._insert(PressRow)
                .values([{"key": key, "round_id": round_id} for key, round_id in keys])
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(PressRow.key)
            )
        new = set(recorded.scalars())
        fresh = []
        for answer in answers:
            if not answer.press_key:
                fresh.append(answer)
            elif answer.press_key in new:
                new.discard(answer.press_key)
                fresh.append(answer)
        return fresh

    async def update_ballot(
        self, round_id: int, participant_key: str, change: BallotChange, at: datetime, press_key: str = ""
    ) -> dict[int, int] | None:
        return await _retrying(lambda: self._update_ballot(round_id, participant_key, change, at, press_key))

    async def _update_ballot(
        self, round_id: int, participant_key: str, change: BallotChange, at: datetime, press_key: str
    ) -> dict[int, int] | None:
        async with self._write() as session:
            opened = (await session.execute(self._lock_open_rounds([round_id]))).first()
            if opened is None:
                return None
            # Upserting the participant row locks it until commit (a row lock, also when it is
            # inserted): two processes changing the same person's ballot take turns, and the
            # second reads the ballot only after the first committed it.
            insert = self._insert(ParticipantRow).values(
                workshop_id=opened.workshop_id, key=participant_key, joined_at=at
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["workshop_id", "key"], set_={"key": insert.excluded.key}
                )
            )
            rows = await session.execute(
                select(ResponseRow.item_id, ResponseRow.value).where(
                    ResponseRow.round_id == round_id, ResponseRow.participant_key == participant_key
                )
            )
            stored = {item_id: value for item_id, value in rows}
            if press_key and not await self._first_delivery(session, press_key, round_id):
                return stored
            ballot = change(dict(stored))
            if ballot != stored:
                await session.execute(
                    delete(ResponseRow).where(
                        ResponseRow.round_id == round_id, ResponseRow.participant_key == participant_key
                    )
                )
                if ballot:
                    await session.execute(
                        self._insert(ResponseRow),
                        [
                            {
                                "round_id": round_id,
                                "item_id": item_id,
                                "participant_key": participant_key,
                                "value": value,
                                "updated_at": at,
                            }
                            for item_id, value in ballot.items()
                        ],
                    )
            return ballot

    async def _first_delivery(self, session: AsyncSession, press_key: str, round_id: int) -> bool:
        """Record the press (committed with its effect, or not at all); False if it was recorded before."""
        recorded = await session.execute(
            self._insert(PressRow)
            .values(key=press_key, round_id=round_id)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(PressRow.key)
        )
        return recorded.first() is not None

    async def responses(self, round_id: int) -> list[Response]:
        async with self._read() as session:
            rows = await session.execute(
                select(
                    ResponseRow.round_id, ResponseRow.item_id, ResponseRow.participant_key, ResponseRow.value
                ).where(ResponseRow.round_id == round_id)
            )
            return [Response(*row) for row in rows]

    async def own_responses(self, round_id: int, participant_key: str) -> dict[int, int]:
        async with self._read() as session:
            rows = await session.execute(
                select(ResponseRow.item_id, ResponseRow.value).where(
                    ResponseRow.round_id == round_id, ResponseRow.participant_key == participant_key
                )
            )
            return {item_id: value for item_id, value in rows}

    async def turnout(self, round_id: int) -> int:
        async with self._read() as session:
            query = select(func.count(func.distinct(ResponseRow.participant_key))).where(
                ResponseRow.round_id == round_id
            )
            return int((await session.execute(query)).scalar_one())

    async def forget_participant(self, keys: Sequence[str]) -> int:
        async with self._write() as session:
            removed = 0
            for chunk in _chunks(list(keys)):
                for statement in (
                    delete(ResponseRow).where(ResponseRow.participant_key.in_(chunk)),
                    delete(ParticipantRow).where(ParticipantRow.key.in_(chunk)),
                    delete(PreferenceRow).where(PreferenceRow.user_key.in_(chunk)),
                ):
                    removed += rowcount(await session.execute(statement))
            return removed

    # --- chats and preferences -----------------------------------------------------------
    async def bind_chat(self, chat_key: str, workshop_id: int, *, origin: bool = False) -> None:
        async with self._write() as session:
            insert = self._insert(ChatBindingRow).values(
                chat_key=chat_key, workshop_id=workshop_id, origin=origin
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["chat_key"],
                    set_={"workshop_id": insert.excluded.workshop_id, "origin": insert.excluded.origin},
                )
            )

    async def unbind_chat(self, chat_key: str) -> None:
        async with self._write() as session:
            await session.execute(delete(ChatBindingRow).where(ChatBindingRow.chat_key == chat_key))

    async def bound_workshop(self, chat_key: str) -> int | None:
        binding = await self.chat_binding(chat_key)
        return binding.workshop_id if binding else None

    async def bound_chats(self, workshop_id: int) -> list[str]:
        async with self._read() as session:
            keys = await session.scalars(
                select(ChatBindingRow.chat_key).where(ChatBindingRow.workshop_id == workshop_id)
            )
            return list(keys)

    async def chat_binding(self, chat_key: str) -> ChatBinding | None:
        async with self._read() as session:
            row = await session.get(ChatBindingRow, chat_key)
            return ChatBinding(row.workshop_id, bool(row.origin)) if row else None

    async def add_room(self, workshop_id: int, chat: ChatRef) -> None:
        async with self._write() as session:
            insert = self._insert(RoomRow).values(
                workshop_id=workshop_id,
                platform=chat.platform,
                chat_id=chat.chat_id,
                workspace=chat.workspace,
                title=_room_title(chat),
                thread_id=chat.thread_id,
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["workshop_id", "platform", "chat_id"],
                    set_={
                        "title": func.coalesce(insert.excluded.title, RoomRow.title),
                        "thread_id": insert.excluded.thread_id,
                    },
                )
            )

    async def rooms(self, workshop_id: int) -> list[ChatRef]:
        async with self._read() as session:
            rows = await session.execute(
                select(RoomRow)
                .where(RoomRow.workshop_id == workshop_id)
                .order_by(RoomRow.platform, RoomRow.chat_id)
            )
            return [
                ChatRef(r.platform, r.chat_id, False, r.workspace, title=r.title, thread_id=r.thread_id)
                for r in rows.scalars()
            ]

    async def remove_room(self, workshop_id: int, chat: ChatRef) -> bool:
        async with self._write() as session:
            result = await session.execute(
                delete(RoomRow).where(
                    RoomRow.workshop_id == workshop_id,
                    RoomRow.platform == chat.platform,
                    RoomRow.chat_id == chat.chat_id,
                )
            )
            return bool(rowcount(result))

    async def move_chat(self, old: ChatRef, new: ChatRef, old_key: str, new_key: str) -> bool:
        async with self._write() as session:
            rooms = (
                (
                    await session.execute(
                        select(RoomRow)
                        .where(RoomRow.platform == old.platform, RoomRow.chat_id == old.chat_id)
                        .with_for_update()
                    )
                )
                .scalars()
                .all()
            )
            for room in rooms:
                if await session.get(RoomRow, (room.workshop_id, new.platform, new.chat_id)) is None:
                    session.add(
                        RoomRow(
                            workshop_id=room.workshop_id,
                            platform=new.platform,
                            chat_id=new.chat_id,
                            workspace=room.workspace,
                            title=_room_title(new) or room.title,
                        )
                    )
                await session.delete(room)
            binding = await session.get(ChatBindingRow, old_key, with_for_update=True)
            if binding is not None:
                if await session.get(ChatBindingRow, new_key) is None:
                    session.add(
                        ChatBindingRow(
                            chat_key=new_key, workshop_id=binding.workshop_id, origin=binding.origin
                        )
                    )
                await session.delete(binding)
            return bool(rooms) or binding is not None

    async def set_language(self, user_key: str, language: Language) -> None:
        async with self._write() as session:
            insert = self._insert(PreferenceRow).values(user_key=user_key, language=language.value)
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["user_key"], set_={"language": insert.excluded.language}
                )
            )

    async def languages(self) -> dict[str, Language]:
        async with self._read() as session:
            rows = await session.execute(select(PreferenceRow.user_key, PreferenceRow.language))
            return {key: Language(value) for key, value in rows}

    async def language(self, user_key: str) -> Language | None:
        async with self._read() as session:
            row = await session.get(PreferenceRow, user_key)
            return Language(row.language) if row else None
