"""A workshop's buttons count only in its rooms or for those who joined it (Telegram; Slack: see
test_buttons_bound_slack).

Button data is signed but names no chat, so a genuine button of one group, shown or replayed
in another chat, must not vote there for someone who never joined: the press is refused in the
presser's language and nothing is stored.
"""

from __future__ import annotations

from tests.test_telegram_flow import GROUP, Rig, _workshop
from tests.test_telegram_flow import rig as rig  # the fixture

OTHER_GROUP = -1009999
REFUSED_SV = "Den här knappen hör till en workshop som inte pågår här"
REFUSED_EN = "This button belongs to a workshop that does not run here"


async def _press(rig: Rig, user: int, chat: int, data: str) -> str:
    """Press a button carrying ``data`` in ``chat`` (a message of the bot's there); the answer text."""
    message = rig.api.message_update(user, chat, "hej", chat_type="private" if chat > 0 else "supergroup")
    press = rig.api.callback_update(user, chat, message["message"]["message_id"], data)
    await rig.process(press)
    return rig.answers()[press["callback_query"]["id"]]


async def test_a_vote_button_counts_only_in_a_room_or_for_a_participant(rig: Rig) -> None:
    code, round_id, statements = await _workshop(rig)
    [(_, first_statement), _] = statements
    vote = first_statement[1]
    stranger, other_stranger, joined = 8001, 8002, 8003

    # In another group, by someone who never joined: refused, nothing stored.
    assert (await _press(rig, stranger, OTHER_GROUP, vote)).startswith(REFUSED_SV)
    # In a private chat, by someone who never joined: refused too.
    assert (await _press(rig, other_stranger, other_stranger, vote)).startswith(REFUSED_SV)
    assert await rig.app.store.responses(round_id) == []
    workshop = await rig.app.service.workshop_by_code(code)
    assert await rig.app.store.participants(workshop.id) == []

    # Someone who joined votes from their private chat (and from a group they pass it to).
    await rig.command(f"/delta {code}", user=joined, chat=joined)
    assert (await _press(rig, joined, joined, vote)).startswith("Ditt svar: 2 av")
    # In the workshop's own group anyone votes (and so takes part).
    assert (await _press(rig, stranger, GROUP, vote)).startswith("Ditt svar: 2 av")
    # Having voted in the room, the stranger is a participant: their private chat counts now.
    assert (await _press(rig, stranger, stranger, first_statement[2])).startswith("Ditt svar: 3 av")
    assert sorted(r.value for r in await rig.app.store.responses(round_id)) == [2, 3]


async def test_a_sector_button_elsewhere_neither_joins_nor_sets_a_sector(rig: Rig) -> None:
    code, _, _ = await _workshop(rig)
    [(_, sector_buttons)] = rig.markups(GROUP, "s.")[:1]
    stranger = 8101
    await rig.command("/sprak en", user=stranger, chat=stranger)  # refused in the presser's language
    assert (await _press(rig, stranger, OTHER_GROUP, sector_buttons[0])).startswith(REFUSED_EN)
    workshop = await rig.app.service.workshop_by_code(code)
    assert await rig.app.store.participants(workshop.id) == []
    assert (await _press(rig, stranger, GROUP, sector_buttons[0])).startswith("Thank you! You take part in")
    [member] = await rig.app.store.participants(workshop.id)
    assert member.sector is not None
