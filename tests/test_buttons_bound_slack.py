"""A Slack button of a workshop pressed in a channel that is none of its rooms is refused."""

from __future__ import annotations

from typing import Any

from tests.standins.slack_api import SlackStandIn
from tests.test_buttons_bound import REFUSED_SV
from tests.test_slack_flow import SlackRig, buttons, statement_messages, wait_for
from tests.test_slack_flow import rig as rig  # the fixture


async def test_a_slack_button_pressed_in_another_channel_is_refused(rig: SlackRig) -> None:
    api = rig.api
    await rig.command("workshop varmland-2015 Slack-rum")
    await rig.command("barometer 1")
    statement = await wait_for(lambda: statement_messages(api)[0])
    value = buttons(statement)[1]["value"]
    await rig.dispatch(api.block_actions_body("U77", "C0ELSEWHERE", "dlg-0-1", value))
    refusal = await wait_for(lambda: _response_with(api, REFUSED_SV))
    assert refusal["response_type"] == "ephemeral"
    [round_] = await rig.app.store.rounds(1)
    assert await rig.app.store.responses(round_.id) == []
    await rig.press("U77", statement, value)
    await wait_for(lambda: _response_with(api, "Ditt svar"))
    assert [r.value for r in await rig.app.store.responses(round_.id)] == [2]


def _response_with(api: SlackStandIn, needle: str) -> dict[str, Any]:
    """The first response_url answer containing ``needle`` (LookupError while there is none)."""
    for response in api.responses:
        if needle in response.get("text", ""):
            return response
    raise LookupError(needle)
