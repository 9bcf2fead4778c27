"""Wiring: settings → database → domain service → conversation, shared by every platform."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import metrics
from bot.chart_workers import ProcessChartRenderer
from bot.health import Health
from bot.ratelimit import Places
from bot.web.server import WebPages, WebSettings
from config.catalogue import load_processes
from config.settings import Settings, with_stored_secret
from facilitation.clock import Clock, utc_now
from facilitation.conversation import Conversation
from facilitation.exercises import Exercise
from facilitation.exercises.registry import exercises
from facilitation.followup.flow import use_records
from facilitation.model import Process
from facilitation.ports import UserRef
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer
from facilitation.service import WorkshopService
from storage import process_lock
from storage.checks import database_errors, open_database
from storage.database import checkpoint_wal, is_outage, is_sqlite, sqlite_file, warm_pool
from storage.followup_records import SqlFollowupRecords
from storage.live_leases import SqlLiveLeases, new_holder
from storage.rate_budget import RateBudgets, budget_key
from storage.repository import SqlStore

if TYPE_CHECKING:
    from facilitation.people.reminders import Reach

log = logging.getLogger(__name__)


def default_exercises() -> list[Exercise]:
    """Every exercise the bot offers (listed in :mod:`facilitation.exercises.registry`)."""
    return exercises()


@dataclass
class App:
    """Everything one bot process shares between its platform adapters."""

    settings: Settings
    engine: AsyncEngine
    store: SqlStore
    service: WorkshopService
    conversation: Conversation
    processes: dict[str, Process]
    pseudonymizer: Pseudonymizer
    background: list[asyncio.Task[None]] = field(default_factory=list)
    _rate_budgets: RateBudgets | None = None
    sqlite_lock: Path | None = None
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    health: Health = field(init=False)
    #: The projector screen and browser voting, served beside /healthz when ``public_url`` is set.
    web: WebPages | None = None
    #: Sealed private addresses of participants (facilitation.people.reach): reminders before a deadline.
    reach: Reach | None = None

    def __post_init__(self) -> None:
        platforms = ("telegram",) * self.settings.has_telegram + ("slack",) * self.settings.has_slack
        self.health = Health(self.engine, expected=platforms, extra_routes=list(metrics.ROUTES))
        from bot import meeting_pages  # the meeting details page a reminder links to (GET /m/<token>)
        from storage.meetings_repository import SqlMeetingStore

        self.health.extra_routes += meeting_pages.routes(SqlMeetingStore(self.engine), self.pseudonymizer)

    @classmethod
    async def create(
        cls, settings: Settings, *, clock: Clock = utc_now, chart_processes: int | None = None
    ) -> App:
        """Connect, migrate an SQLite file (PostgreSQL must be migrated explicitly), load processes.

        An SQLite file is locked for this process first (one bot process per file, see
        :mod:`storage.process_lock`); a database that cannot be used is a
        :class:`~storage.checks.DatabaseError` and leaves the file's lock released.
        """
        processes = load_processes(settings.processes_dir)
        settings = with_stored_secret(settings)
        url = settings.effective_database_url
        database = sqlite_file(url)
        with database_errors(url):  # the lock's folder may be where nothing can be written
            lock = process_lock.acquire(database) if database is not None else None
        try:
            engine = await open_database(url, secret=settings.secret, wait_limit=settings.database_timeout)
        except BaseException:
            if lock is not None:
                process_lock.release(lock)
            raise
        store = SqlStore(engine)
        service = WorkshopService(store, processes, clock, min_group_size=settings.min_group_size)
        pseudonymizer = Pseudonymizer(settings.secret)

        def is_facilitator(user: UserRef) -> bool:
            return settings.is_facilitator(user.platform, user.user_id)

        workers = settings.chart_processes if chart_processes is None else chart_processes
        renderer = ProcessChartRenderer(workers) if workers > 0 else ChartRenderer()
        conversation = Conversation(
            service,
            pseudonymizer,
            is_facilitator=is_facilitator,
            chat_admins_lead=settings.group_admins_are_facilitators,
            language=settings.language,
            renderer=renderer,
            exercises=default_exercises(),
            is_outage=is_outage,
        )
        from facilitation.meetings.chat import install
        from storage.meetings_repository import SqlMeetingStore

        install(conversation, SqlMeetingStore(engine))  # reminder commands exist before any adapter starts
        use_records(conversation.exercises.values(), SqlFollowupRecords(engine))  # /uppfoljning's tags
        from facilitation.content.chat import install as install_content
        from storage.content_repository import SqlContentStore

        install_content(conversation, SqlContentStore(engine))  # /innehall, /forslag, /foresla
        from facilitation.yearbook.chat import install as install_yearbook
        from storage.yearbook import SqlYearbook

        install_yearbook(conversation, SqlYearbook(engine))  # /slutsats, /arsomgang, /trend
        from facilitation.people.chat import install as install_people
        from facilitation.people.reach import Sealer
        from facilitation.people.reminders import Reach
        from storage.people_repository import SqlCoLeaders, SqlDeadlines, SqlReach

        reach = Reach(conversation, SqlReach(engine), Sealer(settings.secret))  # reminders to the undecided
        install_people(
            conversation, SqlDeadlines(engine), SqlCoLeaders(engine), reach
        )  # /vem, co-facilitators
        conversation.on_activity = metrics.count_activity
        conversation.live.leases = SqlLiveLeases(engine, holder=new_holder())
        app = cls(settings, engine, store, service, conversation, processes, pseudonymizer, sqlite_lock=lock)
        app.reach = reach
        # /skarm exists everywhere (without public_url it says the screen is not switched on).
        app.web = WebPages(conversation, settings.secret, WebSettings(settings.public_url))
        if settings.public_url:
            app.health.extra_routes.extend(app.web.routes())
            app.health.on_shutdown.append(app.web.aclose)
            app.health.started.add("web")  # a screen's tally another process left is taken over here
        # A tally is taken over only where its platform runs (started), as is its reminder.
        conversation.live.platforms = lambda: tuple(app.health.started)
        app.background.append(asyncio.get_running_loop().create_task(conversation.live.keep_leases()))
        app.background.append(
            asyncio.get_running_loop().create_task(conversation.service.keep_open_rounds_warm())
        )
        if settings.has_email:  # the e-mail port, and its RSVP page among the health server's routes
            from bot.mail.wiring import install_email

            app.closers.append(install_email(app).aclose)
        if isinstance(renderer, ProcessChartRenderer):
            metrics.track_queue("chart_renders", lambda: renderer.pending)
        if is_sqlite(url):
            await warm_pool(engine)
            await store.open()
            app.background.append(asyncio.get_running_loop().create_task(checkpoint_wal(engine)))
        return app

    def shared_limit(self, *names: str) -> tuple[Places, str] | None:
        """Where a platform's rate limit named by ``names`` (platform, token, workspace, window) is
        shared with the other bot processes: PostgreSQL places and the budget's key. None on SQLite,
        which one process owns."""
        if self.engine.dialect.name != "postgresql":
            return None
        if self._rate_budgets is None:
            self._rate_budgets = RateBudgets(self.engine)
        return self._rate_budgets, budget_key(*names)

    async def aclose(self) -> None:
        for close in self.closers:
            await close()
        if self.web is not None:
            await self.web.aclose()
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.conversation.aclose()
        self.conversation.renderer.close()
        await self.store.aclose()
        await self.engine.dispose()
        if self.sqlite_lock is not None:
            process_lock.release(self.sqlite_lock)
