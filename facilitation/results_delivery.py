"""Results owed to rooms: a round closed while charts could not be drawn gets them later.

Split out of :class:`~facilitation.conversation.Conversation` (which owns one and delegates to
it) because waiting for the chart workers, retrying and reporting rooms that failed is its own
concern, with its own state (what is owed to whom, the task that posts it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from facilitation.exercises import Exercise, ExerciseContext, Output
from facilitation.i18n import t
from facilitation.model import Language, Round, RoundKind
from facilitation.ports import ChatPort, ChatRef
from facilitation.rooms import Delivery, RoomLink, RoomOutcome, deliver_to_rooms
from facilitation.service import WorkshopService
from facilitation.turn import Turn

log = logging.getLogger("facilitation.conversation")  # its log lines, as before the split

OWED_RESULT_TRIES = 5  # tries to post results owed since a close while charts could not be drawn
OWED_RETRY_SECONDS = 10.0  # between those tries


@dataclass(frozen=True)
class ResultTarget:
    """A chat that gets a closed round's results, in its language; ``posted``: how many of them
    (in order) it already has, from the close, before a chart could not be drawn."""

    port: ChatPort
    chat: ChatRef
    lang: Language
    posted: int = 0


class OwedResults:
    """The results of rounds closed while charts could not be drawn: posted once they can be."""

    def __init__(
        self,
        ctx: ExerciseContext,
        service: WorkshopService,
        exercises: Mapping[RoundKind, Exercise],
        reporters: dict[int, Turn],
        *,
        room_moved: Callable[[ChatRef, ChatRef], Awaitable[None]],
        drop_room: Callable[[int, ChatRef], Awaitable[bool]],
        refuse: Callable[[Turn, str], Awaitable[None]],
    ) -> None:
        """``reporters``: round id -> the turn that closed it (the conversation's, shared);
        ``room_moved``, ``drop_room``, ``refuse``: the conversation's, for rooms that moved or are gone."""
        self.ctx = ctx
        self.service = service
        self.exercises = exercises
        self.reporters = reporters
        self.room_moved = room_moved
        self.drop_room = drop_room
        self.refuse = refuse
        self.owed: dict[int, list[ResultTarget]] = {}
        self.task: asyncio.Task[None] | None = None

    async def _results_by_language(
        self, round_: Round, targets: Sequence[ResultTarget]
    ) -> dict[Language, list[Output]]:
        """The results of ``round_`` in each language of ``targets``: charts drawn once per language."""
        exercise = self.exercises[round_.kind]
        languages = dict.fromkeys(target.lang for target in targets)
        return {lang: await exercise.results(self.ctx, round_, lang) for lang in languages}

    def owe(self, round_id: int, targets: Sequence[ResultTarget]) -> None:
        """Post the results of ``round_id`` in ``targets`` once charts can be drawn again."""
        owed = self.owed.setdefault(round_id, [])
        owed.extend(target for target in targets if all(target.chat != other.chat for other in owed))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._post_owed_results())

    async def _post_owed_results(self) -> None:
        """Wait for charts, then post every owed result once; a round whose results still fail
        (charts or the database) is tried again a little later, :data:`OWED_RESULT_TRIES` times."""
        tries: dict[int, int] = {}
        while self.owed:
            await self.ctx.renderer.wait_until_available()  # the conversation's, replaceable
            for round_id in list(self.owed):
                tries[round_id] = tries.get(round_id, 0) + 1
                await self._post_owed(round_id, last_try=tries[round_id] >= OWED_RESULT_TRIES)
            if self.owed:
                await asyncio.sleep(OWED_RETRY_SECONDS)

    async def _post_owed(self, round_id: int, *, last_try: bool) -> None:
        """Post the owed results of ``round_id`` (on the last try without them: say so instead).

        Each room on its own, as in every fan-out: a room that moved meanwhile (a Telegram group
        upgraded while charts were down) gets them at its new id; one gone for good is unbound
        and whoever closed the round is told.
        """
        outputs: dict[Language, list[Output]] | None = None
        title = ""
        try:
            round_ = await self.service.require_round(round_id)
            title = round_.title
            outputs = await self._results_by_language(round_, self.owed[round_id])
        except Exception:
            log.warning("results of a closed round still cannot be posted", exc_info=True)
            if not last_try:
                return
        owed = self.owed.pop(round_id)  # taken before posting: never posted twice
        targets = {target.chat: target for target in owed}

        async def post(link: RoomLink) -> None:
            target = targets[link.chat]  # the room's address before any move
            lang = target.lang
            if outputs is None:
                await link.send_text(t("round.results_failed", lang, number=round_id))
                return
            await link.send_text(t("round.results_now", lang, title=title, number=round_id))
            await link.post(outputs[lang][target.posted :])  # the text it has is not posted again

        outcomes = await deliver_to_rooms(
            [(target.port, target.chat) for target in owed], post, self.room_moved
        )
        await self._report_owed(round_id, [outcome for outcome in outcomes if outcome.error is not None])

    async def _report_owed(self, round_id: int, failed: Sequence[RoomOutcome]) -> None:
        """Unbind the rooms gone for good and tell whoever closed the round which rooms failed."""
        closer = self.reporters.pop(round_id, None)
        if not failed:
            return
        try:
            round_ = await self.service.require_round(round_id)
            workshop = await self.service.require_workshop(round_.workshop_id)
            for outcome in failed:
                if outcome.gone and not outcome.room.is_private:
                    await self.drop_room(workshop.id, outcome.room)
            if closer is not None:
                await self.refuse(
                    closer,
                    "\n\n".join(
                        Delivery("results", round_id).failure_report(outcome, closer.lang, workshop.join_code)
                        for outcome in failed
                    ),
                )
        except Exception:
            log.exception("could not report rooms that did not get a closed round's results")

    def settle(self, round_id: int, chat: ChatRef) -> None:
        """``chat`` has been shown the results of ``round_id`` (``/resultat``): not again."""
        owed = self.owed.get(round_id)
        if owed is not None:
            owed[:] = [target for target in owed if target.chat != chat]
            if not owed:
                del self.owed[round_id]

    async def aclose(self) -> None:
        """Stop posting owed results (the bot stops)."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
