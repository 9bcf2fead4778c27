"""The disclosure rule over every output of a follow-up (``/uppfoljning``): results text, charts
(by the exact arguments of their pure builders), CSV and XLSX, the comparison with the year
before and the workshop report's chapter.

As tests/test_disclosure.py does for the barometer: a room (2–5 sectors of 0–40 people, up to 8
without a sector, random minimum) answers four commitments of a year and of the next, with
"Vet inte" and blanks; then it is changed in everything the rule claims not to publish — per
commitment, the scale answers of left-out groups are replaced, and those of hidden groups
published only together are shuffled between them ("Vet inte" stays: its count is published
with the groups' answers) — and every output must come out identical. The grouping by
principle and party pools only published figures, so it must pass unchanged.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from facilitation.conversation import Conversation
from facilitation.exercises import Post
from facilitation.followup.flow import FollowupExercise
from facilitation.followup.records import CommitmentTag
from facilitation.memory_store import MemoryStore
from facilitation.model import Commitment, Language, Principle, Process, RoundKind, SectorDef, SectorKey
from facilitation.pseudonym import Pseudonymizer
from facilitation.report.content import workshop_report
from facilitation.service import WorkshopService
from facilitation.suppression import Hidden, disclose
from tests.conftest import SECRET
from tests.test_disclosure import ArgsRenderer, _rule_invariants

COMMITMENTS = (
    Commitment("c1", "Kommunen ska vara lätt att nå.", "offentlig", ("oppenhet",)),
    Commitment("c2", "Föreningarna ska hålla kontaktuppgifter aktuella.", "ideburen", ("oppenhet", "dialog")),
    Commitment("c3", "Vi ses på en årlig dialogträff.", "bada", ("dialog",)),
    Commitment("c4", "Kommunen ska respektera föreningarnas oberoende.", "offentlig", ("sjalvstandighet",)),
)
DONT_KNOW = 0


@dataclass
class Room:
    sectors: tuple[SectorDef, ...]
    minimum: int
    people: dict[str, SectorKey]
    years: list[dict[str, list[int | None]]] = field(default_factory=list)


def _answers(rng: random.Random) -> list[int | None]:
    out: list[int | None] = []
    for _ in COMMITMENTS:
        roll = rng.random()
        out.append(None if roll < 0.1 else DONT_KNOW if roll < 0.2 else rng.randint(1, 5))
    return out


@st.composite
def rooms(draw: st.DrawFn) -> Room:
    count = draw(st.integers(2, 5))
    sectors = tuple(SectorDef(f"s{i}", f"Sektor {i}", f"Sector {i}") for i in range(count))
    sizes = [draw(st.one_of(st.integers(0, 3), st.integers(0, 40))) for _ in range(count)]  # small rooms too
    rng = draw(st.randoms(use_true_random=False))
    room = Room(sectors, draw(st.integers(2, 8)), {}, [{}, {}])
    groups: list[SectorKey] = [s.key for s in sectors]
    for group, size in [*zip(groups, sizes, strict=True), (None, draw(st.integers(0, 8)))]:
        for index in range(size):
            key = f"{group}-{index}"
            room.people[key] = group
            for year in room.years:
                year[key] = _answers(rng)
    return room


def _perturb(
    room: Room, answers: dict[str, list[int | None]], rng: random.Random
) -> dict[str, list[int | None]]:
    out = {key: list(values) for key, values in answers.items()}
    for index in range(len(COMMITMENTS)):
        on_scale = [k for k, values in answers.items() if values[index] not in (None, DONT_KNOW)]
        sizes: dict[SectorKey, int] = {}
        for key in on_scale:
            sizes[room.people[key]] = sizes.get(room.people[key], 0) + 1
        d = disclose(sizes, room.minimum)
        _rule_invariants(d)
        for key in on_scale:
            if room.people[key] in d.left_out:
                out[key][index] = rng.randint(1, 5)
        together = [k for k in on_scale if room.people[k] in d.included and room.people[k] not in d.shown]
        values = [answers[k][index] for k in together]
        rng.shuffle(values)
        for key, value in zip(together, values, strict=True):
            out[key][index] = value
    return out


def perturbed(room: Room, seed: int) -> Room:
    rng = random.Random(seed)
    return Room(room.sectors, room.minimum, dict(room.people), [_perturb(room, y, rng) for y in room.years])


def _process(room: Room) -> Process:
    return Process(
        key="prop",
        name="Egenskapstest",
        min_group_size=room.minimum,
        principles=tuple(
            Principle(k, n)
            for k, n in (
                ("sjalvstandighet", "Självständighet"),
                ("oppenhet", "Öppenhet"),
                ("dialog", "Dialog"),
            )
        ),
        sectors=room.sectors,
        commitments=COMMITMENTS,
    )


def _workbook(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    return [(sheet.title, [[c.value for c in row] for row in sheet.iter_rows()]) for sheet in book.worksheets]


class Clock:
    at = datetime(2025, 3, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


async def every_output(room: Room, lang: Language = Language.SV) -> list[Any]:
    process = _process(room)
    clock = Clock()
    service = WorkshopService(MemoryStore(), {process.key: process}, clock, min_group_size=2)
    exercise = FollowupExercise()
    conv = Conversation(
        service,
        Pseudonymizer(SECRET),
        is_facilitator=lambda _user: True,
        renderer=ArgsRenderer(),
        exercises=[exercise],
    )
    outputs: list[Any] = []
    for year, answers in zip((2025, 2026), room.years, strict=True):
        clock.at = datetime(year, 3, 1, 12, tzinfo=UTC)
        workshop = await service.create_workshop(process.key, f"Dialogträff {year}")
        for key, sector in room.people.items():
            await service.join(workshop.id, key, sector=sector)
        items = [(c.text, c.key) for c in COMMITMENTS]
        draft = await service.create_round(workshop.id, RoundKind.FOLLOWUP, "Uppföljning", items, {})
        await exercise.records_for(service.store).keep_tags(
            draft.id, [CommitmentTag(c.party, c.principles) for c in COMMITMENTS]
        )
        round_ = await service.open_round(draft.id)
        for key, values in answers.items():
            for item, value in zip(round_.items, values, strict=True):
                if value is not None:
                    await service.answer(round_.id, item.id, key, value)
        round_ = await service.close_round(round_.id)
        for output in await exercise.results(conv, round_, lang):
            outputs.append(
                ("post", output.text) if isinstance(output, Post) else ("image", output.caption, output.png)
            )
        for attachment in await exercise.export(conv, round_, lang):
            data = _workbook(attachment.data) if attachment.filename.endswith(".xlsx") else attachment.data
            outputs.append(("file", attachment.filename, data))
        outputs.append(("report", await workshop_report(conv, conv.exercises, workshop, lang)))
    return outputs


def _label(room: Room) -> None:
    """Name what the rule did in this room (``--hypothesis-show-statistics`` counts them)."""
    outcomes = []
    for answers in room.years:
        for index in range(len(COMMITMENTS)):
            sizes: dict[SectorKey, int] = {}
            for key, values in answers.items():
                if values[index] not in (None, DONT_KNOW):
                    sizes[room.people[key]] = sizes.get(room.people[key], 0) + 1
            outcomes.append(disclose(sizes, room.minimum))
    labels = {
        "a group below the minimum hidden": any(Hidden.TOO_FEW in d.hidden.values() for d in outcomes),
        "compared, small groups left out": any(d.compared and d.left_out for d in outcomes),
        "compared with a pooled Övriga panel": any(d.pooled for d in outcomes),
        "a large group hidden to protect small ones": any(
            Hidden.PROTECTS in d.hidden.values() for d in outcomes
        ),
        "a result below the minimum: only its count": any(d.total and not d.overall for d in outcomes),
    }
    for label, happened in labels.items():
        if happened:
            event(label)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(rooms(), st.integers(0, 2**32))
async def test_no_output_of_a_followup_depends_on_what_the_rule_hides(room: Room, seed: int) -> None:
    _label(room)
    assert await every_output(room) == await every_output(perturbed(room, seed))


async def test_the_property_sees_a_change_of_a_published_answer() -> None:
    """The comparison can fail: one shown answer changed changes the outputs."""
    sectors = (SectorDef("a", "A"), SectorDef("b", "B"))
    room = Room(sectors, 3, {}, [{}, {}])
    for group in ("a", "b"):
        for index in range(6):
            room.people[f"{group}{index}"] = group
            for year in room.years:
                year[f"{group}{index}"] = [3, 3, 3, 3]
    other = Room(sectors, 3, dict(room.people), [{k: list(v) for k, v in y.items()} for y in room.years])
    other.years[0]["a0"][0] = 5
    assert await every_output(room) != await every_output(other)
