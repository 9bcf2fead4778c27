"""/vem, co-facilitators and deadline launches through the REAL python-telegram-bot Application
against the Bot API stand-in (see tests/test_telegram_flow.py for the rig)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facilitation.model import RoundStatus
from facilitation.people.coleaders import CoLeadInvitation, Scope
from storage.people_repository import SqlDeadlines
from tests.test_telegram_flow import FACILITATOR, GROUP, Rig, _workshop
from tests.test_telegram_flow import rig as rig  # the real python-telegram-bot app on the stand-in

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

HELPER = 7007
STRANGER = 8008


async def test_whoami_answers_privately_in_a_group_and_directly_in_private(rig: Rig) -> None:
    await _workshop(rig)
    before = len(rig.api.sent_messages(GROUP))
    await rig.command("/vem", user=HELPER)
    group_texts = [m.text or "" for m in rig.api.sent_messages(GROUP)[before:]]
    # The id is personal: the group learns only that the answer went privately.
    assert group_texts == ["Jag har skickat svaret till dig privat, eftersom ditt id är en personuppgift."]
    assert all(str(HELPER) not in text for text in group_texts)
    private = rig.api.last_text(HELPER) or ""
    assert f"Ditt id på Telegram: {HELPER}" in private
    assert "inte med i Workshop i Karlstad än" in private
    # The configured facilitator, in a private chat: answered there.
    await rig.command("/whoami", user=FACILITATOR, chat=FACILITATOR)
    own = rig.api.last_text(FACILITATOR) or ""
    assert f"Ditt id på Telegram: {FACILITATOR}" in own and "administratör" in own


async def test_whoami_for_someone_who_never_started_a_private_chat_shows_no_id(rig: Rig) -> None:
    await _workshop(rig)
    rig.api.never_started(HELPER)  # Telegram refuses a bot's first message to a person (403)
    await rig.command("/vem", user=HELPER)
    last = rig.api.last_text(GROUP) or ""
    assert "Starta en privat chatt med mig" in last and "tryck på Start" in last and str(HELPER) not in last
    rig.api.block_bot(STRANGER)  # the same answer to someone who blocked the bot
    await rig.command("/vem", user=STRANGER)
    last = rig.api.last_text(GROUP) or ""
    assert "Starta en privat chatt med mig" in last and str(STRANGER) not in last


async def _invitation(rig: Rig, *args: str) -> str:
    """The code the facilitator gets (privately) from ``/processledare bjud``."""
    await rig.command(" ".join(["/processledare", "bjud", *args]))
    text = rig.api.last_text(FACILITATOR) or ""
    assert "kan användas en gång" in text, text
    code = text.split("/medledare ", 1)[1].split()[0]
    assert f"start=l-{code}" in text  # the deep link opens the private chat with /start l-CODE
    return code


async def test_a_co_facilitator_is_invited_leads_gets_the_menu_and_is_removed(rig: Rig) -> None:
    await _workshop(rig)
    await rig.command("/status", user=HELPER)
    assert "bara för processledare" in (rig.api.last_text(GROUP) or "")
    code = await _invitation(rig)
    # The invitation went to the facilitator alone, not into the group.
    assert not any(code in (m.text or "") for m in rig.api.sent_messages(GROUP))
    await rig.command(f"/start l-{code}", user=HELPER, chat=HELPER, first_name="Helga")
    assert "Du leder nu workshopen Workshop i Karlstad" in (rig.api.last_text(HELPER) or "")
    # Single use: a replay by someone else is refused and changes nothing.
    await rig.command(f"/medledare {code}", user=STRANGER, chat=STRANGER)
    assert "redan använts" in (rig.api.last_text(STRANGER) or "")
    # A forged (altered) code is refused as invalid.
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    await rig.command(f"/medledare {forged}", user=STRANGER, chat=STRANGER)
    assert "inte giltig" in (rig.api.last_text(STRANGER) or "")
    # The co-facilitator leads the workshop's commands in its room, and gets the facilitator menu there.
    await rig.command("/status", user=HELPER)
    assert "bara för processledare" not in (rig.api.last_text(GROUP) or "")
    menu = rig.api.shown_menu(GROUP, HELPER)
    assert "stang" in menu and "processledare" in menu
    assert "stang" not in rig.api.shown_menu(GROUP, STRANGER)
    # ... but not the process-wide commands of the administrators.
    await rig.command("/signatarer", user=HELPER)
    assert "bara för processledare" in (rig.api.last_text(GROUP) or "")
    await rig.command("/processledare")
    listing = rig.api.last_text(GROUP) or ""
    assert "Helga" in listing and "– workshopen" in listing
    number = listing.split("#", 1)[1].split()[0]
    # A co-facilitator may not remove; the administrator may.
    await rig.command(f"/processledare bort {number}", user=HELPER)
    assert "Bara administratörerna" in (rig.api.last_text(GROUP) or "")
    await rig.command(f"/processledare bort {number}")
    assert "är inte längre medprocessledare" in (rig.api.last_text(GROUP) or "")
    assert "stang" not in rig.api.shown_menu(GROUP, HELPER)  # the menu went with the role
    await rig.command("/status", user=HELPER)
    assert "bara för processledare" in (rig.api.last_text(GROUP) or "")


async def test_an_expired_invitation_and_a_process_invitation(rig: Rig) -> None:
    code_text, _, _ = await _workshop(rig)
    workshop = await rig.app.service.workshop_by_code(code_text)
    old = CoLeadInvitation.new(Scope.WORKSHOP, workshop.id, rig.app.service.clock() - timedelta(days=8))
    expired = old.code(rig.app.pseudonymizer, workshop.process_key)
    await rig.command(f"/medledare {expired}", user=HELPER, chat=HELPER)
    assert "har gått ut" in (rig.api.last_text(HELPER) or "")
    # A co-facilitator of one workshop may not invite for the whole process.
    code = await _invitation(rig)
    await rig.command(f"/medledare {code}", user=HELPER, chat=HELPER)
    await rig.command("/processledare bjud process", user=HELPER)
    assert "hela processen" in (rig.api.last_text(GROUP) or "")
    # The administrator may; the invited one then leads every workshop of the process.
    code = await _invitation(rig, "process")
    await rig.command(f"/medledare {code}", user=STRANGER, chat=STRANGER)
    assert "hela processen varmland-2015" in (rig.api.last_text(STRANGER) or "")
    await rig.command("/vem", user=STRANGER, chat=STRANGER)
    assert "medprocessledare för Workshop i Karlstad" in (rig.api.last_text(STRANGER) or "")


async def test_a_round_launched_with_a_deadline_and_bad_deadlines(rig: Rig) -> None:
    await rig.command("/workshop varmland-2015 Workshop i Karlstad", chat_title="Karlstad")
    for bad, says in [
        ("slut=25:00", "det klockslaget finns inte"),
        ("slut=igår", "Jag förstår inte slut=igår"),
        ("slut=2020-01-01T10:00", "har redan passerat"),
        ("slut=2026-02-30T10:00", "det datumet finns inte"),
    ]:
        await rig.command(f"/barometer 1,2 {bad}")
        assert says in (rig.api.last_text(GROUP) or ""), bad
    [workshop_id] = await rig.app.store.workshop_ids()
    assert await rig.app.service.open_round_of(workshop_id) is None  # nothing was started
    await rig.command("/barometer 1,2 slut=2h")
    round_ = await rig.app.service.open_round_of(workshop_id)
    assert round_ is not None and round_.status == RoundStatus.OPEN
    assert f"Omgång {round_.id} stängs automatiskt" in (rig.api.last_text(GROUP) or "")
    deadline = await SqlDeadlines(rig.app.engine).deadline(round_.id)
    assert deadline is not None
    assert timedelta(minutes=119) < deadline - rig.app.service.clock() <= timedelta(hours=2)
