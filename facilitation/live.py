"""Live messages (the turnout tally) edited no faster than the platform allows.

A burst of 300 votes must not become 300 edits: each message gets at most one edit per
``port.edit_interval(chat)`` seconds, and an edit always renders the latest state, so the last
vote of a burst is shown by the trailing edit.

Votes handled by *other* bot processes (several processes behind webhooks share one database)
never poke this process, so a registered group is also refreshed every ``poll_seconds``: the
render reads the state from the database, and a render that reports the round closed elsewhere
is the message's last edit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from facilitation.ports import ChatGone, ChatMoved, ChatPort, ChatRef, Keyboard, MessageRef, PortError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveView:
    """What a live message shows now; ``final`` ends its updates (e.g. the round was closed)."""

    text: str
    buttons: Keyboard | None = None
    final: bool = False


Render = Callable[[], Awaitable[LiveView]]
#: Told when a live message's chat is gone or moved: (group, the message, the port's error).
OnLost = Callable[[Hashable, MessageRef, PortError], Awaitable[None]]


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
    poll_seconds: float = 10.0
    on_lost: OnLost | None = None
    _groups: dict[Hashable, list[_Live]] = field(default_factory=dict)
    _pollers: dict[Hashable, asyncio.Task[None]] = field(default_factory=dict)

    def register(self, group: Hashable, port: ChatPort, message: MessageRef, render: Render,
                 initial_text: str | None = None) -> None:
        """Keep ``message`` up to date with ``render()`` when ``group`` is poked, and every ``poll_seconds``."""
        self._groups.setdefault(group, []).append(
            _Live(port, message, render, last_edit=self.clock(), last_text=initial_text)
        )
        if group not in self._pollers:
            self._pollers[group] = asyncio.get_running_loop().create_task(self._poll(group))

    async def _poll(self, group: Hashable) -> None:
        while group in self._groups:
            await asyncio.sleep(self.poll_seconds)
            self.poke(group)

    def poke(self, group: Hashable) -> None:
        """Something changed: schedule (or rely on an already scheduled) edit of each message."""
        for live in self._groups.get(group, []):
            live.dirty = True
            if live.task is None or live.task.done():
                delay = max(0.0, live.last_edit + live.port.edit_interval(live.message.chat) - self.clock())
                live.task = asyncio.get_running_loop().create_task(self._edit_later(live, delay, group))

    async def _edit_later(self, live: _Live, delay: float, group: Hashable) -> None:
        while True:
            if delay > 0:
                await asyncio.sleep(delay)
            await self._edit(live, group)
            if not live.dirty:  # a poke during the edit needs one more, trailing edit
                return
            delay = max(0.0, live.last_edit + live.port.edit_interval(live.message.chat) - self.clock())

    async def _edit(self, live: _Live, group: Hashable, *, tell_lost: bool = True) -> None:
        live.dirty = False
        try:
            view = await live.render()
            if view.text != live.last_text:
                await live.port.edit_message(live.message, view.text, view.buttons)
                live.last_text = view.text
                live.edits += 1
            if view.final:
                self._drop(group, live)
        except (ChatGone, ChatMoved) as lost:  # this message can never be edited again
            self._drop(group, live)
            if self.on_lost is not None and tell_lost:
                await self.on_lost(group, live.message, lost)
        except Exception:  # an edit failing must never break voting
            log.warning("live message edit failed", exc_info=True)
        finally:
            live.last_edit = self.clock()

    def _drop(self, group: Hashable, live: _Live) -> None:
        lives = self._groups.get(group, [])
        if live in lives:
            lives.remove(live)
        if not lives:
            self._groups.pop(group, None)
            poller = self._pollers.pop(group, None)
            if poller is not None:
                poller.cancel()

    async def finish(self, group: Hashable) -> None:
        """Final edit now (e.g. when a round closes) and stop tracking the group.

        A chat found gone or moved here is not reported: what the caller posts next (the results)
        goes to the same rooms and finds out itself.
        """
        lives = self._groups.pop(group, [])
        poller = self._pollers.pop(group, None)
        if poller is not None:
            poller.cancel()
        for live in lives:
            if live.task is not None and not live.task.done():
                live.task.cancel()
        for live in lives:
            await self._edit(live, group, tell_lost=False)

    def drop_chat(self, chat: ChatRef) -> list[Hashable]:
        """Stop updating every live message in ``chat`` (it left, is gone or moved); their groups."""
        groups = []
        for group, lives in list(self._groups.items()):
            for live in [live for live in lives if live.message.chat == chat]:
                if live.task is not None and live.task is not asyncio.current_task():
                    live.task.cancel()
                self._drop(group, live)
                groups.append(group)
        return list(dict.fromkeys(groups))

    def edits(self, group: Hashable) -> int:
        return sum(live.edits for live in self._groups.get(group, []))

    async def aclose(self) -> None:
        for poller in self._pollers.values():
            poller.cancel()
        self._pollers.clear()
        for lives in self._groups.values():
            for live in lives:
                if live.task is not None:
                    live.task.cancel()
        self._groups.clear()
