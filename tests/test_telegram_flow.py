"""Whole workshop flows through the REAL python-telegram-bot Application against the Bot API stand-in.

Built like production: ``App.create(settings)`` → ``TelegramAdapter.build(...)`` →
``application.initialize()/start()``; updates arrive through ``application.process_update`` or
through the adapter's aiohttp webhook (secret-token header), and everything the bot says is read
back from the stand-in.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from aiohttp import web
from telegram import Update

from bot.app import App
from bot.telegram.runner import SECRET_HEADER, TelegramAdapter, telegram_running
from config.settings import load_settings
from facilitation.menu import PRIVATE, menu_items
from facilitation.model import RoundStatus, Sector
from tests.standins.telegram_api import TelegramStandIn
from tests.waiting import eventually

TOKEN = "123456:TEST-flow-token"
# The barometer's result charts live in facilitation.barometer (not everywhere yet).
BAROMETER_CHARTS = importlib.util.find_spec("facilitation.barometer") is not None
FACILITATOR = 1
GROUP = -1001234567
SECRET = "webhook-secret-0123456789"

# PTB 22.8's own RetryAfter.__init__ reads the deprecated int-valued ``retry_after``.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


@dataclass
class Rig:
    """The stand-in, the app and the adapter, plus a webhook server and an HTTP client."""

    api: TelegramStandIn
    app: App
    adapter: TelegramAdapter
    http: aiohttp.ClientSession
    webhook_url: str

    async def process(self, data: dict[str, Any]) -> None:
        """Hand one update to the application directly, as PTB's own webhook/polling would."""
        application = self.adapter.application
        await application.process_update(Update.de_json(data, application.bot))

    async def post(self, data: dict[str, Any], secret: str = SECRET) -> int:
        """POST one update to the webhook, as Telegram does, and carry out a method in the reply."""
        async with self.http.post(
            self.webhook_url,
            data=json.dumps(data),
            headers={SECRET_HEADER: secret, "Content-Type": "application/json"},
        ) as r:
            status = r.status
            reply = await r.json() if r.content_type == "application/json" else None
        if reply and "method" in reply:
            assert await self.api.carry_out_webhook_reply(reply) == 200
        return status

    async def command(self, text: str, user: int = FACILITATOR, chat: int = GROUP, **kw: Any) -> None:
        await self.process(self.api.message_update(user, chat, text, **kw))

    def markups(self, chat: int, prefix: str) -> list[tuple[int, list[str]]]:
        """(message_id, callback_data of every button) of the bot's messages with ``prefix`` buttons."""
        found = []
        for message in self.api.sent_messages(chat):
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if data and data[0].startswith(prefix):
                found.append((message.message_id, data))
        return found

    def answers(self) -> dict[str, str]:
        """callback_query_id → answer text of every answered press."""
        return {
            str(c.params["callback_query_id"]): str(c.params.get("text") or "")
            for c in self.api.calls_to("answerCallbackQuery")
            if c.status == 200
        }

    async def settle(self) -> None:
        """Let queued updates (webhook path) be processed."""
        application = self.adapter.application
        await eventually(
            lambda: application.update_queue.empty() and not _busy(application) and not self.adapter.busy,
            within=5,
            what="the queued updates to be processed",
        )


def _busy(application: Any) -> bool:
    # Updates processed concurrently run as tasks PTB keeps in this (private) set until done.
    return bool(getattr(application, "_Application__create_task_tasks", ()))


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with TelegramStandIn(token=TOKEN, bot_username="dialogbot_test") as api:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"telegram": [str(FACILITATOR)]},
            chart_processes=0,
            telegram_token=TOKEN,
        )
        app = await App.create(settings)
        adapter = TelegramAdapter.build(app.conversation, TOKEN, base_url=api.root_url)
        adapter.port.group_edit_interval = 1.0  # keep the test short; production uses 6 s
        application = adapter.application
        await application.initialize()
        await application.start()
        runner = web.AppRunner(adapter.webhook_app(SECRET), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as http:
            yield Rig(api, app, adapter, http, f"http://127.0.0.1:{port}/telegram")
        await runner.cleanup()
        await adapter.drain()
        await application.stop()
        await application.shutdown()
        await app.aclose()


async def _workshop(rig: Rig, statements: str = "1,2") -> tuple[str, int, list[tuple[int, list[str]]]]:
    """A workshop bound to GROUP with an open barometer; returns (join code, round id, statement buttons)."""
    await rig.command("/workshop varmland-2015 Workshop i Karlstad", chat_title="Karlstad")
    created = next(m.text for m in rig.api.sent_messages(GROUP) if m.text and "Anslutningskod" in m.text)
    code = created.split("Anslutningskod: ")[1].split()[0]
    await rig.command(f"/barometer {statements}")
    workshop = await rig.app.service.workshop_by_code(code)
    round_ = await rig.app.service.open_round_of(workshop.id)
    assert round_ is not None
    return code, round_.id, rig.markups(GROUP, "b.")


async def test_join_by_deep_link_and_sector_buttons(rig: Rig) -> None:
    code, _, _ = await _workshop(rig)
    participant = 5001
    await rig.command(f"/start {code}", user=participant, chat=participant)
    welcome = rig.api.last_text(participant)
    assert welcome is not None and "Välkommen till Workshop i Karlstad" in welcome
    [(message_id, sector_data)] = rig.markups(participant, "s.")
    assert len(sector_data) == 3
    press = rig.api.callback_update(participant, participant, message_id, sector_data[1])
    await rig.process(press)
    assert rig.answers()[press["callback_query"]["id"]].startswith(
        "Tack! Du är med i Workshop i Karlstad. Sektor: Offentlig sektor"
    )
    workshop = await rig.app.service.workshop_by_code(code)
    [member] = await rig.app.store.participants(workshop.id)
    assert member.sector == Sector.OFFENTLIG
    # The private chat is bound: /sektor there works without a code.
    await rig.command("/sektor", user=participant, chat=participant)
    assert rig.api.last_text(participant) == "Vilken sektor företräder du?"


async def test_barometer_round_in_a_group_with_50_participants(rig: Rig) -> None:
    code, round_id, statements = await _workshop(rig)
    steps = len(statements[0][1])
    assert len(statements) == 2 and steps >= 5 and all(len(data) == steps for _, data in statements)
    workshop = await rig.app.service.workshop_by_code(code)
    sector_message, sector_data = rig.markups(GROUP, "s.")[0]
    users = [7000 + i for i in range(50)]
    presses: list[dict[str, Any]] = []
    for i, user in enumerate(users):
        presses.append(rig.api.callback_update(user, GROUP, sector_message, sector_data[i % 3]))
        for message_id, data in statements:
            presses.append(rig.api.callback_update(user, GROUP, message_id, data[(i + message_id) % steps]))
    # Half through process_update, half through the webhook, all at once.
    direct, hooked = presses[::2], presses[1::2]
    statuses = await asyncio.gather(*(rig.process(p) for p in direct), *(rig.post(p) for p in hooked))
    assert set(statuses[len(direct) :]) == {200}
    await rig.settle()
    # Ten people change their mind on the first statement.
    first_message, first_data = statements[0]
    changes = [rig.api.callback_update(user, GROUP, first_message, first_data[-1]) for user in users[:10]]
    await asyncio.gather(*(rig.post(p) for p in changes))
    await rig.settle()

    answers = rig.answers()
    every = presses + changes
    assert len(rig.api.calls_to("answerCallbackQuery")) == len(every) == 50 * 3 + 10
    assert all(p["callback_query"]["id"] in answers for p in every)
    assert all(
        answers[p["callback_query"]["id"]].startswith(f"Ditt svar: {steps} av {steps}") for p in changes
    )

    participants = await rig.app.store.participants(workshop.id)
    assert len(participants) == 50
    assert sum(p.sector == Sector.IDEBUREN for p in participants) == 17
    responses = await rig.app.store.responses(round_id)
    assert len(responses) == 100  # one answer per person and statement, changes replace
    assert await rig.app.service.turnout(round_id) == 50
    first_item = min(r.item_id for r in responses)
    changed = [r.value for r in responses if r.item_id == first_item]
    assert changed.count(steps) >= 10

    # Close: final tally, closing text and charts in the group.
    await rig.command("/stang")
    closed = await rig.app.store.round(round_id)
    assert closed is not None and closed.status == RoundStatus.CLOSED
    if BAROMETER_CHARTS:
        _assert_charts(rig)
    tally = next(m for m in rig.api.sent_messages(GROUP) if m.text and m.text.startswith("Åsiktsbarometer #"))
    assert "är stängd. 50 svarade." in (tally.text or "")
    assert rig.api.count_429 == 0

    # A vote after close: refused in the answer, nothing stored.
    late = rig.api.callback_update(users[0], GROUP, first_message, first_data[0])
    await rig.process(late)
    assert "stängd" in rig.answers()[late["callback_query"]["id"]]
    assert sorted((r.item_id, r.value) for r in await rig.app.store.responses(round_id)) == sorted(
        (r.item_id, r.value) for r in responses
    )


async def test_forged_button_and_non_facilitator_command(rig: Rig) -> None:
    _, round_id, statements = await _workshop(rig)
    message_id, data = statements[0]
    good = rig.api.callback_update(8001, GROUP, message_id, data[1])
    await rig.process(good)
    forged_data = data[1].replace(".2~", ".7~")
    assert forged_data != data[1]
    forged = rig.api.callback_update(8001, GROUP, message_id, forged_data)
    await rig.process(forged)
    answer = next(
        c
        for c in rig.api.calls_to("answerCallbackQuery")
        if c.params["callback_query_id"] == forged["callback_query"]["id"]
    )
    assert "ogiltig" in answer.params["text"] and answer.params.get("show_alert") is True
    assert [r.value for r in await rig.app.store.responses(round_id)] == [2]

    before = len(rig.api.sent_messages(GROUP))
    await rig.command("/stang", user=8001)
    assert "bara för processledare" in (rig.api.last_text(GROUP) or "")
    assert len(rig.api.sent_messages(GROUP)) == before + 1
    still = await rig.app.store.round(round_id)
    assert still is not None and still.status == RoundStatus.OPEN


async def test_webhook_refuses_a_wrong_secret_and_bad_bodies(rig: Rig) -> None:
    _, round_id, statements = await _workshop(rig)
    calls = len(rig.api.calls)
    press = rig.api.callback_update(8002, GROUP, statements[0][0], statements[0][1][3])
    assert await rig.post(press, secret="wrong") == 403
    assert await rig.post(press, secret="") == 403
    async with rig.http.post(rig.webhook_url, data=json.dumps(press)) as response:  # no header
        assert response.status == 403
    async with rig.http.post(rig.webhook_url, data=b"not json", headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 400
    async with rig.http.post(rig.webhook_url, data=b"[1]", headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 400
    await rig.settle()
    assert len(rig.api.calls) == calls
    assert await rig.app.store.responses(round_id) == []
    assert await rig.post(press) == 200
    await rig.settle()
    assert [r.value for r in await rig.app.store.responses(round_id)] == [4]


async def test_live_tally_burst_of_300_votes_is_coalesced(rig: Rig) -> None:
    _, round_id, statements = await _workshop(rig, "1")
    [(message_id, data)] = statements
    edits_before = len(rig.api.calls_to("editMessageText"))
    presses = [rig.api.callback_update(9000 + i, GROUP, message_id, data[i % len(data)]) for i in range(300)]
    statuses = await asyncio.gather(*(rig.post(p) for p in presses))
    assert set(statuses) == {200}
    await rig.settle()
    assert len(rig.answers()) == 300
    assert await rig.app.service.turnout(round_id) == 300
    # The trailing edit shows the final count.
    await rig.api.wait_until(lambda: "300 har svarat" in (_tally(rig) or ""), within=10)
    edits = len(rig.api.calls_to("editMessageText")) - edits_before
    assert 1 <= edits <= 5
    assert rig.api.count_429 == 0
    # Nothing else happening: once no edit is due any more, there was no further edit.
    await eventually(lambda: _no_edit_due(rig), what="the live tally to have no edit due")
    assert len(rig.api.calls_to("editMessageText")) - edits_before == edits


def _assert_charts(rig: Rig) -> None:
    photos = rig.api.calls_to("sendPhoto")
    assert photos and all(c.status == 200 and c.params["chat_id"] == GROUP for c in photos)
    pngs = [data for c in photos for data in c.files.values()]
    assert pngs and all(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000 for data in pngs)
    assert all(c.params.get("caption") for c in photos)


async def test_charts_sent_with_send_photo_on_close(rig: Rig) -> None:
    """Prioritisation (approval) round: its charts are rendered and sent as photos on /stang."""
    code, _, _ = await _workshop(rig, "1")
    await rig.command("/stang")
    await rig.command("/markera")
    [(message_id, data)] = rig.markups(GROUP, "pa.")
    sector_message, sector_data = rig.markups(GROUP, "s.")[0]
    for i in range(12):
        user = 9500 + i
        await rig.process(rig.api.callback_update(user, GROUP, sector_message, sector_data[i % 2]))
        for k in (i % 3, 3 + i % 2):
            await rig.process(rig.api.callback_update(user, GROUP, message_id, data[k]))
    workshop = await rig.app.service.workshop_by_code(code)
    round_ = await rig.app.service.open_round_of(workshop.id)
    assert round_ is not None and await rig.app.service.turnout(round_.id) == 12
    photos_before = len(rig.api.calls_to("sendPhoto"))
    await rig.command("/stang")
    assert len(rig.api.calls_to("sendPhoto")) > photos_before
    _assert_charts(rig)
    assert rig.api.count_429 == 0


def _no_edit_due(rig: Rig) -> bool:
    """No live message has an edit scheduled or a change waiting for one."""
    lives = [live for group in rig.app.conversation.live._groups.values() for live in group]
    return not any(live.dirty or (live.task is not None and not live.task.done()) for live in lives)


def _tally(rig: Rig) -> str | None:
    return next(
        (m.text for m in rig.api.sent_messages(GROUP) if m.text and m.text.startswith("Åsiktsbarometer #")),
        None,
    )


async def test_set_commands_in_swedish_and_english(rig: Rig) -> None:
    await rig.adapter.set_commands()
    items = menu_items(rig.app.conversation.command_table())
    sv, en = rig.api.menu("all_private_chats"), rig.api.menu("all_private_chats", "en")
    shown = [i for i in items if i.shown_to(PRIVATE, member=True, admin=False, facilitator=False)]
    assert sv == [i.menu.sv for i in shown] and en == [i.menu.en for i in shown]
    assert all(c.status == 200 for c in rig.api.calls_to("setMyCommands"))


async def test_a_flood_wait_is_waited_out_and_the_message_arrives_once(rig: Rig) -> None:
    """Telegram answers 429 with retry_after: the send waits that long, retries, and delivers once."""
    rig.api.throttle_next("sendMessage", retry_after=1)
    started = time.monotonic()
    await rig.command("/hjalp", user=FACILITATOR, chat=FACILITATOR)
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in rig.api.calls_to("sendMessage")] == [429, 200]
    [help_message] = rig.api.sent_messages(FACILITATOR)
    assert "Processledare:" in (help_message.text or "")


async def test_a_flood_wait_on_the_live_tally_edit_loses_no_update(rig: Rig) -> None:
    _, round_id, statements = await _workshop(rig, "1")
    [(message_id, data)] = statements
    rig.api.throttle_next("editMessageText", retry_after=1, times=2)
    for i in range(3):
        await rig.process(rig.api.callback_update(8300 + i, GROUP, message_id, data[i]))
    await rig.api.wait_until(lambda: "3 har svarat" in (_tally(rig) or ""), within=15)
    statuses = [c.status for c in rig.api.calls_to("editMessageText")]
    assert statuses[:2] == [429, 429] and statuses[2:] and set(statuses[2:]) == {200}
    assert await rig.app.service.turnout(round_id) == 3


async def test_polling_mode_runs_a_whole_flow(tmp_path: Path) -> None:
    """telegram_running in polling mode: every update below reaches the bot through getUpdates."""
    async with TelegramStandIn(token=TOKEN, bot_username="dialogbot_test") as api:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"telegram": [str(FACILITATOR)]},
            chart_processes=0,
            telegram_token=TOKEN,
            telegram_mode="polling",
            telegram_api_base_url=api.root_url,
        )
        app = await App.create(settings)
        try:
            async with telegram_running(app):
                assert api.calls_to("deleteWebhook") and api.webhook is None
                api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Polling", push=True)
                link = await _until(api, lambda: _deep_link(api, GROUP))
                code = parse_qs(urlparse(link).query)["start"][0]
                api.message_update(FACILITATOR, GROUP, "/barometer 1", push=True)
                [(statement_id, values)] = await _until(api, lambda: _markups(api, GROUP, "b."))

                # A participant taps the deep link: Telegram sends "/start CODE" in the private chat.
                participant = 6001
                api.message_update(participant, participant, f"/start {code}", push=True)
                [(sector_message, sectors)] = await _until(api, lambda: _markups(api, participant, "s."))
                sector_press = api.callback_update(
                    participant, participant, sector_message, sectors[2], push=True
                )
                vote = api.callback_update(participant, GROUP, statement_id, values[3], push=True)
                answers = await _until(api, lambda: _answered(api, sector_press, vote))
                await _until(api, lambda: api.pending_updates == 0)  # getUpdates confirmed them all

            assert answers[0].startswith("Tack! Du är med i Polling") and "Annan" in answers[0]
            assert answers[1].startswith(f"Ditt svar: 4 av {len(values)}")
            workshop = await app.service.workshop_by_code(code)
            [member] = await app.store.participants(workshop.id)
            assert member.sector == Sector.ANNAN
            [round_] = await app.store.rounds(workshop.id)
            assert [r.value for r in await app.store.responses(round_.id)] == [4]
            assert len(api.calls_to("getUpdates")) >= 2 and api.count_429 == 0
        finally:
            await app.aclose()


async def _until(api: TelegramStandIn, probe: Any, within: float = 15.0) -> Any:
    """The first truthy value of ``probe()``, re-checked after every call the stand-in records."""
    found: list[Any] = []

    def check() -> bool:
        value = probe()
        if value:
            found.append(value)
        return bool(value)

    await api.wait_until(check, within=within)
    return found[-1]


def _deep_link(api: TelegramStandIn, chat: int) -> str | None:
    """The t.me link the bot posted in ``chat`` (checked to be exactly Telegram's deep-link form)."""
    for message in api.sent_messages(chat):
        for line in (message.text or "").splitlines():
            if "t.me/" in line:
                code = line.rsplit("=", 1)[-1]
                assert line == f"https://t.me/dialogbot_test?start={code}", line
                assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code), code  # what Telegram allows
                return line
    return None


def _markups(api: TelegramStandIn, chat: int, prefix: str) -> list[tuple[int, list[str]]]:
    found = []
    for message in api.sent_messages(chat):
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        if data and data[0].startswith(prefix):
            found.append((message.message_id, data))
    return found


def _answered(api: TelegramStandIn, *presses: dict[str, Any]) -> list[str] | None:
    """The answer texts of ``presses`` once every one of them was answered."""
    answers = {
        str(c.params["callback_query_id"]): str(c.params.get("text") or "")
        for c in api.calls_to("answerCallbackQuery")
        if c.status == 200
    }
    ids = [p["callback_query"]["id"] for p in presses]
    return [answers[i] for i in ids] if all(i in answers for i in ids) else None


async def test_fast_button_path_equals_ptb_translation(rig: Rig) -> None:
    """The webhook's raw-JSON path for presses gives the event PTB's Update path gives."""
    from bot.telegram.port import button_event_from_json, to_event

    _, _, statements = await _workshop(rig, "1")
    message_id, data = statements[0]
    for update in (
        rig.api.callback_update(8100, GROUP, message_id, data[0]),
        rig.api.callback_update(8101, 8101, 999, "x", first_name="Åsa"),
    ):
        ptb = to_event(Update.de_json(update, rig.adapter.application.bot), "dialogbot_test")
        assert button_event_from_json(update) == ptb
    assert button_event_from_json(rig.api.message_update(8100, GROUP, "/hjalp")) is None
    assert button_event_from_json({"update_id": 1, "callback_query": {"id": "1", "from": {"id": 1}}}) is None


async def test_the_workshop_report_is_sent_as_a_pdf_document_to_facilitators_only(rig: Rig) -> None:
    """/rapport: a participant is refused; with no closed round the facilitator gets a sentence;
    after /stang the PDF goes up with sendDocument (the stand-in checks it as the Bot API does)."""
    _, round_id, statements = await _workshop(rig)
    await rig.command("/rapport")
    assert "ingen stängd omgång" in (rig.api.last_text(GROUP) or "")
    message_id, data = statements[0]
    await rig.process(rig.api.callback_update(8001, GROUP, message_id, data[3]))
    await rig.command("/stang")
    await rig.command("/rapport", user=8001)
    assert "bara för processledare" in (rig.api.last_text(GROUP) or "")
    assert not rig.api.calls_to("sendDocument")
    await rig.command("/rapport")
    [sent] = [c for c in rig.api.calls_to("sendDocument") if c.status == 200]
    [pdf] = sent.files.values()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert str(round_id) in str(sent.params.get("caption", "")) or "stängda omgångar" in str(
        sent.params["caption"]
    )
