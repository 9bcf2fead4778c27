"""A statement keeps its catalogue number everywhere: `/barometer 1,3` shows statements 1 and 3,
never 1 and 2 — on the buttons, in the text, on the charts, in the export and for /rummet."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from facilitation.model import RoundKind, Sector
from tests.harness import LocalHarness
from tests.test_barometer_results import RecordingRenderer, latest_round, start, vote


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, RecordingRenderer]]:
    h, renderer = await start(tmp_path)
    yield h, renderer
    await h.close()


async def test_chosen_statements_keep_their_numbers(room: tuple[LocalHarness, RecordingRenderer]) -> None:
    h, renderer = room
    printed = await h.run("/workshop varmland-2015 Urval", "/barometer 1,3")
    posts = [line for line in printed if "Min organisation" in line or "Vi i Värmland" in line]
    assert any("] #" in line and " 1. Min organisation" in line for line in posts)
    assert any(" 3. Vi i Värmland" in line for line in posts)
    assert not any(" 2. Vi i Värmland" in line for line in posts)
    round_ = await latest_round(h)
    assert [item.number for item in round_.items] == [1, 3]
    await vote(h, round_, "i", Sector.IDEBUREN, [[5, 1]] * 6)
    await vote(h, round_, "o", Sector.OFFENTLIG, [[1, 5]] * 6)
    printed = await h.run("/stang")
    summary = next(line for line in printed if "n = 12" in line)
    assert "\n3. Vi i Värmland" in summary and "\n2. " not in summary
    assert "Påstående 3:" in summary
    ticks = [label.get_text() for label in renderer.last("diverging_figure").axes[0].get_yticklabels()]
    assert ticks[0].startswith("1. Min organisation") and ticks[1].startswith("3. Vi i Värmland")
    sector_ticks = [label.get_text() for label in renderer.last("sector_figure").axes[0].get_yticklabels()]
    assert sector_ticks[1].startswith("3. ")
    await h.run(f"/export {round_.id}")
    csv_path = next(p for p in h.port.files() if p.suffix == ".csv")
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    numbers = [row[0] for row in rows[2:4]]
    assert numbers == ["1", "3"]
    printed = await h.run("/rummet 3")
    assert any("Påstående 3: Vi i Värmland" in line for line in printed)
    printed = await h.run("/rummet 2")
    assert any("har inget påstående 2" in line and "1, 3" in line for line in printed)


async def test_typed_items_are_numbered_after_the_catalogue(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, _ = room
    await h.run("/workshop varmland-2015 Modal")
    workshop_id = await latest_workshop(h)
    round_ = await h.app.service.create_round(
        workshop_id,
        RoundKind.BAROMETER,
        "Modal",
        [
            ("Eget påstående", "egen-1"),
            ("Vi i Värmland bör fortsätta arbetet med att få till en överenskommelse i länet!", "fortsatta"),
        ],
    )
    assert [item.number for item in round_.items] == [8, 3]  # Värmland has 7 statements
    stored = await h.app.store.round(round_.id)
    assert stored is not None and [item.number for item in stored.items] == [8, 3]
    principles = await h.app.service.create_round(
        workshop_id, RoundKind.APPROVAL, "P", [("Dialog", "dialog"), ("Egen princip", "egen-1")]
    )
    assert [item.number for item in principles.items] == [2, 15]  # 14 principles


async def latest_workshop(h: LocalHarness) -> int:
    for workshop_id in range(20, 0, -1):
        if await h.app.store.workshop(workshop_id) is not None:
            return workshop_id
    raise AssertionError("no workshop")


async def test_step_mode_names_the_catalogue_number(room: tuple[LocalHarness, RecordingRenderer]) -> None:
    h, _ = room
    await h.run("/workshop varmland-2015 Steg", "/barometer 2,5 stegvis")
    assert (
        "Påstående 2 visas (1 av 2)" in h.port.messages[h.last_message_with("har svarat")].text
    )  # live tally
    printed = await h.run("/nasta")
    assert any("Påstående 5 (2 av 2):" in line for line in printed)
    assert any(" 5. Den Värmländska överenskommelsen" in line for line in printed)
