"""The content store in memory, for domain tests (same contract as the SQL one)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from datetime import datetime

from facilitation.content.model import (
    ItemChange,
    Proposal,
    ProposalRound,
    ProposalStatus,
    SubmitRefusal,
)
from facilitation.content.store import ItemKeyTaken


class MemoryContentStore:
    def __init__(self) -> None:
        self._changes: dict[tuple[int, str, str], ItemChange] = {}
        self._rounds: dict[int, ProposalRound] = {}
        self._proposals: dict[int, tuple[str, Proposal]] = {}  # id → (author key, proposal)
        self._lock = asyncio.Lock()

    async def item_changes(self, workshop_id: int) -> list[ItemChange]:
        return [c for (w, _, _), c in self._changes.items() if w == workshop_id]

    async def save_item_changes(self, workshop_id: int, changes: Sequence[ItemChange]) -> None:
        async with self._lock:
            for change in changes:
                self._changes[(workshop_id, change.catalogue, change.key)] = change

    async def add_item(self, workshop_id: int, change: ItemChange) -> None:
        async with self._lock:
            self._add(workshop_id, change)

    def _add(self, workshop_id: int, change: ItemChange) -> None:
        if (workshop_id, change.catalogue, change.key) in self._changes:
            raise ItemKeyTaken(change.key)
        self._changes[(workshop_id, change.catalogue, change.key)] = change

    async def open_proposal_round(
        self, workshop_id: int, catalogue: str, per_person: int, per_round: int, at: datetime
    ) -> ProposalRound | None:
        async with self._lock:
            if any(r.workshop_id == workshop_id and r.is_open for r in self._rounds.values()):
                return None
            round_ = ProposalRound(
                len(self._rounds) + 1, workshop_id, catalogue, per_person, per_round, True, at
            )
            self._rounds[round_.id] = round_
            return round_

    async def proposal_round(self, workshop_id: int) -> ProposalRound | None:
        mine = [r for r in self._rounds.values() if r.workshop_id == workshop_id]
        return max(mine, key=lambda r: r.id) if mine else None

    async def close_proposal_round(self, round_id: int) -> bool:
        async with self._lock:
            round_ = self._rounds.get(round_id)
            if round_ is None or not round_.is_open:
                return False
            self._rounds[round_id] = dataclasses.replace(round_, is_open=False)
            return True

    async def add_proposal(
        self, round_id: int, author_key: str, text: str, at: datetime, duplicate_of: int | None = None
    ) -> Proposal | SubmitRefusal:
        async with self._lock:
            round_ = self._rounds.get(round_id)
            if round_ is None or not round_.is_open:
                return SubmitRefusal.CLOSED
            mine = [p for key, p in self._proposals.values() if p.round_id == round_id and key == author_key]
            if len(mine) >= round_.per_person:
                return SubmitRefusal.PERSON
            numbers = [p.number for _, p in self._proposals.values() if p.round_id == round_id]
            if len(numbers) >= round_.per_round:
                return SubmitRefusal.ROUND
            proposal = Proposal(
                max(self._proposals, default=0) + 1,
                round_id,
                max(numbers, default=0) + 1,
                text,
                ProposalStatus.PENDING if duplicate_of is None else ProposalStatus.MERGED,
                duplicate_of,
            )
            self._proposals[proposal.id] = (author_key, proposal)
            return proposal

    async def count_by_author(self, round_id: int, author_key: str) -> int:
        return sum(1 for key, p in self._proposals.values() if p.round_id == round_id and key == author_key)

    async def proposals(self, round_id: int) -> list[Proposal]:
        return sorted(
            (p for _, p in self._proposals.values() if p.round_id == round_id), key=lambda p: p.number
        )

    async def moderate(
        self,
        round_id: int,
        number: int,
        status: ProposalStatus,
        *,
        merged_into: int | None = None,
        item: tuple[int, ItemChange] | None = None,
    ) -> bool:
        async with self._lock:
            for proposal_id, (key, proposal) in self._proposals.items():
                if proposal.round_id == round_id and proposal.number == number:
                    if proposal.status != ProposalStatus.PENDING:
                        return False
                    if item is not None:  # first: a taken key changes nothing
                        self._add(*item)
                    self._proposals[proposal_id] = (
                        key,
                        dataclasses.replace(
                            proposal,
                            status=status,
                            merged_into=merged_into,
                            item_key=item[1].key if item else None,
                        ),
                    )
                    return True
            return False

    async def forget_authors(self, keys: Sequence[str]) -> int:
        async with self._lock:
            wanted = set(keys)
            gone = {pid: p for pid, (key, p) in self._proposals.items() if key in wanted}
            for pid in gone:
                del self._proposals[pid]
            dropped = {(p.round_id, p.number) for p in gone.values()}
            for pid, (key, p) in list(self._proposals.items()):
                if p.merged_into is not None and (p.round_id, p.merged_into) in dropped:
                    self._proposals[pid] = (
                        key,
                        dataclasses.replace(p, status=ProposalStatus.PENDING, merged_into=None),
                    )
            return len(gone)
