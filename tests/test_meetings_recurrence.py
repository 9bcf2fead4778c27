"""Yearly dialogue meetings recur in Stockholm wall time, through DST gaps and folds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from facilitation.errors import DomainError
from facilitation.i18n import keys
from facilitation.meetings import STOCKHOLM, Meeting, next_occurrence, normalise_rrule, occurrences
from facilitation.meetings.texts import TEXTS
from facilitation.meetings.tz import is_ambiguous, is_nonexistent, localize
from facilitation.model import Language


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def meeting(start: datetime, rrule: str | None) -> Meeting:
    return Meeting("dialogmote", "varmland", "Årligt dialogmöte", start, rrule=rrule)


DIALOGMOTE = meeting(local(2027, 3, 9, 10), "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU")


def test_texts_are_registered_in_both_languages() -> None:
    assert set(TEXTS["sv"]) == set(TEXTS["en"])
    assert set(TEXTS["sv"]) <= keys(Language.SV) and set(TEXTS["en"]) <= keys(Language.EN)


def test_second_tuesday_of_march_every_year_at_ten_local() -> None:
    found = occurrences(DIALOGMOTE, local(2026, 1, 1), local(2031, 1, 1))
    assert [o.date().isoformat() for o in found] == ["2027-03-09", "2028-03-14", "2029-03-13", "2030-03-12"]
    assert all(o.hour == 10 and o.minute == 0 and o.tzinfo is STOCKHOLM for o in found)
    assert all(o.utcoffset() == timedelta(hours=1) for o in found)  # March before DST: CET


def test_window_is_half_open_and_accepts_utc_bounds() -> None:
    first = local(2027, 3, 9, 10)
    assert occurrences(DIALOGMOTE, first, first + timedelta(seconds=1)) == [first]
    assert occurrences(DIALOGMOTE, first - timedelta(days=1), first) == []
    utc_found = occurrences(
        DIALOGMOTE, datetime(2027, 3, 9, 9, tzinfo=UTC), datetime(2027, 3, 9, 10, tzinfo=UTC)
    )
    assert utc_found == [first]


def test_ten_oclock_stays_ten_oclock_across_dst() -> None:
    spring_autumn = meeting(local(2026, 9, 1, 10), "FREQ=MONTHLY;BYMONTHDAY=1")
    found = occurrences(spring_autumn, local(2026, 9, 1), local(2027, 5, 2))
    assert [o.hour for o in found] == [10] * 9
    offsets = {o.month: o.utcoffset() for o in found}
    assert offsets[9] == offsets[10] == offsets[4] == offsets[5] == timedelta(hours=2)
    assert offsets[11] == offsets[1] == offsets[3] == timedelta(hours=1)


def test_spring_gap_moves_forward_an_hour() -> None:
    sundays = meeting(local(2027, 3, 21, 2, 30), "FREQ=WEEKLY;BYDAY=SU")
    found = occurrences(sundays, local(2027, 3, 20), local(2027, 4, 5))
    assert [o.isoformat() for o in found] == [
        "2027-03-21T02:30:00+01:00",
        "2027-03-28T03:30:00+02:00",  # 02:30 does not exist on 2027-03-28
        "2027-04-04T02:30:00+02:00",
    ]
    assert found[1].astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_autumn_fold_means_the_first_summer_time_occurrence() -> None:
    sundays = meeting(local(2026, 10, 18, 2, 30), "FREQ=WEEKLY;BYDAY=SU")
    found = occurrences(sundays, local(2026, 10, 18), local(2026, 11, 2))
    assert [o.astimezone(UTC).isoformat() for o in found] == [
        "2026-10-18T00:30:00+00:00",
        "2026-10-25T00:30:00+00:00",  # first 02:30, CEST, not the second (01:30 UTC)
        "2026-11-01T01:30:00+00:00",
    ]


def test_gap_and_fold_detection() -> None:
    assert is_nonexistent(datetime(2027, 3, 28, 2, 30)) and not is_ambiguous(datetime(2027, 3, 28, 2, 30))
    assert is_ambiguous(datetime(2026, 10, 25, 2, 30)) and not is_nonexistent(datetime(2026, 10, 25, 2, 30))
    assert not is_ambiguous(datetime(2026, 10, 25, 3, 30)) and not is_nonexistent(
        datetime(2026, 10, 25, 3, 30)
    )
    assert localize(datetime(2026, 3, 29, 2, 0)).isoformat() == "2026-03-29T03:00:00+02:00"


def test_window_near_dst_boundary_uses_instants_not_wall_times() -> None:
    sundays = meeting(local(2026, 10, 18, 2, 30), "FREQ=WEEKLY;BYDAY=SU")
    # The first 02:30 (00:30 UTC) is inside, the window ends before the second 02:30 would be.
    found = occurrences(sundays, datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC))
    assert len(found) == 1
    assert (
        occurrences(sundays, datetime(2026, 10, 25, 1, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC))
        == []
    )


def test_next_occurrence() -> None:
    assert next_occurrence(DIALOGMOTE, local(2020, 1, 1)) == local(2027, 3, 9, 10)
    assert next_occurrence(DIALOGMOTE, local(2027, 3, 9, 10)) == local(2028, 3, 14, 10)  # strictly after
    assert next_occurrence(DIALOGMOTE, local(2027, 3, 9, 9, 59)) == local(2027, 3, 9, 10)


def test_one_off_meeting_has_its_single_start() -> None:
    once = meeting(local(2026, 10, 23, 9), None)
    assert occurrences(once, local(2026, 1, 1), local(2030, 1, 1)) == [local(2026, 10, 23, 9)]
    assert occurrences(once, local(2027, 1, 1), local(2030, 1, 1)) == []
    assert next_occurrence(once, local(2026, 1, 1)) == local(2026, 10, 23, 9)
    assert next_occurrence(once, local(2026, 10, 23, 9)) is None


def test_plain_yearly_rule_and_count_and_utc_until() -> None:
    yearly = meeting(local(2026, 10, 23, 9), "FREQ=YEARLY")
    assert [o.year for o in occurrences(yearly, local(2026, 1, 1), local(2029, 12, 31))] == [
        2026,
        2027,
        2028,
        2029,
    ]
    counted = meeting(local(2026, 10, 23, 9), "RRULE:FREQ=YEARLY;COUNT=2")
    assert len(occurrences(counted, local(2026, 1, 1), local(2040, 1, 1))) == 2
    assert next_occurrence(counted, local(2027, 10, 23, 9)) is None
    # 2028-10-23 09:00 CEST is 07:00 UTC; an UNTIL of exactly that instant includes it.
    until = meeting(local(2026, 10, 23, 9), "FREQ=YEARLY;UNTIL=20281023T070000Z")
    assert [o.year for o in occurrences(until, local(2026, 1, 1), local(2040, 1, 1))] == [2026, 2027, 2028]
    assert normalise_rrule("FREQ=YEARLY;UNTIL=20281023T070000Z") == "FREQ=YEARLY;UNTIL=20281023T090000"


def test_start_is_an_occurrence_even_off_rule() -> None:
    off_rule = meeting(local(2027, 3, 10, 10), "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU")
    found = occurrences(off_rule, local(2027, 1, 1), local(2028, 12, 31))
    assert [o.date().isoformat() for o in found] == ["2027-03-10", "2028-03-14"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "BYDAY=MO",
        "FREQ=FOO",
        "FREQ=HOURLY",
        "FREQ=YEARLY;BYDAY=XX",
        "FREQ=YEARLY;COUNT=2;UNTIL=20300101",
        "FREQ=YEARLY;FREQ=MONTHLY",
        "FREQ=YEARLY;BYMONTH",
        "FREQ=YEARLY\nRRULE:FREQ=DAILY",
        "DTSTART:20270101T100000",
        "FREQ=YEARLY;UNTIL=2030Z",
    ],
)
def test_bad_rrule_is_refused_with_the_text(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalise_rrule(text)
    assert caught.value.key == "meetings.bad_rrule"
    assert caught.value.params["rrule"] == text
    assert text in caught.value.message("sv") or not text.strip()
    bad = meeting(local(2027, 3, 9, 10), text or "FREQ=")
    with pytest.raises(DomainError):
        occurrences(bad, local(2027, 1, 1), local(2028, 1, 1))


def test_meeting_refuses_naive_start_and_keeps_offsets_sorted() -> None:
    with pytest.raises(ValueError):
        Meeting("m", "p", "T", datetime(2027, 3, 9, 10))
    m = Meeting(
        "m",
        "p",
        "T",
        datetime(2027, 3, 9, 9, tzinfo=UTC),
        reminder_offsets=(timedelta(days=1), timedelta(days=7)),
    )
    assert m.start.tzinfo is STOCKHOLM and m.start.hour == 10
    assert m.reminder_offsets == (timedelta(days=7), timedelta(days=1))
