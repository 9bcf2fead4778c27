"""A calendar client as RFC 5546 describes one, applying received .ics files in order.

Parsed with the real iCalendar parser (icalendar). An event is kept per UID; a PUBLISH/REQUEST
replaces it if its SEQUENCE is not lower than the one kept (same sequence: the later DTSTAMP
wins), a CANCEL with a sequence not lower removes it. What is left is what the user's calendar
shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event


@dataclass(frozen=True)
class Entry:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str


class CalendarClient:
    def __init__(self) -> None:
        self._events: dict[str, tuple[int, datetime, Event | None]] = {}
        self.applied = 0

    def apply(self, data: bytes) -> None:
        calendar = Calendar.from_ical(data)
        method = str(calendar.get("METHOD", "PUBLISH")).upper()
        for event in calendar.walk("VEVENT"):
            uid = str(event["UID"])
            sequence = int(event.get("SEQUENCE", 0))
            stamp = event.decoded("DTSTAMP")
            kept = self._events.get(uid)
            if kept is not None and (sequence, stamp) < (kept[0], kept[1]):
                continue  # an older version arriving late is ignored
            cancelled = method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"
            self._events[uid] = (sequence, stamp, None if cancelled else event)
        self.applied += 1

    def entries(self) -> list[Entry]:
        found = []
        for uid, (sequence, _stamp, event) in sorted(self._events.items()):
            if event is None:
                continue
            found.append(
                Entry(
                    uid,
                    sequence,
                    event.decoded("DTSTART"),
                    event.decoded("DTEND"),
                    str(event.get("SUMMARY", "")),
                    str(event.get("LOCATION", "")),
                    str(event.get("DESCRIPTION", "")),
                )
            )
        return found
