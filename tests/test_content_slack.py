"""Issue 20 through the real Bolt AsyncApp and slack_sdk client against the Slack stand-in:
``/dialog forslag``, ``/dialog foresla`` in a channel, a proposal typed in a direct message,
the moderation buttons (Block Kit) and ``/dialog innehall``."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.content_modal import CONTENT_CALLBACK
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

    # The modal of /dialog innehall lists it; the next barometer asks it.
    await rig.command("innehall")
    await rig.api.wait_for_calls("views.open", within=20)
    shown = "\n".join(b["text"]["text"] for b in rig.api.opened_views[-1]["blocks"] if b["type"] == "section")
    assert "8. Kommunen svarar i tid på våra frågor." in shown
    statements = await launch_barometer(rig, "", 8)
    assert "Kommunen svarar i tid på våra frågor." in (statements[-1].text or "")
    assert CHANNEL == card.channel


def _content_submission(
    rig: SlackRig,  # noqa: F811
    view: dict[str, Any],
    catalogue: str,
    operation: str,
    user: str = FACILITATOR,
    **fields: str,
) -> str:
    """A view_submission of the content modal as Slack sends it."""
    blocks = {b.get("block_id"): b for b in view["blocks"]}

    def chosen(block_id: str, value: str) -> dict[str, Any]:
        option = next(o for o in blocks[block_id]["element"]["options"] if o["value"] == value)
        return {block_id: {"type": "static_select", "selected_option": option}}

    state: dict[str, Any] = {
        "catalogue": chosen("catalogue", catalogue),
        "operation": chosen("operation", operation),
    }
    for block_id in ("number", "to", "text", "text_en"):
        state[block_id] = {block_id: {"type": "plain_text_input", "value": fields.get(block_id)}}
    return rig.api.view_submission_body(
        user, CONTENT_CALLBACK, state, private_metadata=view["private_metadata"]
    )


async def _answer(rig: SlackRig, body: str) -> dict[str, Any]:  # noqa: F811
    response = await rig.dispatch(body)
    assert response.status == 200, response.body
    return json.loads(response.body) if response.body else {}


async def test_the_content_modal_edits_the_workshops_lists(rig: SlackRig) -> None:  # noqa: F811
    _, code = await start_workshop(rig)
    await rig.command(f"delta {code}", channel="DFAC")
    await rig.wait_message("Välkommen till Test", channel="DFAC")  # listeners run after the ack
    await rig.command("innehall", channel="DFAC")
    [call] = await rig.api.wait_for_calls("views.open", within=20)
    assert call.ok, call.error
    view = rig.api.opened_views[-1]
    assert view["callback_id"] == CONTENT_CALLBACK and view["title"]["text"] == "Workshoppens innehåll"
    shown = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "*Påståenden*\n1. Min organisation har något att tillföra" in shown and "*Principer*\n1. " in shown
    # Add a statement with its English text: the modal closes, the confirmation comes in the DM.
    added = _content_submission(
        rig, view, "statements", "add", text="Unga & äldre formar dialogen.", text_en="Young & old shape it."
    )
    assert await _answer(rig, added) == {}
    await wait_for(lambda: _any_text(rig, "Tillagd som påstående 8 (nyckel w1-s1)") or _fail("not yet"))
    # Reword principle 2; move the new statement first; refusals stay in the open modal, under their field.
    assert (
        await _answer(
            rig, _content_submission(rig, view, "principles", "reword", number="2", text="Dialog på riktigt")
        )
        == {}
    )
    assert await _answer(rig, _content_submission(rig, view, "statements", "move", number="8", to="1")) == {}
    refusals = {
        "number": ("Det finns inget påstående 99 (det finns 8).", {"number": "99"}, "remove"),
        "text": ("Texten är för lång: 81 tecken, högst 80.", {"text": "x" * 81}, "add"),
    }
    for block, (message, fields, operation) in refusals.items():
        catalogue = "statements" if block == "number" else "principles"
        answer = await _answer(rig, _content_submission(rig, view, catalogue, operation, **fields))
        assert answer == {"response_action": "errors", "errors": {block: message}}, answer
    answer = await _answer(rig, _content_submission(rig, view, "statements", "reword", text="Utan nummer"))
    assert answer["errors"] == {"number": "Skriv numret i listan."}
    # Someone who does not lead the workshop: refused, nothing stored.
    answer = await _answer(
        rig, _content_submission(rig, view, "statements", "add", user="U9", text="Intrång")
    )
    assert list(answer["errors"]) == ["operation"]
    workshop = await rig.app.service.workshop_by_code(code)
    chat = installed(rig.app.conversation)
    assert chat is not None
    statements = await chat.content.items(workshop, "statements")
    assert [s.text for s in statements][:2] == [
        "Unga & äldre formar dialogen.",
        "Min organisation har något att tillföra till Värmlands utveckling!",
    ]
    assert statements[0].text_en == "Young & old shape it." and len(statements) == 8
    principles = await chat.content.items(workshop, "principles")
    assert principles[1].text == "Dialog på riktigt" and principles[1].reworded
    assert principles[1].text_en == ""  # the file's English said something else: not kept
    # With words, /dialog innehall is the text command (no modal).
    await rig.command("innehall princip 2 bort", channel="DFAC")
    await rig.wait_message("Princip 2 är borttagen ur workshoppens lista: Dialog på riktigt", channel="DFAC")
