"""The ``dialogbot`` command line: run the bot, migrate the database, check configuration."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from config.catalogue import load_process, load_processes
from config.errors import ConfigError
from config.settings import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return load_settings(Path(args.config) if args.config else None, **overrides)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run

    settings = _settings(args)
    serving = not (args.local or args.script) and (settings.has_telegram or settings.has_slack)
    if serving and not args.verbose:  # a server's log shows what the bot does (reminder progress…)
        for name in OWN_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)
    script = open(args.script, encoding="utf-8") if args.script else None
    try:
        return asyncio.run(run(settings, script=script, out_dir=Path(args.out) if args.out else None,
                               local=args.local))
    except KeyboardInterrupt:
        return 0
    finally:
        if script:
            script.close()


def cmd_db(args: argparse.Namespace) -> int:
    from storage.migrate import current_revision, head_revision, upgrade

    settings = _settings(args)
    url = settings.effective_database_url
    if args.action == "upgrade":
        revision = asyncio.run(upgrade(url, secret=settings.secret))
        print(f"database at revision {revision} (head {head_revision()})")
        return 0

    from storage.database import is_sqlite

    if is_sqlite(url) and not _sqlite_file(url).exists():  # looking must not create the file
        print(f"database revision: empty (no file {_sqlite_file(url)}); newest: {head_revision()}")
        return 1

    async def show() -> str | None:
        from storage.database import create_engine

        engine = create_engine(url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(show())
    print(f"database revision: {revision or 'empty'}; newest: {head_revision()}")
    return 0 if revision == head_revision() else 1


def _sqlite_file(url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(url).database or "")


def cmd_processes(args: argparse.Namespace) -> int:
    if args.files:
        for file in args.files:
            process = load_process(Path(file))
            print(f"{file}: ok – {process.key}: {len(process.principles)} principles, "
                  f"{len(process.statements)} statements")
        return 0
    settings = _settings(args)
    for process in load_processes(settings.processes_dir).values():
        local = sum(p.local for p in process.principles)
        print(f"{process.key}\t{process.name}\t{len(process.principles)} principles ({local} local), "
              f"{len(process.statements)} statements")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    processes = load_processes(settings.processes_dir)
    problems = settings.missing_secrets()
    for problem in problems:
        print(f"configuration error: {problem}", file=sys.stderr)
    if problems:
        return 2
    platforms = [name for name, on in (("telegram", settings.has_telegram), ("slack", settings.has_slack)) if on]
    print(f"settings ok; database {settings.effective_database_url.split('@')[-1]}; "
          f"{len(processes)} processes; platforms: {', '.join(platforms) or 'none (local mode)'}; "
          f"language {settings.language.value}; min group size {settings.min_group_size}")
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
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (Telegram/Slack from settings; local mode without tokens)")
    run.add_argument("--local", action="store_true", help="force the local terminal mode")
    run.add_argument("--script", help="local mode: read input lines from this file instead of the terminal")
    run.add_argument("--out", help="local mode: where charts and exports are written")
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database schema: upgrade or show the current revision")
    db.add_argument("action", choices=["upgrade", "current"])
    db.set_defaults(func=cmd_db)

    processes = commands.add_parser("processes", help="list the configured processes, or check process files")
    processes.add_argument("files", nargs="*", help="process TOML files to check")
    processes.set_defaults(func=cmd_processes)

    config = commands.add_parser("config", help="check the settings and processes")
    config.add_argument("action", choices=["check"])
    config.set_defaults(func=cmd_config)

    for extension in _extensions():
        extension(commands)
    return parser


def _extensions() -> list:
    """Sub-commands contributed by feature modules (reminders, signatories, meetings)."""
    from bot.meetings_cli import register

    return [register]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from bot.app import SchemaOutOfDate

        if isinstance(exc, SchemaOutOfDate):
            print(f"database error: {exc}", file=sys.stderr)
            return 2
        raise


OWN_LOGGERS = ("bot", "facilitation", "storage", "config")
# Libraries that log request bodies, SQL parameters or URLs with tokens at DEBUG/INFO: a
# participant id, a vote or the bot token must never reach a log, so they stay at WARNING.
QUIET_LIBRARIES = ("aiosqlite", "sqlalchemy", "httpx", "httpcore", "slack_bolt", "slack_sdk", "telegram",
                   "apscheduler", "aiohttp.access")


def configure_logging(verbose: bool) -> None:
    """Our own modules at INFO with ``-v`` (else WARNING); chatty libraries always at WARNING."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
