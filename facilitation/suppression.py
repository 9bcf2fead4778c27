"""What a result split by sector may publish without exposing anyone: the disclosure rule.

A small group's answer identifies its members, so a group with 1 … min − 1 answers is never
shown on its own. Hiding it is not enough: whatever a round publishes about the whole room
(its overall result, in text, charts, exports, the "where the room stands" view, a comparison
with it next year) minus the groups shown beside it is the rest of the room, so that rest — the
*residue* — must itself be empty or hold at least ``minimum`` answers. The rule, one result at
a time (one statement, or one prioritisation):

* every group with at least ``minimum`` answers is a candidate panel; the small groups (and
  those without a sector, a group like any other) are the residue;
* if the residue holds at least ``minimum`` answers it is shown as one pooled panel ("Övriga"),
  which reveals nothing the overall result would not reveal anyway;
* with **two or more panels** the comparison is shown, and a residue below the minimum is *left
  out*: its answers are in nothing published — not the panels, not the room's overall result, not
  a count derived from answers. Only how many answers were left out is said, so the room knows
  why its total is smaller ("4 svar från grupper med färre än 5 ingår inte i jämförelsen");
* with **fewer than two panels** there is nothing to compare: no panel is shown, and the
  overall result holds everyone — unless the whole room has fewer than ``minimum`` answers, in
  which case only that count is published. A large group hidden here is hidden *so that the
  small ones cannot be derived*, and says so.

So every published aggregate is a function of the shown groups, a pooled residue of at least
``minimum`` answers (or everyone, when no group is shown) and counts of answers — never of a
group below the minimum, nor of any union of hidden groups below it. ``tests/test_disclosure.py``
checks this over every output of a round. :func:`disclose` is the one place the rule lives; the
barometer and the prioritisation both call it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable | None)

#: The key of the pooled panel ("Övriga"); never a sector key (those match ``[a-z0-9][a-z0-9_-]*``).
POOLED = "*"


class Hidden(StrEnum):
    """Why a group has no panel of its own; text keys ``hidden.<value>``."""

    #: 1 … minimum − 1 answers: the group itself would identify its members.
    TOO_FEW = "too_few"
    #: Large enough, but shown beside the overall result it would let a small group be derived.
    PROTECTS = "protects"


@dataclass(frozen=True)
class Disclosure(Generic[K]):
    """The outcome of :func:`disclose` for one result.

    ``sizes`` holds the non-empty groups in presentation order. ``shown`` groups get a panel of
    their own; ``pooled`` groups are shown together as one panel (:data:`POOLED`); ``left_out``
    groups are in nothing published; ``hidden`` gives every non-empty group without its own panel
    and why. ``overall`` tells whether the room's overall result may be shown at all.
    """

    minimum: int
    sizes: dict[K, int]
    shown: tuple[K, ...] = ()
    pooled: tuple[K, ...] = ()
    left_out: tuple[K, ...] = ()
    hidden: dict[K, Hidden] = field(default_factory=dict)
    overall: bool = False

    @property
    def panels(self) -> int:
        """Panels drawn side by side (the shown groups, plus one for the pooled residue)."""
        return len(self.shown) + (1 if self.pooled else 0)

    @property
    def compared(self) -> bool:
        """Whether the groups are compared (two panels or more)."""
        return self.panels >= 2

    @property
    def included(self) -> tuple[K, ...]:
        """The groups whose answers are in the published overall result, in order."""
        if not self.overall:
            return ()
        left = set(self.left_out)
        return tuple(key for key in self.sizes if key not in left)

    @property
    def total(self) -> int:
        """All answers given (a count; published with a note when some are left out)."""
        return sum(self.sizes.values())

    @property
    def n(self) -> int:
        """Answers in the published overall result (0 when it is not shown)."""
        return sum(self.sizes[key] for key in self.included)

    @property
    def residue(self) -> int:
        """Answers in nothing published: left out of a comparison, or a room below the minimum."""
        return self.total - self.n

    @property
    def pooled_size(self) -> int:
        return sum(self.sizes[key] for key in self.pooled)


def disclose(
    sizes: Mapping[K, int],
    minimum: int,
    *,
    order: Callable[[K], Any] | None = None,
) -> Disclosure[K]:
    """Which groups of one result are shown, pooled or left out, and why (see the module doc).

    ``sizes`` maps each group (a sector key, ``None`` for no sector) to its number of answers;
    ``order`` sorts the groups for presentation (default: as given). A group of exactly the
    minimum is shown.
    """
    if minimum < 1:
        raise ValueError("min_group_size must be at least 1")
    present = {key: n for key, n in sizes.items() if n > 0}
    if order is not None:
        present = dict(sorted(present.items(), key=lambda entry: order(entry[0])))
    large = tuple(key for key, n in present.items() if n >= minimum)
    small = tuple(key for key, n in present.items() if n < minimum)
    small_total = sum(present[key] for key in small)
    too_few = dict.fromkeys(small, Hidden.TOO_FEW)
    pooled = small if small_total >= minimum else ()
    if len(large) + (1 if pooled else 0) >= 2:
        return Disclosure(
            minimum,
            present,
            shown=large,
            pooled=pooled,
            left_out=() if pooled else small,
            hidden=too_few,
            overall=True,
        )
    overall = sum(present.values()) >= minimum
    if not small:  # one group and nobody else: its panel is the overall result itself
        return Disclosure(minimum, present, shown=large, overall=overall)
    hidden: dict[K, Hidden] = {key: Hidden.PROTECTS for key in large}
    hidden.update(too_few)
    hidden = {key: hidden[key] for key in present}
    return Disclosure(
        minimum, present, left_out=() if overall else tuple(present), hidden=hidden, overall=overall
    )


def effective_min_group_size(installation_minimum: int, process_minimum: int | None = None) -> int:
    """The minimum group size a result must respect: the stricter of installation and process.

    The installation's ``min_group_size`` is the operator's floor; a process (its TOML file) may
    ask for more because its sectors are small enough that, say, 7 organisations are still
    recognisable. A process can never *lower* the floor, so the larger of the two wins. Every
    exercise uses this one function for its text, charts and exports, so they hide the same groups.
    """
    if installation_minimum < 1:
        raise ValueError("min_group_size must be at least 1")
    return max(installation_minimum, process_minimum or 0)
