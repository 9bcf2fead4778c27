"""``/uppfoljning`` on Slack, through slack-bolt over HTTP against the Web API stand-in: the
launch modal lists the commitments apart and refuses statements for a follow-up; a follow-up
launched from it keeps the commitments' tags at its first result, takes presses (a change of
mind replaces the answer) and posts the result grouped by party and principle.
"""

from __future__ import annotations

import json

from bot.slack.modal import LAUNCH_CALLBACK
from facilitation.followup.records import CommitmentTag
from facilitation.model import RoundKind, RoundStatus
from tests.test_slack_flow import (
    CHANNEL,
    FACILITATOR,
    SlackRig,
    _fail,
    _open_modal,
    buttons,
    rig,  # noqa: F401  (the Slack rig fixture)
    settle,
    wait_for,
)


def _submission(rig: SlackRig, view: dict, kind: str, **picked: list[str]) -> str:  # noqa: F811
    blocks = {b["block_id"]: b for b in view["blocks"]}
    values = {
        block_id: {
            block_id: {
                "type": blocks[block_id]["element"]["type"],
                "selected_options": [
                    o
                    for o in blocks[block_id]["element"]["options"]
                    if o["value"] in picked.get(block_id, [])
                ],
            }
        }
        for block_id in ("statements", "principles", "commitments")
        if block_id in blocks
    }
    kind_option = next(o for o in blocks["kind"]["element"]["options"] if o["value"] == kind)
    return rig.api.view_submission_body(
        FACILITATOR,
        LAUNCH_CALLBACK,
        {
            "kind": {"kind": {"type": "static_select", "selected_option": kind_option}},
            **values,
            "typed": {"typed": {"type": "plain_text_input", "value": None}},
        },
        private_metadata=view["private_metadata"],
    )


async def test_a_followup_launched_from_the_modal_is_answered_and_grouped(rig: SlackRig) -> None:  # noqa: F811
    await rig.command("workshop orebro-2010 Dialogträff")
    created = await rig.wait_message("Anslutningskod")
    await settle(rig.api)
    view = await _open_modal(rig)
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == [
        "kind",
        "principles",
        "commitments",
        "typed",
        "deadline",
    ]  # Örebro has no statements
    process = rig.app.processes["orebro-2010"]
    assert [o["value"] for o in blocks["commitments"]["element"]["options"]] == [
        c.key for c in process.commitments
    ]
    followup = RoundKind.FOLLOWUP.value
    # principles ticked for a follow-up: refused in the open modal, nothing made
    response = await rig.dispatch(_submission(rig, view, followup, principles=["dialog"]))
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "principles": "En uppföljning använder åtaganden, inte påståenden eller principer. "
        "Välj åtaganden eller byt övning."
    }
    response = await rig.dispatch(_submission(rig, view, RoundKind.RANKING.value, commitments=["kommun-01"]))
    assert list(json.loads(response.body)["errors"]) == ["commitments"]
    assert await rig.app.store.rounds(1) == []

    response = await rig.dispatch(_submission(rig, view, followup, commitments=["kommun-06", "civil-03"]))
    assert response.status == 200 and not response.body

    def posted() -> list:
        found = [
            m for m in rig.api.messages_in(CHANNEL) if any(b["value"].startswith("uf.") for b in buttons(m))
        ]
        return found if len(found) == 2 else _fail("commitments not posted yet")  # type: ignore[func-returns-value]

    commitments = await wait_for(posted)
    [round_] = await rig.app.store.rounds(1)
    assert round_.kind == RoundKind.FOLLOWUP and round_.status == RoundStatus.OPEN
    assert [i.ref_key for i in round_.items] == ["kommun-06", "civil-03"]
    assert [b["text"]["text"] for b in buttons(commitments[0])] == [
        "1 Inte alls",
        "2 I liten grad",
        "3 Delvis",
        "4 I hög grad",
        "5 Helt och hållet",
        "Vet inte",
    ]
    sector_values = [b["value"] for b in buttons(created)]
    users = [f"U{n:03d}" for n in range(10)]
    for index, user in enumerate(users):
        await rig.press(user, created, sector_values[index % 2])
        for message in commitments:
            await rig.press(user, message, buttons(message)[index % 6]["value"])
    await rig.press(users[0], commitments[0], buttons(commitments[0])[4]["value"])  # a change of mind
    await rig.wait_responses(10 + 20 + 1)
    assert rig.api.responses[-1]["text"].startswith("Ditt svar på åtagande 6: Helt och hållet")
    assert len(await rig.app.store.responses(round_.id)) == 20
    await rig.command("stang")
    summary = await rig.wait_message("Hur väl har vi hållit det vi lovade?")
    assert "Offentliga partens åtaganden (1 åtag.)" in (summary.text or "")
    assert "Självständighet och oberoende (2 åtag.)" in (summary.text or "")
    await rig.api.wait_for_calls("files.completeUploadExternal", 2, within=60)
    await settle(rig.api, within=60)
    records = rig.app.conversation.exercises[RoundKind.FOLLOWUP].records  # type: ignore[attr-defined]
    assert await records.tags(round_.id) == [
        CommitmentTag("offentlig", ("sjalvstandighet",)),
        CommitmentTag("ideburen", ("sjalvstandighet",)),
    ]
