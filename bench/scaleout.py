"""Two bot processes on one PostgreSQL: many workshops voting at once, then closing at once.

Usage: python bench/scaleout.py [--workshops 20] [--participants 50] [--statements 3]
                                [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Three processes: two BOT processes, each exactly what ``dialogbot run`` runs in webhook mode
(``App.create`` and ``telegram_running``, charts on its default chart workers: one per core) on
one fresh PostgreSQL database, and this DRIVER process, which plays Telegram (the loopback Bot
API stand-in, with its rate limits) and its webhook connections. Updates are spread over the two
processes as a load balancer would; a POST that fails (the process is gone) is sent again to the
other one, as Telegram retries an update its webhook did not answer.

Each run: ``--workshops`` groups open a barometer, then ``--participants`` people in each press
one button on each of the first ``--statements`` statements, all at once (every press in flight
is one of Telegram's webhook connections: 40 per process); then every group is closed within a
second. Printed: votes/s, press→answer p50/p99 (and apart: the presses sent in the burst's
first 100 ms, every connection's first, against the rest), lost and duplicated votes (the
database against what was pressed, a person's last press per statement counting; a press
answered "not saved, press again" when its deadline passed is counted apart, and must not be
stored), the bot processes' CPU seconds per vote and the load average, and close→last chart
posted (p95 over the groups). The second run kills one bot process (SIGKILL) halfway through the
burst; its unanswered presses reach the other process, which also takes over its live tallies.

The machine is shared and has two cores for three busy processes: figures are indicative.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TOKEN = "123456:SCALEOUT-token"
SECRET = "scaleout-webhook-secret-0123456789"
FACILITATOR = 1
SAVED = "Ditt svar:"  # how the answer to a saved vote begins (facilitation/texts.py vote.saved)
PROCESS = "varmland-2015"
CONNECTIONS = 40  # webhook POSTs in flight per process (Telegram's default max_connections)
FIRST_SECONDS = 0.1  # "the start of the burst": the presses sent this soon after the first


# --------------------------------------------------------------------------- bot processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_process(conn: Connection, root_url: str, database_url: str, data_dir: str) -> None:
    asyncio.run(_bot(conn, root_url, database_url, Path(data_dir)))


async def _bot(conn: Connection, root_url: str, database_url: str, data_dir: Path) -> None:
    from bot.app import App
    from bot.telegram.runner import telegram_running
    from config.settings import load_settings

    port = _free_port()
    settings = load_settings(
        None,
        env={},
        env_file=None,
        data_dir=data_dir,
        database_url=database_url,
        secret="scaleout-shared-secret",
        facilitators={"telegram": [str(FACILITATOR)]},
        telegram_token=TOKEN,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
        telegram_webhook_port=port,
        telegram_api_base_url=root_url,
    )
    app = await App.create(settings)
    try:
        async with telegram_running(app):
            conn.send((f"http://127.0.0.1:{port}/telegram", os.getpid()))
            loop = asyncio.get_running_loop()
            while await loop.run_in_executor(None, conn.recv) == "cpu":  # until told to stop
                conn.send(time.process_time())  # this process's CPU seconds (not its chart worker's)
    finally:
        await app.aclose()


# --------------------------------------------------------------------------- driver


class Driver:
    def __init__(self, api: Any, targets: list[str]) -> None:
        import aiohttp

        self.api = api
        self.targets = targets
        self.alive = [True] * len(targets)
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNECTIONS * len(targets)))
        self.slots = [asyncio.Semaphore(CONNECTIONS) for _ in targets]
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        self.started: dict[str, float] = {}
        self.retried = 0

    async def post(self, update: dict[str, Any], prefer: int) -> None:
        """POST to process ``prefer``; when it does not answer 2xx, to the next one alive (Telegram retries)."""
        import aiohttp

        body = json.dumps(update)
        for attempt in range(4 * len(self.targets)):
            target = (prefer + attempt) % len(self.targets)
            if not self.alive[target]:
                continue
            if attempt:
                self.retried += 1
            async with self.slots[target]:
                try:
                    async with self.http.post(
                        self.targets[target],
                        data=body,
                        headers=self.headers,
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as r:
                        status = r.status
                        reply = await r.json() if r.content_type == "application/json" else None
                except (aiohttp.ClientError, TimeoutError):
                    continue
            if status == 200:
                if reply and "method" in reply:
                    await self.api.carry_out_webhook_reply(reply)
                return
        raise RuntimeError("no bot process took the update")

    async def command(self, chat: int, text: str, prefer: int) -> None:
        await self.post(self.api.message_update(FACILITATOR, chat, text, chat_title=f"Grupp {chat}"), prefer)

    def statements(self, chat: int) -> list[tuple[int, list[str]]]:
        found = []
        for message in self.api.sent_messages(chat):
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if data and data[0].startswith("b."):
                found.append((message.message_id, data))
        return found

    def photos(self, chat: int) -> list[float]:
        return [
            c.at
            for c in self.api.calls_to("sendPhoto")
            if c.params.get("chat_id") in (chat, str(chat)) and c.status == 200
        ]

    async def aclose(self) -> None:
        await self.http.close()


class Probe:
    """The bot processes' CPU time (asked over their pipes) and, with ``--profile``, py-spy on
    the first one during the burst: wall-clock latencies on a shared 2-core machine are mostly
    other people's load, CPU seconds per vote are not."""

    def __init__(self, bots: list[tuple[Any, Connection]], profile: str | None, pids: list[int]) -> None:
        self.bots = bots
        self.profile = profile
        self.pids = pids
        self.spy: subprocess.Popen[bytes] | None = None

    async def cpu(self) -> list[float | None]:
        """Each bot process's CPU seconds so far (None: it is gone)."""
        loop = asyncio.get_running_loop()
        out: list[float | None] = []
        for process, conn in self.bots:
            if not process.is_alive():
                out.append(None)
                continue
            try:
                conn.send("cpu")
                out.append(float(await loop.run_in_executor(None, conn.recv)))
            except (BrokenPipeError, EOFError, OSError):
                out.append(None)
        return out

    def start_profile(self) -> None:
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if self.profile is None:
            return
        self.spy = subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(self.pids[0]),
                "--rate",
                "250",
                "--format",
                "raw",
                "-o",
                self.profile,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop_profile(self) -> None:
        if self.spy is not None:
            self.spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
            self.spy.wait(30)
            self.spy = None


async def _open_workshops(
    driver: Driver, groups: list[int], statements: int
) -> dict[int, list[tuple[int, list[str]]]]:
    async def one(k: int, chat: int) -> None:
        await driver.command(chat, f"/workshop {PROCESS} Skalning {k}", k % 2)
        await driver.api.wait_until(
            lambda: any("Anslutningskod" in (m.text or "") for m in driver.api.sent_messages(chat)),
            within=120,
        )
        await driver.command(chat, "/barometer", (k + 1) % 2)  # opened by the other process than /workshop

    await asyncio.gather(*(one(k, chat) for k, chat in enumerate(groups)))
    await driver.api.wait_until(
        lambda: all(len(driver.statements(c)) >= statements for c in groups), within=300
    )
    await asyncio.sleep(1.0)  # the last statement posts
    return {chat: driver.statements(chat)[:statements] for chat in groups}


async def _run(
    driver: Driver,
    label: str,
    groups: list[int],
    args: argparse.Namespace,
    probe: Probe,
    kill: Any = None,
) -> dict[str, Any]:
    api = driver.api
    boards = await _open_workshops(driver, groups, args.statements)
    presses: list[tuple[dict[str, Any], int]] = []
    expected: dict[tuple[int, int, int], int] = {}  # (chat, participant, statement) -> value pressed
    press_of: dict[tuple[int, int, int], str] = {}  # the same -> the press's callback query id
    for s in range(args.statements):
        for p in range(args.participants):
            for g, chat in enumerate(groups):
                message_id, data = boards[chat][s]
                value = (p + g + s) % 5
                user = 200_000 + g * 1000 + p
                presses.append((api.callback_update(user, chat, message_id, data[value]), len(presses) % 2))
                expected[(chat, user, s)] = value + 1
                press_of[(chat, user, s)] = presses[-1][0]["callback_query"]["id"]
    ids = {u["callback_query"]["id"] for u, _ in presses}
    started: dict[str, float] = {}
    queue = iter(presses)
    killed_at: float | None = None

    async def connection() -> None:
        nonlocal killed_at
        for update, prefer in queue:
            if kill is not None and killed_at is None and len(started) >= len(presses) // 2:
                killed_at = time.monotonic()
                kill()
            started[update["callback_query"]["id"]] = time.monotonic()
            await driver.post(update, prefer)

    cpu_before = await probe.cpu()
    probe.start_profile()
    # This process stands in for Telegram and its webhook connections: a full collection of its
    # heap (the updates to send, the calls recorded) in the burst would hold up every press at
    # once and be counted as the bots' latency.
    gc.collect()
    gc.freeze()
    driver_cpu = time.process_time()
    t0 = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(2 * CONNECTIONS)))
    answered: dict[str, float] = {}
    refused: set[str] = set()  # answered "not saved, press again" (the press's deadline passed)

    def all_answered() -> bool:
        for call in api.calls_to("answerCallbackQuery"):
            key = str(call.params.get("callback_query_id"))
            if key in ids and call.status == 200 and key not in answered:
                answered[key] = call.at
                if not str(call.params.get("text") or "").startswith(SAVED):
                    refused.add(key)
        return len(answered) == len(ids)

    try:
        await api.wait_until(all_answered, within=60)
    except TimeoutError:
        pass
    elapsed = (max(answered.values()) if answered else time.monotonic()) - t0
    driver_cpu = time.process_time() - driver_cpu
    probe.stop_profile()
    cpu_after = await probe.cpu()
    cpu = [
        (after - before) if before is not None and after is not None else None
        for before, after in zip(cpu_before, cpu_after, strict=True)
    ]
    latencies = sorted((answered[k] - started[k]) * 1000 for k in answered)
    # The presses in flight when the burst starts (every connection's first) against the rest:
    # where the p99 comes from, a cold start or the steady state.
    first = sorted((answered[k] - started[k]) * 1000 for k in answered if started[k] - t0 < FIRST_SECONDS)
    later = sorted((answered[k] - started[k]) * 1000 for k in answered if started[k] - t0 >= FIRST_SECONDS)

    closes: dict[int, float] = {}

    async def close(chat: int, k: int) -> None:
        closes[chat] = time.monotonic()
        await driver.command(chat, "/stang", k % 2)

    load = os.getloadavg()[0]
    photos_before = {chat: len(driver.photos(chat)) for chat in groups}
    await asyncio.gather(*(close(chat, k) for k, chat in enumerate(groups)))
    close_span = max(closes.values()) - min(closes.values())
    try:
        await api.wait_until(
            lambda: all(len(driver.photos(c)) > photos_before[c] for c in groups), within=180
        )
    except TimeoutError:
        pass
    await asyncio.sleep(2.0)  # a group's later charts
    to_charts = sorted(
        driver.photos(c)[-1] - closes[c] for c in groups if len(driver.photos(c)) > photos_before[c]
    )
    missing, duplicated = await _check(args.database_url, groups, expected)
    lost = sum(press_of[k] not in refused for k in missing)  # said saved, not stored
    stored_refused = sum(
        press_of[k] in refused for k in expected if k not in missing
    )  # said not saved, stored
    return {
        "label": label,
        "votes": len(presses),
        "answered": len(answered),
        "seconds": elapsed,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan"),
        "first": (len(first), statistics.median(first) if first else float("nan"), max(first, default=0.0)),
        "later": (
            len(later),
            later[max(0, int(len(later) * 0.99) - 1)] if later else float("nan"),
            max(later, default=0.0),
        ),
        "lost": lost,
        "refused": len(refused),
        "stored_refused": stored_refused,
        "duplicated": duplicated,
        "close_span": close_span,
        "charts_groups": len(to_charts),
        "groups": len(groups),
        "p95_charts": to_charts[max(0, int(len(to_charts) * 0.95) - 1)] if to_charts else float("nan"),
        "retried": driver.retried,
        "cpu": cpu,
        "driver_cpu": driver_cpu,
        "load": load,
        "429s": api.count_429,
    }


async def _check(
    url: str, groups: list[int], expected: dict[tuple[int, int, int], int]
) -> tuple[set[tuple[int, int, int]], int]:
    """The presses whose value is not stored, and the duplicated answers: stored beyond one per
    person and statement (there is one row per person and statement, so a vote counted twice
    would show as a value nobody pressed last)."""
    import sqlalchemy as sa

    from facilitation.pseudonym import Pseudonymizer
    from storage.database import create_engine

    pseudonyms = Pseudonymizer("scaleout-shared-secret")
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            workshops = dict(
                (
                    await connection.execute(
                        sa.text("SELECT chat_id, workshop_id FROM rooms WHERE platform = 'telegram'")
                    )
                ).all()
            )
            rows = (
                await connection.execute(
                    sa.text(
                        "SELECT r.workshop_id, i.position, a.participant_key, a.value FROM responses a "
                        "JOIN rounds r ON r.id = a.round_id JOIN round_items i ON i.id = a.item_id"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    stored: dict[tuple[int, str, int], list[int]] = {}
    for workshop_id, position, key, value in rows:
        stored.setdefault((workshop_id, key, position), []).append(value)
    missing: set[tuple[int, int, int]] = set()
    duplicated = 0
    for (chat, user, s), value in expected.items():
        workshop_id = workshops[str(chat)]
        values = stored.pop(
            (workshop_id, pseudonyms.participant_key("telegram", str(user), workshop_id), s), []
        )
        if value not in values:
            missing.add((chat, user, s))
        duplicated += max(0, len(values) - 1)
    duplicated += sum(len(v) for v in stored.values())  # stored answers nobody pressed
    return missing, duplicated


# --------------------------------------------------------------------------- main


async def _fresh_database(admin: str) -> str:
    import asyncpg

    from storage.migrate import upgrade

    name = f"dialogbot_scaleout_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = f"{admin.rsplit('/', 1)[0]}/{name}"
    await upgrade(url)
    return url


async def _drop_database(admin: str, url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await connection.close()


async def _scenario(args: argparse.Namespace, label: str, kill_one: bool, tmp: Path) -> dict[str, Any]:
    from tests.standins.telegram_api import TelegramStandIn

    args.database_url = await _fresh_database(args.pg)
    context = multiprocessing.get_context("spawn")
    api = await TelegramStandIn(token=TOKEN, bot_username="dialogbot_scaleout", callback_timeout=60).start()
    bots = []
    try:
        for i in range(2):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=bot_process,
                name=f"bot-{i}",  # not daemonic: it has a chart worker
                args=(theirs, api.root_url, args.database_url, str(tmp / f"{label}-{i}")),
            )
            process.start()
            bots.append((process, ours))
        loop = asyncio.get_running_loop()
        started = [await loop.run_in_executor(None, conn.recv) for _, conn in bots]
        driver = Driver(api, [url for url, _ in started])
        profile = f"{args.profile}.{label.split()[0]}.txt" if args.profile else None
        probe = Probe(bots, profile, [pid for _, pid in started])

        def kill() -> None:
            driver.alive[1] = False  # the load balancer notices at the next failed POST; so does the driver
            bots[1][0].kill()

        groups = [-1_002_000_000 - g for g in range(args.workshops)]
        try:
            return await _run(driver, label, groups, args, probe, kill if kill_one else None)
        finally:
            await driver.aclose()
    finally:
        for process, conn in bots:
            if process.is_alive():
                try:
                    conn.send("stop")
                except (BrokenPipeError, OSError):
                    process.kill()
                process.join(30)
        await api.stop()
        await _drop_database(args.pg, args.database_url)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workshops", type=int, default=20)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--statements", type=int, default=3, help="statements each participant answers")
    parser.add_argument(
        "--pg",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        help="an admin URL of the PostgreSQL server (a database is created and dropped)",
    )
    parser.add_argument(
        "--only",
        choices=("both", "kill"),
        help="run only one scenario: both processes alive, or one killed mid-burst",
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="sample the first bot process with py-spy during the burst (PREFIX.<scenario>.txt, collapsed stacks)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.standins
    scenarios = [("two processes", False), ("one killed mid-burst", True)]
    if args.only:
        scenarios = [scenarios[0] if args.only == "both" else scenarios[1]]
    with tempfile.TemporaryDirectory() as tmp:
        results = [asyncio.run(_scenario(args, label, kill, Path(tmp))) for label, kill in scenarios]
    print(
        f"Scale-out: 2 bot processes, PostgreSQL, {args.workshops} workshops × {args.participants} participants "
        f"× {args.statements} statements"
    )
    for r in results:
        print(
            f"[{r['label']}] {r['answered']} of {r['votes']} presses answered in {r['seconds']:.2f} s = "
            f"{r['votes'] / r['seconds']:.0f} votes/s; press→answer p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms; "
            f"lost {r['lost']}, duplicated {r['duplicated']}; answered 'not saved, press again' {r['refused']} "
            f"(of them stored all the same: {r['stored_refused']}); POSTs sent to the other process (a failed one, or the first one dead) {r['retried']}"
        )
        (n_first, p50_first, max_first), (n_later, p99_later, max_later) = r["first"], r["later"]
        print(
            f"    the {n_first} presses sent in the burst's first {FIRST_SECONDS * 1000:.0f} ms: p50 {p50_first:.1f} ms, "
            f"max {max_first:.1f} ms; the {n_later} after them: p99 {p99_later:.1f} ms, max {max_later:.1f} ms"
        )
        cpu = " + ".join(f"{c:.2f} s" if c is not None else "(killed)" for c in r["cpu"])
        counted = [c for c in r["cpu"] if c is not None]
        per_vote = (
            f"{1000 * sum(counted) / r['votes']:.2f} ms/vote" if len(counted) == len(r["cpu"]) else "n/a"
        )
        print(
            f"    bot CPU during the burst {cpu} = {per_vote}; this process (Telegram's stand-in and its "
            f"webhook connections) {r['driver_cpu']:.2f} s; load average {r['load']:.1f} (2 cores)"
        )
        print(
            f"    {r['groups']} closes sent within {r['close_span']:.2f} s; charts in {r['charts_groups']} groups, "
            f"close→last chart p95 {r['p95_charts']:.2f} s; 429s {r['429s']}"
        )


if __name__ == "__main__":
    main()
