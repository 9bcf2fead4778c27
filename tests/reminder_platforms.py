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
async def telegram(rate: int = 30, **limiter: Any) -> AsyncIterator[Telegram]:
    """The stand-in limiting to ``rate`` messages/s overall (Telegram's 30 unless sped up) and a
    port paced by a :class:`TelegramRateLimiter` for the same rate (``limiter``: its options)."""
    api = TelegramStandIn(token=TOKEN, limits=RateLimits(overall_max=rate)).start_in_thread()
    rate_limiter = TelegramRateLimiter(overall=(rate, 1.02), **limiter)
    application = (Application.builder().token(TOKEN).updater(None).rate_limiter(rate_limiter)
                   .base_url(api.base_url).request(AiohttpRequest(pool_size=64)).build())
    await application.initialize()
    try:
        yield Telegram(api, TelegramPort(application.bot), rate_limiter)
    finally:
        await application.shutdown()
        api.stop_thread()
