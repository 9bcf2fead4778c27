"""The ``dialogbot`` command line: run the bot, migrate the database, check configuration.

An operator never sees a traceback: a problem they can fix is raised where it is found as an
:class:`~config.errors.OperatorError` (settings, files, the database, a platform at start-up)
and :func:`main` prints it as one paragraph with its exit code (2: correct something, 3: a
service could not be reached). Anything else is a bug: one line, the traceback only with ``-v``.
Secrets never appear in either (:mod:`bot.redaction`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TextIO

from bot.cli_settings import settings_from_args as _settings
from bot.redaction import log_formatter, redact
from config.catalogue import load_process, load_processes
from config.errors import OperatorError
from config.settings import Settings

BUG = 70  # EX_SOFTWARE: not something the operator did


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run

    settings = _settings(args)
    use_log_format(settings.log_format)
    serving = not (args.local or args.script) and (settings.has_telegram or settings.has_slack)
    out_dir = Path(args.out) if args.out else None
    local = not serving
    script = _open_script(args.script) if args.script else None
    try:
        _check_before_start(
            settings,
            out_dir or settings.data_dir / "charts",
            "--out" if args.out else "data_dir",
            local=local,
        )
        if serving and not args.verbose:  # a server's log shows what the bot does (reminder progress…)
            for name in OWN_LOGGERS:
                logging.getLogger(name).setLevel(logging.INFO)
        return asyncio.run(run(settings, script=script, out_dir=out_dir, local=args.local))
    except KeyboardInterrupt:
        return 0
    finally:
        if script:
            script.close()


def _open_script(name: str) -> TextIO:
    try:
        return open(name, encoding="utf-8")  # closed by cmd_run
    except OSError as exc:
        raise OperatorError(
            f"cannot read the --script file {name}: {exc.strerror}. Fix: give an existing, "
            "readable file of input lines."
        ) from None


def _check_before_start(settings: Settings, out_dir: Path, out_flag: str, *, local: bool) -> None:
    """What ``run`` would otherwise find out in the middle of a session: the meetings files, the
    database and (local mode) the folder charts are written to. Nothing is created here."""
    from config.meetings_files import configured_meetings
    from storage.checks import check_database, creatable_problem

    configured_meetings(settings, None)
    asyncio.run(check_database(settings.effective_database_url, require_newest=False))
    problem = creatable_problem(out_dir, directory=True) if local else None
    if problem:
        raise OperatorError(
            f"charts and exports cannot be written to {out_dir} ({out_flag}): {problem}. "
            "Fix: give a folder this user can write."
        )


def cmd_db(args: argparse.Namespace) -> int:
    from storage.checks import database_errors
    from storage.migrate import current_revision, head_revision, upgrade

    settings = _settings(args)
    url = settings.effective_database_url
    if args.action == "upgrade":
        with database_errors(url):
            revision = asyncio.run(upgrade(url, secret=settings.secret))
        print(f"database at revision {revision} (head {head_revision()})")
        return 0

    from storage.database import sqlite_file

    file = sqlite_file(url)
    if file is not None and not file.exists():  # looking must not create the file
        print(f"database revision: empty (no file {file}); newest: {head_revision()}")
        return 1

    async def show() -> str | None:
        from storage.database import create_engine

        engine = create_engine(url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    with database_errors(url):
        current = asyncio.run(show())
    print(f"database revision: {current or 'empty'}; newest: {head_revision()}")
    return 0 if current == head_revision() else 1


def cmd_processes(args: argparse.Namespace) -> int:
    if args.files == ["reload"]:
        return _reload_processes(args)
    if args.files:
        for file in args.files:
            process = load_process(Path(file))
            print(
                f"{file}: ok – {process.key}: {len(process.principles)} principles, "
                f"{len(process.statements)} statements"
            )
        return 0
    settings = _settings(args)
    for process in load_processes(settings.processes_dir).values():
        local = sum(p.local for p in process.principles)
        print(
            f"{process.key}\t{process.name}\t{len(process.principles)} principles ({local} local), "
            f"{len(process.statements)} statements"
        )
    return 0


def _reload_processes(args: argparse.Namespace) -> int:
    """``dialogbot processes reload``: check every process file as at start-up (each problem one
    line), then have the running bots re-read them: every bot sharing the database, on any host,
    through a stamp in the database, and those on this host also through a file in the data
    directory (they also re-read on any change of a file, within seconds, and on SIGHUP). Each
    bot reads its own host's files. A broken file keeps its process's earlier version."""
    from bot.people_runner import reload_marker
    from config.errors import ConfigError

    settings = _settings(args)
    directory = settings.processes_dir
    if not directory.is_dir():
        raise ConfigError(str(directory), "", "processes directory does not exist")
    problems = 0
    for path in sorted(directory.glob("*.toml")):
        try:
            process = load_process(path)
        except ConfigError as error:
            problems += 1
            print(f"{error} (running bots keep the earlier version of this file's process)", file=sys.stderr)
            continue
        print(f"{path}: ok – {process.key}")
    everywhere = _ask_every_bot(settings.effective_database_url)
    marker = reload_marker(settings.data_dir)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{time.time_ns()}\n", encoding="utf-8")
    except OSError as exc:
        raise OperatorError(
            f"cannot write {marker} to tell the running bots: {exc.strerror}. Fix: run this as the user the "
            "bot runs as, or send the bot processes SIGHUP."
        ) from None
    if everywhere:
        print("running bots on every host sharing the database re-read their process files within seconds")
    else:
        print("running bots on this host re-read the process files within seconds")
    return 2 if problems else 0


def _ask_every_bot(url: str) -> bool:
    """Stamp the reload in the database for the bots on other hosts; False (said why) if it cannot.
    SQLite is one host's file: the marker in the data directory reaches every bot using it."""
    from facilitation.clock import utc_now
    from storage.database import create_engine, is_sqlite
    from storage.process_reloads import SqlReloadRequests

    if is_sqlite(url):
        return False

    async def ask() -> None:
        engine = create_engine(url)
        try:
            await SqlReloadRequests(engine).ask(utc_now())
        finally:
            await engine.dispose()

    try:
        asyncio.run(ask())
    except Exception as error:  # unreachable, not migrated, refused: the files were checked all the same
        print(
            f"the database could not be told ({type(error).__name__}): bots on other hosts were not told; "
            "run this again when it answers (after `dialogbot db upgrade`), or send them SIGHUP",
            file=sys.stderr,
        )
        return False
    return True


def cmd_config(args: argparse.Namespace) -> int:
    """Everything ``run`` would refuse, checked without starting: settings, process and meetings
    files, and a real connection to the database. "settings ok" only when all of it works."""
    from config.meetings_files import configured_meetings
    from storage.checks import check_database
    from storage.database import is_sqlite

    settings = _settings(args)
    processes = load_processes(settings.processes_dir)
    problems = settings.missing_secrets()
    for problem in problems:
        print(f"configuration error: {problem}", file=sys.stderr)
    if problems:
        return 2
    meetings = sum(len(config.meetings) for config in configured_meetings(settings, None))
    url = settings.effective_database_url
    database = asyncio.run(check_database(url, require_newest=not is_sqlite(url)))
    platforms = [
        name for name, on in (("telegram", settings.has_telegram), ("slack", settings.has_slack)) if on
    ]
    print(
        f"settings ok; database: {database.description}; {len(processes)} processes, {meetings} meetings; "
        f"platforms: {', '.join(platforms) or 'none (local mode)'}; "
        f"language {settings.language.value}; min group size {settings.min_group_size}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dialogbot",
        description="Dialogbot: Åsiktsbarometer, principle prioritisation and dialogue-meeting reminders "
        "on Telegram, Slack or a local terminal.",
    )
    parser.add_argument("--config", help="settings TOML file (default: ./dialogbot.toml if present)")
    parser.add_argument("--database-url", help="override the database URL")
    parser.add_argument("--data-dir", help="override the data directory (SQLite file, secret, charts)")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log more (and show where a bug happened)"
    )
    parser.add_argument("--version", action="version", version=f"dialogbot {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the bot (Telegram/Slack from settings; local mode without tokens)"
    )
    run.add_argument("--local", action="store_true", help="force the local terminal mode")
    run.add_argument("--script", help="local mode: read input lines from this file instead of the terminal")
    run.add_argument(
        "--out", help="local mode: where charts and exports are written (default: DATA_DIR/charts)"
    )
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database schema: upgrade or show the current revision")
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "upgrade", help="apply the migrations (needed for PostgreSQL; SQLite is migrated on start)"
    )
    actions.add_parser(
        "current", help="show the schema revision (exit 1 when it is not the newest); creates nothing"
    )
    db.set_defaults(func=cmd_db)

    processes = commands.add_parser(
        "processes",
        help="list the configured processes, check process files, or 'reload': have running bots re-read them",
    )
    processes.add_argument("files", nargs="*", help="process TOML files to check, or the word reload")
    processes.set_defaults(func=cmd_processes)

    config = commands.add_parser("config", help="check the configuration")
    actions = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "check",
        help="check the settings, process and meetings files and connect to the database; changes nothing",
    )
    config.set_defaults(func=cmd_config)

    for extension in _extensions():
        extension(commands)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """Every command's ``--help`` opens with what it does: its one-line help as the description."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                sub.description = sub.description or helps.get(name)
                _describe(sub)


def _version() -> str:
    try:
        return version("dialogbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _extensions() -> list:
    """Sub-commands contributed by feature modules (reminders, signatories, meetings)."""
    from bot.meetings_cli import register
    from bot.report_cli import register as register_report

    return [register, register_report]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except OperatorError as exc:
        print(redact(f"{exc.label}: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line for the operator, the traceback only with -v
        if args.verbose:
            logging.getLogger(__name__).exception("unexpected error")
        print(
            redact(
                f"unexpected error ({type(exc).__name__}: {exc}); this is a bug in dialogbot, nothing you "
                "configured. Run the command again with -v to see where it happened, and report it."
            ),
            file=sys.stderr,
        )
        return BUG


OWN_LOGGERS = ("bot", "facilitation", "storage", "config")
# Libraries that log request bodies, SQL parameters or URLs with tokens at DEBUG/INFO: a
# participant id, a vote or the bot token must never reach a log, so they stay at WARNING.
QUIET_LIBRARIES = (
    "aiosqlite",
    "sqlalchemy",
    "httpx",
    "httpcore",
    "slack_bolt",
    "slack_sdk",
    "telegram",
    "apscheduler",
    "aiohttp.access",  # also the RSVP links' tokens (they name no one, but need not be kept)
    "aiosmtplib",  # SMTP conversations quote the recipient's address
)


LOG_FORMAT_VARIABLE = "DIALOGBOT_LOG_FORMAT"
_handler: logging.Handler | None = None  # ours, whose format the settings may change


def configure_logging(verbose: bool) -> None:
    """Our own modules at INFO with ``-v`` (else WARNING); chatty libraries always at WARNING;
    every line goes through :func:`~bot.redaction.redact`, as text or JSON lines
    (``DIALOGBOT_LOG_FORMAT``, or ``log_format`` in the settings once they are read)."""
    global _handler
    handler = logging.StreamHandler()
    handler.setFormatter(log_formatter(os.environ.get(LOG_FORMAT_VARIABLE, "text").strip().lower()))
    if not logging.getLogger().handlers:
        _handler = handler
    logging.basicConfig(level=logging.WARNING, handlers=[handler])  # no-op when logging is set up already
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def use_log_format(kind: str) -> None:
    """Switch our log lines to ``kind`` (``text`` or ``json``), as the settings say."""
    if _handler is not None:
        _handler.setFormatter(log_formatter(kind))


if __name__ == "__main__":
    sys.exit(main())
