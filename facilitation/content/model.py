"""The values of a workshop's own content: changes to the template, proposals and their rounds."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from facilitation.model import Principle, Process, Statement

#: The two catalogues of a process a workshop may change.
STATEMENTS, PRINCIPLES = "statements", "principles"
CATALOGUES = (STATEMENTS, PRINCIPLES)
#: The longest text of each catalogue (as the process file allows).
TEXT_LIMIT = {STATEMENTS: 300, PRINCIPLES: 80}
#: The most items of each catalogue a workshop may have (as the process file allows).
ITEM_LIMIT = {STATEMENTS: 50, PRINCIPLES: 30}


class Origin(StrEnum):
    """Where an item of a workshop's list comes from."""

    TEMPLATE = "template"  # the process file
    CHAT = "chat"  # added by a facilitator in a chat
    PROPOSAL = "proposal"  # a participant's proposal, accepted


@dataclass(frozen=True)
class ItemChange:
    """What a workshop changed of one item (by key): one stored row.

    ``text``/``text_en`` ``None`` keep the template's; ``rank`` ``None`` keeps the item at its
    place in the template (a reorder gives every item a rank); ``reworded`` says the text is no
    longer the template's; an item the template lacks has ``origin`` chat or proposal.
    """

    catalogue: str
    key: str
    text: str | None = None
    text_en: str | None = None
    removed: bool = False
    origin: Origin = Origin.TEMPLATE
    rank: int | None = None
    reworded: bool = False


@dataclass(frozen=True)
class WorkshopItem:
    """One statement or principle of a workshop's list, as its rounds draw on it."""

    catalogue: str
    key: str
    text: str
    text_en: str = ""
    origin: Origin = Origin.TEMPLATE
    reworded: bool = False
    #: The process file's text (empty for an item the file lacks).
    template_text: str = ""
    description: str = ""

    def text_in(self, lang: str) -> str:
        return (self.text_en or self.text) if lang == "en" else self.text


def _template(process: Process, catalogue: str) -> list[WorkshopItem]:
    if catalogue == STATEMENTS:
        return [
            WorkshopItem(STATEMENTS, s.key, s.text, s.text_en, template_text=s.text)
            for s in process.statements
        ]
    return [
        WorkshopItem(PRINCIPLES, p.key, p.name, p.name_en, template_text=p.name, description=p.description)
        for p in process.principles
    ]


def ordered(
    process: Process, catalogue: str, changes: Sequence[ItemChange]
) -> list[tuple[WorkshopItem, int]]:
    """The workshop's items of ``catalogue`` with their sort place (rank, else template place)."""
    mine = [c for c in changes if c.catalogue == catalogue]
    by_key = {c.key: c for c in mine}
    placed: list[tuple[WorkshopItem, int]] = []
    template = _template(process, catalogue)
    known = {item.key for item in template}
    for place, item in enumerate(template):
        change = by_key.get(item.key)
        if change is None:
            placed.append((item, place))
            continue
        if change.removed:
            continue
        placed.append(
            (
                dataclasses.replace(
                    item,
                    text=item.text if change.text is None else change.text,
                    text_en=item.text_en if change.text_en is None else change.text_en,
                    reworded=change.reworded,
                ),
                place if change.rank is None else change.rank,
            )
        )
    for change in mine:
        if change.key in known or change.removed:
            continue
        item = WorkshopItem(catalogue, change.key, change.text or "", change.text_en or "", change.origin)
        placed.append((item, change.rank if change.rank is not None else len(template)))
    placed.sort(key=lambda pair: pair[1])
    return placed


def workshop_items(process: Process, catalogue: str, changes: Sequence[ItemChange]) -> list[WorkshopItem]:
    """The template's items of ``catalogue`` with the workshop's ``changes`` laid over, in order."""
    return [item for item, _ in ordered(process, catalogue, changes)]


def workshop_process(process: Process, changes: Sequence[ItemChange]) -> Process:
    """``process`` as the workshop's rounds see it: its statements and principles the workshop's."""
    if not changes:
        return process
    templates = {p.key: p for p in process.principles}
    principles = []
    for item in workshop_items(process, PRINCIPLES, changes):
        template = templates.get(item.key)
        principles.append(
            Principle(
                item.key,
                item.text,
                template.description if template else "",
                template.local if template else True,
                item.text_en,
            )
        )
    statements = tuple(
        Statement(item.key, item.text, item.text_en) for item in workshop_items(process, STATEMENTS, changes)
    )
    return dataclasses.replace(process, statements=statements, principles=tuple(principles))


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"  # a duplicate: it counts as support for the one it was merged into


@dataclass(frozen=True)
class ProposalRound:
    """A workshop's call for proposals of statements or principles."""

    id: int
    workshop_id: int
    catalogue: str
    per_person: int
    per_round: int
    is_open: bool
    opened_at: datetime | None = None


@dataclass(frozen=True)
class Proposal:
    """One proposal as the facilitator sees it: numbered in its round, never with its author."""

    id: int
    round_id: int
    number: int
    text: str
    status: ProposalStatus = ProposalStatus.PENDING
    merged_into: int | None = None  # the number of the proposal it duplicates
    item_key: str | None = None  # the workshop item an accepted proposal became


class SubmitRefusal(StrEnum):
    """Why a store did not take a proposal (the limits are checked in its transaction)."""

    CLOSED = "closed"
    PERSON = "person"
    ROUND = "round"
