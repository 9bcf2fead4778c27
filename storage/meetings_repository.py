"""Persistence of signatories, contacts, meetings, reminder deliveries and RSVPs.

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
stops cleanly releases the claims it has not started sending.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from facilitation.meetings import (
    Contact,
    Meeting,
    MeetingsConfig,
    ReminderDue,
    Rsvp,
    RsvpTally,
    delivery_key,
)
from facilitation.model import Language
from storage.meetings_models import (
    CLAIMED,
    FAILED,
    FILE,
    PENDING,
    SENT,
    SKIPPED,
    STATUSES,
    ContactRow,
    DeliveryRow,
    ForgottenContactRow,
    MeetingRow,
    RsvpRow,
    SignatoryRow,
)
from storage.transactions import Transactions

OPTED_OUT = "opted_out"
GONE_ERROR = "ChatGone"  # how deliveries.last_error starts for a chat that is gone for good
_CHUNK = 500
_Managed = TypeVar("_Managed", SignatoryRow, ContactRow)  # rows added with the CLI or in a chat


def _utc(value: datetime) -> datetime:
    """Aware UTC for writing (SQLite drops the offset, so everything stored is UTC)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()}")
    return value.astimezone(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None


@dataclass(frozen=True)
class StoredContact:
    """A contact row; ``active`` is false when the contact or its signatory was deactivated."""

    id: int
    process_key: str
    signatory_key: str
    signatory_name: str
    contact: Contact
    active: bool = True
    source: str = FILE


@dataclass(frozen=True)
class Unreachable:
    """A contact whose chat is gone for good, why (a ``GoneReason`` value) and when it was last tried."""

    contact: StoredContact
    reason: str
    since: datetime | None


def _gone_reason(error: str) -> str:
    """``ChatGone (blocked)`` → ``blocked``: the reason :func:`bot.meetings_runner.failure_reason` kept."""
    match = re.match(rf"{GONE_ERROR} \((\w+)\)", error)
    return match.group(1) if match else "not_found"


@dataclass(frozen=True)
class StoredMeeting:
    id: int
    meeting: Meeting
    active: bool = True


@dataclass(frozen=True)
class SignatoryInfo:
    process_key: str
    key: str
    name: str
    contacts: int
    active: bool
    id: int = 0
    source: str = FILE


class ManagementError(Exception):
    """A signatory or contact change that was refused; nothing was changed."""


class UnknownSignatory(ManagementError):
    def __init__(self, process_key: str, key: str) -> None:
        super().__init__(f"no active signatory {key!r} in process {process_key!r}")
        self.process_key, self.key = process_key, key


class UnknownContact(ManagementError):
    def __init__(self, process_key: str, key: str) -> None:
        super().__init__(f"no contact {key!r} in process {process_key!r}")
        self.process_key, self.key = process_key, key


class DuplicateKey(ManagementError):
    def __init__(self, what: str, process_key: str, key: str) -> None:
        super().__init__(f"{what} {key!r} already exists in process {process_key!r}")
        self.what, self.process_key, self.key = what, process_key, key


class ManagedByFile(ManagementError):
    """File rows follow the TOML import: removing one elsewhere would be undone by the next import."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} {key!r} comes from the configuration file: remove it there and import again")
        self.what, self.key = what, key


@dataclass(frozen=True)
class Claimed:
    """A delivery row (as claimed): what to send to whom."""

    id: int
    delivery_key: str
    meeting_id: int
    contact_id: int
    occurrence: datetime
    offset: timedelta
    due_at: datetime
    next_due_at: datetime | None
    attempts: int
    status: str = CLAIMED
    file_sent_at: datetime | None = None  # the calendar file of this reminder was accepted then


@dataclass(frozen=True)
class ImportResult:
    process_key: str
    signatories: int
    contacts: int
    meetings: int
    deactivated: int
    skipped_forgotten: int


def _contact(row: ContactRow) -> Contact:
    return Contact(row.key, row.name, row.platform, row.address, row.workspace,  # type: ignore[arg-type]
                   Language(row.language), row.opted_out)


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(
        key=row.key, process_key=row.process_key, title=row.title, start=_aware(row.start_at),  # type: ignore[arg-type]
        duration=timedelta(seconds=row.duration_s), place=row.place, link=row.link, agenda=row.agenda,
        rrule=row.rrule, reminder_offsets=tuple(timedelta(seconds=s) for s in row.offsets_s),
    )


def _claimed(row: object) -> Claimed:
    return Claimed(
        id=row.id, delivery_key=row.delivery_key, meeting_id=row.meeting_id,  # type: ignore[attr-defined]
        contact_id=row.contact_id, occurrence=_aware(row.occurrence_at),  # type: ignore[attr-defined]
        offset=timedelta(seconds=row.offset_s), due_at=_aware(row.due_at),  # type: ignore[attr-defined]
        next_due_at=_aware(row.next_due_at), attempts=row.attempts,  # type: ignore[attr-defined]
        status=row.status, file_sent_at=_aware(row.file_sent_at),  # type: ignore[attr-defined]
    )


_CLAIM_COLUMNS = (
    DeliveryRow.id, DeliveryRow.delivery_key, DeliveryRow.meeting_id, DeliveryRow.contact_id,
    DeliveryRow.occurrence_at, DeliveryRow.offset_s, DeliveryRow.due_at, DeliveryRow.next_due_at,
    DeliveryRow.attempts, DeliveryRow.status, DeliveryRow.file_sent_at,
)


class MeetingStore(Transactions):
    """Meetings persistence on an async SQLAlchemy engine (PostgreSQL or SQLite).

    ``write_lock`` is accepted for callers that pass the workshop store's lock; repositories on
    one engine share it anyway (see :class:`storage.transactions.Transactions`).
    """

    def __init__(self, engine: AsyncEngine, *, write_lock: asyncio.Lock | None = None) -> None:
        super().__init__(engine)
        if write_lock is not None and self._sqlite:
            self._write_lock = write_lock

    # --- configuration -------------------------------------------------------------------
    async def import_config(
        self, config: MeetingsConfig, *, tombstone_of: Callable[[Contact], str] | None = None,
    ) -> ImportResult:
        """Upsert the process's signatories, contacts and meetings by key; deactivate the rest.

        The file manages only what came from a file (``source = "file"``): signatories and
        contacts added with the CLI or registered in a chat are neither updated nor deactivated
        here, unless the file now names the same key, in which case the file takes them over.
        A contact's own opt-out survives a re-import (``opted_out`` only ever turns on here, also
        when the file gives the same person a new key); a contact who asked to be forgotten
        (tombstone) is not re-created.
        """
        process = config.process_key
        skipped = 0
        async with self._write() as session:
            forgotten: set[str] = set()
            if tombstone_of is not None:
                forgotten = set((await session.execute(select(ForgottenContactRow.tombstone))).scalars())
            opted_out = await self._opted_out_addresses(session, process)
            signatory_ids: dict[str, int] = {}
            for signatory in config.signatories:
                insert = self._insert(SignatoryRow).values(process_key=process, key=signatory.key,
                                                           name=signatory.name, active=True, source=FILE)
                statement = insert.on_conflict_do_update(
                    index_elements=["process_key", "key"],
                    set_={"name": insert.excluded.name, "active": True, "source": FILE},
                ).returning(SignatoryRow.id)
                signatory_ids[signatory.key] = (await session.execute(statement)).scalar_one()
            contact_keys: list[str] = []
            for signatory in config.signatories:
                for contact in signatory.contacts:
                    if tombstone_of is not None and tombstone_of(contact) in forgotten:
                        skipped += 1
                        continue
                    contact_keys.append(contact.key)
                    insert = self._insert(ContactRow).values(
                        signatory_id=signatory_ids[signatory.key], process_key=process, key=contact.key,
                        name=contact.name, platform=contact.platform, address=contact.address,
                        workspace=contact.workspace, language=contact.language.value,
                        opted_out=contact.opted_out or (contact.platform, contact.address) in opted_out,
                        active=True, source=FILE,
                    )
                    await session.execute(insert.on_conflict_do_update(
                        index_elements=["process_key", "key"],
                        set_={
                            "signatory_id": insert.excluded.signatory_id, "name": insert.excluded.name,
                            "platform": insert.excluded.platform, "address": insert.excluded.address,
                            "workspace": insert.excluded.workspace, "language": insert.excluded.language,
                            "opted_out": or_(ContactRow.opted_out, insert.excluded.opted_out),
                            "active": True, "source": FILE,
                        },
                    ))
            meeting_keys: list[str] = []
            for meeting in config.meetings:
                meeting_keys.append(meeting.key)
                values = {
                    "title": meeting.title, "start_at": _utc(meeting.start),
                    "duration_s": int(meeting.duration.total_seconds()), "place": meeting.place,
                    "link": meeting.link, "agenda": meeting.agenda, "rrule": meeting.rrule,
                    "offsets_s": [int(o.total_seconds()) for o in meeting.reminder_offsets], "active": True,
                }
                insert = self._insert(MeetingRow).values(process_key=process, key=meeting.key, **values)
                await session.execute(insert.on_conflict_do_update(
                    index_elements=["process_key", "key"], set_={k: insert.excluded[k] for k in values}))
            deactivated = 0
            for table, keys in ((ContactRow, contact_keys), (SignatoryRow, list(signatory_ids)),
                                (MeetingRow, meeting_keys)):
                from_file = table.source == FILE if table is not MeetingRow else True
                result = await session.execute(
                    update(table).where(table.process_key == process, table.active.is_(True), from_file,
                                        table.key.not_in(keys) if keys else True).values(active=False))
                if table is ContactRow:
                    deactivated = result.rowcount or 0
        return ImportResult(process, len(config.signatories), len(contact_keys), len(config.meetings),
                            deactivated, skipped)

    @staticmethod
    async def _opted_out_addresses(session: AsyncSession, process: str) -> set[tuple[str, str]]:
        """(platform, address) of the process's opted-out contacts, whatever their key."""
        rows = await session.execute(select(ContactRow.platform, ContactRow.address).where(
            ContactRow.process_key == process, ContactRow.opted_out.is_(True)))
        return {(platform, address) for platform, address in rows}

    async def meetings(self, *, active_only: bool = True, ids: Iterable[int] | None = None) -> list[StoredMeeting]:
        query = select(MeetingRow).order_by(MeetingRow.process_key, MeetingRow.key)
        if active_only:
            query = query.where(MeetingRow.active.is_(True))
        if ids is not None:
            query = query.where(MeetingRow.id.in_(list(ids)))
        async with self._read() as session:
            return [StoredMeeting(r.id, _meeting(r), r.active) for r in (await session.execute(query)).scalars()]

    async def meeting(self, meeting_id: int) -> StoredMeeting | None:
        found = await self.meetings(active_only=False, ids=[meeting_id])
        return found[0] if found else None

    async def contacts(
        self, process_key: str | None = None, *, active_only: bool = True, ids: Iterable[int] | None = None,
        platform: str | None = None, address: str | None = None,
    ) -> list[StoredContact]:
        query = (select(ContactRow, SignatoryRow.key, SignatoryRow.name, SignatoryRow.active)
                 .join(SignatoryRow, SignatoryRow.id == ContactRow.signatory_id)
                 .order_by(ContactRow.process_key, ContactRow.key))
        if process_key is not None:
            query = query.where(ContactRow.process_key == process_key)
        if active_only:  # a contact of a signatory that left the agreement gets no reminders
            query = query.where(ContactRow.active.is_(True), SignatoryRow.active.is_(True))
        if ids is not None:
            query = query.where(ContactRow.id.in_(list(ids)))
        if platform is not None:
            query = query.where(ContactRow.platform == platform)
        if address is not None:
            query = query.where(ContactRow.address == address)
        async with self._read() as session:
            rows = (await session.execute(query)).all()
        return [StoredContact(r.id, r.process_key, skey, sname, _contact(r), r.active and sactive, r.source)
                for r, skey, sname, sactive in rows]

    async def signatories(self, process_key: str | None = None, *, ids: Iterable[int] | None = None,
                          key: str | None = None) -> list[SignatoryInfo]:
        """Signatories with their number of active contacts (who get reminders)."""
        active_contacts = func.count(ContactRow.id).filter(ContactRow.active.is_(True))
        query = (select(SignatoryRow, active_contacts)
                 .outerjoin(ContactRow, ContactRow.signatory_id == SignatoryRow.id)
                 .group_by(SignatoryRow.id).order_by(SignatoryRow.process_key, SignatoryRow.key))
        if process_key is not None:
            query = query.where(SignatoryRow.process_key == process_key)
        if ids is not None:
            query = query.where(SignatoryRow.id.in_(list(ids)))
        if key is not None:
            query = query.where(SignatoryRow.key == key)
        async with self._read() as session:
            rows = (await session.execute(query)).all()
        return [SignatoryInfo(r.process_key, r.key, r.name, int(n), r.active, r.id, r.source) for r, n in rows]

    async def signatory(self, process_key: str, key: str) -> SignatoryInfo | None:
        found = await self.signatories(process_key, key=key)
        return found[0] if found else None

    async def signatory_by_id(self, signatory_id: int) -> SignatoryInfo | None:
        found = await self.signatories(ids=[signatory_id])
        return found[0] if found else None

    async def process_keys(self) -> set[str]:
        """Processes that have signatories or meetings in the database."""
        async with self._read() as session:
            keys = set((await session.execute(select(SignatoryRow.process_key).distinct())).scalars())
            keys.update((await session.execute(select(MeetingRow.process_key).distinct())).scalars())
        return keys

    # --- management from the CLI and chats ----------------------------------------------
    async def add_signatory(self, process_key: str, key: str, name: str, source: str) -> SignatoryInfo:
        """Add a signatory; :class:`DuplicateKey` if the process already has ``key`` (also inactive)."""
        async with self._write() as session:
            statement = (self._insert(SignatoryRow)
                         .values(process_key=process_key, key=key, name=name, active=True, source=source)
                         .on_conflict_do_nothing(index_elements=["process_key", "key"])
                         .returning(SignatoryRow.id))
            signatory_id = (await session.execute(statement)).scalar()
        if signatory_id is None:
            raise DuplicateKey("signatory", process_key, key)
        return SignatoryInfo(process_key, key, name, 0, True, signatory_id, source)

    async def remove_signatory(self, process_key: str, key: str) -> int:
        """Delete a CLI/chat signatory with its contacts and their history; returns the contacts removed."""
        async with self._write() as session:
            row = await self._removable(session, SignatoryRow, process_key, key)
            contact_ids = list((await session.execute(
                select(ContactRow.id).where(ContactRow.signatory_id == row.id))).scalars())
            await self._delete_contacts(session, contact_ids)
            await session.execute(delete(SignatoryRow).where(SignatoryRow.id == row.id))
        return len(contact_ids)

    async def add_contact(self, process_key: str, signatory_key: str, contact: Contact,
                          source: str) -> tuple[StoredContact, bool]:
        """Add a contact to an active signatory; ``(contact, created)``.

        The same person (platform, address, workspace) already under that signatory is not
        added twice: their row is returned (reactivated if needed) with ``created`` False, so
        registering twice is harmless. Another person with the same key is a :class:`DuplicateKey`.
        """
        async with self._write() as session:
            signatory = (await session.execute(select(SignatoryRow).where(
                SignatoryRow.process_key == process_key, SignatoryRow.key == signatory_key,
                SignatoryRow.active.is_(True)))).scalar()
            if signatory is None:
                raise UnknownSignatory(process_key, signatory_key)
            existing = (await session.execute(select(ContactRow).where(
                ContactRow.signatory_id == signatory.id, ContactRow.platform == contact.platform,
                ContactRow.address == contact.address,
                ContactRow.workspace.is_(None) if contact.workspace is None
                else ContactRow.workspace == contact.workspace))).scalar()
            if existing is not None:
                existing.active = True
                stored = StoredContact(existing.id, process_key, signatory.key, signatory.name,
                                       _contact(existing), True, existing.source)
                return stored, False
            statement = (self._insert(ContactRow).values(
                signatory_id=signatory.id, process_key=process_key, key=contact.key, name=contact.name,
                platform=contact.platform, address=contact.address, workspace=contact.workspace,
                language=contact.language.value, opted_out=contact.opted_out, active=True, source=source,
            ).on_conflict_do_nothing(index_elements=["process_key", "key"]).returning(ContactRow.id))
            contact_id = (await session.execute(statement)).scalar()
        if contact_id is None:
            raise DuplicateKey("contact", process_key, contact.key)
        return StoredContact(contact_id, process_key, signatory.key, signatory.name, contact, True, source), True

    async def remove_contact(self, process_key: str, key: str) -> None:
        """Delete a CLI/chat contact with its RSVPs and reminder history (no tombstone: an admin's act)."""
        async with self._write() as session:
            row = await self._removable(session, ContactRow, process_key, key)
            await self._delete_contacts(session, [row.id])

    @staticmethod
    async def _removable(session: AsyncSession, table: type[_Managed], process_key: str, key: str) -> _Managed:
        """The signatory or contact row to remove: it must exist and not come from the TOML file."""
        row = (await session.execute(select(table).where(table.process_key == process_key,
                                                         table.key == key))).scalar()
        what, unknown = ("signatory", UnknownSignatory) if table is SignatoryRow else ("contact", UnknownContact)
        if row is None:
            raise unknown(process_key, key)
        if row.source == FILE:
            raise ManagedByFile(what, key)
        return row

    @staticmethod
    async def _delete_contacts(session: AsyncSession, contact_ids: list[int]) -> int:
        removed = 0
        if contact_ids:
            for statement in (delete(RsvpRow).where(RsvpRow.contact_id.in_(contact_ids)),
                              delete(DeliveryRow).where(DeliveryRow.contact_id.in_(contact_ids)),
                              delete(ContactRow).where(ContactRow.id.in_(contact_ids))):
                removed += (await session.execute(statement)).rowcount or 0
        return removed

    # --- planning and claiming ----------------------------------------------------------
    async def plan(
        self, dues: Sequence[ReminderDue], meeting_ids: dict[tuple[str, str], int] | None = None,
        contact_ids: dict[tuple[str, str], int] | None = None,
    ) -> int:
        """Insert a pending row per reminder unless its delivery key exists; returns rows inserted."""
        if not dues:
            return 0
        if meeting_ids is None:
            meeting_ids = {(m.meeting.process_key, m.meeting.key): m.id for m in await self.meetings()}
        if contact_ids is None:
            contact_ids = {(c.process_key, c.contact.key): c.id for c in await self.contacts()}
        rows = []
        for due in dues:
            meeting_id = meeting_ids.get((due.process_key, due.meeting_key))
            contact_id = contact_ids.get((due.process_key, due.contact_key))
            if meeting_id is None or contact_id is None:
                continue
            rows.append({
                "delivery_key": delivery_key(due), "meeting_id": meeting_id, "contact_id": contact_id,
                "occurrence_at": _utc(due.occurrence), "offset_s": int(due.offset.total_seconds()),
                "due_at": _utc(due.due_at),
                "next_due_at": _utc(due.next_due_at) if due.next_due_at is not None else None,
                "status": PENDING, "attempts": 0,
            })
        inserted = 0
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start:start + _CHUNK]
            async with self._write() as session:
                statement = (self._insert(DeliveryRow).values(chunk)
                             .on_conflict_do_nothing(index_elements=["delivery_key"])
                             .returning(DeliveryRow.id))
                inserted += len((await session.execute(statement)).all())
        return inserted

    async def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` already have a delivery row."""
        wanted = list(keys)
        found: set[str] = set()
        async with self._read() as session:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                rows = await session.execute(select(DeliveryRow.delivery_key).where(DeliveryRow.delivery_key.in_(chunk)))
                found.update(rows.scalars())
        return found

    def _claimable(self, now: datetime, lease: timedelta, abandoned: Sequence[str] = ()) -> object:
        now = _utc(now)
        ours_no_longer = or_(DeliveryRow.claimed_at < now - lease, DeliveryRow.claimed_by.in_(abandoned))
        return or_(
            and_(DeliveryRow.status == PENDING, DeliveryRow.due_at <= now),
            and_(DeliveryRow.status == FAILED, DeliveryRow.retry_at.is_not(None), DeliveryRow.retry_at <= now),
            and_(DeliveryRow.status == CLAIMED, ours_no_longer),
        )

    async def claim(
        self, worker_id: str, now: datetime, limit: int = 100, lease: timedelta = timedelta(minutes=10),
        platforms: Iterable[str] | None = None, abandoned: Sequence[str] = (),
    ) -> list[Claimed]:
        """Claim up to ``limit`` due rows (oldest due first) for ``worker_id``; see the module docstring.

        ``abandoned``: dispatchers known to have ended (a process on this host that died), whose
        claims are taken over at once instead of after their lease.
        """
        candidates = select(DeliveryRow.id).where(self._claimable(now, lease, abandoned))
        if platforms is not None:
            served = select(ContactRow.id).where(ContactRow.platform.in_(list(platforms)))
            candidates = candidates.where(DeliveryRow.contact_id.in_(served))
        candidates = candidates.order_by(DeliveryRow.due_at, DeliveryRow.id).limit(limit)
        if not self._sqlite:
            candidates = candidates.with_for_update(skip_locked=True, of=DeliveryRow)
        statement = (
            update(DeliveryRow).where(DeliveryRow.id.in_(candidates.scalar_subquery()))
            .values(status=CLAIMED, claimed_by=worker_id, claimed_at=_utc(now), attempts=DeliveryRow.attempts + 1,
                    retry_at=None)
            .returning(*_CLAIM_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        async with self._write() as session:
            rows = (await session.execute(statement)).all()
        return sorted((_claimed(r) for r in rows), key=lambda c: (c.due_at, c.id))

    async def release(self, worker_id: str, ids: Iterable[int]) -> int:
        """Give back claimed rows this worker has not started sending (clean shutdown)."""
        wanted = list(ids)
        if not wanted:
            return 0
        async with self._write() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(wanted), DeliveryRow.status == CLAIMED, DeliveryRow.claimed_by == worker_id)
                .values(status=PENDING, claimed_by=None, claimed_at=None, attempts=DeliveryRow.attempts - 1))
            return result.rowcount or 0

    async def mark_sent(self, delivery_id: int, at: datetime, worker_id: str | None = None) -> bool:
        """Record a send; False if the row was no longer claimed by ``worker_id`` (lease taken over).

        Run again after a lost answer (a database outage), it finds its own record and says True.
        """
        values = {"status": SENT, "sent_at": _utc(at), "last_error": None, "retry_at": None}
        mine = [DeliveryRow.claimed_by == worker_id] if worker_id else []
        async with self._write() as session:
            result = await session.execute(update(DeliveryRow).where(
                DeliveryRow.id == delivery_id, DeliveryRow.status == CLAIMED, *mine).values(**values)
                .returning(DeliveryRow.id))
            if result.first() is not None:
                return True
            if worker_id and (await session.execute(select(DeliveryRow.id).where(
                    DeliveryRow.id == delivery_id, DeliveryRow.status == SENT, *mine))).first() is not None:
                return True
            await session.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))
            return False

    async def mark_file_sent(self, delivery_id: int, at: datetime) -> None:
        """Record that the reminder's calendar file was accepted. Whoever holds the row now: the
        file reached the contact, so no dispatcher that takes the row over may send it again."""
        async with self._write() as session:
            await session.execute(update(DeliveryRow).where(
                DeliveryRow.id == delivery_id, DeliveryRow.file_sent_at.is_(None)).values(file_sent_at=_utc(at)))

    async def renew(self, delivery_id: int, worker_id: str, now: datetime) -> bool:
        """Right before a send: True if the row is still claimed by ``worker_id`` (lease restarted).

        False means another dispatcher took the row over after the lease ran out; the caller
        must not send it. One conditional UPDATE, so it is atomic against a concurrent claim.
        """
        async with self._write() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.status == CLAIMED,
                       DeliveryRow.claimed_by == worker_id)
                .values(claimed_at=_utc(now)).returning(DeliveryRow.id))
            return result.first() is not None

    @staticmethod
    def _still_ours(delivery_id: int, worker_id: str | None) -> list[object]:
        """Row conditions: not sent, and (for a dispatcher) still claimed by ``worker_id``."""
        if worker_id is None:
            return [DeliveryRow.id == delivery_id, DeliveryRow.status != SENT]
        return [DeliveryRow.id == delivery_id, DeliveryRow.status == CLAIMED, DeliveryRow.claimed_by == worker_id]

    async def mark_skipped(self, delivery_id: int, reason: str, worker_id: str | None = None) -> None:
        async with self._write() as session:
            await session.execute(update(DeliveryRow).where(*self._still_ours(delivery_id, worker_id))
                                  .values(status=SKIPPED, last_error=reason[:500], retry_at=None))

    async def mark_failed(self, delivery_id: int, error: str, retry_at: datetime | None,
                          worker_id: str | None = None, *, counts: bool = True) -> None:
        """A failed send: retried at ``retry_at``, or given up when it is None.

        ``counts=False`` (the platform only asked to slow down) gives back the attempt the claim
        took, so rate limiting alone never makes a reminder run out of attempts. ``error`` is
        stored as given: callers pass an exception type and a short reason, never a platform's
        message (which may quote a chat id).
        """
        values: dict[str, object] = {"status": FAILED, "last_error": error[:500],
                                     "retry_at": _utc(retry_at) if retry_at is not None else None}
        if not counts:
            values["attempts"] = DeliveryRow.attempts - 1
        async with self._write() as session:
            await session.execute(update(DeliveryRow).where(*self._still_ours(delivery_id, worker_id)).values(**values))

    async def gone_before(self, contact_id: int, delivery_id: int) -> bool:
        """Whether the contact's latest other finished reminder also failed because its chat is gone."""
        query = (select(DeliveryRow.last_error)
                 .where(DeliveryRow.contact_id == contact_id, DeliveryRow.id != delivery_id,
                        DeliveryRow.status.in_([SENT, FAILED]), DeliveryRow.retry_at.is_(None))
                 .order_by(DeliveryRow.due_at.desc(), DeliveryRow.id.desc()).limit(1))
        async with self._read() as session:
            last = (await session.execute(query)).scalar()
        return bool(last and last.startswith(GONE_ERROR))

    async def unreachable(self, process_key: str | None = None) -> list[Unreachable]:
        """Active contacts whose latest finished reminder failed because their chat is gone for good.

        ``reminders status`` and ``/osa`` list them: their next reminder is tried once more, but until
        the person adds the bot again (or the contact is changed) they hear of no meeting.
        """
        latest = func.row_number().over(partition_by=DeliveryRow.contact_id,
                                        order_by=(DeliveryRow.due_at.desc(), DeliveryRow.id.desc()))
        finished = (select(DeliveryRow.contact_id, DeliveryRow.status, DeliveryRow.last_error,
                           DeliveryRow.claimed_at, latest.label("n"))
                    .where(DeliveryRow.status.in_([SENT, FAILED]), DeliveryRow.retry_at.is_(None)).subquery())
        query = (select(finished.c.contact_id, finished.c.last_error, finished.c.claimed_at)
                 .where(finished.c.n == 1, finished.c.status == FAILED,
                        finished.c.last_error.startswith(GONE_ERROR)))
        async with self._read() as session:
            gone = {row.contact_id: row for row in (await session.execute(query)).all()}
        contacts = await self.contacts(process_key, ids=gone) if gone else []
        return [Unreachable(c, _gone_reason(gone[c.id].last_error), _aware(gone[c.id].claimed_at)) for c in contacts]

    async def move_contact(self, contact_id: int, address: str) -> None:
        """The contact's chat has a new id (a Telegram group upgraded to a supergroup)."""
        async with self._write() as session:
            await session.execute(update(ContactRow).where(ContactRow.id == contact_id).values(address=address))

    async def claimers(self) -> set[str]:
        """The dispatchers holding claims now."""
        async with self._read() as session:
            return set((await session.execute(select(DeliveryRow.claimed_by).distinct().where(
                DeliveryRow.status == CLAIMED, DeliveryRow.claimed_by.is_not(None)))).scalars())

    async def claimed_by(self, worker_id: str) -> list[Claimed]:
        """The rows ``worker_id`` holds claimed (after an outage: some claims' answers were lost)."""
        query = (select(*_CLAIM_COLUMNS).where(DeliveryRow.status == CLAIMED, DeliveryRow.claimed_by == worker_id)
                 .order_by(DeliveryRow.due_at, DeliveryRow.id))
        async with self._read() as session:
            return [_claimed(r) for r in (await session.execute(query)).all()]

    async def delivery(self, delivery_id: int) -> Claimed | None:
        async with self._read() as session:
            row = (await session.execute(select(*_CLAIM_COLUMNS).where(DeliveryRow.id == delivery_id))).one_or_none()
        return _claimed(row) if row is not None else None

    async def deliveries(self, status: str | None = None) -> list[Claimed]:
        query = select(*_CLAIM_COLUMNS).order_by(DeliveryRow.due_at, DeliveryRow.id)
        if status is not None:
            query = query.where(DeliveryRow.status == status)
        async with self._read() as session:
            return [_claimed(r) for r in (await session.execute(query)).all()]

    async def files_sent_for(self, rows: Sequence[Claimed]) -> set[tuple[int, int, datetime]]:
        """(meeting, contact, occurrence) of ``rows`` whose calendar file a reminder already carried."""
        if not rows:
            return set()
        query = select(DeliveryRow.meeting_id, DeliveryRow.contact_id, DeliveryRow.occurrence_at).where(
            DeliveryRow.file_sent_at.is_not(None), DeliveryRow.contact_id.in_({r.contact_id for r in rows}),
            DeliveryRow.meeting_id.in_({r.meeting_id for r in rows}))
        async with self._read() as session:
            return {(m, c, _aware(o)) for m, c, o in (await session.execute(query)).all()}  # type: ignore[misc]

    async def status_counts(self) -> dict[str, int]:
        async with self._read() as session:
            rows = await session.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status))
            counts = dict.fromkeys(STATUSES, 0)
            counts.update({status: int(n) for status, n in rows})
            return counts

    async def next_due(self, now: datetime | None = None) -> datetime | None:
        """The earliest due time of a pending reminder (after ``now`` if given)."""
        query = select(func.min(DeliveryRow.due_at)).where(DeliveryRow.status == PENDING)
        if now is not None:
            query = query.where(DeliveryRow.due_at > _utc(now))
        async with self._read() as session:
            return _aware((await session.execute(query)).scalar())

    async def due_count(self, now: datetime, lease: timedelta = timedelta(minutes=10),
                        abandoned: Sequence[str] = ()) -> int:
        async with self._read() as session:
            query = select(func.count()).select_from(DeliveryRow).where(self._claimable(now, lease, abandoned))
            return int((await session.execute(query)).scalar_one())

    # --- the contact's own choices ------------------------------------------------------
    async def opt_out(self, contact_ids: Iterable[int]) -> int:
        """Stop reminders: the contacts are marked and their pending reminders skipped."""
        ids = list(contact_ids)
        if not ids:
            return 0
        async with self._write() as session:
            result = await session.execute(update(ContactRow).where(ContactRow.id.in_(ids)).values(opted_out=True))
            await session.execute(update(DeliveryRow).where(DeliveryRow.contact_id.in_(ids),
                                                            DeliveryRow.status.in_([PENDING, FAILED]))
                                  .values(status=SKIPPED, last_error=OPTED_OUT, retry_at=None))
            return result.rowcount or 0

    async def opt_in(self, contact_ids: Iterable[int], now: datetime) -> int:
        """Resume reminders; reminders skipped by the opt-out for meetings still ahead are pending again."""
        ids = list(contact_ids)
        if not ids:
            return 0
        async with self._write() as session:
            result = await session.execute(update(ContactRow).where(ContactRow.id.in_(ids)).values(opted_out=False))
            await session.execute(update(DeliveryRow).where(
                DeliveryRow.contact_id.in_(ids), DeliveryRow.status == SKIPPED, DeliveryRow.last_error == OPTED_OUT,
                DeliveryRow.occurrence_at > _utc(now)).values(status=PENDING, last_error=None))
            return result.rowcount or 0

    async def forget_contact(self, contact_id: int, tombstone: str | None = None, at: datetime | None = None) -> int:
        """Delete a contact with its RSVPs and deliveries; ``tombstone`` keeps a re-import from re-creating it."""
        async with self._write() as session:
            removed = await self._delete_contacts(session, [contact_id])
            if tombstone:
                await session.execute(self._insert(ForgottenContactRow).values(
                    tombstone=tombstone, forgotten_at=_utc(at or datetime.now(UTC)),
                ).on_conflict_do_nothing(index_elements=["tombstone"]))
            return removed

    # --- RSVPs -------------------------------------------------------------------------
    async def set_rsvp(self, meeting_id: int, occurrence: datetime, contact_id: int, answer: Rsvp,
                       at: datetime) -> None:
        async with self._write() as session:
            insert = self._insert(RsvpRow).values(meeting_id=meeting_id, occurrence_at=_utc(occurrence),
                                                  contact_id=contact_id, answer=answer.value, answered_at=_utc(at))
            await session.execute(insert.on_conflict_do_update(
                index_elements=["meeting_id", "occurrence_at", "contact_id"],
                set_={"answer": insert.excluded.answer, "answered_at": insert.excluded.answered_at}))

    async def rsvp(self, meeting_id: int, occurrence: datetime, contact_id: int) -> Rsvp | None:
        async with self._read() as session:
            value = (await session.execute(select(RsvpRow.answer).where(
                RsvpRow.meeting_id == meeting_id, RsvpRow.occurrence_at == _utc(occurrence),
                RsvpRow.contact_id == contact_id))).scalar()
        return Rsvp(value) if value else None

    async def tally(self, meeting_id: int, occurrence: datetime) -> RsvpTally:
        """Counts only; ``invited`` is the process's active, not opted-out contacts of active signatories."""
        async with self._read() as session:
            process = (await session.execute(select(MeetingRow.process_key).where(MeetingRow.id == meeting_id))).scalar()
            answers = (await session.execute(select(RsvpRow.answer).where(
                RsvpRow.meeting_id == meeting_id, RsvpRow.occurrence_at == _utc(occurrence)))).scalars().all()
            invited = int((await session.execute(
                select(func.count()).select_from(ContactRow)
                .join(SignatoryRow, SignatoryRow.id == ContactRow.signatory_id)
                .where(ContactRow.process_key == process, ContactRow.active.is_(True),
                       SignatoryRow.active.is_(True), ContactRow.opted_out.is_(False)))).scalar_one())
        values = [Rsvp(a) for a in answers]
        return RsvpTally.count(values, invited=max(invited, len(values)))


__all__ = [
    "CLAIMED",
    "FAILED",
    "GONE_ERROR",
    "OPTED_OUT",
    "PENDING",
    "SENT",
    "SKIPPED",
    "Claimed",
    "DuplicateKey",
    "ImportResult",
    "ManagedByFile",
    "ManagementError",
    "MeetingStore",
    "SignatoryInfo",
    "StoredContact",
    "StoredMeeting",
    "UnknownContact",
    "UnknownSignatory",
    "Unreachable",
]
