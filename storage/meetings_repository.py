"""Persistence of signatories, contacts, meetings, reminder deliveries and RSVPs (SQLAlchemy).

:class:`SqlMeetingStore` implements :class:`facilitation.meetings.store.MeetingStore` from three
parts, one per concern: :mod:`storage.meetings_directory` (signatories, contacts, meetings),
:mod:`storage.meetings_deliveries` (the delivery queue) and :mod:`storage.meetings_rsvps`.

**Delivery guarantee.** Every reminder is one ``deliveries`` row whose ``delivery_key``
(meeting occurrence, contact, offset) is UNIQUE, so planning is idempotent: any number of
dispatchers may plan the same reminders (``INSERT ... ON CONFLICT DO NOTHING``). A dispatcher
*claims* due rows before sending (``pending`` → ``claimed`` with its worker id and the time) in
one statement: on PostgreSQL ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)``, so
concurrent dispatchers never claim the same row and never wait for each other; on SQLite the
single ``UPDATE`` runs under the store's write lock and SQLite's own writer lock.

A claim is a *lease* (10 minutes by default): a claim older than that is claimable again, so a
dispatcher that died mid-fan-out does not lose its reminders. Right before each platform call
the dispatcher runs :meth:`MeetingStore.renew`, a conditional ``UPDATE`` that succeeds only if
the row is still claimed by it and then restarts the lease; if another dispatcher has taken the
row over, nothing is sent. A reminder is two messages, each recorded right after the platform
accepted it: the calendar file (:meth:`MeetingStore.mark_file_sent`, whoever holds the row by
then) and the text (``sent``); a retry or a takeover sends only what is not recorded.

So each message of a reminder is sent once, with exactly two at-least-once windows that no
database can close (no chat platform takes an idempotency key for sending a message):

* a single platform call that takes longer than the lease (the lease was renewed right before
  it, but another dispatcher may take the row over while the call hangs and send it too);
* a process that dies after the platform accepted a message and before its record committed
  (one database write): that message is sent again once the lease expires.

A queue that stalls, a slow fan-out or a long pause between claim and send cannot cause a
duplicate: the renewal before the send finds the row taken over and skips it. A dispatcher that
stops cleanly releases the claims it has not started sending."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.meetings_deliveries import SqlDeliveryQueue
from storage.meetings_directory import SqlMeetingDirectory
from storage.meetings_rsvps import SqlRsvpBook


class SqlMeetingStore(SqlMeetingDirectory, SqlDeliveryQueue, SqlRsvpBook):
    """Meetings persistence on an async SQLAlchemy engine (PostgreSQL or SQLite).

    ``write_lock`` is accepted for callers that pass the workshop store's lock; repositories on
    one engine share it anyway (see :class:`storage.transactions.Transactions`).
    """

    def __init__(self, engine: AsyncEngine, *, write_lock: asyncio.Lock | None = None) -> None:
        super().__init__(engine)
        if write_lock is not None and self._sqlite:
            self._write_lock = write_lock


__all__ = ["SqlMeetingStore"]
