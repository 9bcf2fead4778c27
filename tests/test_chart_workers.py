"""Chart workers (``chart_processes >= 1``): a dead worker is replaced, results of a round closed
while charts could not be drawn follow once they can, and no worker outlives the bot.

The workers are real spawned processes, killed with SIGKILL as the kernel's OOM killer or an
operator would; the bot of the last test is the real ``dialogbot run`` process.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.chart_workers import ProcessChartRenderer
from facilitation.rendering import Build, ChartRenderer
from tests.harness import LocalHarness, until
from tests.waiting import eventually_sync

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)"
)
ROOT = Path(__file__).resolve().parent.parent


def chart_workers(parent: int) -> list[int]:
    """Running spawned multiprocessing workers whose parent is ``parent`` (zombies do not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == parent and state != "Z" and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def pngs(h: LocalHarness) -> list[Path]:
    return [path for path in h.port.files() if path.suffix == ".png"]


async def test_a_killed_chart_worker_is_replaced_and_every_later_close_posts_its_charts(
    tmp_path: Path,
) -> None:
    h = await LocalHarness.start(tmp_path, chart_processes=1)
    try:
        await h.run("/workshop varmland-2015 Dödad ritare", "/barometer 1,2", ":sim 12", "/stang")
        assert len(pngs(h)) == 3
        for round_number in (2, 3):
            [worker] = await until(lambda: chart_workers(os.getpid()))
            os.kill(worker, signal.SIGKILL)
            await until(lambda worker=worker: not is_running(worker))
            out = await h.run("/barometer 1,2", ":sim 12", "/stang")
            assert not [line for line in out if "gick fel" in line], out
            assert len(pngs(h)) == 3 * round_number
            assert any("Här är resultatet" in line for line in out)
        await h.run("/resultat 1")  # an earlier round's charts, drawn by the new worker
        assert len(pngs(h)) == 12
    finally:
        await h.close()


def nothing_owed(h: LocalHarness) -> bool:
    """The conversation owes no results and is not posting owed ones."""
    conversation = h.app.conversation
    task = conversation.owed_results.task
    return not conversation.owed_results.owed and (task is None or task.done())


def message_text(line: str) -> str:
    """A room message's text without the local port's "[rum] #7 " (its chat and message number)."""
    return re.sub(r"^\[[^\]]*\] #\d+ ", "", line)


class WorkerKiller:
    """Kills every chart worker of this process as soon as it appears, while running."""

    def __init__(self) -> None:
        self.killed: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in chart_workers(os.getpid()):
                os.kill(pid, signal.SIGKILL)
                self.killed.add(pid)
            time.sleep(0.003)

    def __enter__(self) -> WorkerKiller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def test_results_of_a_round_closed_while_charts_cannot_be_drawn_follow_once(tmp_path: Path) -> None:
    h = await LocalHarness.start(tmp_path, chart_processes=1)
    try:
        await h.run("/workshop varmland-2015 Ritaren nere", "/barometer 1,2", ":sim 12")
        with WorkerKiller() as killer:
            out = await h.run("/stang")  # the worker dies, and so does the one started to draw again
            assert len(killer.killed) >= 2
        closed = [line for line in out if "är stängd; inga fler svar tas emot" in line]
        assert len(closed) == 1 and "/resultat 1" in closed[0]
        assert not pngs(h) and not [line for line in out if "gick fel" in line]
        round_ = (await h.app.store.rounds(1))[0]
        assert round_.status.value == "closed"

        # The worker is back after the killing stopped: the results come by themselves, once.
        await until(lambda: len(pngs(h)) == 3, within=30)
        await until(lambda: nothing_owed(h))  # done posting what was owed: nothing comes after
        assert len(pngs(h)) == 3
        assert len([line for line in h.output if "som stängdes nyss" in line]) == 1
    finally:
        await h.close()


async def test_a_room_that_read_the_result_text_during_an_outage_gets_only_the_charts_after(
    tmp_path: Path,
) -> None:
    """The text is posted before the charts are drawn; when they cannot be, the owed results that
    follow bring the charts, not the same text a second time."""
    h = await LocalHarness.start(tmp_path, chart_processes=1)
    try:
        await h.run("/workshop varmland-2015 Text en gång", "/barometer 1,2", ":sim 12")
        with WorkerKiller():
            out = await h.run("/stang")
        header = [i for i, line in enumerate(out) if "Här är resultatet:" in line]
        assert len(header) == 1, out
        summary = message_text(out[header[0]])  # the result text opens with the header
        assert "medel" in summary and "håller med" in summary, out
        assert any("är stängd; inga fler svar tas emot" in line for line in out)

        await until(lambda: len(pngs(h)) == 3, within=30)
        await until(lambda: nothing_owed(h))
        assert [line for line in h.output if "som stängdes nyss" in line], h.output
        assert [message_text(line) for line in h.output].count(summary) == 1, h.output
        assert len(pngs(h)) == 3
    finally:
        await h.close()


async def test_a_results_command_settles_what_was_owed_in_that_chat(tmp_path: Path) -> None:
    h = await LocalHarness.start(tmp_path, chart_processes=1)
    try:
        await h.run("/workshop varmland-2015 Ritaren nere", "/barometer 1,2", ":sim 12")
        with WorkerKiller():
            await h.run("/stang")
            refused = await h.run("/resultat 1")  # charts cannot be drawn yet: said so
        assert len(refused) == 1 and "Diagrammen kan inte ritas just nu" in refused[0]
        await until(lambda: len(pngs(h)) == 3, within=30)
        await h.run("/resultat 1")
        await until(lambda: nothing_owed(h))
        assert len(pngs(h)) == 6  # the owed results once, /resultat once: nothing more
    finally:
        await h.close()


def test_the_chart_worker_ends_with_a_killed_bot(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text(
        "/workshop varmland-2015 Kill\n/barometer 1\n:sim 12\n/stang\n:vänta 120\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
    env.update(DIALOGBOT_DATA_DIR=str(tmp_path / "data"), DIALOGBOT_CHART_PROCESSES="1", PYTHONPATH=str(ROOT))
    workers: list[int] = []
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--script", str(script)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def drawn() -> bool:  # the worker has drawn
            assert bot.poll() is None, "the bot ended before drawing"
            return len(list((tmp_path / "data" / "charts").glob("*.png"))) >= 3

        eventually_sync(drawn, within=60, what="the charts to be drawn")
        workers = chart_workers(bot.pid)
        assert workers
        bot.kill()
        bot.wait()
        killed = time.monotonic()
        eventually_sync(
            lambda: not any(is_running(pid) for pid in workers),
            within=10,
            what="the chart worker to end with the bot (it outlived it)",
        )
        assert time.monotonic() - killed < 3.0
    finally:
        if bot.poll() is None:
            bot.kill()
        for pid in workers:
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)


class HeldCharts(ChartRenderer):
    """Draws on a thread as the local mode does, but only once ``release`` is set: a chart
    worker that is slow (or busy with other rooms' charts)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.asked = 0

    async def _draw(self, build: Build, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
        self.asked += 1
        await self.release.wait()
        return await super()._draw(build, args, kwargs)


async def test_a_closed_round_posts_its_text_at_once_and_asks_for_every_chart_together(
    tmp_path: Path,
) -> None:
    h = await LocalHarness.start(tmp_path)
    held = HeldCharts()
    h.app.conversation.renderer = held
    try:
        await h.run("/workshop varmland-2015 Text först", "/barometer 1,2", ":sim 12")
        closing = asyncio.ensure_future(h.run("/stang"))
        await until(lambda: held.asked == 3)  # all three charts asked for before any is drawn
        header = await until(lambda: [i for i, line in enumerate(h.output) if "Här är resultatet" in line])
        summary = h.output[header[0]]  # the summary opens with the header: one message, at once
        assert "medel" in summary and "håller med" in summary, h.output
        assert not pngs(h) and not closing.done()
        held.release.set()
        await closing
        assert len(pngs(h)) == 3
    finally:
        held.release.set()
        await h.close()


async def test_every_chart_worker_is_started_with_the_bot(tmp_path: Path) -> None:
    """One worker per core (here two), each started and warmed up before the first close."""
    renderer = ProcessChartRenderer(2)
    try:
        await until(lambda: len(chart_workers(os.getpid())) == 2)
    finally:
        renderer.close()


async def test_chart_workers_give_the_bot_process_the_cpu_first(tmp_path: Path) -> None:
    """Ten rooms closing keep both cores drawing; the bot must still post every result text at
    once and answer presses, so the kernel runs it before its workers (a higher nice value)."""
    renderer = ProcessChartRenderer(2)
    try:
        workers = await until(lambda: (found := chart_workers(os.getpid())) and len(found) == 2 and found)
        own = os.getpriority(os.PRIO_PROCESS, 0)
        await until(lambda: all(os.getpriority(os.PRIO_PROCESS, pid) > own for pid in workers))
    finally:
        renderer.close()


def test_the_bot_process_draws_charts_without_loading_matplotlib(tmp_path: Path) -> None:
    """A round closed with a chart worker gets its charts; the bot process never imports
    matplotlib (the worker does), nor Alembic on a database already at the newest schema."""
    script = """
import asyncio, sys
from pathlib import Path
from tests.harness import LocalHarness

async def main(folder, lines):
    h = await LocalHarness.start(folder, chart_processes=1)
    await h.run(*lines)
    await h.close()
    print(len([p for p in h.port.files() if p.suffix == ".png"]),
          sorted({m.split(".")[0] for m in sys.modules} & {"matplotlib", "alembic"}))

asyncio.run(main(Path(sys.argv[1]), sys.argv[2:]))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}

    def bot(*lines: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path), *lines],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert bot() == "0 ['alembic']"  # the first start creates the database
    assert bot("/workshop varmland-2015 Utan matplotlib", "/barometer 1,2", ":sim 12", "/stang") == "3 []"
