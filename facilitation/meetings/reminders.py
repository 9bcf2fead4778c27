"""Which reminders fall due, and what to do with one that is due (or overdue after downtime).

**Due time in local calendar terms.** ``due_at = occurrence - offset`` subtracts the whole
days of ``offset`` in Europe/Stockholm wall time and the rest (hours, minutes) as elapsed
time. So "1 day before" a 10.00 meeting is 10.00 local the day before, also when the clocks
change in between (23 or 25 real hours), while "2 hours before" is two real hours. A wall time
that lands in the spring gap or the autumn fold follows the rule of
:mod:`facilitation.meetings.tz` (gap: forward an hour; fold: the first, summer-time one).

**Catch-up after downtime** (:func:`classify`):

* the occurrence has started → ``skip_past`` (a reminder after the fact is noise);
* a later (shorter) offset of the same occurrence is also already due → ``skip_past``: when
  several reminders of one (occurrence, contact) are overdue, only the most recent one is
  sent, so a contact never gets "in 30 days" and "in 7 days" in the same minute;
* not yet due → ``wait``;
* due no longer ago than ``late_grace`` → ``send`` (on time);
* later than that → ``catch_up`` (send, worded from the time actually left: see
  ``reminder_text(..., now=)``), unless the next shorter reminder falls due within
  ``min_gap`` (default one day): then it is ``skip_past``, because the next one follows
  almost at once and two reminders within a day are noise.

Exactly-once is storage's job: :func:`delivery_key` is the unique key a dispatcher records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from facilitation.meetings.model import Contact, Meeting
from facilitation.meetings.recurrence import occurrences
from facilitation.meetings.tz import STOCKHOLM, localize, utc, wall

Verdict = Literal["send", "catch_up", "skip_past", "wait"]
DEFAULT_LATE_GRACE = timedelta(minutes=15)
DEFAULT_MIN_GAP = timedelta(days=1)


@dataclass(frozen=True)
class ReminderDue:
    """One reminder for one contact before one occurrence.

    ``next_due_at`` is the due time of the next shorter offset of the same occurrence (``None``
    for the last reminder); :func:`classify` uses it to skip superseded overdue reminders.
    """

    meeting_key: str
    occurrence: datetime
    contact_key: str
    offset: timedelta
    due_at: datetime
    process_key: str = ""
    next_due_at: datetime | None = None


def due_time(occurrence: datetime, offset: timedelta) -> datetime:
    """``occurrence - offset`` with whole days in local wall time (see the module docstring)."""
    days = timedelta(days=offset.days)
    rest = offset - days
    by_calendar = localize(wall(occurrence) - days)
    return (utc(by_calendar) - rest).astimezone(STOCKHOLM)


def plan_reminders(
    meetings: Iterable[Meeting],
    contacts_by_process: Mapping[str, Iterable[Contact]],
    now: datetime,
    horizon: timedelta,
    on_error: Callable[[Meeting, Exception], None] | None = None,
) -> list[ReminderDue]:
    """Reminders due by ``now + horizon`` for occurrences that have not started, ordered by due time.

    Overdue reminders are included (the caller classifies them and dedupes by
    :func:`delivery_key`); opted-out contacts get none. With ``on_error``, a meeting that cannot
    be planned (a row stored before its values were validated) is handed to it and the others
    are planned anyway; without, the error propagates.
    """
    planned: list[ReminderDue] = []
    for meeting in meetings:
        contacts = [c for c in contacts_by_process.get(meeting.process_key, ()) if not c.opted_out]
        if not contacts or not meeting.reminder_offsets:
            continue
        try:
            planned.extend(_plan_meeting(meeting, contacts, now, horizon))
        except Exception as exc:
            if on_error is None:
                raise
            on_error(meeting, exc)
    planned.sort(key=lambda r: (utc(r.due_at), r.process_key, r.meeting_key, r.contact_key, -r.offset))
    return planned


def _plan_meeting(
    meeting: Meeting, contacts: list[Contact], now: datetime, horizon: timedelta
) -> list[ReminderDue]:
    until = utc(now) + horizon
    window_end = until + max(meeting.reminder_offsets) + timedelta(days=1)
    planned: list[ReminderDue] = []
    for occurrence in occurrences(meeting, now, window_end):
        if utc(occurrence) <= utc(now):
            continue
        dues = [(offset, due_time(occurrence, offset)) for offset in meeting.reminder_offsets]
        for index, (offset, due_at) in enumerate(dues):
            if utc(due_at) > until:
                continue
            next_due = dues[index + 1][1] if index + 1 < len(dues) else None
            planned.extend(
                ReminderDue(meeting.key, occurrence, c.key, offset, due_at, meeting.process_key, next_due)
                for c in contacts
            )
    return planned


def classify(
    due: ReminderDue,
    now: datetime,
    *,
    late_grace: timedelta = DEFAULT_LATE_GRACE,
    min_gap: timedelta = DEFAULT_MIN_GAP,
) -> Verdict:
    """What a dispatcher does with ``due`` at ``now``; the rules are in the module docstring."""
    moment = utc(now)
    if moment >= utc(due.occurrence):
        return "skip_past"
    if due.next_due_at is not None and utc(due.next_due_at) <= moment:
        return "skip_past"
    lateness = moment - utc(due.due_at)
    if lateness < timedelta(0):
        return "wait"
    if lateness <= late_grace:
        return "send"
    if due.next_due_at is not None and utc(due.next_due_at) <= moment + min_gap:
        return "skip_past"
    return "catch_up"


def delivery_key(due: ReminderDue) -> str:
    """A stable unique id ``meeting:occurrenceISO:contact:offsetSeconds`` for storage.

    The meeting part is ``process/meeting`` when the process is known (meeting keys are
    unique per process only); the occurrence is in UTC so the id never depends on a zone.
    """
    meeting = f"{due.process_key}/{due.meeting_key}" if due.process_key else due.meeting_key
    occurrence = utc(due.occurrence).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{meeting}:{occurrence}:{due.contact_key}:{int(due.offset.total_seconds())}"


__all__ = [
    "DEFAULT_LATE_GRACE",
    "DEFAULT_MIN_GAP",
    "ReminderDue",
    "Verdict",
    "classify",
    "delivery_key",
    "due_time",
    "plan_reminders",
]
