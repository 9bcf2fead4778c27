"""Which sector groups a result may show without exposing anyone.

A small group's answer identifies its members, so a group with 1..min−1 answers is hidden.
Because the overall result is always shown, "overall minus the shown groups" reveals the
*residue* (the hidden groups plus anything never shown on its own, such as participants who gave
no sector); while that residue holds 1..min−1 answers it is as exposing as a small group, so
the smallest shown group is hidden as well, repeatedly. A group of exactly the minimum is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)


def suppressed_groups(
    sizes: Mapping[K, int],
    min_group_size: int,
    *,
    never_shown: Collection[K] = (),
    order: Callable[[K], Any] = str,
) -> set[K]:
    """The groups to hide (``never_shown`` groups count in the residue but are not returned)."""
    if min_group_size < 1:
        raise ValueError("min_group_size must be at least 1")
    present = {key: n for key, n in sizes.items() if n > 0}
    hidden = {key for key, n in present.items() if n < min_group_size or key in never_shown}
    shown = sorted(((n, order(key), key) for key, n in present.items() if key not in hidden),
                   key=lambda entry: entry[:2])
    residue = sum(present[key] for key in hidden)
    while shown and 0 < residue < min_group_size:
        n, _, key = shown.pop(0)
        hidden.add(key)
        residue += n
    return hidden - set(never_shown)


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
