"""What the pages show of a workshop's round, read from the database rather than a process's memory.

With several bot processes on one database (a load balancer in front) a vote, a launch or a
close may land at any process, and a restarted process remembers nothing: so a screen's
turnout and a phone's "a new round is open" are derived from the database (the latest round,
its status, its turnout: counts, never who), and every event stream of a process asks this one
reader, which asks the database at most once per ``fresh`` seconds per workshop however many
screens and phones watch it. A stream that sees the state change tells its page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from facilitation.cache import ReadAhead
from facilitation.model import Round, RoundStatus
from facilitation.service import WorkshopService

#: Seconds between two looks at the database of one event stream (the screen follows within 1 s).
POLL_SECONDS = 0.3
MAX_WORKSHOPS = 5000
#: The oldest state a page after a vote shows without waiting (see :meth:`RoundStates.shown`).
PAGE_STALE_SECONDS = 5.0


@dataclass(frozen=True)
class RoundState:
    """The workshop's latest round as a page shows it (``round_id`` None: no round yet)."""

    round_id: int | None = None
    open: bool = False
    turnout: int = 0
    position: int | None = None

    @property
    def key(self) -> tuple[int | None, bool, int | None]:
        """What a phone's page changes with: another round, its round opened, stepped on or
        closed (not each vote: 200 phones reloading at every vote would be a storm)."""
        return self.round_id, self.open, self.position


class RoundStates:
    """The latest round state per workshop, shared by a process's streams for ``fresh`` seconds.

    A :class:`~facilitation.cache.ReadAhead`: concurrent readers share one read, a read made for
    one reader is what the others see next, and the read runs in a context of its own (not the
    first asker's deadline). An entry is fresh for ``fresh`` seconds and shown to pages, without
    waiting, until :data:`PAGE_STALE_SECONDS` old.
    """

    def __init__(
        self, service: WorkshopService, *, fresh: float = 0.25, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.service = service
        self.fresh = fresh
        self._states: ReadAhead[RoundState] = ReadAhead(
            fresh, MAX_WORKSHOPS, stale=PAGE_STALE_SECONDS - fresh, clock=clock
        )

    async def of(self, workshop_id: int) -> RoundState:
        """The state, younger than ``fresh`` seconds (what an event stream compares with)."""
        known = self._states.fresh(workshop_id)
        return known if known is not None else await self.now(workshop_id)

    async def now(self, workshop_id: int) -> RoundState:
        """The state read now (joining a read already under way): for a page this process shows
        a browser for the first time (just joined, a restart, another process)."""
        return await self._states.load(workshop_id, lambda: self._read(workshop_id))

    async def shown(self, workshop_id: int) -> RoundState:
        """The state for a page shown after a vote: up to :data:`PAGE_STALE_SECONDS` old, read
        again behind it once past ``fresh``, so that no page waits for the read.

        Every phone's page after a vote asks this. Waiting for the read as the event streams
        do, the pages of the first 100 ms of a burst of votes each waited ~90 ms for it (three
        reads behind the first batches of answers); a page a moment behind is told of a change
        by its event stream, which reads the state fresh."""
        return await self._states.get(workshop_id, lambda: self._read(workshop_id))

    async def aclose(self) -> None:
        """Stop the reads behind pages (the server is stopping)."""
        await self._states.aclose()

    async def _read(self, workshop_id: int) -> RoundState:
        latest = _latest(await self.service.store.rounds(workshop_id))
        if latest is None:
            return RoundState()
        is_open = latest.status == RoundStatus.OPEN
        turnout = await self.service.turnout(latest.id)
        return RoundState(latest.id, is_open, turnout, latest.current_position if is_open else None)


def _latest(rounds: list[Round]) -> Round | None:
    """The open round, else the last closed one (a draft is nothing a page shows yet)."""
    open_rounds = [r for r in rounds if r.status == RoundStatus.OPEN]
    shown = open_rounds or [r for r in rounds if r.status == RoundStatus.CLOSED]
    return max(shown, key=lambda r: r.id) if shown else None
