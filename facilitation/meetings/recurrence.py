"""Occurrences of a meeting: its RFC 5545 RRULE expanded in Europe/Stockholm wall time.

The rule is expanded on naive local times (dateutil), then each wall time is turned into an
instant by the gap/fold rule of :mod:`facilitation.meetings.tz`: a 10.00 meeting stays 10.00
local in winter and summer; a time in the spring gap moves forward an hour, an ambiguous
autumn time means its first (summer-time) occurrence.

``start`` is always the first occurrence, even when it does not match the rule (RFC 5545
leaves that case undefined; the config importer refuses it). Only YEARLY, MONTHLY, WEEKLY and
DAILY rules are accepted: a dialogue meeting never repeats every hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import facilitation.meetings.texts  # noqa: F401  (registers meetings.* texts)
from facilitation.errors import DomainError
from facilitation.meetings.model import Meeting
from facilitation.meetings.tz import STOCKHOLM, localize, utc, wall

if TYPE_CHECKING:
    from dateutil.rrule import rrule, rruleset

ALLOWED_FREQS = frozenset({"YEARLY", "MONTHLY", "WEEKLY", "DAILY"})
_MARGIN = timedelta(days=2)  # wall time and UTC differ by at most two hours; two days is ample

# RFC 5545 §3.3.10 value ranges: (lowest, highest, negative values allowed). dateutil accepts
# e.g. BYMONTH=13 silently and then never yields a date, so the ranges are checked here.
_RANGES: dict[str, tuple[int, int, bool]] = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
    "INTERVAL": (1, 1000, False),
    "COUNT": (1, 100_000, False),
}
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def _refuse(text: str, reason: str) -> DomainError:
    return DomainError("meetings.bad_rrule", rrule=text, reason=reason)


def _check_values(text: str, name: str, value: str) -> None:
    """Refuse a BY…/INTERVAL/COUNT value outside its RFC 5545 range (e.g. BYMONTH=13)."""
    if name == "BYDAY":
        for item in value.upper().split(","):
            match = _BYDAY.match(item.strip())
            if not match or (match.group(1) and not 1 <= abs(int(match.group(1))) <= 53):
                raise _refuse(text, f"BYDAY={value}: “{item}” is not a weekday like TU or 2TU")
        return
    if name not in _RANGES:
        return
    low, high, negative = _RANGES[name]
    allowed = f"{low}–{high}" + (f" or -{high}–-{low}" if negative else "")
    for item in value.split(","):
        try:
            number = int(item.strip())
        except ValueError:
            raise _refuse(text, f"{name}={value}: “{item}” is not a whole number") from None
        if not (low <= number <= high or (negative and -high <= number <= -low)):
            raise _refuse(text, f"{name}={value}: {number} is outside {allowed}")


def normalise_rrule(text: str) -> str:
    """Validate an RRULE value and return it without an ``RRULE:`` prefix and with a local UNTIL.

    A UTC ``UNTIL=...Z`` is converted to Stockholm wall time, because the rule is expanded
    on naive local times. Raises :class:`DomainError` ``meetings.bad_rrule`` on bad text.
    """
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body or "\n" in body or "\r" in body or ":" in body:
        raise _refuse(text, "expected one RRULE value such as FREQ=YEARLY;BYMONTH=3;BYDAY=2TU")
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise _refuse(text, f"“{part}” is not NAME=VALUE")
        if name in parts:
            raise _refuse(text, f"{name} given twice")
        parts[name] = value.strip()
        _check_values(text, name, parts[name])
    freq = parts.get("FREQ", "").upper()
    if not freq:
        raise _refuse(text, "FREQ is missing")
    if freq not in ALLOWED_FREQS:
        raise _refuse(text, f"FREQ={freq} is not one of {', '.join(sorted(ALLOWED_FREQS))}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse(text, "COUNT and UNTIL cannot both be given")
    until = parts.get("UNTIL", "")
    if until.upper().endswith("Z"):
        try:
            instant = datetime.strptime(until.upper(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise _refuse(text, f"UNTIL={until} is not a date-time like 20300101T000000Z") from None
        parts["UNTIL"] = wall(instant).strftime("%Y%m%dT%H%M%S")
    result = ";".join(f"{name}={value}" for name, value in parts.items())
    _compile(result, datetime(2000, 1, 1), text)
    return result


@lru_cache(maxsize=512)
def _compile(body: str, dtstart: datetime, original: str) -> rrule:
    # dateutil is loaded when a meeting's rule is first expanded, not when the bot starts.
    from dateutil.rrule import rrule, rrulestr

    try:
        rule = rrulestr(body, dtstart=dtstart, cache=True)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _refuse(original, str(exc) or type(exc).__name__) from None
    if not isinstance(rule, rrule):
        raise _refuse(original, "expected a single RRULE")
    return rule


@lru_cache(maxsize=512)
def _series(body: str, dtstart: datetime, original: str) -> rruleset:
    from dateutil.rrule import rruleset  # see _compile

    recurrence = rruleset(cache=True)
    recurrence.rrule(_compile(body, dtstart, original))
    recurrence.rdate(dtstart)  # the start is always an occurrence
    return recurrence


def _rule(meeting: Meeting) -> rruleset | None:
    if meeting.rrule is None:
        return None
    return _series(normalise_rrule(meeting.rrule), wall(meeting.start), meeting.rrule)


def _instant(meeting: Meeting, local_wall: datetime) -> datetime:
    # The start keeps its own fold (an explicitly second 02:30 in October stays the second).
    return meeting.start if local_wall == wall(meeting.start) else localize(local_wall)


def start_matches_rule(meeting: Meeting) -> bool:
    """Whether the meeting's start is itself a date of its RRULE (always true for one-offs)."""
    if meeting.rrule is None:
        return True
    start = wall(meeting.start)
    rule = _compile(normalise_rrule(meeting.rrule), start, meeting.rrule)
    return bool(rule.between(start, start, inc=True))


def occurrences(meeting: Meeting, start: datetime, end: datetime) -> list[datetime]:
    """Occurrences ``o`` with ``start <= o < end``, as aware Europe/Stockholm datetimes, in order."""
    lo, hi = utc(start), utc(end)
    rule = _rule(meeting)
    if rule is None:
        return [meeting.start] if lo <= utc(meeting.start) < hi else []
    if hi <= lo:
        return []
    walls = rule.between(wall(start) - _MARGIN, wall(end) + _MARGIN, inc=True)
    found = (_instant(meeting, w) for w in walls)
    return [o for o in found if lo <= utc(o) < hi]


def is_occurrence(meeting: Meeting, instant: datetime) -> bool:
    """Whether ``instant`` is an occurrence of the meeting, compared as UTC instants.

    Never with ``==`` on aware datetimes of different zones: Python calls a time in the autumn
    fold unequal to every time of another zone (PEP 495), so a 02:30 meeting on the last
    Sunday of October would never match its own UTC record.
    """
    moment = utc(instant)
    return any(utc(o) == moment for o in occurrences(meeting, moment, moment + timedelta(seconds=1)))


def next_occurrence(meeting: Meeting, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after``, or ``None`` when the series has ended."""
    limit = utc(after)
    rule = _rule(meeting)
    if rule is None:
        return meeting.start if utc(meeting.start) > limit else None
    candidate = rule.after(wall(after) - _MARGIN, inc=True)
    while candidate is not None:
        instant = _instant(meeting, candidate)
        if utc(instant) > limit:
            return instant.astimezone(STOCKHOLM)
        candidate = rule.after(candidate)
    return None


def occurrence_number(meeting: Meeting, instant: datetime) -> int:
    """The occurrence's place in the series (0 for the start), or ``ValueError`` if it is none.

    The stable part of a calendar UID: moving one occurrence keeps its number, so the file that
    tells of the move updates the same calendar entry.
    """
    if not is_occurrence(meeting, instant):
        raise ValueError(f"{to_iso(instant)} is not an occurrence of meeting {meeting.key!r}")
    return len(occurrences(meeting, meeting.start, instant))


def nth_occurrence(meeting: Meeting, number: int) -> datetime | None:
    """Occurrence ``number`` (0 = the start), or ``None`` when the series is shorter."""
    if number < 0:
        return None
    rule = _rule(meeting)
    if rule is None:
        return meeting.start if number == 0 else None
    for index, local_wall in enumerate(rule):
        if index == number:
            return _instant(meeting, local_wall).astimezone(STOCKHOLM)
    return None


def to_iso(instant: datetime) -> str:
    return utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")
