"""A dispatcher that dies after the platform accepted a reminder's message and before it recorded
it (issue 16's kill window), then another dispatcher takes the row over once the lease ran out.

* Slack: the message carries its part's token in ``metadata``; the dispatcher taking over finds
  the attempt mark and the token in the DM's history and records the part, sending nothing twice.
* E-mail: there is no history to look in, so the part is sent again, but with the Message-ID of
  the first copy (mail systems fold such copies), also when the text changed meanwhile.
* Telegram: no history and no idempotency key, so what was accepted is sent again; a reminder
  whose text fits a document's caption is one message (file, text and buttons), so that is one
  message sent again, not a calendar file and a text.

Two dispatchers (separate engines and ports, as two processes) on SQLite and on PostgreSQL; the
real slack_sdk client and aiosmtplib against the stand-ins. The "death" is the dispatcher's task
cancelled from inside the platform's acceptance, before the answer reaches it, as a ``kill -9``
at that moment leaves it: the message out, the row claimed and unrecorded.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.meetings_runner import Dispatcher
from bot.slack.port import DELIVERY_EVENT, SlackPort
from facilitation.buttons import ButtonCodec
from facilitation.meetings import ContactKeys, due_time, parse_meetings
from facilitation.meetings.store import CLAIMED, SENT
from facilitation.pseudonym import Pseudonymizer
from storage.meetings_repository import SqlMeetingStore
from tests.conftest import SECRET
from tests.reminder_platforms import TOKEN as TELEGRAM_TOKEN
from tests.reminder_platforms import sender
from tests.standins.slack_api import SlackStandIn, StoredMessage
from tests.standins.smtp_server import Received, SmtpStandIn
from tests.standins.telegram_api import TelegramStandIn
from tests.test_reminders_dispatch import Clock, _store, local
from tests.test_reminders_email import make_port, tls  # noqa: F401  (tls: the fixture)

MEETING = local(2027, 3, 9, 10)
OFFSET = timedelta(days=7)
SLACK_TOKEN = "xoxb-crash-window"
USERS = ["U0ANNA", "U0BERIT", "U0CARL"]
ADDRESSES = ["anna@kommun.example.se", "berit@region.example.se"]


def meetings_config(platform: str, addresses: list[str]):  # type: ignore[no-untyped-def]
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [{"name": f"Kontakt {i}", platform: a} for i, a in enumerate(addresses)],
            }
        ],
        "meetings": [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "place": "Residenset, Karlstad",
                "reminder_offsets": ["7d"],
            }
        ],
    }
    return parse_meetings(doc, "test.toml", "varmland-2015", contact_keys=ContactKeys(Pseudonymizer(SECRET)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[list[SqlMeetingStore]]:
    """Two stores on one database with engines of their own (two dispatcher processes)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'crash.sqlite3'}"
        await (await _store(url)).engine.dispose()
    else:
        url = request.getfixturevalue("pg_database")
    pair = [await _store(url, migrate=False) for _ in range(2)]
    yield pair
    for store in pair:
        await store.engine.dispose()


async def kill(tick: asyncio.Task[Any]) -> None:
    """End a dispatcher's tick and its delivery workers (its process killed), from inside the
    platform's acceptance: the platform answers only after it, so nothing after the send runs."""
    tick.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await tick
    await asyncio.sleep(0.2)  # the workers it cancelled end at their next step


async def die_at(tick: asyncio.Task[Any]) -> None:
    """Wait for a dispatcher's tick that was killed mid-send."""
    with pytest.raises(asyncio.CancelledError):
        await tick


async def test_slack_part_that_arrived_before_its_dispatcher_died_is_not_sent_again(
    stores: list[SqlMeetingStore],
) -> None:
    first, second = stores
    await first.import_config(meetings_config("slack", USERS))
    lease = timedelta(minutes=10)
    clock = Clock(due_time(MEETING, OFFSET).astimezone(UTC))
    async with SlackStandIn(
        bot_token=SLACK_TOKEN, rate_limiting=False, wall=lambda: clock().timestamp()
    ) as api:
        ports = [SlackPort(AsyncWebClient(token=SLACK_TOKEN, base_url=api.base_url)) for _ in stores]
        dying = Dispatcher(
            first, {"slack": ports[0]}, None, clock=clock, ics="none", lease=lease, concurrency=1
        )
        tick = asyncio.create_task(dying.tick())
        killed: list[StoredMessage] = []

        def accepted(message: StoredMessage) -> Awaitable[None] | None:
            if killed:
                return None
            killed.append(message)
            return kill(tick)  # before Slack's answer reaches the dispatcher

        api.on_posted = accepted
        await die_at(tick)
        api.on_posted = None
        rows = await second.deliveries()
        assert len(api.messages) == 1 and {r.status for r in rows} == {CLAIMED}
        marked = [r for r in rows if r.text_attempt_at is not None]
        assert len(marked) == 1  # the one Slack accepted: attempt marked, not recorded

        clock.set(clock() + lease + timedelta(minutes=1))  # the dead one's clock stops with it
        taking_over = Dispatcher(second, {"slack": ports[1]}, None, clock=clock, ics="none", lease=lease)
        result = await taking_over.tick()

    per_dm = collections.Counter(m.channel for m in api.messages.values())
    assert sorted(per_dm.values()) == [1, 1, 1]  # one reminder each: none sent twice
    assert result.sent == 3 and result.failed == 0
    assert {r.status for r in await first.deliveries()} == {SENT}
    tokens = [m.metadata["event_payload"]["token"] for m in api.messages.values() if m.metadata]
    assert len(set(tokens)) == 3 and all(m.metadata for m in api.messages.values())
    assert {m.metadata["event_type"] for m in api.messages.values() if m.metadata} == {DELIVERY_EVENT}
    assert not any(user in token for token in tokens for user in USERS)  # opaque: no person's id
    looked = [c for c in api.calls_to("conversations.history") if c.ok]
    assert len(looked) == 1 and looked[0].params["channel"] == killed[0].channel  # only the marked one


async def test_slack_part_that_never_arrived_is_sent_after_the_takeover(
    stores: list[SqlMeetingStore],
) -> None:
    """The attempt mark alone (Slack refused the message, then the process died) sends it."""
    first, second = stores
    await first.import_config(meetings_config("slack", USERS[:1]))
    lease = timedelta(minutes=10)
    clock = Clock(due_time(MEETING, OFFSET).astimezone(UTC))
    async with SlackStandIn(
        bot_token=SLACK_TOKEN, rate_limiting=False, wall=lambda: clock().timestamp()
    ) as api:
        ports = [SlackPort(AsyncWebClient(token=SLACK_TOKEN, base_url=api.base_url)) for _ in stores]
        dying = Dispatcher(first, {"slack": ports[0]}, None, clock=clock, ics="none", lease=lease)
        tick = asyncio.create_task(dying.tick())
        original = api._chat_post_message

        async def refuse_then_die(params: dict[str, Any]) -> dict[str, Any]:
            await kill(tick)
            return await original({**params, "channel": "not-a-channel"})  # refused: channel_not_found

        api._handlers["chat.postMessage"] = refuse_then_die
        await die_at(tick)
        api._handlers["chat.postMessage"] = original
        assert not api.messages and (await second.deliveries())[0].text_attempt_at is not None

        clock.set(clock() + lease + timedelta(minutes=1))
        result = await Dispatcher(
            second, {"slack": ports[1]}, None, clock=clock, ics="none", lease=lease
        ).tick()
    assert result.sent == 1 and len(api.messages) == 1  # looked, not found, sent: no loss


async def test_email_sent_again_after_a_death_keeps_its_message_id(
    stores: list[SqlMeetingStore],
    tls: tuple[ssl.SSLContext, ssl.SSLContext],  # noqa: F811
) -> None:
    first, second = stores
    await first.import_config(meetings_config("email", ADDRESSES))
    lease = timedelta(minutes=10)
    clock = Clock(due_time(MEETING, OFFSET).astimezone(UTC))
    with SmtpStandIn("starttls", server_context=tls[0]) as smtp:
        ports = [make_port(smtp, tls[1], clock) for _ in stores]
        try:
            dying = Dispatcher(first, {"email": ports[0]}, None, clock=clock, lease=lease, concurrency=1)
            tick = asyncio.create_task(dying.tick())
            loop = asyncio.get_running_loop()
            killed: list[Received] = []

            def accepted(received: Received) -> None:  # in the SMTP server's thread, before its 250
                if not killed and not received.message["Content-Class"]:  # the reminder, not the invitation
                    killed.append(received)
                    asyncio.run_coroutine_threadsafe(kill(tick), loop).result(10)

            smtp.handler.on_accepted = accepted
            await die_at(tick)
            smtp.handler.on_accepted = None
            later = Clock(clock() + timedelta(days=2))  # back after a downtime: a caught-up text
            result = await Dispatcher(second, {"email": ports[1]}, None, clock=later, lease=lease).tick()
        finally:
            for port in ports:
                await port.aclose()
    reminders: dict[str, list[Received]] = {}
    for received in smtp.received:
        if not received.message["Content-Class"]:
            reminders.setdefault(received.to, []).append(received)
    victim = killed[0].to
    assert result.sent == 2 and {r.status for r in await first.deliveries()} == {SENT}
    assert len(reminders[victim]) == 2  # no history to look in: sent again ...
    ids = {r.message["Message-ID"] for r in reminders[victim]}
    assert len(ids) == 1  # ... as the same message (its text changed: a catch-up)
    texts = [r.message.get_body(("plain",)).get_content() for r in reminders[victim]]
    assert texts[0] != texts[1]
    other = next(a for a in ADDRESSES if a != victim)
    assert len(reminders[other]) == 1 and reminders[other][0].message["Message-ID"] not in ids
    assert not any(address.split("@")[0] in next(iter(ids)) for address in ADDRESSES)  # no address


async def test_telegram_reminder_accepted_before_its_dispatcher_died_is_sent_again_as_one_message(
    stores: list[SqlMeetingStore],
) -> None:
    """The calendar file, the text and the buttons were one document: the takeover repeats that
    one message (Telegram cannot tell it arrived), not a file and then a text."""
    first, second = stores
    chats = [4101, 4102, 4103]
    await first.import_config(meetings_config("telegram", [str(chat) for chat in chats]))
    lease = timedelta(minutes=10)
    clock = Clock(due_time(MEETING, OFFSET).astimezone(UTC))
    codec = ButtonCodec(Pseudonymizer(SECRET))
    async with TelegramStandIn(token=TELEGRAM_TOKEN) as api, sender(api) as one, sender(api) as other:
        dying = Dispatcher(first, {"telegram": one.port}, codec, clock=clock, lease=lease, concurrency=1)
        tick = asyncio.create_task(dying.tick())
        accept = api._methods["senddocument"]
        killed: list[dict[str, Any]] = []

        async def accepted_then_killed(params: dict[str, Any], files: Any, meta: Any) -> Any:
            message = accept(params, files, meta)  # in the chat now
            if not killed:
                killed.append(message)
                await kill(tick)  # before Telegram's answer reaches the dispatcher
            return message

        api._methods["senddocument"] = accepted_then_killed
        await die_at(tick)
        api._methods["senddocument"] = accept
        victim = int(killed[0]["chat"]["id"])
        rows = await second.deliveries()
        assert {r.status for r in rows} == {CLAIMED} and not any(r.file_sent_at for r in rows)
        [marked] = [r for r in rows if r.file_attempt_at is not None]  # the one Telegram accepted
        assert marked.text_attempt_at == marked.file_attempt_at  # one renewal marked both parts

        clock.set(clock() + lease + timedelta(minutes=1))
        result = await Dispatcher(second, {"telegram": other.port}, codec, clock=clock, lease=lease).tick()

    assert result.sent == 3 and result.failed == 0
    assert not api.calls_to("sendMessage")  # no text of its own: each reminder is its document
    for chat in chats:
        messages = api.sent_messages(chat)
        assert len(messages) == (2 if chat == victim else 1)  # the victim's one message, again
        for message in messages:
            assert message.kind == "document" and "Årligt dialogmöte" in (message.caption or "")
            assert [b["text"] for b in message.reply_markup["inline_keyboard"][0]] == [
                "Kommer",
                "Kommer inte",
                "Kanske",
                "Skickar ersättare",
            ]
    finished = await first.deliveries()
    assert {r.status for r in finished} == {SENT} and all(r.file_sent_at for r in finished)
