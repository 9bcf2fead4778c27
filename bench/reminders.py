"""Reminder fan-out through the Telegram path: Dispatcher → TelegramPort → PTB with our rate limiter.

Usage: python bench/reminders.py [--count 5000] [--ics first|none] [--database-url URL]
       python bench/reminders.py --processes 2 --database-url postgresql+asyncpg://postgres@127.0.0.1/postgres
                                 [--count 400] [--kill-after S] [--outage S --outage-after S] [--lease S]
                                 [--kills N [--kill-every S] [--seed N]]

The loopback Bot API stand-in runs in a thread with its Telegram-like limits on (30 messages/s
overall, bursts per private chat answered with 429). ``--count`` contacts each get one reminder
(their first for the occurrence, so with ``--ics first`` it is the calendar file with the
question as its caption and the RSVP buttons under it: one message, or two when the text is
longer than a caption holds). The rate is counted in *messages* (sendMessage +
sendDocument), because that is what Telegram limits, measured at the stand-in from the first to
the last accepted message; reminders/s is printed too. Duplicates and losses are counted per
chat at the stand-in.

With ``--processes N`` (PostgreSQL only) N bot processes run the dispatcher as in production
(``reminders_running``: a tick every ``--interval`` seconds, Telegram's limit shared in the
database) on a fresh database created beside the one ``--database-url`` names, all against the
one stand-in, with a clock that starts at the reminders' due time and runs in real time (so
leases run out in real time: ``--lease`` shortens them from the production 10 minutes).
``--kill-after S`` sends SIGKILL to process 1 S seconds after the start; ``--kills N`` sends it
to a random process at random moments (on average every ``--kill-every`` seconds) N times and
restarts the process each time (so kills land in every phase, also between a platform's answer
and its record); ``--outage S`` cuts the
database for S seconds (every connection dropped, new ones refused, by a TCP proxy in front of
PostgreSQL) ``--outage-after`` seconds after the start. Printed: reminders sent, duplicates and
losses per part (text, calendar file), 429s, the recovery time (from the kill or the end of the
outage to the last reminder sent), and how long after a platform accepted a message it was
recorded (the window in which a crash sends it twice).

``--channels telegram,slack,email`` splits the contacts across the three channels (round robin):
Telegram against its stand-in (30 messages/s), Slack against its stand-in run ``--slack-speed``
times faster on both sides (our pacing: 200 chat.postMessage per 61 s per workspace, 90 file
uploads per 61 s), e-mail against a real SMTP server on loopback (aiosmtpd, login, refusing with
451 above ``--smtp-rate`` messages/s) with the bot's ``smtp_rate`` set to the same figure.
Printed per channel: messages/s from its first to its last accepted message against the limit
we pace to, duplicates and losses. Works with ``--processes`` and ``--kill-after`` too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "123456:BENCH-token"
LIMIT = 30.0
SLACK_TOKEN = "xoxb-bench-token-0123456789"
SMTP_USER, SMTP_PASSWORD = "dialogbot", "smtp-test-password-0123"  # tests/standins/smtp_server.py
CHANNELS = ("telegram", "slack", "email")
FIRST_CHAT = 10_000_000


def contact_address(channel: str, i: int) -> dict[str, object]:
    """Contact ``i``'s entry on ``channel`` (its address identifies it at the stand-in)."""
    if channel == "telegram":
        return {"telegram": FIRST_CHAT + i}
    if channel == "slack":
        return {"slack": f"D{i:08d}"}  # a DM channel id: no conversations.open needed
    return {"email": f"kontakt{i}@bench.example.se"}


def channel_of(channels: list[str], i: int) -> str:
    return channels[i % len(channels)]


async def main(args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.meetings_runner import Dispatcher
    from bot.telegram.ratelimit import TelegramRateLimiter
    from bot.telegram.runner import TelegramAdapter
    from config.settings import load_settings
    from facilitation.meetings import due_time, parse_meetings
    from tests.standins.telegram_api import TelegramStandIn

    api = TelegramStandIn(token=TOKEN, bot_username="dialogbot_bench").start_in_thread()
    tmp = tempfile.TemporaryDirectory()
    values: dict[str, object] = {
        "data_dir": Path(tmp.name),
        "chart_processes": 0,
        "secret": "bench-secret-0123456789",
    }
    if args.database_url:
        values["database_url"] = args.database_url
    app = await App.create(load_settings(None, env={}, env_file=None, **values))
    # As in production (bot/telegram/runner.py): on PostgreSQL the token's limit is shared in the database.
    adapter = TelegramAdapter.build(
        app.conversation,
        TOKEN,
        base_url=api.root_url,
        rate_limiter=TelegramRateLimiter(shared=app.shared_limit("telegram", TOKEN)),
    )
    await adapter.application.initialize()
    try:
        first_chat = 10_000_000
        config = parse_meetings(
            {
                "signatories": [
                    {
                        "key": "alla",
                        "name": "Alla undertecknare",
                        "contacts": [
                            {"key": f"c{i}", "name": f"Kontakt {i}", "telegram": first_chat + i}
                            for i in range(args.count)
                        ],
                    }
                ],
                "meetings": [
                    {
                        "key": "dialogmote",
                        "title": "Årligt dialogmöte för Överenskommelsen",
                        "start": "2027-03-09T10:00",
                        "place": "Karlstad",
                        "reminder_offsets": ["7d"],
                    }
                ],
            },
            "bench",
            "bench-process",
        )
        meeting = config.meetings[0]
        now = due_time(meeting.start, timedelta(days=7)).astimezone(UTC)
        dispatcher = Dispatcher.from_app(
            app, clock=lambda: now, ics=args.ics, progress_every=15.0, concurrency=args.concurrency
        )
        await dispatcher.store.import_config(config)
        planned = await dispatcher.plan(now)
        print(f"{planned} reminders planned for {args.count} Telegram contacts; ics={args.ics}", flush=True)
        started = time.monotonic()
        result = await dispatcher.tick()
        elapsed = time.monotonic() - started
    finally:
        await adapter.application.shutdown()
        await app.aclose()
        api.stop_thread()
        tmp.cleanup()

    sends = [c for c in api.calls if c.method in ("sendMessage", "sendDocument") and c.status == 200]
    texts = Counter(int(c.params["chat_id"]) for c in sends if "text" in telegram_parts(c))
    files = Counter(int(c.params["chat_id"]) for c in sends if "file" in telegram_parts(c))
    duplicates = sum(n - 1 for n in texts.values() if n > 1) + sum(n - 1 for n in files.values() if n > 1)
    lost = sum(1 for i in range(args.count) if texts[first_chat + i] == 0)
    window = (sends[-1].at - sends[0].at) if len(sends) > 1 else float("nan")
    rate = (len(sends) - 1) / window if len(sends) > 1 else 0.0
    print(
        f"reminders: {result.sent} sent, {result.failed} failed, {result.skipped} skipped in {elapsed:.1f} s "
        f"({result.sent / elapsed:.1f} reminders/s)"
    )
    print(
        f"messages: {len(sends)} ({len(texts)} texts + {sum(files.values())} .ics) in {window:.1f} s = "
        f"{rate:.2f} msgs/s = {100 * rate / LIMIT:.1f} % of the {LIMIT:.0f}/s limit"
    )
    print(f"429s: {api.count_429}; duplicates: {duplicates}; losses: {lost}")
    _print_lags(result.record_lags)
    ok = api.count_429 == 0 and duplicates == 0 and lost == 0 and rate >= 0.95 * LIMIT
    print("PASS" if ok else "FAIL (target: >= 95 % of the limit, zero 429s, duplicates and losses)")
    return 0 if ok else 1


def telegram_parts(call: Any) -> tuple[str, ...]:
    """The parts of a reminder one accepted Telegram message carries: a text, a calendar file, or
    both (a document whose caption is the reminder, not only the meeting's one-line title)."""
    if call.method == "sendMessage":
        return ("text",)
    return ("file", "text") if "\n" in str(call.params.get("caption", "")) else ("file",)


# --- Telegram, Slack and e-mail at once ---------------------------------------------------------
class StandIns:
    """The loopback stand-ins of the channels in use, each in a thread of its own."""

    def __init__(self, channels: list[str], smtp_rate: float, slack_speed: float) -> None:
        from tests.standins.slack_api import DEFAULT_RATE_LIMITS, SlackStandIn
        from tests.standins.smtp_server import SmtpStandIn
        from tests.standins.telegram_api import TelegramStandIn

        self.channels = channels
        self.slack_speed = slack_speed
        self.smtp_rate = smtp_rate
        self.telegram = (
            TelegramStandIn(token=TOKEN, bot_username="dialogbot_bench").start_in_thread()
            if "telegram" in channels
            else None
        )
        self.slack = None
        if "slack" in channels:
            self.slack = SlackStandIn(
                bot_token=SLACK_TOKEN,
                rate_limits={m: _faster(limit, slack_speed) for m, limit in DEFAULT_RATE_LIMITS.items()},
            )
            self.slack_url = self.slack.start_in_thread()
        self.smtp = SmtpStandIn("none", rate=smtp_rate).__enter__() if "email" in channels else None

    def settings(self) -> dict[str, object]:
        """The settings of a bot process sending to these stand-ins."""
        values: dict[str, object] = {}
        if self.slack is not None:
            values.update(
                slack_bot_token=SLACK_TOKEN, slack_signing_secret="s", slack_api_base_url=self.slack_url
            )
        if self.smtp is not None:
            values.update(
                smtp_host="127.0.0.1",
                smtp_port=self.smtp.port,
                smtp_security="none",
                smtp_user=SMTP_USER,
                smtp_password=SMTP_PASSWORD,
                smtp_from="dialogbot@bench.example.se",
                smtp_rate=self.smtp_rate,
                public_url="https://dialog.example.se",
            )
        return values

    def stop(self) -> None:
        if self.telegram is not None:
            self.telegram.stop_thread()
        if self.slack is not None:
            self.slack.stop_thread()
        if self.smtp is not None:
            self.smtp.__exit__(None, None, None)

    def limits(self, ics: str) -> dict[str, float]:
        """Messages/s each channel is paced to (what the bot keeps to, under the platform's limit)."""
        slack_text, slack_files = 200 / 61.0 * self.slack_speed, 90 / 61.0 * self.slack_speed
        # With a file per reminder, Slack's reminders go at the file uploads' pace: two messages each.
        slack = slack_text if ics == "none" else 2 * min(slack_text, slack_files)
        return {"telegram": LIMIT, "slack": slack, "email": self.smtp_rate}

    def accepted(self) -> list[tuple[str, str, tuple[str, ...], float]]:
        """(channel, address, the parts it carries: "text", "file" or both, time) of every message
        a stand-in accepted."""
        out: list[tuple[str, str, tuple[str, ...], float]] = []
        if self.telegram is not None:
            for c in self.telegram.calls:
                if c.method in ("sendMessage", "sendDocument") and c.status == 200:
                    out.append(("telegram", str(c.params["chat_id"]), telegram_parts(c), c.at))
        if self.slack is not None:
            for c in self.slack.calls:
                if c.status == 200 and c.error is None:
                    if c.method == "chat.postMessage":
                        out.append(("slack", str(c.params["channel"]), ("text",), c.at))
                    elif c.method == "files.completeUploadExternal":
                        out.append(("slack", str(c.params["channel_id"]), ("file",), c.at))
        if self.smtp is not None:
            for r in list(self.smtp.received):
                part = "file" if b"Content-Class: urn:content-classes:calendarmessage" in r.raw else "text"
                out.append(("email", r.to, (part,), r.at))
        return sorted(out, key=lambda record: record[3])

    def email_ids(self) -> tuple[int, int]:
        """(e-mails received, distinct (recipient, Message-ID)): a message sent again after a lost
        answer has the first one's Message-ID, and mail servers and clients show it once."""
        import re

        out = []
        for r in list(self.smtp.received) if self.smtp is not None else []:
            found = re.search(rb"^Message-ID: *(\S+)", r.raw, re.M | re.I)
            out.append((r.to, found.group(1) if found else b""))
        return len(out), len(set(out))

    def email_resends(self) -> tuple[int, int]:
        """(raw re-sends, re-sends with a Message-ID of their own) over every (recipient, part):
        a raw re-send is a second copy the server accepted; one that keeps the first copy's
        Message-ID is folded by mail systems such as Gmail, one with its own is seen twice."""
        import re

        copies: dict[tuple[str, bool], list[bytes]] = {}
        for r in list(self.smtp.received) if self.smtp is not None else []:
            found = re.search(rb"^Message-ID: *(\S+)", r.raw, re.M | re.I)
            invitation = b"Content-Class: urn:content-classes:calendarmessage" in r.raw
            copies.setdefault((r.to, invitation), []).append(found.group(1) if found else b"")
        raw = sum(len(ids) - 1 for ids in copies.values())
        own = sum(len(set(ids)) - 1 for ids in copies.values())
        return raw, own

    def refusals(self) -> dict[str, int]:
        """Rate-limit answers each stand-in gave (429s, SMTP 451 "too many")."""
        return {
            "telegram": self.telegram.count_429 if self.telegram is not None else 0,
            "slack": self.slack.count_429 if self.slack is not None else 0,
            "email": self.smtp.handler.refused["rate"] if self.smtp is not None else 0,
        }


def _faster(limits: object, speed: float) -> object:
    from dataclasses import replace

    from tests.standins.slack_api import RateLimit

    if isinstance(limits, RateLimit):
        return replace(limits, period=limits.period / speed)
    return tuple(replace(limit, period=limit.period / speed) for limit in limits)  # type: ignore[attr-defined]


def build_adapters(app: object, standins_or_spec: dict[str, object], channels: list[str]) -> list[object]:
    """The Telegram and Slack adapters of one bot process (e-mail comes with the settings)."""
    from bot.slack.port import SlackLimits
    from bot.slack.runner import SlackAdapter
    from bot.telegram.ratelimit import TelegramRateLimiter
    from bot.telegram.runner import TelegramAdapter

    adapters: list[object] = []
    if "telegram" in channels:
        adapters.append(
            TelegramAdapter.build(
                app.conversation,  # type: ignore[attr-defined]
                TOKEN,
                base_url=str(standins_or_spec["telegram_url"]),
                rate_limiter=TelegramRateLimiter(shared=app.shared_limit("telegram", TOKEN)),  # type: ignore[attr-defined]
            )
        )
    if "slack" in channels:
        adapters.append(
            SlackAdapter.build(
                app.conversation,  # type: ignore[attr-defined]
                SLACK_TOKEN,
                "s",
                base_url=str(standins_or_spec["slack_url"]),
                limits=SlackLimits().faster(float(standins_or_spec["slack_speed"])),  # type: ignore[arg-type]
                shared=lambda window, workspace: app.shared_limit("slack", SLACK_TOKEN, workspace, window),  # type: ignore[attr-defined]
            )
        )
    return adapters


async def start_adapters(adapters: list[object]) -> None:
    for adapter in adapters:
        application = getattr(adapter, "application", None)
        if application is not None:
            await application.initialize()


async def stop_adapters(adapters: list[object]) -> None:
    for adapter in adapters:
        application = getattr(adapter, "application", None)
        if application is not None:
            await application.shutdown()
        else:
            await adapter.aclose()  # type: ignore[attr-defined]


def urls(standins: StandIns) -> dict[str, object]:
    return {
        "telegram_url": standins.telegram.root_url if standins.telegram is not None else "",
        "slack_url": getattr(standins, "slack_url", ""),
        "slack_speed": standins.slack_speed,
    }


def report_channels(
    standins: StandIns, channels: list[str], count: int, ics: str, started: float
) -> tuple[bool, dict[str, Counter[str]]]:
    """Per channel: messages/s against its limit, duplicates, losses; True if every target is met."""
    accepted = standins.accepted()
    limits = standins.limits(ics)
    refused = standins.refusals()
    ok = True
    texts: dict[str, Counter[str]] = {}
    for channel in channels:
        mine = [r for r in accepted if r[0] == channel]
        expected = {
            str(next(iter(contact_address(channel, i).values())))
            for i in range(count)
            if channel_of(channels, i) == channel
        }
        text = Counter(address for _c, address, parts, _at in mine if "text" in parts)
        files = Counter(address for _c, address, parts, _at in mine if "file" in parts)
        texts[channel] = text
        text_twice = sum(n - 1 for n in text.values() if n > 1)
        duplicates = text_twice + sum(n - 1 for n in files.values() if n > 1)
        lost = sum(1 for a in expected if text[a] == 0) + (
            sum(1 for a in expected if files[a] == 0) if ics == "first" else 0
        )
        at = [r[3] for r in mine]
        rate = (len(at) - 1) / (at[-1] - at[0]) if len(at) > 1 and at[-1] > at[0] else 0.0
        share = rate / limits[channel]
        good = duplicates == 0 and lost == 0 and share >= 0.95 and refused[channel] == 0
        ok = ok and good
        print(
            f"{channel:8}: {len(expected)} contacts, {len(mine)} messages (carrying {sum(text.values())} texts, "
            f"{sum(files.values())} calendar files) from {at[0] - started if at else 0:.1f} s to "
            f"{at[-1] - started if at else 0:.1f} s = {rate:.2f} msgs/s = {100 * share:.1f} % of its "
            f"{limits[channel]:.2f}/s limit; rate-limit answers {refused[channel]}; duplicates {duplicates} "
            f"({text_twice} texts, {duplicates - text_twice} calendar files); "
            f"losses {lost}  {'ok' if good else 'MISSED'}",
            flush=True,
        )
    return ok, texts


async def mixed(args: argparse.Namespace, channels: list[str]) -> int:
    """One bot process sending to every channel in ``channels`` at once."""
    from bot.app import App
    from bot.meetings_runner import Dispatcher
    from config.settings import load_settings
    from facilitation.meetings import due_time, parse_meetings

    standins = StandIns(channels, args.smtp_rate, args.slack_speed)
    tmp = tempfile.TemporaryDirectory()
    values: dict[str, object] = {
        "data_dir": Path(tmp.name),
        "chart_processes": 0,
        "secret": "bench-secret-0123456789",
        **standins.settings(),
    }
    if args.database_url:
        values["database_url"] = args.database_url
    app = await App.create(load_settings(None, env={}, env_file=None, **values))
    adapters = build_adapters(app, urls(standins), channels)
    await start_adapters(adapters)
    try:
        config = parse_meetings(bench_config(args.count, FIRST_CHAT, channels), "bench", "bench-process")
        now = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
        dispatcher = Dispatcher.from_app(
            app, clock=lambda: now, ics=args.ics, progress_every=15.0, concurrency=args.concurrency
        )
        await dispatcher.store.import_config(config)
        planned = await dispatcher.plan(now)
        print(
            f"{planned} reminders planned for {args.count} contacts on {', '.join(channels)}; ics={args.ics}"
        )
        started = time.monotonic()
        result = await dispatcher.tick()
        elapsed = time.monotonic() - started
    finally:
        await stop_adapters(adapters)
        await app.aclose()
        tmp.cleanup()
    try:
        print(
            f"reminders: {result.sent} sent, {result.failed} failed, {result.skipped} skipped in {elapsed:.1f} s "
            f"({result.sent / elapsed:.1f} reminders/s)"
        )
        ok, _texts = report_channels(standins, channels, args.count, args.ics, started)
        _print_lags(result.record_lags)
    finally:
        standins.stop()
    print(
        "PASS"
        if ok
        else "FAIL (target per channel: >= 95 % of its limit, no rate-limit answer, duplicate or loss)"
    )
    return 0 if ok else 1


# --- several bot processes ----------------------------------------------------------------------
def bench_config(count: int, first_chat: int, channels: list[str] | None = None) -> dict[str, object]:
    channels = channels or ["telegram"]
    return {
        "signatories": [
            {
                "key": "alla",
                "name": "Alla undertecknare",
                "contacts": [
                    {"key": f"c{i}", "name": f"Kontakt {i}", **contact_address(channel_of(channels, i), i)}
                    for i in range(count)
                ],
            }
        ],
        "meetings": [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte för Överenskommelsen",
                "start": "2027-03-09T10:00",
                "place": "Karlstad",
                "reminder_offsets": ["7d"],
            }
        ],
    }


async def child(spec: dict[str, object]) -> int:
    """One bot process: the dispatcher ticking every ``interval`` seconds (as the scheduler in
    ``reminders_running`` does) until SIGTERM; then its figures as one JSON line."""
    from datetime import datetime

    from bot.app import App
    from bot.meetings_runner import Dispatcher
    from config.settings import load_settings

    base = datetime.fromisoformat(str(spec["clock_base"]))
    started = float(spec["clock_start"])  # wall time of the parent's start: every process shares the clock

    def clock() -> datetime:
        return base + timedelta(seconds=time.time() - started)

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    lags: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=Path(tmp),
            chart_processes=0,
            secret="bench-secret-0123456789",
            database_url=spec["database_url"],
            **spec["settings"],  # type: ignore[arg-type]
        )
        app = await App.create(settings)
        adapters = build_adapters(app, spec, list(spec["channels"]))  # type: ignore[call-overload]
        await start_adapters(adapters)
        dispatcher = Dispatcher.from_app(
            app,
            clock=clock,
            lease=timedelta(seconds=float(spec["lease"])),
            ics=str(spec["ics"]),
            concurrency=int(spec["concurrency"]),
            progress_every=5.0,
        )

        async def ticks() -> None:
            while not stop.is_set():
                lags.extend((await dispatcher.tick()).record_lags)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), float(spec["interval"]))

        running = asyncio.create_task(ticks())
        try:
            await stop.wait()
            await dispatcher.stop()
            await running
        finally:
            await stop_adapters(adapters)
            await app.aclose()
    print(json.dumps({"record_lags": lags}), flush=True)
    return 0


def _spawn(spec: dict[str, object], logs: Path, number: int | str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=(logs / f"process-{number}.log").open("w"),
        text=True,
    )


def _admin_connect_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def fleet(args: argparse.Namespace) -> int:
    """``--processes`` bot processes on a fresh PostgreSQL database, with a kill or an outage."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from facilitation.meetings import due_time, parse_meetings
    from storage.database import create_engine, is_sqlite
    from storage.meetings_repository import SqlMeetingStore
    from storage.migrate import upgrade
    from tests.tcp_proxy import CuttableProxy

    if not args.database_url or is_sqlite(args.database_url):
        print(
            "--processes, --kill-after and --outage need --database-url of a PostgreSQL server "
            "(a fresh database is created beside it and dropped afterwards)"
        )
        return 2
    server = make_url(args.database_url)
    name = f"bench_reminders_{uuid.uuid4().hex[:8]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(_admin_connect_url(args.database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    channels = args.channel_list
    api = StandIns(channels, args.smtp_rate, args.slack_speed)
    proxy = CuttableProxy(server.host or "127.0.0.1", server.port or 5432).start_in_thread()
    processes: list[subprocess.Popen[str]] = []
    try:
        await upgrade(url)
        first_chat = 10_000_000
        config = parse_meetings(bench_config(args.count, first_chat, channels), "bench", "bench-process")
        due = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
        engine = create_engine(url)
        await SqlMeetingStore(engine).import_config(config)
        through_proxy = server.set(database=name, host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )
        spec = {
            "database_url": through_proxy,
            **urls(api),
            "settings": api.settings(),
            "channels": channels,
            "clock_base": due.isoformat(),
            "clock_start": time.time(),
            "lease": args.lease,
            "interval": args.interval,
            "ics": args.ics,
            "concurrency": args.concurrency,
        }
        if api.slack is not None:  # message ts on the processes' clock, as Slack's are on the real one
            offset = due.timestamp() - float(spec["clock_start"])  # type: ignore[arg-type]
            api.slack.wall = lambda: time.time() + offset
        logs = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
        args.spawn_spec, args.restarts = (spec, logs), 0
        processes.extend(_spawn(spec, logs, n + 1) for n in range(args.processes))
        print(
            f"{args.processes} processes, {args.count} contacts on {', '.join(channels)}, ics={args.ics}, "
            f"lease {args.lease:g} s; "
            f"logs in {logs}",
            flush=True,
        )
        started = time.monotonic()
        stranded: set[str] = set()
        events = await _drive(args, api, proxy, processes, engine, started, stranded)
        elapsed = time.monotonic() - started
        await engine.dispose()
    finally:
        lags = _stop(processes)
        proxy.stop_thread()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    try:
        return _report(args, api, first_chat, started, elapsed, events, lags, stranded)
    finally:
        api.stop()


async def _drive(
    args: argparse.Namespace,
    api: object,
    proxy: object,
    processes: list,
    engine: object,
    started: float,
    stranded: set[str],
) -> dict[str, float]:
    """Kill and cut as asked; return when every reminder is sent (or after the lease and a minute more).

    ``stranded`` gets the chats whose reminders the killed process held claimed when it died.
    """
    from sqlalchemy import text

    from storage.meetings_repository import SqlMeetingStore

    store = SqlMeetingStore(engine)  # type: ignore[arg-type]
    events: dict[str, float] = {}
    deadline = started + args.lease + 120 + (args.outage or 0) + args.kills * args.kill_every * 2
    chance = random.Random(args.seed)
    next_kill = chance.uniform(0.5, 2 * args.kill_every) if args.kills else None
    while time.monotonic() < deadline:
        now = time.monotonic() - started
        if next_kill is not None and now >= next_kill and not api.accepted():  # type: ignore[attr-defined]
            next_kill = now + chance.uniform(0.5, 2 * args.kill_every)  # kills while sending, not starting
        elif next_kill is not None and now >= next_kill:
            holding = await store.claimers()
            busy = [n for n, p in enumerate(processes) if any(f":{p.pid}:" in w for w in holding)]
            if not busy:  # nobody sending this moment: try again in a moment
                await asyncio.sleep(0.05)
                continue
            number = chance.choice(busy)
            held = await _kill_and_restart(args, processes, number, engine)
            stranded.update(held)
            events["kills"] = events.get("kills", 0) + 1
            print(
                f"{now:6.1f} s: kill -9 #{int(events['kills'])} of process {number + 1}, which held "
                f"{len(held)} reminders claimed; restarted",
                flush=True,
            )
            done = events["kills"] >= args.kills
            next_kill = None if done else now + chance.uniform(0.5, 2 * args.kill_every)
        if args.kill_after is not None and "kill" not in events and now >= args.kill_after:
            processes[0].send_signal(signal.SIGKILL)
            events["kill"] = now
            async with engine.connect() as connection:  # type: ignore[attr-defined]
                stranded.update(
                    str(chat)
                    for chat in (
                        await connection.execute(
                            text(
                                "SELECT c.address FROM deliveries d JOIN contacts c ON c.id = d.contact_id "
                                "WHERE d.status = 'claimed' AND d.claimed_by LIKE :dead"
                            ),
                            {"dead": f"%:{processes[0].pid}:%"},
                        )
                    ).scalars()
                )
            print(
                f"{now:6.1f} s: SIGKILL to process 1, which held {len(stranded)} reminders claimed",
                flush=True,
            )
        if args.outage is not None and "outage" not in events and now >= args.outage_after:
            proxy.cut(args.outage)  # type: ignore[attr-defined]
            events["outage"], events["outage_end"] = now, now + args.outage
            print(f"{now:6.1f} s: database cut for {args.outage:g} s", flush=True)
        counts = await store.status_counts()
        if (
            counts["pending"] == counts["claimed"] == 0
            and counts["sent"] + counts["failed"] >= args.count
            and (args.kill_after is None or "kill" in events)
            and (args.outage is None or "outage" in events)
            and events.get("kills", 0) >= args.kills
        ):
            break
        await asyncio.sleep(0.25)
    return events


async def _kill_and_restart(
    args: argparse.Namespace, processes: list, number: int, engine: object
) -> set[str]:
    """SIGKILL process ``number``, start a new one in its place (a new pid: the others take the
    dead one's claims over at once); the chats whose reminders it held claimed."""
    from sqlalchemy import text

    victim = processes[number]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    async with engine.connect() as connection:  # type: ignore[attr-defined]
        held = {
            str(chat)
            for chat in (
                await connection.execute(
                    text(
                        "SELECT c.address FROM deliveries d JOIN contacts c ON c.id = d.contact_id "
                        "WHERE d.status = 'claimed' AND d.claimed_by LIKE :dead"
                    ),
                    {"dead": f"%:{victim.pid}:%"},
                )
            ).scalars()
        }
    spec, logs = args.spawn_spec
    args.restarts += 1
    processes[number] = _spawn(spec, logs, f"{number + 1}-restart{args.restarts}")
    return held


def _stop(processes: list) -> list[float]:
    """SIGTERM the processes still running; their record lags."""
    lags: list[float] = []
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            out, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        for line in (out or "").splitlines():
            if line.startswith("{"):
                lags.extend(json.loads(line)["record_lags"])
    return lags


def _print_lags(lags: list[float]) -> None:
    """From a platform call's answer to its record committed: a crash in between sends it twice."""
    if lags:
        ordered = sorted(lags)
        print(
            f"answer → recorded, {len(lags)} messages: median {1000 * ordered[len(ordered) // 2]:.1f} ms, "
            f"p99 {1000 * ordered[int(len(ordered) * 0.99)]:.1f} ms, max {1000 * ordered[-1]:.1f} ms"
        )


def _report(
    args: argparse.Namespace,
    api: StandIns,
    first_chat: int,
    started: float,
    elapsed: float,
    events: dict[str, float],
    lags: list[float],
    stranded: set[str],
) -> int:
    """The figures; times are seconds from the start (the stand-ins' clock is this process's monotonic)."""
    print(f"{elapsed:.1f} s in all")
    ok, _texts = report_channels(api, args.channel_list, args.count, args.ics, started)
    accepted = api.accepted()
    at = [r[3] - started for r in accepted]
    if len(at) > 1:
        print(
            f"messages: {len(at)} from {at[0]:.1f} s to {at[-1]:.1f} s = "
            f"{(len(at) - 1) / (at[-1] - at[0]):.2f} msgs/s overall"
        )
        pause, since = max((b - a, a) for a, b in itertools.pairwise(at))
        print(f"longest pause between two accepted messages: {pause:.1f} s (from {since:.1f} s)")
    if "kill" in events:
        taken_over = [r[3] - started for r in accepted if "text" in r[2] and r[1] in stranded]
        recovered = (
            f"all sent {max(taken_over) - events['kill']:.1f} s after the kill" if taken_over else "none sent"
        )
        print(
            f"kill -9 of process 1 at {events['kill']:.1f} s: of the {len(stranded)} reminders it held, {recovered} "
            f"(lease {args.lease:g} s); last reminder sent at {at[-1]:.1f} s"
        )
    if "outage_end" in events:
        after = [t for t in at if t >= events["outage_end"]]
        resumed = f"{after[0] - events['outage_end']:.1f} s after it ended" if after else "never"
        print(
            f"database cut from {events['outage']:.1f} s to {events['outage_end']:.1f} s; sending resumed "
            f"{resumed}; last reminder sent at {at[-1]:.1f} s"
        )
    if "email" in args.channel_list:
        received, distinct = api.email_ids()
        raw, own = api.email_resends()
        print(
            f"e-mail: {received} received, {distinct} distinct Message-IDs per recipient; "
            f"raw re-sends {raw}, of them with a Message-ID of their own {own}"
        )
    if "kills" in events:
        print(
            f"{int(events['kills'])} kills -9 at random moments (each process restarted at once); "
            f"the killed processes held {len(stranded)} reminders claimed in all"
        )
    _print_lags(lags)
    # A kill or an outage stops the clock of the rate: only losses, duplicates and rate-limit answers count then.
    disturbed = "kill" in events or "outage" in events or "kills" in events
    if disturbed:
        refused = api.refusals()
        ok = True
        for channel in args.channel_list:
            text = Counter(r[1] for r in accepted if r[0] == channel and "text" in r[2])
            files = Counter(r[1] for r in accepted if r[0] == channel and "file" in r[2])
            expected = [
                str(next(iter(contact_address(channel, i).values())))
                for i in range(args.count)
                if channel_of(args.channel_list, i) == channel
            ]
            ok = ok and all(text[a] == 1 for a in expected) and refused[channel] == 0
            ok = ok and (args.ics != "first" or all(files[a] == 1 for a in expected))
    print("PASS (nothing lost, nothing twice, no rate-limit answer)" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=None, help="contacts, one reminder each (5000; 400 with --processes)"
    )
    parser.add_argument(
        "--ics",
        choices=["first", "none"],
        default="first",
        help="send the calendar file with the reminder (2 messages) or not (1)",
    )
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--concurrency", type=int, default=20, help="deliveries in flight (per process)")
    parser.add_argument("--processes", type=int, default=1, help="bot processes on one PostgreSQL")
    parser.add_argument(
        "--kill-after", type=float, help="SIGKILL process 1 this many seconds after the start"
    )
    parser.add_argument(
        "--kills",
        type=int,
        default=0,
        help="kill -9 a random process at random moments this many times, restarting it each time",
    )
    parser.add_argument(
        "--kill-every", type=float, default=4.0, help="mean seconds between two --kills (uniform 0.5..2x)"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed of the --kills moments")
    parser.add_argument("--outage", type=float, help="cut the database for this many seconds")
    parser.add_argument("--outage-after", type=float, default=5.0, help="seconds from the start to the cut")
    parser.add_argument("--lease", type=float, default=600.0, help="claim lease in seconds (production: 600)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a process's ticks")
    parser.add_argument(
        "--channels",
        default="telegram",
        help="comma-separated: telegram, slack, email (contacts split across them round robin)",
    )
    parser.add_argument(
        "--smtp-rate", type=float, default=30.0, help="the SMTP server's limit = smtp_rate (msgs/s)"
    )
    parser.add_argument(
        "--slack-speed", type=float, default=10.0, help="Slack stand-in and pacing sped up this much"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run one bot process (JSON settings)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    for noisy in (
        "httpx",
        "telegram",
        "apscheduler",
        "aiohttp",
        "alembic",
        "mail.log",
        "slack_sdk",
        "slack_bolt",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if arguments.child:
        sys.exit(asyncio.run(child(json.loads(arguments.child))))
    arguments.channel_list = [c.strip() for c in arguments.channels.split(",") if c.strip()]
    if not arguments.channel_list or set(arguments.channel_list) - set(CHANNELS):
        parser.error(f"--channels: choose from {', '.join(CHANNELS)}")
    if (
        arguments.processes > 1
        or arguments.kill_after is not None
        or arguments.outage is not None
        or arguments.kills
    ):
        if arguments.count is None:
            arguments.count = 400
        sys.exit(asyncio.run(fleet(arguments)))
    if arguments.count is None:
        arguments.count = 5000
    if arguments.channel_list != ["telegram"]:
        sys.exit(asyncio.run(mixed(arguments, arguments.channel_list)))
    sys.exit(asyncio.run(main(arguments)))
