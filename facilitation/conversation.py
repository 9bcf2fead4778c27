"""The conversation: turns platform-neutral events into workshop actions and replies.

Telegram, Slack and the local mode all feed :meth:`Conversation.handle`; replies go back through
the event's platform port. Facilitator commands are checked here, refused input is answered in
the user's language via :class:`~facilitation.errors.DomainError`, and nothing is logged with a
user id or a vote.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from facilitation import texts as _texts  # noqa: F401  (registers the core texts)
from facilitation.buttons import ButtonCodec
from facilitation.deadline import answering_by
from facilitation.errors import DomainError
from facilitation.exercises import Exercise, ExerciseTurn, Output, Post, RoundAnnex
from facilitation.i18n import t
from facilitation.input_rules import id_number, whole_number
from facilitation.keyed_locks import KeyedLocks
from facilitation.leadership import Leadership
from facilitation.live import LiveUpdater
from facilitation.menu import PRIVATE, CommandSpec, Menu, help_text
from facilitation.model import (
    DEFAULT_SECTORS,
    Language,
    Process,
    Round,
    RoundKind,
    RoundStatus,
    SectorDef,
    Workshop,
)
from facilitation.ports import (
    Attachment,
    Button,
    ButtonEvent,
    ChatGone,
    ChatPort,
    ChatRef,
    CommandEvent,
    Event,
    GoneReason,
    Keyboard,
    PortError,
    TextEvent,
    UserRef,
    replying,
)
from facilitation.private_voters import PrivateVoters
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer, ChartsUnavailable, deferring
from facilitation.report import texts as _report_texts  # noqa: F401  (/rapport's menu and help texts)
from facilitation.results_delivery import OwedResults, ResultTarget
from facilitation.rooms import Delivery, RoomLink, room_name
from facilitation.service import KeyIn, WorkshopService
from facilitation.tallies import Tallies
from facilitation.turn import Turn, UserTurn, refuse, with_command_prefix
from facilitation.user_languages import UserLanguages
from facilitation.workshop_rooms import WorkshopRooms

log = logging.getLogger(__name__)

T = TypeVar("T")


Handler = Callable[["Conversation", Turn, tuple[str, ...]], Awaitable[None]]
LaunchOption = Callable[
    [Turn, tuple[str, ...]], Awaitable[tuple[tuple[str, ...], Callable[[Round], Awaitable[None]] | None]]
]
ActionHandler = Callable[["Conversation", Turn, tuple[int, ...]], Awaitable[str]]


@dataclass(frozen=True)
class _Command:
    """A row of the command table (:class:`~facilitation.menu.CommandSpec`) with its handler."""

    handler: Handler
    spec: CommandSpec

    @property
    def facilitator_only(self) -> bool:
        return self.spec.facilitator_only

    @property
    def room_admins(self) -> bool:
        """Whether a chat admin leads it in the room where the chat's workshop was created
        (``chat_admins_lead``); else only a configured facilitator does."""
        return self.spec.room_admins


class Conversation:
    """Dispatches events to command and button handlers; one instance serves all platforms."""

    def __init__(
        self,
        service: WorkshopService,
        pseudonymizer: Pseudonymizer,
        *,
        is_facilitator: Callable[[UserRef], bool],
        chat_admins_lead: bool = False,
        language: Language = Language.SV,
        renderer: ChartRenderer | None = None,
        live: LiveUpdater | None = None,
        exercises: Sequence[Exercise] = (),
        is_outage: Callable[[BaseException], bool] | None = None,
    ) -> None:
        """``is_outage``: whether an error means the database did not answer (the wiring knows the
        driver's errors)."""
        self.service = service
        self.is_outage = is_outage or _timed_out
        self._given_up: set[asyncio.Task[None]] = set()  # presses past their deadline, cleaning up
        self.pseudonymizer = pseudonymizer
        self.codec = ButtonCodec(pseudonymizer)
        self.is_facilitator = is_facilitator  # a configured facilitator: leads every workshop, anywhere
        #: Per platform: whether a user administers a group (set by adapters that can tell, for
        #: ``chat_admins_lead`` questions about a chat other than the one a command came from).
        self.admin_lookups: dict[str, Callable[[ChatRef, UserRef], Awaitable[bool]]] = {}
        self.language = language
        self.renderer = renderer or ChartRenderer()
        self.live = live or LiveUpdater()
        self.private_voters = PrivateVoters()  # step mode sends them the next statement
        self.ports: dict[str, ChatPort] = {}
        self.exercises: dict[RoundKind, Exercise] = {}
        self._actions: dict[str, Exercise] = {}
        self._start_commands: dict[str, Exercise] = {}
        self._extra_actions: dict[str, ActionHandler] = {}
        self._user_turns: KeyedLocks[str] = KeyedLocks()
        self._extra_commands: dict[str, _Command] = {}
        self._start_handlers: dict[str, Handler] = {}
        #: What features outside the exercises add to a closed round (a conclusion): see RoundAnnex.
        self.annexes: list[RoundAnnex] = []
        self.languages = UserLanguages(service.store, language)
        self.leadership = Leadership(
            service,
            pseudonymizer,
            is_facilitator=is_facilitator,
            chat_admins_lead=chat_admins_lead,
            admin_lookups=self.admin_lookups,
        )
        self.tallies = Tallies(self, service, self.exercises, self.live, self.ports, language)
        self.live.resume = self.tallies.resume
        self.rooms = WorkshopRooms(service, pseudonymizer, self.ports, self.live, self.tallies)
        self.live.on_lost = self.rooms.on_live_lost
        # Results of rounds closed while charts could not be drawn: posted once they can be.
        self.owed_results = OwedResults(
            self,
            service,
            self.exercises,
            self.rooms.reporters,
            room_moved=self.rooms.moved_in_delivery,
            drop_room=self.rooms.drop,
            refuse=refuse,
        )
        #: Feature modules' additions: a private text they take (True: taken), lines for /omgangar,
        #: files for /export (e.g. facilitation.content: proposals, the workshop's own items).
        self.text_takers: list[Callable[[Turn, str], Awaitable[bool]]] = []
        self.rounds_notes: list[Callable[[Workshop, Language], Awaitable[str]]] = []
        self.export_extras: list[Callable[[Round, Language], Awaitable[list[Attachment]]]] = []
        #: Told of every vote, launch and close with the platform (the wiring counts them as metrics).
        self.on_activity: Callable[[str, str], None] = lambda kind, platform: None
        #: Options of a launch command a feature module takes out of its arguments (``slut=15:30``):
        #: each returns the arguments left and what to do once the round is launched.
        self.launch_options: list[LaunchOption] = []
        #: Told when someone joins a workshop (``/delta`` or a sector button), anywhere.
        self.join_listeners: list[Callable[[Turn, Workshop], Awaitable[None]]] = []
        #: What ``/stoppa`` (False) and ``/paminnelser`` (True) switch besides meeting reminders
        #: (facilitation.people: reminders before a round closes); each returns a sentence or None.
        self.reminder_switches: list[Callable[[Turn, bool], Awaitable[str | None]]] = []
        for exercise in exercises:
            self.add_exercise(exercise)

    # --- wiring --------------------------------------------------------------------------
    def add_port(self, port: ChatPort) -> None:
        self.ports[port.platform] = port

    def add_exercise(self, exercise: Exercise) -> None:
        """Offer ``exercise``: its kinds of round, button actions, start commands and other commands
        (all declared by the exercise; a command name already taken raises ValueError)."""
        for kind in exercise.kinds:
            self.exercises[kind] = exercise
        for action in exercise.actions:
            self._actions[action] = exercise
        for name in exercise.start_commands:
            self._start_commands[name] = exercise
        for command in exercise.commands:
            self.register_command(
                command.names,
                command.handler,
                facilitator_only=command.facilitator_only,
                room_admins=command.room_admins,
                menu=command.menu,
            )

    def records_presses(self, data: str) -> bool:
        """Whether a press of button ``data`` is stored with its press id (:meth:`press_key`), in
        the transaction of its effect, so a platform that delivers it again need not remember the
        delivery itself: true of every exercise's vote (a press delivered again counts once and
        never undoes a later one), not of the other buttons (sector, forget, RSVP)."""
        return self.codec.action_of(data) in self._actions

    def register_action(self, action: str, handler: ActionHandler) -> None:
        """Handle button presses of ``action`` (a feature outside the exercises, e.g. RSVP).

        The handler gets the turn and the button's verified integer arguments and returns the
        acknowledgement text; raising DomainError refuses the press.
        """
        if action in self._extra_actions or action in self._actions or action in ("s", "fg"):
            raise ValueError(f"button action {action!r} is taken")
        self._extra_actions[action] = handler

    def register_command(
        self,
        names: Sequence[str],
        handler: Handler,
        *,
        facilitator_only: bool,
        menu: Menu,
        room_admins: bool = False,
    ) -> None:
        """Add a command (all its names/aliases) handled by a feature module.

        ``room_admins``: a ``facilitator_only`` command about the chat's workshop (e.g. ``/rummet``)
        that the admins of the room where the workshop was created lead too (``chat_admins_lead``).
        Without it (e.g. the dialogue meetings' ``/signatar``, about a whole process) only
        configured facilitators do. ``menu``: how the command is listed in the platforms' menus
        (its /hjalp line is the text ``help.cmd.<menu.sv>``). This is the command's row in the one
        table (:meth:`command_table`); nothing else lists it.
        """
        _check_menu(names, menu)
        command = _Command(handler, CommandSpec(tuple(names), facilitator_only, room_admins, menu))
        for name in names:
            if name in COMMANDS or name in self._extra_commands:
                raise ValueError(f"command {name!r} is taken")
            self._extra_commands[name] = command

    def command_table(self) -> list[CommandSpec]:
        """Every command the bot understands, once (aliases together): the core commands, the
        feature modules' and the exercises' start commands, in that order. The menus, /hjalp and
        Slack's /dialog are derived from it (:mod:`facilitation.menu`)."""
        commands = dict.fromkeys(c.spec for c in (*COMMANDS.values(), *self._extra_commands.values()))
        starts = [
            CommandSpec(tuple(names), True, True, menu)
            for exercise in dict.fromkeys(self.exercises.values())
            for names, menu in exercise.starts
        ]
        return [*commands, *starts]

    def register_start_handler(self, prefix: str, handler: Handler) -> None:
        """Handle ``/start PREFIX…`` (a Telegram deep link's parameter) in a feature module.

        ``/start CODE`` joins a workshop; a parameter starting with ``prefix`` (e.g. ``k-`` for a
        contact person's invitation) goes to ``handler`` with the whole parameter as its argument.
        """
        if not prefix or prefix in self._start_handlers:
            raise ValueError(f"start prefix {prefix!r} is taken")
        self._start_handlers[prefix] = handler

    @property
    def processes(self) -> dict[str, Process]:
        return dict(self.service.processes)

    # --- entry point ---------------------------------------------------------------------
    async def handle(self, event: Event) -> None:
        """Handle one event; every failure is answered, none escapes to the adapter.

        One user's events are handled one at a time in arrival order (adapters process updates
        concurrently), so a quick change of mind can never be overtaken by the earlier press.
        """
        user_key = self.pseudonymizer.user_key(event.user.platform, event.user.user_id)
        # A platform whose presses must be answered within seconds (Telegram) says how many.
        port = self.ports.get(event.chat.platform)
        within = port.press_answer_within if port is not None else None
        if isinstance(event, ButtonEvent) and within is not None:
            await self._press_in_time(event, user_key, within)
        else:
            await self._in_turn(event, user_key)

    async def _press_in_time(self, event: ButtonEvent, user_key: str, within: float) -> None:
        """Handle a press, and answer it within ``within`` seconds whatever happens below.

        A press still waiting at its deadline (a stalled database) is cancelled and answered
        "the database is not answering, press again": storage never commits anything for it
        after its deadline (:mod:`storage.batching`), so that answer is true. Its cancellation
        is left to finish in the background, since rolling back on a stalled connection waits too.
        """
        deadline = time.monotonic() + within
        answered: list[bool] = []
        with answering_by(deadline):  # the task (and what it submits to storage) inherits it
            task = asyncio.get_running_loop().create_task(self._in_turn(event, user_key, answered))
        try:
            done, _ = await asyncio.wait({task}, timeout=within)
        except BaseException:  # the adapter stops: the press stops with it
            task.cancel()
            raise
        if task in done:
            task.result()
            return
        task.cancel()
        self._given_up.add(task)
        task.add_done_callback(self._given_up.discard)
        task.add_done_callback(_retrieve)
        log.warning("a button press was given up after %.0f s: the database did not answer in time", within)
        if answered:  # answered just before its deadline
            return
        lang = self.languages.known(user_key)
        turn = Turn(event, self.ports[event.chat.platform], user_key, lang)
        await refuse(turn, t("error.database_press", lang))

    def database_refusal(self, event: ButtonEvent) -> str:
        """What a press is answered when the database could not even be asked whether it was seen
        before (the adapter answers it without handling it), in the presser's language as far as
        known without the database."""
        user_key = self.pseudonymizer.user_key(event.user.platform, event.user.user_id)
        return t("error.database_press", self.languages.known(user_key))

    async def _in_turn(self, event: Event, user_key: str, answered: list[bool] | None = None) -> None:
        """Handle ``event`` in its user's turn (see :meth:`handle`)."""
        with self._user_turns.reserved(user_key) as lock:
            user_turn = UserTurn(lock)
            try:
                await user_turn.take()
                await self._handle(event, user_key, user_turn, answered)
            finally:
                user_turn.let_go()

    async def _handle(
        self,
        event: Event,
        user_key: str,
        user_turn: UserTurn | None = None,
        answered: list[bool] | None = None,
    ) -> None:
        port = self.ports[event.chat.platform]
        try:
            lang = await self.languages.of(user_key)
        except Exception as error:
            if not self.is_outage(error):
                raise
            lang = self.languages.known(user_key)  # the database is away: the refusal below says so
        turn = Turn(event, port, user_key, lang, user_turn, answered if answered is not None else [])
        try:
            if isinstance(event, ButtonEvent):
                await self._on_button(turn, event)
            elif isinstance(event, CommandEvent):
                await self._on_command(turn, event)
            elif isinstance(event, TextEvent):
                await self._on_text(turn, event)
        except DomainError as refusal:
            await refuse(turn, refusal.message(lang))
        except ChatGone as gone:  # the answer could not be posted where the command came from
            await self._refuse_unreachable(turn, gone)
        except ChartsUnavailable:
            await refuse(turn, t("error.charts_unavailable", lang))
        except Exception as error:
            if self.is_outage(error):
                log.warning(
                    "the database did not answer while handling %s (%s)",
                    type(event).__name__,
                    type(error).__name__,
                )
                pressed = isinstance(event, ButtonEvent)
                await refuse(turn, t("error.database_press" if pressed else "error.database", lang))
                return
            log.exception("unexpected error handling %s", type(event).__name__)
            await refuse(turn, t("error.internal", lang))

    async def _refuse_unreachable(self, turn: Turn, gone: ChatGone) -> None:
        """Tell the user privately that the bot cannot post in this chat, and how to add it.

        On Slack a command works in any channel, also one the bot is not in: its answers are
        refused (not_in_channel), so only the private answer (the command's response_url) gets
        through. A room the bot cannot post in is no room: if the command bound it to a workshop
        (``/workshop``, ``/delta``), or it was bound before, it is unbound like a room a fan-out
        finds gone, and the answer says which workshop exists and how to make this its room.
        """
        not_member = gone.reason in (GoneReason.NOT_MEMBER, GoneReason.NOT_FOUND)
        reason = t(f"room.gone.{gone.reason.value}", turn.lang)
        workshop = await self.rooms.leave_unreachable(turn)
        if workshop is not None:
            text = t(
                "room.unreachable.not_member" if not_member else "room.unreachable",
                turn.lang,
                title=workshop.title,
                code=workshop.join_code,
                reason=reason,
            )
        else:
            text = (
                t("error.not_member_here", turn.lang)
                if not_member
                else t("error.cannot_post_here", turn.lang, reason=reason)
            )
        # After a /workshop, "send the command again" would create a second workshop: only how to add.
        how_to_add = await turn.port.how_to_add(turn.lang, retry=workshop is None) if not_member else ""
        await refuse(turn, text, tail=f" {how_to_add}" if how_to_add else "")

    # --- commands ------------------------------------------------------------------------
    async def _on_command(self, turn: Turn, event: CommandEvent) -> None:
        name = event.name.lower().lstrip("/").split("@", 1)[0]
        command = COMMANDS.get(name) or self._extra_commands.get(name)
        exercise = self._start_commands.get(name)
        if command is None and exercise is None:
            raise DomainError("error.unknown_command", name=name[:30])
        facilitator_only = command.facilitator_only if command else True
        room_admins = command.room_admins if command else True
        if facilitator_only and not await self.leadership.may_lead(turn, room_admins=room_admins):
            raise DomainError("error.not_facilitator")
        if command is not None:
            await command.handler(self, turn, event.args)
        else:
            assert exercise is not None
            await self._start_exercise(turn, exercise, name, event.args)

    async def _on_text(self, turn: Turn, event: TextEvent) -> None:
        for take in self.text_takers:
            if await take(turn, event.text):
                return
        if turn.chat.is_private:
            await turn.reply(help_text(self.command_table(), turn.lang, lead=False))

    def participant_key(self, turn: ExerciseTurn, workshop_id: int) -> str:
        """The key the user's participation and answers in one workshop are stored under."""
        return self.pseudonymizer.participant_key(turn.user.platform, turn.user.user_id, workshop_id)

    def key_in(self, user: UserRef) -> KeyIn:
        """The user's participant key in any workshop (to find or forget all they stored)."""
        return functools.partial(self.pseudonymizer.participant_key, user.platform, user.user_id)

    async def bound_workshop(self, turn: ExerciseTurn) -> Workshop:
        """The workshop this chat is bound to (by /workshop in a room or /delta in private)."""
        chat_key = self.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
        workshop_id = await self.service.store.bound_workshop(chat_key)
        if workshop_id is None:
            raise DomainError("error.no_workshop")
        return await self.service.require_workshop(workshop_id)

    def sectors_of(self, workshop: Workshop) -> tuple[SectorDef, ...]:
        """The sectors participants of ``workshop`` choose from: its process's own list."""
        process = self.service.processes.get(workshop.process_key)
        return process.sectors if process is not None else DEFAULT_SECTORS

    def sector_keyboard(self, workshop: Workshop, lang: Language) -> Keyboard:
        """One button per sector of the workshop's process, in its order: one row for up to
        three, else one per row (long names such as "Förtroendevald politiker" stay readable)."""
        buttons = [
            Button(sector.name_in(lang), self.codec.encode("s", workshop.id, index))
            for index, sector in enumerate(self.sectors_of(workshop))
        ]
        return [buttons] if len(buttons) <= 3 else [[button] for button in buttons]

    async def cmd_start(self, turn: Turn, args: tuple[str, ...]) -> None:
        if args:
            for prefix, handler in self._start_handlers.items():
                if args[0].startswith(prefix):
                    await handler(self, turn, args)
                    return
            await self.cmd_join(turn, args)
            return
        await self.cmd_help(turn, args)

    async def cmd_help(self, turn: Turn, args: tuple[str, ...]) -> None:
        text = help_text(self.command_table(), turn.lang, lead=await self.leadership.may_lead(turn))
        await turn.reply(with_command_prefix(text, turn.port))

    async def cmd_join(self, turn: Turn, args: tuple[str, ...]) -> None:
        if not args:
            raise DomainError("error.bad_args", usage=t("usage.join", turn.lang))
        workshop = await self.service.workshop_by_code(" ".join(args))
        await self.service.join(workshop.id, self.participant_key(turn, workshop.id))
        await self._joined(turn, workshop)
        # A group or channel becomes a room of the workshop only by a configured facilitator's
        # word: otherwise anyone could move a room to another workshop, or pull a workshop into
        # a group of their own (whose admin they are) and lead it from there.
        if turn.chat.is_private or self.is_facilitator(turn.user):
            await self.rooms.bind(turn, workshop)
        await turn.reply(
            t("workshop.joined", turn.lang, title=workshop.title), self.sector_keyboard(workshop, turn.lang)
        )

    async def cmd_sector(self, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await self.bound_workshop(turn)
        await turn.reply(t("sector.choose", turn.lang), self.sector_keyboard(workshop, turn.lang))

    async def cmd_language(self, turn: Turn, args: tuple[str, ...]) -> None:
        choice = (args[0].lower() if args else "")[:2]
        if choice not in ("sv", "en"):
            raise DomainError("error.bad_language")
        await self.service.store.set_language(turn.user_key, Language(choice))
        self.languages.forget()
        await turn.reply(t("language.set", choice))

    async def cmd_forget(self, turn: Turn, args: tuple[str, ...]) -> None:
        """Ask to confirm with a button bound to the asker: in a group anyone sees it, and a
        bystander's press must not forget the bystander (nor, of course, the asker)."""
        button = Button(t("forget.yes", turn.lang), self.codec.encode("fg", _asker_tag(turn.user_key)))
        await turn.reply(t("forget.confirm", turn.lang), [[button]])

    async def cmd_vote(self, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await self.bound_workshop(turn)
        round_ = await self.service.open_round_of(workshop.id)
        if round_ is None:
            raise DomainError("error.no_open_round")
        exercise = self.exercises[round_.kind]
        await turn.reply(t("vote.private_sent", turn.lang))
        for post in exercise.posts(self, round_, turn.lang):
            await turn.reply(post.text, post.buttons)
        if turn.chat.is_private:  # bound to the workshop (bound_workshop above): /nasta comes here too
            self.private_voters.remember(round_.id, turn.user_key, turn.chat)

    # facilitator commands
    async def cmd_processes(self, turn: Turn, args: tuple[str, ...]) -> None:
        lines = "\n".join(
            t(
                "workshop.process_line",
                turn.lang,
                key=p.key,
                name=p.name,
                statements=len(p.statements),
                principles=len(p.principles),
            )
            for p in self.processes.values()
        )
        await turn.reply(t("workshop.list_processes", turn.lang, lines=lines))

    async def cmd_workshop(self, turn: Turn, args: tuple[str, ...]) -> None:
        if not args:
            raise DomainError("error.bad_args", usage=t("usage.workshop", turn.lang))
        workshop = await self.service.create_workshop(args[0], " ".join(args[1:]), turn.lang)
        await self.rooms.bind(turn, workshop, origin=True)
        await turn.reply(
            t("workshop.created", turn.lang, title=workshop.title, code=workshop.join_code),
            self.sector_keyboard(workshop, turn.lang),
        )
        hint = t("workshop.join_hint", turn.lang, code=workshop.join_code)
        link = turn.port.join_link(workshop.join_code)  # e.g. a Telegram deep link t.me/<bot>?start=CODE
        await turn.reply(f"{hint}\n{link}" if link else hint)

    async def _start_exercise(self, turn: Turn, exercise: Exercise, name: str, args: tuple[str, ...]) -> None:
        workshop = await self.bound_workshop(turn)
        process = await self.service.process_of(workshop)
        # Options such as slut=15:30 (facilitation.people) are checked before the round exists.
        after: list[Callable[[Round], Awaitable[None]]] = []
        for option in self.launch_options:
            args, then = await option(turn, args)
            after.extend([then] if then is not None else [])
        round_ = await exercise.create_round(self, turn, workshop, process, name, args)
        await self.launch(turn, workshop, round_)
        for then in after:
            await then(round_)

    async def _language_here(self, turn: Turn, round_: Round) -> Language:
        """The language of what is posted about ``round_`` in the chat of ``turn``."""
        return self.rooms.language(turn.chat, turn, await self.service.require_workshop(round_.workshop_id))

    async def launch(self, turn: Turn, workshop: Workshop, round_: Round) -> None:
        """Open a draft round and post it with a live tally in every room of the workshop."""
        round_ = await self.service.open_round(round_.id)
        self.on_activity("launch", turn.chat.platform)
        if round_.compare_round_id is not None:  # the comparison asked for with /jamfor is used up
            await self.service.store.set_compare_round(workshop.id, None)
        self.rooms.remember_reporter(round_.id, turn)
        await self.rooms.deliver(
            turn,
            workshop,
            Delivery("launch", round_.id),
            lambda link, lang: self.tallies.post_round(link, round_, lang),
        )

    async def current_round(self, turn: Turn, args: tuple[str, ...], *, open_only: bool = False) -> Round:
        """The round named by ``args[0]`` (a number) or the workshop's open/latest round."""
        workshop = await self.bound_workshop(turn)
        if args:
            round_id = id_number(args[0])
            if round_id is None:
                raise DomainError("error.no_round")
            round_ = await self.service.require_round(round_id)
            if round_.workshop_id != workshop.id:
                raise DomainError("error.no_round")
            return round_
        latest: Round | None = await self.service.open_round_of(workshop.id)
        if latest is None and not open_only:
            rounds = await self.service.store.rounds(workshop.id)
            latest = max(rounds, key=lambda r: r.id) if rounds else None
        if latest is None:
            raise DomainError("error.no_open_round")
        return latest

    async def cmd_status(self, turn: Turn, args: tuple[str, ...]) -> None:
        round_ = await self.current_round(turn, args)
        n = await self.service.turnout(round_.id)
        text = t(
            "round.status",
            turn.lang,
            title=round_.title,
            n=n,
            state=t(f"round.state.{round_.status.value}", turn.lang),
        )
        await turn.reply(await self.tallies.with_note(round_, text, turn.lang))

    async def cmd_next(self, turn: Turn, args: tuple[str, ...]) -> None:
        round_ = await self.current_round(turn, (), open_only=True)
        position = 0 if round_.current_position is None else round_.current_position + 1
        round_ = await self.service.step(round_.id, position)
        workshop = await self.service.require_workshop(round_.workshop_id)
        exercise = self.exercises[round_.kind]
        # the statement just left, by the number it was posted with
        left = _once_per_language(
            lambda lang: exercise.room_view(self, round_, round_.items[position - 1].number, lang)
        )

        async def step(link: RoomLink, lang: Language) -> None:
            view = await left(lang) if position > 0 else None  # answers to the statement left are final now
            if view is not None:
                await link.post(view)
            await link.post(self.step_posts(round_, lang))

        await self.rooms.deliver(turn, workshop, Delivery("step", round_.id), step)
        await self._step_private_voters(turn, round_)
        self.live.poke(round_.id)

    def step_posts(self, round_: Round, lang: Language) -> list[Post]:
        """What a step posts in a room or private chat: "Påstående 2 (2 av 7):" and the
        statement now shown (``round_.current_position``) with its buttons."""
        position = round_.current_position
        if position is None:
            raise ValueError(f"round {round_.id} shows all its items: no step to post")
        stepped = t(
            "round.stepped",
            lang,
            number=round_.items[position].number,
            position=position + 1,
            total=len(round_.items),
        )
        return [Post(stepped), *self.exercises[round_.kind].posts(self, round_, lang)]

    def closed_posts(self, round_: Round, lang: Language, results: list[Output]) -> list[Output]:
        """What a close posts in a room: "Omgången … är stängd. Här är resultatet:" opening the
        result text (one message, not two: ten rooms closing at once share the bot's 30 sends a
        second), then the rest of the results (alone before them when they open with a chart)."""
        closing = t("round.closing", lang, title=round_.title)
        if results and isinstance(results[0], Post) and not results[0].buttons:
            return [Post(f"{closing}\n\n{results[0].text}"), *results[1:]]
        return [Post(closing), *results]

    async def _step_private_voters(self, turn: Turn, round_: Round) -> None:
        """The next statement, with its buttons, in the private chats that opened or answered the
        round (:mod:`facilitation.private_voters`), each in its person's language. A chat that
        fails is skipped (a gone one forgotten); the rooms have the statement all the same."""
        for user_key, chat in self.private_voters.of(round_.id):
            port = self.ports.get(chat.platform)
            if port is None or (chat.platform, chat.chat_id) == (turn.chat.platform, turn.chat.chat_id):
                continue
            lang = await self.languages.of(user_key)
            try:
                for post in self.step_posts(round_, lang):
                    await port.send_text(chat, post.text, post.buttons)
            except PortError as error:
                if isinstance(error, ChatGone):
                    self.private_voters.drop(round_.id, user_key)
                log.warning(
                    "round %s: the next statement did not reach a private voter (%s)",
                    round_.id,
                    type(error).__name__,
                )

    async def cmd_close(self, turn: Turn, args: tuple[str, ...]) -> None:
        round_ = await self.current_round(turn, args, open_only=not args)
        round_ = await self.service.close_round(round_.id)
        self.on_activity("close", turn.chat.platform)
        await self.publish_closed(round_, turn)

    async def publish_closed(self, round_: Round, turn: Turn | None = None) -> None:
        """Post a round just closed: its results in every room of its workshop (and the chat of
        ``turn``, the /stang; None: a round that closed itself at its deadline), each room's final
        tally edit after its result text."""
        # The final tally edit and the results are one bulk output: the user's other events go
        # meanwhile (Turn.posting), and this handler takes its turn back once, after both. Taking
        # it back between them made the results wait for every command the same facilitator had
        # sent since: ten /stang in ten rooms at once posted the first room's result text only
        # after the tenth round was closed.
        async with turn.posting() if turn is not None else contextlib.nullcontext():
            await self._publish_closed(round_, turn)

    async def _publish_closed(self, round_: Round, turn: Turn | None) -> None:
        # The tally's final edit ("🔒 … är stängd") follows each room's result text: both wait for
        # a place in the bot's send window, and ten rooms closing at once made the tenth room's
        # text wait behind the other nine's edits as well as their texts.
        unedited = self.live.stop(round_.id)

        async def final_edits(chat: ChatRef | None) -> None:
            """The tally's final edit in ``chat`` (None: wherever it has not been made yet)."""
            due = [live for live in unedited if chat is None or live.message.chat == chat]
            for live in due:
                unedited.remove(live)
            await self.live.final_edits(round_.id, due)

        try:
            await self._publish_results(round_, turn, final_edits)
        finally:
            await final_edits(None)

    async def _publish_results(
        self, round_: Round, turn: Turn | None, final_edits: Callable[[ChatRef | None], Awaitable[None]]
    ) -> None:
        reporter = self.rooms.reporters.pop(round_.id, None)
        self.private_voters.close(round_.id)
        workshop = await self.service.require_workshop(round_.workshop_id)
        results = _once_per_language(lambda lang: self.exercises[round_.kind].results(self, round_, lang))
        owed: list[ResultTarget] = []  # rooms told the charts come later

        def answering() -> contextlib.AbstractContextManager[None]:
            """The result texts answer the /stang, in every room of the workshop: they go ahead of
            the charts and tally edits waiting for the bot's send window (ten rooms closing at
            once, the last room's text waited ~1 s behind the others' charts). A round closing at
            its deadline answers nobody: all of it is bulk."""
            return replying() if turn is not None else contextlib.nullcontext()

        async def close(link: RoomLink, lang: Language) -> None:
            posted = 0  # of the outputs, in order: the text comes at once, charts as they are drawn
            try:
                # Charts drawn once per language, not per room, all at once on the chart workers;
                # the text is posted at once and each chart as soon as it is drawn.
                outputs = self.closed_posts(round_, lang, await results(lang))
                for output in outputs:
                    with answering() if isinstance(output, Post) else contextlib.nullcontext():
                        await link.post((output,))
                    posted += 1
                    if posted == 1:  # the result text is there: now the tally's final edit
                        await final_edits(link.chat)
            except ChartsUnavailable:  # the round is closed all the same; its results follow
                await link.send_text(
                    t("round.closing_charts_later", lang, title=round_.title, number=round_.id)
                )
                # what this room already has is not posted again (a closed round's outputs never change)
                owed.append(ResultTarget(link.port, link.chat, lang, posted))

        with deferring():  # see facilitation.rendering
            await self.rooms.deliver(turn, workshop, Delivery("results", round_.id), close)
        if owed:
            who = turn or reporter  # to tell who closed (or launched) it if a room fails later
            if who is not None:
                self.rooms.remember_reporter(round_.id, who)
            self.owed_results.owe(round_.id, owed)

    async def cmd_results(self, turn: Turn, args: tuple[str, ...]) -> None:
        round_ = await self.current_round(turn, args)
        if round_.status != RoundStatus.CLOSED:
            # Two read-outs of an open round, before and after someone presses, would show that
            # person's answer: while it is open, the room sees turnout only.
            raise DomainError("error.results_after_close")
        lang = await self._language_here(turn, round_)
        outputs = await self.exercises[round_.kind].results(self, round_, lang)
        for annex in self.annexes:
            outputs += await annex.results(round_, lang)
        async with turn.posting(), self.rooms.held(turn.chat):
            await self.post_outputs(turn.port, turn.chat, outputs)
        self.owed_results.settle(round_.id, turn.chat)

    async def cmd_export(self, turn: Turn, args: tuple[str, ...]) -> None:
        round_ = await self.current_round(turn, args)
        if round_.status != RoundStatus.CLOSED:
            raise DomainError("error.round_not_closed_export")
        lang = await self._language_here(turn, round_)
        attachments = await self.exercises[round_.kind].export(self, round_, lang)
        for extra in self.export_extras:
            attachments = [*attachments, *await extra(round_, lang)]
        async with turn.posting(), self.rooms.held(turn.chat):
            for attachment in attachments:
                await turn.port.send_file(turn.chat, attachment)

    async def cmd_report(self, turn: Turn, args: tuple[str, ...]) -> None:
        """``/rapport [workshop]``: one PDF of the workshop's closed rounds, sent here.

        Another workshop than the one bound here only for someone who leads it (a configured
        facilitator, or an admin of the room it was created in); anyone else learns nothing of it.
        """
        from facilitation.report.command import report_pdf  # fpdf2: loaded by the first report

        if len(args) > 1 or (args and id_number(args[0]) is None):
            raise DomainError("error.bad_args", usage=t("report.usage", turn.lang))
        workshop = await self.bound_workshop(turn) if not args else None
        if workshop is None:
            number = id_number(args[0]) or 0
            found = await self.service.store.workshop(number)
            if found is None or not (
                self.is_facilitator(turn.user) or await self.leadership.leads_from_origin(turn.user, number)
            ):
                raise DomainError("report.error.not_yours", number=number)
            workshop = found
        lang = self.rooms.language(turn.chat, turn, workshop)
        attachment = await report_pdf(self, self.exercises, workshop, lang)
        async with turn.posting(), self.rooms.held(turn.chat):
            await turn.port.send_file(turn.chat, attachment)

    async def cmd_compare(self, turn: Turn, args: tuple[str, ...]) -> None:
        """``/jamfor NR``: the next barometer is drawn against closed round NR of the same process
        (typically last year's dialogue meeting, which is another workshop).

        Only a round the caller may already read: one of a workshop they lead, or one the process
        file names as its official earlier year (``official_rounds``). Anyone who leads *a*
        workshop of the process (a group admin with ``group_admins_are_facilitators``) must not
        pull another workshop's round into their room and read it beside their own answers.
        """
        if not args or not args[0].lstrip("#").isdigit():
            raise DomainError("error.bad_args", usage=t("usage.compare", turn.lang))
        workshop = await self.bound_workshop(turn)
        round_id = id_number(args[0])
        if round_id is None:
            raise DomainError("error.no_round")
        earlier = await self.service.require_round(round_id)
        earlier_workshop = await self.service.require_workshop(earlier.workshop_id)
        if earlier_workshop.process_key != workshop.process_key:
            raise DomainError("error.bad_compare")
        if not await self.leadership.may_compare_with(turn, workshop, earlier_workshop, earlier):
            raise DomainError("error.compare_not_yours", number=earlier.id)  # nothing more about it
        if earlier.kind != RoundKind.BAROMETER or earlier.status != RoundStatus.CLOSED:
            raise DomainError("error.bad_compare")
        await self.service.store.set_compare_round(workshop.id, earlier.id)
        await turn.reply(t("round.compare_set", turn.lang, number=earlier.id))

    async def cmd_rounds(self, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await self.bound_workshop(turn)
        rounds = sorted(await self.service.store.rounds(workshop.id), key=lambda r: r.id)
        lines = (
            "\n".join(
                f"#{r.id} {t(f'kind.{r.kind.value}', turn.lang)}: {r.title} "
                f"({t(f'round.state.{r.status.value}', turn.lang)})"
                for r in rounds
            )
            or "–"
        )
        notes = [note for add in self.rounds_notes if (note := await add(workshop, turn.lang))]
        await turn.reply("\n\n".join([t("round.list", turn.lang, title=workshop.title, lines=lines), *notes]))

    async def post_outputs(self, port: ChatPort, chat: ChatRef, outputs: Iterable[Output]) -> None:
        await RoomLink(port, chat, self.rooms.moved_in_delivery).post(outputs)

    async def cmd_leave(self, turn: Turn, args: tuple[str, ...]) -> None:
        """``/lamna``: this room leaves its workshop; ``/lamna NR`` removes room NR; in a private
        chat ``/lamna`` lists the workshop's rooms."""
        workshop = await self.bound_workshop(turn)
        if not args and not turn.chat.is_private:
            await self.rooms.drop(workshop.id, turn.chat)
            await turn.reply(t("room.left", turn.lang, title=workshop.title, code=workshop.join_code))
            return
        rooms = await self.service.store.rooms(workshop.id)
        if not args:
            lines = "\n".join(
                t("room.list_line", turn.lang, number=n, room=room_name(room, turn.lang))
                for n, room in enumerate(rooms, start=1)
            )
            await turn.reply(
                t("room.list", turn.lang, title=workshop.title, lines=lines)
                if rooms
                else t("room.none", turn.lang, title=workshop.title)
            )
            return
        number = whole_number(args[0])
        if number is None:
            raise DomainError("error.bad_args", usage=t("usage.leave", turn.lang))
        if not 1 <= number <= len(rooms):
            raise DomainError("room.error.no_such_room", number=args[0][:6])
        room = rooms[number - 1]
        await self.rooms.drop(workshop.id, room)
        await turn.reply(
            t(
                "room.left_other",
                turn.lang,
                room=room_name(room, turn.lang),
                title=workshop.title,
                code=workshop.join_code,
            )
        )
        port = self.ports.get(room.platform)
        if port is not None and room != turn.chat:
            try:  # the room itself learns why the bot went quiet; it may be gone already
                await port.send_text(room, t("room.left_notice", workshop.language, title=workshop.title))
            except Exception as error:
                log.info("could not tell a removed room: %s", type(error).__name__)

    # --- buttons -------------------------------------------------------------------------
    async def _on_button(self, turn: Turn, event: ButtonEvent) -> None:
        action, args = self.codec.decode(event.data)
        if action == "s":
            await self._press_sector(turn, args)
        elif action == "fg":
            await self._press_forget(turn, event, args)
        elif action in self._extra_actions:
            text = await self._extra_actions[action](self, turn, args)
            await turn.acknowledge(text)
        elif action in self._actions:
            if not args:
                raise DomainError("error.bad_button")
            round_ = await self.service.cached_round(args[0])
            exercise = self._actions[action]
            if round_.kind not in exercise.kinds:
                raise DomainError("error.bad_button")
            await self._require_press_here(turn, round_.workshop_id)
            text = await exercise.on_press(self, turn, round_, action, args[1:])
            self.on_activity("vote", turn.user.platform)
            await turn.acknowledge(text)
            self.live.poke(round_.id)
            if (
                turn.chat.is_private
                and not self.private_voters.knows(round_.id, turn.user_key)
                and await self._bound_here(turn, round_.workshop_id, cached=True)
            ):
                self.private_voters.remember(round_.id, turn.user_key, turn.chat)
        else:
            raise DomainError("error.bad_button")

    async def _bound_here(self, turn: Turn, workshop_id: int, *, cached: bool = False) -> bool:
        """Whether the chat of ``turn`` is bound to ``workshop_id`` (by /delta or a sector press).

        ``cached``: as this process saw it a moment ago (:meth:`WorkshopService.cached_binding`),
        for where that is enough; whether a press counts is asked of the store.
        """
        chat_key = self.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
        if cached:
            return await self.service.cached_binding(chat_key) == workshop_id
        return await self.service.store.bound_workshop(chat_key) == workshop_id

    async def _press_forget(self, turn: Turn, event: ButtonEvent, args: tuple[int, ...]) -> None:
        """The forget-me confirmation: only for the person who asked (it may be posted in a group)."""
        if len(args) != 1:
            raise DomainError("error.bad_button")
        if args[0] != _asker_tag(turn.user_key):
            raise DomainError("forget.not_yours")
        n = await self.service.forget(self.key_in(turn.user), turn.user_key)
        self.languages.forget()
        self.private_voters.forget(turn.user_key)
        if turn.chat.is_private:
            chat_key = self.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
            await self.service.store.unbind_chat(chat_key)
            self.service.binding_changed(chat_key, None)
        await turn.acknowledge(t("forget.done", turn.lang, n=n), alert=True)

    async def _joined(self, turn: Turn, workshop: Workshop) -> None:
        for listener in self.join_listeners:
            await listener(turn, workshop)

    async def _require_press_here(self, turn: Turn, workshop_id: int) -> None:
        """Refuse a workshop's button pressed outside the workshop.

        Buttons are signed but name no chat: a genuine button of group A, posted or replayed
        elsewhere, would count in group B or from someone who never joined. A press counts in a
        room of the workshop, from someone who joined it (wherever they press), or in a private
        chat bound to it. The room is asked first: it is cached, while whether someone joined
        may need the store, and on the vote path that read cost two thirds or more of the votes
        per second.
        """
        if not turn.chat.is_private and await self.service.is_room(workshop_id, turn.chat):
            return
        if await self.service.has_joined(workshop_id, self.participant_key(turn, workshop_id)):
            return
        if turn.chat.is_private and await self._bound_here(turn, workshop_id):
            return
        raise DomainError("error.button_elsewhere")

    def press_key(self, turn: ExerciseTurn) -> str:
        """What is stored of the press of ``turn`` so that delivering it again changes nothing
        ("" when the platform gives presses no id, or ``turn`` is no press)."""
        event = turn.event
        if not isinstance(event, ButtonEvent) or not event.delivery_id:
            return ""
        return self.pseudonymizer.press_key(event.chat.platform, event.delivery_id)

    async def _press_sector(self, turn: Turn, args: tuple[int, ...]) -> None:
        if len(args) != 2:
            raise DomainError("error.bad_button")
        workshop = await self.service.require_workshop(args[0])
        sectors = self.sectors_of(workshop)
        if not 0 <= args[1] < len(sectors):
            raise DomainError("error.bad_button")
        await self._require_press_here(turn, workshop.id)
        sector = sectors[args[1]]
        await self.service.join(workshop.id, self.participant_key(turn, workshop.id), sector=sector.key)
        await self._joined(turn, workshop)
        if turn.chat.is_private:
            await self.rooms.bind(turn, workshop)
        assert isinstance(turn.event, ButtonEvent)
        await turn.acknowledge(
            t("sector.saved", turn.lang, title=workshop.title, sector=sector.name_in(turn.lang))
        )

    async def aclose(self) -> None:
        await self.owed_results.aclose()
        await self.live.aclose()
        await self.service.aclose()


def _timed_out(error: BaseException) -> bool:
    """Without the wiring's knowledge of the driver: a timeout is the database not answering."""
    return isinstance(error, TimeoutError)


def _retrieve(task: asyncio.Task[None]) -> None:
    """Take a given-up press's outcome, so a failure while it was cancelled is not reported as lost."""
    if not task.cancelled() and task.exception() is not None:
        log.info("a given-up button press ended with %s", type(task.exception()).__name__)


def _once_per_language(make: Callable[[Language], Awaitable[T]]) -> Callable[[Language], Awaitable[T]]:
    """``make(lang)`` run once per language however many rooms ask at once (charts are slow)."""
    started: dict[Language, asyncio.Future[T]] = {}

    def get(lang: Language) -> Awaitable[T]:
        if lang not in started:
            started[lang] = asyncio.ensure_future(make(lang))
        return asyncio.shield(started[lang])

    return get


def _asker_tag(user_key: str) -> int:
    """32 bits of the user's key: tells the asker's press from another's on a signed button
    (a keyed hash, so it names nobody; a bystander matches by chance once in 4 billion)."""
    return int(user_key[:8], 16)


def _check_menu(names: Sequence[str], menu: Menu | None) -> None:
    """A menu entry lists two of the command's own names, valid as Telegram command names."""
    if menu is None:
        return
    for shown in (menu.sv, menu.en):
        if shown not in names or not re.fullmatch(r"[a-z0-9_]{1,32}", shown):
            raise ValueError(f"menu name {shown!r} must be one of {tuple(names)} in a-z, 0-9 and _")


def _cmd(
    names: tuple[str, ...], method: Callable[..., Awaitable[None]], facilitator_only: bool, menu: Menu | None
) -> _Command:
    _check_menu(names, menu)
    return _Command(
        lambda conv, turn, args: method(conv, turn, args),
        CommandSpec(names, facilitator_only, room_admins=facilitator_only, menu=menu),
    )


_PRIVATE = frozenset({PRIVATE})

#: The core commands, declared once: names (Swedish first, then aliases), handler, facilitator
#: only, menu entry (shown name in the Swedish and English menus, where it is used; its /hjalp
#: line is the text ``help.cmd.<sv>``). :meth:`Conversation.command_table` adds the rest.
COMMANDS: dict[str, _Command] = {}
for _names, _method, _facilitator, _menu in [
    (("start",), Conversation.cmd_start, False, None),  # Telegram's own Start button sends it
    (("hjalp", "help", "hjälp"), Conversation.cmd_help, False, Menu("hjalp", "help")),
    (("delta", "join"), Conversation.cmd_join, False, Menu("delta", "join")),
    (("sektor", "sector"), Conversation.cmd_sector, False, Menu("sektor", "sector")),
    (("sprak", "språk", "language", "lang"), Conversation.cmd_language, False, Menu("sprak", "language")),
    (("glom", "glöm", "forget"), Conversation.cmd_forget, False, Menu("glom", "forget")),
    (("rosta", "rösta", "vote"), Conversation.cmd_vote, False, Menu("rosta", "vote")),
    (("processer", "processes"), Conversation.cmd_processes, True, Menu("processer", "processes", _PRIVATE)),
    (("workshop",), Conversation.cmd_workshop, True, Menu("workshop", "workshop")),
    (("status",), Conversation.cmd_status, True, Menu("status", "status")),
    (("nasta", "nästa", "next"), Conversation.cmd_next, True, Menu("nasta", "next")),
    (("stang", "stäng", "close"), Conversation.cmd_close, True, Menu("stang", "close")),
    (("resultat", "results"), Conversation.cmd_results, True, Menu("resultat", "results")),
    (("export",), Conversation.cmd_export, True, Menu("export", "export")),
    (("rapport", "report"), Conversation.cmd_report, True, Menu("rapport", "report")),
    (("jamfor", "jämför", "compare"), Conversation.cmd_compare, True, Menu("jamfor", "compare")),
    (("omgangar", "omgångar", "rounds"), Conversation.cmd_rounds, True, Menu("omgangar", "rounds")),
    (("lamna", "lämna", "leave"), Conversation.cmd_leave, True, Menu("lamna", "leave")),
]:
    _command = _cmd(_names, _method, _facilitator, _menu)
    for _name in _names:  # aliases share one command
        COMMANDS[_name] = _command
