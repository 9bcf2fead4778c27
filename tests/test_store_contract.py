"""The Store contract on memory, SQLite and PostgreSQL: lifecycle, one answer per item, privacy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from facilitation.errors import DomainError
from facilitation.model import ChatBinding, Language, RoundKind, RoundStatus, Sector
from facilitation.ports import ChatRef
from facilitation.service import WorkshopService
from tests.fixtures import PROCESSES

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def service(store) -> WorkshopService:  # type: ignore[no-untyped-def]
    return WorkshopService(store, PROCESSES, clock=lambda: NOW)


async def _barometer(service: WorkshopService, statements: int = 2):  # type: ignore[no-untyped-def]
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    items = [(f"Påstående {i}", f"s{i}") for i in range(statements)]
    round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "Barometer", items)
    return workshop, round_


async def test_workshop_gets_unique_readable_code(service: WorkshopService) -> None:
    codes = {(await service.create_workshop("varmland-2015", f"W{i}")).join_code for i in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 6 and not set(c) & set("01OI") for c in codes)
    workshop = await service.create_workshop("halland", "Konferens", Language.EN)
    found = await service.workshop_by_code(workshop.join_code.lower()[:3] + " " + workshop.join_code[3:])
    assert found.id == workshop.id and found.language == Language.EN


async def test_unknown_code_and_process_are_refused(service: WorkshopService) -> None:
    with pytest.raises(DomainError) as err:
        await service.workshop_by_code("ZZZZZZ")
    assert err.value.key == "error.unknown_code"
    assert "ZZZZZZ" in err.value.message("sv")
    with pytest.raises(DomainError, match="unknown_process"):
        await service.create_workshop("nope", "x")


async def test_lifecycle_draft_open_closed_never_back(service: WorkshopService) -> None:
    _, round_ = await _barometer(service)
    assert round_.status == RoundStatus.DRAFT
    with pytest.raises(DomainError, match="round_not_open"):
        await service.answer(round_.id, round_.items[0].id, "p1", 3)
    with pytest.raises(DomainError, match="round_not_open"):
        await service.close_round(round_.id)
    opened = await service.open_round(round_.id)
    assert opened.status == RoundStatus.OPEN and opened.opened_at is not None
    with pytest.raises(DomainError, match="round_not_draft"):
        await service.open_round(round_.id)
    closed = await service.close_round(round_.id)
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(DomainError, match="round_closed"):
        await service.open_round(round_.id)
    with pytest.raises(DomainError, match="round_closed"):
        await service.close_round(round_.id)


async def test_one_answer_per_item_changeable_until_close(service: WorkshopService) -> None:
    _, round_ = await _barometer(service)
    await service.open_round(round_.id)
    first, second = round_.items
    await service.answer(round_.id, first.id, "p1", 2)
    await service.answer(round_.id, first.id, "p1", 5)  # change of mind
    await service.answer(round_.id, second.id, "p1", 1)
    await service.answer(round_.id, first.id, "p2", 4)
    responses = await service.store.responses(round_.id)
    assert sorted((r.item_id, r.participant_key, r.value) for r in responses) == sorted(
        [(first.id, "p1", 5), (second.id, "p1", 1), (first.id, "p2", 4)]
    )
    assert await service.turnout(round_.id) == 2
    await service.close_round(round_.id)
    with pytest.raises(DomainError) as err:
        await service.answer(round_.id, first.id, "p1", 1)
    assert err.value.key == "error.round_closed"
    assert "stängd" in err.value.message("sv") and "closed" in err.value.message("en")
    assert {r.value for r in await service.store.responses(round_.id) if r.participant_key == "p1"} == {5, 1}


async def test_bad_values_and_foreign_items_change_nothing(service: WorkshopService) -> None:
    _, round_ = await _barometer(service)
    _, other = await _barometer(service)
    await service.open_round(round_.id)
    await service.open_round(other.id)
    for item_id, value in [
        (round_.items[0].id, 0),
        (round_.items[0].id, 6),
        (other.items[0].id, 3),
        (999999, 3),
    ]:
        with pytest.raises(DomainError):
            await service.answer(round_.id, item_id, "p1", value)
    assert await service.store.responses(round_.id) == []


async def test_concurrent_presses_leave_one_answer(service: WorkshopService) -> None:
    _, round_ = await _barometer(service, statements=1)
    await service.open_round(round_.id)
    item = round_.items[0]
    await asyncio.gather(*(service.answer(round_.id, item.id, "same-person", 1 + i % 5) for i in range(40)))
    responses = await service.store.responses(round_.id)
    assert len(responses) == 1 and 1 <= responses[0].value <= 5
    await asyncio.gather(*(service.answer(round_.id, item.id, f"p{i}", 3) for i in range(40)))
    assert await service.turnout(round_.id) == 41


async def test_close_racing_votes_accepts_nothing_after_close(service: WorkshopService) -> None:
    _, round_ = await _barometer(service, statements=1)
    await service.open_round(round_.id)
    item = round_.items[0]

    async def vote(i: int) -> bool:
        try:
            await service.answer(round_.id, item.id, f"p{i}", 3)
            return True
        except DomainError:
            return False

    tasks = [asyncio.create_task(vote(i)) for i in range(30)]
    await asyncio.sleep(0)
    await service.close_round(round_.id)
    accepted = sum(await asyncio.gather(*tasks))
    assert await service.turnout(round_.id) == accepted
    assert not await vote(1000)


async def test_participants_and_sectors_are_keyed_pseudonymously(service: WorkshopService) -> None:
    workshop, round_ = await _barometer(service)
    await service.join(workshop.id, "k1", sector=Sector.IDEBUREN, organisation="Föreningen X")
    await service.join(workshop.id, "k1")  # re-join keeps the sector
    participant = await service.store.participant(workshop.id, "k1")
    assert participant is not None and participant.sector == Sector.IDEBUREN
    assert participant.organisation == "Föreningen X"
    await service.join(workshop.id, "k2", sector=Sector.OFFENTLIG)
    await service.open_round(round_.id)
    await service.answer(round_.id, round_.items[0].id, "k1", 5)
    await service.answer(round_.id, round_.items[0].id, "k2", 1)
    await service.answer(round_.id, round_.items[0].id, "k3", 3)
    # only final answers are aggregated: nothing before the close, the answers by sector after it
    assert all(v.by_sector == {} for v in await service.sector_values(round_.id))
    await service.close_round(round_.id)
    values = await service.sector_values(round_.id)
    assert values[0].by_sector == {Sector.IDEBUREN: [5], Sector.OFFENTLIG: [1], None: [3]}
    assert values[1].by_sector == {}


async def test_forget_removes_everything_under_the_keys_in_every_workshop(service: WorkshopService) -> None:
    """A person has a key per workshop; forgetting them derives it for every workshop."""
    (first, round_), (second, other) = await _barometer(service), await _barometer(service)
    keys = {first.id: "gone-in-1", second.id: "gone-in-2"}
    await service.join(first.id, keys[first.id], sector=Sector.ANNAN)
    for workshop, r in ((first, round_), (second, other)):
        await service.open_round(r.id)
        await service.answer(r.id, r.items[0].id, keys[workshop.id], 2)
        await service.answer(r.id, r.items[0].id, "stays", 4)
    await service.store.set_language("gone-user", Language.EN)
    assert await service.workshops_of(keys.__getitem__) == [first.id, second.id]
    removed = await service.forget(keys.__getitem__, "gone-user")
    assert removed == 5  # two answers, two participations (one made by answering), one preference
    for r in (round_, other):
        assert [x.participant_key for x in await service.store.responses(r.id)] == ["stays"]
    assert await service.store.participant(first.id, keys[first.id]) is None
    assert await service.store.language("gone-user") is None
    assert await service.workshops_of(keys.__getitem__) == []


async def test_ballot_replaced_atomically(service: WorkshopService) -> None:
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    round_ = await service.create_round(
        workshop.id,
        RoundKind.RANKING,
        "Principer",
        [("Dialog", "dialog"), ("Kvalitet", "kvalitet"), ("Mångfald", "m")],
        {"top_k": 2},
    )
    await service.open_round(round_.id)
    a, b, c = (i.id for i in round_.items)
    await service.submit_ballot(round_.id, "p1", {a: 1, b: 2})
    await service.submit_ballot(round_.id, "p1", {c: 1, a: 2})
    assert await service.own_answers(round_.id, "p1") == {c: 1, a: 2}
    grouped = await service.ballots_by_sector(round_.id)
    assert grouped == {None: [{c: 1, a: 2}]}
    await service.close_round(round_.id)
    with pytest.raises(DomainError, match="round_closed"):
        await service.submit_ballot(round_.id, "p1", {a: 1})


async def test_a_press_changes_a_ballot_once_and_a_refused_press_not_at_all(service: WorkshopService) -> None:
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    round_ = await service.create_round(
        workshop.id,
        RoundKind.POINTS,
        "Poäng",
        [("Dialog", "dialog"), ("Kvalitet", "kvalitet")],
        {"budget": 100},
    )
    await service.open_round(round_.id)
    a, b = (i.id for i in round_.items)

    def plus_ten(stored: dict[int, int]) -> dict[int, int]:
        return {**stored, a: stored.get(a, 0) + 10}

    def refused(stored: dict[int, int]) -> dict[int, int]:
        raise DomainError("prio.error.no_points_left")

    assert (await service.change_ballot(round_.id, "p1", plus_ten, "press-1"))[0] == {a: 10}
    assert (await service.change_ballot(round_.id, "p1", plus_ten, "press-1"))[0] == {
        a: 10
    }  # delivered again
    assert (await service.change_ballot(round_.id, "p1", plus_ten, "press-2"))[0] == {a: 20}
    with pytest.raises(DomainError):
        await service.change_ballot(round_.id, "p1", refused, "press-3")
    with pytest.raises(DomainError, match="bad_button"):  # an item of no such round
        await service.change_ballot(round_.id, "p1", lambda stored: {**stored, 10**6: 5}, "press-4")
    assert (await service.change_ballot(round_.id, "p1", plus_ten, "press-3"))[0] == {a: 30}  # not spent
    assert (await service.change_ballot(round_.id, "p2", lambda _: {b: 100}))[0] == {b: 100}
    assert await service.own_answers(round_.id, "p1") == {a: 30}
    await service.close_round(round_.id)
    with pytest.raises(DomainError, match="round_closed"):
        await service.change_ballot(round_.id, "p1", plus_ten, "press-5")


async def test_an_answer_delivered_again_counts_once_and_never_undoes_a_later_one(
    service: WorkshopService,
) -> None:
    _, round_ = await _barometer(service, statements=2)
    await service.open_round(round_.id)
    first, second = (i.id for i in round_.items)
    await service.answer(round_.id, first, "p1", 2, "press-1")
    await service.answer(round_.id, first, "p1", 4, "press-2")  # a change of mind
    await service.answer(round_.id, first, "p1", 2, "press-1")  # the first press delivered again
    assert await service.own_answers(round_.id, "p1") == {first: 4}
    # Together in one batch: an original and its redelivery, and others' presses.
    await asyncio.gather(
        service.answer(round_.id, second, "p1", 1, "press-3"),
        service.answer(round_.id, second, "p2", 5, "press-4"),
        service.answer(round_.id, second, "p1", 1, "press-3"),
        service.answer(round_.id, second, "p3", 3),
    )
    await service.answer(round_.id, second, "p1", 5, "press-5")
    await service.answer(round_.id, second, "p1", 1, "press-3")
    assert {(r.participant_key, r.item_id): r.value for r in await service.store.responses(round_.id)} == {
        ("p1", first): 4,
        ("p1", second): 5,
        ("p2", second): 5,
        ("p3", second): 3,
    }
    await service.close_round(round_.id)
    with pytest.raises(DomainError, match="round_closed"):
        await service.answer(round_.id, first, "p1", 1, "press-6")


async def test_round_validation(service: WorkshopService) -> None:
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    cases = [
        (RoundKind.BAROMETER, [], {}, "error.no_items"),
        (RoundKind.BAROMETER, [("A", "a"), ("A", "b")], {}, "error.duplicate_items"),
        (RoundKind.BAROMETER, [("A", "a")], {"scale_steps": 2}, "error.bad_scale"),
        (RoundKind.RANKING, [("A", "a")], {"top_k": 2}, "error.bad_top_k"),
        (RoundKind.POINTS, [("A", "a")], {"budget": 0}, "error.bad_budget"),
    ]
    for kind, items, settings, key in cases:
        with pytest.raises(DomainError) as err:
            await service.create_round(workshop.id, kind, "x", items, settings)
        assert err.value.key == key
    assert await service.store.rounds(workshop.id) == []


async def test_stepping_limits_answers_to_the_current_statement(service: WorkshopService) -> None:
    _, round_ = await _barometer(service, statements=3)
    await service.open_round(round_.id)
    await service.step(round_.id, 0)
    await service.answer(round_.id, round_.items[0].id, "p", 3)
    with pytest.raises(DomainError, match="item_not_current"):
        await service.answer(round_.id, round_.items[1].id, "p", 3)
    await service.step(round_.id, 1)
    await service.answer(round_.id, round_.items[1].id, "p", 3)
    with pytest.raises(DomainError, match="no_more_items"):
        await service.step(round_.id, 3)


async def test_a_chat_binding_remembers_whether_the_workshop_was_created_there(
    service: WorkshopService,
) -> None:
    first = await service.create_workshop("varmland-2015", "Skapad här")
    second = await service.create_workshop("varmland-2015", "Skapad någon annanstans")
    store = service.store
    assert await store.chat_binding("chat") is None
    await store.bind_chat("chat", first.id, origin=True)
    assert await store.chat_binding("chat") == ChatBinding(first.id, True)
    await store.bind_chat("chat", second.id)  # bound to another workshop: not its origin
    assert await store.chat_binding("chat") == ChatBinding(second.id, False)
    assert await store.bound_workshop("chat") == second.id
    await store.bind_chat("room", first.id)
    assert await store.bound_chats(first.id) == ["room"]  # the chat moved on is not the first's any more
    assert await store.bound_chats(second.id) == ["chat"]


async def test_rooms_keep_title_and_topic_leave_and_follow_a_new_chat_id(service: WorkshopService) -> None:
    store = service.store
    workshop = await service.create_workshop("varmland-2015", "Karlstad")
    other = await service.create_workshop("varmland-2015", "Arvika")
    group = ChatRef("telegram", "-4001", title="Karlstad", thread_id="7")
    channel = ChatRef("slack", "C1", workspace="T1", title="workshop")
    for chat in (group, channel):
        await store.add_room(workshop.id, chat)
    await store.add_room(
        workshop.id, ChatRef("telegram", "-4001", thread_id=None)
    )  # no title: kept; topic: General
    await store.add_room(other.id, ChatRef("slack", "C9"))
    await store.bind_chat("key-old", workshop.id, origin=True)

    rooms = await store.rooms(workshop.id)
    assert [(r.platform, r.chat_id, r.title, r.thread_id, r.workspace) for r in rooms] == [
        ("slack", "C1", "workshop", None, "T1"),
        ("telegram", "-4001", "Karlstad", None, None),
    ]

    moved = ChatRef("telegram", "-1004001", title="Karlstad")
    assert await store.move_chat(group, moved, "key-old", "key-new") is True
    assert await store.move_chat(group, moved, "key-old", "key-new") is False  # the second service message
    assert [(r.chat_id, r.title) for r in await store.rooms(workshop.id)] == [
        ("C1", "workshop"),
        ("-1004001", "Karlstad"),
    ]
    assert await store.bound_workshop("key-old") is None
    assert await store.chat_binding("key-new") == ChatBinding(workshop.id, True)  # still where it was created

    assert await store.remove_room(workshop.id, channel) is True
    assert await store.remove_room(workshop.id, channel) is False
    assert [r.chat_id for r in await store.rooms(workshop.id)] == ["-1004001"]
    assert [r.chat_id for r in await store.rooms(other.id)] == ["C9"]
