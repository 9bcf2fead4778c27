"""What a workshop's content needs of storage; :mod:`storage.content_repository` implements it on
SQLAlchemy, :mod:`facilitation.content.memory_store` in memory (the same contract tests run on both)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from facilitation.content.model import (
    ItemChange,
    Proposal,
    ProposalRound,
    ProposalStatus,
    SubmitRefusal,
)


class ItemKeyTaken(Exception):
    """A new item's key is stored already: another process added an item to the same workshop at
    the same moment and took the key first. Nothing was stored; compute the key again."""


class ContentStore(Protocol):
    """Item changes per workshop, proposal rounds and proposals. Every method is one transaction."""

    async def item_changes(self, workshop_id: int) -> list[ItemChange]:
        """The workshop's stored changes (one per catalogue and key)."""
        ...

    async def save_item_changes(self, workshop_id: int, changes: Sequence[ItemChange]) -> None:
        """Store ``changes``, each replacing the workshop's earlier change of its catalogue and key."""
        ...

    async def add_item(self, workshop_id: int, change: ItemChange) -> None:
        """Store a new item under its own key; :class:`ItemKeyTaken` (nothing stored) if the key is
        taken, never replacing the item another process added under it a moment before."""
        ...

    async def open_proposal_round(
        self, workshop_id: int, catalogue: str, per_person: int, per_round: int, at: datetime
    ) -> ProposalRound | None:
        """A new open proposal round; ``None`` if the workshop has one open already."""
        ...

    async def proposal_round(self, workshop_id: int) -> ProposalRound | None:
        """The workshop's latest proposal round (open or not)."""
        ...

    async def close_proposal_round(self, round_id: int) -> bool:
        """Take no more proposals; False if it was not open."""
        ...

    async def add_proposal(
        self, round_id: int, author_key: str, text: str, at: datetime, duplicate_of: int | None = None
    ) -> Proposal | SubmitRefusal:
        """Store a proposal under its author's pseudonymous key, numbered next in its round.

        The round must be open, the author below the round's ``per_person`` and the round below
        its ``per_round`` (checked in the transaction, so two at once cannot pass a limit).
        ``duplicate_of`` (a proposal's number) stores it merged into that one at once.
        """
        ...

    async def count_by_author(self, round_id: int, author_key: str) -> int:
        """How many proposals ``author_key`` made in the round (told only to that author)."""
        ...

    async def proposals(self, round_id: int) -> list[Proposal]:
        """The round's proposals in their order, without authors."""
        ...

    async def moderate(
        self,
        round_id: int,
        number: int,
        status: ProposalStatus,
        *,
        merged_into: int | None = None,
        item: tuple[int, ItemChange] | None = None,
    ) -> bool:
        """Move a pending proposal to ``status`` (with the proposal it duplicates, or, accepted,
        the workshop item ``item`` = (workshop id, change) it becomes, stored in the same
        transaction as by :meth:`add_item`). False if it is not pending any more (a press delivered
        twice changes nothing); :class:`ItemKeyTaken` (nothing changed) if the item's key is taken.
        """
        ...

    async def forget_authors(self, keys: Sequence[str]) -> int:
        """Delete the proposals written under ``keys`` (one person's keys); the number deleted.

        Proposals merged into a deleted one are pending again. An accepted proposal's workshop
        item stays: it is the facilitator's item now, and holds no key.
        """
        ...
