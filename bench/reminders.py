"""Reminder fan-out through the Telegram path: Dispatcher → TelegramPort → PTB with our rate limiter.

Usage: python bench/reminders.py [--count 5000] [--ics first|none] [--database-url URL]

The loopback Bot API stand-in runs in a thread with its Telegram-like limits on (30 messages/s
overall, bursts per private chat answered with 429). ``--count`` contacts each get one reminder
(their first for the occurrence, so with ``--ics first`` it is two messages: the calendar file
and the question with the RSVP buttons). The rate is counted in *messages* (sendMessage +
sendDocument), because that is what Telegram limits, measured at the stand-in from the first to
the last accepted message; reminders/s is printed too. Duplicates and losses are counted per
chat at the stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "123456:BENCH-token"
LIMIT = 30.0


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
    values: dict[str, object] = {"data_dir": Path(tmp.name), "chart_processes": 0, "secret": "bench-secret-0123456789"}
    if args.database_url:
        values["database_url"] = args.database_url
    app = await App.create(load_settings(None, env={}, env_file=None, **values))
    # As in production (bot/telegram/runner.py): on PostgreSQL the token's limit is shared in the database.
    adapter = TelegramAdapter.build(app.conversation, TOKEN, base_url=api.root_url,
                                    rate_limiter=TelegramRateLimiter(shared=app.shared_limit("telegram", TOKEN)))
    await adapter.application.initialize()
    try:
        first_chat = 10_000_000
        config = parse_meetings({
            "signatories": [{"key": "alla", "name": "Alla undertecknare", "contacts": [
                {"key": f"c{i}", "name": f"Kontakt {i}", "telegram": first_chat + i} for i in range(args.count)]}],
            "meetings": [{"key": "dialogmote", "title": "Årligt dialogmöte för Överenskommelsen",
                          "start": "2027-03-09T10:00", "place": "Karlstad", "reminder_offsets": ["7d"]}],
        }, "bench", "bench-process")
        meeting = config.meetings[0]
        now = due_time(meeting.start, timedelta(days=7)).astimezone(UTC)
        dispatcher = Dispatcher.from_app(app, clock=lambda: now, ics=args.ics, progress_every=15.0,
                                         concurrency=args.concurrency)
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
    texts = Counter(int(c.params["chat_id"]) for c in sends if c.method == "sendMessage")
    files = Counter(int(c.params["chat_id"]) for c in sends if c.method == "sendDocument")
    duplicates = sum(n - 1 for n in texts.values() if n > 1) + sum(n - 1 for n in files.values() if n > 1)
    lost = sum(1 for i in range(args.count) if texts[first_chat + i] == 0)
    window = (sends[-1].at - sends[0].at) if len(sends) > 1 else float("nan")
    rate = (len(sends) - 1) / window if len(sends) > 1 else 0.0
    print(f"reminders: {result.sent} sent, {result.failed} failed, {result.skipped} skipped in {elapsed:.1f} s "
          f"({result.sent / elapsed:.1f} reminders/s)")
    print(f"messages: {len(sends)} ({len(texts)} texts + {sum(files.values())} .ics) in {window:.1f} s = "
          f"{rate:.2f} msgs/s = {100 * rate / LIMIT:.1f} % of the {LIMIT:.0f}/s limit")
    print(f"429s: {api.count_429}; duplicates: {duplicates}; losses: {lost}")
    ok = api.count_429 == 0 and duplicates == 0 and lost == 0 and rate >= 0.95 * LIMIT
    print("PASS" if ok else "FAIL (target: >= 95 % of the limit, zero 429s, duplicates and losses)")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="contacts (one reminder each)")
    parser.add_argument("--ics", choices=["first", "none"], default="first",
                        help="send the calendar file with the reminder (2 messages) or not (1)")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--concurrency", type=int, default=20, help="deliveries in flight")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for noisy in ("httpx", "telegram", "apscheduler", "aiohttp", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sys.exit(asyncio.run(main(parser.parse_args())))
