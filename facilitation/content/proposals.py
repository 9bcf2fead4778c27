"""Proposal rounds: participants propose statements or principles, the facilitator moderates.

As Pol.is moderates comments: every proposal waits for the facilitator, who sees it by number
and text only (never who wrote it, nor in which order one person wrote theirs: numbers run over
the whole round), merges duplicates (the duplicate counts as support for the one it joins),
accepts or rejects. An accepted proposal becomes an item of the workshop's list
(:mod:`facilitation.content.editing`, with a key of its own), so the workshop's next barometer
(statements) or prioritisation (principles) holds it.

A proposal is stored under its author's pseudonymous key in the workshop, like an answer: for
the limits per person, and so that ``/glom`` deletes it. A proposal whose text is the same as
an earlier one of the round (letters and digits, any case) is stored merged into it at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from facilitation.clock import Clock, utc_now
from facilitation.content.editing import WorkshopContent
from facilitation.content.model import (
    CATALOGUES,
    ItemChange,
    Origin,
    Proposal,
    ProposalRound,
    ProposalStatus,
    SubmitRefusal,
)
from facilitation.content.moderation import check_proposal, likeness, normalised
from facilitation.errors import DomainError
from facilitation.model import Workshop

DEFAULT_PER_PERSON = 3
DEFAULT_PER_ROUND = 100
MAX_PER_PERSON = 20
MAX_PER_ROUND = 500
#: From this likeness on (0–1) a proposal is offered as a possible duplicate of another.
ALIKE = 0.5


@dataclass(frozen=True)
class Submitted:
    """A stored proposal and what its author is told."""

    proposal: Proposal
    left: int  # proposals the author may still make in the round
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Overview:
    """A proposal round as the facilitator's moderation view shows it (never an author)."""

    round: ProposalRound
    proposals: list[Proposal]

    def by_status(self, status: ProposalStatus) -> list[Proposal]:
        return [p for p in self.proposals if p.status == status]

    def support(self, number: int) -> int:
        """How many proposed it: itself and those merged into it (also through another merged one)."""
        merged_into = {p.number: p.merged_into for p in self.proposals}

        def root(n: int) -> int:
            seen = set()
            while merged_into.get(n) is not None and n not in seen:
                seen.add(n)
                n = merged_into[n] or n
            return n

        return sum(1 for p in self.proposals if root(p.number) == number)

    def alike(self, number: int, limit: int = 3) -> list[Proposal]:
        """Proposals (not merged, not rejected) that look like ``number``, most alike first."""
        this = next((p for p in self.proposals if p.number == number), None)
        if this is None:
            return []
        scored = [
            (likeness(this.text, other.text), other)
            for other in self.proposals
            if other.number != number and other.status in (ProposalStatus.PENDING, ProposalStatus.ACCEPTED)
        ]
        return [p for score, p in sorted(scored, key=lambda pair: -pair[0]) if score >= ALIKE][:limit]


class Proposals:
    """Proposal rounds of workshops over a content store."""

    def __init__(self, content: WorkshopContent, clock: Clock = utc_now) -> None:
        self.content = content
        self.store = content.content
        self.clock = clock

    async def open(
        self,
        workshop: Workshop,
        catalogue: str,
        per_person: int = DEFAULT_PER_PERSON,
        per_round: int = DEFAULT_PER_ROUND,
    ) -> ProposalRound:
        if catalogue not in CATALOGUES:
            raise DomainError("proposal.error.bad_args")
        if not 1 <= per_person <= MAX_PER_PERSON or not 1 <= per_round <= MAX_PER_ROUND:
            raise DomainError("proposal.error.bad_limits", person=MAX_PER_PERSON, round=MAX_PER_ROUND)
        round_ = await self.store.open_proposal_round(
            workshop.id, catalogue, per_person, per_round, self.clock()
        )
        if round_ is None:
            raise DomainError("proposal.error.already_open")
        return round_

    async def latest(self, workshop: Workshop) -> ProposalRound:
        round_ = await self.store.proposal_round(workshop.id)
        if round_ is None:
            raise DomainError("proposal.error.none")
        return round_

    async def open_round(self, workshop: Workshop) -> ProposalRound | None:
        round_ = await self.store.proposal_round(workshop.id)
        return round_ if round_ is not None and round_.is_open else None

    async def close(self, workshop: Workshop) -> ProposalRound:
        round_ = await self.latest(workshop)
        if not await self.store.close_proposal_round(round_.id):
            raise DomainError("proposal.error.closed")
        return round_

    async def submit(self, workshop: Workshop, author_key: str, text: str) -> Submitted:
        """Store a proposal (checked first: a refused one changes nothing)."""
        round_ = await self.open_round(workshop)
        if round_ is None:
            raise DomainError("proposal.error.closed")
        cleaned = check_proposal(text, round_.catalogue)
        same = next(
            (
                p
                for p in await self.store.proposals(round_.id)
                if p.status != ProposalStatus.REJECTED and normalised(p.text) == normalised(cleaned)
            ),
            None,
        )
        duplicate_of = None if same is None else (same.merged_into or same.number)
        stored = await self.store.add_proposal(round_.id, author_key, cleaned, self.clock(), duplicate_of)
        if isinstance(stored, SubmitRefusal):
            if stored == SubmitRefusal.PERSON:
                raise DomainError("proposal.error.person_limit", limit=round_.per_person)
            if stored == SubmitRefusal.ROUND:
                raise DomainError("proposal.error.round_limit", limit=round_.per_round)
            raise DomainError("proposal.error.closed")
        mine = await self._count_of(round_, author_key)
        return Submitted(stored, max(0, round_.per_person - mine), duplicate_of)

    async def _count_of(self, round_: ProposalRound, author_key: str) -> int:
        return await self.store.count_by_author(round_.id, author_key)

    async def overview(self, workshop: Workshop) -> Overview:
        round_ = await self.latest(workshop)
        return Overview(round_, await self.store.proposals(round_.id))

    async def _pending(self, overview: Overview, number: int) -> Proposal:
        proposal = next((p for p in overview.proposals if p.number == number), None)
        if proposal is None:
            raise DomainError("proposal.error.no_such", number=number)
        if proposal.status != ProposalStatus.PENDING:
            raise DomainError(f"proposal.error.already.{proposal.status.value}", number=number)
        return proposal

    async def accept(self, workshop: Workshop, number: int) -> str:
        """Proposal ``number`` becomes an item of the workshop's list; returns its key."""
        async with self.content.held(workshop.id):
            overview = await self.overview(workshop)
            proposal = await self._pending(overview, number)

            async def store(change: ItemChange) -> None:
                if not await self.store.moderate(
                    overview.round.id, number, ProposalStatus.ACCEPTED, item=(workshop.id, change)
                ):
                    raise DomainError("proposal.error.already.accepted", number=number)

            change = await self.content.stored_new_item(
                workshop, overview.round.catalogue, proposal.text, store, origin=Origin.PROPOSAL
            )
        return change.key

    async def reject(self, workshop: Workshop, number: int) -> None:
        overview = await self.overview(workshop)
        await self._pending(overview, number)
        if not await self.store.moderate(overview.round.id, number, ProposalStatus.REJECTED):
            raise DomainError("proposal.error.already.rejected", number=number)

    async def merge(self, workshop: Workshop, number: int, into: int) -> None:
        """``number`` duplicates ``into``: it counts as support for ``into`` and leaves the queue."""
        overview = await self.overview(workshop)
        await self._pending(overview, number)
        target = next((p for p in overview.proposals if p.number == into), None)
        if target is None or into == number:
            raise DomainError("proposal.error.no_such", number=into)
        if target.status == ProposalStatus.MERGED and target.merged_into is not None:
            into = target.merged_into
        elif target.status == ProposalStatus.REJECTED:
            raise DomainError("proposal.error.merge_rejected", number=into)
        if not await self.store.moderate(overview.round.id, number, ProposalStatus.MERGED, merged_into=into):
            raise DomainError("proposal.error.already.merged", number=number)

    async def forget(self, keys: Sequence[str]) -> int:
        return await self.store.forget_authors(keys)
