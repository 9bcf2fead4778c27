"""RoundStates (bot.web.rounds): what a phone's page after a vote shows of the round, without
waiting for the database, and what the event streams read fresh."""

from __future__ import annotations

import asyncio

from bot.web.rounds import PAGE_STALE_SECONDS, RoundStates
from facilitation.memory_store import MemoryStore
from facilitation.model import Round, RoundKind
from facilitation.service import WorkshopService
from tests.fixtures import PROCESSES


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def _open_round() -> tuple[WorkshopService, Round, RoundStates, Clock]:
    """A service with an open barometer of one statement, and the round states it gives pages."""
    service, clock = WorkshopService(MemoryStore(), PROCESSES), Clock()
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1")])
    await service.open_round(round_.id)
    return service, round_, RoundStates(service, clock=clock), clock


async def test_a_page_after_a_vote_is_shown_at_once_and_the_state_read_again_behind_it() -> None:
    service, round_, states, clock = await _open_round()
    workshop_id = round_.workshop_id
    assert (await states.of(workshop_id)).turnout == 0
    await service.answer(round_.id, round_.items[0].id, "person", 4)

    clock.now += 1.0  # past `fresh`: an event stream reads again before it answers…
    assert (await states.shown(workshop_id)).turnout == 0  # …a page is shown what was read last
    await _settled()
    assert (await states.shown(workshop_id)).turnout == 1  # read behind it meanwhile

    await service.answer(round_.id, round_.items[0].id, "another", 2)
    clock.now += PAGE_STALE_SECONDS  # too old to show: this page waits for the read
    assert (await states.shown(workshop_id)).turnout == 2
    await states.aclose()


async def test_an_event_stream_reads_the_state_again_once_past_fresh() -> None:
    service, round_, states, clock = await _open_round()
    workshop_id = round_.workshop_id
    assert (await states.of(workshop_id)).turnout == 0
    await service.answer(round_.id, round_.items[0].id, "person", 4)
    assert (await states.of(workshop_id)).turnout == 0  # within `fresh`: shared
    clock.now += states.fresh
    assert (await states.of(workshop_id)).turnout == 1
