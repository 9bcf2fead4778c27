"""A process file's own sector list, end to end (issue 13 §1): the process file defines the
sectors → ``/sektor`` offers them as buttons on Telegram and Slack → a press stores that sector →
results, charts and exports split and name the groups by the process's names. A process without a
list keeps the default three (idéburen, offentlig, annan).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from config.catalogue import load_process
from config.errors import ConfigError
from facilitation.model import DEFAULT_SECTORS
from tests.harness import until
from tests.rooms_rig import TG_GROUP, Rooms, posted_tg_statement, tg_statement, with_process
from tests.rooms_rig import rooms as rooms  # the rig's fixtures
from tests.rooms_rig import rooms_speed as rooms_speed
from tests.standins.slack_api import displayed

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
PACKAGED = Path(__file__).resolve().parents[1] / "config" / "processes"
NAMES = ["Förtroendevald politiker", "Tjänsteperson", "Idéburen organisation", "Näringsliv"]
PROCESS = """
[process]
key = "regional"
name = "Regional process"
scale_steps = 5

[[sectors]]
key = "politiker"
name = "Förtroendevald politiker"
name_en = "Elected politician"
short = "politikerna"

[[sectors]]
key = "tjansteperson"
name = "Tjänsteperson"
name_en = "Official"

[[sectors]]
key = "organisation"
name = "Idéburen organisation"
name_en = "Idea-based organisation"

[[sectors]]
key = "naringsliv"
name = "Näringsliv"
name_en = "Business"

[[statements]]
key = "dialog"
text = "Dialogen mellan parterna fungerar bra."

[[statements]]
key = "resurser"
text = "Överenskommelsen har fått de resurser den behöver."
"""


@pytest.fixture
def rooms_settings(tmp_path: Path) -> dict[str, Any]:
    return with_process(tmp_path, "regional.toml", PROCESS)


def _tg_sector_buttons(rooms: Rooms) -> tuple[int, list[tuple[str, str]]]:
    """The last message in the Telegram room with sector buttons: its id and (label, data)."""
    for message in reversed(rooms.tg.sent_messages(TG_GROUP)):
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        found = [
            (b["text"], b["callback_data"])
            for row in rows
            for b in row
            if b["callback_data"].startswith("s.")
        ]
        if found:
            return message.message_id, found
    raise AssertionError("no sector buttons in the Telegram room")


def _slack_sector_buttons(rooms: Rooms, channel: str) -> list[dict[str, Any]]:
    for message in reversed(rooms.slack.messages_in(channel)):
        found = [
            e
            for b in message.blocks or []
            if b["type"] == "actions"
            for e in b["elements"]
            if e["value"].startswith("s.")
        ]
        if found:
            return found
    return []


async def test_a_process_sector_list_from_buttons_to_results(rooms: Rooms) -> None:
    # Slack: the workshop is created in a channel; its join message offers the process's sectors.
    await rooms.slack_command("workshop regional Regionträff", "C1")
    created = await until(
        lambda: [m for m in rooms.slack.messages_in("C1") if "Anslutningskod" in (m.text or "")]
    )
    code = displayed(created[0].text or "").split("Anslutningskod: ")[1][:6]
    slack_buttons = await until(lambda: _slack_sector_buttons(rooms, "C1"))
    assert [displayed(b["text"]["text"]) for b in slack_buttons] == NAMES
    # A Slack participant chooses "Näringsliv" with its button.
    await rooms.slack_request(
        rooms.slack.block_actions_body(
            "U77", "C1", slack_buttons[3]["action_id"], slack_buttons[3]["value"], message_ts=created[0].ts
        )
    )
    workshop = await rooms.app.service.workshop_by_code(code)
    # Telegram: the room joins; /sektor shows the same four, one per row (long names stay readable).
    await rooms.tg_command(f"/delta {code}")
    await rooms.tg_command("/sektor")
    message_id, tg_buttons = _tg_sector_buttons(rooms)
    assert [label for label, _ in tg_buttons] == NAMES
    rows = next(m for m in rooms.tg.sent_messages(TG_GROUP) if m.message_id == message_id).reply_markup[
        "inline_keyboard"
    ]
    assert [len(row) for row in rows] == [1, 1, 1, 1]
    # 6 politicians, 6 officials, 3 organisations press their sector in the Telegram room.
    people = (
        [(100 + i, 0) for i in range(6)] + [(200 + i, 1) for i in range(6)] + [(300 + i, 2) for i in range(3)]
    )
    for user, index in people:
        await rooms.tg_update(rooms.tg.callback_update(user, TG_GROUP, message_id, tg_buttons[index][1]))
    answers = [str(c.params.get("text") or "") for c in rooms.tg.calls_to("answerCallbackQuery")]
    assert any("Sektor: Förtroendevald politiker" in a for a in answers)
    assert any("Sektor: Idéburen organisation" in a for a in answers)
    stored = {p.sector for p in await rooms.app.store.participants(workshop.id)}
    assert stored == {
        "politiker",
        "tjansteperson",
        "organisation",
        "naringsliv",
        None,
    }  # None: the facilitator

    # A barometer: everyone answers statement 1 in the Telegram room; closed; results and export.
    await rooms.tg_command("/barometer 1")
    await until(lambda: posted_tg_statement(rooms, TG_GROUP))
    statement, _ = tg_statement(rooms, TG_GROUP)
    values = [b["callback_data"] for row in statement.reply_markup["inline_keyboard"] for b in row]
    for user, index in people:
        data = values[0] if index != 1 else values[3]  # the officials answer otherwise
        await rooms.tg_update(rooms.tg.callback_update(user, TG_GROUP, statement.message_id, data))
    await rooms.tg_command("/stang")
    text = await until(
        lambda: next(
            (t for t in rooms.tg_texts() if "högst" in t or "Sektorerna" in t or "politikerna" in t), None
        )
    )
    assert "politikerna" in text  # the process's short form inside the sentence
    captions = await until(
        lambda: [
            m.caption for m in rooms.tg.sent_messages(TG_GROUP) if m.caption and "jämförelsen" in m.caption
        ]
    )
    assert "3 svar från grupper med färre än 5 ingår inte i jämförelsen" in captions[0]
    await rooms.tg_command("/export")
    documents = await until(
        lambda: [c.files["document"] for c in rooms.tg.calls_to("sendDocument") if c.status == 200] or None
    )
    csv_text = next(d for d in documents if not d.startswith(b"PK")).decode("utf-8-sig")  # not the XLSX (zip)
    table = "\n".join(";".join(row) for row in csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert "Förtroendevald politiker" in table and "Tjänsteperson" in table
    assert "Idéburen sektor" not in table and "Offentlig sektor" not in table


def test_a_process_without_a_sector_list_keeps_the_default_three(tmp_path: Path) -> None:
    assert load_process(PACKAGED / "varmland-2015.toml").sectors == DEFAULT_SECTORS
    path = tmp_path / "regional.toml"
    path.write_text(PROCESS, encoding="utf-8")
    assert [s.name for s in load_process(path).sectors] == NAMES
    one = PROCESS.split("[[sectors]]")
    path.write_text(
        one[0] + "[[sectors]]" + one[1] + PROCESS[PROCESS.index("[[statements]]") :], encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="one sector compares nothing"):
        load_process(path)
    path.write_text(
        PROCESS.replace('key = "naringsliv"', 'key = "en-alldeles-for-lang-nyckel"'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="sectors"):
        load_process(path)
