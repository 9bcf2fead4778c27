"""Barometer results through the real conversation: privacy, sector ranking, comparison, room view.

Answers are stored through the service (deterministic values and sectors); the facilitator's
commands run through the local mode. A recording renderer keeps each Figure a result was drawn
from, so the charts are checked by what they show, not by pixels.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook

from facilitation.charting import to_png
from facilitation.model import Round, RoundKind, RoundStatus, Sector
from facilitation.rendering import ChartRenderer
from tests.harness import LocalHarness

PACKAGED = Path(__file__).resolve().parent.parent / "config" / "processes"
IDE, OFF, ANN = Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN


class RecordingRenderer(ChartRenderer):
    """Renders in the test's thread and keeps every Figure with the name of its builder."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[tuple[str, Figure]] = []

    async def render(self, build: Any, *args: Any, **kwargs: Any) -> bytes:
        fig = build(*args, **kwargs)
        self.figures.append((build.__name__, fig))
        return to_png(fig)

    def last(self, name: str) -> Figure:
        return [fig for built, fig in self.figures if built == name][-1]


def strict_process_dir(tmp_path: Path, minimum: int) -> Path:
    """The packaged processes, with Värmland asking for sector groups of at least ``minimum``."""
    directory = tmp_path / "processes"
    directory.mkdir()
    for source in PACKAGED.glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        if source.stem == "varmland-2015":
            text = text.replace("scale_steps = 5\n", f"scale_steps = 5\nmin_group_size = {minimum}\n", 1)
            assert f"min_group_size = {minimum}" in text
        (directory / source.name).write_text(text, encoding="utf-8")
    return directory


async def start(tmp_path: Path, **settings: object) -> tuple[LocalHarness, RecordingRenderer]:
    harness = await LocalHarness.start(tmp_path, **settings)
    renderer = RecordingRenderer()
    harness.app.conversation.renderer = renderer
    return harness, renderer


@pytest.fixture
async def strict(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, RecordingRenderer]]:
    """Installation minimum 5 (the default), Värmland's process minimum 10."""
    h, renderer = await start(tmp_path, processes_dir=strict_process_dir(tmp_path, 10))
    yield h, renderer
    await h.close()


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, RecordingRenderer]]:
    h, renderer = await start(tmp_path)
    yield h, renderer
    await h.close()


async def latest_round(h: LocalHarness) -> Round:
    rounds = [r for w in range(1, 4) for r in await h.app.store.rounds(w)]
    return max(rounds, key=lambda r: r.id)


async def vote(
    h: LocalHarness,
    round_: Round,
    prefix: str,
    sector: Sector | None,
    answers: Sequence[Sequence[int | None]],
) -> None:
    """One participant per row of ``answers`` (one value per statement, None = skipped)."""
    for index, row in enumerate(answers):
        key = f"{prefix}-{index}"
        await h.app.service.join(round_.workshop_id, key, sector=sector)
        for item, value in zip(round_.items, row, strict=True):
            if value is not None:
                await h.app.service.answer(round_.id, item.id, key, value)


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


def panel_texts(fig: Figure, title: str) -> tuple[Any, list[str]]:
    ax = next(a for a in fig.axes if a.get_title() == title)
    return ax, [t.get_text() for t in ax.texts]


# --- 1. the process's own minimum group size ---------------------------------------------------


def test_effective_minimum_is_the_stricter_one() -> None:
    from facilitation.suppression import effective_min_group_size

    assert effective_min_group_size(5) == effective_min_group_size(5, None) == 5
    assert effective_min_group_size(5, 10) == 10
    assert effective_min_group_size(8, 6) == 8  # a process cannot lower the installation's floor
    with pytest.raises(ValueError):
        effective_min_group_size(0, 10)


async def test_process_minimum_suppresses_a_group_of_7_in_caption_chart_and_exports(
    strict: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = strict
    await h.run("/workshop varmland-2015 Strikt", "/barometer 1,2")
    round_ = await latest_round(h)
    # 7 idéburna would be shown under the installation's 5; the process asks for 10.
    await vote(h, round_, "i", IDE, [[5, 4]] * 7)
    await vote(h, round_, "o", OFF, [[1, 2]] * 12)
    await vote(h, round_, "a", ANN, [[3, 3]] * 10)
    printed = await h.run("/stang")
    assert any(
        "Per sektor. 7 svar från grupper med färre än 10 ingår inte i jämförelsen." in line
        for line in printed
    )
    assert not any("färre än 5" in line for line in printed)

    fig = renderer.last("sector_figure")
    # idéburen (7) is below the process's 10: no panel, and its answers are in nothing published
    assert [ax.get_title() for ax in fig.axes] == ["Offentlig sektor", "Annan"]
    _, ann_texts = panel_texts(fig, "Annan")
    assert ann_texts == ["n = 10"] * 2
    off_ax, off_texts = panel_texts(fig, "Offentlig sektor")
    assert off_texts == ["n = 12"] * 2 and off_ax.patches
    assert (
        "7 svar från grupper med färre än 10 ingår inte i jämförelsen."
        in fig.legends[0].get_title().get_text()
    )
    assert any(
        "1. " in line and "n = 22," in line and "(7 svar från grupper med färre än 10 ingår inte)" in line
        for line in printed
    )

    before = set(h.port.files())
    await h.run("/export")
    csv_file, xlsx_file = sorted(set(h.port.files()) - before)
    rows = csv_rows(csv_file)
    ide_rows = [r for r in rows if len(r) > 2 and r[2] == "Idéburen sektor"]
    assert len(ide_rows) == 2 and all(r[3:] == ["för få svar"] for r in ide_rows)
    assert ["", "7 svar från grupper med färre än 10 ingår inte i jämförelsen."] in rows
    book = load_workbook(xlsx_file)
    sheet_rows = [[c.value for c in row] for row in book["Sektorer"].iter_rows(min_row=2)]
    ide_cells = [r for r in sheet_rows if r[2] == "Idéburen sektor"]
    assert len(ide_cells) == 2 and all(r[3] == "för få svar" and r[4] is None for r in ide_cells)
    off_cells = [r for r in sheet_rows if r[2] == "Offentlig sektor"]
    assert [r[3] for r in off_cells] == [12, 12]
    dividing = [[c.value for c in row] for row in book["Skillnad mellan sektorer"].iter_rows()]
    assert dividing[0][8:10] == ["Offentlig sektor: medelvärde", "Annan: medelvärde"]
    assert [r[0] for r in dividing[1:3]] == [1, 2]  # offentlig and annan are compared


async def test_process_minimum_also_rules_the_prioritisation_split(
    strict: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = strict
    await h.run("/workshop varmland-2015 Strikt", "/poang 100")
    round_ = await latest_round(h)
    first, second = round_.items[0].id, round_.items[1].id
    for prefix, sector, count in (("i", IDE, 7), ("o", OFF, 12), ("a", ANN, 10)):
        for index in range(count):
            key = f"{prefix}-{index}"
            await h.app.service.join(round_.workshop_id, key, sector=sector)
            await h.app.service.submit_ballot(round_.id, key, {first: 60, second: 40})
    printed = await h.run("/stang")
    assert any(
        "Per sektor, per deltagare. 7 svar från grupper med färre än 10 ingår inte i jämförelsen." in line
        for line in printed
    )
    assert any("n = 22 svar (7 svar från grupper med färre än 10 ingår inte)" in line for line in printed)
    fig = renderer.last("_sector_chart")
    assert [ax.get_title() for ax in fig.axes] == ["Offentlig sektor\nn = 12", "Annan\nn = 10"]


# --- 6. the whole sector ranking and the change since an earlier round ---------------------------


async def test_summary_and_export_hold_the_whole_sector_ranking_and_the_change(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, _ = room
    await h.run("/workshop varmland-2015 Dialogmöte 2025", "/barometer 1,2,3")
    last_year = await latest_round(h)
    await vote(h, last_year, "i25", IDE, [[2, 2, 2]] * 5)
    await vote(h, last_year, "o25", OFF, [[2, 2, 2]] * 5)
    await h.run("/stang")
    await h.run("/workshop varmland-2015 Dialogmöte 2026", f"/jamfor {last_year.id}", "/barometer 1,2,3,4")
    this_year = await latest_round(h)
    await vote(h, this_year, "i26", IDE, [[5, 4, 3, 4]] * 5)
    await vote(h, this_year, "o26", OFF, [[1, 3, 3, None]] * 5)
    printed = await h.run("/stang")
    summary = next(line for line in printed if "Skillnad mellan sektorerna" in line).split("\n")
    start = summary.index("Skillnad mellan sektorerna, störst först (medelvärde per sektor):")
    # two panels of five that do not overlap at all: 2 of the 252 splits are as far apart (p = 0,008
    # exactly, then Holm over the three compared statements); identical panels are never beyond chance
    ranking = summary[start + 1 : start + 5]
    assert re.fullmatch(
        r"Påstående 1: idéburen sektor 5,0 · offentlig sektor 1,0 – större än slumpen "
        r"\(p = 0,0[23]\d\)",
        ranking[0],
    )
    assert ranking[1].startswith(
        "Påstående 2: idéburen sektor 4,0 · offentlig sektor 3,0 – större än slumpen"
    )
    assert ranking[2:] == [
        "Påstående 3: idéburen sektor 3,0 · offentlig sektor 3,0 – inom vad slumpen ger för så här små grupper "
        "(p = 1,000)",
        "För få svar per sektor för att jämföra påstående 4.",
    ]
    assert summary[start + 5].startswith("Slumpen prövas med ett permutationstest")
    start = summary.index(f"Jämfört med omgång #{last_year.id} (medelvärde då → nu, antal svar då → nu):")
    assert summary[start + 1 :] == [
        "1. 2,0 → 3,0 (n 10 → 10)",
        "2. 2,0 → 3,5 (n 10 → 10)",
        "3. 2,0 → 3,0 (n 10 → 10)",
        f"4. ny (inte med i omgång #{last_year.id})",
    ]

    before = set(h.port.files())
    await h.run("/export")
    _, xlsx_file = sorted(set(h.port.files()) - before)
    book = load_workbook(xlsx_file)
    assert book.sheetnames == [
        "Påståenden",
        "Sektorer",
        "Skillnad mellan sektorer",
        "Sektorerna överens",
        "Jämförelse",
        "Skala",
    ]
    dividing = [[c.value for c in row] for row in book["Skillnad mellan sektorer"].iter_rows()]
    assert dividing[0][:8] == [
        "Plats",
        "Nr",
        "Påstående",
        "Skillnad (0–1)",
        "Skillnad i medelvärde (steg)",
        "Skillnad i fördelning (0–1)",
        "Högst",
        "Lägst",
    ]
    assert dividing[0][8:] == [
        "Idéburen sektor: medelvärde",
        "Offentlig sektor: medelvärde",
        "p (permutationstest)",
        "p, Holm-justerat",
        "Större än slumpen",
    ]
    assert dividing[1][12:] == ["ja"] and dividing[3][10:] == [1.0, 1.0, "nej"]
    assert [r[:2] for r in dividing[1:4]] == [[1, 1], [2, 2], [3, 3]]
    assert dividing[1][4] == 4.0 and dividing[1][6:10] == ["Idéburen sektor", "Offentlig sektor", 5.0, 1.0]
    assert dividing[4][:4] == [None, 4, this_year.items[3].text, "färre än två sektorer kan visas"]
    comparison = [[c.value for c in row] for row in book["Jämförelse"].iter_rows()]
    assert comparison[1][:7] == [1, this_year.items[0].text, 10, 10, 2.0, 3.0, 1.0]
    assert comparison[2][4:7] == [2.0, 3.5, 1.5]
    assert comparison[4][2] is None and comparison[4][-1] == "fanns inte med i den tidigare omgången"


# --- 5. where the room stands, for any statement ------------------------------------------------


async def test_results_draw_the_room_for_the_most_divided_statement(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Rummet", "/barometer 1,2,3")
    round_ = await latest_round(h)
    # statement 2 splits the room at both ends (A = −1); 1 and 3 lean one way
    await vote(h, round_, "i", IDE, [[4, 5, 3]] * 5)
    await vote(h, round_, "o", OFF, [[5, 1, 3]] * 5)
    printed = await h.run("/stang")
    caption = next(line for line in printed if "Rummet är mest delat" in line)
    assert "Rummet är mest delat om påstående 2: Vi har redan tillräckligt bra samverkan" in caption
    fig = renderer.last("room_figure")
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [5, 0, 0, 0, 5]
    assert ax.get_title(loc="left").startswith("2. Vi har redan tillräckligt bra")  # its catalogue number


async def test_room_command_draws_any_statement_of_a_closed_round(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Rummet", "/barometer 1,2,3")
    round_ = await latest_round(h)
    printed = await h.run("/rummet 3")
    assert any("ingen stängd åsiktsbarometer" in line for line in printed)
    printed = await h.run(f"/rummet 3 {round_.id}")
    assert any(f"Det påståendet kan fortfarande besvaras i omgång #{round_.id}" in line for line in printed)
    await vote(h, round_, "i", IDE, [[4, 5, 2]] * 5)
    await vote(h, round_, "o", OFF, [[5, 1, 1]] * 6)
    await h.run("/stang")
    printed = await h.run("/rummet 3")
    assert any("🖼 Påstående 3: Vi i Värmland bör fortsätta arbetet" in line for line in printed)
    ax = renderer.last("room_figure").axes[0]
    assert [p.get_height() for p in ax.patches] == [6, 5, 0, 0, 0]
    assert ax.get_title(loc="right") == "n = 11"
    printed = await h.run(f"/rummet 1 {round_.id}")
    assert any("🖼 Påstående 1: Min organisation" in line for line in printed)
    printed = await h.run("/rummet 9")
    assert any(f"Omgång #{round_.id} har inget påstående 9 (välj 1, 2, 3)." in line for line in printed)
    printed = await h.run("/rummet tre")
    assert any("/rummet NR [omgång]" in line for line in printed)
    printed = await h.run("@anna /rummet 1")
    assert any("bara för processledare" in line for line in printed)


async def test_room_view_refuses_other_kinds(room: tuple[LocalHarness, RecordingRenderer]) -> None:
    from facilitation.barometer.results import room_view
    from facilitation.errors import DomainError

    h, _ = room
    await h.run("/workshop varmland-2015 Test", "/markera", "/stang")
    round_ = await latest_round(h)
    assert round_.kind == RoundKind.APPROVAL and round_.status == RoundStatus.CLOSED
    with pytest.raises(DomainError) as refused:
        await room_view(h.app.conversation, round_, 1, h.app.conversation.language)
    assert refused.value.key == "barometer.error.no_barometer"


async def test_step_by_step_shows_where_the_room_stood_once_a_statement_is_final(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    """/nasta closes the statement to answers and shows its picture; the current one stays hidden."""
    h, renderer = room
    await h.run("/workshop varmland-2015 Stegvis", "/barometer stegvis 1,2,3")
    round_ = await latest_round(h)
    await vote(h, round_, "p", IDE, [[4, None, None]] * 5)
    printed = await h.run("/rummet 1")
    assert any("kan fortfarande besvaras" in line for line in printed)
    printed = await h.run("/nasta")
    picture = next(i for i, line in enumerate(printed) if "🖼 Påstående 1: Min organisation" in line)
    stepped = next(i for i, line in enumerate(printed) if "Påstående 2 (2 av 3)" in line)
    assert picture < stepped  # where the room stood, then the next statement
    assert [p.get_height() for p in renderer.last("room_figure").axes[0].patches] == [0, 0, 0, 5, 0]
    printed = await h.run("/rummet 1", "/rummet 2")
    assert any("🖼 Påstående 1" in line for line in printed)
    assert any("kan fortfarande besvaras" in line for line in printed)  # statement 2 is being answered
    printed = await h.run("/resultat")
    assert any("Resultatet visas när omgången är stängd" in line for line in printed)
