""" "Vet inte / berör inte oss": a process-file switch, a button on every platform, counted and shown
as a share, never inside the scale's statistics, and published only where the disclosure rule
publishes the group's scale answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.slack.runner import SlackAdapter
from bot.telegram.runner import TelegramAdapter
from config.catalogue import load_process
from config.settings import load_settings
from facilitation.barometer.metrics import sector_stats, statement_stats
from facilitation.errors import DomainError
from facilitation.model import Sector, SectorValues
from storage.replay_guard import ReplayGuard
from tests.harness import LocalHarness, result_text
from tests.standins.slack_api import SlackStandIn
from tests.standins.telegram_api import TelegramStandIn
from tests.test_barometer_results import (
    ANN,
    IDE,
    OFF,
    PACKAGED,
    RecordingRenderer,
    csv_rows,
    latest_round,
    vote,
)
from tests.test_slack_flow import SECRET as SLACK_SECRET
from tests.test_slack_flow import SlackRig, buttons, launch_barometer, start_workshop
from tests.test_telegram_flow import FACILITATOR, GROUP
from tests.test_telegram_flow import TOKEN as TELEGRAM_TOKEN
from tests.test_telegram_flow import Rig as TelegramRig

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


def dont_know_processes(tmp_path: Path) -> Path:
    """The packaged processes, with Värmland's barometers offering "Vet inte"."""
    directory = tmp_path / "processes"
    directory.mkdir()
    for source in PACKAGED.glob("*.toml"):
        text = source.read_text(encoding="utf-8")
        if source.stem == "varmland-2015":
            text = text.replace("scale_steps = 5\n", "scale_steps = 5\ndont_know = true\n", 1)
            assert "dont_know = true" in text
        (directory / source.name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, RecordingRenderer]]:
    h = await LocalHarness.start(tmp_path, processes_dir=dont_know_processes(tmp_path))
    renderer = RecordingRenderer()
    h.app.conversation.renderer = renderer
    yield h, renderer
    await h.close()


def test_the_switch_is_read_from_the_process_file(tmp_path: Path) -> None:
    directory = dont_know_processes(tmp_path)
    assert load_process(directory / "varmland-2015.toml").dont_know is True
    assert load_process(PACKAGED / "varmland-2015.toml").dont_know is False  # off unless the file says so


async def test_dont_know_is_counted_and_shown_as_a_share_never_in_the_scale(
    room: tuple[LocalHarness, RecordingRenderer],
) -> None:
    h, renderer = room
    await h.run("/workshop varmland-2015 Vet inte", "/barometer 1,2")
    round_ = await latest_round(h)
    assert round_.dont_know
    statement = h.port.messages[h.last_message_with("1. Min organisation")]
    assert [b.label for b in statement.buttons[-1]] == ["Vet inte / berör inte oss"]
    # idéburen: 6 on the scale (all 5) and 2 "vet inte"; offentlig: 5 on the scale (all 4), 1 "vet inte"
    await vote(h, round_, "i", IDE, [[5, 5]] * 6 + [[0, 5]] * 2)
    await vote(h, round_, "o", OFF, [[4, 4]] * 5 + [[0, 4]])
    printed = await h.run("/stang")
    summary = result_text(next(line for line in printed if "Skillnad mellan sektorerna" in line)).split("\n")
    # the mean of statement 1 is (6·5 + 5·4)/11 = 4,5: the "vet inte" answers are not zeros on the scale
    assert summary[0].endswith(
        "– n = 11, medel 4,5, håller med 100 % · vet inte / berör inte oss 3 (21 % av 14)"
    )
    assert summary[1].endswith(
        "– n = 14, medel 4,6, håller med 100 % · vet inte / berör inte oss 0 (0 % av 14)"
    )
    assert any(
        line.startswith("Håller med – påstående 1: idéburen sektor 100 % · offentlig sektor 100 %")
        for line in summary
    )  # consensus over scale answers only

    diverging = renderer.last("diverging_figure").axes[0]
    ticks = [tick.get_text() for tick in diverging.get_yticklabels()]
    assert ticks[0].endswith("n = 11 · vet inte 3 (21 %)")
    widths = [p.get_width() for p in diverging.patches]
    assert round(sum(widths), 6) == 200.0  # two bars of 100 %: "vet inte" is no segment
    sectors = renderer.last("sector_figure")
    ide = next(ax for ax in sectors.axes if ax.get_title() == "Idéburen sektor")
    assert [t.get_text() for t in ide.texts] == ["n = 6\nvet inte 2 (25 %)", "n = 8\nvet inte 0 (0 %)"]

    before = set(h.port.files())
    await h.run("/export")
    csv_file, xlsx_file = sorted(set(h.port.files()) - before)
    book = load_workbook(xlsx_file)
    overview = [[c.value for c in row] for row in book["Påståenden"].iter_rows()]
    assert overview[0][-2:] == [
        "Vet inte / berör inte oss (antal)",
        "Vet inte / berör inte oss (% av alla svar)",
    ]
    assert overview[1][2] == 11 and overview[1][-2:] == [3, 21.4]
    by_sector = [[c.value for c in row] for row in book["Sektorer"].iter_rows()]
    assert [r[-2:] for r in by_sector[1:3]] == [[2, 25.0], [1, 16.7]]
    assert any(
        r[:3] == ["1", round_.items[0].text, "11"] and r[-2:] == ["3", "21,4"] for r in csv_rows(csv_file)
    )


async def test_a_process_without_the_switch_has_no_button_and_refuses_the_value(tmp_path: Path) -> None:
    h = await LocalHarness.start(tmp_path)
    try:
        await h.run("/workshop varmland-2015 Utan", "/barometer 1")
        round_ = await latest_round(h)
        statement = h.port.messages[h.last_message_with("1. Min organisation")]
        assert len(statement.buttons) == 1 and len(statement.buttons[0]) == 5
        await h.app.service.join(round_.workshop_id, "p", sector=IDE)
        with pytest.raises(DomainError) as refused:
            await h.app.service.answer(round_.id, round_.items[0].id, "p", 0)
        assert refused.value.key == "error.bad_value"
    finally:
        await h.close()


def test_dont_know_of_a_hidden_group_is_published_nowhere() -> None:
    """Annan (left out: one answer on the scale) may say "vet inte" or not: nothing published moves."""

    def published(annan: list[int]) -> tuple[object, ...]:
        values = SectorValues("p", {IDE: [5] * 8 + [0] * 2, OFF: [2] * 9 + [0], ANN: annan})
        b = sector_stats(values, 5, 5)
        return (b.overall, b.dont_know, b.shown, [b.dont_know_of(k) for k in b.shown])

    assert published([3, 0, 0, 0]) == published([3, 0]) == published([3])
    b = sector_stats(SectorValues("p", {IDE: [5] * 8 + [0] * 2, OFF: [2] * 9 + [0], ANN: [3, 0, 0]}), 5, 5)
    assert b.dont_know == 3 and b.overall == statement_stats([5] * 8 + [2] * 9, 5)
    assert b.group(ANN).dont_know == 0 and b.disclosure.residue == 1
    # pooled small groups publish their "vet inte" together, never apart
    pooled = sector_stats(
        SectorValues("p", {IDE: [5] * 6, OFF: [1] * 6, ANN: [3, 3, 0], None: [2, 4, 4, 0]}), 5, 5
    )
    assert pooled.pooled is not None and pooled.pooled.n == 5 and pooled.pooled_dont_know == 2


# --- through the platforms -------------------------------------------------------------------------


async def test_telegram_shows_the_button_and_counts_a_press(tmp_path: Path) -> None:
    from telegram import Update

    async with TelegramStandIn(token=TELEGRAM_TOKEN, bot_username="dialogbot_test") as api:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"telegram": [str(FACILITATOR)]},
            chart_processes=0,
            telegram_token=TELEGRAM_TOKEN,
            processes_dir=dont_know_processes(tmp_path),
        )
        app = await App.create(settings)
        adapter = TelegramAdapter.build(app.conversation, TELEGRAM_TOKEN, base_url=api.root_url)
        application = adapter.application
        await application.initialize()
        await application.start()
        try:
            rig = TelegramRig(api, app, adapter, None, "")  # type: ignore[arg-type]

            async def process(data: dict[str, object]) -> None:
                await application.process_update(Update.de_json(data, application.bot))

            await process(
                api.message_update(
                    FACILITATOR, GROUP, "/workshop varmland-2015 Karlstad", chat_title="Karlstad"
                )
            )
            await process(api.message_update(FACILITATOR, GROUP, "/barometer 1"))
            ((message_id, _data),) = rig.markups(GROUP, "b.")
            stored = next(m for m in api.sent_messages(GROUP) if m.message_id == message_id)
            rows = stored.reply_markup["inline_keyboard"]
            assert [b["text"] for b in rows[-1]] == ["Vet inte / berör inte oss"] and len(rows[0]) == 5
            press = api.callback_update(7001, GROUP, message_id, rows[-1][0]["callback_data"])
            await process(press)
            assert rig.answers()[press["callback_query"]["id"]].startswith(
                "Ditt svar: Vet inte / berör inte oss"
            )
            round_ = (await app.store.rounds(1))[-1]
            assert [r.value for r in await app.store.responses(round_.id)] == [0]
        finally:
            await adapter.drain()
            await application.stop()
            await application.shutdown()
            await app.aclose()


async def test_slack_shows_the_button_and_counts_a_press(tmp_path: Path) -> None:
    async with SlackStandIn(bot_token="xoxb-dont-know") as api:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"slack": ["UFAC"]},
            chart_processes=0,
            slack_bot_token="xoxb-dont-know",
            slack_signing_secret=SLACK_SECRET,
            slack_api_base_url=api.base_url,
            processes_dir=dont_know_processes(tmp_path),
        )
        app = await App.create(settings)
        adapter = SlackAdapter.build(
            app.conversation,
            "xoxb-dont-know",
            SLACK_SECRET,
            base_url=api.base_url,
            replay_guard=ReplayGuard(app.engine),
        )
        rig = SlackRig(api, app, adapter)
        try:
            await start_workshop(rig)
            (statement,) = await launch_barometer(rig, "1", count=1)
            labels = [b["text"]["text"] for b in buttons(statement)]
            assert labels[-1] == "Vet inte / berör inte oss" and len(labels) == 6
            await rig.press("U100", statement, buttons(statement)[-1]["value"])
            responses = await rig.wait_responses(1)
            assert responses[-1]["text"].startswith("Ditt svar: Vet inte / berör inte oss")
            round_ = (await app.store.rounds(1))[-1]
            assert [r.value for r in await app.store.responses(round_.id)] == [0]
        finally:
            await adapter.aclose()
            await app.aclose()


def test_every_text_key_has_english() -> None:
    from facilitation.barometer.texts import TEXTS

    assert {k for k in TEXTS["sv"] if "dont_know" in k} == {k for k in TEXTS["en"] if "dont_know" in k}
    assert Sector  # the sectors used above are the default ones
