"""``dialogbot report WORKSHOP [--out FILE] [--lang sv|en]``: the PDF report of a workshop.

The same report as ``/rapport`` in a chat (:mod:`facilitation.report`), for the operator who
hands it to the steering group. It reads the database and changes nothing (no migration, no
lock: a running bot may keep the file); charts and the PDF are drawn on a thread.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_settings import settings_from_args
from config.errors import OperatorError

if TYPE_CHECKING:
    from config.settings import Settings
    from facilitation.ports import Attachment


class NoReport(OperatorError):
    """No report can be made (no such workshop, no closed round); exit 2 with the reason."""


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="write the PDF report of a workshop's closed rounds")
    report.add_argument("workshop", help="the workshop's number (as /rapport and /omgangar show it)")
    report.add_argument("--out", help="the PDF file to write (default: rapport-NUMBER.pdf here)")
    report.add_argument(
        "--lang", choices=["sv", "en"], help="the report's language (default: the workshop's)"
    )
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    attachment = asyncio.run(_report(settings, args.workshop, args.lang))
    out = Path(args.out) if args.out else Path(attachment.filename)
    out.write_bytes(attachment.data)
    print(f"{out}: {attachment.caption} ({len(attachment.data) / 1e6:.1f} MB)")
    return 0


async def _report(settings: Settings, workshop_arg: str, lang: str | None) -> Attachment:
    from bot.app import default_exercises
    from config.catalogue import load_processes
    from facilitation.conversation import Conversation
    from facilitation.errors import DomainError
    from facilitation.followup.flow import use_records
    from facilitation.input_rules import id_number
    from facilitation.model import Language
    from facilitation.pseudonym import Pseudonymizer
    from facilitation.rendering import ChartRenderer
    from facilitation.report.command import report_pdf
    from facilitation.service import WorkshopService
    from facilitation.yearbook.chat import install as install_yearbook
    from storage.checks import open_database
    from storage.followup_records import SqlFollowupRecords
    from storage.repository import SqlStore
    from storage.yearbook import SqlYearbook

    number = id_number(workshop_arg)
    if number is None:
        raise NoReport(f"{workshop_arg!r} is no workshop number (e.g. 3)")
    engine = await open_database(settings.effective_database_url, migrate=False, secret=settings.secret)
    renderer = ChartRenderer()
    try:
        service = WorkshopService(
            SqlStore(engine), load_processes(settings.processes_dir), min_group_size=settings.min_group_size
        )
        workshop = await service.store.workshop(number)
        if workshop is None:
            raise NoReport(f"there is no workshop {number}")
        conv = Conversation(
            service,
            Pseudonymizer(settings.secret),
            is_facilitator=lambda _user: True,
            renderer=renderer,
            exercises=default_exercises(),
        )
        use_records(conv.exercises.values(), SqlFollowupRecords(engine))
        install_yearbook(conv, SqlYearbook(engine))  # conclusions and the trend chapter
        language = Language(lang) if lang else workshop.language
        try:
            return await report_pdf(conv, conv.exercises, workshop, language)
        except DomainError as refusal:
            raise NoReport(refusal.message(language)) from refusal
    finally:
        renderer.close()
        await engine.dispose()
