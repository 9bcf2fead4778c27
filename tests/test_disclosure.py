"""The disclosure rule: what a round publishes never reveals a group below the minimum.

Two kinds of test:

* the rule itself (:func:`facilitation.suppression.disclose`) on the rooms the issue names —
  10/10/4, 8/8/4, participants without a sector, a room below the minimum;
* a property over **every output of a round** (hypothesis: 2–5 sectors of 0–40 people and up to
  8 without a sector, random answers, random minimum): the barometer's result text, every chart,
  CSV and XLSX, the live turnout, ``/rummet`` for every statement, the step-mode pictures
  ``/nasta`` posts, and a second round drawn against the first (``/jamfor``); a
  prioritisation's text, charts and exports; the two barometers as yearly rounds in ``/trend``
  (its text, its chart's arguments, its one-line summary); every chart's alt text; and the
  workshop report of all three (``/rapport``).
  The room is then changed in everything the rule claims it does not publish — the answers of
  left-out groups are replaced by other answers, and the answers of hidden groups that are only
  published together (the pooled "Övriga" panel, or the whole room when no group is shown) are
  shuffled between those groups — and every output
  must come out identical. Together with the rule's own invariants (each shown group, and each
  pooled residue, holds at least the minimum) this shows that every published figure is a
  function of the shown groups, a residue of at least the minimum, and counts of answers: no
  group below the minimum, nor any union of hidden groups below it, can be derived.

Charts are compared by the exact arguments their pure builder functions receive (a figure is a
function of them), so a hidden answer cannot reach a chart without failing the test; one test
also compares rendered PNG bytes for the 10/10/4 room.
"""

from __future__ import annotations

import io
import pickle
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from facilitation.barometer.flow import BarometerExercise
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.exercises import Post
from facilitation.memory_store import MemoryStore
from facilitation.model import (
    Language,
    Principle,
    Process,
    Round,
    RoundKind,
    SectorDef,
    SectorKey,
    Statement,
)
from facilitation.prioritisation.flow import PrioritisationExercise
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer
from facilitation.report.content import workshop_report
from facilitation.service import WorkshopService
from facilitation.suppression import Disclosure, Hidden, disclose
from facilitation.yearbook.chat import install as install_yearbook
from facilitation.yearbook.store import MemoryYearbook
from tests.conftest import SECRET

IDE, OFF, ANN = "ideburen", "offentlig", "annan"


# --- the rule on the rooms the issue names --------------------------------------------------------


@pytest.mark.parametrize("big", [10, 8])
def test_typical_room_compares_the_two_main_sectors(big: int) -> None:
    d = disclose({IDE: big, OFF: big, ANN: 4}, 5)
    assert d.shown == (IDE, OFF) and d.compared
    assert d.left_out == (ANN,) and d.hidden == {ANN: Hidden.TOO_FEW}
    assert d.n == 2 * big and d.residue == 4  # the room's result holds the compared groups only


def test_typical_room_with_people_without_a_sector() -> None:
    d = disclose({IDE: 10, OFF: 10, ANN: 4, None: 3}, 5)
    # annan and "no sector" are small alone but 7 together: shown pooled, and counted in the room
    assert d.shown == (IDE, OFF) and d.pooled == (ANN, None) and d.left_out == ()
    assert d.n == 27 and d.residue == 0 and d.panels == 3
    d = disclose({IDE: 10, OFF: 10, None: 2}, 5)
    assert d.left_out == (None,) and d.n == 20


def test_one_large_group_protects_the_small_ones_and_says_why() -> None:
    d = disclose({IDE: 10, OFF: 4}, 5)
    assert d.shown == () and not d.compared and d.overall and d.n == 14
    assert d.hidden == {IDE: Hidden.PROTECTS, OFF: Hidden.TOO_FEW}
    d = disclose({IDE: 10, OFF: 3, ANN: 3}, 5)  # the small ones together reach 5: compared with Övriga
    assert d.shown == (IDE,) and d.pooled == (OFF, ANN) and d.compared and d.n == 16


def test_a_room_below_the_minimum_publishes_only_its_count() -> None:
    d = disclose({IDE: 1}, 5)
    assert (
        not d.overall and d.n == 0 and d.total == 1 and d.residue == 1 and d.hidden == {IDE: Hidden.TOO_FEW}
    )
    assert disclose({}, 5).total == 0
    d = disclose({IDE: 5}, 5)  # one group of exactly the minimum, nobody else: its panel is the room
    assert d.shown == (IDE,) and d.overall and not d.compared and not d.hidden


def _rule_invariants(d: Disclosure[Any]) -> None:
    """What must hold for any rule outcome, independently of how it was reached."""
    for key in d.shown:
        assert d.sizes[key] >= d.minimum
    for key, n in d.sizes.items():
        if n < d.minimum:
            assert key not in d.shown and key in d.hidden
    if d.pooled:
        assert d.pooled_size >= d.minimum
    protected = [k for k in d.included if k not in d.shown]  # published only together
    if protected:
        assert sum(d.sizes[k] for k in protected) >= d.minimum
    if d.overall:
        assert d.n >= d.minimum
    assert set(d.shown) | set(d.hidden) == set(d.sizes)
    assert set(d.left_out) | set(d.included) == set(d.sizes) and not set(d.left_out) & set(d.included)


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(st.one_of(st.none(), st.sampled_from("abcde")), st.integers(0, 40)), st.integers(1, 12)
)
def test_rule_invariants(sizes: dict[str | None, int], minimum: int) -> None:
    d = disclose(sizes, minimum)
    _rule_invariants(d)
    large = [k for k, n in sizes.items() if n >= minimum]
    if len(large) >= 2:
        assert set(d.shown) == set(large)  # the comparison survives whenever two groups are large


# --- the property over every output of a round ----------------------------------------------------


class ArgsRenderer(ChartRenderer):
    """Records each chart as its builder's name and exact arguments, instead of drawing it.

    The chart builders are pure functions of their arguments, so two identical records are
    two identical charts; returning the record as the "PNG" puts it into the compared outputs.
    """

    async def render(self, build: Any, *args: Any, **kwargs: Any) -> bytes:
        return build.__name__.encode() + pickle.dumps((args, sorted(kwargs.items())))


@dataclass
class Room:
    """Participants (key → sector) and their answers: barometer values per round, a ballot each."""

    sectors: tuple[SectorDef, ...]
    minimum: int
    steps: int
    kind: RoundKind
    people: dict[str, SectorKey]
    first: dict[str, list[int | None]] = field(default_factory=dict)
    second: dict[str, list[int | None]] = field(default_factory=dict)
    ballots: dict[str, dict[int, int]] = field(default_factory=dict)


STATEMENTS = 3
PRINCIPLES = 4


def _ballot(kind: RoundKind, rng: random.Random) -> dict[int, int]:
    """A valid ballot over principle positions 0..PRINCIPLES−1 (rankings top-3, may be shorter)."""
    positions = list(range(PRINCIPLES))
    rng.shuffle(positions)
    if kind is RoundKind.RANKING:
        return {p: rank for rank, p in enumerate(positions[: rng.randint(1, 3)], start=1)}
    if kind is RoundKind.APPROVAL:
        return dict.fromkeys(positions[: rng.randint(1, PRINCIPLES)], 1)
    cuts = sorted(rng.randint(0, 10) for _ in range(PRINCIPLES - 1))
    points = [b - a for a, b in zip([0, *cuts], [*cuts, 10], strict=True)]
    return {p: v for p, v in zip(range(PRINCIPLES), points, strict=True) if v}


def _answers(steps: int, rng: random.Random) -> list[int | None]:
    return [None if rng.random() < 0.15 else rng.randint(1, steps) for _ in range(STATEMENTS)]


@st.composite
def rooms(draw: st.DrawFn) -> Room:
    count = draw(st.integers(2, 5))
    sectors = tuple(SectorDef(f"s{i}", f"Sektor {i}", f"Sector {i}") for i in range(count))
    sizes = [draw(st.integers(0, 40)) for _ in range(count)]
    unsectored = draw(st.integers(0, 8))
    rng = draw(st.randoms(use_true_random=False))
    room = Room(
        sectors,
        draw(st.integers(2, 8)),
        draw(st.sampled_from([5, 7])),
        draw(st.sampled_from([RoundKind.RANKING, RoundKind.POINTS, RoundKind.APPROVAL])),
        {},
    )
    groups: list[SectorKey] = [s.key for s in sectors]
    for group, size in [*zip(groups, sizes, strict=True), (None, unsectored)]:
        for index in range(size):
            key = f"{group}-{index}"
            room.people[key] = group
            room.first[key] = _answers(room.steps, rng)
            room.second[key] = _answers(room.steps, rng)
            room.ballots[key] = _ballot(room.kind, rng)
    return room


def _members(room: Room, groups: Sequence[SectorKey], keys: Sequence[str]) -> list[str]:
    return [k for k in keys if room.people[k] in groups]


def _perturb_values(
    room: Room, answers: dict[str, list[int | None]], rng: random.Random
) -> dict[str, list[int | None]]:
    """Per statement: left-out groups answer anything else, hidden groups published together swap answers."""
    out = {key: list(values) for key, values in answers.items()}
    for index in range(STATEMENTS):
        answered = [k for k, values in answers.items() if values[index] is not None]
        sizes: dict[SectorKey, int] = {}
        for key in answered:
            sizes[room.people[key]] = sizes.get(room.people[key], 0) + 1
        d = disclose(sizes, room.minimum)
        _rule_invariants(d)
        for key in _members(room, d.left_out, answered):
            out[key][index] = rng.randint(1, room.steps)
        together = _members(room, [g for g in d.included if g not in d.shown], answered)
        values = [answers[k][index] for k in together]
        rng.shuffle(values)
        for key, value in zip(together, values, strict=True):
            out[key][index] = value
    return out


def _perturb_ballots(room: Room, rng: random.Random) -> dict[str, dict[int, int]]:
    sizes: dict[SectorKey, int] = {}
    for group in room.people.values():
        sizes[group] = sizes.get(group, 0) + 1
    d = disclose(sizes, room.minimum)
    _rule_invariants(d)
    out = {key: dict(ballot) for key, ballot in room.ballots.items()}
    for key in _members(room, d.left_out, list(room.people)):
        out[key] = _ballot(room.kind, rng)
    together = _members(room, [g for g in d.included if g not in d.shown], list(room.people))
    ballots = [room.ballots[k] for k in together]
    rng.shuffle(ballots)
    out.update(zip(together, ballots, strict=True))
    return out


def perturbed(room: Room, seed: int) -> Room:
    """The same room, changed in everything the disclosure rule says is not published."""
    rng = random.Random(seed)
    return Room(
        room.sectors,
        room.minimum,
        room.steps,
        room.kind,
        dict(room.people),
        _perturb_values(room, room.first, rng),
        _perturb_values(room, room.second, rng),
        _perturb_ballots(room, rng),
    )


def _process(room: Room) -> Process:
    return Process(
        key="prop",
        name="Egenskapstest",
        min_group_size=room.minimum,
        scale_steps=room.steps,
        statements=tuple(Statement(f"p{i}", f"Påstående nummer {i}") for i in range(STATEMENTS)),
        principles=tuple(Principle(f"q{i}", f"Princip {i}") for i in range(PRINCIPLES)),
        sectors=room.sectors,
    )


def _workbook_values(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    return [(sheet.title, [[c.value for c in row] for row in sheet.iter_rows()]) for sheet in book.worksheets]


async def _published(conv: Conversation, exercise: Any, round_: Round, lang: Language) -> list[Any]:
    """Everything posted or exported about a closed round, as comparable values."""
    out: list[Any] = []
    for output in await exercise.results(conv, round_, lang):
        out.append(
            ("post", output.text)
            if isinstance(output, Post)
            else ("image", output.caption, output.filename, output.alt, output.png)
        )
    try:
        for attachment in await exercise.export(conv, round_, lang):
            content = (
                _workbook_values(attachment.data)
                if attachment.filename.endswith(".xlsx")
                else attachment.data
            )
            out.append(("file", attachment.filename, attachment.caption, content))
    except DomainError as refusal:
        out.append(("refused", refusal.message(lang)))
    out.append(("turnout", await conv.service.turnout(round_.id)))
    return out


async def _room_views(conv: Conversation, round_: Round, numbers: Sequence[int], lang: Language) -> list[Any]:
    from facilitation.barometer.results import room_view

    out: list[Any] = []
    for number in numbers:
        for output in await room_view(conv, round_, number, lang):
            out.append(
                ("post", output.text)
                if isinstance(output, Post)
                else ("image", output.caption, output.alt, output.png)
            )
    return out


async def every_output(
    room: Room, lang: Language = Language.SV, renderer: ChartRenderer | None = None
) -> list[Any]:
    """Run a room through two barometers (the second stepwise, drawn against the first) and a
    prioritisation, and collect everything they publish."""
    process = _process(room)
    service = WorkshopService(MemoryStore(), {process.key: process}, min_group_size=2)
    barometer, prioritisation = BarometerExercise(), PrioritisationExercise()
    conv = Conversation(
        service,
        Pseudonymizer(SECRET),
        is_facilitator=lambda _user: True,
        renderer=renderer or ArgsRenderer(),
        exercises=[barometer, prioritisation],
    )
    yearbook = install_yearbook(conv, MemoryYearbook())
    workshop = await service.create_workshop(process.key, "Rummet")
    for key, sector in room.people.items():
        await service.join(workshop.id, key, sector=sector)
    items = [(s.text, s.key) for s in process.statements]
    outputs: list[Any] = []

    first = await service.open_round(
        (
            await service.create_round(
                workshop.id, RoundKind.BAROMETER, "Första", items, {"scale_steps": room.steps}
            )
        ).id
    )
    for key, values in room.first.items():
        for item, value in zip(first.items, values, strict=True):
            if value is not None:
                await service.answer(first.id, item.id, key, value)
    outputs.append(("live", await service.turnout(first.id)))
    first = await service.close_round(first.id)
    outputs += await _published(conv, barometer, first, lang)
    outputs += await _room_views(conv, first, range(1, STATEMENTS + 1), lang)

    second = await service.create_round(
        workshop.id,
        RoundKind.BAROMETER,
        "Andra",
        items,
        {"scale_steps": room.steps},
        compare_round_id=first.id,
    )
    await service.store.set_current_position(second.id, 0)
    second = await service.open_round(second.id)
    for index, item in enumerate(second.items):
        for key, values in room.second.items():
            if values[index] is not None:
                await service.answer(second.id, item.id, key, values[index])
        if index + 1 < len(second.items):  # /nasta: the statement left is final and shown
            second = await service.step(second.id, index + 1)
            outputs += await _room_views(conv, second, [index + 1], lang)
    second = await service.close_round(second.id)
    outputs += await _published(conv, barometer, second, lang)
    outputs += await _room_views(conv, second, range(1, STATEMENTS + 1), lang)

    settings_ = {
        RoundKind.RANKING: {"top_k": 3},
        RoundKind.POINTS: {"budget": 10, "step": 1},
        RoundKind.APPROVAL: {},
    }[room.kind]
    principles = [(p.name, p.key) for p in process.principles]
    prio = await service.open_round(
        (await service.create_round(workshop.id, room.kind, "Principer", principles, settings_)).id
    )
    for key, ballot in room.ballots.items():
        await service.submit_ballot(prio.id, key, {prio.items[p].id: v for p, v in ballot.items()})
    prio = await service.close_round(prio.id)
    outputs += await _published(conv, prioritisation, prio, lang)
    # the two barometers as the process's yearly rounds: /trend (all statements and one), its
    # chart's arguments and its one-line summary, and the report's chapter drawn from the same
    await yearbook.store.mark_yearly(process.key, 2025, first.id)
    await yearbook.store.mark_yearly(process.key, 2026, second.id)
    yearly = await yearbook.store.yearly_rounds(process.key)
    for statement in (None, process.statements[0].key):
        for output in await yearbook.trend_outputs(process, yearly, lang, statement=statement):
            outputs.append(
                ("post", output.text)
                if isinstance(output, Post)
                else ("image", output.caption, output.alt, output.png)
            )
    # the workshop report is one more output: everything its PDF is drawn from (the PDF is a pure
    # function of it, facilitation.report.pdf.render_pdf)
    outputs.append(("report", await workshop_report(conv, conv.exercises, workshop, lang)))
    return outputs


def _label(room: Room) -> None:
    """Name what the rule did in this room (``--hypothesis-show-statistics`` counts the examples
    with each; the closing note of issue 13 quotes them), over every statement of both rounds
    and the prioritisation."""
    outcomes = []
    for answers in (room.first, room.second):
        for index in range(STATEMENTS):
            sizes: dict[SectorKey, int] = {}
            for key, values in answers.items():
                if values[index] is not None:
                    sizes[room.people[key]] = sizes.get(room.people[key], 0) + 1
            outcomes.append(disclose(sizes, room.minimum))
    sizes = {}
    for group in room.people.values():
        sizes[group] = sizes.get(group, 0) + 1
    outcomes.append(disclose(sizes, room.minimum))
    labels = {
        "a group below the minimum hidden": any(Hidden.TOO_FEW in d.hidden.values() for d in outcomes),
        "compared, small groups left out (room total smaller, said beside it)": any(
            d.compared and d.left_out for d in outcomes
        ),
        "compared with a pooled Övriga panel": any(d.pooled for d in outcomes),
        "a large group hidden to protect small ones (nothing compared)": any(
            Hidden.PROTECTS in d.hidden.values() for d in outcomes
        ),
        "a result below the minimum: only its count": any(d.total and not d.overall for d in outcomes),
        "compared without anything hidden": any(d.compared and not d.hidden for d in outcomes),
        "no split at all (one group only)": any(
            d.total and not d.compared and not d.hidden for d in outcomes
        ),
    }
    for label, happened in labels.items():
        if happened:
            event(label)
    event(f"sectors: {len(room.sectors)}")


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(rooms(), st.integers(0, 2**32))
async def test_no_output_of_a_round_depends_on_what_the_rule_hides(room: Room, seed: int) -> None:
    _label(room)
    assert await every_output(room) == await every_output(perturbed(room, seed))


async def test_the_10_10_4_room_renders_identical_pngs_whatever_annan_answered() -> None:
    """The real pixels, for the issue's room: annan's four answers change, no chart does."""
    room = Room(tuple(SectorDef(k, k.capitalize()) for k in (IDE, OFF, ANN)), 5, 5, RoundKind.RANKING, {})
    rng = random.Random(4)
    for group, size in ((IDE, 10), (OFF, 10), (ANN, 4)):
        for index in range(size):
            key = f"{group}-{index}"
            room.people[key] = group
            room.first[key] = [rng.randint(1, 5) for _ in range(STATEMENTS)]
            room.second[key] = [rng.randint(1, 5) for _ in range(STATEMENTS)]
            room.ballots[key] = _ballot(room.kind, rng)
    other = perturbed(room, 1)
    assert any(other.first[k] != room.first[k] for k in room.people if k.startswith(ANN))

    async def pngs(r: Room) -> list[bytes]:
        return [o[-1] for o in await every_output(r, renderer=ChartRenderer()) if o[0] == "image"]

    first, second = await pngs(room), await pngs(other)
    assert len(first) >= 10 and all(png.startswith(b"\x89PNG") for png in first) and first == second
