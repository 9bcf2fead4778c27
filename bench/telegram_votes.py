"""Votes per second through the whole Telegram path: webhook POST → PTB → core → answerCallbackQuery.

Usage: python bench/telegram_votes.py [--participants 300] [--presses 5] [--concurrency 40]
                                       [--database-url URL] [--no-charts] [--profile FILE]

Two processes, one per core of a small server:

* the BOT process (this one) runs exactly what production runs: ``App.create(settings)`` and
  ``telegram_running(app)`` in webhook mode (aiohttp webhook server with the secret-token check,
  PTB Application with concurrent updates and our sliding-window rate limiter, charts rendered
  in a ``chart_processes=1`` worker process);
* the DRIVER process plays Telegram: the loopback Bot API stand-in on its event loop and the
  load client. Keeping both out of the bot's process means neither their CPU nor the GIL is
  charged to the bot, as with the real Telegram. The driver is kept light, since on this
  machine it takes its CPU from the same two cores: a method the bot returns in a webhook
  reply is carried out by the stand-in in process (``carry_out_webhook_reply``, as Telegram
  does it) rather than over a second HTTP request, and the driver's own garbage collector is
  off during a burst.

The driver sends ``/workshop`` and ``/barometer`` through the webhook, reads the statement
buttons back from the stand-in, then N participants press buttons over ``--concurrency``
webhook connections, each sending the next update as soon as the previous one is answered
(Telegram's ``max_connections`` is at most 100; the bot registers 40, Telegram's default).
Everyone presses once, then everyone again (a person's presses are seconds apart). Latency is
from the start of the webhook POST to the stand-in receiving that press's answerCallbackQuery,
in the webhook reply or as a call of its own (same clock, same process). The bot process
reports the longest stall of its event loop during the burst. Run 2 repeats the burst in a
fresh workshop while ``/resultat`` is sent over and over to other groups whose prioritisation
round was closed (results are shown for closed rounds only), so matplotlib renders in the
chart worker during the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp

TOKEN = "123456:BENCH-token"
SECRET = "bench-webhook-secret-0123456789"
FACILITATOR = 1
PROCESS = "varmland-2015"


# --------------------------------------------------------------------------- driver process


def driver(conn: Connection, args: argparse.Namespace) -> None:
    asyncio.run(_drive(conn, args))


async def _drive(conn: Connection, args: argparse.Namespace) -> None:
    from tests.standins.telegram_api import TelegramStandIn

    api = await TelegramStandIn(token=TOKEN, bot_username="dialogbot_bench").start()  # on the driver's loop
    conn.send(api.root_url)
    url = await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # the stand-in serves meanwhile
    # Webhook POSTs (at most --concurrency, Telegram's connections) and the stand-in's calls get their own pools.
    connector = aiohttp.TCPConnector(limit=2 * args.concurrency, limit_per_host=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        client = Client(api, http, url, args.concurrency, conn)
        runs = [("votes", False)] + ([] if args.no_charts else [("votes while charts render", True)])
        for number, (label, charts) in enumerate(runs):
            conn.send(("result", label, await client.burst(-1_001_000_000 - number, args, charts)))
    conn.send(("done", None, None))
    await api.stop()


class Client:
    """Telegram's side of the webhook: posts updates, waits for the bot's API calls."""

    def __init__(
        self, api: Any, http: aiohttp.ClientSession, url: str, concurrency: int, conn: Connection
    ) -> None:
        self.conn = conn
        self.api = api
        self.http = http
        self.url = url
        self.slots = asyncio.Semaphore(concurrency)
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        self.in_reply: set[str] = set()  # presses whose answer came back in the webhook reply

    async def post(self, update: dict[str, Any], started: dict[str, float] | None = None) -> None:
        body = json.dumps(update)
        async with self.slots:  # one of Telegram's webhook connections, free again once answered
            if started is not None:
                started[update["callback_query"]["id"]] = time.monotonic()
            async with self.http.post(self.url, data=body, headers=self.headers) as r:
                status = r.status
                reply = await r.json() if r.content_type == "application/json" else None
            if status != 200:
                raise RuntimeError(f"webhook answered {status}")
        if reply and "method" in reply:  # Telegram carries out a method call in the webhook reply
            if reply["method"] == "answerCallbackQuery":
                self.in_reply.add(str(reply.get("callback_query_id")))
            status = await self.api.carry_out_webhook_reply(reply)
            if status != 200:
                raise RuntimeError(f"{reply['method']} from the webhook reply answered {status}")

    async def command(self, chat: int, text: str) -> None:
        await self.post(self.api.message_update(FACILITATOR, chat, text, chat_title=f"Bench {chat}"))

    async def until(self, predicate: Any, within: float = 30.0) -> None:
        await self.api.wait_until(predicate, within)

    def markups(self, chat: int, prefix: str) -> list[tuple[int, list[str]]]:
        found = []
        for message in self.api.sent_messages(chat):
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if data and data[0].startswith(prefix):
                found.append((message.message_id, data))
        return found

    def tally(self, chat: int) -> str:
        return next(
            (
                m.text or ""
                for m in self.api.sent_messages(chat)
                if m.text and m.text.startswith("Åsiktsbarometer #")
            ),
            "",
        )

    async def workshop(self, chat: int, start: str, prefix: str) -> list[tuple[int, list[str]]]:
        await self.command(chat, f"/workshop {PROCESS} Bench")
        await self.until(lambda: bool(self.markups(chat, "s.")))
        await self.command(chat, start)
        await self.until(
            lambda: bool(self.markups(chat, prefix)) and bool(self.api.sent_messages(chat)[-1].reply_markup)
        )
        await asyncio.sleep(0.3)  # the last statement posts of the round
        return self.markups(chat, prefix)

    async def burst(self, group: int, args: argparse.Namespace, charts: bool) -> dict[str, Any]:
        api = self.api
        statements = await self.workshop(group, "/barometer", "b.")
        chart_groups = [group - 1000 * (k + 1) for k in range(4)] if charts else []
        for chat in chart_groups:  # closed prioritisation rounds with a few ballots: /resultat draws them
            [(message_id, data)] = await self.workshop(chat, "/markera", "pa.")
            await asyncio.gather(
                *(
                    self.post(api.callback_update(50_000 + i, chat, message_id, data[(i + j) % 6]))
                    for i in range(8)
                    for j in range(2)
                )
            )
            photos = len(api.calls_to("sendPhoto"))
            await self.command(chat, "/stang")  # results are shown once a round is closed
            await self.until(lambda photos=photos: len(api.calls_to("sendPhoto")) > photos, within=60)
        presses = []
        # Round after round: everyone presses once, then everyone again. A person's presses are
        # seconds apart; sending one person's five presses at the same instant would only measure
        # the per-person ordering (a later press waits for the earlier one's commit).
        for k in range(args.presses):
            for p in range(args.participants):
                message_id, data = statements[(p + k) % len(statements)]
                presses.append(
                    api.callback_update(100_000 + p, group, message_id, data[(p * 3 + k) % len(data)])
                )
        await asyncio.sleep(0.5)
        ids = {u["callback_query"]["id"] for u in presses}
        edits0 = len(api.calls_to("editMessageText"))
        photos0 = len(api.calls_to("sendPhoto"))
        errors0 = api.count_429
        started: dict[str, float] = {}

        done = asyncio.Event()
        resultat = 0

        async def ask_for_charts() -> None:
            nonlocal resultat
            while not done.is_set():
                await self.command(chart_groups[resultat % len(chart_groups)], "/resultat")
                resultat += 1
                await asyncio.sleep(0.15)

        spam = asyncio.create_task(ask_for_charts()) if charts else None
        self.conn.send(("begin", None, None))
        cpu0 = time.process_time()
        t0 = time.monotonic()
        queue = iter(presses)

        async def connection() -> (
            None
        ):  # one of Telegram's webhook connections: the next update once answered
            for update in queue:
                await self.post(update, started)

        gc.disable()  # the load generator's own collections must not delay presses (the bot's do count)
        try:
            await asyncio.gather(*(connection() for _ in range(args.concurrency)))
        finally:
            gc.enable()
        answered: dict[str, float] = {}

        def all_answered() -> bool:
            for call in api.calls_to("answerCallbackQuery"):
                key = str(call.params.get("callback_query_id"))
                if key in ids and call.status == 200:
                    answered.setdefault(key, call.at)
            return len(answered) == len(ids)

        try:
            await self.until(all_answered, within=120)
        except TimeoutError:
            calls = api.calls_to("answerCallbackQuery")
            raise RuntimeError(
                f"{len(answered)} of {len(ids)} presses answered; answerCallbackQuery statuses "
                f"{statistics.multimode([c.status for c in calls])}, {len(calls)} calls, "
                f"posting took {time.monotonic() - t0:.1f} s"
            ) from None
        elapsed = max(answered.values()) - t0
        cpu = time.process_time() - cpu0
        self.conn.send(("end", None, None))
        done.set()
        if spam is not None:
            await spam
        photos_during = len([c for c in api.calls_to("sendPhoto")[photos0:] if c.at <= t0 + elapsed])
        final = f"{args.participants} har svarat"
        await self.until(lambda: final in self.tally(group), within=30)
        if charts:
            await self.until(lambda: len(api.calls_to("sendPhoto")) - photos0 >= resultat, within=120)
        latencies = sorted((answered[k] - started[k]) * 1000 for k in ids)
        return {
            "in_reply": len(ids & self.in_reply),
            "votes": len(presses),
            "seconds": elapsed,
            "p50": statistics.median(latencies),
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
            "max": latencies[-1],
            "edits": len(api.calls_to("editMessageText")) - edits0,
            "429s": api.count_429 - errors0,
            "resultat": resultat,
            "driver_cpu": cpu,
            "photos_during": photos_during,
            "photos": len(api.calls_to("sendPhoto")) - photos0,
            "tally": self.tally(group).splitlines()[-1],
        }


# --------------------------------------------------------------------------- bot process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_bot(
    conn: Connection, args: argparse.Namespace, tmp: Path, profiler: Any = None
) -> list[tuple[str, dict[str, Any]]]:
    """Run the bot as production does until the driver is done; profile the bursts if asked."""
    from bot.app import App
    from bot.telegram.runner import telegram_running
    from config.settings import load_settings

    loop = asyncio.get_running_loop()
    root_url = await loop.run_in_executor(None, conn.recv)
    port = _free_port()
    settings = load_settings(
        None,
        env={},
        env_file=None,
        data_dir=tmp,
        database_url=args.database_url,
        facilitators={"telegram": [str(FACILITATOR)]},
        chart_processes=1,
        telegram_token=TOKEN,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
        telegram_webhook_port=port,
        telegram_api_base_url=root_url,
    )
    app = await App.create(settings)
    results = []
    stalls = StallMeter()
    try:
        async with telegram_running(app):
            conn.send(f"http://127.0.0.1:{port}/telegram")
            cpu0 = cpu = stall = 0.0
            while True:
                kind, label, result = await loop.run_in_executor(None, conn.recv)
                if kind == "done":
                    break
                if kind == "begin":
                    cpu0 = time.process_time()
                    stalls.start()
                    if profiler is not None:
                        profiler.enable()
                elif kind == "end":
                    cpu = time.process_time() - cpu0
                    stall = await stalls.stop()
                    if profiler is not None:
                        profiler.disable()
                else:
                    results.append((label, {**result, "bot_cpu": cpu, "bot_stall": stall}))
    finally:
        await app.aclose()
    return results


class StallMeter:
    """The longest delay of a 1 ms timer on the bot's event loop: how long it was busy without a break."""

    def __init__(self) -> None:
        self._task: asyncio.Task[float] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._measure())

    async def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        try:
            return await self._task
        except asyncio.CancelledError:
            return float("nan")

    async def _measure(self) -> float:
        longest = 0.0
        try:
            while True:
                before = time.monotonic()
                await asyncio.sleep(0.001)
                longest = max(longest, (time.monotonic() - before - 0.001) * 1000)
        except asyncio.CancelledError:
            return longest


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--presses", type=int, default=5, help="presses per participant")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=40,
        help="webhook POSTs in flight (default: the max_connections the bot registers, Telegram's default)",
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-charts", action="store_true", help="skip the run with charts rendering")
    parser.add_argument(
        "--profile", default="", help="write cProfile stats of the bot during the bursts here"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.standins
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=driver, args=(theirs, args), name="telegram-driver", daemon=True)
    child.start()
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            results = asyncio.run(run_bot(ours, args, Path(tmp), profiler))
            profiler.dump_stats(args.profile)
        else:
            results = asyncio.run(run_bot(ours, args, Path(tmp)))
    child.join(30)
    db = "sqlite" if not args.database_url else args.database_url.split("://")[0]
    print(
        f"Telegram webhook path, {db}, {args.participants} participants × {args.presses} presses, "
        f"{args.concurrency} POSTs in flight"
    )
    for label, r in results:
        print(
            f"[{label}] {r['votes']} votes in {r['seconds']:.2f} s = {r['votes'] / r['seconds']:.0f} votes/s; "
            f"POST→answerCallbackQuery p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; "
            f"editMessageText {r['edits']}; 429s {r['429s']}"
        )
        print(
            f"    answers carried back in the webhook reply: {r['in_reply']} of {r['votes']} "
            f"(the rest by an answerCallbackQuery call); longest event-loop stall in the bot "
            f"{r['bot_stall']:.1f} ms"
        )
        print(
            f"    CPU during the burst: bot process {r['bot_cpu']:.2f} s (incl. its chart worker: no), "
            f"driver (stand-in + client) {r['driver_cpu']:.2f} s"
        )
        if r["resultat"]:
            print(
                f"    /resultat sent {r['resultat']} times during the burst; sendPhoto {r['photos_during']} "
                f"during the burst, {r['photos']} in all"
            )
        print(f"    final tally: {r['tally']}")


if __name__ == "__main__":
    main()
