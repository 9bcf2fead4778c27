"""Persistence of signatories, contacts, meetings, reminder deliveries and RSVPs (SQLAlchemy).

:class:`SqlMeetingStore` implements :class:`facilitation.meetings.store.MeetingStore` from three
parts, one per concern: :mod:`storage.meetings_directory` (signatories, contacts, meetings),
:mod:`storage.meetings_deliveries` (the delivery queue) and :mod:`storage.meetings_rsvps`.

The delivery guarantee (each message of a reminder sent once, and the two at-least-once windows
no database can close) is described in :mod:`storage.meetings_deliveries`, which implements it."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.meetings_calendar import SqlCalendarBook
from storage.meetings_deliveries import SqlDeliveryQueue
from storage.meetings_directory import SqlMeetingDirectory
from storage.meetings_rsvps import SqlRsvpBook


class SqlMeetingStore(SqlMeetingDirectory, SqlDeliveryQueue, SqlRsvpBook, SqlCalendarBook):
    """Meetings persistence on an async SQLAlchemy engine (PostgreSQL or SQLite).

    ``write_lock`` is accepted for callers that pass the workshop store's lock; repositories on
    one engine share it anyway (see :class:`storage.transactions.Transactions`).
    """

    def __init__(self, engine: AsyncEngine, *, write_lock: asyncio.Lock | None = None) -> None:
        super().__init__(engine)
        if write_lock is not None and self._sqlite:
            self._write_lock = write_lock


__all__ = ["SqlMeetingStore"]
