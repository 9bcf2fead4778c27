"""A closed round's results on a screen served by a process that did not close the round.

A screen's messages live in the memory of the process serving its page (:mod:`bot.web.port`).
The process that closes a round posts the results in every room of the workshop, the screen
included, but only into its own memory: with two processes behind a load balancer a screen
connected to the other one, or one opened after a restart, showed "closed" and no result. So
the process serving the screen posts them there itself, once per round, from the round's frozen
answers: the very figures and charts the closing process posted (a closed round's published
figures never change).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable

from bot.web.port import WebPort, screen_chat
from facilitation.conversation import Conversation
from facilitation.exercises import Image, Post
from facilitation.i18n import t
from facilitation.model import RoundStatus, Workshop
from facilitation.rendering import png_of

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0  # after results that could not be drawn or read (chart workers, database)
MAX_SCREENS = 5000


class ScreenResults:
    """Posts, once per process and round, the results of a round closed elsewhere on its screen."""

    def __init__(
        self, conversation: Conversation, port: WebPort, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.conversation = conversation
        self.port = port
        self.clock = clock
        #: (workshop id, round id) -> when posting began (None: posted), for each screen looked at.
        self._posted: dict[tuple[int, int], float | None] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def look(self, workshop: Workshop, round_id: int | None, is_open: bool) -> None:
        """Called with the screen's round state as the database has it: start posting the results
        of a closed round this process neither closed nor has posted yet (in the background: the
        screen shows "closed" at once and the results when their charts are drawn)."""
        if round_id is None or is_open or self.conversation.service.closed_here(round_id):
            return
        key = (workshop.id, round_id)
        if key in self._posted:
            started = self._posted[key]
            if started is None or self.clock() - started < RETRY_SECONDS:
                return
        if len(self._posted) >= MAX_SCREENS:
            self._posted.clear()
        self._posted[key] = self.clock()
        task = asyncio.get_running_loop().create_task(self._post(workshop, round_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, workshop: Workshop, round_id: int) -> None:
        room = screen_chat(workshop.id)
        try:
            round_ = await self.conversation.service.require_round(round_id)
            if round_.status != RoundStatus.CLOSED or round_.kind not in self.conversation.exercises:
                self._posted[(workshop.id, round_id)] = None  # nothing to post, ever
                return
            lang = workshop.language
            outputs = await self.conversation.exercises[round_.kind].results(self.conversation, round_, lang)
            # Every chart drawn before the first line is shown: a failure posts nothing, and the
            # next look posts it all, never a second copy of the text.
            drawn = [
                dataclasses.replace(output, png=await png_of(output.png))
                if isinstance(output, Image)
                else output
                for output in outputs
            ]
        except Exception as error:  # charts or the database out for now: a later look tries again
            log.warning(
                "workshop %s: the results of round %s, closed by another process, are not on this "
                "process's screen yet (%s); tried again within %.0f s",
                workshop.id,
                round_id,
                type(error).__name__,
                RETRY_SECONDS,
            )
            return
        await self.port.send_text(room, t("round.closing", lang, title=round_.title))
        for output in drawn:
            if isinstance(output, Image):
                await self.port.send_image(room, output.png, output.caption, output.filename, output.alt)
            elif isinstance(output, Post):
                await self.port.send_text(room, output.text, output.buttons)
        self._posted[(workshop.id, round_id)] = None

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
