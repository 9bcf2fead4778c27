"""Runs one bot process: every configured platform in one event loop, or the local mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from typing import TextIO

from bot.app import App
from config.settings import Settings

log = logging.getLogger(__name__)


async def run(settings: Settings, *, script: TextIO | None = None, out_dir: Path | None = None,
              local: bool = False) -> int:
    """Start the platforms in ``settings`` (or the local mode) and run until stopped."""
    if not (local or script is not None):
        settings.require_secrets()  # before anything is created
    app = await App.create(settings)
    try:
        if local or script is not None or not (settings.has_telegram or settings.has_slack):
            from bot.local import run_local
            from bot.meetings_runner import reminders_running

            async with reminders_running(app):  # local-mode contacts get their reminders here too
                await run_local(app.conversation, out_dir or settings.data_dir / "charts", stream=script)
            return 0
        return await _serve(app)
    finally:
        await app.aclose()


async def _serve(app: App) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    from bot.health import health_running

    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(health_running(app))  # /readyz says "not ready" until all started
        for starter in _platform_starters(app):
            await stack.enter_async_context(starter)
        log.info("dialogbot running")
        await stop.wait()
    return 0


def _platform_starters(app: App) -> list[contextlib.AbstractAsyncContextManager]:
    """An async context per configured platform (adapters and the reminder scheduler)."""
    starters: list[contextlib.AbstractAsyncContextManager] = []
    if app.settings.has_telegram:
        from bot.telegram.runner import telegram_running

        starters.append(telegram_running(app))
    if app.settings.has_slack:
        from bot.slack.runner import slack_running

        starters.append(slack_running(app))
    from bot.meetings_runner import reminders_running

    starters.append(reminders_running(app))
    return starters
