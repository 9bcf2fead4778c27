"""RSVP per organisation through the real Telegram client against the Bot API stand-in, on SQLite
and PostgreSQL: a reminder carries four answers, a follow-up asks how many persons, a substitute
gets a name-free note, ``/osa`` lists every signatory (and those without a contact), and forged
or replayed presses change nothing."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time, parse_meetings
from facilitation.meetings.attendance import MAX_PERSONS
from facilitation.meetings.chat import install
from facilitation.meetings.model import Rsvp, RsvpAnswer
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _answered, _markups, _until
from tests.test_telegram_redelivery import BACKENDS, FACILITATOR, _database, _process

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


async def _press(api: TelegramStandIn, user: int, message_id: int, data: str) -> tuple[dict[str, Any], str]:
    update = api.callback_update(user, user, message_id, data, chat_type="private", push=True)
    [answer] = await _until(api, lambda: _answered(api, update))
    return update, answer


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_organisation_answers_counts_and_notes_and_replays_change_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.runner")
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
            await _until(api, lambda: "already handled (redelivery)" in caplog.text)
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
            await api.wait_for_calls("sendDocument")
