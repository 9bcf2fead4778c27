"""What another process posted to a workshop's rooms, put on the screen this process serves.

A screen's messages live in the memory of the process serving its page (:mod:`bot.web.port`).
The process that closes a round or steps it on posts the results, or the next statement, in
every room of the workshop, the screen included, but only into its own memory: with two
processes behind a load balancer a screen connected to the other one, or one opened after a
restart, showed "closed" and no result, or the statement left behind. So the process serving
the screen, seeing in the database's round state a close or step it did not make itself
(:meth:`~facilitation.service.WorkshopService.closed_here`, ``stepped_here``), posts it there
itself, once: the results from the round's frozen answers (the very figures and charts the
closing process posted: a closed round's published figures never change), the statement as
the stepping process posted it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence

from bot.web.port import WebPort, screen_chat
from bot.web.rounds import RoundState
from facilitation.conversation import Conversation
from facilitation.exercises import Image, Output
from facilitation.model import Round, RoundStatus, Workshop
from facilitation.rendering import png_of
from facilitation.rooms import RoomLink
from facilitation.service import CLOSED

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0  # after results that could not be drawn or read (chart workers, database)
MAX_KEPT = 5000


class ScreenCatchUp:
    """Posts, once per process, a close or step made elsewhere on the workshop's screen."""

    def __init__(
        self, conversation: Conversation, port: WebPort, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.conversation = conversation
        self.port = port
        self.clock = clock
        #: (workshop id, round id, CLOSED or the step's position) -> when posting began (None: posted).
        self._posted: dict[tuple[int, int, int], float | None] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def look(self, workshop: Workshop, state: RoundState) -> None:
        """Called with the screen's round state as the database has it: start posting a close or
        step this process neither made nor has posted (in the background: the screen shows the
        state's tally at once, and the results when their charts are drawn)."""
        service = self.conversation.service
        if state.round_id is None:
            return
        if not state.open:
            if not service.closed_here(state.round_id):
                self._start(workshop, state.round_id, CLOSED)
        elif state.position is not None and not service.stepped_here(state.round_id, state.position):
            self._start(workshop, state.round_id, state.position)

    def _start(self, workshop: Workshop, round_id: int, what: int) -> None:
        key = (workshop.id, round_id, what)
        if key in self._posted:
            started = self._posted[key]
            if started is None or self.clock() - started < RETRY_SECONDS:
                return
        if len(self._posted) >= MAX_KEPT:
            self._posted.clear()
        self._posted[key] = self.clock()
        task = asyncio.get_running_loop().create_task(self._post(workshop, round_id, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, workshop: Workshop, round_id: int, what: int) -> None:
        key = (workshop.id, round_id, what)
        try:
            round_ = await self.conversation.service.store.round(round_id)  # not a cached copy
            posts = await self._posts(round_, what, workshop) if round_ is not None else []
        except Exception as error:  # charts or the database out for now: a later look tries again
            log.warning(
                "workshop %s: round %s, closed or stepped by another process, is not on this "
                "process's screen yet (%s); tried again within %.0f s",
                workshop.id,
                round_id,
                type(error).__name__,
                RETRY_SECONDS,
            )
            return
        room = RoomLink(self.port, screen_chat(workshop.id), self.conversation.rooms.moved_in_delivery)
        await room.post(posts)  # charts drawn already: posted at once, in order
        self._posted[key] = None

    async def _posts(self, round_: Round, what: int, workshop: Workshop) -> Sequence[Output]:
        """What the closing or stepping process posted in the room (nothing if the round has moved
        on since): every chart drawn before the first line is shown, so a failure posts nothing and
        the next look posts it all, never a second copy of the text."""
        exercise = self.conversation.exercises.get(round_.kind)
        lang = workshop.language
        if exercise is None:
            return []
        if what == CLOSED:
            if round_.status != RoundStatus.CLOSED:
                return []
            outputs = await exercise.results(self.conversation, round_, lang)
            drawn = [
                dataclasses.replace(output, png=await png_of(output.png))
                if isinstance(output, Image)
                else output
                for output in outputs
            ]
            return self.conversation.closed_posts(round_, lang, drawn)
        if round_.status != RoundStatus.OPEN or round_.current_position != what:
            return []
        return self.conversation.step_posts(round_, lang)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
