"""A facilitator's command in a busy group is answered ahead of the bulk output waiting there.

Telegram allows a bot 20 messages a minute in a group, so a round of 30 statements, or its
results with charts, takes the bot a minute or more to post. A command sent meanwhile (here
``/status``) must not wait for all of it: its answer takes the group's next free place, and the
bulk still arrives whole and in order. Through the real python-telegram-bot client, the bot's
own rate limiter and the Bot API stand-in (which refuses a 21st group message in a window).
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from facilitation.model import RoundStatus
from tests.harness import until
from tests.rooms_rig import TG_GROUP, Rooms, rooms  # noqa: F401
from tests.standins.telegram_api import StoredMessage
from tests.test_results_whole import STATEMENTS, _answer_everything, _expected_lines, long_process
from tests.waiting import eventually

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

SPEED = 10.0
WINDOW = 61.0 / SPEED  # the bot's group window: 20 messages in 6.1 s instead of 61 s
STATEMENT = re.compile(r"(\d+)\. Påstående ")


@pytest.fixture
def rooms_settings(tmp_path: Path) -> dict[str, object]:
    return {"processes_dir": long_process(tmp_path / "processes")}


@pytest.fixture
def rooms_speed() -> float:
    return SPEED


def _texts(rig: Rooms) -> list[str]:
    return [m.text or m.caption or "" for m in rig.tg.sent_messages(TG_GROUP)]


def _is_status(text: str) -> bool:
    """The answer to /status ("Åsiktsbarometer: 12 har svarat (öppen).")."""
    return "har svarat (" in text


def _has_answer_buttons(message: StoredMessage) -> bool:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return bool(rows) and rows[0][0]["callback_data"].startswith("b.")


async def test_a_command_is_answered_ahead_of_a_long_round_and_of_its_results(rooms: Rooms) -> None:  # noqa: F811
    """The facilitator launches 30 statements (more than a window of the group's messages),
    closes the round while they are still being posted, then asks /status: the answer comes at
    once, ahead of the remaining statements and all of the results, which follow whole and in
    order."""
    await rooms.tg_command("/workshop lang Lång workshop", chat_title="Karlstad")
    code = next(t for t in _texts(rooms) if "Anslutningskod" in t).split("Anslutningskod: ")[1][:6]
    workshop = await rooms.app.service.workshop_by_code(code)
    launch = asyncio.create_task(rooms.tg_command("/barometer"))
    await until(lambda: sum(map(_has_answer_buttons, rooms.tg.sent_messages(TG_GROUP))) >= 3)
    await _answer_everything(rooms, code)
    round_ = await rooms.app.service.open_round_of(workshop.id)
    assert round_ is not None
    close = asyncio.create_task(rooms.tg_command("/stang"))

    async def closed() -> bool:
        assert not close.done(), "/stang ended without closing the round"
        return (await rooms.app.service.require_round(round_.id)).status == RoundStatus.CLOSED

    await eventually(closed, within=120)  # the close is in the database; its results are on their way

    before = len(_texts(rooms))
    asked = time.monotonic()
    status = asyncio.create_task(rooms.tg_command("/status"))
    await until(lambda: any(map(_is_status, _texts(rooms)[before:])), within=120)
    latency = time.monotonic() - asked
    await asyncio.wait_for(asyncio.gather(launch, close, status), 120)

    texts = _texts(rooms)
    reply = next(i for i, t in enumerate(texts) if _is_status(t))
    messages = rooms.tg.sent_messages(TG_GROUP)
    statement_at = [i for i, m in enumerate(messages) if _has_answer_buttons(m)]
    closing = next(i for i, t in enumerate(texts) if t.startswith("Omgången "))
    numbers = [int(m.group(1)) for i in statement_at if (m := STATEMENT.match(texts[i]))]
    statements_after = sum(1 for i in statement_at if i > reply)
    print(
        f"\n/status in a group busy with a round of {STATEMENTS} statements and its results: answered after "
        f"{latency:.2f} s, ahead of {statements_after} statements and {len(texts) - closing} result messages"
    )
    assert numbers == list(range(1, STATEMENTS + 1)), "statements lost or out of order"
    assert latency < WINDOW / 5, f"the answer waited {latency:.1f} s for the group's window"
    assert reply < closing and statements_after >= 3, "the answer waited behind the bulk"
    assert closing > statement_at[-1], "results mixed into the statements"
    results = "\n".join(texts[closing:])
    position = 0
    for line in await _expected_lines(rooms, code):  # whole, and in order
        found = results.find(line, position)
        assert found >= 0, f"missing or out of order: {line}"
        position = found + len(line)
    assert sum(1 for m in rooms.tg.sent_messages(TG_GROUP)[closing:] if m.kind == "photo") >= 2, (
        "charts missing"
    )
    assert [c for c in rooms.tg.calls if c.status != 200] == []
