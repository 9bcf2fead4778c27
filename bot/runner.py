"""Runs one bot process: every configured platform in one event loop, or the local mode."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TextIO

from bot.app import App
from config.errors import SERVICE_UNREACHABLE
from config.settings import Settings

log = logging.getLogger(__name__)

# Seconds a stop signal leaves the bot to finish what it is doing (presses are answered within
# 5 s anyway): a database or platform that does not answer must not keep it from stopping.
STOP_WITHIN = 6.0


async def run(
    settings: Settings, *, script: TextIO | None = None, out_dir: Path | None = None, local: bool = False
) -> int:
    """Start the platforms in ``settings`` (or the local mode) and run until stopped."""
    if not (local or script is not None):
        settings.require_secrets()  # before anything is created
    app = await App.create(settings)
    if local or script is not None or not (settings.has_telegram or settings.has_slack):
        try:
            from bot.local import run_local
            from bot.meetings_runner import reminders_running
            from bot.people_runner import people_running

            # local-mode contacts get their reminders here too; rounds close at their deadline
            async with reminders_running(app), people_running(app):
                await run_local(app.conversation, out_dir or settings.data_dir / "charts", stream=script)
            return 0
        finally:
            await app.aclose()
    return await _serve(app)


async def _serve(app: App) -> int:
    """Run the platforms until SIGTERM or SIGINT, then stop within :data:`STOP_WITHIN` seconds.

    Exit code 0: everything being handled was finished and closed. When the database (or a
    platform) does not answer, stopping would wait for it: after :data:`STOP_WITHIN` seconds the
    process says so in one log line and exits at once with 3 (a service did not answer); a
    press still waiting then was not saved, and Telegram delivers an update the bot had not
    answered again to the next process.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    from bot.health import health_running

    stack = contextlib.AsyncExitStack()
    try:
        await stack.enter_async_context(health_running(app))  # /readyz says "not ready" until all started
        for starter in _platform_starters(app):
            await stack.enter_async_context(starter)
        log.info("dialogbot running")
        await stop.wait()
    except BaseException:
        await _close(stack, app)
        raise
    log.info("stopping: finishing what is being handled (at most %.0f s)", STOP_WITHIN)
    closing = loop.create_task(_close(stack, app))
    done, _ = await asyncio.wait({closing}, timeout=STOP_WITHIN)
    if closing in done:
        closing.result()
        log.info("dialogbot stopped")
        return 0
    log.error(
        "stopped without finishing: the database or a chat platform did not answer within %.0f s of the "
        "stop signal; what was still being handled was given up (presses were not saved; Telegram sends "
        "unanswered updates again). Exit code %d.",
        STOP_WITHIN,
        SERVICE_UNREACHABLE,
    )
    logging.shutdown()
    sys.stderr.flush()
    os._exit(SERVICE_UNREACHABLE)  # closing connections to a stalled database would wait for it too


async def _close(stack: contextlib.AsyncExitStack, app: App) -> None:
    """Stop the platforms, then close the app (database, chart workers, the SQLite lock)."""
    try:
        await stack.aclose()
    finally:
        await app.aclose()


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
    from bot.people_runner import people_running

    starters.append(people_running(app))  # after the platforms: a round closing at once posts its results
    return starters
