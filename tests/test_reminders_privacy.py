"""No contact's address (a Telegram chat id) reaches a contact key, a delivery key, a log line or
``deliveries.last_error``; a forgotten contact leaves a contact tombstone, not their participant key."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.meetings_runner import Dispatcher
from config.meetings_files import load_meetings_configs
from facilitation.meetings import ContactKeys, due_time, parse_meetings
from facilitation.meetings.directory import tombstones
from facilitation.meetings.dispatch import failure_reason
from facilitation.ports import ChatRef, MessageRef
from facilitation.pseudonym import Pseudonymizer
from storage.meetings_models import DeliveryRow
from storage.meetings_repository import SqlMeetingStore
from tests.conftest import SECRET
from tests.test_reminders_dispatch import Clock, RecordingPort, _store, local

ADDRESSES = [str(987_654_321 + i) for i in range(4)]
MEETING = local(2027, 3, 9, 10)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    s = await _store(f"sqlite+aiosqlite:///{tmp_path / 'privacy.sqlite3'}")
    yield s
    await s.engine.dispose()


class FailingForOne(RecordingPort):
    """Refuses the first address the way platforms do: with the chat id in the message."""

    async def send_text(self, chat: ChatRef, text: str, buttons=None) -> MessageRef:  # type: ignore[no-untyped-def]
        if chat.chat_id == ADDRESSES[0]:
            raise RuntimeError(f"Bad Request: chat {chat.chat_id} not found")
        return await super().send_text(chat, text, buttons)


def telegram_config():  # type: ignore[no-untyped-def]
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [{"name": f"Kontakt {i}", "telegram": int(a)} for i, a in enumerate(ADDRESSES)],
            }
        ],
        "meetings": [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "reminder_offsets": ["7d", "1d"],
            }
        ],
    }
    return parse_meetings(doc, "test.toml", "varmland-2015", contact_keys=ContactKeys(Pseudonymizer(SECRET)))


def leaks(text: str) -> list[str]:
    return [a for a in ADDRESSES if a in text]


async def test_fan_out_logs_and_stores_no_address(
    store: SqlMeetingStore, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = telegram_config()
    assert not any(leaks(c.key) for c in cfg.contacts)
    await store.import_config(cfg)
    for name in (None, "bot", "facilitation", "storage"):  # every record, whatever ran before
        caplog.set_level(logging.DEBUG, logger=name)
    clock = Clock(MEETING - timedelta(days=8))
    port = FailingForOne(platform="telegram", clock=clock)
    dispatcher = Dispatcher(store, {"telegram": port}, None, clock=clock, progress_every=0.0)
    assert await dispatcher.plan(clock()) == 8
    # Down until two hours after the 1-day reminder was due: the 7-day ones are skipped as
    # superseded, the 1-day ones are caught up, and one contact's platform refuses.
    clock.set(due_time(MEETING, timedelta(days=1)) + timedelta(hours=2))
    result = await dispatcher.tick()
    assert (result.sent, result.caught_up, result.skipped, result.failed) == (3, 3, 4, 1)

    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert any("skipped delivery" in line for line in logged) and any("caught up" in line for line in logged)
    assert any("failed" in line for line in logged)
    assert [line for line in logged if leaks(line)] == []
    async with store._read() as session:
        rows = (await session.execute(select(DeliveryRow.delivery_key, DeliveryRow.last_error))).all()
    assert [key for key, _ in rows if leaks(key)] == []
    assert [error for _, error in rows if error and leaks(error)] == []
    assert "RuntimeError" in {error for _, error in rows}


def test_failure_reason_keeps_type_and_wait_not_message() -> None:
    class RetryAfter(Exception):
        retry_after = timedelta(seconds=7)

    assert failure_reason(RuntimeError("chat 987654321 not found")) == "RuntimeError"
    assert failure_reason(RetryAfter("flood control for chat 987654321")) == "RetryAfter (retry after 7 s)"


async def test_forget_tombstone_is_not_the_participant_key_and_import_honours_it(
    store: SqlMeetingStore, tmp_path: Path
) -> None:
    pseudonymizer = Pseudonymizer(SECRET)
    file = tmp_path / "contacts.toml"
    file.write_text(
        '[process]\nkey = "varmland-2015"\n[[signatories]]\nkey = "region"\nname = "Region"\n'
        '[[signatories.contacts]]\nname = "Anna"\ntelegram = 987654321\n',
        encoding="utf-8",
    )
    (config,) = load_meetings_configs([file], pseudonymizer)
    await store.import_config(config, tombstone_of=tombstones(pseudonymizer))
    (anna,) = await store.contacts()
    assert tombstones(pseudonymizer)(anna.contact) == pseudonymizer.contact_tombstone("telegram", "987654321")
    assert tombstones(pseudonymizer)(anna.contact) != pseudonymizer.user_key("telegram", "987654321")
    await store.forget_contact(anna.id, tombstones(pseudonymizer)(anna.contact))
    result = await store.import_config(config, tombstone_of=tombstones(pseudonymizer))
    assert result.skipped_forgotten == 1 and await store.contacts(active_only=False) == []
