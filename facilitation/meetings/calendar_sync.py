"""Keeping contacts' calendars right: notice changes, plan updates/cancels, welcomes and nudges.

Run by the dispatcher at the start of every tick (:func:`sync`), on the store (the truth), so a
change made by a re-import, the CLI or a chat is noticed by whichever dispatcher ticks first:

* each tracked occurrence (within the horizon, plus every meeting's next one) has a stored
  :class:`OccurrenceState`; when its time, place, agenda, title or length differs from what the
  contacts were told, the state's SEQUENCE grows and an ``update`` (or, for an occurrence that
  no longer exists or a meeting removed from the configuration, a ``cancel``) delivery is
  planned for every contact who holds a calendar file of it: one store transaction
  (:meth:`CalendarBook.apply_change`), so it is planned once, whoever notices it;
* ``welcome`` deliveries are planned for contacts created without a chat registration (an
  e-mail contact of a file import or the CLI): the next meeting with its calendar invitation;
* ``nudge`` deliveries are planned for each of the meeting's ``nudge_offsets`` (one per
  occurrence, contact and offset; at send time a contact whose organisation answered is skipped).

The dispatcher sends a claimed notice (``Dispatcher._deliver_notice``) with its claims and part
records, so a notice is sent exactly once as a reminder is; this module gives it the notice's
text and :func:`notice_stale_reason`. :func:`plan_welcome` plans a newly registered
contact's first calendar file (the next meeting), idempotent on redelivered registrations.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import facilitation.meetings.notice_texts  # noqa: F401  (registers notices.* texts)
from facilitation.i18n import t
from facilitation.meetings.calendar_book import CANCEL, NUDGE, UPDATE, WELCOME, Notice, OccurrenceState
from facilitation.meetings.messages import format_when
from facilitation.meetings.model import Meeting
from facilitation.meetings.recurrence import (
    is_occurrence,
    next_occurrence,
    nth_occurrence,
    occurrence_number,
    occurrences,
    to_iso,
)
from facilitation.meetings.reminders import due_time
from facilitation.meetings.store import OPTED_OUT, Claimed, MeetingStore, StoredContact, StoredMeeting
from facilitation.meetings.tz import utc
from facilitation.model import Language

log = logging.getLogger(__name__)


def fingerprint(meeting: Meeting, occurrence: datetime) -> str:
    """A hash of what a calendar entry shows: time, length, title, place, agenda, link."""
    parts = [to_iso(occurrence), str(int(meeting.duration.total_seconds())), meeting.title]
    parts += [meeting.place, meeting.agenda, meeting.link]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def meeting_name(meeting: Meeting) -> str:
    return f"{meeting.process_key}/{meeting.key}"


@dataclass
class SyncResult:
    tracked: int = 0
    updates: int = 0
    cancels: int = 0
    nudges: int = 0
    welcomes: int = 0
    sequences: dict[tuple[int, datetime], int] = dataclasses.field(default_factory=dict)


async def sync(
    store: MeetingStore, now: datetime, horizon: timedelta, known: set[tuple[str, int, int]] | None = None
) -> SyncResult:
    """Notice changed and cancelled occurrences and plan their notices, and plan nudges.

    ``known``: nudges this process planned before, by (delivery key, meeting id, contact id), so a
    tick does not send every known key to the database again (kept by the caller; a re-created
    contact or meeting has new ids, so its nudges are planned again)."""
    result = SyncResult()
    result.welcomes = await plan_pending_welcomes(store, now)
    meetings = await store.meetings(active_only=False)
    states = {(s.meeting_id, s.number): s for s in await store.occurrence_states([m.id for m in meetings])}
    moment = utc(now)
    contacts: dict[str, list[StoredContact]] | None = None  # loaded once, if a meeting nudges
    for stored in meetings:
        meeting = stored.meeting
        try:
            wanted = _wanted(stored, states, moment, horizon)
        except Exception as exc:  # a meeting row that cannot be read: the reminders log it
            log.debug(
                "calendar: meeting %s cannot be expanded (%s)", meeting_name(meeting), type(exc).__name__
            )
            continue
        for number, occurrence in sorted(wanted.items()):
            state = states.get((stored.id, number))
            new = await _follow(store, stored, number, occurrence, state, now, result)
            if new is not None and not new.cancelled:
                result.sequences[(stored.id, utc(new.starts_at))] = new.sequence
        if stored.active and meeting.nudge_offsets:
            if contacts is None:
                contacts = {}
                for contact in await store.contacts():
                    if not contact.contact.opted_out:
                        contacts.setdefault(contact.process_key, []).append(contact)
            reached = contacts.get(meeting.process_key, [])
            result.nudges += await _plan_nudges(store, stored, reached, moment, horizon, known)
    return result


def _wanted(
    stored: StoredMeeting, states: dict[tuple[int, int], OccurrenceState], now: datetime, horizon: timedelta
) -> dict[int, datetime | None]:
    """Occurrence number → its current start (None: it no longer exists) for the tracked ones."""
    meeting = stored.meeting
    wanted: dict[int, datetime | None] = {}
    if stored.active:
        found = occurrences(meeting, now, now + horizon)
        following = next_occurrence(meeting, now)
        if following is not None:
            found.append(following)
        for occurrence in found:
            if utc(occurrence) > now:
                wanted[occurrence_number(meeting, occurrence)] = occurrence
    for (meeting_id, number), state in states.items():
        if meeting_id != stored.id or number in wanted or state.cancelled or utc(state.starts_at) <= now:
            continue
        wanted[number] = nth_occurrence(meeting, number) if stored.active else None
    return wanted


async def _follow(
    store: MeetingStore,
    stored: StoredMeeting,
    number: int,
    occurrence: datetime | None,
    state: OccurrenceState | None,
    now: datetime,
    result: SyncResult,
) -> OccurrenceState | None:
    meeting = stored.meeting
    prefix = f"{meeting_name(meeting)}:#{number}"
    if occurrence is None:
        if state is None or state.cancelled:
            return state
        new = dataclasses.replace(state, sequence=state.sequence + 1, cancelled=True)
        kind = CANCEL
    else:
        mark = fingerprint(meeting, occurrence)
        if state is None:
            first = OccurrenceState(stored.id, number, occurrence, mark)
            await store.add_occurrence(first)
            result.tracked += 1
            return first
        if state.fingerprint == mark and not state.cancelled:
            return state
        new = dataclasses.replace(
            state, starts_at=occurrence, fingerprint=mark, sequence=state.sequence + 1, cancelled=False
        )
        kind = UPDATE
    planned = await store.apply_change(state, new, kind, now, f"{kind}:{prefix}")
    if planned is None:  # another dispatcher recorded it first
        return None
    log.info(
        "calendar: occurrence %d of %s %s (sequence %d); %d contacts told",
        number,
        meeting_name(meeting),
        "cancelled" if kind == CANCEL else "changed",
        new.sequence,
        planned,
    )
    if kind == CANCEL:
        result.cancels += planned
    else:
        result.updates += planned
    return new


async def _plan_nudges(
    store: MeetingStore,
    stored: StoredMeeting,
    contacts: list[StoredContact],
    now: datetime,
    horizon: timedelta,
    known: set[tuple[str, int, int]] | None,
) -> int:
    meeting = stored.meeting
    offsets = [
        o for o in meeting.nudge_offsets if o not in meeting.reminder_offsets
    ]  # a reminder asks anyway
    if not offsets:
        return 0
    notices = []
    window_end = now + horizon + max(offsets) + timedelta(days=1)
    for occurrence in occurrences(meeting, now, window_end):
        if utc(occurrence) <= now:
            continue
        number = occurrence_number(meeting, occurrence)
        for offset in offsets:
            due = due_time(occurrence, offset)
            if utc(due) > now + horizon:
                continue
            notices += [
                Notice(
                    NUDGE,
                    f"{NUDGE}:{meeting_name(meeting)}:{to_iso(occurrence)}:{c.contact.key}:{int(offset.total_seconds())}",
                    stored.id,
                    c.id,
                    occurrence,
                    number,
                    due,
                    offset,
                )
                for c in contacts
            ]
    if known is None:
        return await store.plan_notices(notices)
    fresh = [n for n in notices if (n.delivery_key, n.meeting_id, n.contact_id) not in known]
    planned = await store.plan_notices(fresh) if fresh else 0
    if len(known) > 1_000_000:
        known.clear()
    known.update((n.delivery_key, n.meeting_id, n.contact_id) for n in fresh)
    return planned


async def plan_welcome(store: MeetingStore, contact: StoredContact, now: datetime) -> int:
    """The next occurrence of each of the process's meetings, with its calendar file, for a newly
    registered contact; idempotent (the key names the occurrence and the contact)."""
    return await store.plan_notices(_welcomes(await store.meetings(), contact, now))


async def plan_pending_welcomes(store: MeetingStore, now: datetime) -> int:
    """Plan the welcomes of contacts created without a chat registration (e-mail contacts of a
    file import or the CLI, :meth:`MeetingDirectory.welcomes_pending`), then unmark them.

    Exactly once across processes: the mark is set in the transaction that created the contact,
    planning is idempotent on the delivery key, and the mark is cleared only after the rows
    exist, so a crash in between plans the same rows again (nothing new) at the next tick."""
    pending = await store.welcomes_pending()
    if not pending:
        return 0
    meetings = await store.meetings()
    notices = [
        n
        for c in pending
        if not c.contact.opted_out
        for n in _welcomes(meetings, c, now, unless_reminder_due=True)
    ]
    planned = await store.plan_notices(notices) if notices else 0
    await store.welcomes_planned(c.id for c in pending)
    return planned


def _welcomes(
    meetings: list[StoredMeeting], contact: StoredContact, now: datetime, *, unless_reminder_due: bool = False
) -> list[Notice]:
    """The welcome notices of ``contact``; ``unless_reminder_due``: none for an occurrence whose
    reminder is already due (it brings the date and the calendar file now, a welcome would repeat them)."""
    notices = []
    for stored in meetings:
        meeting = stored.meeting
        if meeting.process_key != contact.process_key:
            continue
        occurrence = next_occurrence(meeting, now)
        if occurrence is None:
            continue
        if unless_reminder_due and any(
            utc(due_time(occurrence, offset)) <= utc(now) for offset in meeting.reminder_offsets
        ):
            continue
        key = f"{WELCOME}:{meeting_name(meeting)}:{to_iso(occurrence)}:{contact.contact.key}"
        number = occurrence_number(meeting, occurrence)
        notices.append(Notice(WELCOME, key, stored.id, contact.id, occurrence, number, now))
    return notices


def notice_text(kind: str, meeting: Meeting, occurrence: datetime, lang: Language | str) -> str:
    when = format_when(occurrence, meeting.duration, lang)
    place = t("notices.place", lang, place=meeting.place) if meeting.place else ""
    return t(f"notices.{kind}", lang, title=meeting.title, when=when, place=place)


def notice_stale_reason(
    row: Claimed, stored: StoredMeeting | None, contact: StoredContact | None, now: datetime
) -> str | None:
    if contact is None or not contact.active:
        return "contact no longer in the configuration"
    if contact.contact.opted_out:
        return OPTED_OUT
    if stored is None:
        return "meeting no longer in the configuration"
    if utc(now) >= utc(row.occurrence):
        return "meeting has started"
    if row.kind in (WELCOME, NUDGE):
        if not stored.active:
            return "meeting no longer in the configuration"
        if not is_occurrence(stored.meeting, row.occurrence):
            return "meeting time changed"
        if row.kind == NUDGE and row.offset not in stored.meeting.nudge_offsets:
            return "nudges changed"
    return None
