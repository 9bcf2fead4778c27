"""Live messages (the turnout tally) edited no faster than the platform allows.

A burst of 300 votes must not become 300 edits: each message gets at most one edit per
``port.edit_interval(chat)`` seconds, and an edit always renders the latest state, so the last
vote of a burst is shown by the trailing edit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from facilitation.ports import ChatPort, Keyboard, MessageRef

log = logging.getLogger(__name__)

Render = Callable[[], Awaitable[tuple[str, Keyboard | None]]]


@dataclass
class _Live:
    port: ChatPort
    message: MessageRef
    render: Render
    last_edit: float = float("-inf")
    last_text: str | None = None
    task: asyncio.Task[None] | None = None
    edits: int = 0
    dirty: bool = False


@dataclass
class LiveUpdater:
    """Coalescing editor of live messages, grouped (e.g. by round id)."""

    clock: Callable[[], float] = time.monotonic
    _groups: dict[Hashable, list[_Live]] = field(default_factory=dict)

    def register(self, group: Hashable, port: ChatPort, message: MessageRef, render: Render,
                 initial_text: str | None = None) -> None:
        """Keep ``message`` up to date with ``render()`` whenever ``group`` is poked."""
        self._groups.setdefault(group, []).append(
            _Live(port, message, render, last_edit=self.clock(), last_text=initial_text)
        )

    def poke(self, group: Hashable) -> None:
        """Something changed: schedule (or rely on an already scheduled) edit of each message."""
        for live in self._groups.get(group, []):
            live.dirty = True
            if live.task is None or live.task.done():
                delay = max(0.0, live.last_edit + live.port.edit_interval(live.message.chat) - self.clock())
                live.task = asyncio.get_running_loop().create_task(self._edit_later(live, delay))

    async def _edit_later(self, live: _Live, delay: float) -> None:
        while True:
            if delay > 0:
                await asyncio.sleep(delay)
            await self._edit(live)
            if not live.dirty:  # a poke during the edit needs one more, trailing edit
                return
            delay = max(0.0, live.last_edit + live.port.edit_interval(live.message.chat) - self.clock())

    async def _edit(self, live: _Live) -> None:
        live.dirty = False
        try:
            text, buttons = await live.render()
            if text != live.last_text:
                await live.port.edit_message(live.message, text, buttons)
                live.last_text = text
                live.edits += 1
        except Exception:  # an edit failing must never break voting
            log.warning("live message edit failed", exc_info=True)
        finally:
            live.last_edit = self.clock()

    async def finish(self, group: Hashable) -> None:
        """Final edit now (e.g. when a round closes) and stop tracking the group."""
        lives = self._groups.pop(group, [])
        for live in lives:
            if live.task is not None and not live.task.done():
                live.task.cancel()
        for live in lives:
            await self._edit(live)

    def edits(self, group: Hashable) -> int:
        return sum(live.edits for live in self._groups.get(group, []))

    async def aclose(self) -> None:
        for lives in self._groups.values():
            for live in lives:
                if live.task is not None:
                    live.task.cancel()
        self._groups.clear()
