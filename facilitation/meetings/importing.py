'''Signatories, contact persons and meetings of one process, read from its TOML document.

The document is already parsed (``tomllib``); this module turns it into dataclasses and says
precisely what is wrong otherwise, e.g.
``config/processes/varmland.toml: [[meetings]][0].start: not an ISO date-time``.
The sections may live in the process file beside ``[process]`` and ``[[principles]]``::

    [[signatories]]
    key = "region-varmland"                  # unique in the process
    name = "Region Värmland"

    [[signatories.contacts]]
    name = "Anna Andersson"
    telegram = 123456789                     # exactly one of telegram / slack / local / email
    language = "sv"                          # optional: sv (default) or en

    [[signatories.contacts]]
    key = "bo"                               # optional; default "<signatory>.<platform>-<token>"
    name = "Bo Berg"
    slack = "U0123ABCD"                      # a Slack user or channel id
    workspace = "T0123ABCD"                  # the Slack team id (optional)
    opted_out = false                        # optional

    [[signatories.contacts]]
    name = "Cilla Carlsson"
    email = "cilla@example.se"               # reminders by e-mail, with a calendar invitation
                                             # (reached on a chat too: a second entry for it)

    [[meetings]]
    key = "dialogmote"
    title = "Årligt dialogmöte för Överenskommelsen i Värmland"
    start = "2027-03-09T10:00"               # naive = Europe/Stockholm; an offset is also accepted
    duration = "3h"                          # NwNdNhNm, e.g. "1h30m"; default 3h
    place = "Residenset, Karlstad"
    link = "https://example.org/dialogmote"
    rrule = "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU"  # optional RFC 5545 RRULE; omit for a one-off
    reminder_offsets = ["30d", "7d", "1d"]   # optional; this is the default
    nudge_offsets = ["10d"]                  # optional: one nudge to contacts whose organisation has not answered
    directions = "Buss 1 till Residenset"    # optional: how to get there (the details page)
    agenda = """
    1. Uppföljning av åtagandena
    2. Vilka principer är viktiga för oss?
    """

A naive start in the spring gap or the autumn fold is refused (give the offset, e.g.
``+02:00``), and a start that is not itself an occurrence of its RRULE is refused, so what the
administrator wrote is exactly what the contacts are told. Text lengths are checked against the
database columns (:data:`LIMITS`), so an over-long value is a configuration error naming its
place, never a database error at import time.

A contact without an explicit ``key`` gets ``<signatory>.<platform>-<token>``, where the token is
a keyed hash of the address (:class:`ContactKeys`): delivery keys, logs and CLI output then
never carry a Telegram chat id or a Slack user id, and the same person always gets the same key
(also when added with the CLI or registered through an invitation in a chat).
'''

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from facilitation.errors import DomainError
from facilitation.meetings.model import DEFAULT_REMINDER_OFFSETS, PLATFORMS, Contact, Meeting, Signatory
from facilitation.meetings.recurrence import next_occurrence, normalise_rrule, start_matches_rule
from facilitation.meetings.tz import STOCKHOLM, is_ambiguous, is_nonexistent, to_local
from facilitation.model import Language
from facilitation.pseudonym import Pseudonymizer

_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SLACK_ID = re.compile(r"^[UWCGD][A-Z0-9]+$")
_SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]+$")
_LOCAL_NAME = re.compile(r"^[^\s/@:]+$")

# The widths of the database columns (storage/meetings_models.py; a test keeps them in step).
# A contact key is held to 100 of its 120 characters so that a delivery key
# "process/meeting:occurrence:contact:offset" always fits its 255.
LIMITS: dict[str, int] = {
    "process.key": 40,
    "signatory.key": 64,
    "signatory.name": 200,
    "contact.key": 100,
    "contact.name": 200,
    "contact.address": 64,  # a chat id, Slack id or local name
    "contact.email": 254,  # an e-mail address is at most 254 characters (RFC 5321); the column's width
    "contact.workspace": 64,
    "meeting.key": 64,
    "meeting.title": 300,
    "meeting.place": 300,
    "meeting.link": 500,
    "meeting.rrule": 500,
}
_SPAN = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
# The longest reminder offset and meeting: far beyond any real use, and bounded so that every
# date the planner computes exists (a "1000000d" reminder fell before year 1) and the seconds
# fit the database's integer columns and the delivery key (see LIMITS).
MAX_REMINDER_OFFSET = timedelta(days=3650)
MAX_DURATION = timedelta(days=31)
_SIGNATORY_FIELDS = {"key", "name", "contacts"}
_CONTACT_FIELDS = {"key", "name", "language", "workspace", "opted_out", *PLATFORMS}
_MEETING_FIELDS = {
    "key",
    "title",
    "start",
    "duration",
    "place",
    "link",
    "agenda",
    "rrule",
    "reminder_offsets",
    "directions",
    "nudge_offsets",
}


class MeetingsConfigError(ValueError):
    """Malformed meetings configuration; ``str()`` reads ``file: key_path: problem``."""

    def __init__(self, file: str, key_path: str, problem: str) -> None:
        self.file = file
        self.key_path = key_path
        self.problem = problem
        super().__init__(f"{file}: {key_path}: {problem}" if key_path else f"{file}: {problem}")


@dataclass(frozen=True)
class MeetingsConfig:
    """What one process file says about signatories and meetings."""

    process_key: str
    signatories: tuple[Signatory, ...]
    meetings: tuple[Meeting, ...]

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return tuple(c for s in self.signatories for c in s.contacts)


class ContactKeys:
    """Derives a contact's key from its signatory and a keyed hash of where it is reached.

    With the installation's :class:`Pseudonymizer` the token cannot be turned back into the chat
    id (Telegram ids are few enough to try them all against a plain hash). Without one (checking
    a file on its own, tests) a plain SHA-256 is used: still no address in the key, but only the
    keyed form should be written to an installation's database, so every importer passes it.
    """

    TOKEN_LENGTH = 10

    def __init__(self, pseudonymizer: Pseudonymizer | None = None) -> None:
        self._pseudonymizer = pseudonymizer

    def token(self, platform: str, address: str, workspace: str | None = None) -> str:
        payload = "\x1f".join(("contact-key", platform, workspace or "", address))
        if self._pseudonymizer is None:
            return hashlib.sha256(payload.encode("utf-8")).hexdigest()[: self.TOKEN_LENGTH]
        return self._pseudonymizer.sign(payload, self.TOKEN_LENGTH).lower()

    def derive(self, signatory_key: str, platform: str, address: str, workspace: str | None = None) -> str:
        """``<signatory>.<platform>-<token>``: stable per person and signatory, never the address."""
        return f"{signatory_key}.{platform}-{self.token(platform, address, workspace)}"


def key_problem(key: str, limit_name: str) -> str | None:
    """Why ``key`` cannot be a key (format or length), or None."""
    if not _KEY.match(key):
        return f"{key!r} must be lower-case letters, digits, '.', '_' or '-'"
    return length_problem(key, limit_name)


def length_problem(value: str, limit_name: str) -> str | None:
    """Why ``value`` is too long for its column, or None."""
    limit = LIMITS[limit_name]
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit} fit"
    return None


# One address, no display name, no comments: local part of letters, digits and the usual marks,
# a domain of at least two labels (an internationalised domain in its Unicode form is accepted).
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}"
)


def is_email_address(address: str) -> bool:
    """Whether ``address`` is one plain e-mail address (``name@example.se``) that fits an SMTP path."""
    return (
        len(address) <= 254
        and _EMAIL.fullmatch(address) is not None
        and ".." not in address
        and not address.startswith(".")
        and not address.partition("@")[0].endswith(".")
    )


def address_problem(platform: str, address: str) -> str | None:
    """Why ``address`` cannot reach a contact on ``platform``, or None.

    Shared by the file importer, the CLI and chat registration, so all three accept the same.
    """
    if platform not in PLATFORMS:
        return f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}"
    if platform == "telegram" and not re.fullmatch(r"-?\d+", address):
        return f"{address!r} is not a numeric Telegram chat id"
    if platform == "slack" and not _SLACK_ID.match(address):
        return f"{address!r} is not a Slack user or channel id like U0123ABCD"
    if platform == "email" and not is_email_address(address):
        return f"{address!r} is not an e-mail address like name@example.se"
    if platform == "local" and not _LOCAL_NAME.match(address):
        return f"{address!r} is not a local-mode name (one word without '/', '@' or ':')"
    return length_problem(address, "contact.email" if platform == "email" else "contact.address")


def workspace_problem(platform: str, workspace: str | None) -> str | None:
    """Why ``workspace`` does not fit a contact on ``platform``, or None (no workspace is fine)."""
    if workspace is None:
        return None
    if platform != "slack":
        return "only Slack contacts have a workspace"
    if not _SLACK_TEAM.match(workspace):
        return f"{workspace!r} is not a Slack team id like T0123ABCD"
    return length_problem(workspace, "contact.workspace")


def parse_span(text: str, longest: timedelta | None = None, rule: str = "") -> timedelta:
    """``"30d"``, ``"2h"``, ``"1h30m"``, ``"1w"`` → timedelta; ``ValueError`` otherwise.

    ``longest`` refuses a longer span; ``rule`` states that limit in the message.
    """
    match = _SPAN.match(text.strip().lower()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f'{text!r} is not a duration like "7d", "2h" or "1h30m"')
    weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
    too_long = ValueError(f"{text!r} is too long" + (f": {rule}" if rule else ""))
    try:
        span = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    except OverflowError:
        raise too_long from None
    if span <= timedelta(0):
        raise ValueError(f"{text!r} must be positive")
    if longest is not None and span > longest:
        raise too_long
    return span


class _Reader:
    """Carries the file name so every check can name the place it failed."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> MeetingsConfigError:
        return MeetingsConfigError(self.source, path, problem)

    def table_list(self, doc: Mapping[str, Any], name: str, path: str) -> list[Mapping[str, Any]]:
        value = doc.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(path, f"must be an array of tables ([[{name}]])")
        return value

    def fields(self, table: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for name in table:
            if name not in allowed:
                raise self.fail(
                    f"{path}.{name}", f"unknown key; expected one of {', '.join(sorted(allowed))}"
                )

    def text(
        self,
        table: Mapping[str, Any],
        name: str,
        path: str,
        *,
        required: bool = False,
        limit: str | None = None,
    ) -> str:
        """A string field, stripped; ``limit`` names its entry in :data:`LIMITS`."""
        value = table.get(name)
        if value is None:
            if required:
                raise self.fail(f"{path}.{name}", "is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(
                f"{path}.{name}", "must be a non-empty string" if required else "must be a string"
            )
        text = value.strip() if name != "agenda" else value.strip("\n")
        problem = length_problem(text, limit) if limit else None
        if problem:
            raise self.fail(f"{path}.{name}", problem)
        return text

    def key(self, table: Mapping[str, Any], path: str, seen: dict[str, str], limit: str) -> str:
        key = self.text(table, "key", path, required=True)
        return self.unique_key(key, f"{path}.key", seen, limit)

    def unique_key(self, key: str, path: str, seen: dict[str, str], limit: str) -> str:
        problem = key_problem(key, limit)
        if problem:
            raise self.fail(path, problem)
        if key in seen:
            raise self.fail(path, f"duplicate key {key!r} (first at {seen[key]})")
        seen[key] = path
        return key


def _start(reader: _Reader, value: object, path: str) -> datetime:
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise reader.fail(path, "needs a time of day, e.g. 2027-03-09T10:00")
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise reader.fail(path, "not an ISO date-time like 2027-03-09T10:00") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        raise reader.fail(path, "needs a time of day, e.g. 2027-03-09T10:00")
    if not isinstance(value, datetime):
        raise reader.fail(path, "not an ISO date-time like 2027-03-09T10:00")
    if value.tzinfo is not None:
        return to_local(value)
    if is_nonexistent(value):
        raise reader.fail(
            path, f"{value:%Y-%m-%d %H:%M} does not exist in Europe/Stockholm (clocks spring forward)"
        )
    if is_ambiguous(value):
        raise reader.fail(
            path, f"{value:%Y-%m-%d %H:%M} happens twice in Europe/Stockholm; add +02:00 or +01:00"
        )
    return value.replace(tzinfo=STOCKHOLM)


def _offsets(reader: _Reader, value: object, path: str) -> tuple[timedelta, ...]:
    if value is None:
        return DEFAULT_REMINDER_OFFSETS
    if not isinstance(value, list):
        raise reader.fail(path, 'must be a list like ["30d", "7d", "1d"]')
    offsets: list[timedelta] = []
    for index, item in enumerate(value):
        try:
            offset = parse_span(
                item,
                MAX_REMINDER_OFFSET,
                f"a reminder comes at most {MAX_REMINDER_OFFSET.days}d before the meeting",
            )
        except ValueError as exc:
            raise reader.fail(f"{path}[{index}]", str(exc)) from None
        if offset in offsets:  # "1w" and "7d" are the same reminder
            first = value[offsets.index(offset)]
            same = "is listed twice" if first == item else f"is the same offset as {first!r} (listed twice)"
            raise reader.fail(f"{path}[{index}]", f"{item!r} {same}")
        offsets.append(offset)
    return tuple(offsets)


def _contact(
    reader: _Reader,
    table: Mapping[str, Any],
    path: str,
    signatory: str,
    seen: dict[str, str],
    keys: ContactKeys,
) -> Contact:
    reader.fields(table, _CONTACT_FIELDS, path)
    name = reader.text(table, "name", path, required=True, limit="contact.name")
    given = [p for p in PLATFORMS if p in table]
    if len(given) != 1:
        raise reader.fail(path, f"give exactly one of {', '.join(PLATFORMS)} (found {len(given)})")
    platform = given[0]
    raw = table[platform]
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip():
        raise reader.fail(f"{path}.{platform}", "must be a chat/user id or name")
    address = str(raw).strip()
    if platform == "email":  # the domain is case-insensitive: one person, one key
        local_part, at, domain = address.rpartition("@")
        address = f"{local_part}{at}{domain.lower()}"
    problem = address_problem(platform, address)
    if problem:
        raise reader.fail(f"{path}.{platform}", problem)
    workspace = reader.text(table, "workspace", path) or None
    problem = workspace_problem(platform, workspace)
    if problem:
        raise reader.fail(f"{path}.workspace", problem)
    language = table.get("language", "sv")
    if language not in Language._value2member_map_:
        raise reader.fail(f"{path}.language", f"{language!r} is not one of sv, en")
    opted_out = table.get("opted_out", False)
    if not isinstance(opted_out, bool):
        raise reader.fail(f"{path}.opted_out", "must be true or false")
    if "key" in table:
        key = reader.key(table, path, seen, "contact.key")
    else:
        derived = keys.derive(signatory, platform, address, workspace)
        key = reader.unique_key(derived, f"{path} (derived key)", seen, "contact.key")
    return Contact(key, name, platform, address, workspace, Language(language), opted_out)


def _meeting(
    reader: _Reader, table: Mapping[str, Any], path: str, process_key: str, seen: dict[str, str]
) -> Meeting:
    reader.fields(table, _MEETING_FIELDS, path)
    key = reader.key(table, path, seen, "meeting.key")
    if "start" not in table:
        raise reader.fail(f"{path}.start", "is required")
    start = _start(reader, table["start"], f"{path}.start")
    try:
        duration = parse_span(
            table.get("duration", "3h"), MAX_DURATION, f"a meeting lasts at most {MAX_DURATION.days}d"
        )
    except ValueError as exc:
        raise reader.fail(f"{path}.duration", str(exc)) from None
    rrule = reader.text(table, "rrule", path, limit="meeting.rrule") or None
    if rrule is not None:
        try:
            normalise_rrule(rrule)
        except DomainError as exc:
            raise reader.fail(
                f"{path}.rrule", f"not a valid RFC 5545 RRULE: {exc.params['reason']}"
            ) from None
    meeting = Meeting(
        key=key,
        process_key=process_key,
        title=reader.text(table, "title", path, required=True, limit="meeting.title"),
        start=start,
        duration=duration,
        place=reader.text(table, "place", path, limit="meeting.place"),
        link=reader.text(table, "link", path, limit="meeting.link"),
        agenda=reader.text(table, "agenda", path),
        rrule=rrule,
        reminder_offsets=_offsets(reader, table.get("reminder_offsets"), f"{path}.reminder_offsets"),
        directions=reader.text(table, "directions", path),
        nudge_offsets=_offsets(reader, table["nudge_offsets"], f"{path}.nudge_offsets")
        if "nudge_offsets" in table
        else (),
    )
    if not start_matches_rule(meeting):
        following = next_occurrence(meeting, start)
        if following is None:  # e.g. BYMONTH=2;BYMONTHDAY=30, or an UNTIL before the start
            raise reader.fail(
                f"{path}.rrule", f"the rule gives no date on or after the start {start:%Y-%m-%d %H:%M}"
            )
        hint = f"; the rule's next date is {following:%Y-%m-%d %H:%M}" if following else ""
        raise reader.fail(f"{path}.start", f"{start:%Y-%m-%d %H:%M} is not a date of the rrule{hint}")
    return meeting


def parse_meetings(
    doc: Mapping[str, Any],
    source: str,
    process_key: str | None = None,
    *,
    contact_keys: ContactKeys | None = None,
) -> MeetingsConfig:
    """Read ``[[signatories]]`` and ``[[meetings]]`` of one process; raises :class:`MeetingsConfigError`.

    The process key is ``process_key`` or else ``[process].key`` of the document. Pass the
    installation's ``contact_keys`` when the result is imported (see :class:`ContactKeys`).
    """
    reader = _Reader(source)
    keys = contact_keys or ContactKeys()
    if process_key is None:
        process = doc.get("process", {})
        process_key = process.get("key") if isinstance(process, Mapping) else None
    if not isinstance(process_key, str) or not process_key:
        raise reader.fail("process.key", "is required to attach signatories and meetings to a process")
    problem = length_problem(process_key, "process.key")
    if problem:
        raise reader.fail("process.key", problem)

    signatory_keys: dict[str, str] = {}
    contact_key_paths: dict[str, str] = {}
    signatories = []
    for index, table in enumerate(reader.table_list(doc, "signatories", "signatories")):
        path = f"[[signatories]][{index}]"
        reader.fields(table, _SIGNATORY_FIELDS, path)
        key = reader.key(table, path, signatory_keys, "signatory.key")
        name = reader.text(table, "name", path, required=True, limit="signatory.name")
        contacts = tuple(
            _contact(reader, contact, f"{path}.contacts[{n}]", key, contact_key_paths, keys)
            for n, contact in enumerate(reader.table_list(table, "contacts", f"{path}.contacts"))
        )
        signatories.append(Signatory(key, name, process_key, contacts))

    meeting_keys: dict[str, str] = {}
    meetings = tuple(
        _meeting(reader, table, f"[[meetings]][{index}]", process_key, meeting_keys)
        for index, table in enumerate(reader.table_list(doc, "meetings", "meetings"))
    )
    return MeetingsConfig(process_key, tuple(signatories), meetings)
