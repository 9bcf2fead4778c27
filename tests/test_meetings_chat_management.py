"""Facilitators manage signatories and invite contact persons in the chat; a contact person
registers with a signed invitation in a private chat; a channel's reminders are stopped only by
a facilitator or an admin of the channel."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from config.meetings_files import load_meetings_configs
from facilitation.meetings import due_time
from facilitation.meetings.chat import TEXTS, install
from facilitation.meetings.directory import import_meetings
from facilitation.meetings.invitation import base36
from facilitation.meetings.store import CHAT
from facilitation.meetings.tz import STOCKHOLM
from facilitation.ports import (
    Attachment,
    ButtonEvent,
    ChatRef,
    CommandEvent,
    MessageRef,
    PortDefaults,
    UserRef,
)
from storage.meetings_repository import SqlMeetingStore
from tests.harness import LocalHarness
from tests.test_reminders_dispatch import Clock

PROCESS = "varmland-2015"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@dataclass
class Setup:
    harness: LocalHarness
    store: SqlMeetingStore
    clock: Clock

    async def run(self, *lines: str) -> str:
        return "\n".join(await self.harness.run(*lines))


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Setup]:
    harness = await LocalHarness.start(tmp_path, facilitators={"local": ["facilitator"], "telegram": ["42"]})
    store = SqlMeetingStore(harness.app.engine)
    clock = Clock(NOW)
    install(harness.app.conversation, store, clock=clock)
    try:
        yield Setup(harness, store, clock)
    finally:
        await harness.close()


async def invitation(setup: Setup, signatory: str = "forum") -> str:
    out = await setup.run(":privat", f"/kontaktinbjudan {PROCESS} {signatory}", ":rum")
    found = re.search(r"/kontakt (\S+)", out)
    assert found, out
    return found.group(1)


def test_every_text_is_in_swedish_and_english() -> None:
    assert set(TEXTS["sv"]) == set(TEXTS["en"])


async def test_facilitator_adds_and_lists_signatories(chat: Setup) -> None:
    out = await chat.run(f"/signatar {PROCESS} forum Värmlands idéburna forum")
    assert f"Undertecknaren Värmlands idéburna forum (forum) är tillagd i {PROCESS}" in out
    (added,) = await chat.store.signatories(PROCESS)
    assert (added.key, added.name, added.source, added.active) == (
        "forum",
        "Värmlands idéburna forum",
        CHAT,
        True,
    )
    out = await chat.run(f"/signatarer {PROCESS}")
    assert f"Undertecknare i {PROCESS}:\n• Värmlands idéburna forum (forum): 0 aktiva kontaktpersoner" in out

    refusals = {
        f"/signatar {PROCESS} forum Ett annat forum": "Det finns redan en undertecknare med nyckeln ”forum”",
        "/signatar narnia forum Forum": "Processen ”narnia” finns inte.",
        f"/signatar {PROCESS} Forum! Forum": "Nyckeln ”Forum!” går inte",
        f"/signatar {PROCESS} {'x' * 65} Forum": "högst 64 tecken",
        f"/signatar {PROCESS} forum2 {'N' * 201}": "Namnet är för långt: högst 200 tecken.",
        f"/signatar {PROCESS} forum": "Så här används kommandot: /signatar PROCESS NYCKEL Namn",
        f"@anna /signatar {PROCESS} anna Annas förening": "bara för processledare",
        "/signatarer narnia": "Processen ”narnia” finns inte.",
    }
    for line, refusal in refusals.items():
        assert refusal in await chat.run(line), line
    assert [s.key for s in await chat.store.signatories()] == ["forum"]

    out = await chat.run("/language en", "/signatories")
    assert f"Signatories of {PROCESS}:\n• Värmlands idéburna forum (forum): 0 active contact persons" in out


async def test_contact_person_registers_with_the_invitation(chat: Setup) -> None:
    await chat.run(f"/signatar {PROCESS} forum Värmlands idéburna forum")
    assert "i ett privat samtal med mig" in await chat.run(
        f"/kontaktinbjudan {PROCESS} forum"
    )  # not in the room
    code = await invitation(chat)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", code) and len("k-" + code) <= 64

    out = await chat.run(f"@erik /kontakt {code}")  # in the room: refused, nothing stored
    assert "Skriv /kontakt KOD till mig i ett privat samtal" in out
    assert await chat.store.contacts() == []

    out = await chat.run(":privat", f"@erik /kontakt {code}")
    assert "Tack! Du är nu kontaktperson för Värmlands idéburna forum" in out
    (erik,) = await chat.store.contacts()
    assert (
        erik.contact.platform,
        erik.contact.address,
        erik.contact.name,
        erik.contact.language.value,
        erik.source,
        erik.signatory_key,
    ) == ("local", "erik", "erik", "sv", CHAT, "forum")
    assert erik.contact.key.startswith("forum.local-") and "erik" not in erik.contact.key

    out = await chat.run(f"@erik /kontakt {code}")  # twice: the same entry
    assert "Du är redan kontaktperson för Värmlands idéburna forum." in out
    assert [c.id for c in await chat.store.contacts()] == [erik.id]

    out = await chat.run(f"@fia /start k-{code}")  # what a Telegram deep link sends
    assert "Du är nu kontaktperson" in out
    out = await chat.run("@gus /language en", f"@gus /contact {code}")
    assert "Thank you! You are now a contact person of Värmlands idéburna forum" in out
    gus = next(c for c in await chat.store.contacts() if c.contact.address == "gus")
    assert gus.contact.language.value == "en"
    assert "forum): 3 aktiva kontaktpersoner" in await chat.run(":rum", f"/signatarer {PROCESS}")


async def test_forged_tampered_and_expired_codes_change_nothing(chat: Setup) -> None:
    await chat.run(
        f"/signatar {PROCESS} forum Värmlands idéburna forum", f"/signatar {PROCESS} kommun Kommunen"
    )
    code = await invitation(chat)
    signatory, expiry, signature = code.split("_", 2)
    other = (await chat.store.signatory(PROCESS, "kommun")).id  # type: ignore[union-attr]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged = [
        "hittepa",
        f"{signatory}_{expiry}_{'A' * 16}",
        f"{signatory}_{base36(int(expiry, 36) + 60 * 24 * 365)}_{signature}",  # a longer validity
        f"{base36(other)}_{expiry}_{signature}",  # another signatory
        f"{signatory}_{expiry}_{flipped}",
        f"{signatory}_{expiry}_{signature}x",
    ]
    await chat.run(":privat")
    for bad in forged:
        out = await chat.run(f"@eve /kontakt {bad}")
        assert "Koden är inte giltig. Be den som bjöd in dig om en ny inbjudan." in out, bad
    chat.clock.now = NOW + timedelta(days=14, minutes=1)
    assert "Inbjudan har gått ut." in await chat.run(f"@eve /kontakt {code}")
    assert await chat.store.contacts(active_only=False) == []
    chat.clock.now = NOW + timedelta(days=13)
    assert "Du är nu kontaktperson" in await chat.run(f"@eve /kontakt {code}")  # the genuine code, in time


@dataclass
class TelegramLikePort(PortDefaults):
    """A port on the "telegram" platform with a deep link, like bot/telegram/port.py's."""

    platform: str = "telegram"
    sent: list[tuple[ChatRef, str]] = field(default_factory=list)

    async def send_text(self, chat: ChatRef, text: str, buttons=None) -> MessageRef:  # type: ignore[no-untyped-def]
        self.sent.append((chat, text))
        return MessageRef(chat, str(len(self.sent)))

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        return await self.send_text(chat, attachment.filename)

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        self.sent.append((event.chat, text or ""))

    def join_link(self, code: str) -> str:
        return f"https://t.me/dialogbot_test?start={code}"

    def edit_interval(self, chat: ChatRef) -> float:
        return 1.0


async def test_telegram_deep_link_registers_the_private_chat(chat: Setup) -> None:
    await chat.run(f"/signatar {PROCESS} forum Värmlands idéburna forum")
    port = TelegramLikePort()
    conversation = chat.harness.app.conversation
    conversation.add_port(port)
    facilitator = UserRef("telegram", "42", "Fia")
    await conversation.handle(
        CommandEvent(
            facilitator, ChatRef("telegram", "42", is_private=True), "contact_invite", (PROCESS, "forum")
        )
    )
    link = re.search(r"https://t\.me/dialogbot_test\?start=(\S+)", port.sent[-1][1])
    assert link, port.sent[-1][1]
    parameter = link.group(1)
    assert parameter.startswith("k-") and len(parameter) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", parameter)

    eva = UserRef("telegram", "555000111", "Eva Ek")
    group = ChatRef("telegram", "-100987", is_private=False)
    await conversation.handle(CommandEvent(eva, group, "kontakt", (parameter,)))
    assert "privat samtal" in port.sent[-1][1] and await chat.store.contacts() == []
    await conversation.handle(
        CommandEvent(eva, ChatRef("telegram", "555000111", is_private=True), "start", (parameter,))
    )
    assert "Du är nu kontaktperson för Värmlands idéburna forum" in port.sent[-1][1]
    (contact,) = await chat.store.contacts()
    assert (contact.contact.platform, contact.contact.address, contact.contact.name) == (
        "telegram",
        "555000111",
        "Eva Ek",
    )
    assert "555000111" not in contact.contact.key


CHANNEL_CONFIG = f'''
[process]
key = "{PROCESS}"

[[signatories]]
key = "forum"
name = "Värmlands idéburna forum"

[[signatories.contacts]]
key = "forum-kanal"
name = "Forumets kanal"
local = "rum"

[[signatories.contacts]]
key = "forum-anna"
name = "Anna Andersson"
local = "anna"

[[meetings]]
key = "dialogmote"
title = "Årligt dialogmöte"
start = "2027-03-09T10:00"
'''


async def test_channel_reminders_are_stopped_only_by_an_admin_or_facilitator(
    chat: Setup, tmp_path: Path
) -> None:
    file = tmp_path / "kanal.toml"
    file.write_text(CHANNEL_CONFIG, encoding="utf-8")
    pseudonymizer = chat.harness.app.pseudonymizer
    await import_meetings(chat.store, load_meetings_configs([file], pseudonymizer), pseudonymizer)
    chat.clock.now = due_time(datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM), timedelta(days=30)).astimezone(UTC)
    dispatcher = Dispatcher.from_app(chat.harness.app, clock=chat.clock)
    assert (await dispatcher.tick()).sent == 2

    async def opted_out() -> dict[str, bool]:
        return {c.contact.key: c.contact.opted_out for c in await chat.store.contacts()}

    # any member may answer the channel's reminder ...
    reminder = max(m.id for m in chat.harness.port.messages.values() if m.chat.chat_id == "rum" and m.buttons)
    data = chat.harness.port.buttons_of(reminder)[0].data
    conversation = chat.harness.app.conversation
    room = ChatRef("local", "rum")
    await conversation.handle(
        ButtonEvent(UserRef("local", "zelda", "zelda"), room, data, MessageRef(room, str(reminder)))
    )
    assert chat.harness.last_ack().startswith("Tack! Ditt svar för organisationen: Kommer")
    # ... but not stop or delete what the whole channel gets
    for command in ("/stoppa", "/glom_kontakt"):
        out = await chat.run(f"@zelda {command}")
        assert "kan bara stoppas av en administratör för kanalen eller en processledare" in out
    assert await opted_out() == {"forum-anna": False, "forum-kanal": False}
    # Anna stops her own reminders in the room; the channel's stay on
    assert "inga fler påminnelser" in await chat.run("@anna /stoppa")
    assert await opted_out() == {"forum-anna": True, "forum-kanal": False}
    # an admin of the chat may, and so may a facilitator
    await conversation.handle(
        CommandEvent(UserRef("local", "yngve", "yngve", is_chat_admin=True), room, "stoppa")
    )
    assert await opted_out() == {"forum-anna": True, "forum-kanal": True}
    assert "påminnelser om dialogmöten igen" in await chat.run("/paminnelser")
    assert await opted_out() == {"forum-anna": True, "forum-kanal": False}
