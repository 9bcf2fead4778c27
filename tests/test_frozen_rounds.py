"""A closed round never changes, and never leaks (issue 13 §2).

The issue's repro: 5 idéburen, 6 offentlig, 4 annan answer; the round closes and is exported;
then one "annan" participant switches to offentlig and another participant asks to be
forgotten. Before freezing, the second export showed offentlig with n = 7 — the switcher's
answers, read off by comparing two exports. Now every output of the closed round (result
text, charts, CSV, XLSX, ``/rummet``, turnout) is byte-identical before and after, on every store.
"""

from __future__ import annotations

from typing import Any

import pytest

from facilitation.barometer.flow import BarometerExercise
from facilitation.barometer.results import room_view
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.exercises import Post
from facilitation.model import Language, Round, RoundKind, RoundStatus, SectorDef
from facilitation.prioritisation.flow import PrioritisationExercise
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer
from facilitation.service import WorkshopService
from tests.conftest import SECRET
from tests.fixtures import PROCESSES

IDE, OFF, ANN = "ideburen", "offentlig", "annan"
ROOM = {IDE: 5, OFF: 6, ANN: 4}


def _conversation(service: WorkshopService) -> Conversation:
    return Conversation(
        service,
        Pseudonymizer(SECRET),
        is_facilitator=lambda _user: True,
        renderer=ChartRenderer(),
        exercises=[BarometerExercise(), PrioritisationExercise()],
    )


async def _everything(conv: Conversation, round_: Round) -> list[Any]:
    """Every output of the closed round, as bytes and text (charts rendered to PNG)."""
    exercise = conv.exercises[round_.kind]
    out: list[Any] = []
    for lang in Language:
        for output in await exercise.results(conv, round_, lang):
            out.append(output.text if isinstance(output, Post) else (output.caption, output.png))
        out += [(a.filename, a.data) for a in await exercise.export(conv, round_, lang)]
    if round_.kind is RoundKind.BAROMETER:
        for number in range(1, len(round_.items) + 1):
            out += [
                (o.caption, o.png) if not isinstance(o, Post) else o.text
                for o in await room_view(conv, round_, number, Language.SV)
            ]
    out.append(await conv.service.turnout(round_.id))
    return out


async def _room(service: WorkshopService, kind: RoundKind) -> tuple[Round, list[str]]:
    workshop = await service.create_workshop("varmland-2015", "Frusen")
    process = service.processes["varmland-2015"]
    if kind is RoundKind.BAROMETER:
        items = [(s.text, s.key) for s in process.statements[:2]]
        round_ = await service.create_round(workshop.id, kind, "Barometer", items, {"scale_steps": 5})
    else:
        items = [(p.name, p.key) for p in process.principles[:4]]
        round_ = await service.create_round(workshop.id, kind, "Principer", items, {"top_k": 2})
    round_ = await service.open_round(round_.id)
    keys = []
    for sector, count in ROOM.items():
        for index in range(count):
            key = f"{sector}-{index}"
            keys.append(key)
            await service.join(workshop.id, key, sector=sector)
            if kind is RoundKind.BAROMETER:
                for item, value in zip(round_.items, (1 + index % 5, 5 - index % 5), strict=True):
                    await service.answer(round_.id, item.id, key, value)
            else:
                first, second = round_.items[index % 4].id, round_.items[(index + 1) % 4].id
                await service.submit_ballot(round_.id, key, {first: 1, second: 2})
    return await service.close_round(round_.id), keys


@pytest.mark.parametrize("kind", [RoundKind.BAROMETER, RoundKind.RANKING])
async def test_a_closed_round_is_byte_identical_after_a_sector_change_and_a_forget(
    store: Any, kind: RoundKind
) -> None:
    service = WorkshopService(store, PROCESSES)
    conv = _conversation(service)
    round_, _ = await _room(service, kind)
    before = await _everything(conv, round_)
    assert any(isinstance(o, tuple) and o[0].endswith(".xlsx") for o in before)
    # one "annan" participant becomes offentlig (7 then, the switcher's answers the difference) …
    await service.join(round_.workshop_id, "annan-0", sector=OFF)
    assert (await store.participant(round_.workshop_id, "annan-0")).sector == OFF
    # … and an offentlig participant asks to be forgotten (their keyed answers are deleted)
    assert await service.forget(lambda workshop_id: "offentlig-5", "offentlig-5") > 0
    assert not await store.own_responses(round_.id, "offentlig-5")
    after = await _everything(conv, await service.require_round(round_.id))
    assert after == before


async def test_forgetting_removes_every_keyed_row_but_not_the_published_figures(store: Any) -> None:
    service = WorkshopService(store, PROCESSES)
    round_, keys = await _room(service, RoundKind.BAROMETER)
    frozen = await store.frozen_answers(round_.id)
    assert len(frozen) == 2 * len(keys) and all(not hasattr(a, "participant_key") for a in frozen)
    assert {a.sector for a in frozen} == {IDE, OFF, ANN}
    for key in keys:
        await service.forget(lambda workshop_id, key=key: key, key)  # (one workshop: one key each)
    assert await store.responses(round_.id) == [] and await store.participants(round_.workshop_id) == []
    assert sorted(await store.frozen_answers(round_.id), key=repr) == sorted(frozen, key=repr)
    assert await service.turnout(round_.id) == len(keys)  # fixed at the close


async def test_a_stepped_past_statement_is_frozen_and_takes_no_more_answers(store: Any) -> None:
    service = WorkshopService(store, PROCESSES)
    conv = _conversation(service)
    workshop = await service.create_workshop("varmland-2015", "Stegvis")
    items = [(s.text, s.key) for s in service.processes["varmland-2015"].statements[:2]]
    round_ = await service.create_round(
        workshop.id, RoundKind.BAROMETER, "Stegvis", items, {"scale_steps": 5}
    )
    await store.set_current_position(round_.id, 0)
    round_ = await service.open_round(round_.id)
    for index in range(10):
        key = f"p{index}"
        await service.join(workshop.id, key, sector=IDE if index % 2 else OFF)
        await service.answer(round_.id, round_.items[0].id, key, 1 + index % 5)
    round_ = await service.step(round_.id, 1)  # /nasta: statement 1 is final and shown
    shown = await room_view(conv, round_, 1, Language.SV)
    assert round_.frame is None and (await service.require_round(round_.id)).frame is not None
    # a stale button (or another process's cached round) still aims at statement 1: refused
    with pytest.raises(DomainError) as refused:
        await service.answer(round_.id, round_.items[0].id, "p0", 5)
    assert refused.value.key in ("error.item_not_current", "error.round_closed")
    assert await store.set_response(round_.id, round_.items[0].id, "late", 5, service.clock()) is False
    # a sector change after the step does not move the picture shown at /nasta, nor the close's
    await service.join(workshop.id, "p1", sector=ANN)
    closed = await service.close_round(round_.id)
    assert closed.status is RoundStatus.CLOSED
    assert [o.png for o in await room_view(conv, closed, 1, Language.SV)] == [o.png for o in shown]


async def test_the_frame_is_fixed_at_the_first_freeze(store: Any) -> None:
    """Raising min_group_size (or editing the process's sectors) after the close changes nothing:
    8/8/4 compared at 5 would, at 10, publish the room's 20 — and 20 − 8 − 8 is the 4."""
    service = WorkshopService(store, PROCESSES)
    conv = _conversation(service)
    round_, _ = await _room(service, RoundKind.BAROMETER)
    assert round_.frame is not None and round_.frame.min_group_size == 5
    before = await _everything(conv, round_)
    service.min_group_size = 10
    service.processes = {**PROCESSES, "varmland-2015": _with_sectors(PROCESSES["varmland-2015"])}
    assert await _everything(conv, await service.require_round(round_.id)) == before


def _with_sectors(process: Any) -> Any:
    from dataclasses import replace

    return replace(
        process, sectors=(SectorDef("politiker", "Politiker"), SectorDef("tjansteman", "Tjänsteperson"))
    )
