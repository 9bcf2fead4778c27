"""Issue 20 through the real Bolt AsyncApp and slack_sdk client against the Slack stand-in:
``/dialog forslag``, ``/dialog foresla`` in a channel, a proposal typed in a direct message,
the moderation buttons (Block Kit) and ``/dialog innehall``."""

from __future__ import annotations

from facilitation.content.chat import installed
from facilitation.content.model import ProposalStatus
from tests.test_slack_flow import (
    CHANNEL,
    FACILITATOR,
    SlackRig,
    _any_text,
    _fail,
    buttons,
    ephemerals_to,
    launch_barometer,
    rig,  # noqa: F401  (the fixture)
    start_workshop,
    wait_for,
)


def _dm(rig: SlackRig, user: str, channel: str, text: str, ts: str) -> str:  # noqa: F811
    return rig.api.event_body(
        {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text, "ts": ts}
    )


async def test_a_proposal_round_moderated_with_slack_buttons(rig: SlackRig) -> None:  # noqa: F811
    _, code = await start_workshop(rig)
    await rig.command("forslag påståenden max=2")
    await rig.wait_message("💡 Förslagsrunda: föreslå påståenden")
    # A participant in a direct message: /dialog delta, then the proposal as plain text.
    await rig.command(f"delta {code}", user="U2", channel="D2")
    await wait_for(lambda: rig.api.messages_in("D2") or _fail("no welcome yet"))
    assert (
        await rig.dispatch(_dm(rig, "U2", "D2", "Kommunen svarar i tid på våra frågor.", "1.1"))
    ).status == 200
    await rig.wait_message("Tack! Ditt förslag #1 är inskickat.", channel="D2")
    # In the channel: Slack escapes & < >, the bot stores what was typed.
    await rig.command("foresla Fler möten & <mer> tid", user="U3")
    await wait_for(lambda: _any_text(rig, "Ditt förslag #2") or _fail("no answer yet"))
    await rig.command("foresla  ", user="U4")
    await wait_for(lambda: _any_text(rig, "Förslaget är tomt") or _fail("no refusal yet"))
    workshop = await rig.app.service.workshop_by_code(code)
    chat = installed(rig.app.conversation)
    assert chat is not None
    overview = await chat.proposals.overview(workshop)
    assert [p.text for p in overview.proposals] == [
        "Kommunen svarar i tid på våra frågor.",
        "Fler möten & <mer> tid",
    ]

    # The moderation card: Block Kit buttons; a participant's press is refused, the facilitator's counts.
    await rig.command("forslag")
    card = await rig.wait_message("Förslag #1 (2 väntar)")
    values = [b["value"] for b in buttons(card)]
    assert len(values) == 3 and all(v.startswith("fm.") for v in values)  # accept, reject, next
    url = rig.api.response_url()
    await rig.press("U3", card, values[0], response_url=url)
    refused = await wait_for(lambda: ephemerals_to(rig, url) or _fail("no answer yet"))
    assert refused == ["Bara den som leder workshopen kan moderera förslagen."]
    assert all(
        p.status == ProposalStatus.PENDING for p in (await chat.proposals.overview(workshop)).proposals
    )
    url = rig.api.response_url()
    await rig.press(FACILITATOR, card, values[0], response_url=url)
    await wait_for(lambda: rig.message_with("Förslag #2 (1 väntar)") or _fail("card not updated yet"))
    assert rig.message_with("Förslag #2").ts == card.ts  # the card was edited in place
    updated = rig.message_with("Förslag #2")
    await rig.press(FACILITATOR, updated, [b["value"] for b in buttons(updated)][1])  # reject #2
    await wait_for(lambda: rig.message_with("Inga förslag väntar") or _fail("card not updated yet"))
    statuses = [p.status for p in (await chat.proposals.overview(workshop)).proposals]
    assert statuses == [ProposalStatus.ACCEPTED, ProposalStatus.REJECTED]

    # /dialog innehall lists it as a participants' proposal; the next barometer asks it.
    await rig.command("innehall")
    listing = await rig.wait_message("Innehåll i Test")
    assert "8. Kommunen svarar i tid på våra frågor. (förslag från deltagare)" in (listing.text or "")
    statements = await launch_barometer(rig, "", 8)
    assert "Kommunen svarar i tid på våra frågor." in (statements[-1].text or "")
    assert CHANNEL == card.channel
