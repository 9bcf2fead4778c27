"""The content store's contract (memory, SQLite, PostgreSQL) and the domain rules over it.

Item changes laid over the process file, keys kept on rewording and new on adding, the rule
"reword only before a round used it", proposal limits counted in the store's transaction,
duplicates merged, moderation that a second press cannot repeat, and forgetting an author.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.catalogue import load_process
from facilitation.content.editing import WorkshopContent
from facilitation.content.memory_store import MemoryContentStore
from facilitation.content.model import PRINCIPLES, STATEMENTS, ItemChange, Origin, ProposalStatus
from facilitation.content.moderation import check_proposal, is_offensive
from facilitation.content.proposals import Proposals
from facilitation.content.store import ContentStore
from facilitation.errors import DomainError
from facilitation.memory_store import MemoryStore
from facilitation.model import Language, RoundKind, Workshop
from facilitation.service import WorkshopService

ROOT = Path(__file__).resolve().parent.parent
PROCESS = load_process(ROOT / "config" / "processes" / "varmland-2015.toml")
AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
async def rig(store: object) -> AsyncIterator[tuple[WorkshopService, WorkshopContent, Proposals, Workshop]]:
    content: ContentStore
    if isinstance(store, MemoryStore):
        content = MemoryContentStore()
    else:
        from storage.content_repository import SqlContentStore

        content = SqlContentStore(store.engine)  # type: ignore[attr-defined]
    service = WorkshopService(store, {PROCESS.key: PROCESS})  # type: ignore[arg-type]
    editing = WorkshopContent(content, service.store, lambda: service.processes)
    service.workshop_process = editing.process_for
    proposals = Proposals(editing)
    service.forgetters.append(proposals.forget)
    workshop = await service.create_workshop(PROCESS.key, "Karlstad", Language.SV)
    yield service, editing, proposals, workshop


async def test_changes_lay_over_the_template_and_keys_stay(rig) -> None:  # type: ignore[no-untyped-def]
    service, editing, _, workshop = rig
    template = [s.key for s in PROCESS.statements]
    added = await editing.add(workshop, STATEMENTS, "  Unga   är med i dialogen. ", "Young people take part.")
    assert added.key == f"w{workshop.id}-s1" and added.text == "Unga är med i dialogen."
    reworded = await editing.reword(workshop, STATEMENTS, 2, "Samverkan i länet är god nog!")
    assert reworded.key == template[1] and reworded.reworded
    await editing.move(workshop, STATEMENTS, 8, 1)
    await editing.remove(workshop, STATEMENTS, 4)  # template statement 3 after the move
    items = await editing.items(workshop, STATEMENTS)
    assert [i.key for i in items] == [added.key, template[0], template[1], *template[3:]]
    assert items[2].text == "Samverkan i länet är god nog!" and items[2].template_text != items[2].text
    assert items[0].origin == Origin.CHAT and items[0].text_en == "Young people take part."
    # A barometer round draws on that list, numbered by it; the process file is untouched.
    process = await service.process_of(workshop)
    round_ = await service.create_round(
        workshop.id, RoundKind.BAROMETER, "B", [(s.text, s.key) for s in process.statements]
    )
    assert [(i.number, i.ref_key) for i in round_.items][:3] == [
        (1, added.key),
        (2, template[0]),
        (3, template[1]),
    ]
    assert PROCESS.statements[1].text != "Samverkan i länet är god nog!"
    # Used now: its words can no longer change, and nothing was stored by the refusal.
    before = await editing.content.item_changes(workshop.id)
    with pytest.raises(DomainError) as refused:
        await editing.reword(workshop, STATEMENTS, 1, "Något annat")
    assert refused.value.key == "content.error.used"
    assert await editing.content.item_changes(workshop.id) == before
    # A second addition never reuses a key, also after a removal.
    await editing.remove(workshop, STATEMENTS, 1)
    second = await editing.add(workshop, STATEMENTS, "Ännu ett påstående")
    assert second.key == f"w{workshop.id}-s2"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "content.error.empty"),
        ("x" * 301, "content.error.too_long"),
        ("Dold\u202etext", "content.error.hidden"),
        ("min organisation har något att tillföra till värmlands utveckling!", "content.error.alike"),
    ],
)
async def test_bad_item_text_is_refused_and_changes_nothing(rig, text: str, key: str) -> None:  # type: ignore[no-untyped-def]
    _, editing, _, workshop = rig
    with pytest.raises(DomainError) as refused:
        await editing.add(workshop, STATEMENTS, text)
    assert refused.value.key == key
    assert await editing.content.item_changes(workshop.id) == []


async def test_numbers_out_of_range_and_the_last_item(rig) -> None:  # type: ignore[no-untyped-def]
    _, editing, _, workshop = rig
    for call in (editing.remove(workshop, PRINCIPLES, 15), editing.move(workshop, PRINCIPLES, 1, 0)):
        with pytest.raises(DomainError) as refused:
            await call
        assert refused.value.key == "content.error.no_such.principles"
    for number in range(7, 1, -1):
        await editing.remove(workshop, STATEMENTS, number)
    with pytest.raises(DomainError, match=re.escape("content.error.last")):
        await editing.remove(workshop, STATEMENTS, 1)


async def test_proposals_limits_duplicates_moderation_and_forgetting(rig) -> None:  # type: ignore[no-untyped-def]
    service, editing, proposals, workshop = rig
    with pytest.raises(DomainError, match=re.escape("proposal.error.closed")):
        await proposals.submit(workshop, "k1", "Tillit")
    await proposals.open(workshop, PRINCIPLES, per_person=2, per_round=4)
    with pytest.raises(DomainError, match=re.escape("proposal.error.already_open")):
        await proposals.open(workshop, STATEMENTS)
    first = await proposals.submit(workshop, "k1", "Tillit")
    assert first.proposal.number == 1 and first.left == 1
    same = await proposals.submit(workshop, "k2", "  tillit! ")
    assert same.duplicate_of == 1 and same.proposal.status == ProposalStatus.MERGED
    await proposals.submit(workshop, "k1", "Barnets bästa")
    with pytest.raises(DomainError, match=re.escape("proposal.error.person_limit")):
        await proposals.submit(workshop, "k1", "Hållbarhet")
    await proposals.submit(workshop, "k3", "Ömsesidig tillit")
    with pytest.raises(DomainError, match=re.escape("proposal.error.round_limit")):
        await proposals.submit(workshop, "k4", "Jämlikhet")
    overview = await proposals.overview(workshop)
    assert [p.number for p in overview.alike(1)] == [4] and overview.support(1) == 2
    await proposals.merge(workshop, 4, 1)
    key = await proposals.accept(workshop, 1)
    with pytest.raises(DomainError, match=re.escape("proposal.error.already.accepted")):
        await proposals.accept(workshop, 1)  # a second press changes nothing
    await proposals.reject(workshop, 3)
    assert key == f"w{workshop.id}-p1"
    principles = await editing.items(workshop, PRINCIPLES)
    assert principles[-1].text == "Tillit" and principles[-1].origin == Origin.PROPOSAL
    assert (await service.process_of(workshop)).principles[-1].local
    # The author of #1 is forgotten: their proposals go, the accepted item stays (no key in it),
    # and #4, merged into a proposal that is gone, waits again.
    assert await proposals.forget(["k1"]) == 2
    left = {p.number: p for p in await editing.content.proposals((await proposals.latest(workshop)).id)}
    assert set(left) == {2, 4} and left[4].status == ProposalStatus.PENDING and left[2].merged_into is None
    assert (await editing.items(workshop, PRINCIPLES))[-1].text == "Tillit"


async def test_limits_hold_when_proposals_arrive_at_once(rig) -> None:  # type: ignore[no-untyped-def]
    _, _, proposals, workshop = rig
    await proposals.open(workshop, STATEMENTS, per_person=3, per_round=10)
    results = await asyncio.gather(
        *(proposals.submit(workshop, f"k{i % 4}", f"Påstående nummer {i} om dialog") for i in range(16)),
        return_exceptions=True,
    )
    stored = await proposals.overview(workshop)
    assert len(stored.proposals) == 10 == sum(not isinstance(r, Exception) for r in results)
    assert sorted(p.number for p in stored.proposals) == list(range(1, 11))


async def test_item_changes_round_trip(store: object) -> None:
    content: ContentStore
    if isinstance(store, MemoryStore):
        content = MemoryContentStore()
    else:
        from storage.content_repository import SqlContentStore

        content = SqlContentStore(store.engine)  # type: ignore[attr-defined]
    workshop = await store.create_workshop("p", "T", "ABCDEF", Language.SV, AT)  # type: ignore[attr-defined]
    change = ItemChange(STATEMENTS, "s1", "Ny", "New", False, Origin.TEMPLATE, 3, True)
    await content.save_item_changes(workshop.id, [change])
    await content.save_item_changes(workshop.id, [ItemChange(STATEMENTS, "s1", "Nyare", None, True)])
    assert await content.item_changes(workshop.id) == [ItemChange(STATEMENTS, "s1", "Nyare", None, True)]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "proposal.error.empty"),
        (" \n\t ", "proposal.error.empty"),
        ("😀🎉👍", "proposal.error.no_words"),
        ("1234 !!", "proposal.error.no_words"),
        ("Tillit\u202e", "proposal.error.hidden"),
        ("Till\x00it", "proposal.error.hidden"),
        ("Tillit\u200bmellan", "proposal.error.hidden"),
        ("Det här är skitsnack", "proposal.error.offensive"),
        ("What the FUCK", "proposal.error.offensive"),
        ("a" * 81, "proposal.error.too_long"),
    ],
)
def test_odd_proposals_are_refused_clearly(text: str, key: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_proposal(text, PRINCIPLES)
    assert refused.value.key == key


def test_ordinary_proposals_pass() -> None:
    assert check_proposal("  Barnets   bästa 👶 ", PRINCIPLES) == "Barnets bästa 👶"
    assert (
        check_proposal("Familjen 👨\u200d👩\u200d👧 i fokus", PRINCIPLES)
        == "Familjen 👨\u200d👩\u200d👧 i fokus"
    )
    assert not is_offensive("Skiftarbete och fantasi, Hora-kullen")  # words, not substrings
    assert check_proposal("x" * 300, STATEMENTS) == "x" * 300


def _two_processes(store: object) -> tuple[WorkshopContent, WorkshopContent, list[object]]:
    """Two bot processes' content editors on one database: each its own engine (on SQLite and
    PostgreSQL) and its own in-process lock, as two ``dialogbot run`` sharing the database."""
    service = WorkshopService(store, {PROCESS.key: PROCESS})  # type: ignore[arg-type]
    if isinstance(store, MemoryStore):
        shared = MemoryContentStore()
        return (
            WorkshopContent(shared, service.store, lambda: service.processes),
            WorkshopContent(shared, service.store, lambda: service.processes),
            [],
        )
    from storage.content_repository import SqlContentStore
    from storage.database import create_engine

    engines = [create_engine(str(store.engine.url.render_as_string(hide_password=False))) for _ in range(2)]  # type: ignore[attr-defined]
    one, other = (
        WorkshopContent(SqlContentStore(engine), service.store, lambda: service.processes)
        for engine in engines
    )
    return one, other, engines


async def test_an_item_added_by_another_process_meanwhile_gets_no_key_of_its_own_twice(store: object) -> None:
    """Process B works out the new key (w1-s1), process A adds its own item under that key before
    B stores: B's item is stored under the next key, and A's item is still there as A wrote it."""
    one, other, engines = _two_processes(store)
    try:
        workshop = await store.create_workshop(PROCESS.key, "T", "ABCDEF", Language.SV, AT)  # type: ignore[attr-defined]
        tries: list[str] = []

        async def store_after_a(change: ItemChange) -> None:
            tries.append(change.key)
            if len(tries) == 1:  # A adds between B's reading and B's writing
                assert (await one.add(workshop, STATEMENTS, "Från process A")).key == change.key
            await other.content.add_item(workshop.id, change)

        b = await other.stored_new_item(workshop, STATEMENTS, "Från process B", store_after_a)
        assert tries == [f"w{workshop.id}-s1", f"w{workshop.id}-s2"] and b.key == tries[1]
        added = {i.key: i.text for i in await one.items(workshop, STATEMENTS) if i.origin == Origin.CHAT}
        assert added == {f"w{workshop.id}-s1": "Från process A", f"w{workshop.id}-s2": "Från process B"}
    finally:
        for engine in engines:
            await engine.dispose()  # type: ignore[attr-defined]


@pytest.mark.postgres
async def test_two_processes_adding_items_at_once_never_share_a_key(pg_database: str) -> None:
    """Two processes on one PostgreSQL add 6 statements each to one workshop at the same time:
    12 items with 12 keys, none replacing another (before, the second write of a key replaced the
    first's text)."""
    async for sql_store in _pg_store(pg_database):
        one, other, engines = _two_processes(sql_store)
        try:
            workshop = await sql_store.create_workshop(PROCESS.key, "T", "ABCDEF", Language.SV, AT)
            texts = [f"Process {p} påstående {i}" for p in "AB" for i in range(6)]
            added = await asyncio.gather(
                *(
                    (one if text.startswith("Process A") else other).add(workshop, STATEMENTS, text)
                    for text in texts
                )
            )
            assert len({item.key for item in added}) == 12
            stored = {i.key: i.text for i in await one.items(workshop, STATEMENTS) if i.origin == Origin.CHAT}
            assert sorted(stored.values()) == sorted(texts)
            assert stored == {item.key: item.text for item in added}
        finally:
            for engine in engines:
                await engine.dispose()  # type: ignore[attr-defined]


async def _pg_store(url: str) -> AsyncIterator:
    from tests.conftest import _sql_store

    async for sql_store in _sql_store(url):
        yield sql_store
