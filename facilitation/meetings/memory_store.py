"""The meetings store in memory: the same contract as the SQL store, for tests and local runs.

Every method runs without awaiting anything in between, so under asyncio each one is atomic,
as each SQL method is one transaction. Times are kept in UTC, as the SQL store keeps them (a
meeting's start comes back in UTC whatever zone it was given in). One process only: the claims
and leases behave as on SQLite, but nothing is shared with another process.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from facilitation.meetings.attendance import organisation_answer
from facilitation.meetings.calendar_book import REMINDER, Notice, OccurrenceState, welcomed_by_mail
from facilitation.meetings.importing import MeetingsConfig
from facilitation.meetings.merging import rekeyed, same_person
from facilitation.meetings.model import Contact, Meeting, OrganisationAnswer, Rsvp, RsvpAnswer, StoredRsvp
from facilitation.meetings.reminders import ReminderDue, delivery_key
from facilitation.meetings.store import (
    CLAIMED,
    FAILED,
    FILE,
    GONE_ERROR,
    OPTED_OUT,
    PENDING,
    SENT,
    SKIPPED,
    STATUSES,
    Claimed,
    DuplicateKey,
    ImportResult,
    ManagedByFile,
    SignatoryInfo,
    StoredContact,
    StoredMeeting,
    UnknownContact,
    UnknownSignatory,
    Unreachable,
    attempt_marks,
    gone_reason,
)

_ERROR_LENGTH = 500  # as deliveries.last_error keeps it


def _utc(value: datetime) -> datetime:
    """Aware UTC (a naive time is refused, as by the SQL store)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()}")
    return value.astimezone(UTC)


@dataclass
class _Signatory:
    id: int
    process_key: str
    key: str
    name: str
    active: bool
    source: str


@dataclass
class _Contact:
    id: int
    signatory_id: int
    process_key: str
    contact: Contact
    active: bool
    source: str
    welcome_pending: bool = False


@dataclass
class _Delivery:
    id: int
    delivery_key: str
    meeting_id: int
    contact_id: int
    occurrence: datetime
    offset: timedelta
    due_at: datetime
    next_due_at: datetime | None
    status: str = PENDING
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    retry_at: datetime | None = None
    file_sent_at: datetime | None = None
    kind: str = REMINDER
    sequence: int | None = None
    number: int | None = None
    file_attempt_at: datetime | None = None
    text_attempt_at: datetime | None = None

    def claimed(self) -> Claimed:
        return Claimed(
            self.id,
            self.delivery_key,
            self.meeting_id,
            self.contact_id,
            self.occurrence,
            self.offset,
            self.due_at,
            self.next_due_at,
            self.attempts,
            self.status,
            self.file_sent_at,
            self.kind,
            self.sequence,
            self.number,
            self.file_attempt_at,
            self.text_attempt_at,
        )

    def order(self) -> tuple[datetime, int]:
        return self.due_at, self.id


class MemoryMeetingStore:
    """:class:`facilitation.meetings.store.MeetingStore` in memory."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._signatories: dict[int, _Signatory] = {}
        self._contacts: dict[int, _Contact] = {}
        self._meetings: dict[int, StoredMeeting] = {}
        self._deliveries: dict[int, _Delivery] = {}
        self._by_key: dict[str, int] = {}  # delivery key → delivery id (the UNIQUE constraint)
        # (meeting, occurrence, contact) → (answer, when, write order)
        self._rsvps: dict[tuple[int, datetime, int], tuple[RsvpAnswer, datetime, int]] = {}
        self._writes = itertools.count(1)
        self._tombstones: set[str] = set()
        self._occurrences: dict[tuple[int, int], OccurrenceState] = {}
        self._copies: set[tuple[int, int, int]] = set()  # (meeting, number, contact)

    # --- the directory -------------------------------------------------------------------
    async def import_config(
        self,
        config: MeetingsConfig,
        *,
        tombstone_of: Callable[[Contact], str] | None = None,
    ) -> ImportResult:
        process = config.process_key
        opted_out = {
            (c.contact.platform, c.contact.address)
            for c in self._contacts.values()
            if c.process_key == process and c.contact.opted_out
        }
        signatory_ids = {s.key: self._upsert_signatory(process, s.key, s.name) for s in config.signatories}
        contact_keys: list[str] = []
        skipped = 0
        for signatory in config.signatories:
            for contact in signatory.contacts:
                if tombstone_of is not None and tombstone_of(contact) in self._tombstones:
                    skipped += 1
                    continue
                contact_keys.append(contact.key)
                stops = contact.opted_out or (contact.platform, contact.address) in opted_out
                self._upsert_contact(process, signatory_ids[signatory.key], contact, stops)
        for meeting in config.meetings:
            self._upsert_meeting(dataclasses.replace(meeting, start=_utc(meeting.start)))
        self._merge_same_persons(process, contact_keys)
        deactivated = self._deactivate(self._contacts.values(), process, contact_keys)
        self._deactivate(self._signatories.values(), process, list(signatory_ids))
        meeting_keys = {m.key for m in config.meetings}
        for stored in list(self._meetings.values()):
            if (
                stored.meeting.process_key == process
                and stored.active
                and stored.meeting.key not in meeting_keys
            ):
                self._meetings[stored.id] = dataclasses.replace(stored, active=False)
        return ImportResult(
            process, len(config.signatories), len(contact_keys), len(config.meetings), deactivated, skipped
        )

    def _merge_same_persons(self, process: str, file_keys: list[str]) -> None:
        """See :mod:`facilitation.meetings.merging`."""
        survivors = [
            c
            for c in self._contacts.values()
            if c.process_key == process and c.source == FILE and c.contact.key in file_keys
        ]
        losers = [c for c in self._contacts.values() if c.process_key == process and c.source != FILE]
        for loser in losers:
            survivor = next(
                (
                    s
                    for s in survivors
                    if s.signatory_id == loser.signatory_id and same_person(s.contact, loser.contact)
                ),
                None,
            )
            if survivor is not None:
                self._merge(loser, survivor)

    def _merge(self, loser: _Contact, survivor: _Contact) -> None:
        for delivery in [d for d in self._deliveries.values() if d.contact_id == loser.id]:
            key = rekeyed(delivery.delivery_key, survivor.contact.key)
            twin_id = self._by_key.get(key)
            del self._by_key[delivery.delivery_key]
            if twin_id is None:
                delivery.contact_id, delivery.delivery_key = survivor.id, key
                self._by_key[key] = delivery.id
                continue
            twin = self._deliveries[twin_id]
            if delivery.status == SENT and twin.status != SENT:
                twin.status, twin.sent_at, twin.last_error, twin.retry_at = SENT, delivery.sent_at, None, None
                twin.claimed_by, twin.claimed_at = delivery.claimed_by, delivery.claimed_at
            if twin.file_sent_at is None and delivery.file_sent_at is not None:
                twin.file_sent_at = delivery.file_sent_at
            del self._deliveries[delivery.id]
        for (meeting_id, occurrence, contact_id), value in list(self._rsvps.items()):
            if contact_id != loser.id:
                continue
            del self._rsvps[(meeting_id, occurrence, contact_id)]
            mine = self._rsvps.get((meeting_id, occurrence, survivor.id))
            if mine is None or (value[1], value[2]) > (mine[1], mine[2]):
                self._rsvps[(meeting_id, occurrence, survivor.id)] = value
        survivor.contact = dataclasses.replace(
            survivor.contact,
            opted_out=survivor.contact.opted_out or loser.contact.opted_out,
            workspace=survivor.contact.workspace or loser.contact.workspace,
        )
        del self._contacts[loser.id]

    def _upsert_signatory(self, process: str, key: str, name: str) -> int:
        row = self._signatory_row(process, key)
        if row is None:
            row = _Signatory(next(self._ids), process, key, name, True, FILE)
            self._signatories[row.id] = row
        row.name, row.active, row.source = name, True, FILE
        return row.id

    def _upsert_contact(self, process: str, signatory_id: int, contact: Contact, opted_out: bool) -> None:
        row = self._contact_row(process, contact.key)
        if row is None:
            row = _Contact(
                next(self._ids), signatory_id, process, contact, True, FILE, welcomed_by_mail(contact)
            )
            self._contacts[row.id] = row
        stops = opted_out or row.contact.opted_out  # an opt-out only ever turns on here
        row.signatory_id, row.active, row.source = signatory_id, True, FILE
        row.contact = dataclasses.replace(contact, opted_out=stops)

    def _upsert_meeting(self, meeting: Meeting) -> None:
        same = (meeting.process_key, meeting.key)
        found = next(
            (s for s in self._meetings.values() if (s.meeting.process_key, s.meeting.key) == same), None
        )
        meeting_id = found.id if found is not None else next(self._ids)
        self._meetings[meeting_id] = StoredMeeting(meeting_id, meeting, True)

    @staticmethod
    def _deactivate(rows: Iterable[_Signatory | _Contact], process: str, keys: list[str]) -> int:
        """File rows of ``process`` not named by the file any more; returns how many."""
        count = 0
        for row in rows:
            key = row.key if isinstance(row, _Signatory) else row.contact.key
            if row.process_key == process and row.active and row.source == FILE and key not in keys:
                row.active = False
                count += 1
        return count

    def _signatory_row(self, process: str, key: str) -> _Signatory | None:
        return next((s for s in self._signatories.values() if (s.process_key, s.key) == (process, key)), None)

    def _contact_row(self, process: str, key: str) -> _Contact | None:
        return next(
            (c for c in self._contacts.values() if (c.process_key, c.contact.key) == (process, key)), None
        )

    async def meetings(
        self, *, active_only: bool = True, ids: Iterable[int] | None = None
    ) -> list[StoredMeeting]:
        wanted = set(ids) if ids is not None else None
        found = [
            m
            for m in self._meetings.values()
            if (m.active or not active_only) and (wanted is None or m.id in wanted)
        ]
        return sorted(found, key=lambda m: (m.meeting.process_key, m.meeting.key))

    async def contacts(
        self,
        process_key: str | None = None,
        *,
        active_only: bool = True,
        ids: Iterable[int] | None = None,
        platform: str | None = None,
        address: str | None = None,
    ) -> list[StoredContact]:
        wanted = set(ids) if ids is not None else None
        found = []
        for row in self._contacts.values():
            signatory = self._signatories[row.signatory_id]
            active = row.active and signatory.active
            if (
                (process_key is not None and row.process_key != process_key)
                or (active_only and not active)
                or (wanted is not None and row.id not in wanted)
                or (platform is not None and row.contact.platform != platform)
                or (address is not None and row.contact.address != address)
            ):
                continue
            found.append(
                StoredContact(
                    row.id, row.process_key, signatory.key, signatory.name, row.contact, active, row.source
                )
            )
        return sorted(found, key=lambda c: (c.process_key, c.contact.key))

    async def signatories(
        self, process_key: str | None = None, *, ids: Iterable[int] | None = None, key: str | None = None
    ) -> list[SignatoryInfo]:
        wanted = set(ids) if ids is not None else None
        found = [
            self._info(s)
            for s in self._signatories.values()
            if (process_key is None or s.process_key == process_key)
            and (wanted is None or s.id in wanted)
            and (key is None or s.key == key)
        ]
        return sorted(found, key=lambda s: (s.process_key, s.key))

    def _info(self, row: _Signatory) -> SignatoryInfo:
        contacts = sum(1 for c in self._contacts.values() if c.signatory_id == row.id and c.active)
        return SignatoryInfo(row.process_key, row.key, row.name, contacts, row.active, row.id, row.source)

    async def signatory(self, process_key: str, key: str) -> SignatoryInfo | None:
        row = self._signatory_row(process_key, key)
        return self._info(row) if row is not None else None

    async def signatory_by_id(self, signatory_id: int) -> SignatoryInfo | None:
        row = self._signatories.get(signatory_id)
        return self._info(row) if row is not None else None

    async def process_keys(self) -> set[str]:
        return {s.process_key for s in self._signatories.values()} | {
            m.meeting.process_key for m in self._meetings.values()
        }

    async def add_signatory(self, process_key: str, key: str, name: str, source: str) -> SignatoryInfo:
        if self._signatory_row(process_key, key) is not None:
            raise DuplicateKey("signatory", process_key, key)
        row = _Signatory(next(self._ids), process_key, key, name, True, source)
        self._signatories[row.id] = row
        return self._info(row)

    async def remove_signatory(self, process_key: str, key: str) -> int:
        row = self._signatory_row(process_key, key)
        if row is None:
            raise UnknownSignatory(process_key, key)
        if row.source == FILE:
            raise ManagedByFile("signatory", key)
        contact_ids = [c.id for c in self._contacts.values() if c.signatory_id == row.id]
        self._delete_contacts(contact_ids)
        del self._signatories[row.id]
        return len(contact_ids)

    async def add_contact(
        self, process_key: str, signatory_key: str, contact: Contact, source: str
    ) -> tuple[StoredContact, bool]:
        signatory = self._signatory_row(process_key, signatory_key)
        if signatory is None or not signatory.active:
            raise UnknownSignatory(process_key, signatory_key)
        for row in self._contacts.values():
            if row.signatory_id == signatory.id and same_person(row.contact, contact):
                row.active = True
                return StoredContact(
                    row.id, process_key, signatory.key, signatory.name, row.contact, True, row.source
                ), False
        if self._contact_row(process_key, contact.key) is not None:
            raise DuplicateKey("contact", process_key, contact.key)
        row = _Contact(
            next(self._ids), signatory.id, process_key, contact, True, source, welcomed_by_mail(contact)
        )
        self._contacts[row.id] = row
        return StoredContact(row.id, process_key, signatory.key, signatory.name, contact, True, source), True

    async def welcomes_pending(self) -> list[StoredContact]:
        ids = [c.id for c in self._contacts.values() if c.welcome_pending]
        return await self.contacts(ids=ids) if ids else []

    async def welcomes_planned(self, contact_ids: Iterable[int]) -> None:
        for contact_id in contact_ids:
            if contact_id in self._contacts:
                self._contacts[contact_id].welcome_pending = False

    async def remove_contact(self, process_key: str, key: str) -> None:
        row = self._contact_row(process_key, key)
        if row is None:
            raise UnknownContact(process_key, key)
        if row.source == FILE:
            raise ManagedByFile("contact", key)
        self._delete_contacts([row.id])

    def _delete_contacts(self, contact_ids: Iterable[int]) -> int:
        ids = set(contact_ids)
        rsvps = [k for k in self._rsvps if k[2] in ids]
        deliveries = [d for d in self._deliveries.values() if d.contact_id in ids]
        for rsvp in rsvps:
            del self._rsvps[rsvp]
        for delivery in deliveries:
            del self._deliveries[delivery.id], self._by_key[delivery.delivery_key]
        self._copies = {copy for copy in self._copies if copy[2] not in ids}
        contacts = [i for i in ids if self._contacts.pop(i, None) is not None]
        return len(rsvps) + len(deliveries) + len(contacts)

    async def move_contact(self, contact_id: int, address: str) -> None:
        row = self._contacts.get(contact_id)
        if row is not None:
            row.contact = dataclasses.replace(row.contact, address=address)

    async def opt_out(self, contact_ids: Iterable[int]) -> int:
        rows = self._set_opted_out(contact_ids, True)
        for delivery in self._deliveries.values():
            if delivery.contact_id in rows and delivery.status in (PENDING, FAILED):
                delivery.status, delivery.last_error, delivery.retry_at = SKIPPED, OPTED_OUT, None
        return len(rows)

    async def opt_in(self, contact_ids: Iterable[int], now: datetime) -> int:
        rows = self._set_opted_out(contact_ids, False)
        for delivery in self._deliveries.values():
            if (
                delivery.contact_id in rows
                and delivery.status == SKIPPED
                and delivery.last_error == OPTED_OUT
                and delivery.occurrence > _utc(now)
            ):
                delivery.status, delivery.last_error = PENDING, None
        return len(rows)

    def _set_opted_out(self, contact_ids: Iterable[int], value: bool) -> set[int]:
        rows = {i for i in contact_ids if i in self._contacts}
        for contact_id in rows:
            row = self._contacts[contact_id]
            row.contact = dataclasses.replace(row.contact, opted_out=value)
        return rows

    async def forget_contact(
        self, contact_id: int, tombstone: str | None = None, at: datetime | None = None
    ) -> int:
        removed = self._delete_contacts([contact_id])
        if tombstone:
            self._tombstones.add(tombstone)
        return removed

    # --- the delivery queue ----------------------------------------------------------------
    async def plan(
        self,
        dues: Sequence[ReminderDue],
        meeting_ids: Mapping[tuple[str, str], int],
        contact_ids: Mapping[tuple[str, str], int],
    ) -> int:
        inserted = 0
        for due in dues:
            meeting_id = meeting_ids.get((due.process_key, due.meeting_key))
            contact_id = contact_ids.get((due.process_key, due.contact_key))
            key = delivery_key(due)
            if meeting_id is None or contact_id is None or key in self._by_key:
                continue
            row = _Delivery(
                next(self._ids),
                key,
                meeting_id,
                contact_id,
                _utc(due.occurrence),
                timedelta(seconds=int(due.offset.total_seconds())),
                _utc(due.due_at),
                _utc(due.next_due_at) if due.next_due_at is not None else None,
            )
            self._deliveries[row.id] = row
            self._by_key[key] = row.id
            inserted += 1
        return inserted

    @staticmethod
    def _claimable(row: _Delivery, now: datetime, lease: timedelta, abandoned: Sequence[str]) -> bool:
        if row.status == PENDING:
            return row.due_at <= now
        if row.status == FAILED:
            return row.retry_at is not None and row.retry_at <= now
        if row.status == CLAIMED:
            expired = row.claimed_at is not None and row.claimed_at < now - lease
            return expired or row.claimed_by in abandoned
        return False

    async def claim(
        self,
        worker_id: str,
        now: datetime,
        limit: int = 100,
        lease: timedelta = timedelta(minutes=10),
        platforms: Iterable[str] | None = None,
        abandoned: Sequence[str] = (),
    ) -> list[Claimed]:
        now = _utc(now)
        served = set(platforms) if platforms is not None else None
        due = [
            row
            for row in self._deliveries.values()
            if self._claimable(row, now, lease, abandoned)
            and (
                served is None
                or (
                    row.contact_id in self._contacts
                    and self._contacts[row.contact_id].contact.platform in served
                )
            )
        ]
        claimed = []
        for row in sorted(due, key=_Delivery.order)[:limit]:
            row.status, row.claimed_by, row.claimed_at, row.retry_at = CLAIMED, worker_id, now, None
            row.attempts += 1
            claimed.append(row.claimed())
        return claimed

    async def release(self, worker_id: str, ids: Iterable[int]) -> int:
        released = 0
        for row in self._rows(ids):
            if row.status == CLAIMED and row.claimed_by == worker_id:
                row.status, row.claimed_by, row.claimed_at = PENDING, None, None
                row.attempts -= 1
                released += 1
        return released

    def _rows(self, ids: Iterable[int]) -> list[_Delivery]:
        return [self._deliveries[i] for i in set(ids) if i in self._deliveries]

    async def renew(self, delivery_id: int, worker_id: str, now: datetime, part: str | None = None) -> bool:
        row = self._deliveries.get(delivery_id)
        if row is None or row.status != CLAIMED or row.claimed_by != worker_id:
            return False
        row.claimed_at = _utc(now)
        for mark in attempt_marks(part):
            setattr(row, mark, _utc(now))
        return True

    async def mark_sent(
        self, delivery_id: int, at: datetime, worker_id: str | None = None, *, with_file: bool = False
    ) -> bool:
        row = self._deliveries.get(delivery_id)
        if row is None:
            return False
        mine = not worker_id or row.claimed_by == worker_id
        if worker_id and row.status == SENT and mine:
            return True  # run again after a lost answer: our own record
        ours = row.status == CLAIMED and mine
        row.status, row.sent_at, row.last_error, row.retry_at = SENT, _utc(at), None, None
        if with_file and row.file_sent_at is None:
            row.file_sent_at = _utc(at)
        return ours

    async def mark_file_sent(self, delivery_id: int, at: datetime) -> None:
        row = self._deliveries.get(delivery_id)
        if row is not None and row.file_sent_at is None:
            row.file_sent_at = _utc(at)

    def _still_ours(self, delivery_id: int, worker_id: str | None) -> _Delivery | None:
        """The row if it is not sent and (for a dispatcher) still claimed by ``worker_id``."""
        row = self._deliveries.get(delivery_id)
        if row is None:
            return None
        if worker_id is None:
            return row if row.status != SENT else None
        return row if row.status == CLAIMED and row.claimed_by == worker_id else None

    async def mark_skipped(self, delivery_id: int, reason: str, worker_id: str | None = None) -> None:
        row = self._still_ours(delivery_id, worker_id)
        if row is not None:
            row.status, row.last_error, row.retry_at = SKIPPED, reason[:_ERROR_LENGTH], None

    async def mark_failed(
        self,
        delivery_id: int,
        error: str,
        retry_at: datetime | None,
        worker_id: str | None = None,
        *,
        counts: bool = True,
    ) -> None:
        row = self._still_ours(delivery_id, worker_id)
        if row is None:
            return
        row.status, row.last_error = FAILED, error[:_ERROR_LENGTH]
        row.retry_at = _utc(retry_at) if retry_at is not None else None
        if not counts:
            row.attempts -= 1

    def _finished(self) -> list[_Delivery]:
        """Sent or given-up deliveries, newest due first."""
        rows = [d for d in self._deliveries.values() if d.status in (SENT, FAILED) and d.retry_at is None]
        return sorted(rows, key=_Delivery.order, reverse=True)

    async def gone_before(self, contact_id: int, delivery_id: int) -> bool:
        last = next((d for d in self._finished() if d.contact_id == contact_id and d.id != delivery_id), None)
        return bool(last is not None and last.last_error and last.last_error.startswith(GONE_ERROR))

    async def unreachable(self, process_key: str | None = None) -> list[Unreachable]:
        latest: dict[int, _Delivery] = {}
        for row in self._finished():
            latest.setdefault(row.contact_id, row)
        gone = {
            contact_id: row
            for contact_id, row in latest.items()
            if row.status == FAILED and row.last_error and row.last_error.startswith(GONE_ERROR)
        }
        contacts = await self.contacts(process_key, ids=gone) if gone else []
        return [
            Unreachable(c, gone_reason(gone[c.id].last_error or ""), gone[c.id].claimed_at) for c in contacts
        ]

    async def claimers(self) -> set[str]:
        return {
            d.claimed_by
            for d in self._deliveries.values()
            if d.status == CLAIMED and d.claimed_by is not None
        }

    async def claimed_by(self, worker_id: str) -> list[Claimed]:
        return [
            d.claimed()
            for d in sorted(self._deliveries.values(), key=_Delivery.order)
            if d.status == CLAIMED and d.claimed_by == worker_id
        ]

    async def delivery(self, delivery_id: int) -> Claimed | None:
        row = self._deliveries.get(delivery_id)
        return row.claimed() if row is not None else None

    async def deliveries(self, status: str | None = None) -> list[Claimed]:
        return [
            d.claimed()
            for d in sorted(self._deliveries.values(), key=_Delivery.order)
            if status is None or d.status == status
        ]

    async def files_sent_for(self, rows: Sequence[Claimed]) -> set[tuple[int, int, datetime]]:
        contacts, meetings = {r.contact_id for r in rows}, {r.meeting_id for r in rows}
        return {
            (d.meeting_id, d.contact_id, d.occurrence)
            for d in self._deliveries.values()
            if d.file_sent_at is not None and d.contact_id in contacts and d.meeting_id in meetings
        }

    async def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self._deliveries.values():
            counts[row.status] += 1
        return counts

    async def next_due(self, now: datetime | None = None) -> datetime | None:
        after = _utc(now) if now is not None else None
        dues = [
            d.due_at
            for d in self._deliveries.values()
            if d.status == PENDING and (after is None or d.due_at > after)
        ]
        return min(dues, default=None)

    async def due_count(
        self, now: datetime, lease: timedelta = timedelta(minutes=10), abandoned: Sequence[str] = ()
    ) -> int:
        now = _utc(now)
        return sum(1 for d in self._deliveries.values() if self._claimable(d, now, lease, abandoned))

    # --- RSVPs -------------------------------------------------------------------------------
    async def set_rsvp(
        self,
        meeting_id: int,
        occurrence: datetime,
        contact_id: int,
        answer: Rsvp,
        at: datetime,
        *,
        persons: int | None = None,
        note: str | None = None,
    ) -> None:
        self._rsvps[(meeting_id, _utc(occurrence), contact_id)] = (
            RsvpAnswer(answer, persons, note),
            _utc(at),
            next(self._writes),
        )

    # --- calendar entries that stay right ------------------------------------------------------
    async def occurrence_states(self, meeting_ids: Iterable[int]) -> list[OccurrenceState]:
        wanted = set(meeting_ids)
        return [s for key, s in sorted(self._occurrences.items()) if key[0] in wanted]

    async def add_occurrence(self, state: OccurrenceState) -> bool:
        key = (state.meeting_id, state.number)
        if key in self._occurrences or state.meeting_id not in self._meetings:
            return False
        self._occurrences[key] = dataclasses.replace(state, starts_at=_utc(state.starts_at))
        return True

    async def apply_change(
        self, previous: OccurrenceState, new: OccurrenceState, kind: str, due_at: datetime, key_prefix: str
    ) -> int | None:
        meeting_id, number = previous.meeting_id, previous.number
        before = _utc(previous.starts_at)
        self._copies.update(
            (meeting_id, number, d.contact_id)
            for d in self._deliveries.values()
            if d.meeting_id == meeting_id and d.occurrence == before and d.file_sent_at is not None
        )
        current = self._occurrences.get((meeting_id, number))
        if current is None or current.sequence != previous.sequence:
            return None
        self._occurrences[(meeting_id, number)] = dataclasses.replace(new, starts_at=_utc(new.starts_at))
        holders = sorted(c for m, n, c in self._copies if (m, n) == (meeting_id, number))
        return await self.plan_notices(
            [
                Notice(
                    kind,
                    f"{key_prefix}:{contact_id}:{new.sequence}",
                    meeting_id,
                    contact_id,
                    new.starts_at,
                    number,
                    due_at,
                    sequence=new.sequence,
                )
                for contact_id in holders
            ]
        )

    async def plan_notices(self, notices: Sequence[Notice]) -> int:
        inserted = 0
        for notice in notices:
            if (
                notice.delivery_key in self._by_key
                or notice.meeting_id not in self._meetings
                or notice.contact_id not in self._contacts
            ):
                continue
            row = _Delivery(
                next(self._ids),
                notice.delivery_key,
                notice.meeting_id,
                notice.contact_id,
                _utc(notice.occurrence),
                notice.offset,
                _utc(notice.due_at),
                None,
                kind=notice.kind,
                sequence=notice.sequence,
                number=notice.number,
            )
            self._deliveries[row.id] = row
            self._by_key[row.delivery_key] = row.id
            inserted += 1
        return inserted

    async def organisation_answered(self, meeting_id: int, occurrence: datetime, contact_id: int) -> bool:
        own = self._contacts.get(contact_id)
        if own is None:
            return False
        when = _utc(occurrence)
        return any(
            m == meeting_id
            and o == when
            and c in self._contacts
            and self._contacts[c].signatory_id == own.signatory_id
            for (m, o, c) in self._rsvps
        )

    async def rsvps(self, meeting_id: int, occurrence: datetime) -> list[StoredRsvp]:
        when = _utc(occurrence)
        return [
            StoredRsvp(c, self._contacts[c].signatory_id, answer, at, order)
            for (m, o, c), (answer, at, order) in self._rsvps.items()
            if m == meeting_id and o == when and c in self._contacts
        ]

    async def organisation_answer(
        self, meeting_id: int, occurrence: datetime, signatory_key: str
    ) -> OrganisationAnswer | None:
        stored = self._meetings.get(meeting_id)
        signatory = (
            self._signatory_row(stored.meeting.process_key, signatory_key) if stored is not None else None
        )
        if signatory is None:
            return None
        return organisation_answer(await self.rsvps(meeting_id, occurrence), self._info(signatory))
