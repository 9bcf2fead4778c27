"""Workshop use cases: the rules of joining, rounds and answering, on top of a :class:`Store`.

Every method validates first and writes after, so refused input changes nothing. The service
only ever sees pseudonymous participant keys; platform user ids stop at the adapters and at
:class:`~facilitation.pseudonym.Pseudonymizer`. It keeps no rule about one kind of round: those
are the exercise's :class:`~facilitation.exercises.RoundRules`, applied here by the round's kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence

from facilitation.cache import ReadAhead
from facilitation.clock import Clock, utc_now
from facilitation.errors import DomainError
from facilitation.exercises import RoundRules
from facilitation.exercises.registry import round_rules
from facilitation.input_rules import MAX_ID, has_hidden_characters
from facilitation.model import (
    DEFAULT_SECTORS,
    Language,
    Participant,
    Process,
    ResultFrame,
    Round,
    RoundKind,
    RoundStatus,
    SectorKey,
    SectorValues,
    Workshop,
)
from facilitation.ports import ChatRef
from facilitation.store import BallotChange, Store
from facilitation.suppression import effective_min_group_size

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a room
JOIN_CODE_LENGTH = 6
MAX_ITEMS = 30
DONE_HERE_KEPT = 1000  # closes and steps this process remembers making (WorkshopService.closed_here)
CLOSED = -1  # the close's mark beside the steps' positions (0, 1, ...)
#: How long past its ttl a cached round, a workshop's rooms or its participants are still answered
#: from while they are read again in the background (refresh-ahead): a busy workshop's votes never
#: wait for a read. Nothing is trusted from a stale entry alone: the store refuses an answer to a
#: round closed meanwhile, and a press refused as "not the current statement" is checked again on
#: a fresh read (the facilitator may have stepped on through another process).
STALE_SECONDS = 300.0
#: How often each process reads the rounds open anywhere (see WorkshopService.warm_open_rounds).
WARM_EVERY_SECONDS = 1.0

log = logging.getLogger(__name__)

#: A person's participant key in a workshop, by the workshop's id (see facilitation.pseudonym).
KeyIn = Callable[[int], str]


def _refuse_hidden_characters(text: str) -> None:
    """A title, item or organisation is shown to a whole room: nothing in it may be invisible."""
    if has_hidden_characters(text):
        raise DomainError("error.hidden_characters")


def normalise_code(code: str) -> str:
    """A join code as typed ("abc 123", "abc-123") in canonical upper-case form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def catalogue_numbers(process: Process | None, rules: RoundRules, refs: Sequence[str]) -> list[int]:
    """The number each item is shown with: its place in the process's catalogue of the round's kind
    (e.g. statements for a barometer), so ``/barometer 1,3`` keeps 1 and 3; items typed for the
    round (not in the catalogue) are numbered after it, in their order."""
    catalogue = rules.catalogue(process) if process else []
    place = {key: number for number, (_text, key) in enumerate(catalogue, start=1)}
    numbers: list[int] = []
    extra = len(catalogue)
    for ref in refs:
        if ref in place:
            numbers.append(place[ref])
        else:
            extra += 1
            numbers.append(extra)
    return numbers


class WorkshopService:
    """The workshop rules; one instance serves every platform."""

    def __init__(
        self,
        store: Store,
        processes: Mapping[str, Process],
        clock: Clock = utc_now,
        cache_seconds: float = 2.0,
        min_group_size: int = 5,
        rules: Mapping[RoundKind, RoundRules] | None = None,
    ) -> None:
        self.store = store
        self.processes = processes
        #: The rules of each kind of round (every registered exercise's by default).
        self.rules = dict(rules) if rules is not None else round_rules()
        #: The installation's minimum group size; a process may ask for more (see :meth:`live_frame`).
        self.min_group_size = min_group_size
        self.clock = clock
        # Votes arrive in bursts: rounds and participants are read from short-lived caches,
        # read again in the background once past their ttl (see STALE_SECONDS).
        self._rounds: ReadAhead[Round] = ReadAhead(
            cache_seconds, 1000, stale=STALE_SECONDS, keep=lambda round_: round_.status != RoundStatus.DRAFT
        )
        self._people: ReadAhead[dict[str, Participant]] = ReadAhead(
            cache_seconds * 5, 1000, stale=STALE_SECONDS
        )
        self._rooms: ReadAhead[frozenset[tuple[str, str]]] = ReadAhead(
            cache_seconds * 5, 1000, stale=STALE_SECONDS
        )
        self._bindings: ReadAhead[tuple[int | None]] = ReadAhead(
            cache_seconds * 2.5, 50_000, stale=STALE_SECONDS
        )
        #: When each workshop with an open round last had its rooms, participants and bindings read.
        self._workshops_read_at: dict[int, float] = {}
        #: The process a workshop's rounds draw on: the process file's with what the workshop
        #: changed in chat (set by :mod:`facilitation.content`; the file's own without it).
        self.workshop_process: Callable[[Workshop], Awaitable[Process]] | None = None
        #: More a person has stored under their keys, deleted by :meth:`forget` (e.g. proposals).
        self.forgetters: list[Callable[[Sequence[str]], Awaitable[int]]] = []
        #: Closes and steps this process made (the latest few): it posts them in every room it
        #: serves. A room kept in a process's memory (the web screen, a browser's chat) asks, to
        #: post itself what another process (or this one before a restart) closed or stepped.
        self._done_here: OrderedDict[tuple[int, int | None], None] = OrderedDict()

    # --- workshops and participants -------------------------------------------------------
    async def create_workshop(
        self, process_key: str, title: str, language: Language = Language.SV
    ) -> Workshop:
        """A workshop of a configured process with a fresh short join code."""
        if process_key not in self.processes:
            raise DomainError(
                "error.unknown_process", process=process_key[:40], known=", ".join(sorted(self.processes))
            )
        _refuse_hidden_characters(title)
        title = title.strip() or self.processes[process_key].name
        for _ in range(20):
            code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            workshop = await self.store.create_workshop(
                process_key, title[:200], code, language, self.clock()
            )
            if workshop is not None:
                return workshop
        raise RuntimeError("could not find a free join code")

    async def workshop_by_code(self, code: str) -> Workshop:
        workshop = await self.store.workshop_by_code(normalise_code(code))
        if workshop is None:
            raise DomainError("error.unknown_code", code=code.strip()[:20])
        return workshop

    async def require_workshop(self, workshop_id: int) -> Workshop:
        workshop = await self.store.workshop(workshop_id) if 1 <= workshop_id <= MAX_ID else None
        if workshop is None:
            raise DomainError("error.no_workshop")
        return workshop

    async def join(
        self,
        workshop_id: int,
        participant_key: str,
        sector: SectorKey = None,
        organisation: str | None = None,
    ) -> Participant:
        """Join (or re-join) a workshop; a sector or organisation given replaces the earlier one."""
        await self.require_workshop(workshop_id)
        if organisation is not None:
            _refuse_hidden_characters(organisation)
            organisation = organisation.strip()[:120] or None
        participant = await self.store.upsert_participant(
            workshop_id, participant_key, sector, organisation, self.clock()
        )
        people = self._people.peek(workshop_id)
        if people is not None:
            people[participant_key] = participant
        return participant

    async def has_joined(self, workshop_id: int, participant_key: str) -> bool:
        """Whether the participant takes part in the workshop (joined it, or answered in a room).

        A key the cache does not know is looked up in the store: someone may have joined a
        moment ago, through another bot process.
        """
        if participant_key in await self._people_of(workshop_id):
            return True
        return await self.store.participant(workshop_id, participant_key) is not None

    async def is_room(self, workshop_id: int, chat: ChatRef) -> bool:
        """Whether ``chat`` is one of the workshop's rooms (a chat the cache does not know is looked
        up in the store, since a room may have been added a moment ago by another process)."""
        here = (chat.platform, chat.chat_id)
        rooms = await self._rooms_of(workshop_id)
        if here not in rooms:
            rooms = await self._rooms.load(workshop_id, lambda: self._read_rooms(workshop_id))
        return here in rooms

    async def _rooms_of(self, workshop_id: int) -> frozenset[tuple[str, str]]:
        """A workshop's rooms, read once for every press waiting on them."""
        return await self._rooms.get(workshop_id, lambda: self._read_rooms(workshop_id))

    async def _read_rooms(self, workshop_id: int) -> frozenset[tuple[str, str]]:
        return frozenset((c.platform, c.chat_id) for c in await self.store.rooms(workshop_id))

    async def cached_binding(self, chat_key: str) -> int | None:
        """The workshop a chat is bound to, from a short-lived cache: for what a binding changed
        a moment ago through another process cannot make wrong (which private chats get a round's
        results, which round a browser's page shows), not to decide whether a press counts.
        Asked on every person's first vote in a round: 200 phones voting at once waited for 200
        reads of it."""

        async def read() -> tuple[int | None]:
            return (await self.store.bound_workshop(chat_key),)

        return (await self._bindings.get(chat_key, read))[0]

    def binding_changed(self, chat_key: str, workshop_id: int | None) -> None:
        """This process bound a chat to ``workshop_id`` (None: unbound it)."""
        self._bindings.put(chat_key, (workshop_id,))

    def binding_unknown(self, chat_key: str) -> None:
        """A chat's binding changed to what this process does not know (a chat moved to a new
        id): it is read again when next asked."""
        self._bindings.drop(chat_key)

    def room_left(self, workshop_id: int) -> None:
        """A room stopped being the workshop's: this process forgets its cached rooms at once."""
        self._rooms.drop(workshop_id)

    async def keys_by_workshop(self, key_in: KeyIn) -> dict[int, str]:
        """A person's participant key in every workshop there is."""
        return {workshop_id: key_in(workshop_id) for workshop_id in await self.store.workshop_ids()}

    async def workshops_of(self, key_in: KeyIn) -> list[int]:
        """The workshops a person joined (shown only to them)."""
        return await self.store.workshops_of(await self.keys_by_workshop(key_in))

    async def forget(self, key_in: KeyIn, user_key: str) -> int:
        """Remove everything stored about a person (the "forget me" request): their answers and
        participations under their key in every workshop, and their settings under ``user_key``."""
        keys = await self.keys_by_workshop(key_in)
        self._people.clear()
        removed = await self.store.forget_participant([*keys.values(), user_key])
        for forget in self.forgetters:
            removed += await forget([*keys.values()])
        return removed

    async def process_of(self, workshop: Workshop) -> Process:
        """The process ``workshop``'s rounds draw on (KeyError for a process no longer configured)."""
        process = self.processes[workshop.process_key]
        return process if self.workshop_process is None else await self.workshop_process(workshop)

    # --- rounds --------------------------------------------------------------------------
    async def create_round(
        self,
        workshop_id: int,
        kind: RoundKind,
        title: str,
        items: Sequence[tuple[str, str]],
        settings: Mapping[str, int] | None = None,
        compare_round_id: int | None = None,
    ) -> Round:
        """A draft round; items are (text, reference key) pairs, e.g. a statement and its key."""
        workshop = await self.require_workshop(workshop_id)
        await self._no_open_round(workshop_id)
        settings = dict(settings or {})
        for text in (title, *(text for text, _ in items)):
            _refuse_hidden_characters(text)
        texts = [text.strip() for text, _ in items]
        if not texts or any(not text for text in texts):
            raise DomainError("error.no_items")
        if len(texts) > MAX_ITEMS:
            raise DomainError("error.too_many_items", max=MAX_ITEMS)
        if len(set(texts)) != len(texts):
            raise DomainError("error.duplicate_items")
        rules = self._rules_of(kind)
        rules.check_settings(kind, settings, len(texts))
        if compare_round_id is not None:
            earlier = await self.store.round(compare_round_id)
            if earlier is None or earlier.kind != kind:
                raise DomainError("error.bad_compare")
        refs = [ref for _, ref in items]
        return await self.store.create_round(
            workshop_id,
            kind,
            title.strip()[:200],
            [(t, ref[:40]) for t, ref in zip(texts, refs, strict=True)],
            settings,
            compare_round_id,
            numbers=catalogue_numbers(
                await self.process_of(workshop) if workshop.process_key in self.processes else None,
                rules,
                refs,
            ),
        )

    def _rules_of(self, kind: RoundKind) -> RoundRules:
        """The rules of ``kind`` (a kind no exercise offers is a wiring error: no round of it can be made)."""
        rules = self.rules.get(kind)
        if rules is None:
            raise ValueError(f"no exercise offers rounds of kind {kind.value!r}")
        return rules

    async def require_round(self, round_id: int) -> Round:
        round_ = await self.store.round(round_id) if 1 <= round_id <= MAX_ID else None
        if round_ is None:
            raise DomainError("error.no_round")
        return round_

    async def cached_round(self, round_id: int) -> Round:
        """The round from a short-lived cache (only open and closed rounds are cached); one past
        its ttl is given while it is read again in the background."""
        return await self._rounds.get(round_id, lambda: self.require_round(round_id))

    async def _read_round(self, round_id: int) -> Round:
        """The round from the store now (into the cache unless it is a draft)."""
        return await self._rounds.load(round_id, lambda: self.require_round(round_id))

    async def warm_open_rounds(self) -> int:
        """Read every open round (one query), and each open round's workshop's rooms,
        participants and chat bindings whenever half their ttl has passed; how many open rounds
        this process had not read before (their answers are rehearsed: ``prepare_answers``).

        A round is opened by one process and pressed in every process a load balancer spreads
        the webhooks over, and a burst of votes starts at once in many workshops. Without this,
        the first presses of each workshop in each other process waited for three reads in a
        row (200-300 ms when 20 workshops started voting at once, bench/scaleout.py); with the
        first reads only, the entries were past their ttl when the votes came, and the reads
        behind them, twenty at once, opened pooled connections in the burst's first 100 ms.
        Read here one after another, the entries stay fresh while a round is open.
        """
        started = self._rounds.now()
        open_now = await self.store.open_rounds()
        new = [round_ for round_ in open_now if self._rounds.peek(round_.id) is None]
        for round_ in open_now:
            self._rounds.put_read(round_.id, round_, started)
        await self._warm_workshops({round_.workshop_id for round_ in open_now})
        for round_ in new:
            await self.store.prepare_answers(round_.id)
        return len(new)

    async def _warm_workshops(self, workshop_ids: set[int]) -> None:
        """Read the rooms, participants and the bindings of all the chats of each of
        ``workshop_ids`` whenever half the bindings' ttl (the shortest) has passed.

        Every participant's first vote in a round asks for their chat's binding (the browser's
        page, the private chat that gets the results). Read one by one, 200 phones that joined a
        few seconds before voting each read theirs again right in the vote's first second: 83
        reads among the first 200 votes made them queue (bench/screen.py: p99 394-512 ms at 500
        votes a second; 49-54 ms with the bindings fresh)."""
        now = self._bindings.now()
        self._workshops_read_at = {
            workshop_id: at
            for workshop_id, at in self._workshops_read_at.items()
            if workshop_id in workshop_ids
        }
        for workshop_id in sorted(workshop_ids):
            if now - self._workshops_read_at.get(workshop_id, -math.inf) < self._bindings.ttl / 2:
                continue
            self._workshops_read_at[workshop_id] = now
            await self._rooms.load(workshop_id, functools.partial(self._read_rooms, workshop_id))
            await self._people.load(workshop_id, functools.partial(self._read_people, workshop_id))
            await self._bindings.read_many(functools.partial(self._bound_chats, workshop_id))

    async def _bound_chats(self, workshop_id: int) -> list[tuple[str, tuple[int | None]]]:
        return [(chat_key, (workshop_id,)) for chat_key in await self.store.bound_chats(workshop_id)]

    async def aclose(self) -> None:
        """Stop the background reads of stale entries (the bot is stopping)."""
        for cache in (self._rounds, self._people, self._rooms, self._bindings):
            await cache.aclose()

    async def keep_open_rounds_warm(self, every: float = WARM_EVERY_SECONDS) -> None:
        """:meth:`warm_open_rounds` every ``every`` seconds until cancelled (a background task
        of the running bot); a database away is only noted, the presses meet it themselves."""
        while True:
            try:
                await self.warm_open_rounds()
            except Exception as error:
                log.debug("open rounds could not be read ahead (%s)", type(error).__name__)
            await asyncio.sleep(every)

    async def open_round(self, round_id: int) -> Round:
        """Open a draft round; opening twice, reopening a closed round, or a second open round is refused."""
        round_ = await self.require_round(round_id)
        await self._no_open_round(round_.workshop_id, but=round_id)
        self._rounds.drop(round_id)
        if not await self.store.transition_round(round_id, RoundStatus.DRAFT, RoundStatus.OPEN, self.clock()):
            raise DomainError(
                "error.round_not_draft" if round_.status == RoundStatus.OPEN else "error.round_closed"
            )
        return await self.require_round(round_id)

    async def close_round(self, round_id: int) -> Round:
        """Close an open round; answers after this are refused.

        In the same transaction the round's answers are frozen (copied without keys, with each
        participant's sector as it is now), its frame and turnout fixed: what it publishes from now
        on never changes, whoever changes sector or asks to be forgotten afterwards.
        """
        round_ = await self.require_round(round_id)
        self._rounds.drop(round_id)
        frame = round_.frame or await self.live_frame(round_.workshop_id)
        # Marked before the close is committed: no page of this process sees the round closed
        # and not marked, and posts the results this process is about to post.
        with self._done_here_unless_failed((round_id, CLOSED)):
            closed = await self.store.close_round(round_id, self.clock(), frame)
            if not closed:
                raise DomainError(
                    "error.round_closed" if round_.status == RoundStatus.CLOSED else "error.round_not_open"
                )
        return await self.require_round(round_id)

    @contextlib.contextmanager
    def _done_here_unless_failed(self, mark: tuple[int, int | None]) -> Iterator[None]:
        """Mark a close or step as this process's before it is committed (no page of this
        process sees it in the database unmarked and posts what this process is about to post);
        taken back if it fails."""
        self._done_here[mark] = None
        while len(self._done_here) > DONE_HERE_KEPT:
            self._done_here.popitem(last=False)
        try:
            yield
        except BaseException:
            self._done_here.pop(mark, None)
            raise

    def closed_here(self, round_id: int) -> bool:
        """Whether this process closed ``round_id`` (since it started): it has posted, or is
        posting, the round's results in the rooms it serves."""
        return (round_id, CLOSED) in self._done_here

    def stepped_here(self, round_id: int, position: int | None) -> bool:
        """Whether this process stepped ``round_id`` to ``position`` (since it started): it has
        posted, or is posting, that statement in the rooms it serves."""
        return position is not None and (round_id, position) in self._done_here

    async def start_stepping(self, round_id: int) -> None:
        """A round just created in step mode shows its first item (posted by this process)."""
        with self._done_here_unless_failed((round_id, 0)):
            await self.store.set_current_position(round_id, 0)

    async def step(self, round_id: int, position: int | None) -> Round:
        """Show one item at a time (``position``) or all items (``None``) of an open round.

        Stepping on freezes the items left behind: their answers are final (no more are taken)
        and what is shown of them now is what the round will show of them forever.
        """
        round_ = await self.require_round(round_id)
        if round_.status != RoundStatus.OPEN:
            raise DomainError("error.round_not_open")
        if position is not None and not 0 <= position < len(round_.items):
            raise DomainError("error.no_more_items")
        passed = [item.id for item in round_.items if position is not None and item.position < position]
        if passed:
            await self.store.freeze_items(
                round_id, passed, round_.frame or await self.live_frame(round_.workshop_id)
            )
        with self._done_here_unless_failed((round_id, position)):
            await self.store.set_current_position(round_id, position)
        self._rounds.drop(round_id)
        round_.current_position = position
        return round_

    async def _no_open_round(self, workshop_id: int, but: int | None = None) -> None:
        """One open round per workshop: "close" and "results" then always mean the same round, and a
        replayed or doubled launch command cannot leave two rounds open."""
        current = await self.open_round_of(workshop_id)
        if current is not None and current.id != but:
            raise DomainError("error.round_still_open", number=current.id)

    async def open_round_of(self, workshop_id: int) -> Round | None:
        """The workshop's most recent open round, if any."""
        rounds = [r for r in await self.store.rounds(workshop_id) if r.status == RoundStatus.OPEN]
        return max(rounds, key=lambda r: r.id) if rounds else None

    # --- answering -----------------------------------------------------------------------
    async def answer(
        self, round_id: int, item_id: int, participant_key: str, value: int, press_key: str = ""
    ) -> tuple[Round, Participant]:
        """Record or change one answer (a barometer position or an approval mark); a ``press_key``
        already recorded (a press delivered again) changes nothing."""
        round_, participant = await self._answerable(round_id, participant_key)
        item = round_.item(item_id)
        if item is None:
            raise DomainError("error.bad_button")
        rules = self.rules.get(round_.kind)
        if rules is None:
            raise DomainError("error.bad_button")
        try:
            rules.check_answer(round_, item, value)
        except DomainError as refusal:  # the cached round may not know the facilitator stepped on
            if refusal.key != "error.item_not_current":
                raise
            round_ = await self._read_round(round_id)
            item = round_.item(item_id)
            if item is None:
                raise DomainError("error.bad_button") from None
            rules.check_answer(round_, item, value)
        if not await self.store.set_response(
            round_id, item_id, participant_key, value, self.clock(), press_key
        ):
            self._rounds.drop(round_id)
            now = await self.require_round(round_id)  # closed, or stepped past this statement
            raise DomainError(
                "error.item_not_current" if now.status == RoundStatus.OPEN else "error.round_closed"
            )
        return round_, participant

    async def change_ballot(
        self, round_id: int, participant_key: str, change: BallotChange, press_key: str = ""
    ) -> tuple[dict[int, int], Participant]:
        """Change a participant's whole ballot (ranking, points or approvals) in one atomic step.

        ``change`` gets the stored ballot and returns the new one, or raises DomainError and
        nothing changes. The store runs it under a lock on the ballot, so two presses handled by
        two processes at once both count; a ``press_key`` already applied (a press delivered
        again) changes nothing. Exercise modules check the ballot's shape
        (:mod:`facilitation.prioritisation`); here the items and the open state are checked.
        Returns the ballot as stored afterwards.
        """
        round_, participant = await self._answerable(round_id, participant_key)

        def checked(stored: dict[int, int]) -> dict[int, int]:
            ballot = change(stored)
            if any(round_.item(item_id) is None for item_id in ballot):
                raise DomainError("error.bad_button")
            return ballot

        ballot = await self.store.update_ballot(round_id, participant_key, checked, self.clock(), press_key)
        if ballot is None:
            raise DomainError("error.round_closed")
        return ballot, participant

    async def submit_ballot(
        self, round_id: int, participant_key: str, ballot: Mapping[int, int]
    ) -> tuple[dict[int, int], Participant]:
        """Replace a participant's whole ballot by ``ballot`` (see :meth:`change_ballot`)."""
        return await self.change_ballot(round_id, participant_key, lambda _stored: dict(ballot))

    async def _answerable(self, round_id: int, participant_key: str) -> tuple[Round, Participant]:
        round_ = await self.cached_round(round_id)
        if round_.status == RoundStatus.CLOSED:
            raise DomainError("error.round_closed")
        if round_.status != RoundStatus.OPEN:
            raise DomainError("error.round_not_open")
        people = await self._people_of(round_.workshop_id)
        participant = people.get(participant_key) or Participant(participant_key, round_.workshop_id)
        return round_, participant

    async def _people_of(self, workshop_id: int) -> dict[str, Participant]:
        """The workshop's participants by key, read at most once per cache period."""
        return await self._people.get(workshop_id, lambda: self._read_people(workshop_id))

    async def _read_people(self, workshop_id: int) -> dict[str, Participant]:
        return {p.key: p for p in await self.store.participants(workshop_id)}

    # --- frames and anonymous read-outs ------------------------------------------------------
    async def live_frame(self, workshop_id: int) -> ResultFrame:
        """The frame a round of this workshop would be judged by now: the stricter of the
        installation's and the process's minimum group size, and the process's sectors."""
        workshop = await self.require_workshop(workshop_id)
        process = self.processes.get(workshop.process_key)
        minimum = effective_min_group_size(self.min_group_size, process.min_group_size if process else None)
        return ResultFrame(minimum, process.sectors if process else DEFAULT_SECTORS)

    async def result_frame(self, round_: Round) -> ResultFrame:
        """The frame ``round_``'s results are judged by: the one fixed into it, if any.

        A round closed before frames were kept gets today's frame, fixed into it the first time
        its results are read, so from then on it never changes either.
        """
        if round_.frame is not None:
            return round_.frame
        frame = await self.live_frame(round_.workshop_id)
        if round_.status == RoundStatus.CLOSED:
            await self.store.fix_frame(round_.id, frame)
            fixed = await self.require_round(round_.id)
            return fixed.frame or frame
        return frame

    async def turnout(self, round_id: int) -> int:
        """How many have answered; for a closed round the number fixed when it closed."""
        return await self.turnout_of(await self.require_round(round_id))

    async def turnout_of(self, round_: Round) -> int:
        """:meth:`turnout` of a round just read (a live tally's edit reads it anyway: reading it
        twice was half the round reads of a burst of votes on PostgreSQL)."""
        if round_.status == RoundStatus.CLOSED and round_.turnout is not None:
            return round_.turnout
        return await self.store.turnout(round_.id)

    async def sector_values(self, round_id: int) -> list[SectorValues]:
        """The frozen answers per item grouped by sector, with no participant key attached.

        Only final answers are ever aggregated: an item not yet frozen (still being answered)
        has none here.
        """
        round_ = await self.require_round(round_id)
        per_item: dict[int, dict[SectorKey, list[int]]] = {item.id: {} for item in round_.items}
        for answer in await self.store.frozen_answers(round_id):
            per_item[answer.item_id].setdefault(answer.sector, []).append(answer.value)
        return [SectorValues(item.text, per_item[item.id]) for item in round_.items]

    async def frozen_ballots(self, round_id: int) -> dict[SectorKey, list[dict[int, int]]]:
        """The frozen ballots (item id → value) of a closed round, grouped by sector, without keys."""
        ballots: dict[int, dict[int, int]] = {}
        sectors: dict[int, SectorKey] = {}
        for answer in await self.store.frozen_answers(round_id):
            ballots.setdefault(answer.ballot, {})[answer.item_id] = answer.value
            sectors[answer.ballot] = answer.sector
        grouped: dict[SectorKey, list[dict[int, int]]] = {}
        for number in sorted(ballots):
            grouped.setdefault(sectors[number], []).append(ballots[number])
        return grouped

    async def ballots_by_sector(self, round_id: int) -> dict[SectorKey, list[dict[int, int]]]:
        """The current ballots of an open round (for counts in its tally), grouped by sector, keys dropped."""
        round_ = await self.require_round(round_id)
        sectors = await self._sectors(round_.workshop_id)
        ballots: dict[str, dict[int, int]] = {}
        for response in await self.store.responses(round_id):
            ballots.setdefault(response.participant_key, {})[response.item_id] = response.value
        grouped: dict[SectorKey, list[dict[int, int]]] = {}
        keys = list(ballots)
        secrets.SystemRandom().shuffle(keys)
        for key in keys:
            grouped.setdefault(sectors.get(key), []).append(ballots[key])
        return grouped

    async def own_answers(self, round_id: int, participant_key: str) -> dict[int, int]:
        """The participant's own current answers (shown only to them)."""
        return await self.store.own_responses(round_id, participant_key)

    async def _sectors(self, workshop_id: int) -> dict[str, SectorKey]:
        return {p.key: p.sector for p in await self.store.participants(workshop_id)}
