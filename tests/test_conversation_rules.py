"""Rules of the conversation that hold on every platform, driven through the local mode.

Who may tie a room to a workshop, one open round per workshop, no read-outs of an open round,
the room's language, a comparison that survives a restart, and a live tally that follows votes
handled by another bot process.
"""

from __future__ import annotations

from pathlib import Path

from facilitation.model import RoundStatus
from facilitation.service import WorkshopService
from storage.database import create_engine
from storage.repository import SqlStore
from tests.harness import LocalHarness, until


def join_code(h: LocalHarness, title: str) -> str:
    message = h.port.messages[h.last_message_with(f"📋 {title}")]
    return message.text.split("Anslutningskod: ")[1][:6]


async def test_only_a_facilitator_ties_a_room_to_a_workshop(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Andra", "/workshop varmland-2015 Första")
    other = join_code(h, "Andra")
    printed = await h.run(f"@bertil /delta {other}")  # a participant's code in the room…
    assert any("Välkommen till Andra" in line for line in printed)  # …joins them,
    await h.run("/barometer 1")
    first = await h.app.service.workshop_by_code(join_code(h, "Första"))
    assert await h.app.service.open_round_of(first.id) is not None  # …but the room stays in "Första"
    second = await h.app.service.workshop_by_code(other)
    assert await h.app.store.rounds(second.id) == []
    # The facilitator's /workshop Första moved the room out of "Andra"; the participant's code did not tie it back.
    assert await h.app.store.rooms(second.id) == []
    assert [c.chat_id for c in await h.app.store.rooms(first.id)] == ["rum"]


async def test_one_open_round_per_workshop(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/barometer 1")
    printed = await h.run("/barometer 2", "/rangordna 3")
    refusals = [line for line in printed if "#1 är fortfarande öppen" in line]
    assert len(refusals) == 2 and "/stang" in refusals[0]
    workshop_id = (await h.app.store.rounds(1))[0].workshop_id
    assert [r.status for r in await h.app.store.rounds(workshop_id)] == [RoundStatus.OPEN]  # no stray drafts
    await h.run("/stang")
    await h.run("/barometer 2")
    assert [r.status for r in await h.app.store.rounds(workshop_id)] == [RoundStatus.CLOSED, RoundStatus.OPEN]


async def test_results_of_an_open_round_are_refused(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/barometer 1,2", ":sim 10")
    printed = await h.run("/resultat")
    assert any("Resultatet visas när omgången är stängd" in line for line in printed)
    assert not [p for p in h.port.files() if p.suffix == ".png"]
    printed = await h.run("/status")
    assert any("10 har svarat (öppen)" in line for line in printed)
    await h.run("/stang")
    charts = len([p for p in h.port.files() if p.suffix == ".png"])
    await h.run("/resultat 1")
    assert len([p for p in h.port.files() if p.suffix == ".png"]) > charts


async def test_the_room_keeps_the_workshops_language(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/sprak en")  # the facilitator prefers English
    printed = await h.run("/barometer 1", ":sim 10", "/stang")
    assert any("Åsiktsbarometer #1" in line for line in printed)
    assert any("Omgången" in line and "är stängd" in line for line in printed)
    assert not any("Opinion barometer" in line for line in printed)
    printed = await h.run("/sprak sv", "@anna /sprak en", "@anna /hjalp")
    assert any("I run the workshop exercises" in line for line in printed)  # her own reply: English


async def test_comparison_survives_a_restart_and_a_refused_launch(tmp_path: Path) -> None:
    h = await LocalHarness.start(tmp_path)
    try:
        await h.run("/workshop varmland-2015 Dialogmöte 2025", "/barometer 1,2", ":sim 10", "/stang")
        await h.run("/workshop varmland-2015 Dialogmöte 2026", "/jamfor 1")
        printed = await h.run("/barometer steg=99")  # refused: the comparison must not be used up
        assert any("Skalan måste ha" in line for line in printed)
    finally:
        await h.close()
    h = await LocalHarness.start(tmp_path)  # a restarted bot on the same database
    try:
        await h.run("/barometer 1,2")
        rounds = [r for w in (1, 2) for r in await h.app.store.rounds(w)]
        assert [(r.workshop_id, r.compare_round_id) for r in rounds] == [(1, None), (2, 1)]
        workshop = await h.app.service.require_workshop(2)
        assert workshop.compare_round_id is None  # used by this barometer, not by the next one
    finally:
        await h.close()


async def test_live_tally_follows_votes_and_close_from_another_process(tmp_path: Path) -> None:
    h = await LocalHarness.start(tmp_path)
    h.app.conversation.live.poll_seconds = 0.05
    other_engine = create_engine(h.app.settings.effective_database_url)  # a second bot process
    other_store = SqlStore(other_engine)
    other = WorkshopService(other_store, h.app.processes)
    try:
        await h.run("/workshop varmland-2015 Test", "/barometer 1")
        tally = h.last_message_with("har svarat hittills")
        round_ = (await h.app.store.rounds(1))[0]
        for person in range(3):
            await other.answer(round_.id, round_.items[0].id, f"elsewhere-{person}", 4)
        await until(lambda: "3 har svarat" in h.port.messages[tally].text, within=10)
        await other.close_round(round_.id)
        await until(lambda: "är stängd. 3 svarade" in h.port.messages[tally].text, within=10)
        await until(lambda: not h.app.conversation.live._groups, within=10)  # the final edit ends the updates
        assert h.app.conversation.live._pollers == {}
    finally:
        await other_store.aclose()
        await other_engine.dispose()
        await h.close()


async def test_local_help_is_plain_swedish(harness: LocalHarness) -> None:
    printed = "\n".join(await harness.run(":hjälp"))
    assert "Lokalt läge" in printed and ":sim N" in printed
    assert ":class:" not in printed and "``" not in printed  # not the module's docstring


async def test_help_names_every_command_in_both_languages(harness: LocalHarness) -> None:
    """A command nobody is told about does not exist for a facilitator on a phone."""
    from facilitation.conversation import COMMANDS

    conv = harness.app.conversation
    by_handler: dict[object, set[str]] = {}
    for name, command in COMMANDS.items():
        by_handler.setdefault(command, set()).add(name)
    for name, command in conv._extra_commands.items():
        by_handler.setdefault(command.handler, set()).add(name)
    from facilitation.prioritisation.flow import _KIND_OF_COMMAND

    for name, exercise in conv._start_commands.items():  # one group per kind of round started
        by_handler.setdefault(_KIND_OF_COMMAND.get(name, type(exercise)), set()).add(name)
    from facilitation.menu import help_text
    from facilitation.model import Language

    for lang in Language:
        text = help_text(conv.command_table(), lang, lead=True)
        mentioned = {word[1:].split()[0].rstrip(".,:;)") for word in text.split() if word.startswith("/")}
        missing = [
            sorted(names) for names in by_handler.values() if not names & mentioned and names != {"start"}
        ]
        assert missing == [], (lang, missing)


async def test_menus_name_only_commands_that_exist(harness: LocalHarness) -> None:
    from facilitation.conversation import COMMANDS
    from facilitation.i18n import t

    conv = harness.app.conversation
    known = set(COMMANDS) | set(conv._extra_commands) | set(conv._start_commands)
    from facilitation.menu import menu_items

    for item in menu_items(conv.command_table()):
        for lang in ("sv", "en"):
            assert item.menu.name(lang) in known and item.menu.name(lang).isascii()
            assert 1 <= len(t(item.menu.text_key, lang)) <= 256


async def test_a_launch_from_elsewhere_uses_up_the_comparison_too(harness: LocalHarness) -> None:
    """The Slack modal launches through Conversation.launch, not a command: /jamfor is used up there too."""
    from bot.local import ROOM
    from facilitation.model import Language, RoundKind
    from facilitation.ports import CommandEvent, UserRef
    from facilitation.turn import Turn

    h = harness
    await h.run("/workshop varmland-2015 Dialogmöte 2025", "/barometer 1", ":sim 10", "/stang")
    await h.run("/workshop varmland-2015 Dialogmöte 2026", "/jamfor 1")
    conv = h.app.conversation
    workshop = await h.app.service.require_workshop(2)
    assert workshop.compare_round_id == 1
    round_ = await h.app.service.create_round(
        workshop.id, RoundKind.BAROMETER, "Modal", [("P1", "p1")], compare_round_id=workshop.compare_round_id
    )
    turn = Turn(CommandEvent(UserRef("local", "facilitator"), ROOM, "ny"), h.port, "k", Language.SV)
    await conv.launch(turn, workshop, round_)
    assert (await h.app.service.require_workshop(2)).compare_round_id is None
