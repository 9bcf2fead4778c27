"""Leases on live messages in the shared database (see :class:`facilitation.live.LiveLeases`).

Every statement is one short transaction; the conditions on ``holder`` and ``lease_until`` make
taking a lease and recording an edit atomic, so of several processes exactly one holds a
message: on PostgreSQL a second ``UPDATE`` waits for the first one's row lock and then finds
the lease taken, on SQLite writes take turns.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from facilitation.live import LeasedMessage, Shown
from facilitation.ports import ChatRef, MessageRef
from storage.models import LiveMessageRow
from storage.transactions import Transactions


def new_holder() -> str:
    """``host:pid:random``: unique per running bot process (a restarted one is another holder)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SqlLiveLeases(Transactions):
    """Live messages held by the process named ``holder`` (unique per running process)."""

    def __init__(self, engine: AsyncEngine, holder: str) -> None:
        super().__init__(engine)
        self.holder = holder

    async def hold(
        self, group: int, message: MessageRef, language: str, text: str | None, at: datetime, until: datetime
    ) -> int:
        chat = message.chat
        async with self._write() as session:
            row = LiveMessageRow(
                round_id=group,
                platform=chat.platform,
                chat_id=chat.chat_id,
                workspace=chat.workspace,
                thread_id=chat.thread_id,
                message_id=message.message_id,
                language=language,
                last_text=text,
                last_edit_at=at,
                holder=self.holder,
                lease_until=until,
            )
            session.add(row)
            await session.flush()
            return int(row.id)

    async def renew(self, shown: Shown, at: datetime, until: datetime) -> set[int]:
        if not shown:
            return set()
        async with self._write() as session:
            result = await session.execute(
                update(LiveMessageRow)
                .where(
                    LiveMessageRow.id.in_(sorted(shown)),
                    LiveMessageRow.holder == self.holder,
                    LiveMessageRow.lease_until > at,
                )
                .values(lease_until=until)
                .returning(LiveMessageRow.id)
            )
            ours = set(result.scalars())
            await self._record_shown(session, {k: v for k, v in shown.items() if k in ours})
            return ours

    async def _record_shown(self, session: AsyncSession, shown: Shown) -> None:
        if shown:  # one statement, executed for each message (Core: no ORM bulk semantics)
            table = cast(Table, LiveMessageRow.__table__)
            connection = await session.connection()
            await connection.execute(
                update(table)
                .where(table.c.id == bindparam("lease_id"), table.c.holder == self.holder)
                .values(last_text=bindparam("text"), last_edit_at=bindparam("at")),
                [{"lease_id": k, "text": text, "at": at} for k, (text, at) in sorted(shown.items())],
            )

    async def take_over(self, platforms: Sequence[str], at: datetime, until: datetime) -> list[LeasedMessage]:
        if not platforms:
            return []
        async with self._write() as session:
            run_out = select(LiveMessageRow.id).where(
                LiveMessageRow.lease_until <= at, LiveMessageRow.platform.in_(platforms)
            )
            ids = sorted((await session.execute(run_out)).scalars())
            if not ids:
                return []
            # The lease is checked again in the UPDATE: of two processes taking over at once, the
            # second finds it taken (PostgreSQL re-reads the row once the first one's lock is gone).
            result = await session.execute(
                update(LiveMessageRow)
                .where(LiveMessageRow.id.in_(ids), LiveMessageRow.lease_until <= at)
                .values(holder=self.holder, lease_until=until)
                .returning(
                    LiveMessageRow.id,
                    LiveMessageRow.round_id,
                    LiveMessageRow.platform,
                    LiveMessageRow.chat_id,
                    LiveMessageRow.workspace,
                    LiveMessageRow.thread_id,
                    LiveMessageRow.message_id,
                    LiveMessageRow.language,
                    LiveMessageRow.last_text,
                    LiveMessageRow.last_edit_at,
                )
            )
            return [_leased(row) for row in result.all()]

    async def release(self, shown: Shown, at: datetime) -> None:
        if not shown:
            return
        async with self._write() as session:
            await self._record_shown(session, shown)
            await session.execute(
                update(LiveMessageRow)
                .where(LiveMessageRow.id.in_(sorted(shown)), LiveMessageRow.holder == self.holder)
                .values(lease_until=at)
            )

    async def end(self, lease_id: int) -> None:
        async with self._write() as session:
            await session.execute(delete(LiveMessageRow).where(LiveMessageRow.id == lease_id))


def _leased(row: Any) -> LeasedMessage:
    chat = ChatRef(row.platform, row.chat_id, workspace=row.workspace, thread_id=row.thread_id)
    edited = row.last_edit_at
    edited = edited if edited.tzinfo else edited.replace(tzinfo=UTC)  # SQLite gives naive UTC
    return LeasedMessage(
        row.id, row.round_id, MessageRef(chat, row.message_id), row.language, row.last_text, edited
    )
