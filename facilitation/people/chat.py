"""The chat side of issue 20's people: ``/vem``, ``/processledare``, ``/medledare``, ``slut=``.

``install(conversation, deadlines, co_leaders)`` registers

* ``/vem`` (``/whoami``), anyone: their platform id and their role in this chat. The id is
  personal data, so in a group or channel the answer goes to the asker alone: on Slack as an
  ephemeral answer, on Telegram in their private chat with the bot (or, if they never started
  one, a line in the group saying how, without the id);
* ``/processledare`` (``/cofacilitators``), for those who lead the chat's workshop: lists its
  co-facilitators; ``/processledare bjud [process]`` (``invite``) makes a signed, expiring,
  single-use invitation to co-lead the workshop (or its whole process: configured facilitators
  and the process's co-facilitators only), sent to the inviter alone; ``/processledare bort NR``
  (``remove``) removes one (configured facilitators and the admins of the room the workshop was
  created in);
* ``/medledare KOD`` (``/colead CODE``), or the Telegram deep link ``/start l-KOD``: the person
  who opens it co-leads from then on, and a private chat it is opened in is bound to the workshop;
* the launch option ``slut=15:30`` / ``slut=2d`` (``end=``) of every exercise's start command: the
  round closes itself then (:mod:`facilitation.people.deadlines`), and shortly before, those who
  joined the workshop but have not answered get one private reminder
  (:mod:`facilitation.people.reminders`); joining keeps the person's private address sealed
  (:mod:`facilitation.people.reach`); ``/stoppa`` (``/stop``, shared with the meeting reminders)
  stops these reminders, ``/paminnelser`` (``/reminders``) resumes them, ``/glom`` deletes the address.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.input_rules import id_number
from facilitation.leadership import co_lead_scopes
from facilitation.menu import Menu
from facilitation.model import Round, Workshop
from facilitation.people import texts as _texts  # noqa: F401  (registers the texts)
from facilitation.people.coleaders import (
    INVITE_PREFIX,
    Accepted,
    CoLeaderStore,
    CoLeadInvitation,
    InvitationRefused,
    Scope,
    scope_key,
)
from facilitation.people.deadlines import STOCKHOLM, DeadlineStore, local_text, parse_deadline, split_deadline
from facilitation.people.reminders import Reach, remind_at
from facilitation.ports import ChatGone, ChatRef, CommandEvent, PortError
from facilitation.turn import Turn, with_command_prefix

log = logging.getLogger(__name__)

INVITE_WORDS = ("bjud", "inbjudan", "invite")
REMOVE_WORDS = ("bort", "ta_bort", "remove")


class PeopleChat:
    """The commands of this module, bound to one conversation."""

    def __init__(
        self,
        conversation: Conversation,
        deadlines: DeadlineStore,
        co_leaders: CoLeaderStore,
        reach: Reach | None = None,
    ) -> None:
        self.conversation = conversation
        self.deadlines = deadlines
        self.co_leaders = co_leaders
        self.reach = reach

    def register(self) -> None:
        conv = self.conversation
        conv.leadership.co_leaders = self.co_leaders
        conv.register_command(
            ("vem", "whoami"),
            lambda c, turn, args: self.cmd_whoami(turn, args),
            facilitator_only=False,
            menu=Menu("vem", "whoami"),
        )
        conv.register_command(
            ("processledare", "cofacilitators"),
            lambda c, turn, args: self.cmd_co_leaders(turn, args),
            facilitator_only=True,
            room_admins=True,
            menu=Menu("processledare", "cofacilitators"),
        )
        conv.register_command(
            ("medledare", "colead"),
            lambda c, turn, args: self.cmd_accept(turn, args),
            facilitator_only=False,
            menu=Menu("medledare", "colead"),
        )
        conv.register_start_handler(INVITE_PREFIX, lambda c, turn, args: self.cmd_accept(turn, args))
        conv.launch_options.append(self.deadline_option)
        if self.reach is not None:
            conv.join_listeners.append(self.on_join)
            conv.reminder_switches.append(self.switch_reminders)
            conv.service.forgetters.append(self.reach.forget)

    # --- reminders to the undecided ----------------------------------------------------------
    async def on_join(self, turn: Turn, workshop: Workshop) -> None:
        """Keep the joiner's private address sealed, so a deadline round can remind them; a
        database that does not answer costs the reminder, never the join."""
        assert self.reach is not None
        try:
            await self.reach.keep(turn.user.platform, turn.user.user_id, workshop.id)
        except Exception as error:
            if not self.conversation.is_outage(error):
                raise
            log.warning("reminders: an address could not be kept (%s)", type(error).__name__)

    async def switch_reminders(self, turn: Turn, on: bool) -> str | None:
        """``/stoppa`` (on False) or ``/paminnelser`` (True) for the reminders before rounds close."""
        assert self.reach is not None
        if on:
            changed = await self.reach.resume(turn.user.platform, turn.user.user_id)
            return t("reminder.resumed", turn.lang) if changed else None
        changed = await self.reach.stop(turn.user.platform, turn.user.user_id)
        return t("reminder.stopped", turn.lang) if changed else None

    # --- /vem --------------------------------------------------------------------------------
    async def cmd_whoami(self, turn: Turn, args: tuple[str, ...]) -> None:
        role = await self.role(turn)
        text = t(
            "people.whoami",
            turn.lang,
            platform=turn.user.platform.capitalize(),
            user_id=turn.user.user_id,
            role=role,
        )
        await self.answer_alone(turn, text)

    async def role(self, turn: Turn) -> str:
        conv, lang = self.conversation, turn.lang
        if conv.is_facilitator(turn.user):
            return t("people.role.facilitator", lang)
        workshop_id = await conv.service.store.bound_workshop(
            conv.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
        )
        workshop = await conv.service.store.workshop(workshop_id) if workshop_id is not None else None
        if await conv.leadership.leads_by_own_right(turn):
            return t("people.role.room_admin", lang)
        if workshop is None:
            return t("people.role.no_workshop", lang)
        if await conv.leadership.co_leads(turn.user, turn.chat):
            return t("people.role.co_leader", lang, title=workshop.title)
        if await conv.service.has_joined(workshop.id, conv.participant_key(turn, workshop.id)):
            return t("people.role.participant", lang, title=workshop.title)
        return t("people.role.not_joined", lang, title=workshop.title)

    async def answer_alone(
        self, turn: Turn, text: str, *, cannot: str | None = None, sent: str | None = None
    ) -> None:
        """Answer the asker alone: here in a private chat, else ephemeral (Slack) or in their private
        chat with the bot (Telegram); a group only learns that (or how) the answer was sent.

        Telegram lets a bot write to a person only after they pressed Start in a private chat with
        it (else 403 "bot can't initiate conversation with a user"; "bot was blocked" after a
        block): the group then gets ``cannot``, which asks them to do that; ``sent``: what the
        group is told when it went (default: that the answer went privately)."""
        text = with_command_prefix(text, turn.port)
        if turn.chat.is_private:
            await turn.reply(text)
            return
        if isinstance(turn.event, CommandEvent) and await turn.port.refuse(turn.event, text):
            return
        private = ChatRef(turn.user.platform, turn.user.user_id, is_private=True)
        try:
            await turn.port.send_text(private, text)
        except ChatGone:  # no private chat (never started, blocked): never the group room's fault
            await turn.reply(cannot or t("people.private.cannot", turn.lang))
            return
        except PortError as error:  # a moment's failure: the private chat is there
            log.warning("a private answer to a group command failed (%s)", type(error).__name__)
            await turn.reply(t("people.private.failed", turn.lang))
            return
        await turn.reply(sent or t("people.private.sent", turn.lang))

    # --- co-facilitators ---------------------------------------------------------------------
    async def cmd_co_leaders(self, turn: Turn, args: tuple[str, ...]) -> None:
        conv = self.conversation
        workshop = await conv.bound_workshop(turn)
        word = args[0].lower() if args else ""
        if word in INVITE_WORDS:
            await self._invite(turn, workshop.id, workshop.process_key, workshop.title, args[1:])
            return
        if word in REMOVE_WORDS:
            await self._remove(turn, workshop.id, workshop.process_key, args[1:])
            return
        if args:
            raise DomainError("error.bad_args", usage=t("people.usage", turn.lang))
        rows = await self.co_leaders.co_leaders(co_lead_scopes(workshop))
        lines = "\n".join(
            t(
                "people.list_line",
                turn.lang,
                number=row.id,
                name=row.name,
                platform=row.platform.capitalize(),
                scope=t("people.scope.workshop", turn.lang)
                if row.scope.startswith("w:")
                else t("people.scope.process", turn.lang, process=workshop.process_key),
            )
            for row in rows
        )
        await turn.reply(
            t("people.list", turn.lang, title=workshop.title, lines=lines)
            if rows
            else t("people.none", turn.lang, title=workshop.title)
        )

    async def _invite(
        self, turn: Turn, workshop_id: int, process_key: str, title: str, rest: tuple[str, ...]
    ) -> None:
        conv = self.conversation
        if len(rest) > 1 or (rest and rest[0].lower() not in ("process", "processen")):
            raise DomainError("error.bad_args", usage=t("people.usage", turn.lang))
        scope = Scope.PROCESS if rest else Scope.WORKSHOP
        if scope == Scope.PROCESS and not (
            conv.is_facilitator(turn.user)
            or await self.co_leaders.leads(
                conv.pseudonymizer.user_key(turn.user.platform, turn.user.user_id), [f"p:{process_key}"]
            )
        ):
            raise DomainError("people.error.process_invite", process=process_key)
        invitation = CoLeadInvitation.new(scope, workshop_id, conv.service.clock())
        code = invitation.code(conv.pseudonymizer, process_key)
        link = turn.port.join_link(INVITE_PREFIX + code)
        what = (
            t("people.scope.workshop_named", turn.lang, title=title)
            if scope == Scope.WORKSHOP
            else t("people.scope.process", turn.lang, process=process_key)
        )
        text = t(
            "people.invitation",
            turn.lang,
            what=what,
            code=code,
            until=invitation.expires.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        )
        await self.answer_alone(
            turn,
            f"{text}\n{link}" if link else text,
            cannot=t("people.private.cannot_invite", turn.lang),
            sent=t("people.private.sent_invite", turn.lang),
        )

    async def _remove(self, turn: Turn, workshop_id: int, process_key: str, rest: tuple[str, ...]) -> None:
        conv = self.conversation
        number = id_number(rest[0]) if len(rest) == 1 else None
        if number is None:
            raise DomainError("error.bad_args", usage=t("people.usage", turn.lang))
        if not await conv.leadership.leads_by_own_right(turn):
            raise DomainError("people.error.remove_not_yours")
        listed = await self.co_leaders.co_leaders([f"w:{workshop_id}", f"p:{process_key}"])
        if number not in {row.id for row in listed}:
            raise DomainError("people.error.no_such", number=number)
        removed = await self.co_leaders.remove(number)
        if removed is None:
            raise DomainError("people.error.no_such", number=number)
        for listener in list(conv.leadership.removed_listeners):
            await listener(removed.user_key)
        await turn.reply(t("people.removed", turn.lang, name=removed.name, number=number))

    async def cmd_accept(self, turn: Turn, args: tuple[str, ...]) -> None:
        conv = self.conversation
        if len(args) != 1:
            raise DomainError("error.bad_args", usage=t("people.accept_usage", turn.lang))
        now = conv.service.clock()
        try:
            invitation, signature = CoLeadInvitation.read(args[0])
            workshop = await conv.service.store.workshop(invitation.workshop_id)
            if workshop is None:
                raise InvitationRefused("invalid")
            invitation.verify(signature, conv.pseudonymizer, workshop.process_key, now)
            scope = scope_key(invitation.scope, workshop.id, workshop.process_key)
            name = (turn.user.display_name or "").strip()[:80] or t("people.no_name", turn.lang)
            user_key = conv.pseudonymizer.user_key(turn.user.platform, turn.user.user_id)
            accepted = await self.co_leaders.accept(signature, scope, turn.user.platform, user_key, name, now)
        except InvitationRefused as refused:
            raise DomainError(f"people.error.invitation_{refused.reason}") from None
        if accepted == Accepted.USED:
            raise DomainError("people.error.invitation_used")
        if turn.chat.is_private:  # their private chat leads the workshop from now on
            await conv.rooms.bind(turn, workshop)
        what = (
            t("people.scope.workshop_named", turn.lang, title=workshop.title)
            if invitation.scope == Scope.WORKSHOP
            else t("people.scope.process", turn.lang, process=workshop.process_key)
        )
        key = "people.accepted" if accepted == Accepted.ADDED else "people.already"
        answer = t(key, turn.lang, what=what)
        # Accepted in a group: the answer names no code, so the group may read it if it cannot go privately.
        await self.answer_alone(
            turn,
            answer,
            cannot=f"{answer} {t('people.private.start', turn.lang)}",
            sent=t("people.private.sent_plain", turn.lang),
        )

    # --- deadlines ---------------------------------------------------------------------------
    async def deadline_option(
        self, turn: Turn, args: tuple[str, ...]
    ) -> tuple[tuple[str, ...], Callable[[Round], Awaitable[None]] | None]:
        """``slut=…`` taken out of a launch command's arguments and checked before the round exists;
        once the round is launched its deadline is stored and the rooms are told when it closes."""
        rest, value = split_deadline(args)
        if value is None:
            return args, None
        closes_at = parse_deadline(value, self.conversation.service.clock())

        async def then(round_: Round) -> None:
            opened = round_.opened_at or self.conversation.service.clock()
            reminder = remind_at(opened, closes_at) if self.reach is not None else None
            await self.deadlines.set_deadline(round_.id, closes_at, reminder)
            workshop = await self.conversation.service.require_workshop(round_.workshop_id)
            now = self.conversation.service.clock()
            for chat in await self.conversation.rooms.of(workshop.id, also=turn.chat):
                port = self.conversation.ports.get(chat.platform)
                lang = turn.lang if chat.is_private else workshop.language
                if port is None:
                    continue
                try:
                    await port.send_text(
                        chat, t("deadline.set", lang, number=round_.id, when=local_text(closes_at, now))
                    )
                except PortError:
                    pass  # the round's own post told the rooms what failed

        return rest, then


def install(
    conversation: Conversation,
    deadlines: DeadlineStore,
    co_leaders: CoLeaderStore,
    reach: Reach | None = None,
) -> PeopleChat:
    """Register the commands on ``conversation`` (once); without ``reach`` nobody is reminded."""
    chat = PeopleChat(conversation, deadlines, co_leaders, reach)
    chat.register()
    return chat
