"""Telegram flood limits as sliding windows, so the bot never provokes a 429.

PTB's AIORateLimiter uses leaky buckets, which let a burst of 20 group messages be followed by
one every three seconds — more than 20 in a sliding minute, which Telegram may punish. Here each
limit is a sliding window: about 30 messages a second overall, 20 a minute per group, one a
second per private chat. A call counts until it has completed, and the windows are a little
longer than Telegram's (2 % overall, 5 % per chat, 1 s per group minute) as a safety margin. A
RetryAfter that still happens is waited out and the request retried, so no message is lost.
The overall limit belongs to the bot token, not the process: on PostgreSQL it is shared by
every process sending for the token (:class:`bot.ratelimit.SharedWindow`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, cast

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.metrics import count_rate_limited
from bot.ratelimit import Places, SharedWindow, SlidingWindow, Windows
from facilitation.ports import is_reply

log = logging.getLogger(__name__)

# Telegram's flood limits count messages: what is sent or edited. Lookups (getChatAdministrators),
# answers to button presses and chat actions carry a chat_id too, but must not take a message's
# place in a group's 20 a minute.
PACED_PREFIXES = ("send", "edit", "copy", "forward")
# Of a group's 20 messages a minute, bulk output (results, charts, tally edits, reminders) takes
# at most 17: the other 3 are kept for answers to commands, so a facilitator is answered at once
# while the bot posts a long round or its results there.
GROUP_REPLY_PLACES = 3
UNPACED = frozenset({"sendChatAction"})


def _is_group(chat: Hashable) -> bool:
    """Groups and channels have negative ids or an @username; private chats positive ids."""
    return isinstance(chat, str) or int(cast(int, chat)) < 0


def is_paced(endpoint: str) -> bool:
    """Whether a Bot API method counts toward Telegram's message limits."""
    return endpoint.startswith(PACED_PREFIXES) and endpoint not in UNPACED


class TelegramRateLimiter(BaseRateLimiter[int]):
    """Sliding-window limits per Telegram's Bot FAQ, plus RetryAfter retries."""

    def __init__(
        self,
        overall: tuple[int, float] = (30, 1.02),
        group: tuple[int, float] = (20, 61.0),
        private: tuple[int, float] = (1, 1.05),
        max_retries: int = 5,
        shared: tuple[Places, str] | None = None,
    ) -> None:
        """``shared``: the places and budget key of the bot token's overall limit, shared with the
        other processes that send for it (Telegram counts per token, not per process)."""
        self._overall: SlidingWindow | SharedWindow = (
            SharedWindow(shared[0], shared[1], *overall) if shared is not None else SlidingWindow(*overall)
        )
        self._chats = Windows(
            lambda chat: (
                SlidingWindow(*group, reserve=GROUP_REPLY_PLACES)
                if _is_group(chat)
                else SlidingWindow(*private)
            )
        )
        self._max_retries = max_retries
        self.retries = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            try:
                async with contextlib.AsyncExitStack() as slots:
                    if chat_id is not None and is_paced(endpoint):
                        try:
                            chat_key: int | str = int(chat_id)
                        except (TypeError, ValueError):
                            chat_key = str(chat_id)
                        reply = is_reply()  # a command's or press's answer goes ahead of bulk posts
                        await slots.enter_async_context(self._chats[chat_key].slot(reply=reply))
                        await slots.enter_async_context(self._overall.slot(reply=reply))
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                count_rate_limited("telegram", retried=attempt < retries)
                if attempt == retries:
                    raise
                self.retries += 1
                wait = (
                    exc.retry_after
                    if isinstance(exc.retry_after, int | float)
                    else exc.retry_after.total_seconds()
                )
                log.info("Telegram asked to wait %.1f s (%s); retrying", wait, endpoint)
                await asyncio.sleep(float(wait) + 0.1)
        raise AssertionError("unreachable")
