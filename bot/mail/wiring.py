"""E-mail in a running bot: the port among the conversation's ports, the RSVP page on the web server.

The wiring reads what it needs of the running bot through :class:`EmailHost` (a protocol that
:class:`bot.app.App` satisfies), so ``bot.mail`` never imports ``bot.app`` back, not even for a
type (``tests/test_architecture.py`` checks that ``bot.mail`` sits in no import cycle).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.mail.port import EmailPort, SmtpConfig
from bot.mail.web import rsvp_routes, stop_routes
from facilitation.meetings.links import RsvpLinks, StopLinks
from storage.database import is_outage
from storage.replay_guard import ReplayGuard

if TYPE_CHECKING:
    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncEngine

    from config.settings import Settings
    from facilitation.clock import Clock
    from facilitation.conversation import Conversation
    from facilitation.pseudonym import Pseudonymizer

log = logging.getLogger(__name__)
MINUTE = timedelta(minutes=1)


class _Clocked(Protocol):
    @property
    def clock(self) -> Clock: ...


class _Routes(Protocol):
    @property
    def extra_routes(self) -> list[web.RouteDef]: ...


class EmailHost(Protocol):
    """What the e-mail wiring reads of a running bot (:class:`bot.app.App`)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def engine(self) -> AsyncEngine: ...
    @property
    def conversation(self) -> Conversation: ...
    @property
    def pseudonymizer(self) -> Pseudonymizer: ...
    @property
    def service(self) -> _Clocked: ...
    @property
    def health(self) -> _Routes: ...
    @property
    def closers(self) -> list[Callable[[], Awaitable[None]]]: ...

    def shared_limit(self, *names: str) -> tuple[object, str] | None:
        """Where a rate limit is shared with the other bot processes (None: this process only)."""
        ...


def smtp_config(settings: Settings) -> SmtpConfig:
    """The SMTP server, account, sender and pacing of the ``smtp_*`` settings."""
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.effective_smtp_port,
        security=settings.smtp_security,
        sender=settings.smtp_from,
        sender_name=settings.smtp_from_name,
        user=settings.smtp_user,
        password=settings.smtp_password_value(),
        rate=settings.smtp_rate,
    )


def install_email(app: EmailHost) -> EmailPort:
    """Add the e-mail port (from the ``smtp_*`` settings) and serve ``/osa/<token>`` (answers) and
    ``/sluta/<token>`` (stop / forget) beside ``/healthz``."""
    from facilitation.meetings.chat import installed_store
    from storage.meetings_repository import SqlMeetingStore

    settings = app.settings
    config = smtp_config(settings)
    from bot.redaction import remember_secrets

    remember_secrets(config.password)
    conversation = app.conversation
    links = RsvpLinks(app.pseudonymizer, conversation.codec)
    stop_links = StopLinks(app.pseudonymizer)
    port = EmailPort(
        config,
        links=links,
        stop_links=stop_links,
        public_url=settings.public_url,
        shared=app.shared_limit("email", settings.smtp_host, settings.smtp_user),
        clock=app.service.clock,
    )
    conversation.add_port(port)
    fallback = SqlMeetingStore(app.engine)
    app.health.extra_routes.extend(
        rsvp_routes(
            links,
            lambda: installed_store(conversation) or fallback,
            clock=app.service.clock,
            language=settings.language,
            is_outage=is_outage,
        )
    )
    used = ReplayGuard(app.engine, clock=app.service.clock)
    app.closers.append(used.aclose)

    async def first_use(token: str, expires: datetime) -> bool:
        """A stop or forget link acts once: remembered (a hash) in the shared database until it expires."""
        return await used.first_time("stop-link", token, keep=max(expires - app.service.clock(), MINUTE))

    app.health.extra_routes.extend(
        stop_routes(
            stop_links,
            lambda: installed_store(conversation) or fallback,
            first_use,
            clock=app.service.clock,
            language=settings.language,
            is_outage=is_outage,
        )
    )
    if not settings.public_url:
        log.warning("e-mail: public_url is not set, so reminders by e-mail go out without answer links")
    elif not (settings.health_port or (settings.telegram_mode == "webhook" and settings.has_telegram)):
        if not (settings.has_slack and not settings.slack_app_token):
            log.warning(
                "e-mail: answer links point to %s/osa/… but no web server of this process serves them: "
                "set health_port (or run a webhook)",
                settings.public_url,
            )
    return port
