"""Wiring of issue 20's timers: rounds that close at their deadline, and process files re-read.

One APScheduler (in-memory jobs, nothing shared) per bot process ticks

* the :class:`~facilitation.people.deadlines.DeadlineCloser`: the database decides which process
  closes a due round (a claim under a lease), so with several processes on PostgreSQL a round is
  closed and its results posted once; after a restart the deadlines are still in the database;
* the :class:`~facilitation.people.reminders.DeadlineReminder`: the reminder to the undecided
  before such a round closes, claimed the same way (and each person marked before being sent it);
* the :class:`~config.process_reload.ProcessReloader`: the process files' mtimes (and the
  ``processes.reload`` file ``dialogbot processes reload`` touches in the data directory) are
  compared every few seconds; SIGHUP re-reads them at once. The same command also stamps the
  database (:class:`~storage.process_reloads.SqlReloadRequests`), which every process reads on the
  same timer, so the bots on other hosts re-read their own files too; of the processes finding
  the same broken file, only the first to record it tells the facilitators.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from config.process_reload import ProcessReloader, Reloaded, snapshot
from facilitation.clock import utc_now
from facilitation.i18n import t
from facilitation.people import texts as _texts  # noqa: F401  (people.reload_problem)
from facilitation.people.deadlines import STOCKHOLM, DeadlineCloser
from facilitation.people.reminders import DeadlineReminder
from facilitation.ports import ChatRef, PortError
from storage.database import is_outage
from storage.live_leases import new_holder
from storage.people_repository import SqlDeadlines
from storage.process_reloads import SqlReloadRequests

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

DEADLINE_JOB = "dialogbot-round-deadlines"
REMIND_JOB = "dialogbot-round-reminders"
RELOAD_JOB = "dialogbot-process-reload"
RELOAD_MARKER = "processes.reload"


def reload_marker(data_dir: Path) -> Path:
    """The file ``dialogbot processes reload`` touches: running bots on this host re-read then."""
    return data_dir / RELOAD_MARKER


@dataclass
class PeopleTimers:
    closer: DeadlineCloser
    reloader: ProcessReloader
    marker: Path
    reminder: DeadlineReminder | None = None
    requests: SqlReloadRequests | None = None
    _marker_seen: tuple[int, int] | None = None
    _asked_seen: datetime | None = None

    def watch(self) -> Reloaded | None:
        """Re-read the process files if one changed or a reload was asked for on this host."""
        marked = snapshot_of(self.marker)
        if marked != self._marker_seen:
            self._marker_seen = marked
            return self.reloader.reload(everything=True)
        return self.reloader.check()

    async def prime(self) -> None:
        """Note the reload asked for before this process started (its files were read at start)."""
        if self.requests is not None:
            with contextlib.suppress(Exception):  # unknown: the first answer is taken as the start
                self._asked_seen = await self.requests.asked()

    async def poll(self) -> Reloaded | None:
        """:meth:`watch`, and a re-read when a reload was asked for on any host since the last look."""
        if self.requests is not None:
            try:
                asked = await self.requests.asked()
            except Exception as error:
                if not is_outage(error):
                    raise
                log.warning(
                    "process files: the database did not answer (%s); asked again", type(error).__name__
                )
                return self.watch()
            if asked != self._asked_seen:
                self._asked_seen = asked
                self._marker_seen = snapshot_of(self.marker)  # the same request, seen both ways
                return self.reloader.reload(everything=True)
        return self.watch()

    async def first_report(self, problems: list[str], now: datetime) -> bool:
        """Whether this process is the one to tell the facilitators of ``problems`` (the same file
        name and error, wherever each host keeps its processes directory)."""
        if self.requests is None:
            return True
        directory = str(self.reloader.directory)
        same = [problem.replace(directory, "") for problem in problems]
        try:
            return await self.requests.first_report(self._asked_seen, same, now)
        except Exception as error:
            if not is_outage(error):
                raise
            return True  # better told twice than not at all


def snapshot_of(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def timers_for(app: App) -> PeopleTimers:
    closer = DeadlineCloser(
        SqlDeadlines(app.engine),
        app.service,
        app.conversation.publish_closed,
        new_holder(),
        is_outage=is_outage,
    )
    reminder = (
        DeadlineReminder(SqlDeadlines(app.engine), app.reach, new_holder(), is_outage=is_outage)
        if app.reach is not None
        else None
    )
    marker = reload_marker(app.settings.data_dir)
    timers = PeopleTimers(
        closer,
        ProcessReloader(app.settings.processes_dir, app.processes),
        marker,
        reminder,
        SqlReloadRequests(app.engine),
    )
    timers._marker_seen = snapshot_of(marker)
    return timers


@contextlib.asynccontextmanager
async def people_running(app: App, *, interval: float = 5.0) -> AsyncIterator[PeopleTimers]:
    """Run the deadline closer and the process-file watcher until the context ends."""

    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    timers = timers_for(app)
    await timers.prime()
    scheduler = AsyncIOScheduler(
        timezone=STOCKHOLM, job_defaults={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}
    )
    jobs = _Jobs()
    scheduler.add_job(
        jobs.run,
        "interval",
        seconds=interval,
        id=DEADLINE_JOB,
        args=[timers.closer.tick],
        next_run_time=datetime.now(STOCKHOLM),
    )
    if timers.reminder is not None:
        scheduler.add_job(
            jobs.run,
            "interval",
            seconds=interval,
            id=REMIND_JOB,
            args=[timers.reminder.tick],
            next_run_time=datetime.now(STOCKHOLM),
        )
    # Through the same runner as the ticks: the watch now reads the database, and a read cut
    # short by the stop must end quietly, not as a traceback from the scheduler.
    scheduler.add_job(
        jobs.run, "interval", seconds=interval, id=RELOAD_JOB, args=[functools.partial(_watch, timers, app)]
    )
    scheduler.start()
    loop = asyncio.get_running_loop()
    hangup = False
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, lambda: timers.reloader.reload(everything=True))
        hangup = True
    try:
        yield timers
    finally:
        if hangup:
            loop.remove_signal_handler(signal.SIGHUP)
        scheduler.shutdown(wait=False)
        await jobs.stop()


class _Jobs:
    """The ticks in flight (deadlines, the process-file watch): on stopping, the one running may finish (a few seconds), and
    one cut short by the stop ends quietly (its claim's lease runs out and it is taken over)."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task[object]] = set()
        self.stopping = False

    async def run(self, tick: Callable[[], Awaitable[object]]) -> None:
        if self.stopping:
            return
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
        try:
            await tick()
        except asyncio.CancelledError:
            if not self.stopping:
                raise
            log.info("timers: a tick was cut short by the stop; another process (or the next start) goes on")
        finally:
            if task is not None:
                self.running.discard(task)

    async def stop(self, within: float = 5.0) -> None:
        self.stopping = True
        if self.running:
            await asyncio.wait(set(self.running), timeout=within)


async def _watch(timers: PeopleTimers, app: App) -> None:
    try:
        outcome = await timers.poll()
    except Exception:  # never stop the timer: the next change is read again
        log.exception("process files: could not re-read them")
        return
    if outcome is not None and outcome.problems:
        if await timers.first_report(outcome.problems, utc_now()):
            await tell_facilitators(app, outcome.problems)


async def tell_facilitators(app: App, problems: list[str]) -> None:
    """The configured facilitators (the administrators) learn of a broken process file in their
    private chat with the bot, one sentence each; one who cannot be reached is skipped (the log has it)."""
    lang = app.settings.language
    text = "\n".join(t("people.reload_problem", lang, problem=problem) for problem in problems)
    unreached = 0
    for platform, ids in app.settings.facilitators.items():
        port = app.conversation.ports.get(platform)
        if port is None:  # the platform does not run in this process
            continue
        for user_id in ids:
            try:
                await port.send_text(ChatRef(platform, user_id, is_private=True), text)
            except PortError:
                unreached += 1
    if unreached:
        log.info("process files: %d facilitator(s) could not be told in a private chat", unreached)


__all__ = ["PeopleTimers", "people_running", "reload_marker", "snapshot", "timers_for"]
