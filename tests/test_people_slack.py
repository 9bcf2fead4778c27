"""/vem (``/dialog vem``) on Slack through the real Bolt app and slack_sdk against the stand-in:
the answer carries the person's id, so it is ephemeral, never a channel message."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from facilitation.people.coleaders import Accepted
from facilitation.people.reach import ReachStore
from facilitation.people.reminders import DeadlineReminder
from storage.people_repository import SqlDeadlines
from tests.test_slack_flow import (
    CHANNEL,
    SlackRig,
    buttons,
    launch_barometer,
    settle,
    start_workshop,
    wait_for,
)
from tests.test_slack_flow import rig as rig  # the real Bolt app on the Slack stand-in


def _private_to(rig: SlackRig, needle: str) -> list[str]:
    """Texts shown to one person alone (ephemeral, or on the command's response_url) holding ``needle``."""
    texts = [e["text"] for e in rig.api.ephemerals]
    texts += [r.get("text", "") for r in rig.api.responses if r.get("response_type") == "ephemeral"]
    found = [text for text in texts if needle in text]
    assert found, f"nothing private with {needle!r} yet"
    return found


async def test_whoami_on_slack_is_ephemeral(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    await rig.command("vem", user="U7")
    [answer] = await wait_for(lambda: _private_to(rig, "Ditt id på Slack: U7"))
    assert "inte med i Test än" in answer
    await settle(rig.api)
    assert not [m for m in rig.api.messages_in(CHANNEL) if "U7" in (m.text or "")]


async def test_a_co_facilitator_on_slack_accepts_with_the_command_and_leads(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    await rig.command("processledare bjud")
    [invitation] = await wait_for(lambda: _private_to(rig, "/dialog medledare "))
    code = invitation.split("/dialog medledare ", 1)[1].split()[0]
    await rig.command(f"medledare {code}", user="U7")
    await wait_for(lambda: _private_to(rig, "Du leder nu workshopen Test"))
    [leader] = await rig.app.conversation.leadership.co_leaders.co_leaders(["w:1"])  # type: ignore[union-attr]
    assert leader.platform == "slack"
    await rig.command("barometer 1,2")
    await rig.wait_message("Åsiktsbarometer #")
    await settle(rig.api)
    await rig.command("status", user="U7")  # a facilitator command: answered, not refused
    await rig.wait_message("har svarat (öppen)")
    assert not [text for text in rig.api.ephemerals if "bara för processledare" in text.get("text", "")]
    assert (
        await rig.app.conversation.leadership.co_leaders.accept(  # type: ignore[union-attr]
            "other", "w:1", "slack", leader.user_key, "x", rig.app.service.clock()
        )
        == Accepted.ALREADY
    )


async def test_the_undecided_get_one_reminder_in_their_direct_messages(rig: SlackRig) -> None:
    """On Slack the bot may write first: people who joined in the channel are reminded in their DM
    with the bot (``chat.postMessage`` to their user id), with the commands as Slack spells them."""
    _, code = await start_workshop(rig)
    await settle(rig.api)
    statements = await launch_barometer(rig, "1,2 slut=2h", 2)
    assert rig.app.reach is not None
    store = rig.app.reach.store
    for user in ("U7", "U8", "U9"):
        await rig.command(f"delta {code}", user=user)
    await _until_rows(store, 3)
    await rig.press("U8", statements[0], buttons(statements[0])[2]["value"])  # U8 answers
    await rig.command("stoppa", user="U9")  # U9 wants no reminders
    await _until_rows(store, 2)
    await settle(rig.api)
    reminder = DeadlineReminder(SqlDeadlines(rig.app.engine), rig.app.reach, "slack-process")
    real = rig.app.service.clock
    rig.app.service.clock = lambda: real() + timedelta(hours=1, minutes=55)
    assert await reminder.tick() == 1
    assert await reminder.tick() == 0
    [sent] = rig.api.messages_in(rig.api.dm_channels["U7"])
    assert (sent.text or "").startswith("Påminnelse: omgång ")
    assert "/dialog rosta" in (sent.text or "") and "/dialog stoppa" in (sent.text or "")
    assert set(rig.api.dm_channels) == {"U7"}  # nobody else was written to
    assert not [m for m in rig.api.messages_in(CHANNEL) if "Påminnelse" in (m.text or "")]


async def _until_rows(store: ReachStore, count: int) -> None:
    """Slack's commands are handled after their ack: wait until the workshop has ``count`` addresses."""
    for _ in range(300):
        if len(await store.rows(1)) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not {count} sealed addresses: {len(await store.rows(1))}")
