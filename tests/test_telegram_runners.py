"""``telegram_running`` as ``dialogbot run`` starts it, against the Bot API stand-in.

Webhook mode (the secret is required, setWebhook carries it, /telegram is served over aiohttp and
answers presses in its reply), group admins as facilitators (getChatAdministrators), and the
rate limiter keeping lookups out of a group's message budget.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.ext import ExtBot

from bot.app import App
from bot.telegram.ratelimit import TelegramRateLimiter
from bot.telegram.request import AiohttpRequest
from bot.telegram.runner import SECRET_HEADER, telegram_running
from config.errors import ConfigError
from facilitation.i18n import t
from facilitation.model import Language, RoundStatus
from tests.harness import free_port, running_app
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _answered, _deep_link, _markups, _until

TOKEN = "123456:TEST-runner-token"
FACILITATOR = 1
GROUP = -1004242
SECRET = "runner-webhook-secret-0123456789"
PUBLIC_URL = "https://bot.example.org/telegram"

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


@asynccontextmanager
async def _app(api: TelegramStandIn, tmp_path: Path, **settings: Any) -> AsyncIterator[App]:
    values: dict[str, Any] = {
        "telegram_token": TOKEN,
        "telegram_api_base_url": api.root_url,
        "facilitators": {"telegram": [str(FACILITATOR)]},
    }
    async with running_app(tmp_path, **{**values, **settings}) as app:
        yield app


async def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(api, tmp_path, telegram_mode="webhook", telegram_webhook_url=PUBLIC_URL) as app,
    ):
        with pytest.raises(ConfigError, match="telegram_webhook_secret"):
            async with telegram_running(app):
                pytest.fail("started without a secret")
        assert api.webhook is None and not api.calls_to("setWebhook")


async def test_webhook_mode_registers_the_secret_and_serves_updates(tmp_path: Path) -> None:
    port = free_port()
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(
            api,
            tmp_path,
            telegram_mode="webhook",
            telegram_webhook_url=PUBLIC_URL,
            telegram_webhook_secret=SECRET,
            telegram_webhook_listen="127.0.0.1",
            telegram_webhook_port=port,
        ) as app,
        aiohttp.ClientSession() as http,
    ):
        url = f"http://127.0.0.1:{port}/telegram"

        async def post(update: dict[str, Any], secret: str | None = SECRET) -> tuple[int, Any]:
            headers = {"Content-Type": "application/json"} | (
                {SECRET_HEADER: secret} if secret is not None else {}
            )
            async with http.post(url, data=json.dumps(update), headers=headers) as response:
                body = await response.json() if response.content_type == "application/json" else None
                return response.status, body

        gc.unfreeze()
        async with telegram_running(app):
            assert gc.get_freeze_count() > 0  # start-up objects left out of full collections
            gc.unfreeze()
            assert api.webhook == {
                "url": PUBLIC_URL,
                "secret_token": SECRET,
                "allowed_updates": ["message", "callback_query", "my_chat_member"],
                "max_connections": 40,
            }
            assert api.menu("all_private_chats") and api.menu("all_private_chats", "en")
            assert not api.calls_to("getUpdates")

            # Without the secret nothing is even parsed.
            for secret in (None, "", "wrong"):
                status, _ = await post(
                    api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 X"), secret
                )
                assert status == 403
            async with http.get(url) as response:
                assert response.status == 405
            assert not api.calls_to("sendMessage")

            # With it, a whole round: the workshop, the join link, a barometer, a press.
            status, _ = await post(api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Webhook"))
            assert status == 200
            link = await _until(api, lambda: _deep_link(api, GROUP))
            code = link.rsplit("=", 1)[1]
            await post(api.message_update(FACILITATOR, GROUP, "/barometer 1"))
            [(statement, values)] = await _until(api, lambda: _markups(api, GROUP, "b."))
            press = api.callback_update(7001, GROUP, statement, values[0])
            status, reply = await post(press)
            # The press is answered in the webhook's own reply (Telegram carries the method out).
            assert status == 200 and reply["method"] == "answerCallbackQuery"
            assert reply["callback_query_id"] == press["callback_query"]["id"]
            assert reply["text"].startswith("Ditt svar: 1 av")
            assert _answered(api, press) is None  # no separate API call for it

        workshop = await app.service.workshop_by_code(code)
        [round_] = await app.store.rounds(workshop.id)
        assert round_.status == RoundStatus.OPEN
        assert [r.value for r in await app.store.responses(round_.id)] == [1]
        with pytest.raises(aiohttp.ClientConnectionError):  # the server stopped with the context
            await post(api.message_update(FACILITATOR, GROUP, "/hjalp"))


async def test_group_admins_are_facilitators_in_their_group_only(tmp_path: Path) -> None:
    admin, owner, member = 501, 502, 503
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(api, tmp_path, telegram_mode="polling", group_admins_are_facilitators=True) as app,
    ):
        api.set_admins(GROUP, [admin], owner=owner)
        async with telegram_running(app):
            # A member who is no admin is refused, in the group.
            api.message_update(member, GROUP, "/workshop varmland-2015 Kupp", push=True)
            await _until(api, lambda: "bara för processledare" in (api.last_text(GROUP) or ""))
            # The group's admin (not a configured facilitator) leads: workshop and round.
            api.message_update(admin, GROUP, "/workshop varmland-2015 Adminledd", push=True)
            await _until(api, lambda: _deep_link(api, GROUP))
            api.message_update(owner, GROUP, "/barometer 1", push=True)
            await _until(api, lambda: _markups(api, GROUP, "b."))
            # The admin is no facilitator in a private chat (admins lead their own group only).
            api.message_update(admin, admin, "/workshop varmland-2015 Privat", push=True)
            await _until(api, lambda: "bara för processledare" in (api.last_text(admin) or ""))
            api.message_update(member, GROUP, "/stang", push=True)
            await _until(
                api,
                lambda: (
                    len([m for m in api.sent_messages(GROUP) if "bara för processledare" in (m.text or "")])
                    == 2
                ),
            )
        # One getChatAdministrators answered for all of them (cached per group), no getChatMember.
        assert len(api.calls_to("getChatAdministrators")) == 1 and not api.calls_to("getChatMember")
        [workshop] = [w for w in [await app.store.workshop(1), await app.store.workshop(2)] if w]
        assert workshop.title == "Adminledd"
        [round_] = await app.store.rounds(workshop.id)
        assert round_.status == RoundStatus.OPEN


async def test_lookups_do_not_take_a_group_message_place() -> None:
    """getChatAdministrators and answerCallbackQuery carry a chat but are no messages: not paced."""
    limiter = TelegramRateLimiter(group=(1, 60.0))
    async with TelegramStandIn(token=TOKEN) as api:
        api.set_admins(GROUP, [7])
        bot = ExtBot(TOKEN, base_url=api.base_url, request=AiohttpRequest(pool_size=4), rate_limiter=limiter)
        async with bot:
            await bot.send_message(GROUP, "the group's one message this minute")
            started = time.monotonic()
            admins = await bot.get_chat_administrators(GROUP)
            member = await bot.get_chat_member(GROUP, 7)
            await bot.send_chat_action(GROUP, "typing")
            assert time.monotonic() - started < 1.0
        assert [m.user.id for m in admins] == [7] and member.status == "administrator"
        assert api.count_429 == 0


async def test_an_admin_of_their_own_group_cannot_take_over_a_workshop(tmp_path: Path) -> None:
    """Issue 14: a participant makes a group they own, adds the bot and sends ``/delta KOD``.

    Their group must not become a room of the real workshop, and from it ``/stang``, ``/markera``
    and ``/export`` (admin of *a* group) must give no rights over a workshop created elsewhere.
    """
    participant, own_group = 777, -100777
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(api, tmp_path, telegram_mode="polling", group_admins_are_facilitators=True) as app,
    ):
        api.set_admins(GROUP, [])
        api.set_admins(own_group, [], owner=participant)  # the participant owns their group
        async with telegram_running(app):
            api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Riktig workshop", push=True)
            link = await _until(api, lambda: _deep_link(api, GROUP))
            code = link.rsplit("=", 1)[1]
            api.message_update(FACILITATOR, GROUP, "/barometer 1", push=True)
            await _until(api, lambda: _markups(api, GROUP, "b."))

            api.message_update(participant, own_group, f"/delta {code}", push=True)
            await _until(api, lambda: "Riktig workshop" in (api.last_text(own_group) or ""))
            for command in ("/stang", "/markera", "/export", "/status", "/resultat"):
                before = len(api.sent_messages(own_group))
                api.message_update(participant, own_group, command, push=True)
                await _until(api, lambda before=before: len(api.sent_messages(own_group)) > before)
                # Refused: their group is no room of the workshop (it is bound to nothing).
                assert "inte kopplad till någon workshop" in (api.last_text(own_group) or ""), command

        workshop = await app.service.workshop_by_code(code)
        [round_] = await app.store.rounds(workshop.id)
        assert round_.status == RoundStatus.OPEN  # the facilitator's round was not closed
        assert [int(room.chat_id) for room in await app.store.rooms(workshop.id)] == [GROUP]
        assert not api.calls_to("sendDocument")  # no export left the workshop


async def test_admins_lead_only_the_workshops_created_in_their_group(tmp_path: Path) -> None:
    """An admin's group where a workshop was created is that workshop's own room (the admins lead
    there); a group a configured facilitator bound with ``/delta`` gives its admins nothing, and an
    origin room's admin has no rights in another room of the same workshop."""
    origin_admin, other_admin, origin_group, other_group = 601, 602, -100601, -100602
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(api, tmp_path, telegram_mode="polling", group_admins_are_facilitators=True) as app,
    ):
        api.set_admins(origin_group, [origin_admin])
        api.set_admins(other_group, [other_admin, origin_admin])
        async with telegram_running(app):
            api.message_update(origin_admin, origin_group, "/workshop varmland-2015 Adminledd", push=True)
            code = (await _until(api, lambda: _deep_link(api, origin_group))).rsplit("=", 1)[1]
            # A configured facilitator binds a second room; its admins get no rights from that.
            api.message_update(FACILITATOR, other_group, f"/delta {code}", push=True)
            await _until(api, lambda: "Adminledd" in (api.last_text(other_group) or ""))
            for admin in (other_admin, origin_admin):
                before = len(api.sent_messages(other_group))
                api.message_update(admin, other_group, "/markera", push=True)
                await _until(api, lambda before=before: len(api.sent_messages(other_group)) > before)
                assert "bara för processledare" in (api.last_text(other_group) or "")
            # In the room where it was created, its admin leads: a round opens in both rooms, and
            # the exercise's own commands (/rummet) are theirs too.
            api.message_update(origin_admin, origin_group, "/markera", push=True)
            await _until(api, lambda: _markups(api, other_group, "pa."))
            api.message_update(origin_admin, origin_group, "/rummet 1", push=True)
            await _until(api, lambda: "ingen stängd åsiktsbarometer" in (api.last_text(origin_group) or ""))
        workshop = await app.service.workshop_by_code(code)
        assert [r.status for r in await app.store.rounds(workshop.id)] == [RoundStatus.OPEN]


async def test_a_forget_confirmation_in_a_group_works_only_for_the_one_who_asked(tmp_path: Path) -> None:
    """Issue 14: the ``/glom`` confirmation is posted in the group where it was asked; a bystander's
    press of it deleted the bystander's own data. Only the asker's press forgets (the asker)."""
    anna, bo = 701, 702
    async with TelegramStandIn(token=TOKEN) as api, _app(api, tmp_path, telegram_mode="polling") as app:
        async with telegram_running(app):
            api.message_update(FACILITATOR, GROUP, "/workshop varmland-2015 Glöm", push=True)
            await _until(api, lambda: _deep_link(api, GROUP))
            api.message_update(FACILITATOR, GROUP, "/barometer 1", push=True)
            [(statement, scale)] = await _until(api, lambda: _markups(api, GROUP, "b."))
            votes = [
                api.callback_update(anna, GROUP, statement, scale[3], push=True),
                api.callback_update(bo, GROUP, statement, scale[1], push=True),
            ]
            await _until(api, lambda: _answered(api, *votes))
            api.message_update(anna, GROUP, "/glom", push=True)
            [(confirmation, [yes])] = await _until(api, lambda: _markups(api, GROUP, "fg"))
            bystander = api.callback_update(bo, GROUP, confirmation, yes, push=True)
            [answer] = await _until(api, lambda: _answered(api, bystander))
            assert answer in {t("forget.not_yours", lang) for lang in Language}, answer
            workshop = await app.service.workshop_by_code(code_of(api))
            [round_] = await app.store.rounds(workshop.id)
            assert sorted(r.value for r in await app.store.responses(round_.id)) == [2, 4]  # nobody forgotten
            asker = api.callback_update(anna, GROUP, confirmation, yes, push=True)
            [answer] = await _until(api, lambda: _answered(api, asker))
            assert answer.startswith(("Klart.", "Done.")), answer
        assert [r.value for r in await app.store.responses(round_.id)] == [2]  # anna's answer, not bo's


def code_of(api: TelegramStandIn) -> str:
    """The workshop's join code, from the deep link the bot posted in the group."""
    link = _deep_link(api, GROUP)
    assert link is not None
    return link.rsplit("=", 1)[1]
