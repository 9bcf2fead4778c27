"""The rooms of a workshop: binding chats, fan-out to every room, and rooms that move or go.

Split out of :class:`~facilitation.conversation.Conversation` (which owns one and delegates to
it): which group chats and channels run a workshop, posting to all of them one at a time per
room, and following a room the platform moved or the bot was removed from are one concern with
their own state (the per-room posting order, who launched a round to tell of a room that failed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping

from facilitation.i18n import t
from facilitation.keyed_locks import KeyedLocks
from facilitation.live import LiveUpdater
from facilitation.model import Language, RoundStatus, Workshop
from facilitation.ports import ChatGone, ChatMoved, ChatPort, ChatRef, GoneReason, MessageRef, PortError
from facilitation.pseudonym import Pseudonymizer
from facilitation.rooms import Delivery, RoomLink, RoomOutcome, deliver_to_rooms, moved_chat, room_name
from facilitation.service import WorkshopService
from facilitation.tallies import Tallies
from facilitation.turn import Turn, refuse

log = logging.getLogger("facilitation.conversation")  # its log lines, as before the split

MAX_REPORTERS = 1000  # rounds whose facilitator is remembered, to tell them a live tally's room failed


class WorkshopRooms:
    """The rooms of every workshop, as the conversation binds, posts to and loses them."""

    def __init__(
        self,
        service: WorkshopService,
        pseudonymizer: Pseudonymizer,
        ports: Mapping[str, ChatPort],
        live: LiveUpdater,
        tallies: Tallies,
    ) -> None:
        """``ports``: the conversation's own (shared, it grows as adapters are added)."""
        self.service = service
        self.pseudonymizer = pseudonymizer
        self.ports = ports
        self.live = live
        self.tallies = tallies
        self.reporters: dict[int, Turn] = {}  # round id -> the launch, to tell its facilitator
        self._room_posts: KeyedLocks[tuple[str, str]] = KeyedLocks()

    async def leave_unreachable(self, turn: Turn) -> Workshop | None:
        """Unbind the group or channel of ``turn`` (the bot cannot post there); its workshop, if any."""
        if turn.chat.is_private:
            return None
        try:
            chat_key = self.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
            workshop_id = await self.service.store.bound_workshop(chat_key)
            if workshop_id is None:
                return None
            await self.drop(workshop_id, turn.chat)
            return await self.service.require_workshop(workshop_id)
        except Exception:
            log.exception("could not unbind a room the bot cannot post in")
            return None

    async def bind(self, turn: Turn, workshop: Workshop, *, origin: bool = False) -> None:
        """Bind the chat of ``turn`` to ``workshop``; ``origin``: the workshop is created here."""
        chat_key = self.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
        earlier = await self.service.store.bound_workshop(chat_key)
        await self.service.store.bind_chat(chat_key, workshop.id, origin=origin)
        self.service.binding_changed(chat_key, workshop.id)
        if not turn.chat.is_private:
            if earlier is not None and earlier != workshop.id:  # a room runs one workshop at a time
                await self.service.store.remove_room(earlier, turn.chat)
            await self.service.store.add_room(workshop.id, turn.chat)

    async def of(self, workshop_id: int, also: ChatRef | None = None) -> list[ChatRef]:
        """Every group chat or channel running the workshop (any platform), plus ``also``.

        ``also`` (the chat a command came from) is addressed as it came: in its forum topic.
        """
        rooms = {(c.platform, c.chat_id): c for c in await self.service.store.rooms(workshop_id)}
        if also is not None:
            known = rooms.get((also.platform, also.chat_id))
            rooms[(also.platform, also.chat_id)] = (
                also
                if known is None
                else dataclasses.replace(known, thread_id=also.thread_id, title=also.title or known.title)
            )
        return list(rooms.values())

    def language(self, chat: ChatRef, turn: Turn, workshop: Workshop) -> Language:
        """A room speaks the workshop's language; a private chat the user's own."""
        return turn.lang if chat.is_private else workshop.language

    async def deliver(
        self,
        turn: Turn | None,
        workshop: Workshop,
        delivery: Delivery,
        deliver: Callable[[RoomLink, Language], Awaitable[None]],
    ) -> list[RoomOutcome]:
        """Deliver to every room of ``workshop`` (and the command's own chat), each on its own.

        One room's failure never stops another's. A room gone for good is unbound; the
        facilitator is told in one message each room that did not get ``delivery`` and what to do.
        ``turn`` None: no command asked for it (a round closing at its deadline): the rooms only,
        each in the workshop's language, and a failure is logged.
        """
        targets = [
            (port, chat)
            for chat in await self.of(workshop.id, also=turn.chat if turn is not None else None)
            if (port := self.ports.get(chat.platform)) is not None
        ]

        async def in_turn(link: RoomLink) -> None:
            async with self.held(link.chat):
                lang = self.language(link.chat, turn, workshop) if turn is not None else workshop.language
                await deliver(link, lang)

        async with turn.posting() if turn is not None else contextlib.nullcontext():
            outcomes = await deliver_to_rooms(targets, in_turn, self.moved_in_delivery)
        failed = [outcome for outcome in outcomes if outcome.error is not None]
        for outcome in failed:
            if outcome.gone:
                await self.drop(workshop.id, outcome.room)
        if failed and turn is None:
            log.warning("workshop %s: %d room(s) did not get the %s", workshop.id, len(failed), delivery.kind)
        if failed and turn is not None:
            await refuse(
                turn,
                "\n\n".join(
                    delivery.failure_report(outcome, turn.lang, workshop.join_code) for outcome in failed
                ),
            )
        return outcomes

    @contextlib.asynccontextmanager
    async def held(self, chat: ChatRef) -> AsyncIterator[None]:
        """One bulk output at a time in ``chat``, in the order they were started.

        A facilitator's next command may run while their results are posted (:meth:`Turn.posting`):
        a round it launches there must not interleave its messages with those results.
        """
        async with self._room_posts.held((chat.platform, chat.chat_id)):
            yield

    async def drop(self, workshop_id: int, room: ChatRef) -> bool:
        """``room`` is no longer one of the workshop's: no more posts there, its live tallies stop."""
        removed = await self.service.store.remove_room(workshop_id, room)
        self.service.room_left(workshop_id)
        chat_key = self.pseudonymizer.chat_key(room.platform, room.chat_id)
        if await self.service.store.bound_workshop(chat_key) == workshop_id:
            await self.service.store.unbind_chat(chat_key)
            self.service.binding_changed(chat_key, None)
        self.live.drop_chat(room)
        return removed

    async def moved(
        self, old: ChatRef, new: ChatRef, *, repost: Iterable[int] = (), buttons: bool = True
    ) -> None:
        """A chat got a new id (a Telegram group became a supergroup): its rooms and binding move.

        An open round's live tally there (its old message can no longer be edited) is posted
        again at the new id, with the answer buttons unless ``buttons`` is False (a fan-out that
        found the move posts its own). ``repost``: rounds whose tally was in the old chat too.
        """
        old_key = self.pseudonymizer.chat_key(old.platform, old.chat_id)
        new_key = self.pseudonymizer.chat_key(new.platform, new.chat_id)
        await self.service.store.move_chat(old, new, old_key, new_key)
        self.service.binding_changed(old_key, None)
        self.service.binding_unknown(new_key)
        port = self.ports.get(new.platform)
        for round_id in sorted({*self.live.drop_chat(old), *repost}):
            round_ = await self.service.require_round(round_id)
            if port is None or round_.status != RoundStatus.OPEN:
                continue
            workshop = await self.service.require_workshop(round_.workshop_id)
            await self.tallies.post_round(
                RoomLink(port, new, self.moved_in_delivery), round_, workshop.language, buttons=buttons
            )

    async def lost(self, chat: ChatRef, reason: GoneReason) -> None:
        """The platform says the bot was removed from ``chat``: it is no room from now on.

        Unbound at once rather than at the next post; whoever launched the workshop's open round
        is told (there is no one to tell without one: ``/lamna`` in private lists the rooms left).
        """
        workshop_id = await self.service.store.bound_workshop(
            self.pseudonymizer.chat_key(chat.platform, chat.chat_id)
        )
        if workshop_id is None:
            return
        await self.drop(workshop_id, chat)
        round_ = await self.service.open_round_of(workshop_id)
        reporter = self.reporters.get(round_.id) if round_ is not None else None
        if reporter is None or (reporter.chat.platform, reporter.chat.chat_id) == (
            chat.platform,
            chat.chat_id,
        ):
            return
        workshop = await self.service.require_workshop(workshop_id)
        await refuse(
            reporter,
            t(
                "room.removed",
                reporter.lang,
                room=room_name(chat, reporter.lang),
                title=workshop.title,
                code=workshop.join_code,
                reason=t(f"room.gone.{reason.value}", reporter.lang),
            ),
        )

    async def moved_in_delivery(self, old: ChatRef, new: ChatRef) -> None:
        await self.moved(old, new, buttons=False)

    def remember_reporter(self, round_id: int, turn: Turn) -> None:
        """Who launched the round, to tell them if a room of its live tally fails later."""
        if len(self.reporters) >= MAX_REPORTERS:
            self.reporters.pop(next(iter(self.reporters)))
        self.reporters[round_id] = turn

    async def on_live_lost(self, round_id: object, message: MessageRef, error: PortError) -> None:
        """A live tally's room moved (post the tally at the new id) or is gone (unbind it, tell whoever
        launched the round); the live updater has already stopped editing the old message."""
        if not isinstance(round_id, int):
            return
        try:
            if isinstance(error, ChatMoved):
                await self.moved(message.chat, moved_chat(message.chat, error.new_chat_id), repost=[round_id])
            elif isinstance(error, ChatGone):
                round_ = await self.service.require_round(round_id)
                await self.drop(round_.workshop_id, message.chat)
                reporter = self.reporters.get(round_id)
                if reporter is not None:
                    workshop = await self.service.require_workshop(round_.workshop_id)
                    await refuse(
                        reporter,
                        Delivery("tally", round_id).failure_report(
                            RoomOutcome(message.chat, error), reporter.lang, workshop.join_code
                        ),
                    )
        except Exception:
            log.exception("could not follow a live tally's room that moved or is gone")
