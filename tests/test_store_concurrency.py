"""Several bot processes on one database: each is a store with an engine (and pool) of its own.

These are the races a single process never meets: two processes' vote batches locking the same
rows in different orders, the same person's ballot replaced from two processes at once, a vote
handled by a process whose cached round is still open after another process closed it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bot.local import LocalPort
from facilitation.errors import DomainError
from facilitation.model import Round, RoundKind
from facilitation.ports import ButtonEvent, ChatRef, CommandEvent, UserRef
from facilitation.service import WorkshopService
from storage.database import create_engine
from storage.migrate import upgrade
from storage.models import ResponseRow
from storage.repository import SqlStore
from tests.fixtures import PROCESSES
from tests.harness import running_app

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def _services(url: str, count: int, cache_seconds: float = 2.0) -> AsyncIterator[list[WorkshopService]]:
    engines = [create_engine(url) for _ in range(count)]
    if url.startswith("sqlite"):
        await upgrade(url, engines[0])
    stores = [SqlStore(engine) for engine in engines]
    try:
        yield [
            WorkshopService(store, PROCESSES, clock=lambda: NOW, cache_seconds=cache_seconds)
            for store in stores
        ]
    finally:
        for store, engine in zip(stores, engines, strict=True):
            await store.aclose()
            await engine.dispose()


async def _open_barometer(service: WorkshopService, *, stepping: bool = False) -> Round:
    """A workshop with an open barometer of two statements (shown one at a time: ``stepping``)."""
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1"), ("P2", "p2")])
    await service.open_round(round_.id)
    if stepping:
        await service.start_stepping(round_.id)
    return round_


@pytest.fixture
async def pg_services(pg_database: str) -> AsyncIterator[list[WorkshopService]]:
    async for services in _services(pg_database, 4):
        yield services


@pytest.mark.postgres
async def test_two_processes_voting_in_opposite_orders_lose_nothing(
    pg_services: list[WorkshopService],
) -> None:
    a, b = pg_services[:2]
    round_ = await _open_barometer(a)
    keys = [f"person-{i:03d}" for i in range(300)]
    presses = []
    for item in round_.items:  # every person answers both statements from both processes
        presses += [a.answer(round_.id, item.id, key, 2) for key in keys]
        presses += [b.answer(round_.id, item.id, key, 4) for key in reversed(keys)]
    results = await asyncio.gather(*presses, return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    responses = await a.store.responses(round_.id)
    assert len(responses) == 600  # one answer per person and statement, whichever came last
    assert {r.value for r in responses} <= {2, 4}


@pytest.mark.postgres
async def test_same_ballot_replaced_from_four_processes_at_once(pg_services: list[WorkshopService]) -> None:
    first = pg_services[0]
    workshop = await first.create_workshop("varmland-2015", "Karlstad")
    items = [(f"Princip {i}", f"p{i}") for i in range(6)]
    round_ = await first.create_round(workshop.id, RoundKind.RANKING, "R", items, {"top_k": 3})
    await first.open_round(round_.id)
    ids = [item.id for item in round_.items]
    rng = random.Random(7)
    ballots = [dict(zip(rng.sample(ids, 3), (1, 2, 3), strict=True)) for _ in range(40)]
    results = await asyncio.gather(
        *(
            pg_services[i % 4].submit_ballot(round_.id, "same-person", ballot)
            for i, ballot in enumerate(ballots)
        ),
        return_exceptions=True,
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    stored = await first.own_answers(round_.id, "same-person")
    assert stored in ballots  # one whole ballot, never a mix of two


@pytest.mark.postgres
async def test_vote_in_a_process_that_has_not_seen_the_close_changes_nothing(
    pg_services: list[WorkshopService],
) -> None:
    voter, closer = pg_services[:2]
    workshop = await voter.create_workshop("varmland-2015", "Karlstad")
    round_ = await voter.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1")])
    await voter.open_round(round_.id)
    item = round_.items[0]
    await voter.answer(round_.id, item.id, "early", 3)  # the voter's cache now holds the open round
    await closer.close_round(round_.id)
    assert (await voter.cached_round(round_.id)).status.value == "open"  # stale, as in a real second process
    with pytest.raises(DomainError) as refused:
        await voter.answer(round_.id, item.id, "late", 5)
    assert refused.value.key == "error.round_closed"
    ranking = await voter.create_round(workshop.id, RoundKind.RANKING, "R", [("A", "a"), ("B", "b")])
    await voter.open_round(ranking.id)
    await voter.submit_ballot(ranking.id, "early", {ranking.items[0].id: 1})
    await closer.close_round(ranking.id)
    with pytest.raises(DomainError):
        await voter.submit_ballot(ranking.id, "late", {ranking.items[1].id: 1})
    assert [r.participant_key for r in await voter.store.responses(round_.id)] == ["early"]
    assert [r.participant_key for r in await voter.store.responses(ranking.id)] == ["early"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_database_refuses_a_second_answer_row_and_logs_no_values(
    backend: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_database")
    async for (service,) in _services(url, 1):
        workshop = await service.create_workshop("varmland-2015", "Karlstad")
        round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1")])
        await service.open_round(round_.id)
        await service.answer(round_.id, round_.items[0].id, "secret-person-key", 4)
        row = {
            "round_id": round_.id,
            "item_id": round_.items[0].id,
            "participant_key": "secret-person-key",
            "value": 1,
            "updated_at": NOW,
        }
        store = service.store
        assert isinstance(store, SqlStore)
        with caplog.at_level(logging.INFO), pytest.raises(IntegrityError) as refused:
            async with store.engine.begin() as connection:  # bypassing the code: the constraint holds
                await connection.execute(insert(ResponseRow).values(**row))
        assert "secret-person-key" not in str(refused.value)  # hide_parameters: no values in messages
        assert "secret-person-key" not in caplog.text
        assert [r.value for r in await store.responses(round_.id)] == [4]


@pytest.mark.postgres
async def test_two_processes_pressing_one_ballot_at_once_lose_no_mark(
    pg_database: str, tmp_path: Path
) -> None:
    """Issue 14: each participant marks principle A on one bot process and B on another, at once.

    Two whole Apps (engine, service, conversation, exercise) on one PostgreSQL, as two bot
    processes behind one webhook are. Before the fix the ballot was read, changed and written
    whole under a lock held within one process only: 120 of 150 ended with one mark.
    """
    async with (
        running_app(tmp_path, database_url=pg_database) as one,
        running_app(tmp_path, database_url=pg_database) as two,
    ):
        ports = [LocalPort(tmp_path / "out", lambda _: None) for _ in (one, two)]
        for app, port in zip((one, two), ports, strict=True):
            port.quiet = True
            app.conversation.add_port(port)
        room, facilitator = ChatRef("local", "rum"), UserRef("local", "facilitator")
        await one.conversation.handle(CommandEvent(facilitator, room, "workshop", ("varmland-2015", "K")))
        await one.conversation.handle(CommandEvent(facilitator, room, "markera"))
        ballot = max((m for m in ports[0].messages.values() if m.buttons), key=lambda m: m.id)
        mark_a, mark_b = (button.data for button in ballot.buttons[0][:2])
        people = [UserRef("local", f"deltagare-{i}") for i in range(150)]
        await asyncio.gather(
            *(
                press
                for person in people
                for press in (
                    one.conversation.handle(ButtonEvent(person, room, mark_a)),
                    two.conversation.handle(ButtonEvent(person, room, mark_b)),
                )
            )
        )
        [round_] = await one.store.rounds(1)
        marks: dict[str, set[int]] = {}
        for response in await one.store.responses(round_.id):
            marks.setdefault(response.participant_key, set()).add(response.item_id)
        both = {round_.items[0].id, round_.items[1].id}
        lost = sum(
            1
            for person in people
            if marks.get(one.pseudonymizer.participant_key("local", person.user_id, 1)) != both
        )
        assert not [ack for port in ports for _, ack in port.acks if ack and "fel" in ack]
        assert lost == 0, f"{lost} of {len(people)} lost a mark"


@pytest.mark.postgres
async def test_a_round_opened_in_one_process_is_read_ahead_in_the_others_and_nothing_is_stored(
    pg_services: list[WorkshopService],
) -> None:
    """The first presses of a workshop in a process that did not open its round found nothing
    cached: three reads in a row and a cold first batch (bench/scaleout.py). The other process
    reads it ahead, and its rehearsed batch of answers is rolled back."""
    opener, other = pg_services[:2]
    workshop = await opener.create_workshop("varmland-2015", "Karlstad")
    round_ = await opener.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1"), ("P2", "p2")])
    assert await other.warm_open_rounds() == 0  # a draft is nobody's to vote on yet
    await opener.open_round(round_.id)
    assert await other.warm_open_rounds() == 1
    assert other._rounds.fresh(round_.id) is not None
    assert other._people.fresh(workshop.id) == {}
    assert other._rooms.fresh(workshop.id) == frozenset()
    assert await other.warm_open_rounds() == 0  # read once, not on every tick
    assert await other.store.responses(round_.id) == []
    assert await other.store.participants(workshop.id) == []
    await other.answer(round_.id, round_.items[0].id, "first", 4, press_key="press-1")
    assert [(r.participant_key, r.value) for r in await other.store.responses(round_.id)] == [("first", 4)]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_bindings_of_a_workshop_with_an_open_round_are_read_together_ahead(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """Every participant's first vote asks for their chat's binding: read one by one, 200 phones
    read theirs in the vote's first second (bench/screen.py). Another process reads all of an
    open round's workshop's bindings at once, and only those."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_database")
    async for opener, other in _services(url, 2):
        round_ = await _open_barometer(opener)
        elsewhere = await opener.create_workshop("varmland-2015", "Arvika")  # no open round
        for key in ("phone-1", "phone-2"):
            await opener.store.bind_chat(key, round_.workshop_id)
        await opener.store.bind_chat("phone-3", elsewhere.id)
        await other.warm_open_rounds()
        for key in ("phone-1", "phone-2", "phone-3"):
            await opener.store.unbind_chat(key)  # gone from the database: only a cache can answer now
        assert [await other.cached_binding(key) for key in ("phone-1", "phone-2")] == [round_.workshop_id] * 2
        assert await other.cached_binding("phone-3") is None  # not read ahead: read now


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_an_open_round_and_its_workshop_stay_fresh_in_every_process_while_it_is_open(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """Entries read ahead once were past their ttl when the votes came: twenty workshops' rounds
    read again behind their first presses at once opened pooled connections in the burst
    (bench/scaleout.py). Each warm tick reads the open rounds, and the workshops' rooms and
    participants once half their ttl has passed."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_database")
    async for voter, facilitator in _services(url, 2, cache_seconds=0.05):
        round_ = await _open_barometer(facilitator, stepping=True)
        await voter.warm_open_rounds()
        await facilitator.step(round_.id, 1)
        await facilitator.join(round_.workshop_id, "joined-elsewhere")
        await asyncio.sleep(0.3)  # past every ttl
        assert voter._rounds.fresh(round_.id) is None and voter._people.fresh(round_.workshop_id) is None
        assert await voter.warm_open_rounds() == 0  # no round new to this process…
        stepped = voter._rounds.peek(round_.id)  # …but every open one read again (peek: a busy
        assert stepped is not None and stepped.current_position == 1  # machine may be past ttl again)
        assert set(voter._people.peek(round_.workshop_id) or ()) == {"joined-elsewhere"}


@pytest.mark.postgres
async def test_a_press_on_the_statement_another_process_stepped_to_counts(
    pg_services: list[WorkshopService],
) -> None:
    """A cached round still showing the earlier statement must not refuse the current one."""
    voter, facilitator = pg_services[:2]
    round_ = await _open_barometer(facilitator, stepping=True)
    first, second = round_.items
    await voter.answer(round_.id, first.id, "early", 2)  # the voter caches the round at statement 1
    await facilitator.step(round_.id, 1)
    assert (await voter.cached_round(round_.id)).current_position == 0  # stale, as in a second process
    await voter.answer(round_.id, second.id, "late", 5)
    with pytest.raises(DomainError) as refused:  # the statement stepped past takes no more answers
        await voter.answer(round_.id, first.id, "late", 1)
    assert refused.value.key == "error.item_not_current"
    stored = {(r.participant_key, r.item_id): r.value for r in await voter.store.responses(round_.id)}
    assert stored == {("early", first.id): 2, ("late", second.id): 5}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_round_past_its_ttl_is_answered_from_and_read_again_in_the_background(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """Refresh-ahead: no press waits for a hot round to be read again, and the next one sees it."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_database")
    async for voter, facilitator in _services(url, 2, cache_seconds=0.05):
        round_ = await _open_barometer(facilitator, stepping=True)
        assert (await voter.cached_round(round_.id)).current_position == 0
        await facilitator.step(round_.id, 1)
        await asyncio.sleep(0.1)  # past the voter's ttl
        assert (await voter.cached_round(round_.id)).current_position == 0  # answered at once, stale
        for _ in range(100):
            await asyncio.sleep(0.01)
            if voter._rounds.fresh(round_.id) is not None:
                break
        assert (await voter.cached_round(round_.id)).current_position == 1  # read again meanwhile
