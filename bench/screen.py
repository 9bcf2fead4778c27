"""Browser votes over HTTP while projector screens watch the turnout (issue 18).

Usage: python bench/screen.py [--phones 200] [--screens 10] [--votes 7] [--rate R | --think S]
                              [--database-url URL]

Two processes, as bench/telegram_votes.py:

* the BOT process (this one) runs what production runs: ``App.create(settings)`` with
  ``public_url`` and ``health_port``, so the web pages are served by ``health_running(app)``
  (the same aiohttp server as /healthz). The facilitator's commands go through a local port.
  The per-address limit is lifted (all phones come from 127.0.0.1); the per-device one stays.
* the DRIVER process plays the room: ``--screens`` screen pages listening to the screen's
  server-sent events (each reloads the feed on every event, as the page's script does) and
  ``--phones`` browsers, each with its own cookie, that join with the QR code's link, choose a
  sector, open the round and then answer ``--votes`` statements, each vote a form POST whose
  303 leads to the page with the next forms (the browser's round trip, as without JavaScript).

With ``--think S`` each phone waits a random 0–2·S seconds before each vote, as a person reading
the statement does: 200 phones and ``--think 0.4`` offer about 500 votes/s, so the latency is the
vote's own time at that rate rather than the queue of 200 back-to-back posts (Little's law: at
the default, p50 ≈ phones ÷ votes/s).

Printed: votes/s over the burst, p50/p99 vote latency (POST sent → page with the answer back),
and p50/p99 delay from a participant's first vote (its answer back) to each screen showing a
turnout that includes it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCESS = "varmland-2015"
TURNOUT = re.compile(r"(\d+) har svarat")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- driver process


def driver(conn: Connection, args: argparse.Namespace) -> None:
    asyncio.run(_drive(conn, args))


async def _drive(conn: Connection, args: argparse.Namespace) -> None:
    from tests.web_client import Phone, forms_of

    base, screen_path, join_path = conn.recv()
    connector = aiohttp.TCPConnector(limit=0)
    screens_http = aiohttp.ClientSession(connector=connector)
    seen: list[list[tuple[float, int]]] = [[] for _ in range(args.screens)]
    stop = asyncio.Event()

    async def watch(index: int) -> None:
        async with screens_http.get(base + screen_path + "/handelser") as events:
            async for line in events.content:
                if stop.is_set():
                    return
                if line.startswith(b"data:"):
                    async with screens_http.get(base + screen_path + "/innehall") as feed:
                        found = TURNOUT.search(await feed.text())
                    if found:
                        seen[index].append((asyncio.get_running_loop().time(), int(found.group(1))))

    watchers = [asyncio.create_task(watch(i)) for i in range(args.screens)]
    phones = [Phone(base) for _ in range(args.phones)]

    async def ready(phone: Phone, number: int) -> None:
        await phone.open(join_path)
        await phone.press("Gå med")
        await phone.press("Idéburen sektor" if number % 2 else "Offentlig sektor")
        await phone.press("Visa den öppna omgången")

    setup = asyncio.Semaphore(20)

    async def paced(phone: Phone, number: int) -> None:
        async with setup:
            await ready(phone, number)

    await asyncio.gather(*(paced(p, n) for n, p in enumerate(phones)))
    await asyncio.sleep(1.0)
    latencies: list[float] = []
    first_latencies: list[float] = []  # each phone's first vote of the round…
    later_latencies: list[float] = []  # …and the others
    first_done: list[float] = []
    statements = [f"{n}. " for n in range(1, args.votes + 1)]

    slots = random.sample(range(args.phones), args.phones)  # the order the phones take their turns in
    loop = asyncio.get_running_loop()

    async def vote(phone: Phone, number: int) -> None:
        for position, prefix in enumerate(statements):
            due = None
            if args.rate:  # the room votes at a steady rate: each phone at its turn
                due = began + (position * args.phones + slots[number]) / args.rate
                await asyncio.sleep(max(0.0, due - loop.time()))
            elif args.think:  # a person reads the statement first (0: every phone votes back to back)
                await asyncio.sleep(random.uniform(0, 2 * args.think))
            page = phone.page
            start = page.rfind(f'">{prefix}')  # only the statement's own forms are read, as a person does
            section = page[start : page.find("</section>", start)]
            form = next(f for f in forms_of(section) if f.label.strip() == str(2 + (number + position) % 3))
            # A vote that is late for its turn (the phone's last one was slow) counts from its turn.
            started = loop.time() if due is None else min(loop.time(), due)
            status, _ = await phone.post(form.action, form.fields)
            done = loop.time()
            if status != 200 or "Ditt svar" not in phone.page:
                raise RuntimeError(f"vote answered {status}")
            latencies.append(done - started)
            if position == 0:
                first_done.append(done)
                first_latencies.append(done - started)
            else:
                later_latencies.append(done - started)

    # The driver stands in for 200 separate phones: a full collection of its own heap (their pages
    # and sessions) in the burst would stall every phone at once and be counted as the bot's.
    gc.collect()
    gc.freeze()
    conn.send("burst")  # the bot process measures its CPU time (and profiles) from here…
    driver_cpu = time.process_time()
    began = loop.time()
    await asyncio.gather(*(vote(p, n) for n, p in enumerate(phones)))
    elapsed = loop.time() - began
    driver_cpu = time.process_time() - driver_cpu
    await asyncio.sleep(1.0)  # …until the screens have had the last turnout
    conn.send("done")
    await asyncio.sleep(2.0)
    stop.set()
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    for phone in phones:
        await phone.close()
    await screens_http.close()

    first_done.sort()
    delays = []
    for shown in seen:
        for k, done in enumerate(first_done, start=1):
            when = next((t for t, n in shown if n >= k and t >= done - 5), None)
            if when is not None:
                delays.append(max(0.0, when - done))
    conn.send(
        {
            "votes": len(latencies),
            "seconds": elapsed,
            "driver_cpu": driver_cpu,
            "latencies": latencies,
            "first_latencies": first_latencies,
            "later_latencies": later_latencies,
            "delays": delays,
            "expected_delays": len(first_done) * args.screens,
        }
    )


# --------------------------------------------------------------------------- bot process


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run_bot(args: argparse.Namespace) -> None:
    import cProfile

    profile = cProfile.Profile()
    from bot.app import App
    from bot.health import health_running
    from bot.heap import settle_heap
    from bot.local import LocalPort
    from bot.web.limits import Buckets
    from config.settings import load_settings
    from facilitation.ports import ChatRef, CommandEvent, UserRef

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = Path(tempfile.mkdtemp(prefix="bench-screen-"))
    values: dict[str, object] = {
        "data_dir": data,
        "facilitators": {"local": ["facilitator"]},
        "chart_processes": 1,
        "public_url": base,
        "health_port": port,
    }
    if args.database_url:
        values["database_url"] = args.database_url
    app = await App.create(load_settings(None, env={}, env_file=None, **values))
    assert app.web is not None
    app.web.ip_limits = Buckets(rate=1e9, burst=1e9)  # every phone of the bench is 127.0.0.1
    local = LocalPort(data / "out", write=lambda _: None, edit_interval=1.0)
    app.conversation.add_port(local)
    facilitator = UserRef("local", "facilitator")
    room, private = ChatRef("local", "rum"), ChatRef("local", "dm-facilitator", is_private=True)

    async def command(chat: ChatRef, text: str) -> None:
        name, *rest = text.split()
        await app.conversation.handle(CommandEvent(facilitator, chat, name, tuple(rest)))

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=driver, args=(theirs, args), name="screen-driver", daemon=True)
    async with health_running(app):
        settle_heap()  # as a running bot does once its platforms have started (bot.telegram.runner)
        await command(room, f"workshop {PROCESS} Bench")
        code = re.search(r"Anslutningskod: (\w+)", "\n".join(m.text for m in local.messages.values())).group(
            1
        )  # type: ignore[union-attr]
        await command(private, f"delta {code}")
        await command(private, "skarm")
        link = re.findall(r"http://\S+/skarm/\S+", "\n".join(m.text for m in local.messages.values()))[-1]
        await command(room, "barometer")
        workshop = await app.service.workshop_by_code(code)
        join = app.web.join_url(workshop)
        child.start()
        ours.send((base, link[len(base) :], join[len(base) :]))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, ours.recv)  # "burst": the votes start
        print(f"the votes start (bot process {os.getpid()})", file=sys.stderr, flush=True)
        cpu, wall = time.process_time(), time.monotonic()
        if args.profile:
            profile.enable()
        await loop.run_in_executor(None, ours.recv)  # "done": the votes are in, the screens updated
        if args.profile:
            profile.disable()
            profile.dump_stats(args.profile)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        result = await loop.run_in_executor(None, ours.recv)
    child.join(10)
    await app.aclose()
    latencies, delays = result["latencies"], result["delays"]
    print(f"browser votes: {result['votes']} by {args.phones} phones while {args.screens} screens listened")
    print(f"votes/s: {result['votes'] / result['seconds']:.0f} over {result['seconds']:.1f} s")
    print(
        f"vote latency: p50 {1000 * statistics.median(latencies):.0f} ms, "
        f"p99 {1000 * percentile(latencies, 0.99):.0f} ms"
    )
    first, later = result["first_latencies"], result["later_latencies"]
    if later:
        print(
            f"  each phone's first vote: p50 {1000 * statistics.median(first):.0f} ms, "
            f"p99 {1000 * percentile(first, 0.99):.0f} ms, max {1000 * max(first):.0f} ms; "
            f"the later ones: p99 {1000 * percentile(later, 0.99):.0f} ms, max {1000 * max(later):.0f} ms"
        )
    print(
        f"bot process CPU: {1000 * cpu / result['votes']:.2f} ms a vote "
        f"({cpu:.2f} s CPU over {wall:.1f} s from the first vote until 1 s after the last); "
        f"the driver's (the phones'): {1000 * result['driver_cpu'] / result['votes']:.2f} ms a vote"
    )
    print(
        f"vote → screen turnout: p50 {1000 * statistics.median(delays):.0f} ms, "
        f"p99 {1000 * percentile(delays, 0.99):.0f} ms "
        f"({len(delays)} of {result['expected_delays']} (participant, screen) updates seen)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--screens", type=int, default=10)
    parser.add_argument("--votes", type=int, default=7, help="statements each phone answers (1–7)")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a phone waits before each vote (default 0: back to back, so the latency is "
        "mostly queueing: phones / votes a second)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="votes a second the room offers, steadily: phone after phone in a random order, each vote "
        "timed from its turn (0: use --think or back to back)",
    )
    parser.add_argument(
        "--profile", default="", help="write a cProfile of the bot process during the votes to this file"
    )
    args = parser.parse_args()
    asyncio.run(run_bot(args))


if __name__ == "__main__":
    main()
