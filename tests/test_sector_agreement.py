"""Where the sectors agree, whether they really differ, and who is in the room — as a room reads it.

Through the real conversation (local mode): answers stored through the service, /stang and
/export run as the facilitator types them; charts are checked by what they draw.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.harness import LocalHarness, result_text
from tests.test_barometer_results import (
    IDE,
    OFF,
    RecordingRenderer,
    csv_rows,
    latest_round,
    start,
    vote,
)


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, RecordingRenderer]]:
    h, renderer = await start(tmp_path)
    yield h, renderer
    await h.close()


def summary_of(printed: list[str]) -> list[str]:
    """The result text's lines, after the close's "Omgången … är stängd. Här är resultatet:"."""
    return result_text(next(line for line in printed if "Skillnad mellan sektorerna" in line)).split("\n")


async def test_agreed_statements_are_in_the_text_a_chart_and_the_export(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Samsyn", "/barometer 1,2,3")
    round_ = await latest_round(h)
    # 1: both agree (idéburen 5/6, offentlig 4/6); 2: both disagree, offentlig unanimously;
    # 3: idéburen agrees, offentlig does not — not a consensus
    await vote(h, round_, "i", IDE, [[5, 1, 5]] * 5 + [[2, 2, 5]])
    await vote(h, round_, "o", OFF, [[4, 1, 1]] * 4 + [[3, 2, 2]] * 2)
    printed = await h.run("/stang")
    summary = summary_of(printed)
    start_ = summary.index(
        "Här är sektorerna överens (varje jämförd sektor har en majoritet på samma sida; samsyn = "
        "produkten över sektorerna av (A + 1)/(S + 2), starkast först):"
    )
    # agree 1: (5+1)/8 · (4+1)/8 = 0,47; disagree 2: (6+1)/8 · (6+1)/8 = 0,77
    assert summary[start_ + 1 : start_ + 3] == [
        "Håller med – påstående 1: idéburen sektor 83 % · offentlig sektor 67 % (samsyn 0,47)",
        "Håller inte med – påstående 2: idéburen sektor 100 % · offentlig sektor 100 % (samsyn 0,77)",
    ]
    assert not any("påstående 3:" in line for line in summary[start_:])

    fig = renderer.last("consensus_figure")
    ax = fig.axes[0]
    ticks = [tick.get_text() for tick in ax.get_yticklabels()]
    assert (
        len(ticks) == 2
        and ticks[0].startswith("1. Min organisation")
        and "Håller med, samsyn 0,47" in ticks[0]
    )
    assert ticks[1].startswith("2. Vi har redan") and "Håller inte med, samsyn 0,77" in ticks[1]
    widths = sorted(round(p.get_width(), 1) for p in ax.patches)
    assert widths == [66.7, 83.3, 100.0, 100.0]
    assert [text.get_text() for text in fig.legends[0].get_texts()] == ["Idéburen sektor", "Offentlig sektor"]
    assert any("🖼 Här är sektorerna överens" in line for line in printed)

    before = set(h.port.files())
    await h.run("/export")
    csv_file, xlsx_file = sorted(set(h.port.files()) - before)
    book = load_workbook(xlsx_file)
    rows = [[c.value for c in row] for row in book["Sektorerna överens"].iter_rows()]
    assert rows[0] == [
        "Plats",
        "Nr",
        "Påstående",
        "Sida",
        "Samsyn (0–1)",
        "Idéburen sektor: andel på sidan (%)",
        "Offentlig sektor: andel på sidan (%)",
    ]
    assert rows[1] == [1, 1, round_.items[0].text, "håller med", 0.469, 83.3, 66.7]
    assert rows[2] == [1, 2, round_.items[1].text, "håller inte med", 0.766, 100.0, 100.0]
    assert rows[3][1].startswith("Med på listan när varje jämförd sektor har en majoritet")
    text_rows = csv_rows(csv_file)
    assert ["1", "1", round_.items[0].text, "håller med", "0,469", "83,3", "66,7"] in text_rows


async def test_nothing_agreed_draws_no_consensus_chart_and_says_so(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Oense", "/barometer 1,2")
    round_ = await latest_round(h)
    await vote(h, round_, "i", IDE, [[5, 1]] * 5)
    await vote(h, round_, "o", OFF, [[1, 5]] * 5)
    printed = await h.run("/stang")
    assert (
        "Här är sektorerna överens: inget påstående där varje jämförd sektor har en majoritet på samma sida."
        in summary_of(printed)
    )
    assert not [name for name, _ in renderer.figures if name == "consensus_figure"]


async def test_small_differences_are_said_to_be_within_chance(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, _ = room
    await h.run("/workshop varmland-2015 Slumpen", "/barometer 1,2")
    round_ = await latest_round(h)
    # five and five, one step apart on a few answers: the ranking still orders them, chance explains it
    await vote(h, round_, "i", IDE, [[4, 3], [4, 3], [3, 4], [5, 2], [4, 3]])
    await vote(h, round_, "o", OFF, [[3, 3], [4, 3], [3, 3], [4, 2], [3, 4]])
    summary = summary_of(await h.run("/stang"))
    ranking = [line for line in summary if line.startswith("Påstående ")]
    assert len(ranking) == 2 and all(
        "inom vad slumpen ger för så här små grupper (p = " in line for line in ranking
    )
    assert not any("– större än slumpen" in line for line in summary)
    assert "Ingen av skillnaderna är större än vad slumpen ger för grupper av den här storleken." in summary


async def test_a_room_that_agrees_is_never_called_divided(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Enigt", "/barometer 1,2")
    round_ = await latest_round(h)
    await vote(h, round_, "i", IDE, [[5, 4], [4, 4], [5, 5], [4, 3], [5, 4]])
    await vote(h, round_, "o", OFF, [[4, 4], [5, 5], [4, 4], [3, 4], [4, 5]])
    printed = await h.run("/stang")
    assert not any("mest delat" in line for line in printed)
    caption = next(line for line in printed if "Rummet är inte delat om något påstående" in line)
    # the picture still shows the statement with the lowest agreement, said as such
    assert "där enigheten var lägst, påstående 1:" in caption
    assert renderer.last("room_figure").axes[0].get_title(loc="left").startswith("1. ")


async def test_skewed_representation_is_named(room: tuple[LocalHarness, RecordingRenderer]) -> None:
    h, _ = room
    await h.run("/workshop varmland-2015 Sned", "/barometer 1")
    round_ = await latest_round(h)
    await vote(h, round_, "i", IDE, [[4]] * 8)
    await vote(h, round_, "o", OFF, [[3]] * 22)
    summary = summary_of(await h.run("/stang"))
    assert summary[1] == (
        "Obs, ojämn representation – Idéburen sektor: 8 av 30 svar (jämnt fördelat vore 15). "
        "Läs jämförelsen med det i åtanke."
    )


async def test_a_fairly_even_room_gets_no_warning(room: tuple[LocalHarness, RecordingRenderer]) -> None:
    h, _ = room
    await h.run("/workshop varmland-2015 Jämnt", "/barometer 1")
    round_ = await latest_round(h)
    await vote(h, round_, "i", IDE, [[4]] * 11)  # 11 of 30: above two thirds of an even 15
    await vote(h, round_, "o", OFF, [[3]] * 19)
    printed = await h.run("/stang")
    assert not any("ojämn representation" in line for line in printed)


async def test_english_results_say_the_same() -> None:
    from facilitation.barometer.texts import TEXTS

    assert set(TEXTS["sv"]) == set(TEXTS["en"])


async def test_closing_step_mode_early_leaves_out_what_was_never_shown(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Stegvis", "/barometer stegvis 1,2,3")
    round_ = await latest_round(h)
    await vote(h, round_, "i", IDE, [[4, None, None]] * 5)
    await vote(h, round_, "o", OFF, [[2, None, None]] * 5)
    await h.run("/nasta")  # statement 2 is shown, nobody answers it, and the round is closed
    printed = await h.run("/stang")
    summary = result_text(next(line for line in printed if "Här är resultatet" in line))
    lines = summary.split("\n")
    assert lines[1].endswith("– inga svar") and lines[1].startswith("2. Vi har redan")
    assert lines[2] == "Omgången stängdes innan påstående 3 visades; det ingår inte i resultatet."
    assert "n = 0" not in summary and not any(line.startswith("3. ") for line in lines)
    diverging = renderer.last("diverging_figure").axes[0]
    ticks = [tick.get_text() for tick in diverging.get_yticklabels()]
    assert len(ticks) == 2 and "n = 0" not in "".join(ticks)
    assert "inga svar" in [text.get_text() for text in diverging.texts]
    # no "inga svar" picture of the statement on screen: the room view shows one that was answered
    room_axes = renderer.last("room_figure").axes[0]
    assert (
        room_axes.get_title(loc="left").startswith("1. ")
        and sum(p.get_height() for p in room_axes.patches) == 10
    )
    before = set(h.port.files())
    await h.run("/export")
    _, xlsx_file = sorted(set(h.port.files()) - before)
    overview = [[c.value for c in row] for row in load_workbook(xlsx_file)["Påståenden"].iter_rows(min_row=2)]
    assert [row[0] for row in overview] == [1, 2]
