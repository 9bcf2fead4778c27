"""The real Telegram sending path (PTB with our rate limiter and request class) against the Bot API
stand-in in a thread of its own, for the reminder tests that need a platform's limits."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.telegram.port import TelegramPort
from bot.telegram.ratelimit import TelegramRateLimiter
from bot.telegram.request import AiohttpRequest
from tests.standins.telegram_api import RateLimits, TelegramStandIn

TOKEN = "123456:REMINDERS-token"


@dataclass
class Telegram:
    api: TelegramStandIn
    port: TelegramPort
    limiter: TelegramRateLimiter

    def sends(self, method: str) -> Counter[int]:
        """Accepted calls of ``method`` per chat."""
        return Counter(int(c.params["chat_id"]) for c in self.api.calls_to(method) if c.status == 200)


@contextlib.asynccontextmanager
async def standin(rate: int = 30) -> AsyncIterator[TelegramStandIn]:
    """The Bot API stand-in in a thread, limiting to ``rate`` messages/s overall (Telegram: 30)."""
    api = TelegramStandIn(token=TOKEN, limits=RateLimits(overall_max=rate)).start_in_thread()
    try:
        yield api
    finally:
        api.stop_thread()


@contextlib.asynccontextmanager
async def sender(api: TelegramStandIn, rate: int = 30, **limiter: Any) -> AsyncIterator[Telegram]:
    """A bot process's sending side: a port paced by a :class:`TelegramRateLimiter` for ``rate``
    (``limiter``: its other options, e.g. ``shared``)."""
    rate_limiter = TelegramRateLimiter(overall=(rate, 1.02), **limiter)
    application = (
        Application.builder()
        .token(TOKEN)
        .updater(None)
        .rate_limiter(rate_limiter)
        .base_url(api.base_url)
        .request(AiohttpRequest(pool_size=64))
        .build()
    )
    await application.initialize()
    try:
        yield Telegram(api, TelegramPort(application.bot), rate_limiter)
    finally:
        await application.shutdown()


@contextlib.asynccontextmanager
async def telegram(rate: int = 30, **limiter: Any) -> AsyncIterator[Telegram]:
    """The stand-in and one process sending to it."""
    async with standin(rate) as api, sender(api, rate, **limiter) as one:
        yield one
