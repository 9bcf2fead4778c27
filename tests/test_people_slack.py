"""/vem (``/dialog vem``) on Slack through the real Bolt app and slack_sdk against the stand-in:
the answer carries the person's id, so it is ephemeral, never a channel message."""

from __future__ import annotations

from facilitation.people.coleaders import Accepted
from tests.test_slack_flow import CHANNEL, SlackRig, settle, start_workshop, wait_for
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
