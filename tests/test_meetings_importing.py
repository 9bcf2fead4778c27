"""Reading signatories, contacts and meetings from a process file, with errors that say where."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from facilitation.meetings import STOCKHOLM, MeetingsConfigError, parse_meetings, parse_span
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
        "region-varmland.telegram-123456789",
        "telegram",
        "123456789",
        Language.SV,
    )
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
            "[[signatories]][0].contacts[0]: give exactly one of telegram, slack, local (found 2)",
        ),
        (
            (*C0, "telegram"),
            DELETE,
            "[[signatories]][0].contacts[0]: give exactly one of telegram, slack, local (found 0)",
        ),
        ((*C0, "email"), "a@b.se", "[[signatories]][0].contacts[0].email: unknown key"),
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
    document["signatories"][0]["contacts"][1]["key"] = "region-varmland.telegram-123456789"
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
