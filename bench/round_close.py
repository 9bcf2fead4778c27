"""The end of a round: how soon a room reads its result text and sees its last chart, and the bot's idle memory.

Usage: python bench/round_close.py [--rooms 10] [--singles 5] [--participants 16] [--root DIR]
                                   [--chart-processes N] [--database-url URL]

A real ``dialogbot run`` process (``python -m bot.cli run``, webhook mode, SQLite in a temporary
folder unless ``--database-url``) talks to the loopback Telegram Bot API stand-in in this
process, which pushes every update to the bot's webhook as Telegram does. ``--root`` runs the
bot from another checkout (``--root /work/main`` measures main with the same driver).

1. Idle memory: once the bot has registered its webhook, and after a few quiet seconds, VmRSS
   of the bot process (and, for information, of its chart workers) from /proc: on the first
   start, which creates the database, and on a restart (the bot is stopped and started again
   on that database, as every later start of a deployment is).
2. Each of ``--singles + --rooms`` groups gets a workshop and a barometer of three statements;
   ``--participants`` people per group join (two sectors, alternating) and answer every
   statement, so a close draws three or four charts (the diverging bars, the sector split, the
   consensus chart when some statement is agreed by every sector, and "where the room stands").
3. ``--singles`` groups close one after another (one room closing at a time), then ``--rooms``
   groups send ``/stang`` at the same instant. For every group: close → result text (the
   summary message that opens with "Omgången … är stängd", or follows it) and close → last chart
   (the "where the room stands" ``sendPhoto``, always the last), measured on the stand-in's clock
   from the moment ``/stang`` is pushed.

The machine's load average is printed with the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-close"
SECRET = "bench-webhook-secret-0123456789"
FACILITATOR = 1
PROCESS = "varmland-2015"
STATEMENTS = "1,2,3"
#: "Where the room stands" is a close's last chart (after the diverging bars, the sector split and,
#: when some statement is agreed by every sector, the consensus chart); its caption names a statement.
LAST_CHART = re.compile(r"[Pp]åstående \d+:")
CLOSED = "är stängd. Här är resultatet"  # round.closing (sv)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """VmRSS of process ``pid`` in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """Child processes of ``pid`` (the chart workers and multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 = p95) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


class Driver:
    """Telegram's side: the stand-in, the groups, and what each close took."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.windows: list[int] = []  # per group of the last close: see window_before

    def texts(self, chat: int) -> list[str]:
        return [m.text or "" for m in self.api.sent_messages(chat) if m.text]

    def markups(self, chat: int, prefix: str) -> list[tuple[int, list[str]]]:
        found = []
        for message in self.api.sent_messages(chat):
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if data and data[0].startswith(prefix):
                found.append((message.message_id, data))
        return found

    async def until(self, predicate: Any, within: float = 60.0) -> None:
        await self.api.wait_until(predicate, within)

    async def prepare(self, chat: int, participants: int) -> None:
        """A workshop with an open three-statement barometer that everyone has answered."""
        api = self.api
        api.message_update(
            FACILITATOR, chat, f"/workshop {PROCESS} Bench", chat_title=f"Bench {chat}", push=True
        )
        await self.until(lambda: bool(self.markups(chat, "s.")))
        [(welcome, sectors)] = self.markups(chat, "s.")[:1]
        api.message_update(FACILITATOR, chat, f"/barometer {STATEMENTS}", push=True)
        await self.until(lambda: len(self.markups(chat, "b.")) == len(STATEMENTS.split(",")))
        for p in range(participants):
            api.callback_update(10_000 + p, chat, welcome, sectors[p % 2], push=True)
        answers = 0
        for message_id, data in self.markups(chat, "b."):
            for p in range(participants):
                api.callback_update(
                    10_000 + p, chat, message_id, data[(p * 3 + message_id) % len(data)], push=True
                )
                answers += 1
        await self.until(lambda: any(f"{participants} har svarat" in t for t in self.texts(chat)))

    def window_before(self, chat: int, at: float) -> int:
        """Messages sent or edited in ``chat`` in the minute before ``at``: Telegram allows a group
        20 a minute, so a close right after set-up may wait for a place in that window."""
        return sum(
            1
            for c in self.api.calls
            if c.method.startswith(("send", "edit"))
            and str(c.params.get("chat_id")) == str(chat)
            and at - 61.0 <= c.at < at
        )

    async def close(self, chats: list[int]) -> list[tuple[float, float, int]]:
        """``/stang`` in every chat at the same instant; (close → text, close → last chart, charts) of each."""
        api = self.api
        started = {}
        now = time.monotonic()
        self.windows = [self.window_before(chat, now) for chat in chats]
        for chat in chats:
            started[chat] = time.monotonic()
            api.message_update(FACILITATOR, chat, "/stang", push=True)

        def timings(chat: int) -> tuple[float, float, int] | None:
            sent = [
                c
                for c in api.calls_to("sendMessage") + api.calls_to("sendPhoto")
                if str(c.params.get("chat_id")) == str(chat) and c.at >= started[chat]
            ]
            sent.sort(key=lambda c: c.at)
            header = next((i for i, c in enumerate(sent) if CLOSED in str(c.params.get("text", ""))), None)
            last = [
                c for c in sent if c.method == "sendPhoto" and LAST_CHART.search(str(c.params.get("caption")))
            ]
            # The result text opens with the header (one message), or follows it when it is alone.
            texts_after = (
                [
                    c
                    for c in sent[header:]
                    if c.method == "sendMessage"
                    and (c is not sent[header] or not str(c.params.get("text", "")).rstrip().endswith(":"))
                ]
                if header is not None
                else []
            )
            if not texts_after or not last:
                return None
            charts = len([c for c in sent if c.method == "sendPhoto"])
            return texts_after[0].at - started[chat], last[0].at - started[chat], charts

        await self.until(lambda: all(timings(chat) for chat in chats), within=180)
        return [timings(chat) for chat in chats]  # type: ignore[misc]


async def run(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))  # tests.standins
    from tests.standins.telegram_api import TelegramStandIn

    port = _free_port()
    async with TelegramStandIn(token=TOKEN, bot_username="dialogbot_bench") as api:
        api.webhook_targets = [f"http://127.0.0.1:{port}/telegram"]
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
            env.update(
                {
                    "PYTHONPATH": str(args.root),
                    "DIALOGBOT_DATA_DIR": str(Path(tmp) / "data"),
                    "DIALOGBOT_TELEGRAM_TOKEN": TOKEN,
                    "DIALOGBOT_TELEGRAM_MODE": "webhook",
                    "DIALOGBOT_TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "DIALOGBOT_TELEGRAM_WEBHOOK_PORT": str(port),
                    "DIALOGBOT_TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram",
                    "DIALOGBOT_TELEGRAM_API_BASE_URL": api.root_url,
                    "DIALOGBOT_FACILITATORS": f"telegram:{FACILITATOR}",
                }
            )
            if args.chart_processes is not None:
                env["DIALOGBOT_CHART_PROCESSES"] = str(args.chart_processes)
            if args.database_url:
                env["DIALOGBOT_DATABASE_URL"] = args.database_url
            log = Path(tmp) / "bot.log"

            async def start() -> asyncio.subprocess.Process:
                api.webhook = None
                with log.open("a") as out:
                    bot = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "bot.cli", "run", stdout=out, stderr=out, env=env, cwd=args.root
                    )
                await api.wait_until(lambda: api.webhook is not None or bot.returncode is not None, 60)
                if bot.returncode is not None:
                    raise RuntimeError(log.read_text())
                await asyncio.sleep(args.idle)
                return bot

            bot = await start()  # the first start creates (migrates) the database
            first = rss_kib(bot.pid)
            bot.terminate()
            await bot.wait()
            bot = await start()  # as every later start: the database is there
            try:
                idle = rss_kib(bot.pid)
                workers = {pid: rss_kib(pid) for pid in children(bot.pid)}
                driver = Driver(api)
                groups = [-1_002_000_000 - k for k in range(args.singles + args.rooms)]
                for chat in groups:
                    await driver.prepare(chat, args.participants)
                singles = [(await driver.close([chat]))[0] for chat in groups[: args.singles]]
                family = [bot.pid, *children(bot.pid)]
                cpu_before = [cpu_seconds(pid) for pid in family]
                together = await driver.close(groups[args.singles :])
                cpu = [cpu_seconds(pid) - before for pid, before in zip(family, cpu_before, strict=True)]
                after = rss_kib(bot.pid)
            finally:
                if bot.returncode is None:
                    bot.terminate()
                    await bot.wait()
    load = os.getloadavg()
    print(
        f"Round close, {'sqlite' if not args.database_url else args.database_url.split('://')[0]}, bot from "
        f"{args.root}, chart_processes={args.chart_processes if args.chart_processes is not None else 'default'}, "
        f"{args.participants} participants × {len(STATEMENTS.split(','))} statements per room, "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        f"idle RSS of the bot process ({args.idle:.0f} s after start): {idle / 1024:.1f} MiB on a restart, "
        f"{first / 1024:.1f} MiB on the first start that creates the database; {after / 1024:.1f} MiB after "
        f"the closes; its children: "
        + (", ".join(f"{rss / 1024:.1f} MiB" for rss in workers.values()) or "none")
    )
    print(
        f"[{args.rooms} rooms closing at once] CPU seconds used from /stang to the last chart: bot "
        f"{cpu[0]:.2f} s, its children " + ", ".join(f"{c:.2f} s" for c in cpu[1:]) + "; messages each "
        f"group had sent in the minute before its /stang: {min(driver.windows)}–{max(driver.windows)} (of 20)"
    )
    for label, timings in (
        (f"1 room closing at a time ({args.singles} closes)", singles),
        (f"{args.rooms} rooms closing at once", together),
    ):
        text = [t for t, _, _ in timings]
        last = [c for _, c, _ in timings]
        charts = [n for _, _, n in timings]
        print(
            f"[{label}] {min(charts)}–{max(charts)} charts a room; close→text p50 {statistics.median(text):.2f} s, p95 {percentile(text, 0.95):.2f} s; "
            f"close→last chart p50 {statistics.median(last):.2f} s, p95 {percentile(last, 0.95):.2f} s, "
            f"max {max(last):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rooms", type=int, default=10, help="groups that close at the same instant")
    parser.add_argument("--singles", type=int, default=5, help="groups that close one at a time first")
    parser.add_argument("--participants", type=int, default=16, help="people answering in each group")
    parser.add_argument("--chart-processes", type=int, default=None, help="default: the bot's own default")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before the memory is read")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout the bot runs from")
    parser.add_argument("--database-url", default="")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
