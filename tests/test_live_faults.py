"""A live tally whose edit fails for a while (the network, the platform) catches up by itself.

Seen in bench/scaleout.py: an edit that met a dropped connection logged a three-part traceback
("live message edit failed"), which an operator reads as a bug. A platform or network failure is
a normal fault: one sentence naming it, and the tally is edited again at the next vote or poll.
"""

from __future__ import annotations

import logging

import pytest

from facilitation.live import LiveUpdater, LiveView
from facilitation.ports import ChatRef, Keyboard, MessageRef, PortDefaults, TemporaryFailure
from tests.harness import until

ROOM = ChatRef("telegram", "-100555", is_private=False)


class FlakyPort(PortDefaults):
    """A chat platform whose first ``failures`` edits fail as a dropped connection does."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.shown: list[str] = []

    def edit_interval(self, chat: ChatRef) -> float:
        return 0.0

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        if self.failures:
            self.failures -= 1
            raise TemporaryFailure("NetworkError")
        self.shown.append(text)


async def test_a_failed_edit_is_one_sentence_and_the_next_poll_shows_the_tally(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = FlakyPort(failures=1)
    live = LiveUpdater(poll_seconds=0.2)
    votes = 0

    async def render() -> LiveView:
        return LiveView(f"{votes} har svarat")

    live.register(1, port, MessageRef(ROOM, "7"), render, initial_text="0 har svarat")
    with caplog.at_level(logging.WARNING, logger="facilitation.live"):
        votes = 3
        live.poke(1)
        await until(lambda: port.failures == 0)  # the poke's edit failed
        await until(lambda: port.shown == ["3 har svarat"], within=2.0)  # the poll's, with no further vote
    [record] = [r for r in caplog.records if r.name == "facilitation.live"]
    assert record.exc_info is None
    assert record.getMessage() == (
        "a live tally could not be edited (TemporaryFailure: NetworkError); "
        "it is edited again at the next vote or within 0.2 s"
    )
    await live.aclose()
