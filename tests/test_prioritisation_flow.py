"""Principle prioritisation end to end: the real conversation driven through the local mode."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from facilitation.i18n import t
from facilitation.model import Round, RoundKind, RoundStatus
from facilitation.ports import Button, ButtonEvent, UserRef
from facilitation.prioritisation import aggregate
from facilitation.prioritisation.flow import ACK_LIMIT, PrioritisationExercise, fit_ack
from tests.harness import LocalHarness, ballot_message, button_at, png_size

PROCESS = "varmland-2015"


async def _open_round(h: LocalHarness) -> Round:
    rounds = await h.app.store.rounds(1)
    round_ = max(rounds, key=lambda r: r.id)
    assert round_.status == RoundStatus.OPEN
    return round_


async def _own(h: LocalHarness, round_: Round, who: str) -> dict[str, int]:
    """``who``'s stored ballot with principle keys instead of item ids."""
    key = h.app.pseudonymizer.participant_key("local", who, round_.workshop_id)
    stored = await h.app.service.own_answers(round_.id, key)
    refs = {item.id: item.ref_key for item in round_.items}
    return {refs[item]: value for item, value in stored.items()}


async def test_ranking_top3_with_simulated_room_via_run_local(tmp_path: Path) -> None:
    from bot.app import App
    from bot.local import run_local
    from config.settings import load_settings

    settings = load_settings(
        None,
        env={},
        env_file=None,
        data_dir=tmp_path,
        facilitators={"local": ["facilitator"]},
        chart_processes=0,
    )
    app = await App.create(settings)
    printed: list[str] = []
    script = "\n".join(["/workshop varmland-2015 Workshop i Karlstad", "/rangordna 3", ":sim 24", "/stang"])
    try:
        port = await run_local(app.conversation, tmp_path / "out", io.StringIO(script), write=printed.append)
        assert any(
            "simulerade 24 deltagare: 72 knapptryck" in line and "0 avvisade" in line for line in printed
        )
        (round_,) = await app.store.rounds(1)
        assert round_.kind == RoundKind.RANKING and round_.status == RoundStatus.CLOSED
        assert round_.settings["top_k"] == 3 and len(round_.items) == 14
        assert [item.ref_key for item in round_.items][:2] == ["sjalvstandighet", "dialog"]
        # Every simulated person stored a complete top-3 ranking: positions 1, 2, 3.
        per_person: dict[str, list[int]] = {}
        for response in await app.store.responses(round_.id):
            per_person.setdefault(response.participant_key, []).append(response.value)
        assert len(per_person) == 24 and all(sorted(v) == [1, 2, 3] for v in per_person.values())
        # The posted winner is the one the stored ballots of the compared groups give: 10 idéburen and
        # 10 offentlig; the 4 of "annan" are left out so nothing subtracts to their answers.
        grouped = await app.service.ballots_by_sector(round_.id)
        assert {s: len(b) for s, b in grouped.items()} == {"ideburen": 10, "offentlig": 10, "annan": 4}
        ballots = grouped["ideburen"] + grouped["offentlig"]
        result = aggregate(RoundKind.RANKING, ballots, [i.id for i in round_.items], top_k=3)
        names = {item.id: item.text for item in round_.items}
        summary = next(m.text for m in port.messages.values() if "n = 20 svar" in m.text)
        assert "(4 svar från grupper med färre än 5 ingår inte)" in summary
        assert f"Vinnare: {names[result.order[0]]} (" in summary
        if result.condorcet_winner is not None:
            assert (
                f"Condorcet-vinnare (fler föredrar den än tvärtom i varje parvis jämförelse): "
                f"{names[result.condorcet_winner]}." in summary
            )
        else:
            assert f"etta enligt Schulze: {names[result.schulze_ranking[0][0]]}" in summary
        assert f"1. {names[result.order[0]]} – " in summary
        charts = [p for p in port.files() if p.suffix == ".png"]
        assert {p.name.split("-", 1)[1] for p in charts} == {
            "prio-1-ranking.png",
            "prio-1-sectors.png",
            "prio-1-pairwise.png",
        }
        assert all(png_size(p)[0] > 500 for p in charts)
    finally:
        await app.aclose()


async def test_ranking_presses_undo_clear_and_refusals(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/rangordna 3")
    message = ballot_message(h)
    round_ = await _open_round(h)
    await h.run(f"@anna {button_at(h, message, '2. Dialog')}")
    assert h.last_ack().startswith("1. Dialog\n— välj nummer 2 av 3")
    await h.run(f"@anna {button_at(h, message, '3. Kvalitet')}")
    assert await _own(h, round_, "anna") == {"dialog": 1, "kvalitet": 2}
    # The same principle twice: refused, nothing changes.
    await h.run(f"@anna {button_at(h, message, '2. Dialog')}")
    assert h.last_ack() == t("prio.error.already_ranked")
    assert await _own(h, round_, "anna") == {"dialog": 1, "kvalitet": 2}
    # Undo removes the last pick; the next pick takes its place.
    await h.run(f"@anna {button_at(h, message, '↩')}")
    assert await _own(h, round_, "anna") == {"dialog": 1}
    for label in ("7. Demokrati", "12. Samverkan"):
        await h.run(f"@anna {button_at(h, message, label)}")
    assert await _own(h, round_, "anna") == {"dialog": 1, "demokrati": 2, "samverkan": 3}
    assert "klart" in h.last_ack()
    # Beyond k: refused, nothing changes.
    await h.run(f"@anna {button_at(h, message, '14. Tillgänglighet')}")
    assert h.last_ack() == t("prio.error.ranking_full", k=3)
    assert await _own(h, round_, "anna") == {"dialog": 1, "demokrati": 2, "samverkan": 3}
    assert await h.app.service.turnout(round_.id) == 1
    # Clear removes the ballot altogether (nothing stored, not counted as turnout).
    await h.run(f"@anna {button_at(h, message, '✖')}")
    assert await _own(h, round_, "anna") == {}
    assert await h.app.service.turnout(round_.id) == 0
    assert "Inget valt ännu" in h.last_ack()
    # Undo with nothing to undo is refused.
    await h.run(f"@anna {button_at(h, message, '↩')}")
    assert h.last_ack() == t("prio.error.nothing_to_undo")


async def test_full_ranking_ack_fits_telegram_and_partial_rankings_count(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/rangordna")
    round_ = await _open_round(h)
    assert round_.settings["top_k"] == 14
    message = ballot_message(h)
    for index in range(1, 15):
        await h.run(f"@anna {message}.{index}")
        ack = h.last_ack()
        assert len(ack) <= ACK_LIMIT
    assert ack.endswith(t("prio.draft.ranking.done", k=14) + t("vote.need_sector"))
    assert "14. Tillgänglighet" in ack and ack.startswith("…")
    assert len(await _own(h, round_, "anna")) == 14
    await h.run(f"@bertil {message}.2", f"@bertil {message}.3")  # stops after two
    await h.run(":sim 5")  # a room needs at least 5 answers before its result is shown
    printed = await h.run("/stang")
    summary = next(line for line in printed if "n = 7 svar" in line)
    assert "1 svar valde färre än 14 (räknas som en kortare rangordning)." in summary


async def test_points_round_budget_minus_and_incomplete_ballots(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/poang")
    round_ = await _open_round(h)
    assert round_.kind == RoundKind.POINTS and round_.settings == {"budget": 100, "step": 10}
    message = ballot_message(h)
    assert [b.label for b in h.port.messages[message].buttons[1]] == ["2. Dialog +10", "−10"]
    assert [b.label for b in h.port.messages[message].buttons[-1]] == ["✖ Rensa"]
    dialog, kvalitet = button_at(h, message, "2. Dialog"), button_at(h, message, "3. Kvalitet")
    dialog_minus = f"{message}.{int(dialog.split('.')[1]) + 1}"
    await h.run(*[f"@anna {dialog}"] * 6, *[f"@anna {kvalitet}"] * 3)
    assert await _own(h, round_, "anna") == {"dialog": 60, "kvalitet": 30}
    assert "⚠ Räknas inte förrän alla 100 poäng är fördelade: 10 kvar." in h.last_ack()
    await h.run(f"@anna {dialog_minus}")
    assert await _own(h, round_, "anna") == {"dialog": 50, "kvalitet": 30}
    await h.run(f"@anna {kvalitet}", f"@anna {kvalitet}")
    assert await _own(h, round_, "anna") == {"dialog": 50, "kvalitet": 50}
    assert "✓ Alla 100 poäng är fördelade – ditt svar räknas." in h.last_ack()
    # Beyond the budget: refused, nothing changes.
    await h.run(f"@anna {button_at(h, message, '7. Demokrati')}")
    assert h.last_ack() == t("prio.error.no_points_left")
    assert await _own(h, round_, "anna") == {"dialog": 50, "kvalitet": 50}
    # Taking points from a principle without points: refused.
    await h.run(f"@anna {message}.2")  # "−10" of Självständighet
    assert h.last_ack() == t("prio.error.no_points_on_item")
    # An incomplete allocation is stored as it grows, and left out of the count.
    await h.run(f"@bertil {kvalitet}", f"@bertil {kvalitet}")
    assert await _own(h, round_, "bertil") == {"kvalitet": 20}
    printed = await h.run(":sim 12")
    assert "simulerade 12 deltagare: 120 knapptryck" in printed[-1] and "0 avvisade" in printed[-1]
    printed = await h.run("/stang")
    # 5 idéburen, 5 offentlig compared; 2 annan and anna (no sector) left out of everything
    summary = next(
        line for line in printed if "n = 10 svar (3 svar från grupper med färre än 5 ingår inte)" in line
    )
    assert "1 svar fördelade inte alla 100 poäng och räknas inte." in summary
    assert "poäng" in summary.split("Topplistan:")[1]
    assert sum(p.suffix == ".png" for p in h.port.files()) == 2  # ranked bars and sectors


async def test_dots_round_has_step_one(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/poang 10")
    round_ = await _open_round(h)
    assert round_.settings == {"budget": 10, "step": 1}
    message = ballot_message(h)
    assert "10 prickar" in h.port.messages[message - 1].text
    await h.run(*[f"@anna {message}.3"] * 4)
    assert await _own(h, round_, "anna") == {"dialog": 4}
    assert "⚠ Räknas inte förrän alla 10 prickar är utdelade: 6 kvar." in h.last_ack()


async def test_approval_toggles_and_clears(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/markera")
    round_ = await _open_round(h)
    message = ballot_message(h)
    assert [b.label for b in h.port.messages[message].buttons[-1]] == ["✖ Rensa"]
    for label in ("2. Dialog", "5. Öppenhet", "9. Integritet"):
        await h.run(f"@anna {button_at(h, message, label)}")
    assert await _own(h, round_, "anna") == {"dialog": 1, "oppenhet": 1, "integritet": 1}
    assert h.last_ack().startswith("✓ Dialog\n✓ Öppenhet och insyn\n✓ Integritet\nMarkerade: 3")
    await h.run(f"@anna {button_at(h, message, '5. Öppenhet')}")  # tap again: unmarked
    assert await _own(h, round_, "anna") == {"dialog": 1, "integritet": 1}
    await h.run(f"@anna {button_at(h, message, '✖')}")
    assert await _own(h, round_, "anna") == {}
    await h.run(f"@anna {button_at(h, message, '2. Dialog')}")
    printed = await h.run(":sim 15", "/stang")
    assert "simulerade 15 deltagare" in printed[0] and "0 avvisade" in printed[0]
    summary = next(line for line in printed if "n = 12 svar" in line)  # 6 + 6; 3 annan and anna left out
    assert "% markerade" in summary


async def test_press_after_close_forged_and_wrong_kind_buttons_change_nothing(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/rangordna 3")
    round_ = await _open_round(h)
    message = ballot_message(h)
    await h.run(f"@anna {message}.2")
    # A forged press: the button data altered to name another principle.
    buttons = h.port.messages[message].buttons
    good = buttons[0][0].data
    payload, _, signature = good.rpartition("~")
    forged = payload.rsplit(".", 1)[0] + f".{round_.items[5].id}~{signature}"
    # A genuinely signed button of the wrong kind (a points press on a ranking round).
    wrong_kind = h.app.conversation.codec.encode("pp", round_.id, round_.items[5].id)
    # A signed press naming an item of no round.
    no_item = h.app.conversation.codec.encode("pr", round_.id, 999_999)
    for data in (forged, wrong_kind, no_item):
        h.port.messages[message].buttons = [[Button("x", data)]]
        await h.run(f"@anna {message}.1")
        assert h.last_ack() == t("error.bad_button")
    h.port.messages[message].buttons = buttons
    assert await _own(h, round_, "anna") == {"dialog": 1}
    await h.run("/stang")
    await h.run(f"@anna {message}.3", f"@bertil {message}.3", f"@anna {button_at(h, message, '✖')}")
    assert h.port.acks[-1][1] == h.port.acks[-2][1] == h.port.acks[-3][1] == t("error.round_closed")
    assert await _own(h, round_, "anna") == {"dialog": 1}
    assert await _own(h, round_, "bertil") == {}
    assert len(await h.app.store.responses(round_.id)) == 1


async def test_only_facilitators_start_rounds_and_bad_args_are_refused(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test")
    printed = await h.run("@anna /rangordna 3", "@anna /poang", "@anna /markera")
    assert sum(t("error.not_facilitator") in line for line in printed) == 3
    for line, usage in [
        ("/rangordna tre", t("prio.usage.ranking")),
        ("/rangordna 3 4", t("prio.usage.ranking")),
        ("/poang mycket", t("prio.usage.points")),
        ("/markera 3", t("prio.usage.approval")),
    ]:
        printed = await h.run(line)
        assert printed[-1].endswith(t("error.bad_args", usage=usage)), line
    printed = await h.run("/rangordna 15")
    assert printed[-1].endswith(t("error.bad_top_k", max=14))
    printed = await h.run("/poang 5000")
    assert printed[-1].endswith(t("error.bad_budget"))
    assert await h.app.store.rounds(1) == []


async def test_export_after_close_holds_aggregates_only(harness: LocalHarness) -> None:
    h = harness
    await h.run("/workshop varmland-2015 Test", "/rangordna 3", ":sim 20")
    round_ = await _open_round(h)
    printed = await h.run("/export")
    assert printed[-1].endswith(t("error.round_not_closed_export"))
    await h.run("/stang")
    before = set(h.port.files())
    await h.run("/export")
    files = sorted(set(h.port.files()) - before)
    assert [p.suffix for p in files] == [".csv", ".xlsx"]
    csv_text = files[0].read_bytes().decode("utf-8-sig")
    assert "Antal svar;16" in csv_text and "Borda-poäng" in csv_text  # 8 + 8 compared; 4 annan left out
    assert "Svar från små grupper som inte ingår;4" in csv_text
    keys = {r.participant_key for r in await h.app.store.responses(round_.id)}
    assert len(keys) == 20
    with zipfile.ZipFile(files[1]) as book:
        xml = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    for key in keys:
        assert key not in csv_text and key not in xml
    assert "deltagare-" not in csv_text and "deltagare-" not in xml  # the simulated people's names
    # One row per principle (14) in the principle table, not one per person (20).
    principle_block = csv_text.split("\r\n\r\n")[1].strip().split("\r\n")
    assert principle_block[0] == "Principer" and len(principle_block) == 2 + 14


async def test_english_after_language_switch(harness: LocalHarness) -> None:
    """A user's own language governs what only they see; the room keeps the workshop's language."""
    h = harness
    await h.run("/workshop varmland-2015 Test", "/sprak en", "@anna /sprak en")
    code = h.port.messages[1].text.split("Anslutningskod: ")[1][:6]
    printed = await h.run("/rank 2")
    opened = next(line for line in printed if "Rangordning av principer" in line)  # the room: Swedish
    assert "Tryck på de 2 principer" in opened
    message = ballot_message(h)
    assert [b.label for b in h.port.messages[message].buttons[-1]] == ["↩ Ångra", "✖ Rensa"]
    await h.run(f"@anna {message}.2")
    assert h.last_ack().startswith("1. Dialog\n— choose number 2 of 2")  # her own answer: English
    await h.run(f"@anna {message}.2")
    assert h.last_ack() == t("prio.error.already_ranked", "en")
    await h.run(f"@anna {message}.3", f"@anna {message}.4")
    assert h.last_ack() == t("prio.error.ranking_full", "en", k=2)
    await h.run(":sim 14")
    printed = await h.run("/close")
    assert any("n = 12 svar" in line for line in printed)  # the room's results: Swedish
    assert not any("responses" in line for line in printed)
    printed = await h.run(":privat", f"/delta {code}", "/results 1")  # the facilitator's own chat: English
    summary = next(line for line in printed if "n = 12 responses" in line)
    assert "Winner: " in summary and ("Condorcet winner" in summary or "first by Schulze" in summary)
    assert "Borda points" in summary and "Dialogue" in summary  # principle names in English
    captions = [line for line in printed if line.startswith("[privat") and "🖼" in line]
    assert any("By sector" in c for c in captions)
    await h.run("/export 1")
    csv_text = next(p for p in h.port.files() if p.suffix == ".csv").read_bytes().decode("utf-8-sig")
    assert "Responses;12" in csv_text and "Independence and autonomy" in csv_text
    await h.run(":rum", f"@anna {message}.5")
    assert h.last_ack() == t("error.round_closed", "en")


async def test_english_workshop_uses_english_principle_names(harness: LocalHarness) -> None:
    h = harness
    await h.run("/sprak en", "/workshop varmland-2015", "/points 10")
    round_ = await _open_round(h)
    assert round_.items[0].text == "Independence and autonomy"
    assert round_.title == "Which principles matter to us? – Värmland"
    assert "You have 10 dots" in h.port.messages[ballot_message(h) - 1].text


async def test_drafts_live_in_the_database_across_restarts_and_processes(tmp_path: Path) -> None:
    first = await LocalHarness.start(tmp_path)
    second = await LocalHarness.start(tmp_path)  # another bot process on the same database
    try:
        await first.run("/workshop varmland-2015 Test", "/rangordna 3")
        round_ = await _open_round(first)
        message = ballot_message(first)
        await first.run(f"@anna {message}.2")
        data = first.port.buttons_of(message)[2].data  # Kvalitet
        anna = UserRef("local", "anna", "anna")
        await second.app.conversation.handle(ButtonEvent(anna, first.port.messages[message].chat, data))
        assert second.port.acks[-1][1].startswith("1. Dialog\n2. Kvalitet\n")
        await first.close()
        restarted = await LocalHarness.start(tmp_path)
        try:
            data = first.port.buttons_of(message)[14].data  # Ångra
            await restarted.app.conversation.handle(
                ButtonEvent(anna, first.port.messages[message].chat, data)
            )
            assert await _own(restarted, round_, "anna") == {"dialog": 1}
        finally:
            await restarted.close()
    finally:
        await second.close()


def test_ack_fitting_keeps_the_status_line() -> None:
    state = "\n".join(
        [f"{i}. {'Självständighet och oberoende'[:20]} {i}" for i in range(1, 15)] + ["— klart!"]
    )
    ranking = fit_ack(state, " (sektor?)", drop_from_start=True)
    assert len(ranking) <= ACK_LIMIT and ranking.startswith("…\n") and ranking.endswith("— klart! (sektor?)")
    assert "14. " in ranking and "\n1. " not in ranking
    points = fit_ack(state, drop_from_start=False)
    assert len(points) <= ACK_LIMIT and points.startswith("1. ") and "\n…\n— klart!" in points
    assert fit_ack("x" * 500, drop_from_start=True).endswith("…")
    assert len(fit_ack("x" * 500, drop_from_start=True)) == ACK_LIMIT


def test_exercise_wiring() -> None:
    from bot.app import default_exercises

    exercise = next(e for e in default_exercises() if isinstance(e, PrioritisationExercise))
    assert set(exercise.kinds) == {RoundKind.RANKING, RoundKind.POINTS, RoundKind.APPROVAL}
    assert not {"b", "s", "fg"} & set(exercise.actions)
    assert {"rangordna", "rank", "poang", "poäng", "points", "markera", "approve"} == set(
        exercise.start_commands
    )
