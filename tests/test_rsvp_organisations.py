"""RSVP per organisation through the real Telegram client against the Bot API stand-in, on SQLite
and PostgreSQL: a reminder carries four answers, a follow-up asks how many persons, a substitute
gets a name-free note, ``/osa`` lists every signatory (and those without a contact), and forged
or replayed presses change nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time, parse_meetings
from facilitation.meetings.attendance import MAX_PERSONS
from facilitation.meetings.chat import install
from facilitation.meetings.model import Rsvp, RsvpAnswer
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _answered, _markups, _until
from tests.test_telegram_redelivery import BACKENDS, FACILITATOR, _database, _process

T = TypeVar("T")
ANNA, BO = 4101, 4102  # contacts of Region Värmland (a file contact) and Karlstads kommun

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


def _config() -> Any:
    return parse_meetings(
        {
            "signatories": [
                {
                    "key": "region",
                    "name": "Region Värmland",
                    "contacts": [{"key": "region-anna", "name": "Anna Andersson", "telegram": ANNA}],
                },
                {
                    "key": "kommun",
                    "name": "Karlstads kommun",
                    "contacts": [{"key": "kommun-bo", "name": "Bo Berg", "telegram": BO}],
                },
                {"key": "forening", "name": "Föreningen Utan Kontakt"},
            ],
            "meetings": [
                {
                    "key": "dialogmote",
                    "title": "Årligt dialogmöte",
                    "start": "2027-03-09T10:00",
                    "reminder_offsets": ["7d"],
                }
            ],
        },
        "osa.toml",
        "varmland-2015",
    )


def _first(found: Iterator[T]) -> T:
    """The first item, or LookupError (which ``wait_for`` waits on; a StopIteration would end it)."""
    for item in found:
        return item
    raise LookupError("not yet")


async def _press(api: TelegramStandIn, user: int, message_id: int, data: str) -> tuple[dict[str, Any], str]:
    update = api.callback_update(user, user, message_id, data, chat_type="private", push=True)
    [answer] = await _until(api, lambda: _answered(api, update))
    return update, answer


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_organisation_answers_counts_and_notes_and_replays_change_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (None, "bot", "bot.telegram.runner", "facilitation", "storage"):  # whatever earlier tests set
        caplog.set_level(logging.INFO, logger=name)
    config = _config()
    now = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
    async with TelegramStandIn(token="123456:TEST-redelivery-token") as api:
        async with _process(api, tmp_path, _database(backend, tmp_path, request)) as app:
            dispatcher = Dispatcher.from_app(app, clock=lambda: now, ics="none")
            await dispatcher.store.import_config(config)
            install(app.conversation, dispatcher.store, clock=lambda: now)
            assert (await dispatcher.tick()).sent == 2

            [(reminder, buttons)] = _markups(api, ANNA, "rv.")
            labels = [
                b["text"] for row in api.sent_messages(ANNA)[-1].reply_markup["inline_keyboard"] for b in row
            ]
            assert labels == ["Kommer", "Kommer inte", "Kanske", "Skickar ersättare"]
            assert all(len(data.encode()) <= 64 for data in buttons)

            # "Kommer inte" first, then "Skickar ersättare" and a count of 3
            not_coming, answer = await _press(api, ANNA, reminder, buttons[1])
            assert answer.startswith("Tack! Ditt svar för organisationen: Kommer inte")
            _, answer = await _press(api, ANNA, reminder, buttons[3])
            assert "Skickar ersättare" in answer
            [(follow_up, counts)] = await _until(api, lambda: _markups(api, ANNA, "rvn."))
            assert len(counts) == MAX_PERSONS
            assert "Skriv /ersattare" in (api.sent_messages(ANNA)[-1].text or "")
            _, answer = await _press(api, ANNA, follow_up, counts[2])
            assert answer == "Tack! Skickar ersättare, 3 pers. för Region Värmland."

            # a name-free note, refused when it hides characters, kept when clean
            api.message_update(ANNA, ANNA, "/ersattare vice\u200bordförande", chat_type="private", push=True)
            await _until(api, lambda: "osynliga tecken" in (api.last_text(ANNA) or ""))
            api.message_update(ANNA, ANNA, "/ersattare vice ordförande", chat_type="private", push=True)
            await _until(api, lambda: "Anteckningen (utan namn) är sparad" in (api.last_text(ANNA) or ""))

            store = dispatcher.store
            [meeting] = await store.meetings()
            occurrence = meeting.meeting.start
            expected = RsvpAnswer(Rsvp.SKICKAR_ERSATTARE, 3, "vice ordförande")
            found = await store.organisation_answer(meeting.id, occurrence, "region")
            assert found is not None and found.answer == expected

            # Telegram delivers the old "Kommer inte" press again: handled once, nothing changes
            api.redeliver(not_coming)
            # a forged press (a count of 9 with the signature of another button) is refused
            forged = counts[2].replace(".3~", ".9~")
            _, answer = await _press(api, ANNA, follow_up, forged)
            assert "knapp" in answer.lower()
            # Bo presses Anna's button: not his reminder
            _, answer = await _press(api, BO, reminder, buttons[0])
            assert "någon annan" in answer
            await _until(api, lambda: "already handled (redelivery)" in caplog.text, within=60)
            found = await store.organisation_answer(meeting.id, occurrence, "region")
            assert found is not None and found.answer == expected

            # the facilitator's list: organisations, never names; the one without a contact too
            api.message_update(FACILITATOR, FACILITATOR, "/osa", chat_type="private", push=True)
            listing = await _until(
                api,
                lambda: next(
                    (m.text for m in api.sent_messages(FACILITATOR) if "Organisationer:" in (m.text or "")),
                    None,
                ),
            )
            assert (
                "• Region Värmland: Skickar ersättare, 3 pers., anteckning (utan namn): vice ordförande"
                in listing
            )
            assert "• Karlstads kommun: inget svar" in listing
            assert "• Föreningen Utan Kontakt: inget svar, ingen aktiv kontaktperson" in listing
            assert "Anna" not in listing and "Bo Berg" not in listing
            # and as a spreadsheet
            api.message_update(FACILITATOR, FACILITATOR, "/osa csv", chat_type="private", push=True)
            [document] = await api.wait_for_calls("sendDocument")
            assert document.status == 200
            assert "ordförande" not in caplog.text  # the note is never logged


async def test_slack_answer_buttons_and_a_replayed_press(tmp_path: Path) -> None:
    """The same flow on Slack (real slack_sdk client and Bolt against the stand-in): four answer
    buttons and ten count buttons within Block Kit's limits; a replayed request changes nothing."""
    from tests.standins.slack_api import SlackStandIn, sign
    from tests.test_slack_flow import buttons, settle, wait_for
    from tests.test_slack_replay import SECRET, TOKEN, _processes

    config = parse_meetings(
        {
            "signatories": [
                {
                    "key": "region",
                    "name": "Region Värmland",
                    "contacts": [{"key": "region-anna", "name": "Anna Andersson", "slack": "U0ANNA"}],
                }
            ],
            "meetings": [{"key": "dialogmote", "title": "Årligt dialogmöte", "start": "2027-03-09T10:00"}],
        },
        "osa.toml",
        "varmland-2015",
    )
    now = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
    url = f"sqlite+aiosqlite:///{tmp_path / 'slack-osa.sqlite3'}"
    async with SlackStandIn(bot_token=TOKEN) as api, _processes(api, tmp_path, url, 1, "dispatch") as rig:
        app, send = rig.app, rig.processes[0].send
        dispatcher = Dispatcher.from_app(app, clock=lambda: now, ics="none")
        await dispatcher.store.import_config(config)
        install(app.conversation, dispatcher.store, clock=lambda: now)
        assert (await dispatcher.tick()).sent == 1
        dm = api.dm_channels["U0ANNA"]
        [reminder] = api.messages_in(dm)
        answers = buttons(reminder)
        assert [b["text"]["text"] for b in answers] == [
            "Kommer",
            "Kommer inte",
            "Kanske",
            "Skickar ersättare",
        ]

        def press(message_ts: str, button: dict[str, Any]) -> str:
            return api.block_actions_body(
                "U0ANNA", dm, button["action_id"], button["value"], message_ts=message_ts
            )

        not_coming = press(reminder.ts, answers[1])
        not_coming_headers = sign(SECRET, not_coming)
        assert await send(not_coming, not_coming_headers) == 200
        coming = press(reminder.ts, answers[0])
        assert await send(coming, sign(SECRET, coming)) == 200
        follow_up = await wait_for(
            lambda: _first(m for m in api.messages_in(dm) if "Hur många" in (m.text or ""))
        )
        counts = buttons(follow_up)
        assert [b["text"]["text"] for b in counts] == [str(n) for n in range(1, MAX_PERSONS + 1)]
        assert all(len(block.get("elements", [])) <= 25 for block in follow_up.blocks or [])
        four = press(follow_up.ts, counts[3])
        assert await send(four, sign(SECRET, four)) == 200
        await wait_for(lambda: _first(r for r in api.responses if "4 pers." in r.get("text", "")))
        assert await send(not_coming, not_coming_headers) == 200  # the captured request, replayed
        await settle(api, quiet=1.0)
        [meeting] = await dispatcher.store.meetings()
        found = await dispatcher.store.organisation_answer(meeting.id, meeting.meeting.start, "region")
        assert found is not None and found.answer == RsvpAnswer(Rsvp.KOMMER, 4, None)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_answer_buttons_on_the_calendar_document_work(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """With the calendar file due, a reminder is one document (the text as its caption, the
    buttons under it): a press there is answered and recorded as on a text message, and the
    follow-up asks for the count in a message of its own (the document is never edited as text)."""
    config = _config()
    now = due_time(config.meetings[0].start, timedelta(days=7)).astimezone(UTC)
    async with TelegramStandIn(token="123456:TEST-redelivery-token") as api:
        async with _process(api, tmp_path, _database(backend, tmp_path, request)) as app:
            dispatcher = Dispatcher.from_app(app, clock=lambda: now)
            await dispatcher.store.import_config(config)
            install(app.conversation, dispatcher.store, clock=lambda: now)
            assert (await dispatcher.tick()).sent == 2

            [(reminder, buttons)] = _markups(api, ANNA, "rv.")
            [document] = api.sent_messages(ANNA)
            assert document.message_id == reminder and document.kind == "document"
            assert (document.caption or "").startswith("Påminnelse: Årligt dialogmöte")
            assert not api.calls_to("sendMessage")  # the question is the document's caption

            _, answer = await _press(api, ANNA, reminder, buttons[0])
            assert answer.startswith("Tack! Ditt svar för organisationen: Kommer")
            [(follow_up, counts)] = await _until(api, lambda: _markups(api, ANNA, "rvn."))
            _, answer = await _press(api, ANNA, follow_up, counts[1])
            assert answer == "Tack! Kommer, 2 pers. för Region Värmland."
            store = dispatcher.store
            [meeting] = await store.meetings()
            found = await store.organisation_answer(meeting.id, meeting.meeting.start, "region")
            assert found is not None and found.answer == RsvpAnswer(Rsvp.KOMMER, 2)
            assert api.sent_messages(ANNA)[0].caption == document.caption  # left as it was
            edits = ("editMessageText", "editMessageCaption", "editMessageReplyMarkup")
            assert not [c for method in edits for c in api.calls_to(method)]
