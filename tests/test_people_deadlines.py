"""Round deadlines: ``slut=`` read in Europe/Stockholm, and the closer that closes a due round
once, on every store (memory, SQLite, PostgreSQL), through the service's real close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from facilitation.errors import DomainError
from facilitation.memory_store import MemoryStore
from facilitation.model import Process, Round, RoundKind, RoundStatus, Statement
from facilitation.people.coleaders import Accepted, CoLeaderStore, MemoryCoLeaders
from facilitation.people.deadlines import (
    DeadlineCloser,
    DeadlineStore,
    MemoryDeadlines,
    local_text,
    parse_deadline,
    split_deadline,
)
from facilitation.service import WorkshopService
from facilitation.store import Store

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 13:00 in Stockholm (winter time)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15:30", datetime(2026, 12, 2, 14, 30, tzinfo=UTC)),
        ("15.30", datetime(2026, 12, 2, 14, 30, tzinfo=UTC)),
        ("90m", NOW + timedelta(minutes=90)),
        ("2h", NOW + timedelta(hours=2)),
        ("2t", NOW + timedelta(hours=2)),
        ("2d", NOW + timedelta(days=2)),
        ("2026-12-03T09:00", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
        ("2026-12-03_09:00", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),
        ("2026-12-03", datetime(2026, 12, 3, 22, 59, tzinfo=UTC)),
    ],
)
def test_deadlines_are_read_in_stockholm_time(text: str, expected: datetime) -> None:
    assert parse_deadline(text, NOW) == expected


def test_summer_time_is_stockholms() -> None:
    summer = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Stockholm
    assert parse_deadline("15:30", summer) == datetime(2027, 6, 1, 13, 30, tzinfo=UTC)
    spring = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    # 02:30 does not exist on 28 March 2027 (the clocks go from 02:00 to 03:00).
    with pytest.raises(DomainError) as skipped:
        parse_deadline("2027-03-28T02:30", spring)
    assert skipped.value.key == "deadline.error.no_such_time"
    assert local_text(parse_deadline("2027-03-28T03:30", spring), spring) == "2027-03-28 03:30"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("12:59", "deadline.error.past"),
        ("13:00", "deadline.error.past"),
        ("0m", "deadline.error.past"),
        ("24:00", "deadline.error.bad_time"),
        ("9:75", "deadline.error.bad_time"),
        ("2026-02-30", "deadline.error.bad_date"),
        ("2025-12-03T09:00", "deadline.error.past"),
        ("61d", "deadline.error.too_far"),
        ("snart", "deadline.error.format"),
        ("", "deadline.error.format"),
    ],
)
def test_wrong_or_past_deadlines_are_refused(text: str, key: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_deadline(text, NOW)
    assert refused.value.key == key


def test_the_option_is_taken_out_of_the_launch_arguments() -> None:
    assert split_deadline(("1,3", "slut=15:30", "steg=7")) == (("1,3", "steg=7"), "15:30")
    assert split_deadline(("END=2h",)) == ((), "2h")
    assert split_deadline(("1,3",)) == (("1,3",), None)
    with pytest.raises(DomainError):
        split_deadline(("slut=1h", "slut=2h"))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Store, DeadlineStore]]:
    """A workshop store and a deadline store on the same database."""
    if request.param == "memory":
        yield MemoryStore(), MemoryDeadlines()
        return
    from storage.database import create_engine
    from storage.migrate import upgrade
    from storage.people_repository import SqlDeadlines
    from storage.repository import SqlStore

    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'deadlines.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_database")
    )
    engine = create_engine(url)
    if request.param == "sqlite":
        await upgrade(url, engine)
    store = SqlStore(engine)
    try:
        yield store, SqlDeadlines(engine)
    finally:
        await store.aclose()
        await engine.dispose()


async def _open_round(service: WorkshopService) -> Round:
    workshop = await service.create_workshop("p", "W")
    round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "B", [("Ett", "s1"), ("Två", "s2")])
    return await service.open_round(round_.id)


async def test_a_due_round_is_closed_and_published_once_by_two_closers(
    stores: tuple[Store, DeadlineStore],
) -> None:
    store, deadlines = stores
    clock = Clock()
    service = WorkshopService(store, {"p": Process("p", "P", statements=(Statement("s1", "Ett"),))}, clock)
    round_ = await _open_round(service)
    await deadlines.set_deadline(round_.id, NOW + timedelta(minutes=30))
    published: list[tuple[str, int]] = []

    def closer(name: str) -> DeadlineCloser:
        async def publish(closed: Round) -> None:
            assert closed.status == RoundStatus.CLOSED
            published.append((name, closed.id))

        return DeadlineCloser(deadlines, service, publish, name)

    a, b = closer("a"), closer("b")
    assert await a.tick() == [] and await b.tick() == []  # not due yet
    clock.now += timedelta(minutes=31)
    await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    assert [number for _, number in published] == [round_.id]
    assert (await service.require_round(round_.id)).status == RoundStatus.CLOSED
    assert await deadlines.deadline(round_.id) is None
    clock.now += timedelta(hours=1)
    assert await a.tick() == [] and await b.tick() == []


async def test_a_round_closed_by_hand_first_is_not_published_again(
    stores: tuple[Store, DeadlineStore],
) -> None:
    store, deadlines = stores
    clock = Clock()
    service = WorkshopService(store, {"p": Process("p", "P")}, clock)
    round_ = await _open_round(service)
    await deadlines.set_deadline(round_.id, NOW + timedelta(minutes=5))
    await service.close_round(round_.id)  # /stang, which posted the results
    published: list[int] = []

    async def publish(closed: Round) -> None:
        published.append(closed.id)

    clock.now += timedelta(minutes=6)
    assert await DeadlineCloser(deadlines, service, publish, "a").tick() == []
    assert published == [] and await deadlines.deadline(round_.id) is None


async def test_a_claim_whose_process_stopped_is_taken_over_and_published(
    stores: tuple[Store, DeadlineStore],
) -> None:
    store, deadlines = stores
    clock = Clock()
    service = WorkshopService(store, {"p": Process("p", "P")}, clock)
    round_ = await _open_round(service)
    await deadlines.set_deadline(round_.id, NOW + timedelta(minutes=5))
    clock.now += timedelta(minutes=6)

    async def crash(closed: Round) -> None:
        raise RuntimeError("the process died before the results were posted")

    published: list[int] = []

    async def publish(closed: Round) -> None:
        published.append(closed.id)

    dying = DeadlineCloser(deadlines, service, crash, "dying", lease=timedelta(minutes=2))
    assert await dying.tick() == []  # closed the round, then failed: its claim stays
    other = DeadlineCloser(deadlines, service, publish, "other")
    assert await other.tick() == []  # the lease still runs
    clock.now += timedelta(minutes=3)
    assert await other.tick() == [round_.id]
    assert published == [round_.id]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def co_leaders(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CoLeaderStore]:
    if request.param == "memory":
        yield MemoryCoLeaders()
        return
    from storage.database import create_engine
    from storage.migrate import upgrade
    from storage.people_repository import SqlCoLeaders

    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'leaders.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_database")
    )
    engine = create_engine(url)
    if request.param == "sqlite":
        await upgrade(url, engine)
    try:
        yield SqlCoLeaders(engine)
    finally:
        await engine.dispose()


async def test_an_invitation_is_accepted_once_also_by_two_at_the_same_moment(
    co_leaders: CoLeaderStore,
) -> None:
    results = await asyncio.gather(
        *(co_leaders.accept("sig-1", "w:1", "telegram", f"user-{n}", f"Person {n}", NOW) for n in range(4))
    )
    assert sorted(results) == sorted([Accepted.ADDED, Accepted.USED, Accepted.USED, Accepted.USED])
    [leader] = await co_leaders.co_leaders(["w:1", "p:x"])
    assert await co_leaders.leads(leader.user_key, ["w:1"]) and not await co_leaders.leads(
        leader.user_key, ["w:2"]
    )
    # Someone who co-leads already leaves a second invitation unused.
    assert (
        await co_leaders.accept("sig-2", "w:1", "telegram", leader.user_key, "Again", NOW) == Accepted.ALREADY
    )
    assert await co_leaders.accept("sig-2", "w:1", "slack", "another", "Other", NOW) == Accepted.ADDED
    removed = await co_leaders.remove(leader.id)
    assert removed is not None and removed.user_key == leader.user_key
    assert not await co_leaders.leads(leader.user_key, ["w:1"]) and await co_leaders.remove(leader.id) is None
