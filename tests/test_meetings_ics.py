"""Calendar files parse back with icalendar and place the meeting at the right local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from facilitation.meetings import STOCKHOLM, Meeting, event_uid, meeting_ics

STAMP = datetime(2027, 1, 15, 12, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


DIALOGMOTE = Meeting(
    "dialogmote",
    "varmland",
    "Årligt dialogmöte",
    local(2027, 3, 9, 10),
    timedelta(hours=3),
    place="Residenset, Karlstad",
    link="https://example.org/dialogmote",
    agenda="1. Uppföljning av åtagandena\n2. Vilka principer är viktiga för oss?",
    rrule="FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
)


def parse(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_round_trip_has_all_parts() -> None:
    data = meeting_ics(DIALOGMOTE, local(2028, 3, 14, 10), stamp=STAMP)
    calendar, event = parse(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "Dialogbot" in str(calendar["PRODID"])
    assert str(calendar["VERSION"]) == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert b"DTSTART;TZID=Europe/Stockholm:20280314T100000" in data
    assert b"DTEND;TZID=Europe/Stockholm:20280314T130000" in data
    assert str(event["UID"]) == "varmland-dialogmote-1@dialogbot"
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "Årligt dialogmöte"
    assert str(event["LOCATION"]) == "Residenset, Karlstad"
    assert str(event["URL"]) == "https://example.org/dialogmote"
    assert "Dagordning:\n1. Uppföljning av åtagandena" in str(event["DESCRIPTION"])
    start = event.decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2028, 3, 14, 9, tzinfo=UTC)
    assert start.astimezone(STOCKHOLM).hour == 10
    assert event.decoded("DTEND") - start == timedelta(hours=3)
    alarms = event.walk("VALARM")
    assert len(alarms) == 1 and str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == -timedelta(hours=1)
    assert not calendar.get_missing_tzids()


def test_english_description_and_uid_domain() -> None:
    data = meeting_ics(
        DIALOGMOTE, local(2027, 3, 9, 10), uid_domain="bot.example.org", lang="en", stamp=STAMP
    )
    _, event = parse(data)
    assert str(event["UID"]).endswith("@bot.example.org")
    assert str(event["DESCRIPTION"]).startswith("Agenda:\n")
    assert "Reminder: Årligt dialogmöte" in str(event.walk("VALARM")[0]["DESCRIPTION"])


def test_uid_is_stable_per_occurrence() -> None:
    first = meeting_ics(DIALOGMOTE, local(2027, 3, 9, 10), stamp=STAMP)
    again = meeting_ics(DIALOGMOTE, local(2027, 3, 9, 9, 0).astimezone(UTC) + timedelta(hours=1), stamp=STAMP)
    next_year = meeting_ics(DIALOGMOTE, local(2028, 3, 14, 10), stamp=STAMP)
    assert first == again
    assert parse(first)[1]["UID"] != parse(next_year)[1]["UID"]
    assert str(parse(first)[1]["UID"]) == event_uid(DIALOGMOTE, 0) == "varmland-dialogmote-0@dialogbot"
    assert str(parse(next_year)[1]["UID"]) == "varmland-dialogmote-1@dialogbot"


@pytest.mark.parametrize(
    ("start", "utc_start", "utc_end"),
    [
        # spring forward 2027-03-28 02:00 → 03:00: a 01:30–03:30 local meeting lasts 2 real hours
        (
            local(2027, 3, 28, 1, 30),
            datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
            datetime(2027, 3, 28, 2, 30, tzinfo=UTC),
        ),
        # fall back 2026-10-25 03:00 → 02:00: 10:00 local is CET, 09:00 UTC
        (
            local(2026, 10, 25, 10),
            datetime(2026, 10, 25, 9, tzinfo=UTC),
            datetime(2026, 10, 25, 11, tzinfo=UTC),
        ),
        (
            local(2026, 10, 25, 1, 30),
            datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        ),
    ],
)
def test_meeting_on_dst_boundary_date(start: datetime, utc_start: datetime, utc_end: datetime) -> None:
    once = Meeting("natt", "halland", "Nattmöte", start, timedelta(hours=2))
    calendar, event = parse(meeting_ics(once, start, stamp=STAMP))
    assert event.decoded("DTSTART").astimezone(UTC) == utc_start
    assert event.decoded("DTEND").astimezone(UTC) == utc_end
    assert event.decoded("DTSTART").astimezone(STOCKHOLM).replace(tzinfo=None) == start.replace(tzinfo=None)
    # The VTIMEZONE carries the transition of that year, so clients that ignore zoneinfo agree.
    tz_text = calendar.walk("VTIMEZONE")[0].to_ical()
    assert f"{start.year}{start.month:02d}{'28' if start.month == 3 else '25'}T0".encode() in tz_text


def test_end_in_the_second_fold_hour_is_written_in_utc() -> None:
    # 01:30 CEST + 2 h ends at the *second* 02:30; a TZID wall time would mean the first.
    once = Meeting("natt", "halland", "Nattmöte", local(2026, 10, 25, 1, 30), timedelta(hours=2))
    data = meeting_ics(once, once.start, stamp=STAMP)
    assert b"DTSTART;TZID=Europe/Stockholm:20261025T013000" in data
    assert b"DTEND:20261025T013000Z" in data


def test_not_an_occurrence_is_refused() -> None:
    with pytest.raises(ValueError):
        meeting_ics(DIALOGMOTE, local(2027, 3, 10, 10), stamp=STAMP)
