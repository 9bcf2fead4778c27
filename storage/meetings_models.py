"""Tables of signatories, their contact persons, dialogue meetings, reminder deliveries and RSVPs.

Contacts are not workshop participants: nothing here is linked to a vote or a participant key.
Exactly-once delivery rests on ``deliveries.delivery_key`` being UNIQUE (one row per meeting
occurrence, contact and reminder offset) and on a row being *claimed* before it is sent.
All times are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.meetings.calendar_book import REMINDER
from facilitation.meetings.model import PLATFORMS, Contact, Platform
from facilitation.meetings.store import FILE, PENDING  # the delivery states and sources are the port's
from facilitation.model import Language
from storage.models import KEY, Base


class SignatoryRow(Base):
    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(KEY)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default=FILE, server_default=FILE)

    __table_args__ = (UniqueConstraint("process_key", "key", name="uq_signatories_process_key"),)


class ContactRow(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254))  # an e-mail address: up to 254 characters
    workspace: Mapped[str | None] = mapped_column(String(64), nullable=True)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default=FILE, server_default=FILE)
    # Set when an e-mail contact is inserted; the dispatcher plans its welcome and clears it.
    welcome_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        UniqueConstraint("process_key", "key", name="uq_contacts_process_key"),
        Index("ix_contacts_platform_address", "platform", "address"),
    )


class ForgottenContactRow(Base):
    """A keyed hash of a contact who asked to be forgotten, so a config re-import skips them."""

    __tablename__ = "forgotten_contacts"

    tombstone: Mapped[str] = mapped_column(KEY, primary_key=True)
    forgotten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeetingRow(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(KEY)
    title: Mapped[str] = mapped_column(String(300))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    rrule: Mapped[str | None] = mapped_column(String(500), nullable=True)
    offsets_s: Mapped[list[int]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    directions: Mapped[str] = mapped_column(Text, default="", server_default="")
    nudge_offsets_s: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (UniqueConstraint("process_key", "key", name="uq_meetings_process_key"),)


class DeliveryRow(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_key: Mapped[str] = mapped_column(String(255), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    occurrence_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    offset_s: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(8), default=PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The calendar file is a message of its own, sent before the text: recorded on its own, so
    # a retry or a takeover after a crash sends only what is missing.
    file_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Each part's last "about to send" (written with the claim's renewal right before the platform
    # call): a part with a mark and no record may have gone out before its dispatcher died.
    file_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    text_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # A reminder, or a notice (update, cancel, welcome, nudge: facilitation.meetings.calendar_book).
    kind: Mapped[str] = mapped_column(String(8), default=REMINDER, server_default=REMINDER)
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    occurrence_no: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_deliveries_status_due_at", "status", "due_at"),)


class OccurrenceRow(Base):
    """What the contacts were last told of one occurrence (its place in the series is ``number``)."""

    __tablename__ = "meeting_occurrences"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fingerprint: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class CalendarCopyRow(Base):
    """A contact holds a calendar file of an occurrence: a change of it is sent to them."""

    __tablename__ = "calendar_copies"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RsvpRow(Base):
    __tablename__ = "rsvps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # How many persons the organisation sends (1..MAX_PERSONS) and a substitute's name-free note.
    persons: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (
        UniqueConstraint("meeting_id", "occurrence_at", "contact_id", name="uq_rsvps_one_per_contact"),
    )


def contact_of(row: ContactRow) -> Contact:
    """The domain's contact of a stored row (the directory and the merge both read rows back)."""
    if row.platform not in PLATFORMS:  # the column is checked on the way in; a row edited by hand is not
        raise ValueError(f"contact {row.id}: unknown platform {row.platform!r}")
    platform = cast(Platform, row.platform)
    return Contact(
        row.key, row.name, platform, row.address, row.workspace, Language(row.language), row.opted_out
    )
