"""Live tallies: an open round's message in a room, edited as answers come in.

Split out of :class:`~facilitation.conversation.Conversation` (which owns one and delegates to
it): posting a round with its tally, rendering the tally and taking over a tally another process
was editing belong together and need only the exercises, the service and the live updater.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping

from facilitation.exercises import Exercise, ExerciseContext
from facilitation.i18n import t
from facilitation.live import LiveUpdater, LiveView
from facilitation.model import Language, Round, RoundKind, RoundStatus
from facilitation.ports import ChatPort, MessageRef
from facilitation.rooms import RoomLink
from facilitation.service import WorkshopService


class Tallies:
    """Posts open rounds with their live tally and renders the tallies for the live updater."""

    def __init__(
        self,
        ctx: ExerciseContext,
        service: WorkshopService,
        exercises: Mapping[RoundKind, Exercise],
        live: LiveUpdater,
        ports: Mapping[str, ChatPort],
        language: Language,
    ) -> None:
        """``exercises``, ``ports``: the conversation's own (shared, they grow as it is wired);
        ``language``: the installation's default, for a tally taken over in an unknown language."""
        self.ctx = ctx
        self.service = service
        self.exercises = exercises
        self.live = live
        self.ports = ports
        self.language = language

    async def post_round(
        self, link: RoomLink, round_: Round, lang: Language, *, buttons: bool = True
    ) -> None:
        """An open round in one room: the intro with its live tally, then the answer buttons."""
        exercise = self.exercises[round_.kind]
        intro = self.round_intro(round_, lang)
        tally_text = await self.tally_text(round_, lang)
        message = await link.send_text(f"{intro}\n\n{tally_text}")
        self.live.register(
            round_.id,
            link.port,
            message,
            self._renderer(round_.id, intro, lang),
            initial_text=f"{intro}\n\n{tally_text}",
            language=lang.value,
        )
        if buttons:
            for post in exercise.posts(self.ctx, round_, lang):
                await link.send_text(post.text, post.buttons)

    def round_intro(self, round_: Round, lang: Language) -> str:
        return t(
            "round.opened",
            lang,
            kind=t(f"kind.{round_.kind.value}", lang),
            number=round_.id,
            title=round_.title,
            instructions=self.exercises[round_.kind].instructions(round_, lang),
        )

    async def resume(
        self, round_id: Hashable, message: MessageRef, language: str
    ) -> tuple[ChatPort, Callable[[], Awaitable[LiveView]]] | None:
        """A tally this process takes over (its editor stopped): its port and renderer; None if
        its round is gone. A closed round's tally gets its last edit."""
        port = self.ports.get(message.chat.platform)
        round_ = await self.service.store.round(round_id) if isinstance(round_id, int) else None
        if port is None or round_ is None or round_.kind not in self.exercises:
            return None
        lang = Language(language) if language in {x.value for x in Language} else self.language
        return port, self._renderer(round_.id, self.round_intro(round_, lang), lang)

    def _renderer(self, round_id: int, intro: str, lang: Language) -> Callable[[], Awaitable[LiveView]]:
        async def render() -> LiveView:
            round_ = await self.service.require_round(round_id)  # the database: votes of every process
            return LiveView(
                f"{intro}\n\n{await self.tally_text(round_, lang)}", final=round_.status == RoundStatus.CLOSED
            )

        return render

    async def tally_text(self, round_: Round, lang: Language) -> str:
        n = await self.service.turnout_of(round_)
        if round_.status == RoundStatus.CLOSED:
            return t("tally.closed", lang, title=round_.title, n=n)
        if round_.current_position is not None:
            text = t(
                "tally.open_item",
                lang,
                title=round_.title,
                n=n,
                number=round_.items[round_.current_position].number,
                position=round_.current_position + 1,
                total=len(round_.items),
            )
        else:
            text = t("tally.open", lang, title=round_.title, n=n)
        return await self.with_note(round_, text, lang)

    async def with_note(self, round_: Round, text: str, lang: Language) -> str:
        """``text`` followed by the exercise's line about the open round, if it has one."""
        note = await self.exercises[round_.kind].tally_note(self.ctx, round_, lang)
        return f"{text}\n{note}" if note else text
