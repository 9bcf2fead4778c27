"""Issue 20 through the REAL python-telegram-bot Application against the Bot API stand-in:
``/innehall`` in the facilitator's private chat, ``/forslag`` and its moderation buttons,
``/foresla`` in the group and proposals typed in a private chat."""

from __future__ import annotations

from facilitation.content.chat import installed
from facilitation.content.model import ProposalStatus
from facilitation.model import RoundKind
from tests.test_telegram_flow import FACILITATOR, GROUP, Rig, rig  # noqa: F401  (the fixture)


async def _workshop(rig: Rig) -> str:  # noqa: F811
    await rig.command("/workshop varmland-2015 Workshop i Karlstad", chat_title="Karlstad")
    created = next(m.text for m in rig.api.sent_messages(GROUP) if m.text and "Anslutningskod" in m.text)
    return created.split("Anslutningskod: ")[1].split()[0]


def _texts(rig: Rig, chat: int) -> list[str]:  # noqa: F811
    return [m.text for m in rig.api.sent_messages(chat) if m.text]


async def test_content_and_a_moderated_proposal_round_on_telegram(rig: Rig) -> None:  # noqa: F811
    code = await _workshop(rig)
    me = FACILITATOR
    await rig.command(f"/delta {code}", chat=me)
    await rig.command(
        "/innehall påstående ny Unga är med och formar dialogen. | Young people shape it.", chat=me
    )
    assert rig.api.last_text(me) == "Tillagd som påstående 8 (nyckel w1-s1): Unga är med och formar dialogen."
    await rig.command("/innehall påstående 2 Samverkan i länet är god nog!", chat=me)
    assert (rig.api.last_text(me) or "").startswith("Påstående 2 har nya ord (nyckeln ")
    await rig.command("/innehall påstående 8 flytta 1", chat=me)
    await rig.command("/innehall påstående ny Dold\u202etext", chat=me)
    assert "tecken som inte syns" in (rig.api.last_text(me) or "")

    # A proposal round on principles, opened in private, announced in the group.
    await rig.command("/forslag principer", chat=me)
    assert any(t.startswith("💡 Förslagsrunda: föreslå principer") for t in _texts(rig, GROUP))
    anna, olle, eva = 5001, 5002, 5003
    await rig.command(f"/start {code}", user=anna, chat=anna)
    await rig.process(rig.api.message_update(anna, anna, "Tillit mellan parterna"))
    assert (rig.api.last_text(anna) or "").startswith("Tack! Ditt förslag #1 är inskickat.")
    await rig.process(rig.api.message_update(anna, anna, "Tillit\u202e"))
    assert "tecken som inte syns" in (rig.api.last_text(anna) or "")
    await rig.process(rig.api.message_update(anna, anna, "🙂🙂🙂"))
    assert rig.api.last_text(anna) == "Förslaget behöver ord, inte bara emojier, siffror eller tecken."
    await rig.command("/foresla Barnets bästa", user=olle)
    assert "Tack! Ditt förslag #2 är inskickat." in (rig.api.last_text(GROUP) or "")
    await rig.command(f"/start {code}", user=eva, chat=eva)
    await rig.process(rig.api.message_update(eva, eva, "tillit mellan  parterna!"))
    assert "Samma förslag finns redan (#1)" in (rig.api.last_text(eva) or "")
    await rig.process(rig.api.message_update(eva, eva, "Ömsesidig tillit"))

    # The moderation view in the facilitator's private chat: numbers and texts, no names.
    await rig.command("/forslag", chat=me)
    [(card, data)] = rig.markups(me, "fm.")
    card_text = next(m.text for m in rig.api.sent_messages(me) if m.message_id == card)
    assert card_text.startswith("Förslag #1 (3 väntar):\n”Tillit mellan parterna”\nStöd: 2")
    assert "Liknar: #4 ”Ömsesidig tillit”" in card_text and "Test" not in card_text
    accept = data[0]
    # Someone who does not lead the workshop presses a genuine button: refused, nothing changes.
    intruder = rig.api.callback_update(olle, GROUP, card, accept)
    await rig.process(intruder)
    assert (
        rig.answers()[intruder["callback_query"]["id"]]
        == "Bara den som leder workshopen kan moderera förslagen."
    )
    workshop = await rig.app.service.workshop_by_code(code)
    chat = installed(rig.app.conversation)
    assert chat is not None
    assert all(
        p.status != ProposalStatus.ACCEPTED for p in (await chat.proposals.overview(workshop)).proposals
    )
    # The facilitator accepts #1: acknowledged, and the card now shows #2.
    press = rig.api.callback_update(me, me, card, accept)
    await rig.process(press)
    assert rig.answers()[press["callback_query"]["id"]] == "#1 godtagen."
    edited = next(m for m in rig.api.sent_messages(me) if m.message_id == card)
    assert edited.text is not None and edited.text.startswith("Förslag #2 (2 väntar):")
    # The same button pressed again (or delivered again) changes nothing.
    again = rig.api.callback_update(me, me, card, accept)
    await rig.process(again)
    assert rig.answers()[again["callback_query"]["id"]] == "#1 är redan godtagen."
    [(_, data)] = rig.markups(me, "fm.")
    await rig.process(rig.api.callback_update(me, me, card, data[0]))  # accept #2
    [(_, data)] = rig.markups(me, "fm.")
    merge_into_1 = next(d for d in data if d.split(".")[3] == "3")
    merged = rig.api.callback_update(me, me, card, merge_into_1)
    await rig.process(merged)
    assert rig.answers()[merged["callback_query"]["id"]] == "#4 är samma som #1."
    assert (next(m for m in rig.api.sent_messages(me) if m.message_id == card).text or "").startswith(
        "Inga förslag väntar"
    )
    forged = rig.api.callback_update(me, me, card, accept.replace("fm.1.1.", "fm.1.9."))
    await rig.process(forged)
    assert "ogiltig" in rig.answers()[forged["callback_query"]["id"]].lower()

    # The next prioritisation and barometer in the group hold the workshop's items.
    await rig.command("/forslag stang", chat=me)
    await rig.command("/rangordna")
    ranking = await rig.app.service.open_round_of(workshop.id)
    assert ranking is not None and ranking.kind == RoundKind.RANKING
    assert [i.text for i in ranking.items][-2:] == ["Tillit mellan parterna", "Barnets bästa"]
    await rig.command("/stang")
    await rig.command("/barometer")
    barometer = await rig.app.service.open_round_of(workshop.id)
    assert barometer is not None
    assert [i.text for i in barometer.items][:3] == [
        "Unga är med och formar dialogen.",
        "Min organisation har något att tillföra till Värmlands utveckling!",
        "Samverkan i länet är god nog!",
    ]
    await rig.command("/omgangar")
    rounds = rig.api.last_text(GROUP) or ""
    assert (
        "Ändrat i chatten för den här workshopen — tillagda: 1; godtagna förslag: 2; omformulerade: "
        in rounds
    )
