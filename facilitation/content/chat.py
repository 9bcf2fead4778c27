"""The chat side of a workshop's own content and of proposal rounds.

``install(conversation, store)`` registers

* ``/innehall`` (``/content``), facilitators, best in a private chat bound to the workshop: the
  workshop's statements and principles (the process file with this workshop's changes), and
  ``/innehall påstående ny TEXT [| English]``, ``… NR TEXT [| English]`` (reword), ``… NR bort``,
  ``… NR flytta TILL``, the same with ``princip``;
* ``/forslag`` (``/propose``), facilitators: ``/forslag principer|påståenden [max=N] [totalt=N]``
  opens a proposal round (announced in the workshop's rooms), ``/forslag`` shows the moderation
  view (one waiting proposal with buttons: accept, reject, "same as #N" for the proposals it
  looks like, next), ``/forslag godta 1,3-4``, ``avvisa 2``, ``samma 4 1``, ``lista``, ``stang``;
* ``/foresla TEXT`` (``/suggest``), anyone in the workshop, in a room or in private; in a private
  chat bound to a workshop whose proposal round is open, any plain text is a proposal;
* the moderation button ``fm`` (proposal round, number, operation, other number).

The facilitator sees proposals by number and text only; they are stored under the author's
pseudonymous key (limits, ``/glom``). It also lays the workshop's lists over the process for
every round (``service.workshop_process``), adds a line to ``/omgangar`` and a file to
``/export`` saying where each item of a round comes from and which were reworded.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from facilitation.content import texts as _texts  # noqa: F401  (registers the texts)
from facilitation.content.editing import WorkshopContent
from facilitation.content.model import (
    PRINCIPLES,
    STATEMENTS,
    Origin,
    ProposalStatus,
)
from facilitation.content.proposals import Overview, Proposals
from facilitation.content.store import ContentStore
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.export import Table, to_csv
from facilitation.i18n import t
from facilitation.input_rules import whole_number
from facilitation.menu import PRIVATE, Menu
from facilitation.model import Language, Round, Workshop
from facilitation.ports import Attachment, Button, ButtonEvent, Keyboard, PortError
from facilitation.turn import Turn

log = logging.getLogger(__name__)

MODERATE_ACTION = "fm"
ACCEPT, REJECT, MERGE, SKIP = 1, 2, 3, 4
_CATALOGUE_WORDS = {
    **dict.fromkeys(
        ("påstående", "påståenden", "pastaende", "pastaenden", "statement", "statements"), STATEMENTS
    ),
    **dict.fromkeys(("princip", "principer", "principle", "principles"), PRINCIPLES),
}
_ADD = frozenset({"ny", "nytt", "lägg", "lagg", "new", "add"})
_REMOVE = frozenset({"bort", "ta-bort", "remove", "delete"})
_MOVE = frozenset({"flytta", "move"})
_ACCEPT = frozenset({"godta", "acceptera", "accept"})
_REJECT = frozenset({"avvisa", "reject"})
_MERGE = frozenset({"samma", "slå", "sla", "merge"})
_LIST = frozenset({"lista", "list", "alla", "all"})
_CLOSE = frozenset({"stang", "stäng", "close"})


ADD, REWORD, REMOVE, MOVE = "add", "reword", "remove", "move"
OPERATIONS = (ADD, REWORD, MOVE, REMOVE)


@dataclass(frozen=True)
class Edit:
    """One change of a workshop's list: ``operation`` on item ``number`` (1-based; not for add)."""

    catalogue: str
    operation: str
    number: int = 0
    to: int = 0
    text: str = ""
    text_en: str | None = None


def parse_edit(args: Sequence[str], lang: Language) -> Edit:
    """``/innehall påstående ny TEXT [| English]`` and the like as an :class:`Edit`."""
    refused = DomainError("error.bad_args", usage=t("content.usage", lang))
    catalogue = _CATALOGUE_WORDS.get(args[0].lower()) if args else None
    if catalogue is None or len(args) < 2:
        raise refused
    verb = args[1].lower()
    if verb in _ADD:
        swedish, english = split_languages(args[2:])
        return Edit(catalogue, ADD, text=swedish, text_en=english)
    number = whole_number(verb)
    rest = args[2:]
    if number is None or not rest:
        raise refused
    if rest[0].lower() in _REMOVE and len(rest) == 1:
        return Edit(catalogue, REMOVE, number)
    if rest[0].lower() in _MOVE and len(rest) == 2 and whole_number(rest[1]) is not None:
        return Edit(catalogue, MOVE, number, whole_number(rest[1]) or 0)
    swedish, english = split_languages(rest)
    return Edit(catalogue, REWORD, number, text=swedish, text_en=english)


def split_languages(words: Sequence[str]) -> tuple[str, str | None]:
    """``"Svensk text | English text"`` as (Swedish, English or None when no ``|`` was typed)."""
    text = " ".join(words)
    if "|" not in text:
        return text, None
    swedish, _, english = text.partition("|")
    return swedish, english


def selection(spec: str) -> list[int]:
    """``"1,3,5-7"`` as numbers (at most 100 of them); DomainError otherwise."""
    numbers: list[int] = []
    for part in filter(None, spec.replace(" ", "").split(",")):
        first, _, last = part.partition("-")
        low, high = whole_number(first), whole_number(last) if last else whole_number(first)
        if low is None or high is None or not 1 <= low <= high or high - low > 100:
            raise DomainError("proposal.error.no_such", number=part[:12])
        numbers.extend(range(low, high + 1))
    if not numbers or len(numbers) > 100:
        raise DomainError("proposal.error.no_such", number=spec[:12])
    return numbers


class ContentChat:
    """The handlers, over a content store."""

    def __init__(self, conversation: Conversation, store: ContentStore) -> None:
        self.conversation = conversation
        service = conversation.service
        self.content = WorkshopContent(store, service.store, lambda: service.processes)
        self.proposals = Proposals(self.content, service.clock)

    def register(self, conv: Conversation) -> None:
        conv.register_command(
            ("innehall", "innehåll", "content"),
            self.cmd_content,
            facilitator_only=True,
            room_admins=True,
            menu=Menu("innehall", "content", frozenset({PRIVATE})),
        )
        conv.register_command(
            ("forslag", "förslag", "propose"),
            self.cmd_proposals,
            facilitator_only=True,
            room_admins=True,
            menu=Menu("forslag", "propose"),
        )
        conv.register_command(
            ("foresla", "föreslå", "suggest"),
            self.cmd_submit,
            facilitator_only=False,
            menu=Menu("foresla", "suggest"),
        )
        conv.register_action(MODERATE_ACTION, self.on_moderate)
        conv.text_takers.append(self.take_text)
        conv.rounds_notes.append(self.rounds_note)
        conv.export_extras.append(self.export_origins)
        conv.service.workshop_process = self.content.process_for
        conv.service.forgetters.append(self.proposals.forget)

    # --- /innehall ----------------------------------------------------------------------
    async def cmd_content(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await conv.bound_workshop(turn)
        if not args:
            await turn.reply(await self.listing(workshop, turn.lang))
            return
        await turn.reply(await self.apply(workshop, parse_edit(args, turn.lang), turn.lang))

    async def apply(self, workshop: Workshop, edit: Edit, lang: Language) -> str:
        """Carry out ``edit`` (from ``/innehall`` or Slack's modal); the confirmation in ``lang``."""
        catalogue = edit.catalogue
        what = t(f"content.one.{catalogue}", lang)
        if edit.operation == ADD:
            item = await self.content.add(workshop, catalogue, edit.text, edit.text_en or "")
            place = [i.key for i in await self.content.items(workshop, catalogue)].index(item.key) + 1
            return t("content.added", lang, what=what, number=place, key=item.key, text=item.text)
        number = edit.number
        if edit.operation == REMOVE:
            item = await self.content.remove(workshop, catalogue, number)
            return t("content.removed", lang, What=what.capitalize(), number=number, text=item.text)
        if edit.operation == MOVE:
            items = await self.content.move(workshop, catalogue, number, edit.to)
            return t(
                "content.moved", lang, What=what.capitalize(), text=items[edit.to - 1].text, number=edit.to
            )
        item = await self.content.reword(workshop, catalogue, number, edit.text, edit.text_en)
        return t(
            "content.reworded_done",
            lang,
            What=what.capitalize(),
            number=number,
            key=item.key,
            text=item.text + (f" | {item.text_en}" if item.text_en else ""),
        )

    async def listing(self, workshop: Workshop, lang: Language) -> str:
        parts = []
        for catalogue in (STATEMENTS, PRINCIPLES):
            lines = [t(f"content.catalogue.{catalogue}", lang) + ":"]
            for number, item in enumerate(await self.content.items(workshop, catalogue), start=1):
                marks = [t("content.reworded", lang)] if item.reworded else []
                if item.origin != Origin.TEMPLATE:
                    marks.append(t(f"content.origin.{item.origin.value}", lang))
                english = f" | {item.text_en}" if item.text_en else ""
                lines.append(f"{number}. {item.text}{english}" + (f" ({', '.join(marks)})" if marks else ""))
            parts.append("\n".join(lines))
        lists = "\n\n".join([*parts, t("content.list_usage", lang)])
        return t("content.list", lang, title=workshop.title, process=workshop.process_key, lists=lists)

    # --- /omgangar and /export ------------------------------------------------------------
    async def rounds_note(self, workshop: Workshop, lang: Language) -> str:
        changes = await self.content.content.item_changes(workshop.id)
        lines = []
        items = await self.content.all_items(workshop)
        added = sum(1 for c in changes if c.origin == Origin.CHAT and not c.removed)
        proposed = sum(1 for c in changes if c.origin == Origin.PROPOSAL and not c.removed)
        reworded = [items[c.key] for c in changes if c.reworded and not c.removed and c.key in items]
        removed = sum(1 for c in changes if c.removed)
        parts = []
        if added:
            parts.append(t("content.rounds_note.added", lang, n=added))
        if proposed:
            parts.append(t("content.rounds_note.proposals", lang, n=proposed))
        if reworded:
            names = ", ".join(f"{i.key} ”{i.text[:40]}”" for i in reworded)
            parts.append(t("content.rounds_note.reworded", lang, items=names))
        if removed:
            parts.append(t("content.rounds_note.removed", lang, n=removed))
        if parts:
            lines.append(t("content.rounds_note", lang, parts="; ".join(parts)))
        round_ = await self.content.content.proposal_round(workshop.id)
        if round_ is not None:
            overview = Overview(round_, await self.content.content.proposals(round_.id))
            lines.append(
                t(
                    "content.rounds_note.proposal_round",
                    lang,
                    what=t(f"proposal.what.{round_.catalogue}", lang),
                    state=t(f"proposal.state.{'open' if round_.is_open else 'closed'}", lang),
                    total=len(overview.proposals),
                    pending=len(overview.by_status(ProposalStatus.PENDING)),
                    accepted=len(overview.by_status(ProposalStatus.ACCEPTED)),
                )
            )
        return "\n".join(lines)

    async def export_origins(self, round_: Round, lang: Language) -> list[Attachment]:
        """Where each item of a closed round comes from: the process file (reworded or not), the
        chat, or a participant's proposal, with its key (to match it with another year)."""
        workshop = await self.conversation.service.require_workshop(round_.workshop_id)
        items = await self.content.all_items(workshop)
        if not any(i.origin != Origin.TEMPLATE or i.reworded for i in items.values()):
            return []
        yes, no = t("content.export.yes", lang), t("content.export.no", lang)
        table = Table(
            t("content.export.origin", lang),
            [
                t(f"content.export.{column}", lang)
                for column in ("number", "key", "text", "origin", "reworded", "template_text")
            ],
        )
        for item in round_.items:
            known = items.get(item.ref_key)
            origin = known.origin if known else Origin.TEMPLATE
            table.rows.append(
                [
                    item.number,
                    item.ref_key,
                    item.text,
                    t("content.export.origin.template", lang)
                    if origin == Origin.TEMPLATE
                    else t(f"content.origin.{origin.value}", lang),
                    yes if known and known.reworded else no,
                    known.template_text if known else "",
                ]
            )
        caption = t("content.export.caption", lang, number=round_.id)
        return [Attachment(f"omgang-{round_.id}-innehall.csv", to_csv([table], lang), "text/csv", caption)]

    # --- proposals: the facilitator -------------------------------------------------------
    async def cmd_proposals(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await conv.bound_workshop(turn)
        usage = t("proposal.usage", turn.lang)
        if not args:
            await self.show(turn, workshop)
            return
        word = args[0].lower()
        if word in _CATALOGUE_WORDS:
            await self._open(conv, turn, workshop, _CATALOGUE_WORDS[word], args[1:])
        elif word in _CLOSE and len(args) == 1:
            round_ = await self.proposals.close(workshop)
            overview = Overview(round_, await self.content.content.proposals(round_.id))
            await turn.reply(
                t(
                    "proposal.closed",
                    turn.lang,
                    total=len(overview.proposals),
                    pending=len(overview.by_status(ProposalStatus.PENDING)),
                )
            )
        elif word in _LIST and len(args) == 1:
            await turn.reply(self._list(await self.proposals.overview(workshop), turn.lang))
        elif word in (_ACCEPT | _REJECT) and len(args) >= 2:
            lines = []
            for number in selection("".join(args[1:])):
                try:
                    if word in _ACCEPT:
                        key = await self.proposals.accept(workshop, number)
                        lines.append(t("proposal.accepted", turn.lang, number=number, key=key))
                    else:
                        await self.proposals.reject(workshop, number)
                        lines.append(t("proposal.rejected", turn.lang, number=number))
                except DomainError as refusal:
                    lines.append(refusal.message(turn.lang))
            await turn.reply("\n".join(lines))
        elif word in _MERGE and len(args) == 3:
            duplicate, into = whole_number(args[1].lstrip("#")), whole_number(args[2].lstrip("#"))
            if duplicate is None or into is None:
                raise DomainError("proposal.error.bad_args", usage=usage)
            await self.proposals.merge(workshop, duplicate, into)
            await turn.reply(t("proposal.merged", turn.lang, number=duplicate, into=into))
        else:
            raise DomainError("proposal.error.bad_args", usage=usage)

    async def _open(
        self, conv: Conversation, turn: Turn, workshop: Workshop, catalogue: str, options: Sequence[str]
    ) -> None:
        limits = {"per_person": 3, "per_round": 100}
        for option in options:
            name, _, value = option.lower().partition("=")
            number = whole_number(value)
            field = {
                "max": "per_person",
                "per": "per_person",
                "totalt": "per_round",
                "total": "per_round",
            }.get(name)
            if field is None or number is None:
                raise DomainError("proposal.error.bad_args", usage=t("proposal.usage", turn.lang))
            limits[field] = number
        round_ = await self.proposals.open(workshop, catalogue, **limits)
        announced = False
        for room in await conv.service.store.rooms(workshop.id):
            port = conv.ports.get(room.platform)
            if port is None:
                continue
            lang = conv.rooms.language(room, turn, workshop)
            try:
                await port.send_text(
                    room, self._opened_text(workshop, round_.catalogue, round_.per_person, lang)
                )
                announced = announced or room == turn.chat
            except PortError as error:
                log.warning("a proposal round's announcement did not reach a room (%s)", type(error).__name__)
        if not announced:
            await turn.reply(self._opened_text(workshop, round_.catalogue, round_.per_person, turn.lang))
        await turn.reply(t("proposal.opened_facilitator", turn.lang))

    @staticmethod
    def _opened_text(workshop: Workshop, catalogue: str, per_person: int, lang: Language) -> str:
        what = t(f"proposal.what.{catalogue}", lang)
        return t("proposal.opened", lang, what=what, title=workshop.title, per_person=per_person)

    def _list(self, overview: Overview, lang: Language) -> str:
        lines = [self._summary(overview, lang)]
        for p in overview.proposals:
            status = t(f"proposal.status.{p.status.value}", lang, into=p.merged_into or 0)
            support = overview.support(p.number) if p.status != ProposalStatus.MERGED else 0
            extra = t("proposal.support", lang, n=support) if support > 1 else ""
            lines.append(
                t("proposal.list_line", lang, number=p.number, status=status, extra=extra, text=p.text)
            )
        return "\n".join(lines)

    @staticmethod
    def _summary(overview: Overview, lang: Language) -> str:
        return t(
            "proposal.overview",
            lang,
            what=t(f"proposal.what.{overview.round.catalogue}", lang),
            state=t(f"proposal.state.{'open' if overview.round.is_open else 'closed'}", lang),
            total=len(overview.proposals),
            pending=len(overview.by_status(ProposalStatus.PENDING)),
            accepted=len(overview.by_status(ProposalStatus.ACCEPTED)),
            rejected=len(overview.by_status(ProposalStatus.REJECTED)),
            merged=len(overview.by_status(ProposalStatus.MERGED)),
        )

    def card(self, overview: Overview, lang: Language, after: int = 0) -> tuple[str, Keyboard | None]:
        """The moderation view: the first waiting proposal after number ``after`` (from the start
        again if none), with its buttons."""
        waiting = overview.by_status(ProposalStatus.PENDING)
        if not waiting:
            return t("proposal.none_pending", lang), None
        proposal = next((p for p in waiting if p.number > after), waiting[0])
        codec = self.conversation.codec
        rid, number = overview.round.id, proposal.number
        text = t(
            "proposal.card",
            lang,
            number=number,
            left=len(waiting),
            text=proposal.text,
            support=overview.support(number),
        )
        alike = overview.alike(number)
        if alike:
            text += "\n" + t(
                "proposal.card_alike", lang, items=", ".join(f"#{p.number} ”{p.text[:40]}”" for p in alike)
            )
        keyboard: Keyboard = [
            [
                Button(
                    t("proposal.button.accept", lang), codec.encode(MODERATE_ACTION, rid, number, ACCEPT, 0)
                ),
                Button(
                    t("proposal.button.reject", lang), codec.encode(MODERATE_ACTION, rid, number, REJECT, 0)
                ),
            ],
            *(
                [
                    Button(
                        t("proposal.button.merge", lang, number=p.number),
                        codec.encode(MODERATE_ACTION, rid, number, MERGE, p.number),
                    )
                ]
                for p in alike
            ),
            [Button(t("proposal.button.skip", lang), codec.encode(MODERATE_ACTION, rid, number, SKIP, 0))],
        ]
        return text, keyboard

    async def show(self, turn: Turn, workshop: Workshop) -> None:
        overview = await self.proposals.overview(workshop)
        await turn.reply(self._summary(overview, turn.lang))
        text, keyboard = self.card(overview, turn.lang)
        await turn.reply(text, keyboard)

    async def on_moderate(self, conv: Conversation, turn: Turn, args: tuple[int, ...]) -> str:
        """A moderation button: only someone who leads the workshop here; the card then shows the
        next waiting proposal (edited in place where the platform can)."""
        if len(args) != 4 or args[2] not in (ACCEPT, REJECT, MERGE, SKIP):
            raise DomainError("error.bad_button")
        round_id, number, operation, other = args
        workshop = await conv.bound_workshop(turn)
        if not await conv.leadership.may_lead(turn):
            raise DomainError("proposal.error.not_yours")
        latest = await self.proposals.latest(workshop)
        if latest.id != round_id:
            raise DomainError("proposal.error.stale")
        if operation == ACCEPT:
            await self.proposals.accept(workshop, number)
            ack = t("proposal.ack.accepted", turn.lang, number=number)
        elif operation == REJECT:
            await self.proposals.reject(workshop, number)
            ack = t("proposal.ack.rejected", turn.lang, number=number)
        elif operation == MERGE:
            await self.proposals.merge(workshop, number, other)
            ack = t("proposal.ack.merged", turn.lang, number=number, into=other)
        else:
            ack = t("proposal.ack.skipped", turn.lang)
        text, keyboard = self.card(await self.proposals.overview(workshop), turn.lang, after=number)
        event = turn.event
        message = event.message if isinstance(event, ButtonEvent) else None
        try:
            if message is not None:
                await turn.port.edit_message(message, text, keyboard)
            else:
                await turn.reply(text, keyboard)
        except PortError as error:
            log.info("the moderation card could not be updated (%s)", type(error).__name__)
        return ack

    # --- proposals: participants ----------------------------------------------------------
    async def cmd_submit(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        workshop = await conv.bound_workshop(turn)
        if not args:
            raise DomainError("proposal.error.empty")
        await self._submit(conv, turn, workshop, " ".join(args))

    async def take_text(self, turn: Turn, text: str) -> bool:
        """A plain text in a private chat bound to a workshop with an open proposal round is a
        proposal; anything else is not this module's."""
        if not turn.chat.is_private or text.startswith("/"):
            return False
        conv = self.conversation
        chat_key = conv.pseudonymizer.chat_key(turn.chat.platform, turn.chat.chat_id)
        workshop_id = await conv.service.store.bound_workshop(chat_key)
        if workshop_id is None:
            return False
        workshop = await conv.service.require_workshop(workshop_id)
        if await self.proposals.open_round(workshop) is None:
            return False
        await self._submit(conv, turn, workshop, text)
        return True

    async def _submit(self, conv: Conversation, turn: Turn, workshop: Workshop, text: str) -> None:
        submitted = await self.proposals.submit(workshop, conv.participant_key(turn, workshop.id), text)
        if submitted.duplicate_of is not None:
            reply = t(
                "proposal.thanks_duplicate", turn.lang, number=submitted.duplicate_of, left=submitted.left
            )
        else:
            reply = t("proposal.thanks", turn.lang, number=submitted.proposal.number, left=submitted.left)
        if not turn.chat.is_private:
            reply += " " + t("proposal.room_hint", turn.lang)
        await turn.reply(reply)


_installed: weakref.WeakKeyDictionary[Conversation, ContentChat] = weakref.WeakKeyDictionary()


def install(conversation: Conversation, store: ContentStore) -> ContentChat:
    """Register the content and proposal commands once per conversation (later: same one back)."""
    chat = _installed.get(conversation)
    if chat is None:
        chat = ContentChat(conversation, store)
        chat.register(conversation)
        _installed[conversation] = chat
    return chat


def installed(conversation: Conversation) -> ContentChat | None:
    return _installed.get(conversation)
