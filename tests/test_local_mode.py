"""Whole flows through the local mode: the same conversation and port contract as the platforms."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from facilitation.model import RoundStatus, Sector
from tests.harness import LocalHarness, png_size

ROOT = Path(__file__).resolve().parent.parent


async def test_barometer_end_to_end_with_simulated_room(harness: LocalHarness) -> None:
    await harness.run("/workshop varmland-2015 Workshop i Karlstad")
    code_message = harness.port.messages[harness.last_message_with("Anslutningskod")]
    assert "Workshop i Karlstad" in code_message.text
    await harness.run("/barometer")
    statements = [m for m in harness.port.messages.values() if m.buttons and "b." in m.buttons[0][0].data]
    assert [m.text.split(". ", 1)[1] for m in statements][:1] == [
        "Min organisation har något att tillföra till Värmlands utveckling!"
    ]
    assert len(statements) == 7
    printed = await harness.run(":sim 30")
    assert "simulerade 30 deltagare: 210 knapptryck" in printed[-1] and "0 avvisade" in printed[-1]
    workshop = await harness.app.service.workshop_by_code(code_message.text.split("Anslutningskod: ")[1][:6])
    participants = await harness.app.store.participants(workshop.id)
    assert {p.sector for p in participants} == {Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN}
    assert sum(p.sector == Sector.IDEBUREN for p in participants) == 12
    round_ = await harness.app.service.open_round_of(workshop.id)
    assert round_ is not None and await harness.app.service.turnout(round_.id) == 30
    printed = await harness.run("/stang")
    closed = await harness.app.store.round(round_.id)
    assert closed is not None and closed.status == RoundStatus.CLOSED
    summary = next(line for line in printed if "n = 30" in line)
    assert "1. Min organisation har något att tillföra" in summary
    charts = [p for p in harness.port.files() if p.suffix == ".png"]
    assert len(charts) >= 2 and all(png_size(p)[0] > 300 for p in charts)
    sector_caption = next(line for line in printed if line.startswith("[rum]") and "🖼 Per sektor" in line)
    assert "Grupper med färre än 5 svar visas inte." in sector_caption  # 12 / 12 / 6: all shown
    after = summary.split("Skillnad mellan sektorerna, störst först (medelvärde per sektor):\n")[1].split(
        "\n"
    )
    ranking = [line for line in after if line.startswith("Påstående ")]
    assert len(ranking) == 7 and all("idéburen" in line and "offentlig" in line for line in ranking)
    assert all(" – större än slumpen (p = " in line or " – inom vad slumpen ger" in line for line in ranking)


async def test_vote_change_after_close_and_forged_buttons(harness: LocalHarness) -> None:
    await harness.run("/workshop varmland-2015 Test", "/barometer 1,2")
    first = harness.last_message_with("1. Min organisation")
    await harness.run(f"@anna {first}.2")
    assert harness.last_ack().startswith("Ditt svar: 2")
    await harness.run(f"@anna {first}.5")
    assert harness.last_ack().startswith("Ditt svar: 5")
    workshop_id = (await harness.app.store.rounds(1))[0].workshop_id
    round_ = await harness.app.service.open_round_of(workshop_id)
    assert round_ is not None
    responses = await harness.app.store.responses(round_.id)
    assert [r.value for r in responses] == [5]
    # A forged press: the button's data altered to claim another value.
    message = harness.port.messages[first]
    good = message.buttons[0][0].data
    forged = good.replace(".1~", ".4~")
    from facilitation.ports import Button

    message.buttons = [[Button("forged", forged)]]
    await harness.run(f"@anna {first}.1")
    assert "ogiltig" in harness.last_ack()
    assert [r.value for r in await harness.app.store.responses(round_.id)] == [5]
    await harness.run("/stang")
    message.buttons = [[Button("ok", good)]]
    await harness.run(f"@anna {first}.1")
    assert "stängd" in harness.last_ack()
    assert [r.value for r in await harness.app.store.responses(round_.id)] == [5]


async def test_non_facilitator_is_refused_politely(harness: LocalHarness) -> None:
    printed = await harness.run("@bertil /workshop varmland-2015 Kupp")
    assert any("bara för processledare" in line for line in printed)
    printed = await harness.run("@bertil /sprak en", "@bertil /stang")
    assert any("for facilitators only" in line for line in printed)
    assert await harness.app.store.workshop_by_code("X") is None


async def test_step_mode_and_english(harness: LocalHarness) -> None:
    await harness.run("/sprak en", "/workshop halland Konferens", "/barometer stegvis steg=7")
    statement = harness.last_message_with("1. Cooperation between")
    assert len(harness.port.messages[statement].buttons[0]) == 7
    await harness.run(f"@eva {statement}.7")
    assert harness.last_ack().startswith("Ditt svar: 7")  # eva speaks Swedish
    printed = await harness.run("/nasta")
    assert any("Statement 2 (2 of 4)" in line for line in printed)
    await harness.run(f"@eva {statement}.3")
    assert "inte aktuellt" in harness.last_ack()


def test_cli_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    listed = {
        line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ") and line.split()
    }
    assert {"run", "db", "processes", "config", "reminders", "signatories", "meetings"} <= listed


def test_dialogbot_run_script_writes_charts(tmp_path: Path) -> None:
    demo = tmp_path / "demo.txt"
    demo.write_text("/workshop varmland-2015 Demo\n/barometer\n:sim 30\n/stang\n/export\n", encoding="utf-8")
    # No facilitator configured: as after the README's run command, the terminal's speaker leads.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
    env.update({"DIALOGBOT_DATA_DIR": str(tmp_path / "data"), "DIALOGBOT_CHART_PROCESSES": "0"})
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--script", str(demo), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert any(name.endswith(".png") for name in written)
    assert any(name.endswith(".csv") for name in written) and any(name.endswith(".xlsx") for name in written)
    assert "bild: " in result.stdout


async def test_comparison_with_last_years_meeting(harness: LocalHarness) -> None:
    from facilitation.barometer.results import _earlier_round

    await harness.run("/workshop varmland-2015 Dialogmöte 2025", "/barometer 1,2,3", ":sim 20", "/stang")
    last_year = (await harness.app.store.rounds(1))[0]
    printed = await harness.run("/workshop varmland-2015 Dialogmöte 2026", f"/jamfor {last_year.id}")
    assert any(f"omgång #{last_year.id}" in line for line in printed)
    await harness.run("/barometer 2,3,4", ":sim 25", "/stang")
    this_year = (await harness.app.store.rounds(2))[0]
    assert this_year.compare_round_id == last_year.id
    compared_with, earlier = await _earlier_round(harness.app.conversation, this_year, 5)
    assert compared_with == last_year.id and earlier is not None
    # Statements 2 and 3 were asked both years and are matched by key; statement 4 is new.
    # Last year's 8 + 8 were compared and its 4 "annan" left out: the comparison uses what it published.
    assert [e.n if e else None for e in earlier] == [16, 16, None]
    printed = await harness.run("/jamfor 999999")
    assert any("ingen sådan omgång" in line for line in printed)
    printed = await harness.run("/workshop halland Annan process", f"/jamfor {last_year.id}")
    assert any("stängd åsiktsbarometer i samma process" in line for line in printed)
