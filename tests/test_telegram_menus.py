"""Telegram's command menus per scope, and the text shown before a participant presses Start.

The menus come from the conversation's one declaration of commands, set at start-up through the
real PTB client against the Bot API stand-in (which keeps each scope's list as Telegram does):
participants (private chats, group members) never see a facilitator's command, group admins see
the room commands, a configured facilitator's private chat lists everything, and every command
the bot understands is listed under one name per language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.telegram.request import AiohttpRequest
from bot.telegram.runner import telegram_running
from tests.harness import running_app
from tests.standins.telegram_api import MAX_DESCRIPTION_LENGTH, MAX_SHORT_DESCRIPTION_LENGTH, TelegramStandIn

TOKEN = "123456:TEST-menus-token"
FACILITATOR = 41  # has pressed Start: Telegram knows the private chat
NEW_FACILITATOR = 42  # has not: a menu for their chat is refused ("chat not found")
SCOPES = ("all_private_chats", "all_group_chats", "all_chat_administrators")

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


async def test_each_scope_gets_its_menu_from_the_one_command_declaration(tmp_path: Path) -> None:
    async with TelegramStandIn(token=TOKEN) as api:
        api.message_update(FACILITATOR, FACILITATOR, "/start")  # the private chat exists
        async with running_app(tmp_path, telegram_token=TOKEN, telegram_api_base_url=api.root_url,
                               group_admins_are_facilitators=True,
                               facilitators={"telegram": [str(FACILITATOR), str(NEW_FACILITATOR)]}) as app:
            async with telegram_running(app):
                conv = app.conversation
                items = conv.menu_items()
                facilitator_sv = {i.menu.sv for i in items if i.facilitator_only}
                facilitator_en = {i.menu.en for i in items if i.facilitator_only}
                own_chat = {"type": "chat", "chat_id": FACILITATOR}
                for lang, names in (("", facilitator_sv), ("en", facilitator_en)):
                    menus = {scope: api.menu(scope, lang) for scope in SCOPES}
                    menus["facilitator"] = api.menu(own_chat, lang)
                    # Participants never see a facilitator's command.
                    assert set(menus["all_private_chats"]) & names == set()
                    assert set(menus["all_group_chats"]) & names == set()
                    # No command twice in a menu (aliases are not listed).
                    assert all(len(m) == len(set(m)) for m in menus.values())
                    # Every command the bot understands is listed, under one of its own names.
                    listed = set().union(*menus.values())
                    for names_of_command, menu in conv.command_groups():
                        if names_of_command == ("start",):
                            assert menu is None  # Telegram's own Start button
                            continue
                        assert menu is not None, names_of_command
                        shown = menu.en if lang == "en" else menu.sv
                        assert shown in names_of_command and shown in listed, names_of_command
                        assert len(set(names_of_command) & listed) == 1, names_of_command
                    assert len(listed) == len(items)

                sv = {scope: api.menu(scope) for scope in SCOPES} | {"facilitator": api.menu(own_chat)}
                # The four the issue named, where a facilitator finds them.
                assert {"jamfor", "omgangar", "signatarer", "kontaktinbjudan"} <= set(sv["facilitator"])
                assert {"jamfor", "omgangar", "stang", "barometer", "rummet"} <= set(sv["all_chat_administrators"])
                # Configured-facilitator-only commands are not offered to group admins.
                assert not {"signatarer", "kontaktinbjudan", "osa"} & set(sv["all_chat_administrators"])
                assert {"delta", "rosta", "hjalp", "kontakt"} <= set(sv["all_private_chats"])
                assert "kontakt" not in sv["all_group_chats"]  # redeemed in a private chat only
                assert {"join", "vote", "help"} <= set(api.menu("all_private_chats", "en"))
                # The facilitator who never pressed Start got no menu, and the bot started anyway.
                assert api.menu({"type": "chat", "chat_id": NEW_FACILITATOR}) == []
                # Nothing is left in the default scope (earlier versions listed every command there).
                assert api.menu("default") == api.menu("default", "sv") == api.menu("default", "en") == []
                # Every list was accepted (names, lengths) as Telegram would.
                refused = [c for c in api.calls_to("setMyCommands") if c.status != 200]
                assert [c.params["scope"] for c in refused] == [{"type": "chat", "chat_id": NEW_FACILITATOR}]


async def test_description_says_what_the_bot_is_and_that_answers_are_pseudonymous(tmp_path: Path) -> None:
    async with TelegramStandIn(token=TOKEN) as api:
        async with running_app(tmp_path, telegram_token=TOKEN, telegram_api_base_url=api.root_url) as app:
            async with telegram_running(app):
                pass
        assert set(api.descriptions) == set(api.short_descriptions) == {"", "en"}
        assert "pseudonyma" in api.descriptions[""] and "Dialogbot" in api.descriptions[""]
        assert "pseudonymous" in api.descriptions["en"] and "Dialogbot" in api.descriptions["en"]
        assert "pseudonyma" in api.short_descriptions[""]
        assert "pseudonymous" in api.short_descriptions["en"]


async def test_the_stand_in_refuses_descriptions_over_telegrams_limits() -> None:
    async with TelegramStandIn(token=TOKEN) as api:
        bot = ExtBot(TOKEN, base_url=api.base_url, request=AiohttpRequest(pool_size=2))
        async with bot:
            assert await bot.set_my_description("x" * MAX_DESCRIPTION_LENGTH, language_code="en")
            assert (await bot.get_my_description("en")).description == "x" * MAX_DESCRIPTION_LENGTH
            with pytest.raises(BadRequest, match=r"(?i)too long"):
                await bot.set_my_description("x" * (MAX_DESCRIPTION_LENGTH + 1))
            assert await bot.set_my_short_description("y" * MAX_SHORT_DESCRIPTION_LENGTH)
            with pytest.raises(BadRequest, match=r"(?i)too long"):
                await bot.set_my_short_description("y" * (MAX_SHORT_DESCRIPTION_LENGTH + 1))
            with pytest.raises(BadRequest, match=r"(?i)language code"):
                await bot.set_my_description("z", language_code="sve")
        assert api.short_descriptions == {"": "y" * MAX_SHORT_DESCRIPTION_LENGTH}

