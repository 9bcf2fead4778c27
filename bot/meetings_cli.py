"""``dialogbot reminders status|import``, ``dialogbot signatories list``, ``dialogbot meetings list``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from facilitation.meetings import MeetingsConfigError, format_when, next_occurrence
from facilitation.meetings.tz import to_local
from storage.meetings_repository import MeetingStore

T = TypeVar("T")


async def _with_store(args: argparse.Namespace, work: Callable[[MeetingStore], Awaitable[T]]) -> T:
    from bot.cli import _settings
    from storage.database import create_engine, is_sqlite
    from storage.migrate import current_revision, head_revision, upgrade

    settings = _settings(args)
    url = settings.effective_database_url
    engine = create_engine(url)
    try:
        if is_sqlite(url):
            await upgrade(url, engine)
        elif await current_revision(engine) != head_revision():
            raise SystemExit("database schema is not at the newest revision: run `dialogbot db upgrade` first")
        return await work(MeetingStore(engine))
    finally:
        await engine.dispose()


def _local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "–"


def cmd_reminders(args: argparse.Namespace) -> int:
    if args.action == "import":
        return _import(args)

    async def status(store: MeetingStore) -> None:
        now = datetime.now(UTC)
        counts = await store.status_counts()
        total = sum(counts.values())
        done = counts["sent"] + counts["skipped"]
        print("reminders: " + ", ".join(f"{name} {n}" for name, n in counts.items()) + f" (total {total})")
        print(f"progress: {done}/{total} handled; due now: {await store.due_count(now)}")
        print(f"next due: {_local(await store.next_due(now))}")

    asyncio.run(_with_store(args, status))
    return 0


def _import(args: argparse.Namespace) -> int:
    from bot.meetings_runner import import_meetings, load_meetings_configs

    paths = [Path(f) for f in args.files]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"no such file: {', '.join(map(str, missing))}")
        return 2
    try:
        configs = load_meetings_configs(paths)
    except MeetingsConfigError as exc:
        print(f"configuration error: {exc}")
        return 2
    if not configs:
        print("no [[signatories]] or [[meetings]] found")
        return 1

    async def run(store: MeetingStore) -> None:
        from bot.cli import _settings
        from facilitation.pseudonym import Pseudonymizer

        pseudonymizer = Pseudonymizer(_settings(args).secret)
        await import_meetings(store, configs, lambda c: pseudonymizer.participant_key(c.platform, c.address))
        for config in configs:
            print(f"{config.process_key}: {len(config.signatories)} signatories, {len(config.contacts)} contacts, "
                  f"{len(config.meetings)} meetings imported")

    asyncio.run(_with_store(args, run))
    return 0


def cmd_signatories(args: argparse.Namespace) -> int:
    async def show(store: MeetingStore) -> None:
        for s in await store.signatories(args.process):
            state = "" if s.active else " (inactive)"
            print(f"{s.process_key}\t{s.key}\t{s.name}\t{s.contacts} contacts{state}")

    asyncio.run(_with_store(args, show))
    return 0


def cmd_meetings(args: argparse.Namespace) -> int:
    async def show(store: MeetingStore) -> None:
        now = datetime.now(UTC)
        for stored in await store.meetings(active_only=False):
            meeting = stored.meeting
            if args.process and meeting.process_key != args.process:
                continue
            upcoming = next_occurrence(meeting, now)
            when = format_when(upcoming, meeting.duration) if upcoming else "–"
            offsets = ", ".join(f"{int(o.total_seconds() // 86400)}d" if o.total_seconds() % 86400 == 0
                                else f"{int(o.total_seconds() // 3600)}h" for o in meeting.reminder_offsets)
            state = "" if stored.active else " (inactive)"
            print(f"{meeting.process_key}\t{meeting.key}\t{meeting.title}\tnext: {when}\t"
                  f"rule: {meeting.rrule or 'once'}\treminders: {offsets}{state}")

    asyncio.run(_with_store(args, show))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    reminders = subparsers.add_parser("reminders", help="dialogue-meeting reminders: status, or import a file")
    reminders.add_argument("action", choices=["status", "import"])
    reminders.add_argument("files", nargs="*", help="import: TOML files or directories with [[meetings]]")
    reminders.set_defaults(func=cmd_reminders)

    signatories = subparsers.add_parser("signatories", help="list the signatories and their contact counts")
    signatories.add_argument("action", choices=["list"])
    signatories.add_argument("--process", help="only this process")
    signatories.set_defaults(func=cmd_signatories)

    meetings = subparsers.add_parser("meetings", help="list the dialogue meetings and their next occurrence")
    meetings.add_argument("action", choices=["list"])
    meetings.add_argument("--process", help="only this process")
    meetings.set_defaults(func=cmd_meetings)
