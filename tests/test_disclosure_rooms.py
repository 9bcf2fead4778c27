"""The rooms of issue 13 §1 through the real conversation (local mode): what a facilitator sees.

* 10/10/4: the two main sectors side by side, the four left out of the comparison and of the
  room's result, said beside it; no panel says "hidden" about a main sector.
* 10/4: nothing to compare — no sector chart is posted, and each group's line gives its true
  reason: the small group "för få svar", the large one "dold så att den lilla gruppen inte kan
  räknas fram" (not "för få svar" although it has 10).
* One participant: a room below the minimum shows only its count (no figure, no chart).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from matplotlib.text import Text

from facilitation.model import Sector
from tests.harness import LocalHarness
from tests.test_barometer_results import RecordingRenderer, latest_round, start, vote

IDE, OFF, ANN = Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN
PROTECTS = "dold så att den lilla gruppen inte kan räknas fram"


@pytest.fixture
async def room(tmp_path) -> AsyncIterator[tuple[LocalHarness, RecordingRenderer]]:  # type: ignore[no-untyped-def]
    h, renderer = await start(tmp_path)
    yield h, renderer
    await h.close()


async def _closed(h: LocalHarness, groups: dict[Sector, int]) -> list[str]:
    """A barometer of statements 1 and 2 answered by ``groups`` (all answer both), closed."""
    await h.run("/workshop varmland-2015 Rum", "/barometer 1,2")
    round_ = await latest_round(h)
    for sector, size in groups.items():
        await vote(h, round_, sector.value, sector, [[1 + i % 5, 5 - i % 5] for i in range(size)])
    return await h.run("/stang")


async def test_10_10_4_compares_the_two_main_sectors(room: tuple[LocalHarness, RecordingRenderer]) -> None:
    h, renderer = room
    printed = "\n".join(await _closed(h, {IDE: 10, OFF: 10, ANN: 4}))
    built = [name for name, _ in renderer.figures]
    assert "sector_figure" in built
    figure = renderer.last("sector_figure")
    assert [ax.get_title() for ax in figure.axes if ax.get_title()] == ["Idéburen sektor", "Offentlig sektor"]
    assert (
        printed.count("– n = 20, medel") == 2 and "n = 24" not in printed
    )  # the room's result: the 20 compared
    assert "4 svar från grupper med färre än 5 ingår inte" in printed
    assert PROTECTS not in printed and "Sektorerna jämförs inte" not in printed
    texts = [t.get_text() for t in figure.findobj(Text)]
    assert "4 svar från grupper med färre än 5 ingår inte i jämförelsen." in texts


async def test_10_4_says_the_true_reason_and_posts_no_sector_chart(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    printed = "\n".join(await _closed(h, {IDE: 10, OFF: 4}))
    assert "sector_figure" not in [name for name, _ in renderer.figures]  # no empty sector chart
    assert f"Idéburen sektor: {PROTECTS}" in printed
    assert "Offentlig sektor: för få svar" in printed
    assert "Idéburen sektor: för få svar" not in printed


async def test_a_room_below_the_minimum_shows_only_its_count(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    printed = "\n".join(await _closed(h, {IDE: 1}))
    assert renderer.figures == []  # no chart at all: one person's answer would be on it
    assert "1 svar – för få för att visas (minst 5)" in printed
    assert "medel" not in printed.lower()
