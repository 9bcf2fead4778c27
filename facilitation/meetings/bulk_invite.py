"""Bulk invitations: a CSV of signatories and contact e-mail addresses in, one signed invitation each out.

``dialogbot contacts invite --csv FILE`` reads the file (:func:`read_requests`), checks every line
against the store (:func:`issue`) and writes the invitations as a list (:func:`invitations_csv`).
Every problem of the file is reported at once, by line, and nothing is issued while there is one.

The file is what a spreadsheet writes: UTF-8 with or without a byte-order mark, or Windows-1252
(Swedish Excel's "CSV (semikolonavgränsad)"), separated by ``;``, ``,`` or tabs. The first line
names the columns (Swedish or English, any case): ``signatory``/``undertecknare``,
``email``/``e-post``, and optionally ``process`` and ``name``/``namn``.

Sending the invitations by e-mail is a :class:`InvitationMailer`'s job (the e-mail channel);
:func:`deliver` hands each invitation to it, and without one the list is the result.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from facilitation.i18n import register, t
from facilitation.input_rules import has_hidden_characters
from facilitation.meetings.importing import LIMITS, key_problem
from facilitation.meetings.invitation import INVITE_PREFIX, Invitation
from facilitation.meetings.store import MeetingDirectory
from facilitation.meetings.tz import to_local
from facilitation.model import Language
from facilitation.ports import ChatGone, ChatRefused, PortError, TemporaryFailure
from facilitation.pseudonym import Pseudonymizer

COLUMNS = {
    "signatory": ("signatory", "undertecknare", "signatar", "signatär"),
    "email": ("email", "e-mail", "e-post", "epost", "mail"),
    "process": ("process",),
    "name": ("name", "namn"),
}
REQUIRED = ("signatory", "email")
MAX_EMAIL = 254  # RFC 5321's path limit
MAX_LINES = 10_000
# Deliberately plain: one @, a dot in the domain, no spaces or angle brackets; a mail server
# decides the rest (a bounce is the e-mail channel's to handle).
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


class InviteFileError(ValueError):
    """The file cannot be used; ``problems`` lists every one found (``line N: …``)."""

    def __init__(self, problems: Sequence[str], readable: Sequence[InviteRequest] = ()) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.readable = list(readable)  # the lines that were fine, to check the rest against the store


@dataclass(frozen=True)
class InviteRequest:
    line: int
    process_key: str
    signatory_key: str
    email: str
    name: str = ""


@dataclass(frozen=True)
class IssuedInvitation:
    """One contact's invitation: ``code`` registers whoever opens it as a contact of the signatory."""

    request: InviteRequest
    signatory_name: str
    code: str
    expires: datetime

    @property
    def command(self) -> str:
        return f"/kontakt {self.code}"

    def telegram_link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{self.code}"


class InvitationMailer(Protocol):
    """Sends an invitation to ``invitation.request.email`` (implemented by the e-mail channel).

    Raises the port errors: :class:`ChatGone` when the server refused the address or the message
    for good (5xx), :class:`TemporaryFailure` when it still answered "try later" (4xx) after the
    channel's own retries, :class:`ChatRefused` when it refused our login or sender address."""

    async def send_invitation(self, invitation: IssuedInvitation) -> None: ...


TEXTS = {
    "sv": {
        "invitemail.subject": "Inbjudan: bli kontaktperson för {organisation}",
        "invitemail.greeting": "Hej {name}!",
        "invitemail.greeting_unnamed": "Hej!",
        "invitemail.intro": (
            "Du är inbjuden att bli kontaktperson för {organisation} i dialogprocessen {process}. "
            "Som kontaktperson får du påminnelser om dialogmötena och kan svara för organisationen "
            "om ni kommer."
        ),
        "invitemail.telegram_link": "Telegram: öppna länken {link} och tryck på Starta.",
        "invitemail.telegram_code": "Telegram: skriv /kontakt {code} till boten i ett privat samtal.",
        "invitemail.telegram_or_code": "Eller skriv /kontakt {code} till boten i ett privat samtal.",
        "invitemail.slack": (
            "Slack: skriv /dialog kontakt {code} i ett direktmeddelande till boten (Appar → Dialogbot)."
        ),
        "invitemail.expires": (
            "Koden gäller till {expires} och är bara till dig: skicka den inte vidare. "
            "Har du fått mejlet av misstag kan du bortse från det."
        ),
    },
    "en": {
        "invitemail.subject": "Invitation: become the contact person of {organisation}",
        "invitemail.greeting": "Hello {name},",
        "invitemail.greeting_unnamed": "Hello,",
        "invitemail.intro": (
            "You are invited to become the contact person of {organisation} in the dialogue process "
            "{process}. As contact person you get reminders of the dialogue meetings and can answer for "
            "the organisation whether you are coming."
        ),
        "invitemail.telegram_link": "Telegram: open the link {link} and press Start.",
        "invitemail.telegram_code": "Telegram: send /contact {code} to the bot in a private chat.",
        "invitemail.telegram_or_code": "Or send /contact {code} to the bot in a private chat.",
        "invitemail.slack": (
            "Slack: type /dialog contact {code} in a direct message to the bot (Apps → Dialogbot)."
        ),
        "invitemail.expires": (
            "The code is valid until {expires} and is meant for you only: do not pass it on. "
            "If you got this e-mail by mistake, you can ignore it."
        ),
    },
}
register(TEXTS)


def invitation_email(
    invitation: IssuedInvitation, lang: Language | str = Language.SV, bot_username: str | None = None
) -> tuple[str, str]:
    """The invitation as an e-mail's (subject, plain text): the Telegram link (with a bot's
    username) and the code, and how to use the code in Slack."""
    r = invitation.request
    organisation = invitation.signatory_name
    lines = [
        t("invitemail.greeting", lang, name=r.name) if r.name else t("invitemail.greeting_unnamed", lang),
        "",
        t("invitemail.intro", lang, organisation=organisation, process=r.process_key),
        "",
    ]
    if bot_username:
        lines += [
            t("invitemail.telegram_link", lang, link=invitation.telegram_link(bot_username)),
            t("invitemail.telegram_or_code", lang, code=invitation.code),
        ]
    else:
        lines.append(t("invitemail.telegram_code", lang, code=invitation.code))
    lines += [
        "",
        t("invitemail.slack", lang, code=invitation.code),
        "",
        t("invitemail.expires", lang, expires=to_local(invitation.expires).strftime("%Y-%m-%d %H:%M")),
    ]
    return t("invitemail.subject", lang, organisation=organisation), "\n".join(lines) + "\n"


def email_problem(address: str) -> str | None:
    if not address:
        return "the e-mail address is empty"
    if len(address) > MAX_EMAIL:
        return f"the e-mail address is longer than {MAX_EMAIL} characters"
    if has_hidden_characters(address) or not _EMAIL.match(address):
        return f"{address!r} is not an e-mail address"
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Swedish Excel's plain "CSV"


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _prefixed(what: str, problem: str | None) -> str | None:
    return f"the {what} {problem}" if problem else None


def _name_problem(name: str) -> str | None:
    if len(name) > LIMITS["contact.name"]:
        return f"the name is longer than {LIMITS['contact.name']} characters"
    return "the name contains invisible characters" if has_hidden_characters(name) else None


def read_requests(data: bytes, default_process: str | None = None) -> list[InviteRequest]:
    """The file's invitation requests; :class:`InviteFileError` with every problem found."""
    text = _decode(data).lstrip("\ufeff")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InviteFileError(["the file is empty"])
    header_line = next(line for line in lines if line.strip())
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(header_line))
    rows = [(number, row) for number, row in enumerate(reader, start=1) if any(cell.strip() for cell in row)]
    (header_number, header), body = rows[0], rows[1:]
    names = [cell.strip().lower() for cell in header]
    positions: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in aliases]
        if found:
            positions[column] = found[0]
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise InviteFileError(
            [
                f"line {header_number}: missing column(s) {', '.join(missing)}; the first line must name the "
                f"columns, e.g. signatory;email (optional: process;name), found: {';'.join(header) or 'nothing'}"
            ]
        )
    if "process" not in positions and not default_process:
        raise InviteFileError(["the file has no process column: give --process PROCESS"])
    if len(body) > MAX_LINES:
        raise InviteFileError([f"more than {MAX_LINES} lines: split the file"])
    problems: list[str] = []
    requests: list[InviteRequest] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in body:

        def cell(column: str, row: list[str] = row) -> str:
            index = positions.get(column)
            return row[index].strip() if index is not None and index < len(row) else ""

        process = cell("process") or default_process or ""
        signatory, email, name = cell("signatory"), cell("email"), cell("name")
        problem = (
            ("the signatory is empty" if not signatory else None)
            or _prefixed("signatory", key_problem(signatory, "signatory.key"))
            or _prefixed("process", key_problem(process, "process.key"))
            or email_problem(email)
            or _name_problem(name)
        )
        same = (process, signatory, email.lower())
        if problem is None and same in seen:
            problem = f"the same signatory and address as line {seen[same]}"
        if problem is not None:
            problems.append(f"line {number}: {problem}")
            continue
        seen[same] = number
        requests.append(InviteRequest(number, process, signatory, email, name))
    if problems:
        raise InviteFileError(problems, requests)
    if not requests:
        raise InviteFileError(["the file names no contacts below its header line"])
    return requests


async def issue(
    store: MeetingDirectory, signer: Pseudonymizer, requests: Sequence[InviteRequest], now: datetime
) -> list[IssuedInvitation]:
    """One signed invitation per request; :class:`InviteFileError` naming each unknown signatory."""
    problems = await unknown_signatories(store, requests)
    if problems:
        raise InviteFileError(problems)
    issued: list[IssuedInvitation] = []
    for request in requests:
        signatory = await store.signatory(request.process_key, request.signatory_key)
        assert signatory is not None
        invitation = Invitation.new(signatory.id, now)
        code = invitation.code(signer, f"{signatory.process_key}/{signatory.key}")
        issued.append(IssuedInvitation(request, signatory.name, code, invitation.expires))
    return issued


async def unknown_signatories(store: MeetingDirectory, requests: Sequence[InviteRequest]) -> list[str]:
    """``line N: no active signatory …`` for each request whose signatory is not (or no longer) there."""
    problems = []
    for request in requests:
        signatory = await store.signatory(request.process_key, request.signatory_key)
        if signatory is None or not signatory.active:
            problems.append(
                f"line {request.line}: no active signatory {request.signatory_key!r} in process "
                f"{request.process_key!r} (see `dialogbot signatories list`)"
            )
    return problems


def _by_line(problems: Sequence[str]) -> list[str]:
    def line(problem: str) -> int:
        number = problem.removeprefix("line ").partition(":")[0]
        return int(number) if number.isdigit() else 0

    return sorted(problems, key=line)


def all_problems(file_problems: Sequence[str], store_problems: Sequence[str]) -> list[str]:
    """Every problem of a file, by line: its format's and its unknown signatories'."""
    return _by_line([*file_problems, *store_problems])


def invitations_csv(issued: Sequence[IssuedInvitation], bot_username: str | None = None) -> bytes:
    """The list to hand out or mail-merge: UTF-8 with a BOM, ``;``-separated as Swedish Excel reads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = ["process", "signatory", "organisation", "email", "name", "code", "command", "expires"]
    writer.writerow([*header, "telegram_link"] if bot_username else header)
    for one in issued:
        r = one.request
        row = [
            r.process_key,
            r.signatory_key,
            one.signatory_name,
            r.email,
            r.name,
            one.code,
            one.command,
            to_local(one.expires).strftime("%Y-%m-%d %H:%M"),
        ]
        writer.writerow([*row, one.telegram_link(bot_username)] if bot_username else row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Delivered:
    """What :func:`deliver` did: how many invitations the mail server accepted, and one problem
    per line it did not (``line N: …``; never the address)."""

    sent: int
    problems: tuple[str, ...] = ()


def _failure(error: PortError) -> str:
    if isinstance(error, ChatGone):
        return "the mail server refused it for good (check the address in the file); not sent"
    if isinstance(error, TemporaryFailure):
        return "the mail server still answered 'try again later'; not sent (send this line again later)"
    return "not sent"


async def deliver(issued: Sequence[IssuedInvitation], mailer: InvitationMailer | None) -> Delivered:
    """Hand each invitation to the e-mail channel when there is one. A line the server refuses is
    reported and the others go on; a refusal of our own login or sender stops (it would refuse
    every line)."""
    if mailer is None:
        return Delivered(0)
    sent, problems = 0, []
    for index, one in enumerate(issued):
        try:
            await mailer.send_invitation(one)
        except ChatRefused:
            rest = ", ".join(str(o.request.line) for o in issued[index:])
            problems.append(
                f"line(s) {rest}: not sent: the mail server refused our login or sender address "
                "(check smtp_user, smtp_password and smtp_from)"
            )
            break
        except PortError as error:
            problems.append(f"line {one.request.line}: {_failure(error)}")
        else:
            sent += 1
    return Delivered(sent, tuple(problems))


__all__ = [
    "Delivered",
    "InvitationMailer",
    "InviteFileError",
    "InviteRequest",
    "IssuedInvitation",
    "all_problems",
    "deliver",
    "email_problem",
    "invitation_email",
    "invitations_csv",
    "issue",
    "read_requests",
    "unknown_signatories",
]
