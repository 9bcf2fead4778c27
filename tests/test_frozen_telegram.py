"""The issue's repro of a closed round leaking, end to end on Telegram (issue 13 §2).

5 idéburen, 6 offentlig, 4 annan answer two statements in a Telegram group; ``/stang``;
``/resultat 1`` and ``/export 1`` are read (the text, every chart's PNG, the CSV and XLSX bytes
as sent to Telegram). Then one "annan" participant presses "Offentlig sektor" — before freezing,
the next export showed offentlig n = 7 with their answers — and an offentlig participant
forgets themselves with ``/glom`` and its button. Every read-out after each step is identical,
byte for byte, to the first.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_telegram_flow import GROUP, Rig, _workshop
from tests.test_telegram_flow import rig as rig  # the real python-telegram-bot app on the stand-in

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
IDE, OFF, ANN = 0, 1, 2  # the sector buttons' order
ROOM = [(IDE, 5), (OFF, 6), (ANN, 4)]


async def _read_out(rig: Rig, round_id: int) -> list[Any]:
    """What ``/resultat NR`` and ``/export NR`` send to the group: texts, photos and files as bytes."""
    calls = len(rig.api.calls)
    await rig.command(f"/resultat {round_id}")
    await rig.command(f"/export {round_id}")
    out: list[Any] = []
    for call in rig.api.calls[calls:]:
        if call.method in ("sendMessage", "sendPhoto", "sendDocument") and call.status == 200:
            out.append(
                (
                    call.method,
                    call.params.get("text") or call.params.get("caption"),
                    sorted((name, bytes(data)) for name, data in call.files.items()),
                )
            )
    return out


async def test_export_and_results_are_byte_identical_after_a_sector_change_and_a_forget(rig: Rig) -> None:
    _, round_id, statements = await _workshop(rig, "1,2")
    [(join_message, sector_buttons)] = rig.markups(GROUP, "s.")
    people: list[tuple[int, int]] = []
    for sector, count in ROOM:
        for index in range(count):
            user = 6000 + 100 * sector + index
            people.append((user, sector))
            await rig.process(rig.api.callback_update(user, GROUP, join_message, sector_buttons[sector]))
            for number, (message_id, values) in enumerate(statements):
                value = values[(index + number * (sector + 1)) % len(values)]
                await rig.process(rig.api.callback_update(user, GROUP, message_id, value))
    await rig.command("/stang")
    before = await _read_out(rig, round_id)
    documents = [files for method, _, files in before if method == "sendDocument"]
    assert len(documents) == 2 and all(data for files in documents for _, data in files)  # CSV and XLSX
    assert any(method == "sendPhoto" for method, _, _ in before)
    assert any("n = 11" in (text or "") for method, text, _ in before if method == "sendMessage")  # 5 + 6

    # One "annan" participant presses "Offentlig sektor" on the join message.
    switcher = next(user for user, sector in people if sector == ANN)
    await rig.process(rig.api.callback_update(switcher, GROUP, join_message, sector_buttons[OFF]))
    assert "Offentlig sektor" in rig.answers()[max(rig.answers(), key=int)]
    assert await _read_out(rig, round_id) == before

    # An offentlig participant forgets themselves: /glom in a private chat and its button.
    leaver = next(user for user, sector in people if sector == OFF)
    await rig.command("/glom", user=leaver, chat=leaver)
    [(confirm, [data])] = rig.markups(leaver, "fg.")
    press = rig.api.callback_update(leaver, leaver, confirm, data)
    await rig.process(press)
    assert rig.answers()[press["callback_query"]["id"]].startswith("Klart.")
    assert await _read_out(rig, round_id) == before
