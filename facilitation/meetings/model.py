"""Signatories, their contact persons, annual dialogue meetings and RSVP answers.

Each signatory of an Överenskommelse names contact persons; the public party convenes an
annual dialogue meeting (årligt dialogmöte / dialogträff / samverkanskonferens) and the bot
reminds the contacts and collects whether they come. Plain frozen dataclasses, so the domain
runs without a database or a chat platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal, get_args

from facilitation.meetings.tz import to_local
from facilitation.model import Language

Platform = Literal["telegram", "slack", "local", "email"]
PLATFORMS: tuple[Platform, ...] = get_args(Platform)

DEFAULT_REMINDER_OFFSETS: tuple[timedelta, ...] = (timedelta(days=30), timedelta(days=7), timedelta(days=1))


@dataclass(frozen=True)
class Contact:
    """A signatory's contact person and where to reach them.

    ``address`` is a Telegram chat id, a Slack user or channel id, a local-mode name or an e-mail
    address (personal data like a chat id: never in a key, a log line or a stored error);
    ``workspace`` is the Slack team id (several workspaces can share one bot).
    """

    key: str
    name: str
    platform: Platform
    address: str
    workspace: str | None = None
    language: Language = Language.SV
    opted_out: bool = False

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r}; expected one of {', '.join(PLATFORMS)}")
        if not self.address:
            raise ValueError(f"contact {self.key!r} has no address")


@dataclass(frozen=True)
class Signatory:
    """An organisation that signed the agreement of ``process_key``."""

    key: str
    name: str
    process_key: str
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """A (usually yearly) dialogue meeting of one process.

    ``start`` is the first occurrence and is kept in Europe/Stockholm; ``rrule`` is an RFC 5545
    RRULE expanded in local wall time, so a 10.00 meeting stays 10.00 across daylight saving.
    ``reminder_offsets`` are kept unique and longest first (30 days, 7 days, 1 day).
    """

    key: str
    process_key: str
    title: str
    start: datetime
    duration: timedelta = timedelta(hours=3)
    place: str = ""
    link: str = ""
    agenda: str = ""
    rrule: str | None = None
    reminder_offsets: tuple[timedelta, ...] = DEFAULT_REMINDER_OFFSETS
    directions: str = ""  # how to get there (the details page shows it)
    # Before the occurrence, contacts whose organisation has not answered get one nudge per offset.
    nudge_offsets: tuple[timedelta, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", to_local(self.start))  # refuses naive starts
        if self.duration <= timedelta(0):
            raise ValueError(f"meeting {self.key!r}: duration must be positive")
        if any(offset <= timedelta(0) for offset in self.reminder_offsets):
            raise ValueError(f"meeting {self.key!r}: reminder offsets must be positive")
        object.__setattr__(self, "reminder_offsets", tuple(sorted(set(self.reminder_offsets), reverse=True)))
        if any(offset <= timedelta(0) for offset in self.nudge_offsets):
            raise ValueError(f"meeting {self.key!r}: nudge offsets must be positive")
        object.__setattr__(self, "nudge_offsets", tuple(sorted(set(self.nudge_offsets), reverse=True)))


class Rsvp(StrEnum):
    """An organisation's answer to "Kommer ni?", given by one of its contacts."""

    KOMMER = "yes"
    KOMMER_INTE = "no"
    KANSKE = "maybe"
    SKICKAR_ERSATTARE = "deputy"  # the organisation sends a substitute (a name-free note may say who-ish)


@dataclass(frozen=True)
class RsvpAnswer:
    """What a contact answers for their organisation."""

    answer: Rsvp
    persons: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class StoredRsvp:
    """A contact's latest answer for one occurrence, with the signatory the contact belongs to."""

    contact_id: int
    signatory_id: int
    answer: RsvpAnswer
    answered_at: datetime
    order: int  # the store's write order: later writes have larger numbers


@dataclass(frozen=True)
class OrganisationAnswer:
    """A signatory's answer: the latest of its contacts' answers (who answered is not kept here)."""

    signatory_key: str
    answer: RsvpAnswer
    answered_at: datetime


@dataclass(frozen=True)
class RsvpTally:
    """Counts of answers for one occurrence; ``invited`` (if known) gives the not-yet-answered.

    Since answers are per organisation, the counts are organisations (``/osa``), not persons.
    """

    yes: int = 0
    no: int = 0
    maybe: int = 0
    invited: int | None = None
    deputy: int = 0

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.maybe, self.deputy) < 0:
            raise ValueError("negative RSVP count")
        if self.invited is not None and self.invited < self.answered:
            raise ValueError(f"{self.answered} answers but only {self.invited} invited")

    @classmethod
    def count(cls, answers: Iterable[Rsvp], invited: int | None = None) -> RsvpTally:
        """Tally each contact's latest answer (the caller passes one answer per contact)."""
        values = list(answers)
        return cls(
            yes=values.count(Rsvp.KOMMER),
            no=values.count(Rsvp.KOMMER_INTE),
            maybe=values.count(Rsvp.KANSKE),
            invited=invited,
            deputy=values.count(Rsvp.SKICKAR_ERSATTARE),
        )

    @property
    def by_answer(self) -> dict[Rsvp, int]:
        return {
            Rsvp.KOMMER: self.yes,
            Rsvp.KOMMER_INTE: self.no,
            Rsvp.KANSKE: self.maybe,
            Rsvp.SKICKAR_ERSATTARE: self.deputy,
        }

    @property
    def answered(self) -> int:
        return self.yes + self.no + self.maybe + self.deputy

    @property
    def pending(self) -> int | None:
        """Invited contacts who have not answered, or ``None`` when the invitation count is unknown."""
        return None if self.invited is None else self.invited - self.answered
