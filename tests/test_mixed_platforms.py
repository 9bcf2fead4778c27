"""One process, one event loop, one workshop with participants on Telegram and on Slack at once.

Both adapters are wired to the same App (as ``dialogbot run`` does with both tokens set) against
their loopback stand-ins. The facilitator opens the workshop in a Telegram group, a Slack channel
joins it with the same code (a facilitator's word: a participant's code does not make a channel
a room), the round launched from Telegram reaches both rooms, and the closed round gives one
aggregated result in both.
"""

from __future__ import annotations

from facilitation.model import RoundStatus
from tests.harness import until
from tests.rooms_rig import (  # the rig's fixtures
    SLACK_FACILITATOR,
    TG_GROUP,
    Rooms,
    rooms,  # noqa: F401
    rooms_settings,  # noqa: F401
    rooms_speed,  # noqa: F401
)

SLACK_CHANNEL = "C42"


async def test_one_workshop_across_telegram_and_slack(rooms: Rooms) -> None:  # noqa: F811
    tg, slack, app = rooms.tg, rooms.slack, rooms.app
    # The facilitator starts the workshop in the Telegram group.
    code = await rooms.workshop_in_telegram()

    # A participant's code in another channel joins them, but does not make it a room.
    await rooms.slack_command(f"delta {code}", "COTHER", user="USOMEONE")
    await until(lambda: [m for m in slack.messages_in("COTHER") if "Gemensam" in (m.text or "")])
    assert await rooms.room_keys(code) == [("telegram", str(TG_GROUP))]

    # The Slack facilitator joins the Slack channel to the same workshop with the code.
    await rooms.join_slack(code, SLACK_CHANNEL)

    # The round launched from Telegram is posted in both rooms.
    await rooms.tg_command("/barometer 1")
    statement_tg = await until(
        lambda: next(
            (m for m in tg.sent_messages(TG_GROUP) if m.text and m.text.startswith("1. Min organisation")),
            None,
        )
    )
    statement_slack = await until(
        lambda: next(
            (m for m in slack.messages_in(SLACK_CHANNEL) if (m.text or "").startswith("1. Min organisation")),
            None,
        )
    )
    tg_data = [b["callback_data"] for row in statement_tg.reply_markup["inline_keyboard"] for b in row]
    slack_values = [
        e["value"] for b in statement_slack.blocks if b["type"] == "actions" for e in b["elements"]
    ]

    # 6 people vote "5" on Telegram, 4 vote "1" on Slack.
    for person in range(6):
        await rooms.tg_update(tg.callback_update(100 + person, TG_GROUP, statement_tg.message_id, tg_data[4]))
    for person in range(4):
        await rooms.slack_request(
            slack.block_actions_body(
                f"U{person:03d}", SLACK_CHANNEL, "dlg-0-0", slack_values[0], message_ts=statement_slack.ts
            )
        )
    workshop = await app.service.workshop_by_code(code)
    round_ = await app.service.open_round_of(workshop.id)
    assert round_ is not None
    await until(lambda: len(tg.calls_to("answerCallbackQuery")) == 6)
    await until(lambda: slack.responses and len(slack.responses) >= 4)
    responses = await app.store.responses(round_.id)
    assert sorted(r.value for r in responses) == [1, 1, 1, 1, 5, 5, 5, 5, 5, 5]
    assert await app.service.turnout(round_.id) == 10

    # Closing (from Slack this time) gives one aggregated result in both rooms.
    await rooms.slack_command("stang", SLACK_CHANNEL, user=SLACK_FACILITATOR)
    await until(lambda: [m for m in slack.messages_in(SLACK_CHANNEL) if "n = 10" in (m.text or "")])
    await until(lambda: [m for m in tg.sent_messages(TG_GROUP) if "n = 10" in (m.text or "")])
    await until(lambda: tg.calls_to("sendPhoto"))
    await until(lambda: [f for f in slack.uploaded_files.values() if f.completed])
    assert (await app.store.round(round_.id)).status == RoundStatus.CLOSED  # type: ignore[union-attr]
