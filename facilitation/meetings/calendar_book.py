"""The port for calendar entries that stay right: per-occurrence sequence, who holds a file, notices.

A contact's calendar entry of an occurrence has a stable UID (meeting key + place in the series,
:func:`facilitation.meetings.ics.event_uid`); the store keeps, per occurrence, what the contacts
were last told (:class:`OccurrenceState`: start, a fingerprint of time/place/agenda, SEQUENCE,
cancelled) and who already holds a calendar file of it. A change is recorded and the update (or
cancel) deliveries to those holders planned in ONE transaction (:meth:`CalendarBook.apply_change`),
compare-and-set on the sequence, so two dispatchers noticing the same change plan it once.

Notices are delivery rows like reminders (same unique key, claims, lease, part records), told
apart by ``kind``: ``update``, ``cancel``, ``welcome`` (a newly registered contact's first
calendar file) and ``nudge`` (a contact whose organisation has not answered).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from facilitation.meetings.model import Contact

REMINDER = "reminder"
UPDATE = "update"
CANCEL = "cancel"
WELCOME = "welcome"
NUDGE = "nudge"
KINDS = (REMINDER, UPDATE, CANCEL, WELCOME, NUDGE)


def welcomed_by_mail(contact: Contact) -> bool:
    """Whether creating ``contact`` (a file import, the CLI) plans a welcome: an e-mail contact
    has no registration in a chat that would (the store marks it in the creating transaction)."""
    return contact.platform == "email"


@dataclass(frozen=True)
class OccurrenceState:
    """What the contacts were last told of occurrence ``number`` of a meeting."""

    meeting_id: int
    number: int
    starts_at: datetime
    fingerprint: str
    sequence: int = 0
    cancelled: bool = False


@dataclass(frozen=True)
class Notice:
    """A delivery that is not a reminder: planned idempotently on ``delivery_key``."""

    kind: str
    delivery_key: str
    meeting_id: int
    contact_id: int
    occurrence: datetime
    number: int
    due_at: datetime
    offset: timedelta = timedelta(0)
    sequence: int | None = None


class CalendarBook(Protocol):
    async def occurrence_states(self, meeting_ids: Iterable[int]) -> list[OccurrenceState]:
        """The stored states of the meetings' occurrences."""
        ...

    async def add_occurrence(self, state: OccurrenceState) -> bool:
        """Store a first state (sequence 0) unless one exists; True if added."""
        ...

    async def apply_change(
        self, previous: OccurrenceState, new: OccurrenceState, kind: str, due_at: datetime, key_prefix: str
    ) -> int | None:
        """In one transaction: the contacts with a calendar file of ``previous.starts_at`` become
        holders, the state becomes ``new`` if it still has ``previous.sequence`` (else ``None``:
        another dispatcher recorded it), and a ``kind`` delivery per holder is planned (key
        ``{key_prefix}:{contact id}:{new.sequence}``). Returns the deliveries planned."""
        ...

    async def plan_notices(self, notices: Sequence[Notice]) -> int:
        """A pending delivery per notice unless its key exists; returns those added."""
        ...

    async def organisation_answered(self, meeting_id: int, occurrence: datetime, contact_id: int) -> bool:
        """Whether anyone of the contact's signatory (organisation) has answered for the occurrence.

        Implemented on the per-contact RSVP rows; per-organisation RSVPs answer it the same way."""
        ...
