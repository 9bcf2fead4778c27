"""Reading signatories, contacts and meetings from a process file, with errors that say where."""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from facilitation.meetings import (
    LIMITS,
    STOCKHOLM,
    ContactKeys,
    MeetingsConfigError,
    parse_meetings,
    parse_span,
)
from facilitation.meetings.importing import MAX_REMINDER_OFFSET
from facilitation.model import Language

SOURCE = "config/processes/varmland.toml"

EXAMPLE = '''
[process]
key = "varmland"
name = "Överenskommelsen Värmland"

[[signatories]]
key = "region-varmland"
name = "Region Värmland"

[[signatories.contacts]]
name = "Anna Andersson"
telegram = 123456789

[[signatories.contacts]]
key = "bo"
name = "Bo Berg"
slack = "U0123ABCD"
workspace = "T0123ABCD"
language = "en"

[[signatories]]
key = "vf-ideell"
name = "Värmlands idéburna forum"

[[signatories.contacts]]
name = "Cilla"
local = "cilla"
opted_out = true

[[meetings]]
key = "dialogmote"
title = "Årligt dialogmöte för Överenskommelsen i Värmland"
start = "2027-03-09T10:00"
duration = "3h"
place = "Residenset, Karlstad"
link = "https://example.org/dialogmote"
rrule = "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU"
reminder_offsets = ["30d", "7d", "1d", "2h"]
agenda = """
1. Uppföljning av åtagandena
2. Vilka principer är viktiga för oss?
"""

[[meetings]]
key = "konferens"
title = "Samverkanskonferens"
start = 2026-10-23T09:00:00+02:00
duration = "1h30m"
'''


def doc() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE)


def error(document: dict[str, Any]) -> MeetingsConfigError:
    with pytest.raises(MeetingsConfigError) as caught:
        parse_meetings(document, SOURCE)
    return caught.value


def test_example_parses() -> None:
    config = parse_meetings(doc(), SOURCE)
    assert config.process_key == "varmland"
    assert [s.key for s in config.signatories] == ["region-varmland", "vf-ideell"]
    assert all(s.process_key == "varmland" for s in config.signatories)
    anna, bo, cilla = config.contacts
    assert (anna.key, anna.platform, anna.address, anna.language) == (
        ContactKeys().derive("region-varmland", "telegram", "123456789"),
        "telegram",
        "123456789",
        Language.SV,
    )
    assert anna.key.startswith("region-varmland.telegram-") and "123456789" not in anna.key
    assert (bo.key, bo.platform, bo.address, bo.workspace, bo.language) == (
        "bo",
        "slack",
        "U0123ABCD",
        "T0123ABCD",
        "en",
    )
    assert (cilla.platform, cilla.opted_out) == ("local", True)
    dialog, konferens = config.meetings
    assert dialog.start == datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)
    assert dialog.start.astimezone(UTC) == datetime(2027, 3, 9, 9, tzinfo=UTC)
    assert dialog.duration == timedelta(hours=3)
    assert dialog.reminder_offsets == (
        timedelta(days=30),
        timedelta(days=7),
        timedelta(days=1),
        timedelta(hours=2),
    )
    assert dialog.agenda.startswith("1. Uppföljning") and dialog.rrule == "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU"
    assert konferens.start.tzinfo is STOCKHOLM and konferens.start.hour == 9
    assert konferens.duration == timedelta(hours=1, minutes=30)
    assert konferens.rrule is None and konferens.reminder_offsets == (
        timedelta(days=30),
        timedelta(days=7),
        timedelta(days=1),
    )


def test_process_key_parameter_and_empty_document() -> None:
    assert parse_meetings({}, SOURCE, "halland").meetings == ()
    assert (
        str(error({}))
        == f"{SOURCE}: process.key: is required to attach signatories and meetings to a process"
    )


def test_parse_span() -> None:
    assert parse_span("1w") == timedelta(days=7)
    assert parse_span("1d2h") == timedelta(days=1, hours=2)
    for bad in ("", "7", "d", "1.5d", "-1d", "2h1d", "0m"):
        with pytest.raises(ValueError):
            parse_span(bad)


def broken(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    document = copy.deepcopy(doc())
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


DELETE = object()
M0 = ("meetings", 0)
C0 = ("signatories", 0, "contacts", 0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((*M0, "start"), "9 mars 2027", "[[meetings]][0].start: not an ISO date-time like 2027-03-09T10:00"),
        ((*M0, "start"), "2027-03-09", "[[meetings]][0].start: needs a time of day"),
        ((*M0, "start"), DELETE, "[[meetings]][0].start: is required"),
        ((*M0, "start"), 20270309, "[[meetings]][0].start: not an ISO date-time"),
        (
            (*M0, "start"),
            "2027-03-10T10:00",
            "[[meetings]][0].start: 2027-03-10 10:00 is not a date of the rrule",
        ),
        ((*M0, "rrule"), "FREQ=YEARLY;BYDAY=XX", "[[meetings]][0].rrule: not a valid RFC 5545 RRULE"),
        ((*M0, "rrule"), "FREQ=HOURLY", "[[meetings]][0].rrule: not a valid RFC 5545 RRULE: FREQ=HOURLY"),
        ((*M0, "duration"), "3 timmar", "[[meetings]][0].duration: '3 timmar' is not a duration"),
        ((*M0, "duration"), "0h", "[[meetings]][0].duration: '0h' must be positive"),
        ((*M0, "reminder_offsets"), ["30d", "sju dagar"], "[[meetings]][0].reminder_offsets[1]: 'sju dagar'"),
        (
            (*M0, "reminder_offsets"),
            ["7d", "7d"],
            "[[meetings]][0].reminder_offsets[1]: '7d' is listed twice",
        ),
        ((*M0, "reminder_offsets"), "7d", "[[meetings]][0].reminder_offsets: must be a list"),
        (
            (*M0, "reminder_offsets"),
            ["30d", "1000000d"],
            "[[meetings]][0].reminder_offsets[1]: '1000000d' is too long: a reminder comes at most 3650d before "
            "the meeting",
        ),
        (
            (*M0, "reminder_offsets"),
            ["9" * 40 + "w"],
            f"[[meetings]][0].reminder_offsets[0]: '{'9' * 40}w' is too long",
        ),
        (
            (*M0, "duration"),
            "1000000d",
            "[[meetings]][0].duration: '1000000d' is too long: a meeting lasts at most 31d",
        ),
        ((*M0, "title"), DELETE, "[[meetings]][0].title: is required"),
        ((*M0, "tittle"), "x", "[[meetings]][0].tittle: unknown key"),
        (("meetings", 1, "key"), "dialogmote", "[[meetings]][1].key: duplicate key 'dialogmote'"),
        ((*M0, "key"), "Dialog Möte", "[[meetings]][0].key: 'Dialog Möte' must be lower-case"),
        (("meetings",), {"key": "x"}, "meetings: must be an array of tables ([[meetings]])"),
        (
            ("signatories", 1, "key"),
            "region-varmland",
            "[[signatories]][1].key: duplicate key 'region-varmland'",
        ),
        (("signatories", 0, "name"), "", "[[signatories]][0].name: must be a non-empty string"),
        (
            (*C0, "telegram"),
            "@anna",
            "[[signatories]][0].contacts[0].telegram: '@anna' is not a numeric Telegram",
        ),
        ((*C0, "telegram"), True, "[[signatories]][0].contacts[0].telegram: must be a chat/user id or name"),
        (
            (*C0, "slack"),
            "U1",
            "[[signatories]][0].contacts[0]: give exactly one of telegram, slack, local, email (found 2)",
        ),
        (
            (*C0, "telegram"),
            DELETE,
            "[[signatories]][0].contacts[0]: give exactly one of telegram, slack, local, email (found 0)",
        ),
        (
            (*C0, "email"),
            "a@b.se",
            "[[signatories]][0].contacts[0]: give exactly one of telegram, slack, local, email (found 2)",
        ),
        ((*C0, "language"), "de", "[[signatories]][0].contacts[0].language: 'de' is not one of sv, en"),
        ((*C0, "opted_out"), "ja", "[[signatories]][0].contacts[0].opted_out: must be true or false"),
        (
            (*C0, "workspace"),
            "T1",
            "[[signatories]][0].contacts[0].workspace: only Slack contacts have a workspace",
        ),
        ((*C0, "key"), "bo", "[[signatories]][0].contacts[1].key: duplicate key 'bo'"),
    ],
)
def test_malformed_config_names_file_place_and_problem(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    found = error(broken(path, value))
    assert str(found).startswith(f"{SOURCE}: {message}"), str(found)
    assert found.file == SOURCE and str(found) == f"{found.file}: {found.key_path}: {found.problem}"


def test_contact_key_collision_is_reported_at_the_second_contact() -> None:
    document = doc()
    document["signatories"][0]["contacts"][1]["key"] = ContactKeys().derive(
        "region-varmland", "telegram", "123456789"
    )
    found = error(document)
    assert found.key_path == "[[signatories]][0].contacts[1].key"
    assert "first at [[signatories]][0].contacts[0]" in found.problem


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        ("2027-03-28T02:30", "does not exist in Europe/Stockholm"),
        ("2026-10-25T02:30", "happens twice in Europe/Stockholm"),
    ],
)
def test_naive_start_in_gap_or_fold_is_refused(start: str, problem: str) -> None:
    document = broken((*M0, "start"), start)
    del document["meetings"][0]["rrule"]
    assert problem in error(document).problem


def test_start_with_offset_resolves_the_fold() -> None:
    document = broken((*M0, "start"), "2026-10-25T02:30+01:00")
    del document["meetings"][0]["rrule"]
    start = parse_meetings(document, SOURCE).meetings[0].start
    assert start.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert start.tzinfo is STOCKHOLM and start.hour == 2 and start.fold == 1


def test_utc_start_is_converted_to_stockholm() -> None:
    document = broken((*M0, "start"), "2027-03-09T09:00Z")
    assert parse_meetings(document, SOURCE).meetings[0].start == datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((*M0, "key"), "m" * 65, "[[meetings]][0].key: is 65 characters long; at most 64 fit"),
        ((*M0, "title"), "T" * 301, "[[meetings]][0].title: is 301 characters long; at most 300 fit"),
        ((*M0, "place"), "P" * 301, "[[meetings]][0].place: is 301 characters long; at most 300 fit"),
        (
            (*M0, "link"),
            "https://" + "l" * 493,
            "[[meetings]][0].link: is 501 characters long; at most 500 fit",
        ),
        (
            ("signatories", 0, "key"),
            "s" * 65,
            "[[signatories]][0].key: is 65 characters long; at most 64 fit",
        ),
        (
            ("signatories", 0, "name"),
            "N" * 201,
            "[[signatories]][0].name: is 201 characters long; at most 200 fit",
        ),
        (
            (*C0, "name"),
            "N" * 201,
            "[[signatories]][0].contacts[0].name: is 201 characters long; at most 200 fit",
        ),
        (
            (*C0, "key"),
            "c" * 101,
            "[[signatories]][0].contacts[0].key: is 101 characters long; at most 100 fit",
        ),
        (
            (*C0, "telegram"),
            "1" * 65,
            "[[signatories]][0].contacts[0].telegram: is 65 characters long; at most 64",
        ),
        (
            ("signatories", 0, "contacts", 1, "slack"),
            "U" + "A" * 64,
            "[[signatories]][0].contacts[1].slack: is 65 characters long; at most 64 fit",
        ),
        (
            ("signatories", 0, "contacts", 1, "workspace"),
            "T" + "A" * 64,
            "[[signatories]][0].contacts[1].workspace: is 65 characters long; at most 64 fit",
        ),
        (
            ("signatories", 0, "contacts", 1, "slack"),
            "anna",
            "[[signatories]][0].contacts[1].slack: 'anna' is not",
        ),
        (("process", "key"), "p" * 41, "process.key: is 41 characters long; at most 40 fit"),
    ],
)
def test_over_long_values_are_refused_before_the_database(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    assert str(error(broken(path, value))).startswith(f"{SOURCE}: {message}")


def test_limits_match_the_database_columns() -> None:
    from storage.meetings_models import ContactRow, DeliveryRow, MeetingRow, SignatoryRow

    columns = {
        "process.key": SignatoryRow.__table__.c.process_key,
        "signatory.key": SignatoryRow.__table__.c.key,
        "signatory.name": SignatoryRow.__table__.c.name,
        "contact.name": ContactRow.__table__.c.name,
        "contact.email": ContactRow.__table__.c.address,  # the widest address (chat ids: contact.address)
        "contact.workspace": ContactRow.__table__.c.workspace,
        "meeting.key": MeetingRow.__table__.c.key,
        "meeting.title": MeetingRow.__table__.c.title,
        "meeting.place": MeetingRow.__table__.c.place,
        "meeting.link": MeetingRow.__table__.c.link,
        "meeting.rrule": MeetingRow.__table__.c.rrule,
    }
    assert {name: column.type.length for name, column in columns.items()} == {
        name: LIMITS[name] for name in columns
    }
    assert LIMITS["contact.key"] <= ContactRow.__table__.c.key.type.length
    assert LIMITS["contact.address"] <= ContactRow.__table__.c.address.type.length
    assert MeetingRow.__table__.c.process_key.type.length == LIMITS["process.key"]
    # the longest delivery key "process/meeting:2027-03-09T09:00:00Z:contact:offset" fits its column
    offset = str(int(MAX_REMINDER_OFFSET.total_seconds()))
    longest = LIMITS["process.key"] + 1 + LIMITS["meeting.key"] + 22 + LIMITS["contact.key"] + 1 + len(offset)
    assert longest <= DeliveryRow.__table__.c.delivery_key.type.length


def test_rule_with_an_impossible_value_is_called_invalid() -> None:
    found = error(broken((*M0, "rrule"), "FREQ=YEARLY;BYMONTH=13"))
    assert found.key_path == "[[meetings]][0].rrule"
    assert found.problem.startswith("not a valid RFC 5545 RRULE: BYMONTH=13: 13 is outside 1–12")
    never = error(broken((*M0, "rrule"), "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"))
    assert (never.key_path, never.problem) == (
        "[[meetings]][0].rrule",
        "the rule gives no date on or after the start 2027-03-09 10:00",
    )


@pytest.mark.parametrize(
    ("offsets", "message"),
    [
        (["1w", "7d"], "[[meetings]][0].reminder_offsets[1]: '7d' is the same offset as '1w' (listed twice)"),
        (["1d", "24h", "2h"], "[[meetings]][0].reminder_offsets[1]: '24h' is the same offset as '1d'"),
        (["30d", "7d", "7d"], "[[meetings]][0].reminder_offsets[2]: '7d' is listed twice"),
    ],
)
def test_equal_offsets_written_differently_are_duplicates(offsets: list[str], message: str) -> None:
    assert str(error(broken((*M0, "reminder_offsets"), offsets))).startswith(f"{SOURCE}: {message}")


def test_derived_keys_are_keyed_hashes_without_the_address() -> None:
    from facilitation.pseudonym import Pseudonymizer

    keyed = ContactKeys(Pseudonymizer("installation-secret-0123456789"))
    other = ContactKeys(Pseudonymizer("another-installation-secret-0123"))
    config = parse_meetings(doc(), SOURCE, contact_keys=keyed)
    anna = config.contacts[0]
    assert anna.key == keyed.derive("region-varmland", "telegram", "123456789")
    assert anna.key != other.derive(
        "region-varmland", "telegram", "123456789"
    )  # another installation's secret
    assert anna.key != ContactKeys().derive("region-varmland", "telegram", "123456789")  # an unkeyed hash
    assert "123456789" not in anna.key and re.fullmatch(r"region-varmland\.telegram-[a-z0-9_-]{10}", anna.key)
    cilla = config.contacts[2]
    assert "cilla" not in cilla.key.removeprefix("vf-ideell.local-")
