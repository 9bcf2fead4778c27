"""Results owed since a close while charts could not be drawn follow the rooms like every fan-out.

A Telegram group upgraded to a supergroup while the chart workers were down gets the results at
its new id; a Slack channel archived meanwhile is unbound and whoever closed the round is told.
Real chart worker processes, killed as in :mod:`tests.test_chart_workers`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import until
from tests.rooms_rig import Rooms, statements, vote_in_telegram
from tests.rooms_rig import rooms as rooms  # the rig's fixtures
from tests.rooms_rig import rooms_speed as rooms_speed
from tests.test_chart_workers import WorkerKiller

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning"),
    pytest.mark.skipif(not __import__("pathlib").Path("/proc/self/stat").exists(), reason="Linux /proc"),
]
BASIC_GROUP = -4011


@pytest.fixture
def rooms_settings() -> dict[str, Any]:
    return {"chart_processes": 1}


async def test_owed_results_follow_a_moved_group_and_leave_a_gone_channel(rooms: Rooms) -> None:
    code = await rooms.workshop_in_telegram(chat=BASIC_GROUP)
    await rooms.join_slack(code, "C1", "C2")
    await rooms.tg_command("/barometer 1", chat=BASIC_GROUP)
    await until(lambda: statements(rooms.slack.messages_in("C2")))
    await vote_in_telegram(rooms, BASIC_GROUP, 5)
    with WorkerKiller() as killer:
        await rooms.slack_command("stang", "C2")
        await until(lambda: any("/resultat 1" in t for t in rooms.slack_texts("C2")))  # "results follow"
        assert len(killer.killed) >= 1
        supergroup, _updates = rooms.tg.upgrade_group(BASIC_GROUP)  # no service message reached the bot
        rooms.slack.archive_channel("C1")
    assert not rooms.tg.calls_to("sendPhoto")

    # The workers are back: the results come by themselves, at the group's new id.
    await until(
        lambda: [
            c for c in rooms.tg.calls_to("sendPhoto") if str(c.params.get("chat_id")) == str(supergroup)
        ],
        within=60,
    )
    assert any("som stängdes nyss" in t for t in rooms.tg_texts(supergroup))
    await until(lambda: any("som stängdes nyss" in t for t in rooms.slack_texts("C2")))
    report = await until(lambda: [r["text"] for r in rooms.slack.responses if "⚠️" in r.get("text", "")])
    assert report == [
        (
            "⚠️ Slack-kanalen #kanal-c1 fick inte resultatet av omgång #1: kanalen är arkiverad. Jag "
            "har tagit bort rummet från workshopen. Vill ni ha med det igen: lägg till mig där och skriv "
            f"/dialog delta {code}."
        )
    ]
    assert await rooms.room_keys(code) == [("slack", "C2"), ("telegram", str(supergroup))]
