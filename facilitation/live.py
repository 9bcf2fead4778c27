"""Live messages (the turnout tally) edited no faster than the platform allows.

A burst of 300 votes must not become 300 edits: each message gets at most one edit per
``port.edit_interval(chat)`` seconds, and an edit always renders the latest state, so the last
vote of a burst is shown by the trailing edit.

Votes handled by *other* bot processes (several processes behind webhooks share one database)
never poke this process, so a registered group is also refreshed every ``poll_seconds``: the
render reads the state from the database, and a render that reports the round closed elsewhere
is the message's last edit.

With :class:`LiveLeases` (the shared database) each message has a lease of ``lease_seconds``:
exactly one process edits it, the one that holds the lease and renews it every ``lease_tick``
seconds. A holder edits only while its last renewal is younger than the lease less one tick, so
an edit never needs a database write of its own (votes are not slowed), and a process that was
stalled past its lease stops editing before anyone can have taken over. A lease that runs out
(its process died, or stopped and released it) is taken over by a process where the message's
platform runs, or by the same one after a restart: it rebuilds the renderer (``resume``) and
keeps the chat's edit budget, counting from the previous holder's last edit (recorded with each
renewal and on release) and starting from the text it showed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from facilitation.clock import utc_now
from facilitation.ports import ChatGone, ChatMoved, ChatPort, ChatRef, Keyboard, MessageRef, PortError

log = logging.getLogger(__name__)

RELEASE_WITHIN = 2.0  # seconds a stopping process tries to release its leases (else they run out)


@dataclass(frozen=True)
class LiveView:
    """What a live message shows now; ``final`` ends its updates (e.g. the round was closed)."""

    text: str
    buttons: Keyboard | None = None
    final: bool = False


Render = Callable[[], Awaitable[LiveView]]
#: Told when a live message's chat is gone or moved: (group, the message, the port's error).
OnLost = Callable[[int, MessageRef, PortError], Awaitable[None]]


@dataclass(frozen=True)
class LeasedMessage:
    """A live message whose lease this process just took over."""

    lease_id: int
    group: int
    message: MessageRef
    language: str
    last_text: str | None
    last_edit_at: datetime


#: What a holder last showed in a message: (its text, when it was posted or last edited).
Shown = Mapping[int, tuple[str | None, datetime]]


class LiveLeases(Protocol):
    """Which process edits which live message (a store shared by every bot process)."""

    async def hold(
        self, group: int, message: MessageRef, language: str, text: str | None, at: datetime, until: datetime
    ) -> int:
        """Record a message just posted (``text``), its lease held by this process; its lease id."""
        ...

    async def renew(self, shown: Shown, at: datetime, until: datetime) -> set[int]:
        """Renew these leases (by lease id) where still ours, recording what each shows; those still ours."""
        ...

    async def take_over(self, platforms: Sequence[str], at: datetime, until: datetime) -> list[LeasedMessage]:
        """Take the leases that ran out, of messages on ``platforms``."""
        ...

    async def release(self, shown: Shown, at: datetime) -> None:
        """Let these leases run out now (this process stops), recording what each shows: another
        process takes them over at once."""
        ...

    async def end(self, lease_id: int) -> None:
        """The message is edited no more (its last edit is made, or its chat is gone)."""
        ...


#: A taken-over message's port and renderer: (group, message, language) → (port, render), or
#: None when it cannot be rendered any more (its round is gone).
Resume = Callable[[int, MessageRef, str], Awaitable[tuple[ChatPort, Render] | None]]


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
    lease: asyncio.Future[int | None] | None = None  # its lease id once recorded (None: no lease)
    held_until: float = float("inf")  # (clock) edits stop here unless the lease is renewed
    shown_at: datetime | None = None  # when last_text was posted or edited in


@dataclass
class LiveUpdater:
    """Coalescing editor of live messages, grouped by round id."""

    clock: Callable[[], float] = time.monotonic
    poll_seconds: float = 10.0
    on_lost: OnLost | None = None
    leases: LiveLeases | None = None
    resume: Resume | None = None
    platforms: Callable[[], Sequence[str]] = tuple
    now: Callable[[], datetime] = utc_now
    lease_seconds: float = 30.0
    lease_tick: float = 5.0  # seconds between renewals (well within the lease) and takeovers
    _groups: dict[int, list[_Live]] = field(default_factory=dict)
    _pollers: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    def register(
        self,
        group: int,
        port: ChatPort,
        message: MessageRef,
        render: Render,
        initial_text: str | None = None,
        language: str = "",
    ) -> None:
        """Keep ``message`` up to date with ``render()`` when ``group`` is poked, and every ``poll_seconds``.

        With leases, a message in a room (not a private chat: no person's id is stored) is held
        by this process; ``language`` is what a process taking it over renders it in.
        """
        live = _Live(port, message, render, last_edit=self.clock(), last_text=initial_text)
        if self.leases is not None and language and isinstance(group, int) and not message.chat.is_private:
            live.shown_at = self.now()
            live.held_until = self.clock() + self.lease_seconds - self.lease_tick
            live.lease = asyncio.ensure_future(
                self._hold(self.leases, group, message, language, initial_text, live.shown_at)
            )
        self._track(group, live)

    def _track(self, group: int, live: _Live) -> None:
        self._groups.setdefault(group, []).append(live)
        if group not in self._pollers:
            self._pollers[group] = asyncio.get_running_loop().create_task(self._poll(group))

    async def _hold(
        self,
        leases: LiveLeases,
        group: int,
        message: MessageRef,
        language: str,
        text: str | None,
        at: datetime,
    ) -> int | None:
        try:
            return await leases.hold(
                group, message, language, text, at, at + timedelta(seconds=self.lease_seconds)
            )
        except Exception as error:  # edited by this process alone, as without leases
            log.warning("a live message could not be recorded for other processes (%s)", type(error).__name__)
            return None

    async def _poll(self, group: int) -> None:
        while group in self._groups:
            await asyncio.sleep(self.poll_seconds)
            self.poke(group)

    def poke(self, group: int) -> None:
        """Something changed: schedule (or rely on an already scheduled) edit of each message."""
        for live in self._groups.get(group, []):
            live.dirty = True
            if live.task is None or live.task.done():
                delay = max(0.0, live.last_edit + live.port.edit_interval(live.message.chat) - self.clock())
                live.task = asyncio.get_running_loop().create_task(self._edit_later(live, delay, group))

    async def _edit_later(self, live: _Live, delay: float, group: int) -> None:
        while True:
            if delay > 0:
                await asyncio.sleep(delay)
            await self._edit(live, group)
            if not live.dirty:  # a poke during the edit needs one more, trailing edit
                return
            delay = max(0.0, live.last_edit + live.port.edit_interval(live.message.chat) - self.clock())

    async def _edit(self, live: _Live, group: int, *, tell_lost: bool = True) -> None:
        live.dirty = False
        try:
            view = await live.render()
            if view.text != live.last_text:
                if self.clock() >= live.held_until:  # not renewed in time: maybe another process's now
                    return
                await live.port.edit_message(live.message, view.text, view.buttons)
                live.last_text = view.text
                live.shown_at = self.now()
                live.edits += 1
            if view.final:
                self._drop(group, live)
        except (ChatGone, ChatMoved) as lost:  # this message can never be edited again
            self._drop(group, live)
            if self.on_lost is not None and tell_lost:
                await self.on_lost(group, live.message, lost)
        except PortError as trouble:  # the platform or the network: the next poke or poll edits again
            log.warning(
                "a live tally could not be edited (%s: %s); it is edited again at the next vote or within %g s",
                type(trouble).__name__,
                trouble,
                self.poll_seconds,
            )
        except Exception:  # a bug: an edit failing must never break voting
            log.warning("live message edit failed", exc_info=True)
        finally:
            live.last_edit = self.clock()

    def _drop(self, group: int, live: _Live, *, end: bool = True) -> None:
        """Stop editing ``live``; ``end``: nobody edits it any more (else another process holds it)."""
        lives = self._groups.get(group, [])
        if live in lives:
            lives.remove(live)
        if not lives:
            self._groups.pop(group, None)
            poller = self._pollers.pop(group, None)
            if poller is not None:
                poller.cancel()
        if end and live.lease is not None and self.leases is not None:
            self._in_background(self._end(self.leases, live.lease))

    async def _end(self, leases: LiveLeases, lease: asyncio.Future[int | None]) -> None:
        lease_id = await asyncio.shield(lease)
        if lease_id is not None:
            try:
                await leases.end(lease_id)
            except Exception as error:  # its lease runs out; whoever takes it over finds it final
                log.warning(
                    "a finished live message stays recorded until its lease runs out (%s)",
                    type(error).__name__,
                )

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- leases: one process edits each message, another takes over -----------------------
    def wake(self) -> None:
        """Look for messages to take over now (a platform just started in this process)."""
        self._wake.set()

    async def keep_leases(self) -> None:
        """Renew this process's leases and take over those that ran out, every ``lease_tick``
        seconds, until cancelled (a background task of the running bot)."""
        while True:
            try:
                await self._keep_leases()
            except Exception as error:  # the database is away: the leases run out, others take over
                log.warning("live message leases could not be kept (%s)", type(error).__name__)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns normally when it is
            # cancelled just as the event is set, and this loop would then never end.
            try:
                async with asyncio.timeout(self.lease_tick):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()

    def _held(self) -> dict[int, tuple[int, _Live]]:
        """This process's leases by id (those recorded so far)."""
        held: dict[int, tuple[int, _Live]] = {}
        for group, lives in self._groups.items():
            for live in lives:
                lease_id = live.lease.result() if live.lease is not None and live.lease.done() else None
                if lease_id is not None:
                    held[lease_id] = (group, live)
        return held

    @staticmethod
    def _shown(held: dict[int, tuple[int, _Live]]) -> dict[int, tuple[str | None, datetime]]:
        return {
            lease_id: (live.last_text, live.shown_at)
            for lease_id, (_, live) in held.items()
            if live.shown_at is not None
        }

    async def _keep_leases(self) -> None:
        if self.leases is None:
            return
        held = self._held()
        started, now = self.clock(), self.now()
        until = now + timedelta(seconds=self.lease_seconds)
        if held:
            still = await self.leases.renew(self._shown(held), now, until)
            for lease_id, (group, live) in held.items():
                if lease_id in still:
                    live.held_until = started + self.lease_seconds - self.lease_tick
                else:  # it ran out and another process took it over
                    self._drop(group, live, end=False)
        for leased in await self.leases.take_over(tuple(self.platforms()), now, until):
            await self._resume(self.leases, leased, started)

    async def _resume(self, leases: LiveLeases, leased: LeasedMessage, started: float) -> None:
        """Edit a taken-over message from now on, no sooner than its chat's edit interval after
        the previous holder's last edit."""
        resumed = await self.resume(leased.group, leased.message, leased.language) if self.resume else None
        if resumed is None:
            await leases.end(leased.lease_id)
            return
        port, render = resumed
        since = max(0.0, (self.now() - leased.last_edit_at).total_seconds())
        lease: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        lease.set_result(leased.lease_id)
        self._track(
            leased.group,
            _Live(
                port,
                leased.message,
                render,
                last_edit=self.clock() - since,
                last_text=leased.last_text,
                lease=lease,
                shown_at=leased.last_edit_at,
                held_until=started + self.lease_seconds - self.lease_tick,
            ),
        )
        log.info("took over a live message of round %s", leased.group)
        self.poke(leased.group)

    async def finish(self, group: int) -> None:
        """Final edit now (e.g. when a round closes) and stop tracking the group."""
        await self.final_edits(group, self.stop(group))

    def stop(self, group: int) -> list[_Live]:
        """Stop tracking the group: its messages get no edit of their own from now on. Their
        final edit is :meth:`final_edits`, made when the caller chooses (a close makes each
        room's after its result text, which the room waits for more)."""
        lives = self._groups.pop(group, [])
        poller = self._pollers.pop(group, None)
        if poller is not None:
            poller.cancel()
        for live in lives:
            if live.task is not None and not live.task.done():
                live.task.cancel()
        return lives

    async def final_edits(self, group: int, lives: list[_Live]) -> None:
        """The last edit of messages :meth:`stop` returned. A chat found gone or moved here is not
        reported: the results go to the same rooms and find out themselves."""
        for live in lives:
            await self._edit(live, group, tell_lost=False)

    def drop_chat(self, chat: ChatRef) -> list[int]:
        """Stop updating every live message in ``chat`` (it left, is gone or moved); their groups."""
        groups = []
        for group, lives in list(self._groups.items()):
            for live in [live for live in lives if live.message.chat == chat]:
                if live.task is not None and live.task is not asyncio.current_task():
                    live.task.cancel()
                self._drop(group, live)
                groups.append(group)
        return list(dict.fromkeys(groups))

    def edits(self, group: int) -> int:
        return sum(live.edits for live in self._groups.get(group, []))

    async def aclose(self) -> None:
        """Stop editing; the leases held are released, so a restarted or other process takes
        them over at once rather than after they run out."""
        held = self._held()
        for poller in self._pollers.values():
            poller.cancel()
        self._pollers.clear()
        for lives in self._groups.values():
            for live in lives:
                if live.task is not None:
                    live.task.cancel()
        self._groups.clear()
        if self._background:  # rows of finished messages being ended
            _, late = await asyncio.wait(set(self._background), timeout=RELEASE_WITHIN)
            for task in late:
                task.cancel()
        if held and self.leases is not None:
            try:
                # bounded: a stopping bot must not wait for a stalled database
                await asyncio.wait_for(self.leases.release(self._shown(held), self.now()), RELEASE_WITHIN)
            except Exception as error:  # they run out by themselves
                log.warning("live message leases could not be released (%s)", type(error).__name__)
