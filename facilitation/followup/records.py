"""The follow-up's own records: each round's commitments as asked, and a process's follow-ups.

A round keeps its items' texts, but not who made each commitment nor which principles it
serves; those come from the process file, which may change later. The grouping of a closed
round must not change with it (a closed round's published figures never change), so the tags
are kept with the round the first time they are needed (when it is created, or at the latest
when its results are first shown) and read from there ever after.

:class:`FollowupRecords` is the port; :class:`MemoryFollowupRecords` keeps them in memory (domain
tests, a bot without a database), :class:`storage.followup_records.SqlFollowupRecords` in the
database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from facilitation.model import Commitment, Process, Round, RoundKind, RoundStatus
from facilitation.store import Store


@dataclass(frozen=True)
class CommitmentTag:
    """Who made the commitment asked at one position of a round, and the principles it serves.

    ``party`` is ``""`` and ``principles`` empty for an item that was no commitment of the
    process file (typed into a launch form): it is shown, but in no group.
    """

    party: str = ""
    principles: tuple[str, ...] = ()


class FollowupRecords(Protocol):
    """What the follow-up needs stored beyond the rounds themselves."""

    async def keep_tags(self, round_id: int, tags: Sequence[CommitmentTag]) -> list[CommitmentTag]:
        """Keep ``tags`` (one per item position) for ``round_id`` unless the round has some already;
        returns the tags kept, the earlier ones if there were (the first keeper wins, also across
        processes sharing the database)."""
        ...

    async def tags(self, round_id: int) -> list[CommitmentTag] | None:
        """The tags kept for ``round_id``, ``None`` if none were kept yet."""
        ...

    async def closed_followups(self, process_key: str) -> list[int]:
        """The ids of every closed follow-up round in any workshop of process ``process_key``."""
        ...


def tags_of(process: Process | None, round_: Round) -> list[CommitmentTag]:
    """The tags the process file gives the round's items now (matched by commitment key)."""
    by_key: dict[str, Commitment] = {c.key: c for c in process.commitments} if process else {}
    tags = []
    for item in round_.items:
        commitment = by_key.get(item.ref_key)
        tags.append(CommitmentTag(commitment.party, commitment.principles) if commitment else CommitmentTag())
    return tags


class MemoryFollowupRecords:
    """:class:`FollowupRecords` in memory, finding a process's rounds through the workshop store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._tags: dict[int, list[CommitmentTag]] = {}

    async def keep_tags(self, round_id: int, tags: Sequence[CommitmentTag]) -> list[CommitmentTag]:
        return list(self._tags.setdefault(round_id, list(tags)))

    async def tags(self, round_id: int) -> list[CommitmentTag] | None:
        kept = self._tags.get(round_id)
        return list(kept) if kept is not None else None

    async def closed_followups(self, process_key: str) -> list[int]:
        found = []
        for workshop_id in await self._store.workshop_ids():
            workshop = await self._store.workshop(workshop_id)
            if workshop is None or workshop.process_key != process_key:
                continue
            found += [
                r.id
                for r in await self._store.rounds(workshop_id)
                if r.kind == RoundKind.FOLLOWUP and r.status == RoundStatus.CLOSED
            ]
        return sorted(found)
