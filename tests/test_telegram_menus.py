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
from telegram import (
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
)
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.telegram.request import AiohttpRequest
from bot.telegram.runner import telegram_running
from facilitation.menu import menu_items
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
        async with running_app(
            tmp_path,
            telegram_token=TOKEN,
            telegram_api_base_url=api.root_url,
            group_admins_are_facilitators=True,
            facilitators={"telegram": [str(FACILITATOR), str(NEW_FACILITATOR)]},
        ) as app:
            async with telegram_running(app):
                conv = app.conversation
                items = menu_items(conv.command_table())
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
                    for spec in conv.command_table():
                        names_of_command, menu = spec.names, spec.menu
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
                assert {"jamfor", "omgangar", "stang", "barometer", "rummet"} <= set(
                    sv["all_chat_administrators"]
                )
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


GROUP = -1007001
PARTICIPANT, ADMIN = 51, 52  # ADMIN administers the group but is no facilitator


async def test_a_facilitator_sees_their_commands_in_the_room_and_nobody_else_does(tmp_path: Path) -> None:
    """Per-chat menus (BotCommandScopeChatMember): once a configured facilitator works in a group,
    its menu lists the room's facilitator commands for them alone; a participant and a group admin
    who leads nothing (``group_admins_are_facilitators`` off) see the participants' menu there."""
    async with TelegramStandIn(token=TOKEN) as api:
        api.set_admins(GROUP, [ADMIN])
        async with running_app(
            tmp_path,
            telegram_token=TOKEN,
            telegram_api_base_url=api.root_url,
            telegram_mode="polling",
            facilitators={"telegram": [str(FACILITATOR)]},
        ) as app:
            async with telegram_running(app):
                items = menu_items(app.conversation.command_table())
                for_facilitators = {i.menu.sv for i in items if i.facilitator_only}
                api.message_update(
                    FACILITATOR, GROUP, "/workshop varmland-2015 Rummet", language_code="sv", push=True
                )
                await api.wait_until(lambda: "stang" in api.shown_menu(GROUP, FACILITATOR, "sv"), within=15)
                api.message_update(PARTICIPANT, GROUP, "/hjalp", push=True)
                await api.wait_until(lambda: len(api.sent_messages(GROUP)) >= 3, within=15)
                room = {
                    who: set(api.shown_menu(GROUP, who, "sv")) for who in (FACILITATOR, PARTICIPANT, ADMIN)
                }
                # The facilitator: the room's facilitator commands and the participants' ones.
                assert {"stang", "barometer", "jamfor", "rummet", "rosta", "hjalp"} <= room[FACILITATOR]
                assert "processer" not in room[FACILITATOR]  # a private chat's command
                assert set(api.shown_menu(GROUP, FACILITATOR, "en")) >= {
                    "close",
                    "barometer",
                    "compare",
                    "vote",
                }
                # Nobody else in the room sees a facilitator's command.
                assert room[PARTICIPANT] & for_facilitators == set() and "rosta" in room[PARTICIPANT]
                assert room[ADMIN] == room[PARTICIPANT]
                # The facilitator's menu in another group and in private chats is the general one.
                assert "stang" not in api.shown_menu(GROUP - 1, FACILITATOR, "sv")
                scopes = [
                    c.params["scope"]
                    for c in api.calls_to("setMyCommands")
                    if c.params["scope"]["type"] == "chat_member"
                ]
                assert scopes == [{"type": "chat_member", "chat_id": GROUP, "user_id": FACILITATOR}] * 2


async def test_the_stand_in_resolves_menus_as_the_bot_api_documents() -> None:
    """The order Telegram documents: chat_member, chat_administrators (admins), chat,
    all_chat_administrators (admins), all_group_chats, default; a language's list before the
    list for every language; a member's scope only in a group or supergroup."""
    async with TelegramStandIn(token=TOKEN) as api:
        bot = ExtBot(TOKEN, base_url=api.base_url, request=AiohttpRequest(pool_size=2))
        api.set_admins(GROUP, [ADMIN])
        api.message_update(PARTICIPANT, GROUP, "hej")  # the group exists
        api.message_update(PARTICIPANT, PARTICIPANT, "/start")  # and the private chat
        async with bot:
            await bot.set_my_commands([("d", "d")])
            assert api.shown_menu(GROUP, PARTICIPANT) == ["d"]
            await bot.set_my_commands([("g", "g")], scope=BotCommandScopeAllGroupChats())
            await bot.set_my_commands([("a", "a")], scope=BotCommandScopeAllChatAdministrators())
            assert api.shown_menu(GROUP, PARTICIPANT) == ["g"] and api.shown_menu(GROUP, ADMIN) == ["a"]
            await bot.set_my_commands([("c", "c")], scope=BotCommandScopeChat(GROUP))
            assert api.shown_menu(GROUP, ADMIN) == ["c"] and api.shown_menu(GROUP + 1, ADMIN) == ["g"]
            await bot.set_my_commands([("ca", "ca")], scope=BotCommandScopeChatAdministrators(GROUP))
            await bot.set_my_commands([("m", "m")], scope=BotCommandScopeChatMember(GROUP, PARTICIPANT))
            await bot.set_my_commands(
                [("men", "men")], scope=BotCommandScopeChatMember(GROUP, PARTICIPANT), language_code="en"
            )
            assert api.shown_menu(GROUP, ADMIN) == ["ca"]
            assert api.shown_menu(GROUP, PARTICIPANT) == ["m"] and api.shown_menu(
                GROUP, PARTICIPANT, "en"
            ) == ["men"]
            assert api.shown_menu(PARTICIPANT, PARTICIPANT) == ["d"]  # a private chat: no group scopes
            with pytest.raises(BadRequest):
                await bot.set_my_commands(
                    [("x", "x")], scope=BotCommandScopeChatMember(PARTICIPANT, PARTICIPANT)
                )
