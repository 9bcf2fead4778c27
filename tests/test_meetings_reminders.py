"""Reminder planning, local-calendar due times across DST, catch-up after downtime, texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from facilitation.meetings import (
    STOCKHOLM,
    Contact,
    Meeting,
    ReminderDue,
    Rsvp,
    RsvpTally,
    classify,
    delivery_key,
    due_time,
    plan_reminders,
    reminder_text,
    rsvp_buttons,
    rsvp_saved,
    rsvp_summary,
)
from facilitation.model import Language

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


ANNA = Contact("anna", "Anna", "telegram", "123")
BO = Contact("bo", "Bo", "slack", "U1", workspace="T1", language=Language.EN)
CILLA = Contact("cilla", "Cilla", "local", "cilla", opted_out=True)
CONTACTS = {"varmland": [ANNA, BO, CILLA]}

DIALOGMOTE = Meeting(
    "dialogmote",
    "varmland",
    "Årligt dialogmöte för Överenskommelsen i Värmland",
    local(2026, 3, 10, 10),
    place="Residenset, Karlstad",
    rrule="FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
)


# --- due time in local calendar terms -------------------------------------------------------


@pytest.mark.parametrize(
    ("occurrence", "offset", "expected", "elapsed"),
    [
        # last Sunday of March 2026 (29th) and 2027 (28th): clocks spring forward
        (local(2026, 3, 29, 10), DAY, "2026-03-28T10:00:00+01:00", timedelta(hours=23)),
        (local(2027, 3, 28, 10), DAY, "2027-03-27T10:00:00+01:00", timedelta(hours=23)),
        (local(2027, 3, 30, 10), WEEK, "2027-03-23T10:00:00+01:00", WEEK - timedelta(hours=1)),
        # last Sunday of October 2026 (25th) and 2027 (31st): clocks fall back
        (local(2026, 10, 25, 10), DAY, "2026-10-24T10:00:00+02:00", timedelta(hours=25)),
        (local(2027, 10, 31, 10), DAY, "2027-10-30T10:00:00+02:00", timedelta(hours=25)),
        (local(2026, 11, 20, 10), MONTH, "2026-10-21T10:00:00+02:00", MONTH + timedelta(hours=1)),
        # sub-day parts are elapsed time: 2 hours before 03:30 CEST on 2027-03-28 is 00:30 CET
        (local(2027, 3, 28, 3, 30), timedelta(hours=2), "2027-03-28T00:30:00+01:00", timedelta(hours=2)),
        (
            local(2026, 10, 25, 10),
            timedelta(days=1, hours=2),
            "2026-10-24T08:00:00+02:00",
            timedelta(hours=27),
        ),
    ],
)
def test_due_time_keeps_local_clock(
    occurrence: datetime, offset: timedelta, expected: str, elapsed: timedelta
) -> None:
    due = due_time(occurrence, offset)
    assert due.isoformat() == expected
    assert occurrence.astimezone(UTC) - due.astimezone(UTC) == elapsed


def test_due_time_landing_in_gap_or_fold() -> None:
    # 02:30 the day after spring-forward: "1 day before" is the nonexistent 02:30 → 03:30 CEST
    assert due_time(local(2027, 3, 29, 2, 30), DAY).isoformat() == "2027-03-28T03:30:00+02:00"
    # 02:30 the day after fall-back: the ambiguous 02:30 → its first occurrence (CEST)
    due = due_time(local(2026, 10, 26, 2, 30), DAY)
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# --- planning ---------------------------------------------------------------------------------


def test_plan_within_horizon_skips_opted_out_contacts() -> None:
    now = local(2026, 3, 3, 9, 55)
    planned = plan_reminders([DIALOGMOTE], CONTACTS, now, timedelta(minutes=10))
    # the overdue 30-day reminder is planned too: classify() marks it superseded
    assert [(r.contact_key, r.offset) for r in planned] == [
        ("anna", MONTH),
        ("bo", MONTH),
        ("anna", WEEK),
        ("bo", WEEK),
    ]
    assert [classify(r, now) for r in planned[:2]] == ["skip_past", "skip_past"]
    first = planned[2]
    assert first.due_at == local(2026, 3, 3, 10)
    assert first.occurrence == local(2026, 3, 10, 10)
    assert first.process_key == "varmland"
    assert first.next_due_at == local(2026, 3, 9, 10)
    assert classify(first, now) == "wait"
    assert classify(first, local(2026, 3, 3, 10, 5)) == "send"


def test_plan_over_a_year_orders_by_due_time_and_rolls_to_next_year() -> None:
    planned = plan_reminders([DIALOGMOTE], {"varmland": [ANNA]}, local(2026, 1, 1), timedelta(days=403))
    assert [r.due_at.date().isoformat() for r in planned] == [
        "2026-02-08",
        "2026-03-03",
        "2026-03-09",
        "2027-02-07",
    ]
    assert planned[-1].occurrence == local(2027, 3, 9, 10)
    assert planned[2].next_due_at is None


def test_plan_ignores_other_processes_and_started_meetings() -> None:
    assert plan_reminders([DIALOGMOTE], {"halland": [ANNA]}, local(2026, 3, 1), WEEK) == []
    # At the start of the meeting nothing is planned for this year's occurrence any more.
    during = plan_reminders([DIALOGMOTE], {"varmland": [ANNA]}, local(2026, 3, 10, 10), DAY)
    assert all(r.occurrence.year == 2027 for r in during)


def test_plan_includes_overdue_reminders_after_downtime() -> None:
    # Bot down from 2026-02-01 to 2026-03-05 10:00: the 30-day and 7-day reminders are overdue.
    now = local(2026, 3, 5, 10)
    planned = plan_reminders([DIALOGMOTE], {"varmland": [ANNA]}, now, timedelta(minutes=1))
    verdicts = {r.offset: classify(r, now, late_grace=timedelta(minutes=15)) for r in planned}
    assert verdicts == {MONTH: "skip_past", WEEK: "catch_up"}


# --- classification ---------------------------------------------------------------------------


def reminder(offset: timedelta, next_due: datetime | None) -> ReminderDue:
    occurrence = local(2026, 3, 10, 10)
    return ReminderDue(
        "dialogmote", occurrence, "anna", offset, due_time(occurrence, offset), "varmland", next_due
    )


MONTH_R = reminder(MONTH, local(2026, 3, 3, 10))
WEEK_R = reminder(WEEK, local(2026, 3, 9, 10))
DAY_R = reminder(DAY, None)
GRACE = timedelta(minutes=15)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2026, 3, 9, 9, 59), ("skip_past", "skip_past", "wait")),  # 1-day one due in a minute
        (local(2026, 3, 8, 9, 59), ("skip_past", "catch_up", "wait")),  # 1-day one a day away
        (local(2026, 3, 9, 10, 0), ("skip_past", "skip_past", "send")),
        (local(2026, 3, 9, 10, 15), ("skip_past", "skip_past", "send")),
        (local(2026, 3, 9, 10, 16), ("skip_past", "skip_past", "catch_up")),
        (local(2026, 3, 10, 9, 59), ("skip_past", "skip_past", "catch_up")),
        (local(2026, 3, 10, 10, 0), ("skip_past", "skip_past", "skip_past")),
        (local(2026, 3, 3, 9, 0), ("skip_past", "wait", "wait")),  # 7-day one due within a day
        (local(2026, 3, 1, 10, 0), ("catch_up", "wait", "wait")),
        (local(2026, 3, 3, 10, 1), ("skip_past", "send", "wait")),
        (local(2026, 2, 8, 10, 10), ("send", "wait", "wait")),
        (local(2026, 2, 8, 9, 0), ("wait", "wait", "wait")),
    ],
)
def test_classify_sends_only_the_most_recent_overdue_reminder(
    now: datetime, expected: tuple[str, ...]
) -> None:
    assert tuple(classify(r, now, late_grace=GRACE) for r in (MONTH_R, WEEK_R, DAY_R)) == expected


def test_classify_compares_instants_across_fall_back() -> None:
    # Meeting 2026-10-25 10:00 CET; the 1-day reminder is due 2026-10-24 10:00 CEST (08:00 UTC).
    occurrence = local(2026, 10, 25, 10)
    due = ReminderDue("m", occurrence, "anna", DAY, due_time(occurrence, DAY))
    assert classify(due, datetime(2026, 10, 24, 8, 10, tzinfo=UTC), late_grace=GRACE) == "send"
    assert classify(due, datetime(2026, 10, 24, 7, 59, tzinfo=UTC), late_grace=GRACE) == "wait"


def test_delivery_key_is_stable_and_zone_independent() -> None:
    due = plan_reminders([DIALOGMOTE], {"varmland": [ANNA]}, local(2026, 3, 9, 9, 59), timedelta(minutes=2))[
        -1
    ]
    assert delivery_key(due) == "varmland/dialogmote:2026-03-10T09:00:00Z:anna:86400"
    same_instant = ReminderDue(
        due.meeting_key,
        due.occurrence.astimezone(UTC),
        due.contact_key,
        due.offset,
        due.due_at,
        due.process_key,
    )
    assert delivery_key(same_instant) == delivery_key(due)
    keys = {
        delivery_key(r)
        for r in plan_reminders([DIALOGMOTE], CONTACTS, local(2026, 1, 1), timedelta(days=403))
    }
    assert len(keys) == 8  # 4 reminders x 2 contacts, no collisions


# --- texts ------------------------------------------------------------------------------------


def test_reminder_text_swedish_and_english() -> None:
    occurrence = local(2026, 3, 10, 10)
    assert reminder_text(DIALOGMOTE, occurrence, WEEK, Language.SV) == (
        "Påminnelse: Årligt dialogmöte för Överenskommelsen i Värmland är om 7 dagar, "
        "tisdag 10 mars 2026 kl. 10.00–13.00, i Residenset, Karlstad. Kommer du?"
    )
    assert (
        reminder_text(DIALOGMOTE, occurrence, DAY, Language.SV)
        .split(" är ")[1]
        .startswith("i morgon, tisdag")
    )
    assert reminder_text(DIALOGMOTE, occurrence, DAY, Language.EN) == (
        "Reminder: Årligt dialogmöte för Överenskommelsen i Värmland is tomorrow, "
        "Tuesday 10 March 2026 at 10:00–13:00, at Residenset, Karlstad. Are you coming?"
    )
    assert "i dag" in reminder_text(DIALOGMOTE, occurrence, timedelta(hours=2), "sv")


def test_caught_up_reminder_says_the_time_actually_left_and_shows_link() -> None:
    online = Meeting(
        "m", "p", "Dialogträff", local(2026, 10, 25, 18), timedelta(hours=1), link="https://x.se/m"
    )
    text = reminder_text(online, online.start, WEEK, "sv", now=local(2026, 10, 22, 12))
    assert (
        text
        == "Påminnelse: Dialogträff är om 3 dagar, söndag 25 oktober 2026 kl. 18.00–19.00. Kommer du?\nLänk: https://x.se/m"
    )


def test_rsvp_labels_and_summary() -> None:
    assert [label for _, label in rsvp_buttons("sv")] == [
        "Kommer",
        "Kommer inte",
        "Kanske",
        "Skickar ersättare",
    ]
    assert [label for _, label in rsvp_buttons("en")] == [
        "Coming",
        "Not coming",
        "Maybe",
        "Sending a substitute",
    ]
    assert [a.value for a, _ in rsvp_buttons()] == ["yes", "no", "maybe", "deputy"]
    assert rsvp_saved(Rsvp.KANSKE, "sv").startswith("Tack! Ditt svar för organisationen: Kanske.")
    tally = RsvpTally.count([Rsvp.KOMMER] * 5 + [Rsvp.KOMMER_INTE] * 2 + [Rsvp.KANSKE], invited=12)
    assert tally.pending == 4 and tally.by_answer[Rsvp.KOMMER] == 5
    assert rsvp_summary(tally, "sv") == "Svar hittills: 5 kommer, 2 kommer inte, 1 kanske, 4 har inte svarat."
    assert rsvp_summary(RsvpTally(1, 0, 2), "en") == "Answers so far: 1 coming, 0 not coming, 2 maybe."
    with pytest.raises(ValueError):
        RsvpTally(3, 0, 0, invited=2)


def test_contact_refuses_unknown_platform() -> None:
    with pytest.raises(ValueError):
        Contact("x", "X", "fax", "+46 54 123 45")  # type: ignore[arg-type]


def test_on_time_reminder_is_skipped_if_the_next_one_is_already_due() -> None:
    occurrence = local(2026, 3, 10, 10)
    now = local(2026, 3, 10, 8)
    close = ReminderDue("m", occurrence, "anna", timedelta(hours=2), now - timedelta(minutes=1), "p", now)
    assert classify(close, now, late_grace=GRACE) == "skip_past"
    assert classify(close, now - timedelta(seconds=30), late_grace=GRACE) == "send"
