"""The attendance rules without a store: texts in both languages, the answer checks, the list's
lines, the button data's size, and reading the files spreadsheets write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from facilitation.buttons import ButtonCodec
from facilitation.input_rules import MAX_ID
from facilitation.meetings.attendance import (
    MAX_PERSONS,
    TEXTS,
    answer_problem,
    attendance_lines,
    line_text,
    to_csv,
)
from facilitation.meetings.bulk_invite import InviteFileError, read_requests
from facilitation.meetings.chat import COUNT_ACTION
from facilitation.meetings.model import Rsvp, RsvpAnswer, StoredRsvp
from facilitation.meetings.store import SignatoryInfo
from facilitation.pseudonym import Pseudonymizer

AT = datetime(2027, 2, 8, 9, tzinfo=UTC)


def test_every_text_is_in_swedish_and_english() -> None:
    assert set(TEXTS["sv"]) == set(TEXTS["en"])


def test_answer_checks() -> None:
    assert answer_problem(RsvpAnswer(Rsvp.KOMMER, MAX_PERSONS)) is None
    assert answer_problem(RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 1, "vice ordförande")) is None
    problem = answer_problem(RsvpAnswer(Rsvp.KANSKE, True))  # type: ignore[arg-type]
    assert problem is not None and problem.text("en") == "The number of persons must be between 1 and 10."
    problem = answer_problem(RsvpAnswer(Rsvp.KOMMER_INTE, None, "x"))
    assert problem is not None and "Skickar ersättare" in problem.text("sv")


def test_the_latest_answer_of_any_contact_counts_and_lines_name_no_contact() -> None:
    region = SignatoryInfo("p", "region", "Region Värmland", 2, True, 1)
    gone = SignatoryInfo("p", "gone", "Gammal", 0, False, 2)
    rsvps = [
        StoredRsvp(11, 1, RsvpAnswer(Rsvp.KOMMER, 2), AT, 5),
        StoredRsvp(12, 1, RsvpAnswer(Rsvp.KOMMER_INTE), AT, 4),  # same time, written earlier
    ]
    [line] = attendance_lines([region, gone], [], rsvps)  # an inactive signatory is not listed
    assert line_text(line, "en") == (
        "• Region Värmland: Coming, 2 pers. (answered by a contact 2027-02-08), no active contact person"
    )
    assert to_csv([line], "en").decode("utf-8-sig").splitlines()[1] == (
        "Region Värmland;region;Coming;2;;2027-02-08;0"
    )


def test_count_buttons_fit_telegrams_64_bytes() -> None:
    codec = ButtonCodec(Pseudonymizer("s" * 40))
    assert len(codec.encode(COUNT_ACTION, MAX_ID, 3, MAX_PERSONS).encode()) <= 64


@pytest.mark.parametrize(
    "data",
    [
        b"undertecknare\te-post\nregion\ta@b.se\n",
        "\ufeffSIGNATORY;EMAIL\r\nregion;a@b.se\r\n".encode(),
        "Undertecknare;E-post;Namn\nregion;a@b.se;Åsa Öberg\n".encode("cp1252"),
    ],
)
def test_invitation_files_as_spreadsheets_write_them(data: bytes) -> None:
    [request] = read_requests(data, "p")
    assert (request.process_key, request.signatory_key, request.email) == ("p", "region", "a@b.se")
    assert request.name in ("", "Åsa Öberg")


def test_every_bad_line_is_named() -> None:
    with pytest.raises(InviteFileError) as refused:
        read_requests(b"signatory;email\nregion;a@b\nregion;<a@b.se>\n;a@b.se\n", "p")
    assert refused.value.problems == [
        "line 2: 'a@b' is not an e-mail address",
        "line 3: '<a@b.se>' is not an e-mail address",
        "line 4: the signatory is empty",
    ]
