"""Exercises are declared, not discovered: the registry lists each kind once, the service applies a
kind's rules through :class:`RoundRules` alone, and the Slack modal makes rounds through them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.slack.modal import LaunchChoice, choice_errors, round_spec
from facilitation.errors import DomainError
from facilitation.exercises import Exercise, RoundRules, RoundSpec
from facilitation.exercises.registry import KINDS, exercises, round_rules
from facilitation.memory_store import MemoryStore
from facilitation.model import Language, Process, Round, RoundItem, RoundKind
from facilitation.service import WorkshopService
from tests.fixtures import PROCESSES

PROCESS = PROCESSES["varmland-2015"]


class _TwoWords(RoundRules):
    """A made-up kind's rules: its catalogue is two words, "steps" must be 2, and answers are 7."""

    kinds = (RoundKind.BAROMETER,)
    catalogue_name = "statements"

    def __init__(self) -> None:
        self.seen: list[tuple[RoundKind, dict[str, int], int]] = []

    def catalogue(self, process: Process, lang: Language = Language.SV) -> list[tuple[str, str]]:
        return [("ett", "w1"), ("två", "w2")]

    def check_settings(self, kind: RoundKind, settings: dict[str, int], item_count: int) -> None:
        self.seen.append((kind, dict(settings), item_count))
        if settings.setdefault("steps", 2) != 2:
            raise DomainError("error.bad_scale", min=2, max=2)

    def check_answer(self, round_: Round, item: RoundItem, value: int) -> None:
        if value != 7:
            raise DomainError("error.bad_value")

    def launch(
        self,
        kind: RoundKind,
        process: Process,
        lang: Language,
        entries: Sequence[tuple[str, str]],
        typed: Sequence[tuple[str, str]],
    ) -> RoundSpec:
        return RoundSpec("två ord", [*entries, *typed])


async def _workshop(service: WorkshopService) -> int:
    return (await service.create_workshop(PROCESS.key, "Test")).id


def test_every_kind_of_round_has_one_exercise_and_one_set_of_rules() -> None:
    flows = exercises()
    assert all(isinstance(flow, Exercise) for flow in flows)
    assert sorted(kind for flow in flows for kind in flow.kinds) == sorted(RoundKind)
    assert set(round_rules()) == set(RoundKind)
    assert [entry.rules.kinds for entry in KINDS] == [flow.kinds for flow in flows]
    names = [name for flow in flows for name in flow.start_commands]
    assert len(names) == len(set(names))


async def test_the_service_applies_a_kinds_rules_and_keeps_none_of_its_own() -> None:
    rules = _TwoWords()
    service = WorkshopService(MemoryStore(), PROCESSES, rules={RoundKind.BAROMETER: rules})
    workshop_id = await _workshop(service)
    with pytest.raises(DomainError) as refused:
        await service.create_round(workshop_id, RoundKind.BAROMETER, "T", [("a", "w2")], {"steps": 3})
    assert refused.value.key == "error.bad_scale"
    # a scale of 2 is no barometer's, but these rules allow it: the service asks them alone
    round_ = await service.create_round(workshop_id, RoundKind.BAROMETER, "T", [("a", "w2"), ("b", "x")])
    assert round_.settings == {"steps": 2}
    assert [item.number for item in round_.items] == [2, 3]  # numbered by the rules' catalogue
    assert rules.seen[-1] == (RoundKind.BAROMETER, {}, 2)
    await service.open_round(round_.id)
    with pytest.raises(DomainError) as refused:
        await service.answer(round_.id, round_.items[0].id, "p1", 1)
    assert refused.value.key == "error.bad_value"
    await service.answer(round_.id, round_.items[0].id, "p1", 7)
    assert await service.own_answers(round_.id, "p1") == {round_.items[0].id: 7}


async def test_a_kind_no_exercise_offers_makes_no_round() -> None:
    service = WorkshopService(MemoryStore(), PROCESSES, rules={})
    with pytest.raises(ValueError, match="ranking"):
        await service.create_round(await _workshop(service), RoundKind.RANKING, "T", [("a", "a")])


@pytest.mark.parametrize("kind", list(RoundKind))
async def test_the_launch_modal_makes_the_round_the_kinds_rules_make(kind: RoundKind) -> None:
    rules = round_rules()[kind]
    # a follow-up's catalogue is the commitments, which the Örebro agreement lists
    process = PROCESSES["orebro-2010"] if rules.catalogue_name == "commitments" else PROCESS
    keys = tuple(key for _text, key in rules.catalogue(process)[:2])
    ticked = {"statements": (), "principles": (), "commitments": ()} | {rules.catalogue_name: keys}
    choice = LaunchChoice(
        kind, ticked["statements"], ticked["principles"], ("egen rad",), "C1", ticked["commitments"]
    )
    assert choice_errors(choice, process, Language.SV) == {}
    service = WorkshopService(MemoryStore(), PROCESSES)
    workshop = await service.require_workshop((await service.create_workshop(process.key, "Test")).id)
    title, items, settings = round_spec(choice, process, workshop)
    expected = rules.launch(
        kind, process, workshop.language, rules.catalogue(process)[:2], [("egen rad", "egen-1")]
    )
    assert (title, items, settings) == (expected.title, expected.items, expected.settings)
    round_ = await service.create_round(workshop.id, kind, title, items, settings)
    assert [item.number for item in round_.items] == [1, 2, len(rules.catalogue(process)) + 1]
    other = "principles" if rules.catalogue_name == "statements" else "statements"
    wrong = LaunchChoice(
        kind, *(("x",) if name == other else () for name in ("statements", "principles")), (), "C1"
    )
    assert list(choice_errors(wrong, process, Language.SV)) == [other]
