"""A person who never pressed Start in a private chat with the bot, through the REAL
python-telegram-bot against the Bot API stand-in: Telegram answers the bot's private messages to
them with 403 "Forbidden: bot can't initiate conversation with a user" until they do.

A reminder to such a contact is tried once and the organiser told once (in the bot's language); a
group command whose answer goes privately asks them, in the group, to open the chat and press
Start; after their /start they are reached again."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time
from facilitation.model import Language
from storage.meetings_repository import SqlMeetingStore
from tests.reminder_platforms import telegram
from tests.standins.telegram_api import TelegramStandIn
from tests.test_reminders_dispatch import Clock
from tests.test_reminders_gone import CONTACTS, MEETING, ORGANISER, imported
from tests.test_telegram_flow import FACILITATOR, GROUP, Rig, _workshop
from tests.test_telegram_flow import rig as rig  # the real python-telegram-bot app on the stand-in

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

ANNA = CONTACTS["anna"]
PRIVATE_SENDS = ("sendMessage", "sendDocument", "sendPhoto")


def _tried(api: TelegramStandIn, chat_id: int) -> list[int]:
    """The status of every send the bot made to ``chat_id``."""
    return [
        c.status
        for method in PRIVATE_SENDS
        for c in api.calls_to(method)
        if c.params.get("chat_id") == chat_id
    ]


@pytest.mark.parametrize(
    ("language", "told"),
    [
        (
            Language.SV,
            "Anna (Region Värmland) på Telegram: personen har inte startat en privat chatt med boten "
            "(hen behöver öppna chatten med boten och trycka på Start)",
        ),
        (
            Language.EN,
            "Anna (Region Värmland) on Telegram: the person has not started a private chat with the bot "
            "(they need to open the chat with the bot and press Start)",
        ),
    ],
)
async def test_a_reminder_to_a_contact_who_never_started_is_tried_once_and_the_organiser_told_once(
    meetings_sqlite: SqlMeetingStore, language: Language, told: str
) -> None:
    await imported(meetings_sqlite)
    clock = Clock(due_time(MEETING, timedelta(days=7)).astimezone(UTC))
    async with telegram() as platform:
        platform.api.never_started(ANNA)
        dispatcher = Dispatcher(
            meetings_sqlite,
            {"telegram": platform.port},
            None,
            clock=clock,
            organisers={"telegram": [str(ORGANISER)]},
            language=language,
        )
        result = await dispatcher.tick()
        assert (result.sent, result.failed) == (4, 1)
        # One call (the calendar file, the first part): refused, so the text is not tried after it.
        assert _tried(platform.api, ANNA) == [403]
        [organiser] = [m.text or "" for m in platform.api.sent_messages(ORGANISER)]
        assert "Årligt dialogmöte" in organiser and told in organiser, organiser
        assert len(await meetings_sqlite.deliveries("failed")) == 1
        # Not retried on the next ticks.
        for hours in (1, 2, 6):
            clock.set(due_time(MEETING, timedelta(days=7)).astimezone(UTC) + timedelta(hours=hours))
            assert (await dispatcher.tick()).failed == 0
        assert _tried(platform.api, ANNA) == [403]
        # The next reminder is tried once more, and the organiser is not told again.
        clock.set(due_time(MEETING, timedelta(days=1)))
        result = await dispatcher.tick()
        assert (result.sent, result.failed) == (4, 1)
        assert _tried(platform.api, ANNA) == [403, 403]
        assert len(platform.api.sent_messages(ORGANISER)) == 1
        unreachable = await meetings_sqlite.unreachable()
        assert [(u.contact.contact.key, u.reason) for u in unreachable] == [("anna", "not_started")]


async def test_an_invitation_asked_for_in_a_group_by_someone_who_never_started_asks_them_to_press_start(
    rig: Rig,
) -> None:
    await _workshop(rig)
    rig.api.never_started(FACILITATOR)
    before = len(rig.api.sent_messages(GROUP))
    await rig.command("/processledare bjud")
    [answer] = [m.text or "" for m in rig.api.sent_messages(GROUP)[before:]]
    assert answer == (
        "Jag kan inte skicka inbjudan till dig privat: du har inte startat en privat chatt med mig (eller "
        "har stoppat mig). Öppna en privat chatt med mig och tryck på Start, och skicka sedan kommandot "
        "här igen. Ingen inbjudan skickades."
    )
    assert rig.api.sent_messages(FACILITATOR) == []
    # In English for a facilitator who reads English.
    await rig.command("/sprak en")
    before = len(rig.api.sent_messages(GROUP))
    await rig.command("/processledare bjud process")
    [answer] = [m.text or "" for m in rig.api.sent_messages(GROUP)[before:]]
    assert answer.startswith("I cannot send you the invitation privately") and "press Start" in answer, answer
    # /vem, too, says how: open the chat and press Start.
    await rig.command("/vem")
    assert "tryck på Start" in (rig.api.last_text(GROUP) or "") or "press Start" in (
        rig.api.last_text(GROUP) or ""
    )


async def test_after_start_the_person_is_reached_again(rig: Rig, meetings_sqlite: SqlMeetingStore) -> None:
    """The invitation goes privately once the facilitator pressed Start; a contact who pressed Start
    gets the next reminder and is no longer named as unreachable."""
    await _workshop(rig)
    rig.api.never_started(FACILITATOR)
    await rig.command("/processledare bjud")
    assert "tryck på Start" in (rig.api.last_text(GROUP) or "")
    await rig.command("/start", user=FACILITATOR, chat=FACILITATOR)  # the Start button sends /start
    before = len(rig.api.sent_messages(GROUP))
    await rig.command("/processledare bjud")
    invitation = rig.api.last_text(FACILITATOR) or ""
    assert "kan användas en gång" in invitation, invitation
    code = invitation.split("/medledare ", 1)[1].split()[0]
    assert [m.text for m in rig.api.sent_messages(GROUP)[before:]] == [
        "Jag har skickat inbjudan till dig privat."
    ]
    assert code not in " ".join(m.text or "" for m in rig.api.sent_messages(GROUP))

    # A contact person: the first reminder fails, they press Start, the next one reaches them.
    await imported(meetings_sqlite)
    clock = Clock(due_time(MEETING, timedelta(days=7)).astimezone(UTC))
    rig.api.never_started(ANNA)
    dispatcher = Dispatcher(
        meetings_sqlite,
        {"telegram": rig.adapter.port},
        None,
        clock=clock,
        organisers={"telegram": [str(FACILITATOR)]},
        ics="none",
    )
    assert (await dispatcher.tick()).failed == 1
    told = [m.text or "" for m in rig.api.sent_messages(FACILITATOR) if "Påminnelsen om" in (m.text or "")]
    assert len(told) == 1 and "har inte startat en privat chatt" in told[0]
    await rig.command("/start", user=ANNA, chat=ANNA, first_name="Anna")
    assert rig.api.last_text(ANNA), "the bot could not answer Anna's /start"
    clock.set(due_time(MEETING, timedelta(days=1)))
    result = await dispatcher.tick()
    assert (result.sent, result.failed) == (5, 0)
    assert any("Påminnelse: Årligt dialogmöte" in (m.text or "") for m in rig.api.sent_messages(ANNA))
    assert len([m for m in rig.api.sent_messages(FACILITATOR) if "Påminnelsen om" in (m.text or "")]) == 1
    assert await meetings_sqlite.unreachable() == []
