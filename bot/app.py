"""Wiring: settings → database → domain service → conversation, shared by every platform."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chart_workers import ProcessChartRenderer
from bot.ratelimit import Places
from config.catalogue import load_processes
from config.settings import Settings
from facilitation.charting import ChartRenderer
from facilitation.conversation import Conversation
from facilitation.exercises.barometer import BarometerExercise
from facilitation.model import Process
from facilitation.ports import UserRef
from facilitation.pseudonym import Pseudonymizer
from facilitation.service import Clock, WorkshopService, utc_now
from storage.database import checkpoint_wal, create_engine, is_sqlite, warm_pool
from storage.migrate import current_revision, head_revision, upgrade
from storage.rate_budget import RateBudgets, budget_key
from storage.repository import SqlStore

log = logging.getLogger(__name__)


class SchemaOutOfDate(RuntimeError):
    """The PostgreSQL schema is not at the newest migration; run ``dialogbot db upgrade``."""


def default_exercises() -> list:
    """Every exercise the bot offers."""
    from facilitation.exercises.prioritisation import PrioritisationExercise

    return [BarometerExercise(), PrioritisationExercise()]


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

    @classmethod
    async def create(cls, settings: Settings, *, clock: Clock = utc_now, chart_processes: int | None = None) -> App:
        """Connect, migrate an SQLite file (PostgreSQL must be migrated explicitly), load processes."""
        processes = load_processes(settings.processes_dir)
        url = settings.effective_database_url
        engine = create_engine(url)
        if is_sqlite(url):
            await upgrade(url, engine, secret=settings.secret)
        else:
            revision = await current_revision(engine)
            if revision != head_revision():
                await engine.dispose()
                raise SchemaOutOfDate(
                    f"database schema is at {revision or 'nothing'}, expected {head_revision()}: "
                    "run `dialogbot db upgrade` first"
                )
        store = SqlStore(engine)
        service = WorkshopService(store, processes, clock, min_group_size=settings.min_group_size)
        pseudonymizer = Pseudonymizer(settings.secret)

        def is_facilitator(user: UserRef) -> bool:
            return settings.is_facilitator(user.platform, user.user_id)

        workers = settings.chart_processes if chart_processes is None else chart_processes
        renderer = ProcessChartRenderer(workers) if workers > 0 else ChartRenderer()
        conversation = Conversation(
            service, pseudonymizer, is_facilitator=is_facilitator,
            chat_admins_lead=settings.group_admins_are_facilitators, language=settings.language,
            renderer=renderer, exercises=default_exercises(),
        )
        from bot.meetings_chat import install
        from storage.meetings_repository import MeetingStore

        install(conversation, MeetingStore(engine))  # reminder commands exist before any adapter starts
        app = cls(settings, engine, store, service, conversation, processes, pseudonymizer)
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
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.conversation.aclose()
        self.conversation.renderer.close()
        await self.store.aclose()
        await self.engine.dispose()
