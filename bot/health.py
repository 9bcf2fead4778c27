"""``/healthz`` and ``/readyz`` for load balancers, orchestrators and monitoring.

``/healthz`` says only that the process answers (a liveness probe: restart it if not).
``/readyz`` says whether it can do its work: the database answers and is at the newest
migration, every configured platform adapter has started, and the reminder dispatcher runs. A
load balancer sends webhook traffic only to a ready process. Both are served on the webhook
servers (Telegram's webhook, Slack's HTTP mode) and, for polling and Socket Mode, on a small
server of their own (``health_port``). The answers never hold a secret, an address or an id:
the endpoints are unauthenticated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from config.errors import CORRECT_AND_RETRY, OperatorError
from config.settings import Settings
from storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)

DATABASE_TIMEOUT = 2.0  # seconds /readyz waits for the database before calling it unreachable


class HealthServerFailed(OperatorError):
    """The probes' own server could not listen where the settings say."""

    label = "health server error"


@dataclass
class Health:
    """What one bot process reports about itself."""

    engine: AsyncEngine
    #: Platforms configured in the settings ("telegram", "slack"): each must have started.
    expected: tuple[str, ...] = ()
    started: set[str] = field(default_factory=set)
    #: Whether the reminder dispatcher runs (set while it does).
    dispatcher: Callable[[], bool] | None = None
    #: Extra routes served beside the probes (the metrics, the web pages).
    extra_routes: list[web.RouteDef] = field(default_factory=list)
    #: Called when a server serving them shuts down (the web pages end their open event streams).
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def problems(self) -> list[str]:
        """Why the process is not ready, one short sentence each (empty: ready)."""
        problems = []
        database = await self._database()
        if database:
            problems.append(database)
        problems += [
            f"{platform}: the adapter has not started"
            for platform in self.expected
            if platform not in self.started
        ]
        if self.dispatcher is None or not self.dispatcher():
            problems.append("reminders: the dispatcher is not running")
        return problems

    async def _database(self) -> str:
        try:
            revision = await asyncio.wait_for(current_revision(self.engine), DATABASE_TIMEOUT)
        except Exception as exc:  # never its message: it may name the server
            log.warning("readiness: the database did not answer (%s)", type(exc).__name__)
            return "database: not reachable"
        if revision != head_revision():
            return "database: not at the newest migration (run: dialogbot db upgrade)"
        return ""

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        problems = await self.problems()
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})

    def add_routes(self, app: web.Application) -> None:
        """Serve the probes (and the extra routes) on ``app`` too."""
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_routes(self.extra_routes)
        for hook in self.on_shutdown:
            app.on_shutdown.append(_on_shutdown(hook))


def _on_shutdown(hook: Callable[[], Awaitable[None]]) -> Callable[[web.Application], Awaitable[None]]:
    async def call(app: web.Application) -> None:
        await hook()

    return call


class ServesHealth(Protocol):
    """What :func:`health_running` needs of the app (:class:`bot.app.App`, which imports this module)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def health(self) -> Health: ...


@contextlib.asynccontextmanager
async def health_running(app: ServesHealth) -> AsyncIterator[web.AppRunner | None]:
    """The probes' own server on ``health_listen:health_port`` (none when the port is 0)."""
    settings = app.settings
    if not settings.health_port:
        yield None
        return
    web_app = web.Application()
    app.health.add_routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, settings.health_listen, settings.health_port).start()
        except OSError as exc:
            raise HealthServerFailed(
                f"cannot serve /healthz and /readyz on {settings.health_listen}:{settings.health_port} "
                f"(health_listen, health_port): {exc.strerror or exc}. Fix: choose a free port and an address "
                "of this machine, or set health_port = 0 to serve none.",
                exit_code=CORRECT_AND_RETRY,
            ) from None
        log.info("health and metrics served on port %d", settings.health_port)
        yield runner
    finally:
        await runner.cleanup()
