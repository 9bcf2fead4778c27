"""The persistence interface the meetings domain needs (a port, like :mod:`facilitation.store`).

:mod:`storage.meetings_repository` implements it on SQLAlchemy (PostgreSQL, SQLite), split by
concern: the directory of signatories and contacts, the delivery queue, the RSVPs.
:class:`facilitation.meetings.memory_store.MemoryMeetingStore` implements it in memory; all
three pass ``tests/test_meetings_store_contract.py``. Every method is one transaction.

**Delivery guarantee.** Every reminder is one delivery whose :func:`delivery_key` (meeting
occurrence, contact, offset) is unique, so planning is idempotent. A dispatcher *claims* due
deliveries before sending (``pending`` → ``claimed`` with its worker id and the time); concurrent
dispatchers never claim the same one. A claim is a *lease*: older than the lease, it is claimable
again, so a dispatcher that died mid-fan-out does not lose its reminders. Right before each
platform call the dispatcher :meth:`MeetingStore.renew`\\ s its claim, which succeeds only if it
still holds it; a reminder's two messages (calendar file, text) are recorded one by one right
after the platform accepted them (:meth:`MeetingStore.mark_file_sent`, :meth:`MeetingStore.mark_sent`),
or, where the platform carried both as one message (the text as the file's caption), together
in one write (``mark_sent(..., with_file=True)``).
See :mod:`storage.meetings_repository` for the two at-least-once windows no database can close.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from facilitation.meetings.calendar_book import REMINDER, CalendarBook
from facilitation.meetings.importing import MeetingsConfig
from facilitation.meetings.model import Contact, Meeting, OrganisationAnswer, Rsvp, StoredRsvp
from facilitation.meetings.reminders import ReminderDue

# Delivery states: pending → claimed → sent | skipped | failed (failed rows are retried until
# they run out of attempts; a claim older than the lease is taken over by another dispatcher).
PENDING = "pending"
CLAIMED = "claimed"
SENT = "sent"
# The two messages of a reminder (or notice), each recorded (and attempt-marked) on its own.
FILE_PART, TEXT_PART = "calendar file", "text"
# Both in one message (the text as the file's caption, where the platform carries it): one
# attempt mark write covering both parts, one record of both (mark_sent(..., with_file=True)).
BOTH_PARTS = "calendar file with the text"
SKIPPED = "skipped"
FAILED = "failed"
STATUSES = (PENDING, CLAIMED, SENT, SKIPPED, FAILED)

# Where a signatory or contact came from: the TOML import follows and deactivates only FILE rows;
# rows added in a chat (a contact's invitation) or with the CLI are managed there.
FILE = "file"
CHAT = "chat"
CLI = "cli"

OPTED_OUT = "opted_out"  # the last_error of a reminder skipped because its contact stopped them
GONE_ERROR = "ChatGone"  # how a delivery's last_error starts for a chat that is gone for good


def gone_reason(error: str) -> str:
    """``ChatGone (blocked)`` → ``blocked``: the reason :func:`failure_reason` kept."""
    match = re.match(rf"{GONE_ERROR} \((\w+)\)", error)
    return match.group(1) if match else "not_found"


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
        super().__init__(
            f"{what} {key!r} comes from the configuration file: remove it there and import again"
        )
        self.what, self.key = what, key


@dataclass(frozen=True)
class Claimed:
    """A delivery (as claimed): what to send to whom."""

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
    kind: str = REMINDER  # or a notice kind (facilitation.meetings.calendar_book)
    sequence: int | None = None  # an update's or cancel's SEQUENCE
    number: int | None = None  # a notice's occurrence number in the series
    # When a dispatcher was last about to send the calendar file / the text (None: never tried).
    # Set without a record, the part may have gone out before that dispatcher died.
    file_attempt_at: datetime | None = None
    text_attempt_at: datetime | None = None

    def attempt_at(self, part: str) -> datetime | None:
        """The last attempt mark of ``part`` (:data:`FILE_PART`, :data:`TEXT_PART`); for
        :data:`BOTH_PARTS` the earlier of the two, since when either part may have gone out."""
        if part == BOTH_PARTS:
            marks = [m for m in (self.file_attempt_at, self.text_attempt_at) if m is not None]
            return min(marks) if marks else None
        return self.file_attempt_at if part == FILE_PART else self.text_attempt_at


def attempt_marks(part: str | None) -> tuple[str, ...]:
    """The attempt-mark fields a renewal before sending ``part`` sets: one part's own, or both for
    a message carrying both (a crash after it may have left either part delivered)."""
    return {
        FILE_PART: ("file_attempt_at",),
        TEXT_PART: ("text_attempt_at",),
        BOTH_PARTS: ("file_attempt_at", "text_attempt_at"),
    }.get(part or "", ())


@dataclass(frozen=True)
class ImportResult:
    process_key: str
    signatories: int
    contacts: int
    meetings: int
    deactivated: int
    skipped_forgotten: int


class MeetingDirectory(Protocol):
    """Signatories, their contacts and the meetings: imported from TOML, managed in chats and the CLI."""

    async def import_config(
        self,
        config: MeetingsConfig,
        *,
        tombstone_of: Callable[[Contact], str] | None = None,
    ) -> ImportResult:
        """Upsert the process's signatories, contacts and meetings by key; deactivate the rest.

        The file manages only what came from a file (``source == FILE``): signatories and contacts
        added with the CLI or in a chat are neither updated nor deactivated, unless the file now
        names the same key, in which case the file takes them over. A contact's opt-out survives
        a re-import (also when the file gives the same person a new key); a contact whose
        tombstone is stored (asked to be forgotten) is not re-created.
        """
        ...

    async def meetings(
        self, *, active_only: bool = True, ids: Iterable[int] | None = None
    ) -> list[StoredMeeting]:
        """Meetings ordered by (process, key)."""
        ...

    async def contacts(
        self,
        process_key: str | None = None,
        *,
        active_only: bool = True,
        ids: Iterable[int] | None = None,
        platform: str | None = None,
        address: str | None = None,
    ) -> list[StoredContact]:
        """Contacts ordered by (process, key); ``active_only``: active contacts of active signatories."""
        ...

    async def signatories(
        self, process_key: str | None = None, *, ids: Iterable[int] | None = None, key: str | None = None
    ) -> list[SignatoryInfo]:
        """Signatories with their number of active contacts (who get reminders)."""
        ...

    async def signatory(self, process_key: str, key: str) -> SignatoryInfo | None: ...

    async def signatory_by_id(self, signatory_id: int) -> SignatoryInfo | None: ...

    async def process_keys(self) -> set[str]:
        """Processes that have signatories or meetings stored."""
        ...

    async def add_signatory(self, process_key: str, key: str, name: str, source: str) -> SignatoryInfo:
        """Add a signatory; :class:`DuplicateKey` if the process already has ``key`` (also inactive)."""
        ...

    async def remove_signatory(self, process_key: str, key: str) -> int:
        """Delete a CLI/chat signatory with its contacts and their history; returns the contacts removed."""
        ...

    async def add_contact(
        self, process_key: str, signatory_key: str, contact: Contact, source: str
    ) -> tuple[StoredContact, bool]:
        """Add a contact to an active signatory; ``(contact, created)``; the same person twice is not added."""
        ...

    async def remove_contact(self, process_key: str, key: str) -> None:
        """Delete a CLI/chat contact with its RSVPs and reminder history (no tombstone)."""
        ...

    async def welcomes_pending(self) -> list[StoredContact]:
        """Active contacts whose welcome is still to be planned: e-mail contacts are marked so in
        the transaction that creates them (a file import, the CLI), so each is welcomed once."""
        ...

    async def welcomes_planned(self, contact_ids: Iterable[int]) -> None:
        """Unmark the contacts: their welcomes are planned."""
        ...

    async def move_contact(self, contact_id: int, address: str) -> None:
        """The contact's chat has a new id (a Telegram group upgraded to a supergroup)."""
        ...

    async def opt_out(self, contact_ids: Iterable[int]) -> int:
        """Stop reminders: the contacts are marked and their pending or failed reminders skipped."""
        ...

    async def opt_in(self, contact_ids: Iterable[int], now: datetime) -> int:
        """Resume reminders; reminders the opt-out skipped for occurrences after ``now`` are pending again."""
        ...

    async def forget_contact(
        self, contact_id: int, tombstone: str | None = None, at: datetime | None = None
    ) -> int:
        """Delete a contact with its RSVPs and deliveries; ``tombstone`` keeps a re-import from re-creating it."""
        ...


class DeliveryQueue(Protocol):
    """The reminders to send: planned idempotently, claimed under a lease, recorded part by part."""

    async def plan(
        self,
        dues: Sequence[ReminderDue],
        meeting_ids: Mapping[tuple[str, str], int],
        contact_ids: Mapping[tuple[str, str], int],
    ) -> int:
        """A pending delivery per reminder unless its delivery key exists; returns those added.

        ``meeting_ids``/``contact_ids``: stored ids by (process, key); a reminder of neither is left out.
        """
        ...

    async def claim(
        self,
        worker_id: str,
        now: datetime,
        limit: int = 100,
        lease: timedelta = timedelta(minutes=10),
        platforms: Iterable[str] | None = None,
        abandoned: Sequence[str] = (),
    ) -> list[Claimed]:
        """Claim up to ``limit`` due deliveries (oldest due first) for ``worker_id``.

        Due: pending and due, failed with a retry time reached, or claimed by a lease older than
        ``lease`` or by a dispatcher in ``abandoned`` (known to have ended). Each claim counts an attempt.
        """
        ...

    async def release(self, worker_id: str, ids: Iterable[int]) -> int:
        """Give back claimed deliveries this worker has not started sending (the attempt is given back)."""
        ...

    async def renew(self, delivery_id: int, worker_id: str, now: datetime, part: str | None = None) -> bool:
        """Right before a send: True if still claimed by ``worker_id`` (lease restarted); with
        ``part`` (:data:`FILE_PART`, :data:`TEXT_PART`, :data:`BOTH_PARTS`) the same write sets
        that part's attempt marks (:func:`attempt_marks`)."""
        ...

    async def mark_sent(
        self, delivery_id: int, at: datetime, worker_id: str | None = None, *, with_file: bool = False
    ) -> bool:
        """Record a send; False if the row was no longer claimed by ``worker_id`` (recorded anyway).

        Run again after a lost answer (a database outage), it finds its own record and says True.
        ``with_file``: the calendar file went in the same message (:data:`BOTH_PARTS`), so the same
        write records it too (``file_sent_at``, first time only): no crash can split the two records.
        """
        ...

    async def mark_file_sent(self, delivery_id: int, at: datetime) -> None:
        """Record that the calendar file was accepted, whoever holds the delivery now (first time only)."""
        ...

    async def mark_skipped(self, delivery_id: int, reason: str, worker_id: str | None = None) -> None: ...

    async def mark_failed(
        self,
        delivery_id: int,
        error: str,
        retry_at: datetime | None,
        worker_id: str | None = None,
        *,
        counts: bool = True,
    ) -> None:
        """A failed send: retried at ``retry_at``, or given up when None; ``counts=False`` gives the attempt back."""
        ...

    async def gone_before(self, contact_id: int, delivery_id: int) -> bool:
        """Whether the contact's latest other finished reminder also failed because its chat is gone."""
        ...

    async def unreachable(self, process_key: str | None = None) -> list[Unreachable]:
        """Active contacts whose latest finished reminder failed because their chat is gone for good."""
        ...

    async def claimers(self) -> set[str]:
        """The dispatchers holding claims now."""
        ...

    async def claimed_by(self, worker_id: str) -> list[Claimed]:
        """The deliveries ``worker_id`` holds claimed."""
        ...

    async def delivery(self, delivery_id: int) -> Claimed | None: ...

    async def deliveries(self, status: str | None = None) -> list[Claimed]: ...

    async def files_sent_for(self, rows: Sequence[Claimed]) -> set[tuple[int, int, datetime]]:
        """(meeting, contact, occurrence) of ``rows`` whose calendar file a reminder already carried."""
        ...

    async def status_counts(self) -> dict[str, int]: ...

    async def next_due(self, now: datetime | None = None) -> datetime | None:
        """The earliest due time of a pending reminder (after ``now`` if given)."""
        ...

    async def due_count(
        self, now: datetime, lease: timedelta = timedelta(minutes=10), abandoned: Sequence[str] = ()
    ) -> int: ...


class RsvpBook(Protocol):
    """Which organisations come to which meeting occurrence.

    One row per contact and occurrence (a contact's change of mind replaces it); the
    organisation's answer is its contacts' latest (:func:`facilitation.meetings.attendance.latest_by_signatory`).
    """

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
        """Store the contact's answer (checked by :func:`facilitation.meetings.attendance.record_answer`)."""
        ...

    async def rsvps(self, meeting_id: int, occurrence: datetime) -> list[StoredRsvp]:
        """Each contact's answer for the occurrence, with the signatory the contact belongs to now."""
        ...

    async def organisation_answer(
        self, meeting_id: int, occurrence: datetime, signatory_key: str
    ) -> OrganisationAnswer | None:
        """The answer of the signatory ``signatory_key`` (of the meeting's process), None if none of its
        contacts answered: e.g. whether to nudge its contacts. Never says which contact answered."""
        ...


class MeetingStore(MeetingDirectory, DeliveryQueue, RsvpBook, CalendarBook, Protocol):
    """Everything the meetings domain stores."""
