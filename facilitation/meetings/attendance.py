"""Which organisations are coming: one answer per signatory, from whichever of its contacts answered last.

A contact person answers for their organisation (Kommer / Kommer inte / Kanske / Skickar
ersättare), with how many persons come and, for a substitute, a short note *without names*.
The store keeps each contact's latest answer (:class:`StoredRsvp`); the organisation's answer
is the latest of them (:func:`latest_by_signatory`), so a second contact can correct the first.
The attendance list names organisations, never the contact who answered ("svarat av en
kontakt"), and lists the signatories that have no active contact (nobody gets a reminder).

:func:`record_answer` is the one call every way back ends in: the chat buttons
(:mod:`facilitation.meetings.chat`) and a web handler behind a signed e-mail link. It checks the
answer (:func:`answer_problem`) before anything is stored. The note is free text a contact types:
it is checked like other input (length, invisible characters), labelled "utan namn" where it is
shown, and never logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from facilitation.i18n import register, t
from facilitation.input_rules import has_hidden_characters
from facilitation.meetings.model import OrganisationAnswer, Rsvp, RsvpAnswer, RsvpTally, StoredRsvp
from facilitation.meetings.store import MeetingStore, SignatoryInfo, StoredContact
from facilitation.meetings.tz import to_local
from facilitation.model import Language

MAX_PERSONS = 10  # how many persons one organisation can announce (the chat offers 1–10)
MAX_NOTE = 200  # characters of a substitute's note (rsvps.note)
#: Answers that bring persons (so a count makes sense).
COMING = (Rsvp.KOMMER, Rsvp.KANSKE, Rsvp.SKICKAR_ERSATTARE)

TEXTS = {
    "sv": {
        "attendance.answer.yes": "Kommer",
        "attendance.answer.no": "Kommer inte",
        "attendance.answer.maybe": "Kanske",
        "attendance.answer.deputy": "Skickar ersättare",
        "attendance.none": "inget svar",
        "attendance.no_contact": "ingen aktiv kontaktperson",
        "attendance.persons": "{n} pers.",
        "attendance.by_contact": "svarat av en kontakt {date}",
        "attendance.note": "anteckning (utan namn): {note}",
        "attendance.header": "{title}, {when}",
        "attendance.summary": (
            "Organisationer: {yes} kommer, {maybe} kanske, {deputy} skickar ersättare, {no} kommer inte, "
            "{pending} har inte svarat, {uncontacted} utan kontaktperson. Personer som kommer "
            "(inklusive ersättare): {persons}."
        ),
        "attendance.problem.persons": "Antalet personer måste vara mellan 1 och {limit}.",
        "attendance.problem.persons_not_coming": "Ett antal personer passar inte till ”Kommer inte”.",
        "attendance.problem.note_long": "Anteckningen är för lång: högst {limit} tecken.",
        "attendance.problem.note_hidden": "Anteckningen innehåller osynliga tecken eller radbrytningar.",
        "attendance.problem.note_not_deputy": "En anteckning hör bara till svaret ”Skickar ersättare”.",
        "attendance.column.organisation": "organisation",
        "attendance.column.key": "nyckel",
        "attendance.column.answer": "svar",
        "attendance.column.persons": "personer",
        "attendance.column.note": "anteckning (utan namn)",
        "attendance.column.answered": "besvarad",
        "attendance.column.contacts": "aktiva kontaktpersoner",
    },
    "en": {
        "attendance.answer.yes": "Coming",
        "attendance.answer.no": "Not coming",
        "attendance.answer.maybe": "Maybe",
        "attendance.answer.deputy": "Sending a substitute",
        "attendance.none": "no answer",
        "attendance.no_contact": "no active contact person",
        "attendance.persons": "{n} pers.",
        "attendance.by_contact": "answered by a contact {date}",
        "attendance.note": "note (no names): {note}",
        "attendance.header": "{title}, {when}",
        "attendance.summary": (
            "Organisations: {yes} coming, {maybe} maybe, {deputy} sending a substitute, {no} not coming, "
            "{pending} not answered, {uncontacted} without a contact person. Persons coming "
            "(substitutes included): {persons}."
        ),
        "attendance.problem.persons": "The number of persons must be between 1 and {limit}.",
        "attendance.problem.persons_not_coming": "A number of persons does not go with “Not coming”.",
        "attendance.problem.note_long": "The note is too long: at most {limit} characters.",
        "attendance.problem.note_hidden": "The note contains invisible characters or line breaks.",
        "attendance.problem.note_not_deputy": "A note belongs only to the answer “Sending a substitute”.",
        "attendance.column.organisation": "organisation",
        "attendance.column.key": "key",
        "attendance.column.answer": "answer",
        "attendance.column.persons": "persons",
        "attendance.column.note": "note (no names)",
        "attendance.column.answered": "answered",
        "attendance.column.contacts": "active contact persons",
    },
}
register(TEXTS)


@dataclass(frozen=True)
class AttendanceLine:
    """One signatory of the attendance list; ``answer`` None: not answered (yet)."""

    signatory: SignatoryInfo
    answer: OrganisationAnswer | None
    active_contacts: int

    @property
    def uncontacted(self) -> bool:
        return self.active_contacts == 0


class AnswerProblem(ValueError):
    """A refused answer: ``key`` names the text (``attendance.problem.*``), ``params`` its values."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params

    def text(self, lang: Language | str) -> str:
        return t(self.key, lang, **self.params)


def clean_note(note: str | None) -> str | None:
    """The note as stored: trimmed, None when empty."""
    if note is None:
        return None
    note = note.strip()
    return note or None


def answer_problem(answer: RsvpAnswer) -> AnswerProblem | None:
    """Why ``answer`` cannot be stored, or None."""
    if answer.persons is not None:
        if answer.answer not in COMING:
            return AnswerProblem("attendance.problem.persons_not_coming")
        if isinstance(answer.persons, bool) or not 1 <= answer.persons <= MAX_PERSONS:
            return AnswerProblem("attendance.problem.persons", limit=MAX_PERSONS)
    if answer.note is not None:
        if answer.answer != Rsvp.SKICKAR_ERSATTARE:
            return AnswerProblem("attendance.problem.note_not_deputy")
        if len(answer.note) > MAX_NOTE:
            return AnswerProblem("attendance.problem.note_long", limit=MAX_NOTE)
        if has_hidden_characters(answer.note):
            return AnswerProblem("attendance.problem.note_hidden")
    return None


async def record_answer(
    store: MeetingStore,
    meeting_id: int,
    occurrence: datetime,
    contact_id: int,
    answer: RsvpAnswer,
    at: datetime,
) -> None:
    """Record a contact's answer for their organisation; :class:`AnswerProblem` changes nothing.

    The one call every way back uses (chat buttons, a signed e-mail link's web handler). The
    caller has checked that the contact may answer (the reminder was theirs, the link is
    genuine) and that the meeting has not started.
    """
    answer = RsvpAnswer(answer.answer, answer.persons, clean_note(answer.note))
    problem = answer_problem(answer)
    if problem is not None:
        raise problem
    await store.set_rsvp(
        meeting_id, occurrence, contact_id, answer.answer, at, persons=answer.persons, note=answer.note
    )


def latest_by_signatory(rsvps: Iterable[StoredRsvp]) -> dict[int, StoredRsvp]:
    """Each signatory's latest answer (by time, then by the store's write order)."""
    latest: dict[int, StoredRsvp] = {}
    for rsvp in rsvps:
        known = latest.get(rsvp.signatory_id)
        if known is None or (rsvp.answered_at, rsvp.order) > (known.answered_at, known.order):
            latest[rsvp.signatory_id] = rsvp
    return latest


def organisation_answer(rsvps: Iterable[StoredRsvp], signatory: SignatoryInfo) -> OrganisationAnswer | None:
    found = latest_by_signatory(r for r in rsvps if r.signatory_id == signatory.id).get(signatory.id)
    return OrganisationAnswer(signatory.key, found.answer, found.answered_at) if found else None


def attendance_lines(
    signatories: Sequence[SignatoryInfo], contacts: Sequence[StoredContact], rsvps: Iterable[StoredRsvp]
) -> list[AttendanceLine]:
    """Every active signatory with its answer and its number of contacts who get reminders.

    A contact that stopped its reminders does not count as active; its earlier answer still does.
    """
    latest = latest_by_signatory(rsvps)
    reached: dict[str, int] = {}
    for contact in contacts:
        if contact.active and not contact.contact.opted_out:
            reached[contact.signatory_key] = reached.get(contact.signatory_key, 0) + 1
    lines = []
    for signatory in sorted((s for s in signatories if s.active), key=lambda s: (s.name.casefold(), s.key)):
        found = latest.get(signatory.id)
        answer = OrganisationAnswer(signatory.key, found.answer, found.answered_at) if found else None
        lines.append(AttendanceLine(signatory, answer, reached.get(signatory.key, 0)))
    return lines


async def attendance(store: MeetingStore, meeting_id: int, occurrence: datetime) -> list[AttendanceLine]:
    """The attendance list of one occurrence of a stored meeting (its process's signatories)."""
    [stored] = await store.meetings(active_only=False, ids=[meeting_id])
    process = stored.meeting.process_key
    return attendance_lines(
        await store.signatories(process),
        await store.contacts(process),
        await store.rsvps(meeting_id, occurrence),
    )


def tally_of(lines: Sequence[AttendanceLine]) -> RsvpTally:
    """Counts of organisations; ``invited`` is every active signatory."""
    return RsvpTally.count((line.answer.answer.answer for line in lines if line.answer), invited=len(lines))


def persons_coming(lines: Sequence[AttendanceLine]) -> int:
    """Persons announced by the organisations that come (an organisation without a count counts 1)."""
    return sum(
        line.answer.answer.persons or 1
        for line in lines
        if line.answer and line.answer.answer.answer in (Rsvp.KOMMER, Rsvp.SKICKAR_ERSATTARE)
    )


def answer_label(answer: Rsvp, lang: Language | str) -> str:
    return t(f"attendance.answer.{answer.value}", lang)


def _date(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d")


def line_text(line: AttendanceLine, lang: Language | str) -> str:
    """ "• Region Värmland: Kommer, 2 pers. (svarat av en kontakt 2027-02-07)"."""
    parts: list[str] = []
    if line.answer is None:
        parts.append(t("attendance.none", lang))
    else:
        given = line.answer.answer
        parts.append(answer_label(given.answer, lang))
        if given.persons is not None:
            parts.append(t("attendance.persons", lang, n=given.persons))
        if given.note:
            parts.append(t("attendance.note", lang, note=given.note))
        parts[-1] += f" ({t('attendance.by_contact', lang, date=_date(line.answer.answered_at))})"
    if line.uncontacted:
        parts.append(t("attendance.no_contact", lang))
    return f"• {line.signatory.name}: {', '.join(parts)}"


def summary_text(lines: Sequence[AttendanceLine], lang: Language | str) -> str:
    tally = tally_of(lines)
    return t(
        "attendance.summary",
        lang,
        yes=tally.yes,
        no=tally.no,
        maybe=tally.maybe,
        deputy=tally.deputy,
        pending=tally.pending or 0,
        persons=persons_coming(lines),
        uncontacted=sum(1 for line in lines if line.uncontacted),
    )


def attendance_text(header: str, lines: Sequence[AttendanceLine], lang: Language | str) -> str:
    """The list ``/osa`` and the CLI show: a header, the counts, a line per signatory."""
    return "\n".join([header, summary_text(lines, lang), *(line_text(line, lang) for line in lines)])


def table(lines: Sequence[AttendanceLine], lang: Language | str) -> list[list[str | int]]:
    """The list as rows (a header row first) for CSV and XLSX: organisations, never contacts."""
    columns = ("organisation", "key", "answer", "persons", "note", "answered", "contacts")
    rows: list[list[str | int]] = [[t(f"attendance.column.{c}", lang) for c in columns]]
    for line in lines:
        given = line.answer.answer if line.answer else None
        rows.append(
            [
                line.signatory.name,
                line.signatory.key,
                answer_label(given.answer, lang) if given else t("attendance.none", lang),
                given.persons if given and given.persons is not None else "",
                given.note or "" if given else "",
                _date(line.answer.answered_at) if line.answer else "",
                line.active_contacts,
            ]
        )
    return rows


def _spreadsheet_safe(value: str | int) -> str | int:
    """A text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(lines: Sequence[AttendanceLine], lang: Language | str) -> bytes:
    """UTF-8 with a BOM and ``;`` separators, as Swedish Excel opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in table(lines, lang):
        writer.writerow([_spreadsheet_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(lines: Sequence[AttendanceLine], lang: Language | str, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "attendance"
    for row in table(lines, lang):
        sheet.append([_spreadsheet_safe(v) for v in row])
    for column, width in zip("ABCDEFG", (40, 24, 20, 10, 40, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


__all__ = [
    "MAX_NOTE",
    "MAX_PERSONS",
    "AnswerProblem",
    "AttendanceLine",
    "OrganisationAnswer",
    "RsvpAnswer",
    "StoredRsvp",
    "answer_problem",
    "attendance",
    "attendance_lines",
    "attendance_text",
    "latest_by_signatory",
    "organisation_answer",
    "record_answer",
    "tally_of",
    "to_csv",
    "to_xlsx",
]
