"""A calendar file (RFC 5545) for one occurrence of a meeting, to attach to a reminder.

One VEVENT per occurrence rather than the whole series: the contact's calendar shows exactly
the meeting they were reminded of. The UID is made of the meeting's key and the occurrence's
*place in the series* (not its time), so a file telling that the occurrence moved, changed
place or agenda updates the same calendar entry instead of adding a second one; ``SEQUENCE``
grows with every change (RFC 5546: a client keeps the version with the highest sequence), and
a cancelled occurrence is a ``METHOD:CANCEL`` file with ``STATUS:CANCELLED``. Times carry
TZID=Europe/Stockholm with a VTIMEZONE, so the meeting stays at its local time in any client.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import facilitation.meetings.texts  # noqa: F401  (registers meetings.* texts)
from facilitation.i18n import t
from facilitation.meetings.model import Meeting
from facilitation.meetings.recurrence import is_occurrence, occurrence_number
from facilitation.meetings.tz import localize, to_local, utc, wall
from facilitation.model import Language

PRODID = "-//Dialogbot//Overenskommelse dialogmoten//SV"
DEFAULT_ALARM = timedelta(hours=1)


def event_uid(meeting: Meeting, number: int, uid_domain: str = "dialogbot") -> str:
    """``process-meeting-3@domain`` for occurrence number 3 (0 = the series' start): the same for
    every file of one occurrence, also after it moved."""
    return f"{meeting.process_key}-{meeting.key}-{number}@{uid_domain}"


def _ical_time(moment: datetime) -> datetime:
    """Stockholm time with TZID, or UTC when the wall time would be misread.

    A TZID wall time in the autumn fold means its first occurrence (RFC 5545), so a meeting
    starting or ending at the *second* 02:30 is written in UTC, which DTSTART/DTEND allow.
    """
    local = to_local(moment)
    return local if utc(localize(wall(local))) == utc(local) else utc(local)


def _description(meeting: Meeting, lang: Language | str) -> str:
    parts = []
    if meeting.agenda:
        parts.append(f"{t('meetings.ics.agenda', lang)}:\n{meeting.agenda.strip()}")
    if meeting.link:
        parts.append(f"{t('meetings.ics.link', lang)}: {meeting.link}")
    return "\n\n".join(parts)


def meeting_ics(
    meeting: Meeting,
    occurrence: datetime,
    *,
    uid_domain: str = "dialogbot",
    lang: Language | str = Language.SV,
    stamp: datetime | None = None,
    alarm_before: timedelta = DEFAULT_ALARM,
    sequence: int = 0,
    number: int | None = None,
    cancelled: bool = False,
) -> bytes:
    """The .ics bytes for ``occurrence`` of ``meeting`` (METHOD:PUBLISH, one VEVENT, one VALARM).

    ``stamp`` (DTSTAMP) defaults to now; tests pass it to get identical bytes. ``sequence``: how
    many times this occurrence has changed. ``cancelled``: a METHOD:CANCEL file for an occurrence
    that no longer takes place; then ``number`` (its place in the series, for the UID) must be
    given, as the meeting may no longer have it. Raises ``ValueError`` when ``occurrence`` is not
    an occurrence of the meeting.
    """
    start = to_local(occurrence)
    if number is None:
        number = occurrence_number(meeting, start)
    elif not cancelled and not is_occurrence(meeting, start):
        raise ValueError(f"{start.isoformat()} is not an occurrence of meeting {meeting.key!r}")
    end = to_local(utc(start) + meeting.duration)

    # icalendar (about 4 MiB with its time-zone tables) is loaded when a calendar file is first
    # made, not at start-up: an idle bot with no meetings to remind never needs it.
    from icalendar import Alarm, Calendar, Event

    event = Event()
    event.add("uid", event_uid(meeting, number, uid_domain))
    event.add("sequence", sequence)
    event.add("dtstamp", utc(stamp) if stamp is not None else datetime.now(UTC))
    event.add("dtstart", _ical_time(start))
    event.add("dtend", _ical_time(end))
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.link:
        event.add("url", meeting.link)
    description = _description(meeting, lang)
    if description:
        event.add("description", description)

    if cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -alarm_before)
        alarm.add("description", t("meetings.ics.alarm", lang, title=meeting.title))
        event.add_component(alarm)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(event)
    # Transitions for the year around the meeting are enough for any client to place it.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(start.year + 2, 1, 1)
    )
    return calendar.to_ical()
