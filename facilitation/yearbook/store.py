"""The yearbook's port: conclusions of rounds and the process's yearly rounds.

:class:`MemoryYearbook` is the in-memory implementation the domain tests use;
:class:`storage.yearbook.SqlYearbook` is the one the bot runs on. Both pass the same contract
tests (``tests/test_yearbook.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

#: The longest conclusion kept (a paragraph or two; a whole document belongs in the report's text).
MAX_CONCLUSION = 2000


@dataclass(frozen=True)
class Conclusion:
    """What the room concluded about a round, in the facilitator's words (no author is stored)."""

    round_id: int
    text: str
    recorded_at: datetime


@dataclass(frozen=True)
class YearlyRound:
    """A closed barometer that is its process's round of ``year``."""

    process_key: str
    year: int
    round_id: int


class YearbookStore(Protocol):
    """Conclusions and yearly rounds. Every method is one transaction."""

    async def set_conclusion(self, round_id: int, text: str, at: datetime) -> bool:
        """Record the conclusion of a round, replacing an earlier one; True if one was replaced."""
        ...

    async def conclusions(self, round_ids: Iterable[int]) -> dict[int, Conclusion]:
        """The conclusions of those rounds that have one."""
        ...

    async def mark_yearly(self, process_key: str, year: int, round_id: int) -> int | None:
        """Make ``round_id`` the process's round of ``year`` (a round is the round of one year at
        most: an earlier year of it is dropped). Returns the round that held the year before, if
        another did (it holds no year any more)."""
        ...

    async def unmark_yearly(self, round_id: int) -> bool:
        """The round is no yearly round any more; False if it was none."""
        ...

    async def yearly_rounds(self, process_key: str) -> list[YearlyRound]:
        """The process's yearly rounds, oldest year first."""
        ...


class MemoryYearbook:
    """:class:`YearbookStore` in memory (domain tests, demos)."""

    def __init__(self) -> None:
        self._conclusions: dict[int, Conclusion] = {}
        self._yearly: dict[tuple[str, int], int] = {}

    async def set_conclusion(self, round_id: int, text: str, at: datetime) -> bool:
        replaced = round_id in self._conclusions
        self._conclusions[round_id] = Conclusion(round_id, text, at)
        return replaced

    async def conclusions(self, round_ids: Iterable[int]) -> dict[int, Conclusion]:
        return {i: self._conclusions[i] for i in round_ids if i in self._conclusions}

    async def mark_yearly(self, process_key: str, year: int, round_id: int) -> int | None:
        for key, held in list(self._yearly.items()):
            if held == round_id:
                del self._yearly[key]
        before = self._yearly.get((process_key, year))
        self._yearly[(process_key, year)] = round_id
        return before if before != round_id else None

    async def unmark_yearly(self, round_id: int) -> bool:
        keys = [key for key, held in self._yearly.items() if held == round_id]
        for key in keys:
            del self._yearly[key]
        return bool(keys)

    async def yearly_rounds(self, process_key: str) -> list[YearlyRound]:
        return sorted(
            (YearlyRound(p, year, r) for (p, year), r in self._yearly.items() if p == process_key),
            key=lambda y: y.year,
        )
