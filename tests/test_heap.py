"""The start-up heap is frozen out of full garbage collections (they stalled a burst of presses)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import settle_heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    gc.disable()  # no automatic collection while the test makes its garbage
    yield
    gc.enable()
    gc.unfreeze()  # the rest of the test run collects as usual


def test_settle_heap_freezes_what_lives_and_collects_what_does_not(unfrozen: None) -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector can free it

    alive = [Node() for _ in range(5_000)]
    garbage = [weakref.ref(Node()) for _ in range(1_000)]
    assert all(ref() is not None for ref in garbage)  # not freed until the collector runs
    assert gc.get_freeze_count() == 0
    frozen = settle_heap()
    assert frozen == gc.get_freeze_count() >= len(alive)
    assert not any(isinstance(o, Node) for o in gc.get_objects())  # the live ones left the generations
    assert all(ref() is None for ref in garbage)  # collected, not frozen
