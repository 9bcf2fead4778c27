"""In the chat (local mode through the real conversation): a batch of invitations for a
facilitator, one contact for a person who is both a file contact and registered by invitation
(one reminder each time), and the substitute's note refused where it does not belong."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time, parse_meetings
from facilitation.meetings.chat import install
from facilitation.meetings.directory import import_meetings
from tests.test_meetings_chat_management import PROCESS, Setup, chat  # noqa: F401  (the fixture)


def _config(*contacts: dict[str, str]):  # type: ignore[no-untyped-def]
    return parse_meetings(
        {
            "signatories": [
                {"key": "region", "name": "Region Värmland", "contacts": list(contacts)},
                {"key": "kommun", "name": "Karlstads kommun"},
            ],
            "meetings": [
                {
                    "key": "dialogmote",
                    "title": "Årligt dialogmöte",
                    "start": "2027-03-09T10:00",
                    "reminder_offsets": ["30d", "7d"],
                }
            ],
        },
        "merge.toml",
        PROCESS,
    )


async def test_a_batch_of_invitations_in_chat(chat: Setup) -> None:  # noqa: F811
    await chat.store.import_config(_config({"key": "region-anna", "name": "Anna", "local": "anna"}))
    await chat.run(f"/signatar {PROCESS} forum Värmlands idéburna forum")
    assert "i ett privat samtal" in await chat.run(f"/kontaktinbjudan {PROCESS} kommun forum")
    out = await chat.run(":privat", f"/kontaktinbjudan {PROCESS} kommun forum kommun", ":rum")
    codes = dict(re.findall(r"• (.+?): /kontakt (\S+)", out))
    assert set(codes) == {"Karlstads kommun", "Värmlands idéburna forum"}  # each once
    assert "Skicka varje rad bara till kontaktpersonen" in out
    out = await chat.run(":privat", f"@erik /kontakt {codes['Värmlands idéburna forum']}")
    assert "Du är nu kontaktperson för Värmlands idéburna forum" in out
    # "alla": the active signatories that have no active contact yet (region has anna, forum erik)
    out = await chat.run(":privat", f"/kontaktinbjudan {PROCESS} alla", ":rum")
    assert re.findall(r"• (.+?): /kontakt", out) == ["Karlstads kommun"]
    # an unknown signatory refuses the whole batch
    out = await chat.run(":privat", f"/kontaktinbjudan {PROCESS} kommun finnsinte", ":rum")
    assert "Undertecknaren ”finnsinte” finns inte" in out and "/kontakt " not in out


async def test_a_file_contact_registered_by_invitation_too_gets_one_reminder(chat: Setup) -> None:  # noqa: F811
    harness, store = chat.harness, chat.store
    pseudonymizer = harness.app.pseudonymizer
    await import_meetings(
        store, [_config({"key": "region-anna", "name": "Anna", "local": "anna"})], pseudonymizer
    )
    out = await chat.run(":privat", f"/kontaktinbjudan {PROCESS} region", ":rum")
    code = re.search(r"/kontakt (\S+)", out)
    assert code
    assert "Du är nu kontaktperson" in await chat.run(":privat", f"@erik /kontakt {code.group(1)}")
    meeting = _config().meetings[0]
    dispatcher = Dispatcher.from_app(harness.app, clock=chat.clock, ics="none")
    install(harness.app.conversation, store, clock=chat.clock)
    assert (await dispatcher.tick()).sent == 1  # the welcome erik's registration planned (the next meeting)
    welcomed = max(m.id for m in harness.port.messages.values())
    chat.clock.set(due_time(meeting.start, timedelta(days=30)))
    assert (await dispatcher.tick()).sent == 2  # anna and erik

    def reminders_to(who: str) -> list[int]:
        return [
            m.id
            for m in harness.port.messages.values()
            if m.chat.chat_id == who and m.buttons and m.id > welcomed
        ]

    assert len(reminders_to("erik")) == 1
    # the administrator adds erik to the file under an explicit key: still one erik
    erik = {"key": "region-erik", "name": "Erik Ek", "local": "erik"}
    await import_meetings(
        store, [_config({"key": "region-anna", "name": "Anna", "local": "anna"}, erik)], pseudonymizer
    )
    eriks = [c for c in await store.contacts(active_only=False) if c.contact.address == "erik"]
    assert [(c.contact.key, c.source) for c in eriks] == [("region-erik", "file")]
    assert (await dispatcher.tick()).sent == 0  # the 30-day reminder is not sent again
    chat.clock.set(due_time(meeting.start, timedelta(days=7)))
    assert (await dispatcher.tick()).sent == 2
    assert len(reminders_to("erik")) == 2
    # erik's earlier reminder still answers for the organisation
    await harness.run(f"@erik {min(reminders_to('erik'))}.1")
    assert harness.last_ack().startswith("Tack! Ditt svar för organisationen: Kommer")


async def test_the_substitute_note_needs_a_substitute_answer(chat: Setup) -> None:  # noqa: F811
    harness, store = chat.harness, chat.store
    await import_meetings(
        store, [_config({"key": "region-anna", "name": "Anna", "local": "anna"})], harness.app.pseudonymizer
    )
    chat.clock.set(due_time(_config().meetings[0].start, timedelta(days=7)))
    dispatcher = Dispatcher.from_app(harness.app, clock=chat.clock, ics="none")
    assert (await dispatcher.tick()).sent == 1
    reminder = max(m.id for m in harness.port.messages.values() if m.chat.chat_id == "anna" and m.buttons)
    assert "Så här används kommandot: /ersattare" in await chat.run(":privat", "@anna /ersattare")
    assert "Det finns inget svar ”Skickar ersättare”" in await chat.run("@anna /ersattare vice ordförande")
    before = len(harness.port.messages)
    await harness.run(f"@anna {reminder}.2")  # Kommer inte: no question about persons
    assert harness.last_ack().startswith("Tack! Ditt svar för organisationen: Kommer inte")
    assert len(harness.port.messages) == before
    assert "Det finns inget svar ”Skickar ersättare”" in await chat.run("@anna /ersattare vice ordförande")
    await harness.run(f"@anna {reminder}.4")  # Skickar ersättare: how many, and how to add a note
    follow_up = max(harness.port.messages)
    assert "Skriv /ersattare" in harness.port.messages[follow_up].text
    assert "högst 200 tecken" in await chat.run("@anna /ersattare " + "x" * 201)
    out = await chat.run("@anna /ersattare ordförandens ersättare")
    assert "Anteckningen (utan namn) är sparad för Region Värmland: ordförandens ersättare" in out
    await harness.run(f"@anna {follow_up}.2")  # two persons: the note stays
    [meeting] = await store.meetings()
    found = await store.organisation_answer(meeting.id, meeting.meeting.start, "region")
    assert found is not None and (found.answer.persons, found.answer.note) == (2, "ordförandens ersättare")
    # a later "Kommer" replaces the organisation's answer, note and all
    await harness.run(f"@anna {reminder}.1")
    found = await store.organisation_answer(meeting.id, meeting.meeting.start, "region")
    assert found is not None and (found.answer.answer.value, found.answer.note) == ("yes", None)
