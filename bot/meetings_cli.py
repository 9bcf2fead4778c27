"""``dialogbot reminders|signatories|contacts|meetings …``: the administrator's side of dialogue meetings.

* ``reminders status`` plans what is due within the bot's horizon (the dispatcher's own,
  idempotent plan step; nothing is sent) and shows the counts and the upcoming reminders;
  ``reminders import FILE…`` imports TOML files;
* ``signatories list|add|remove`` and ``contacts list|add|remove`` manage signatories and contacts
  beside the TOML files (rows made here have ``source = "cli"`` and are left alone by imports).

Refused input prints ``error: …`` to stderr, exits with 2 and changes nothing. The listing
commands (``reminders status``, ``signatories list``, ``contacts list``, ``meetings list``) never
create the database or the secret: before the bot's first start they say that nothing is stored
yet (``meetings list`` shows the meetings of the files, checked as the bot would import them).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

from bot.cli_settings import settings_from_args as _settings
from config.errors import OperatorError
from config.settings import Settings, with_stored_secret
from facilitation.meetings import (
    Contact,
    ContactKeys,
    Meeting,
    address_problem,
    format_when,
    gone_reason_text,
    key_problem,
    length_problem,
    next_occurrence,
    workspace_problem,
)
from facilitation.meetings.bulk_invite import InvitationMailer
from facilitation.meetings.store import CLI, ManagementError, MeetingStore, StoredContact
from facilitation.meetings.tz import STOCKHOLM, to_local
from facilitation.model import Language
from facilitation.pseudonym import Pseudonymizer

T = TypeVar("T")
UPCOMING_HORIZON = timedelta(days=400)  # a yearly meeting's reminders are always in view
UPCOMING_LINES = 6


class Refused(OperatorError):
    """Input the administrator must fix; printed as ``error: …`` with exit code 2."""


def _pseudonymizer(args: argparse.Namespace) -> Pseudonymizer:
    """The installation's pseudonymizer; its secret is made now if this is the first write."""
    return Pseudonymizer(with_stored_secret(_settings(args)).secret)


def _database_missing(settings: Settings) -> Path | None:
    """The SQLite file that does not exist yet (a listing must not create it), else None."""
    from storage.database import sqlite_file

    file = sqlite_file(settings.effective_database_url)
    return file if file is not None and not file.exists() else None


def _nothing_stored(file: Path) -> None:
    print(f"nothing stored yet: there is no database file {file} (the bot creates it on its first start)")


async def _with_store(
    args: argparse.Namespace, work: Callable[[MeetingStore], Awaitable[T]], read_only: bool
) -> T:
    from storage.checks import open_database
    from storage.meetings_repository import SqlMeetingStore

    settings = _settings(args)
    engine = await open_database(
        settings.effective_database_url, migrate=not read_only, secret=settings.secret
    )
    try:
        return await work(SqlMeetingStore(engine))
    finally:
        await engine.dispose()


def _run(
    args: argparse.Namespace, work: Callable[[MeetingStore], Awaitable[None]], *, read_only: bool = False
) -> int:
    """Run ``work`` on the store; a refused change is a :class:`Refused` (exit 2 with its reason).

    ``read_only``: an SQLite file that does not exist yet is not created (nothing is stored) and
    an existing one is not migrated.
    """
    missing = _database_missing(_settings(args)) if read_only else None
    if missing is not None:
        _nothing_stored(missing)
        return 0
    try:
        asyncio.run(_with_store(args, work, read_only))
    except ManagementError as exc:
        raise Refused(str(exc)) from exc
    return 0


def _local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "–"


def _span(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m"


async def _require_process(args: argparse.Namespace, store: MeetingStore, process: str) -> None:
    """A process is known from the process files or from signatories/meetings already stored."""
    from config.catalogue import load_processes

    known = set(load_processes(_settings(args).processes_dir)) | await store.process_keys()
    if process not in known:
        raise Refused(f"unknown process {process!r}; known: {', '.join(sorted(known)) or 'none'}")


# --- reminders -------------------------------------------------------------------------------
def cmd_reminders(args: argparse.Namespace) -> int:
    if args.action == "import":
        return _import(args)
    return _run(args, _status, read_only=True)


async def _status(store: MeetingStore) -> None:
    """Counts, progress and what comes next, after planning exactly as a running bot would."""
    from bot.meetings_runner import Dispatcher
    from facilitation.meetings.dispatch import schedule

    now = datetime.now(UTC)
    dispatcher = Dispatcher(store, {})  # no ports: it plans, it never sends
    planned = await dispatcher.plan(now)
    counts = await store.status_counts()
    total = sum(counts.values())
    done = counts["sent"] + counts["skipped"]
    print("reminders: " + ", ".join(f"{name} {n}" for name, n in counts.items()) + f" (total {total})")
    print(f"planned now: {planned} new (the bot plans {dispatcher.horizon.days} days ahead)")
    print(f"progress: {done}/{total} handled; due now: {await store.due_count(now)}")
    problems: list[str] = []

    def unplannable(meeting: Meeting, exc: Exception) -> None:
        problems.append(
            f"cannot plan {meeting.process_key}/{meeting.key} ({type(exc).__name__}: {exc}): "
            "fix it in its file and import it again"
        )

    upcoming = [d for d in (await schedule(store, now, UPCOMING_HORIZON, unplannable)).dues if d.due_at > now]
    for problem in problems:
        print(f"problem: {problem}")
    stored_next = await store.next_due(now)
    candidates = [m for m in (stored_next, upcoming[0].due_at if upcoming else None) if m is not None]
    print(f"next due: {_local(min(candidates) if candidates else None)}")
    groups = Counter((d.due_at, d.process_key, d.meeting_key, d.offset) for d in upcoming)
    if groups:
        print("upcoming:")
    for (due_at, process, meeting, offset), contacts in sorted(groups.items())[:UPCOMING_LINES]:
        print(f"  {_local(due_at)}\t{process}/{meeting}\t{_span(offset)} before\t{contacts} contacts")
    unreachable = await store.unreachable()
    if unreachable:
        print(
            "unreachable (their chat is gone; the next reminder is tried once more - ask the person to add "
            "the bot again, or change the contact with `dialogbot contacts`):"
        )
    for gone in unreachable:
        c = gone.contact
        print(
            f"  {c.process_key}\t{c.contact.key}\t{c.contact.name}\t{c.signatory_name} ({c.signatory_key})\t"
            f"{c.contact.platform}: {gone_reason_text(gone.reason, Language.EN)}\tsince {_local(gone.since)}"
        )


def _import(args: argparse.Namespace) -> int:
    """Check every file first (as the bot would import it), then import them in one go."""
    from config.catalogue import load_processes
    from config.meetings_files import load_meetings_configs
    from facilitation.meetings.directory import import_meetings

    paths = [Path(f) for f in args.files]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise Refused(f"no such file or directory: {', '.join(map(str, missing))}")
    known = set(load_processes(_settings(args).processes_dir))
    if not load_meetings_configs(paths, None, known):
        raise Refused(f"no [[signatories]] or [[meetings]] in {', '.join(map(str, paths))}")

    async def run(store: MeetingStore) -> None:
        pseudonymizer = _pseudonymizer(args)
        configs = load_meetings_configs(paths, pseudonymizer, known)
        await import_meetings(store, configs, pseudonymizer)
        for config in configs:
            print(
                f"{config.process_key}: {len(config.signatories)} signatories, {len(config.contacts)} contacts, "
                f"{len(config.meetings)} meetings imported"
            )

    return _run(args, run)


# --- signatories -------------------------------------------------------------------------------
def cmd_signatories(args: argparse.Namespace) -> int:
    return _run(
        args,
        {"list": _list_signatories, "add": _add_signatory, "remove": _remove_signatory}[args.action](args),
        read_only=args.action == "list",
    )


def _list_signatories(args: argparse.Namespace) -> Callable[[MeetingStore], Awaitable[None]]:
    async def show(store: MeetingStore) -> None:
        for s in await store.signatories(args.process):
            state = "" if s.active else " (inactive)"
            print(f"{s.process_key}\t{s.key}\t{s.name}\t{s.contacts} contacts\tfrom {s.source}{state}")

    return show


def _name_problem(name: str, limit_name: str) -> str | None:
    if not name:
        return "the name is empty"
    problem = length_problem(name, limit_name)
    return f"the name {problem}" if problem else None


def _add_signatory(args: argparse.Namespace) -> Callable[[MeetingStore], Awaitable[None]]:
    name = " ".join(args.name).strip()

    async def add(store: MeetingStore) -> None:
        await _require_process(args, store, args.process)
        problem = key_problem(args.key, "signatory.key") or _name_problem(name, "signatory.name")
        if problem:
            raise Refused(problem)
        await store.add_signatory(args.process, args.key, name, CLI)
        print(f"added signatory {args.key} ({name}) to {args.process}")

    return add


def _remove_signatory(args: argparse.Namespace) -> Callable[[MeetingStore], Awaitable[None]]:
    async def remove(store: MeetingStore) -> None:
        contacts = await store.remove_signatory(args.process, args.key)
        print(f"removed signatory {args.key} from {args.process} with its {contacts} contact(s)")

    return remove


# --- contacts --------------------------------------------------------------------------------------
def cmd_contacts(args: argparse.Namespace) -> int:
    if args.action == "invite":
        return _invite(args)
    return _run(
        args,
        {"list": _list_contacts, "add": _add_contact, "remove": _remove_contact}[args.action](args),
        read_only=args.action == "list",
    )


def _reachability(settings: Settings, platform: str) -> str:
    """Whether this installation runs the contact's platform (local mode always can)."""
    configured = {
        "telegram": settings.has_telegram,
        "slack": settings.has_slack,
        "local": True,
        "email": settings.has_email,
    }
    return "reachable" if configured.get(platform) else f"not reachable ({platform} is not configured)"


def _contact_state(contact: StoredContact) -> str:
    if not contact.active:
        return "inactive"
    return "opted out" if contact.contact.opted_out else "active"


def _list_contacts(args: argparse.Namespace) -> Callable[[MeetingStore], Awaitable[None]]:
    async def show(store: MeetingStore) -> None:
        if args.process:
            await _require_process(args, store, args.process)
        settings = _settings(args)
        for c in await store.contacts(args.process, active_only=False):
            print(
                f"{c.process_key}\t{c.contact.key}\t{c.contact.name}\t{c.signatory_name} ({c.signatory_key})\t"
                f"{c.contact.platform}, {_reachability(settings, c.contact.platform)}\t{_contact_state(c)}\t"
                f"from {c.source}"
            )

    return show


def _new_contact(args: argparse.Namespace) -> Contact:
    """The contact the arguments describe; :class:`Refused` with the first problem found."""
    platform, address = next(
        (p, getattr(args, p)) for p in ("telegram", "slack", "local", "email") if getattr(args, p)
    )
    address = address.strip()
    name = args.name.strip()
    problem = (
        address_problem(platform, address)
        or workspace_problem(platform, args.workspace)
        or _name_problem(name, "contact.name")
        or (key_problem(args.key, "contact.key") if args.key else None)
    )
    if problem:
        raise Refused(problem)
    key = args.key or ContactKeys(_pseudonymizer(args)).derive(
        args.signatory, platform, address, args.workspace
    )
    return Contact(key, name, platform, address, args.workspace, Language(args.language))  # type: ignore[arg-type]


def _add_contact(args: argparse.Namespace) -> Callable[[MeetingStore], Awaitable[None]]:
    async def add(store: MeetingStore) -> None:
        await _require_process(args, store, args.process)
        contact = _new_contact(args)
        stored, created = await store.add_contact(args.process, args.signatory, contact, CLI)
        if not created:
            raise Refused(
                f"{stored.contact.name} is already a contact of {stored.signatory_name} on "
                f"{contact.platform} (key {stored.contact.key})"
            )
        print(
            f"added contact {stored.contact.key} ({contact.name}) to {stored.signatory_name} in {args.process}"
        )

    return add


def _remove_contact(args: argparse.Namespace) -> Callable[[MeetingStore], Awaitable[None]]:
    async def remove(store: MeetingStore) -> None:
        await store.remove_contact(args.process, args.key)
        print(f"removed contact {args.key} from {args.process} with its answers and reminder history")

    return remove


def invitation_mailer(
    settings: Settings, language: str = "sv", telegram_bot: str | None = None
) -> InvitationMailer | None:
    """The e-mail channel that sends bulk invitations (in ``language``, with t.me links for
    ``telegram_bot``), when e-mail is set up (``smtp_host``); None otherwise: the list is the result."""
    from bot.mail.invitations import invitation_emails

    return invitation_emails(settings, language, telegram_bot)


def _invite(args: argparse.Namespace) -> int:
    """``contacts invite --csv FILE``: every line checked first; then one invitation per contact."""
    from facilitation.meetings.bulk_invite import (
        InviteFileError,
        all_problems,
        deliver,
        invitations_csv,
        issue,
        read_requests,
        unknown_signatories,
    )

    path = Path(args.csv)
    if not path.is_file():
        raise Refused(f"no such file: {path}")
    try:
        requests, unreadable = read_requests(path.read_bytes(), args.process), None
    except InviteFileError as exc:
        if not exc.readable:  # nothing to check against the store (e.g. a missing column)
            raise Refused(f"{path}: " + "; ".join(exc.problems)) from exc
        requests, unreadable = exc.readable, exc
    settings = _settings(args)

    async def run(store: MeetingStore) -> None:
        if unreadable is not None:  # every problem at once: the lines' and the unknown signatories'
            problems = all_problems(unreadable.problems, await unknown_signatories(store, requests))
            raise Refused(f"{path}: " + "; ".join(problems))
        try:
            issued = await issue(store, _pseudonymizer(args), requests, datetime.now(UTC))
        except InviteFileError as exc:
            raise Refused(f"{path}: " + "; ".join(exc.problems)) from exc
        data = invitations_csv(issued, args.telegram_bot)
        if args.out:
            files.append((Path(args.out), data))
        else:
            print(data.decode("utf-8-sig"), end="")
        mailer = invitation_mailer(settings, args.language, args.telegram_bot)
        try:
            delivered = await deliver(issued, mailer)
        finally:
            closing = getattr(mailer, "aclose", None)
            if closing is not None:
                await closing()
        where = f"written to {args.out}" if args.out else "listed above"
        if mailer is None:
            how = "e-mail is not set up: hand them out yourself"
        else:
            how = f"{delivered.sent} sent by e-mail"
            if delivered.problems:
                how += f", {len(delivered.problems)} problem(s):"
                failed.extend(delivered.problems)
        out = sys.stderr if not args.out else sys.stdout
        print(f"{len(issued)} invitation(s) {where}; {how}", file=out)
        for problem in delivered.problems:
            print(problem, file=out)

    files: list[tuple[Path, bytes]] = []
    failed: list[str] = []
    code = _run(args, run)
    _write(files)
    return code or (1 if failed else 0)


def _write(files: list[tuple[Path, bytes]]) -> None:
    for path, data in files:
        path.write_bytes(data)


# --- meetings -------------------------------------------------------------------------------------
def cmd_meetings(args: argparse.Namespace) -> int:
    """The stored meetings; before the first start, the files' meetings. The files are checked
    first either way, so a meeting the bot would refuse on start is refused here too."""
    from config.meetings_files import configured_meetings

    if args.action == "attendance":
        files: list[tuple[Path, bytes]] = []
        code = _run(args, _attendance(args, files), read_only=True)
        _write(files)
        for path, _data in files:
            print(f"written: {path}")
        return code
    settings = _settings(args)
    configs = configured_meetings(settings, None)
    now = datetime.now(UTC)
    if _database_missing(settings) is not None:
        for config in configs:
            for meeting in config.meetings:
                _print_meeting(args, meeting, now, " (not imported yet)")
        return 0

    async def show(store: MeetingStore) -> None:
        for stored in await store.meetings(active_only=False):
            _print_meeting(args, stored.meeting, now, "" if stored.active else " (inactive)")

    return _run(args, show, read_only=True)


def _attendance(
    args: argparse.Namespace, files: list[tuple[Path, bytes]]
) -> Callable[[MeetingStore], Awaitable[None]]:
    """``meetings attendance MEETING``: every signatory with its organisation's answer for the
    meeting's next occurrence (or the one on ``--date``); ``--csv``/``--xlsx`` write it too."""
    from facilitation.meetings.attendance import attendance, attendance_text, to_csv, to_xlsx
    from facilitation.meetings.recurrence import occurrences

    lang = Language(args.language or _settings(args).language)

    async def show(store: MeetingStore) -> None:
        process, _, key = args.meeting.rpartition("/")
        found = [
            m
            for m in await store.meetings(active_only=False)
            if m.meeting.key == key and (not process or m.meeting.process_key == process)
        ]
        if not found:
            raise Refused(f"no meeting {args.meeting!r}; see `dialogbot meetings list`")
        if len(found) > 1:
            names = ", ".join(f"{m.meeting.process_key}/{key}" for m in found)
            raise Refused(f"{key!r} is a meeting of several processes: name one ({names})")
        [stored] = found
        if args.date:
            try:
                day = date.fromisoformat(args.date)
            except ValueError:
                raise Refused(f"--date {args.date!r} is not a date like 2027-03-09") from None
            start = datetime.combine(day, time(0), STOCKHOLM)
            matches = occurrences(stored.meeting, start, start + timedelta(days=1))
            if not matches:
                raise Refused(f"{stored.meeting.key} has no occurrence on {day.isoformat()}")
            occurrence = matches[0]
        else:
            upcoming = next_occurrence(stored.meeting, datetime.now(UTC))
            if upcoming is None:
                raise Refused(f"{stored.meeting.key} has no upcoming occurrence: give --date")
            occurrence = upcoming
        lines = await attendance(store, stored.id, occurrence)
        header = f"{stored.meeting.title}, {format_when(occurrence, stored.meeting.duration, lang)}"
        print(attendance_text(header, lines, lang))
        if args.csv:
            files.append((Path(args.csv), to_csv(lines, lang)))
        if args.xlsx:
            files.append((Path(args.xlsx), to_xlsx(lines, lang, stored.meeting.key)))

    return show


def _print_meeting(args: argparse.Namespace, meeting: Meeting, now: datetime, state: str) -> None:
    if args.process and meeting.process_key != args.process:
        return
    upcoming = next_occurrence(meeting, now)
    when = format_when(upcoming, meeting.duration) if upcoming else "–"
    offsets = ", ".join(_span(o) for o in meeting.reminder_offsets)
    print(
        f"{meeting.process_key}\t{meeting.key}\t{meeting.title}\tnext: {when}\t"
        f"rule: {meeting.rrule or 'once'}\treminders: {offsets}{state}"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    reminders = subparsers.add_parser("reminders", help="dialogue-meeting reminders: status, or import files")
    actions = reminders.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("status", help="plan what is due (nothing is sent) and show the upcoming reminders")
    importing = actions.add_parser(
        "import", help="check and import signatories, contacts and meetings from TOML"
    )
    importing.add_argument(
        "files", nargs="+", help="TOML files or directories with [[signatories]]/[[meetings]]"
    )
    reminders.set_defaults(func=cmd_reminders)

    signatories = subparsers.add_parser("signatories", help="list, add or remove signatories")
    actions = signatories.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="signatories and their active contacts")
    listing.add_argument("--process", help="only this process")
    add = actions.add_parser("add", help="add a signatory (kept across TOML imports)")
    add.add_argument("process")
    add.add_argument("key", help="unique in the process: a-z, 0-9, '.', '_', '-'")
    add.add_argument("name", nargs="+", help="the organisation's name")
    remove = actions.add_parser("remove", help="remove a signatory added with the CLI or in a chat")
    remove.add_argument("process")
    remove.add_argument("key")
    signatories.set_defaults(func=cmd_signatories)

    contacts = subparsers.add_parser("contacts", help="list, add or remove signatories' contact persons")
    actions = contacts.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="contacts: signatory, platform, reachable, state")
    listing.add_argument("process", nargs="?", help="only this process")
    add = actions.add_parser("add", help="add a contact person to a signatory")
    add.add_argument("process")
    add.add_argument("signatory", help="the signatory's key")
    add.add_argument("--name", required=True)
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--telegram", metavar="CHAT_ID", help="numeric Telegram chat id")
    where.add_argument("--slack", metavar="USER_ID", help="Slack user or channel id (U…, C…)")
    where.add_argument("--local", metavar="NAME", help="a name in the local terminal mode")
    where.add_argument("--email", metavar="ADDRESS", help="an e-mail address (needs the smtp_* settings)")
    add.add_argument("--workspace", metavar="T…", help="Slack team id")
    add.add_argument("--language", choices=["sv", "en"], default="sv")
    add.add_argument("--key", help="default: <signatory>.<platform>-<hash> (never the address)")
    remove = actions.add_parser("remove", help="remove a contact added with the CLI or in a chat")
    remove.add_argument("process")
    remove.add_argument("key", metavar="CONTACT_KEY")
    invite = actions.add_parser(
        "invite", help="one signed invitation per contact of a CSV file (signatory;email[;process][;name])"
    )
    invite.add_argument(
        "--csv", required=True, metavar="FILE", help="UTF-8 or Excel CSV, ';' or ',' separated"
    )
    invite.add_argument("--process", help="the process of lines without a process column")
    invite.add_argument("--out", metavar="FILE", help="write the invitations here (default: print them)")
    invite.add_argument("--telegram-bot", metavar="USERNAME", help="add t.me deep links for this bot")
    invite.add_argument(
        "--language", choices=["sv", "en"], default="sv", help="language of the e-mails (with smtp_* set)"
    )
    contacts.set_defaults(func=cmd_contacts)

    meetings = subparsers.add_parser("meetings", help="the dialogue meetings and their next occurrence")
    actions = meetings.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="the stored meetings (before the first start: the files' meetings)"
    )
    listing.add_argument("--process", help="only this process")
    attending = actions.add_parser(
        "attendance", help="which signatories come to a meeting (its next occurrence, or --date)"
    )
    attending.add_argument("meeting", metavar="MEETING", help="the meeting's key, or PROCESS/KEY")
    attending.add_argument("--date", help="the occurrence on this day (YYYY-MM-DD), e.g. a past one")
    attending.add_argument("--csv", metavar="FILE", help="also write it as CSV (Excel, ';')")
    attending.add_argument("--xlsx", metavar="FILE", help="also write it as an XLSX workbook")
    attending.add_argument("--language", choices=["sv", "en"])
    meetings.set_defaults(func=cmd_meetings)
