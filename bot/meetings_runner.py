"""Reminders wiring: APScheduler is the clock, the database is the truth.

The dispatch rules (plan, claim under a lease, send part by part, retry or give up) live in
:mod:`facilitation.meetings.dispatch` and work on the :class:`facilitation.meetings.store.MeetingStore`
port. Here: the :class:`Dispatcher` on the SQL store with the database's outage test and the
metrics, and :func:`reminders_running`: the meetings files imported on start, the chat commands
installed, and the APScheduler 3.x interval job (in-memory job store, nothing shared between
processes) that ticks the dispatcher.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import meeting_pages
from bot.metrics import count_reminders
from config.meetings_files import configured_meetings
from config.settings import LOCAL_FACILITATOR
from facilitation.meetings import STOCKHOLM, dispatch
from facilitation.meetings.directory import import_meetings
from facilitation.meetings.dispatch import TickResult
from facilitation.meetings.store import MeetingStore
from facilitation.model import Language
from storage.database import is_outage
from storage.meetings_repository import SqlMeetingStore

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

JOB_ID = "dialogbot-meeting-reminders"


def new_worker_id() -> str:
    """``host:pid:random``: unique per dispatcher, and tells a process on the same host whether it lives."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_has_ended(worker: str) -> bool:
    """Whether ``worker`` (see :func:`new_worker_id`) was a process on this host that no longer runs.

    Only on this host can it be known; a zombie (killed, not yet reaped) has ended. A pid taken
    by another process since counts as running: its claims then wait for their lease.
    """
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process: running
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


def count_tick(result: TickResult) -> None:
    """The metrics of one scheduled tick."""
    count_reminders(
        due=result.sent + result.failed + result.skipped + result.taken_over,
        sent=result.sent,
        failed=result.failed,
    )


class Dispatcher(dispatch.Dispatcher):
    """The dispatcher of a running bot: it waits through database outages, counts its ticks and
    takes over at once the claims of a dispatcher on this host whose process has ended."""

    def __init__(self, store: MeetingStore, *args: Any, **options: Any) -> None:
        options["worker_id"] = options.get("worker_id") or new_worker_id()
        options.setdefault("has_ended", worker_has_ended)
        options.setdefault("is_outage", is_outage)
        options.setdefault("on_tick", count_tick)
        super().__init__(store, *args, **options)

    @classmethod
    def from_app(cls, app: App, **options: Any) -> Dispatcher:
        # Share the SQLite write lock with the workshop store: one writer per process.
        store = SqlMeetingStore(app.engine, write_lock=getattr(app.store, "_write_lock", None))
        settings = app.settings
        organisers = {"local": [LOCAL_FACILITATOR], **settings.facilitators}
        options.setdefault("organisers", organisers)
        options.setdefault("language", Language(settings.language))
        options.setdefault("details_url", meeting_pages.details_url(settings.public_url, app.pseudonymizer))
        return cls(store, app.conversation.ports, app.conversation.codec, **options)


@contextlib.asynccontextmanager
async def reminders_running(app: App, *, interval: float = 30.0) -> AsyncIterator[Dispatcher]:
    """Import the meetings configuration, install the chat side and run the dispatcher."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from facilitation.meetings.chat import install

    dispatcher = Dispatcher.from_app(app)
    pseudonymizer = app.conversation.pseudonymizer
    await import_meetings(dispatcher.store, configured_meetings(app.settings, pseudonymizer), pseudonymizer)
    install(app.conversation, dispatcher.store, clock=dispatcher.clock, kick=dispatcher.kick)
    scheduler = AsyncIOScheduler(
        timezone=STOCKHOLM,
        job_defaults={"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1},
    )
    scheduler.add_job(
        dispatcher.kick,
        "interval",
        seconds=interval,
        id=JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now(STOCKHOLM),
    )
    scheduler.start()
    log.info("reminders: dispatcher %s running (every %.0f s)", dispatcher.worker_id, interval)
    app.health.dispatcher = lambda: bool(scheduler.running and scheduler.get_job(JOB_ID) is not None)
    try:
        yield dispatcher
    finally:
        app.health.dispatcher = None
        scheduler.shutdown(wait=False)
        await dispatcher.stop()
