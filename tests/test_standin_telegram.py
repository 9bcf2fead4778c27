"""The loopback Telegram Bot API stand-in, driven by the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.standins.telegram_api import ManualClock, RateLimits, TelegramStandIn
from tests.waiting import eventually

TOKEN = "123456:TEST-standin-token"
PRIVATE = 4242
GROUP = -1001234

# PTB 22.8's own RetryAfter.__init__ reads the deprecated int-valued ``retry_after``.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


def _bot(api: TelegramStandIn, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])


async def test_get_me_with_both_base_url_forms_and_bad_token() -> None:
    async with TelegramStandIn(token=TOKEN, bot_username="dialogbot_test") as api:
        async with _bot(api) as bot:
            assert bot.username == "dialogbot_test"
            assert bot.id == 123456
        async with Bot(TOKEN, base_url=api.base_url_template) as bot:
            assert (await bot.get_me()).is_bot
        with pytest.raises(InvalidToken):
            await _bot(api, token="999:wrong").get_me()
        assert [c.status for c in api.calls_to("getMe")] == [
            200,
            200,
            200,
            401,
        ]  # initialize() calls getMe too


async def test_unknown_method_and_raw_body_encodings() -> None:
    async with TelegramStandIn(token=TOKEN) as api, aiohttp.ClientSession() as http:
        async with http.post(api.method_url("frobnicate")) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(api.method_url("sendMessage"), json={"chat_id": PRIVATE, "text": "json"}) as r:
            assert (await r.json())["result"]["chat"] == {
                "id": PRIVATE,
                "type": "private",
                "first_name": "User",
            }
        async with http.post(api.method_url("sendmessage"), data={"chat_id": str(GROUP), "text": "123"}) as r:
            body = await r.json()
            assert body["result"]["text"] == "123" and body["result"]["chat"]["type"] == "supergroup"
        async with http.get(api.method_url("getMe")) as r:
            assert (await r.json())["result"]["username"] == "dialogbot_test"
        assert [c.method for c in api.calls] == ["frobnicate", "sendMessage", "sendMessage", "getMe"]


async def test_send_and_edit_messages() -> None:
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        first = await bot.send_message(PRIVATE, "hello", reply_markup=_keyboard("a"))
        second = await bot.send_message(PRIVATE, "again")
        other = await bot.send_message(GROUP, "group")
        assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
        assert first.reply_markup == _keyboard("a")
        assert first.from_user.username == "dialogbot_test"

        edited = await bot.edit_message_text(
            "edited", chat_id=PRIVATE, message_id=1, reply_markup=_keyboard("b")
        )
        assert edited.text == "edited" and edited.edit_date is not None
        assert api.messages[(PRIVATE, 1)].text == "edited"
        assert api.messages[(PRIVATE, 1)].reply_markup == _keyboard("b").to_dict()
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("edited", chat_id=PRIVATE, message_id=1, reply_markup=_keyboard("b"))
        await bot.edit_message_reply_markup(chat_id=PRIVATE, message_id=1)
        assert api.messages[(PRIVATE, 1)].reply_markup is None
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=PRIVATE, message_id=99)

        assert await bot.delete_message(PRIVATE, 2)
        assert [m.text for m in api.sent_messages(PRIVATE)] == ["edited", "again"]
        assert api.last_text(PRIVATE) == "edited"
        assert api.last_text(GROUP) == "group"


async def test_text_validation_and_long_callback_data() -> None:
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(PRIVATE, "   ")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(PRIVATE, "x" * 4097)
        await bot.send_message(PRIVATE, "x" * 4096)
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(PRIVATE, "menu", reply_markup=_keyboard("d" * 65))
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(PRIVATE, "menu", reply_markup=_keyboard("ä" * 33))  # 66 bytes
        await bot.send_message(PRIVATE, "menu", reply_markup=_keyboard("d" * 64))
        assert [c.status for c in api.calls_to("sendMessage")] == [400, 400, 200, 400, 400, 200]


async def test_photo_and_document_uploads() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        message = await bot.send_photo(PRIVATE, png, caption="chart")
        assert len(message.photo) == 3 and message.caption == "chart"
        assert api.calls_to("sendPhoto")[0].files == {"photo": png}
        file = await bot.get_file(message.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == png
        again = await bot.send_photo(GROUP, message.photo[-1].file_id)
        assert again.photo[-1].file_id == message.photo[-1].file_id

        doc = await bot.send_document(PRIVATE, b"a;b\n1;2\n", filename="export.csv")
        assert doc.document.file_name == "export.csv" and doc.document.file_size == 8
        assert api.calls_to("sendDocument")[0].files == {"document": b"a;b\n1;2\n"}
        with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
            await bot.send_photo(PRIVATE, png, caption="c" * 1025)


async def test_answer_callback_query() -> None:
    clock = ManualClock()
    async with TelegramStandIn(token=TOKEN, clock=clock) as api, _bot(api) as bot:
        sent = await bot.send_message(PRIVATE, "vote", reply_markup=_keyboard("yes"))
        update = Update.de_json(api.callback_update(PRIVATE, PRIVATE, sent.message_id, "yes"), bot)
        assert update.callback_query.data == "yes"
        assert update.callback_query.message.reply_markup == _keyboard("yes")
        query_id = update.callback_query.id
        with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
            await bot.answer_callback_query(query_id, text="t" * 201)
        assert await bot.answer_callback_query(query_id, text="t" * 200)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
            await bot.answer_callback_query("never-issued")

        api.expect_callback("late")
        clock.advance(16)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("late")

    async with TelegramStandIn(token=TOKEN, strict_callbacks=False) as api, _bot(api) as bot:
        assert await bot.answer_callback_query("anything")
        assert await bot.answer_callback_query("anything")


async def test_a_webhook_reply_is_carried_out_and_checked_like_a_call() -> None:
    async with TelegramStandIn(token=TOKEN) as api:
        query = api.callback_update(PRIVATE, PRIVATE, 1, "yes")["callback_query"]["id"]
        reply = {"method": "answerCallbackQuery", "callback_query_id": query, "text": "ok"}
        assert await api.carry_out_webhook_reply(reply) == 200
        assert await api.carry_out_webhook_reply(reply) == 400  # answered already
        assert (
            await api.carry_out_webhook_reply({"method": "answerCallbackQuery", "callback_query_id": "x"})
            == 400
        )
        assert await api.carry_out_webhook_reply({"method": "frobnicate"}) == 404
        assert [(c.method, c.status) for c in api.calls] == [
            ("answerCallbackQuery", 200),
            ("answerCallbackQuery", 400),
            ("answerCallbackQuery", 400),
            ("frobnicate", 404),
        ]
        assert api.calls[0].params == {"callback_query_id": query, "text": "ok"}


async def test_group_limit_raises_retry_after() -> None:
    clock = ManualClock()
    async with TelegramStandIn(token=TOKEN, clock=clock) as api, _bot(api) as bot:
        for i in range(19):
            await bot.send_message(GROUP, f"m{i}")
            clock.advance(0.5)
        await bot.edit_message_text("edit counts", chat_id=GROUP, message_id=1)
        # the oldest message was at t=0, now it is t=9.5
        with pytest.raises(RetryAfter, match="Retry in 51 seconds"):
            await bot.send_message(GROUP, "one too many")
        assert api.count_429 == 1
        # callbacks and other chats are unaffected
        assert await bot.send_message(GROUP - 1, "other group")
        clock.advance(51)
        assert await bot.send_message(GROUP, "window moved")
        assert api.calls[-1].status == 200


async def test_private_burst_and_overall_limit() -> None:
    clock = ManualClock()
    limits = RateLimits(overall_max=5)
    async with TelegramStandIn(token=TOKEN, clock=clock, limits=limits) as api, _bot(api) as bot:
        for i in range(3):
            await bot.send_message(PRIVATE, f"burst {i}")
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await bot.send_message(PRIVATE, "fourth")
        await bot.send_message(PRIVATE + 1, "a")
        await bot.send_message(PRIVATE + 2, "b")
        with pytest.raises(RetryAfter):
            await bot.send_message(PRIVATE + 3, "overall")
        clock.advance(1)
        await bot.send_message(PRIVATE + 3, "overall ok")
        assert api.count_429 == 2
    async with (
        TelegramStandIn(token=TOKEN, clock=clock, limits=RateLimits(enabled=False)) as api,
        _bot(api) as bot,
    ):
        for i in range(40):
            await bot.send_message(GROUP, f"unlimited {i}")
        assert api.count_429 == 0


async def test_polling_application_answers_command_and_callback() -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            f"hi {update.effective_user.first_name}", reply_markup=_keyboard("pick:1")
        )

    async def pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("picked")
        await update.callback_query.edit_message_text(f"you chose {update.callback_query.data}")

    async with TelegramStandIn(token=TOKEN) as api:
        app = Application.builder().token(TOKEN).base_url(api.base_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(pick))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=2))
            api.push_update(api.message_update(PRIVATE, PRIVATE, "/start", first_name="Ada"))
            await api.wait_until(lambda: api.last_text(PRIVATE) == "hi Ada")
            reply = api.sent_messages(PRIVATE)[-1]
            assert reply.message_id == 2  # the user's /start was message 1
            api.push_update(api.callback_update(PRIVATE, PRIVATE, reply.message_id, "pick:1"))
            await api.wait_until(lambda: api.last_text(PRIVATE) == "you chose pick:1")
            await app.updater.stop()
            await app.stop()
        assert [c.status for c in api.calls_to("answerCallbackQuery")] == [200]
        assert api.pending_updates == 0
        assert api.calls_to("deleteWebhook")


async def test_get_updates_offset_timeout_and_webhook_conflict() -> None:
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        assert await bot.get_updates(timeout=0) == ()
        api.push_update(api.message_update(1, 1, "one"))
        api.push_update(api.message_update(1, 1, "two"))
        first = await bot.get_updates(timeout=0)
        assert [u.message.text for u in first] == ["one", "two"]
        rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
        assert rest == ()

        polls = api._poll_generation
        waiter = asyncio.create_task(bot.get_updates(offset=first[-1].update_id + 1, timeout=5))
        await eventually(lambda: api._poll_generation > polls, what="the long poll to wait at the stand-in")
        api.push_update(api.message_update(1, GROUP, "/vote@dialogbot_test now", chat_type="supergroup"))
        (update,) = await asyncio.wait_for(waiter, 2)
        assert update.message.entities[0].type == "bot_command" and update.message.entities[0].length == 20
        assert update.message.chat.type == "supergroup"

        assert await bot.set_webhook("https://example.invalid/hook", drop_pending_updates=True)
        assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()


async def test_commands_members_and_chat_action() -> None:
    async with TelegramStandIn(token=TOKEN, admins={GROUP: [7]}) as api, _bot(api) as bot:
        api.set_admins(GROUP, [7, 8], owner=9)
        assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("vote", "Vote")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "vote"]
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Bad-Name", "x")])
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()

        assert (await bot.get_chat_member(GROUP, 7)).status == "administrator"
        assert (await bot.get_chat_member(GROUP, 9)).status == "creator"
        assert (await bot.get_chat_member(GROUP, 5)).status == "member"
        assert [m.user.id for m in await bot.get_chat_administrators(GROUP)] == [9, 7, 8]
        with pytest.raises(BadRequest, match=r"(?i)private chat"):
            await bot.get_chat_administrators(PRIVATE)
        assert await bot.send_chat_action(PRIVATE, "typing")


async def test_background_thread_mode() -> None:
    api = TelegramStandIn(token=TOKEN).start_in_thread()
    try:
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            polls = api._poll_generation
            waiter = asyncio.create_task(bot.get_updates(timeout=5))
            await eventually(
                lambda: api._poll_generation > polls, what="the long poll to wait at the stand-in"
            )
            api.push_update(api.message_update(PRIVATE, PRIVATE, "from main thread"))
            (update,) = await asyncio.wait_for(waiter, 2)
            assert update.message.text == "from main thread"
            await bot.send_message(PRIVATE, "reply")
            assert len(await api.wait_for_calls("sendMessage")) == 1
        assert api.last_text(PRIVATE) == "reply"
    finally:
        api.stop_thread()


async def test_throttle_next_answers_429_before_any_effect() -> None:
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        api.throttle_next("sendMessage", retry_after=3, times=2)
        for _ in range(2):
            with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
                await bot.send_message(PRIVATE, "not yet")
        assert api.sent_messages(PRIVATE) == []
        assert (await bot.send_message(PRIVATE, "now")).text == "now"
        assert [c.status for c in api.calls_to("sendMessage")] == [429, 429, 200]


async def test_lost_chats_refuse_as_telegram_does() -> None:
    """Kicked, deleted and upgraded groups answer every call with Telegram's own refusal."""
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        kept = await bot.send_message(-4001, "before")
        api.kick_bot(-4001)
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the group chat$"):
            await bot.send_message(-4001, "after")
        with pytest.raises(Forbidden, match="kicked"):
            await bot.edit_message_text("edit", chat_id=-4001, message_id=kept.message_id)
        api.kick_bot(GROUP)
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the supergroup chat$"):
            await bot.send_photo(GROUP, b"\x89PNG", caption="chart")
        api.delete_chat(-4002)
        with pytest.raises(BadRequest, match=r"^Chat not found$"):  # PTB drops "Bad Request: "
            await bot.send_message(-4002, "x")

        await bot.send_message(-4003, "in the basic group")
        new_id, updates = api.upgrade_group(-4003)
        assert new_id == -1004003
        assert updates[0]["message"]["migrate_to_chat_id"] == new_id
        assert updates[0]["message"]["chat"]["id"] == -4003
        assert updates[1]["message"]["migrate_from_chat_id"] == -4003
        assert updates[1]["message"]["chat"] == {"id": new_id, "type": "supergroup", "title": "Group -4003"}
        with pytest.raises(ChatMigrated) as moved:
            await bot.send_message(-4003, "x")
        assert moved.value.new_chat_id == new_id
        assert api.calls_to("sendMessage")[-1].status == 400
        assert (await bot.send_message(new_id, "in the supergroup")).chat.type == "supergroup"


async def test_a_person_who_never_started_the_bot_is_refused_until_their_start() -> None:
    """403 "bot can't initiate conversation with a user" for every private call until a private
    message from them (the Start button sends /start); a group message does not count."""
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        api.never_started(PRIVATE)
        cant = r"^Forbidden: bot can't initiate conversation with a user$"
        with pytest.raises(Forbidden, match=cant):
            await bot.send_message(PRIVATE, "hello")
        with pytest.raises(Forbidden, match=cant):
            await bot.send_document(PRIVATE, b"BEGIN:VCALENDAR", filename="m.ics")
        with pytest.raises(Forbidden, match=cant):
            await bot.send_photo(PRIVATE, b"\x89PNG")
        with pytest.raises(BadRequest, match=r"^Chat not found$"):
            await bot.set_my_commands([BotCommand("start", "Start")], scope=BotCommandScopeChat(PRIVATE))
        assert [c.status for c in api.calls_to("sendMessage")] == [403]
        api.message_update(PRIVATE, GROUP, "/vem")  # written in a group: still no private chat
        with pytest.raises(Forbidden, match=cant):
            await bot.send_message(PRIVATE, "hello")
        api.message_update(PRIVATE, PRIVATE, "/start")
        assert (await bot.send_message(PRIVATE, "now")).chat.id == PRIVATE
        # A block answers with its own words; Restart (a private /start) lifts it.
        api.block_bot(PRIVATE)
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
            await bot.send_message(PRIVATE, "blocked")
        api.message_update(PRIVATE, PRIVATE, "/start")
        assert await bot.send_message(PRIVATE, "again")


async def test_a_document_takes_a_caption_of_up_to_1024_characters_and_a_keyboard() -> None:
    """As the Bot API's sendDocument: ``caption`` 0-1024 characters and ``reply_markup``; a
    document has no text to edit (editMessageText is refused on it)."""
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        sent = await bot.send_document(
            PRIVATE, b"BEGIN:VCALENDAR", filename="m.ics", caption="c" * 1024, reply_markup=_keyboard("rv.1")
        )
        assert sent.caption == "c" * 1024 and sent.reply_markup == _keyboard("rv.1")
        [stored] = api.sent_messages(PRIVATE)
        assert stored.kind == "document" and stored.caption == "c" * 1024
        assert stored.reply_markup == {"inline_keyboard": [[{"text": "Go", "callback_data": "rv.1"}]]}
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_document(PRIVATE, b"BEGIN:VCALENDAR", filename="m.ics", caption="c" * 1025)
        with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
            await bot.edit_message_text("x", chat_id=PRIVATE, message_id=sent.message_id)


async def test_forum_topics_and_keyboard_limits() -> None:
    async with TelegramStandIn(token=TOKEN) as api, _bot(api) as bot:
        api.make_forum(GROUP, 7)
        update = api.message_update(PRIVATE, GROUP, "/status", message_thread_id=7)
        assert update["message"]["is_topic_message"] is True and update["message"]["message_thread_id"] == 7
        sent = await bot.send_message(GROUP, "in topic 7", message_thread_id=7)
        assert sent.message_thread_id == 7 and api.sent_messages(GROUP)[-1].thread_id == 7
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(GROUP, "x", message_thread_id=8)
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(-4001, "x", message_thread_id=7)  # not a forum

        def keyboard(*row_lengths: int) -> InlineKeyboardMarkup:
            return InlineKeyboardMarkup(
                [[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(n)] for n in row_lengths]
            )

        await bot.send_message(PRIVATE, "8 in a row", reply_markup=keyboard(8))
        with pytest.raises(BadRequest, match=r"(?i)too many buttons in a row"):
            await bot.send_message(PRIVATE, "9 in a row", reply_markup=keyboard(9))
        await bot.send_message(PRIVATE, "100", reply_markup=keyboard(*[5] * 20))
        with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
            await bot.send_message(PRIVATE, "101", reply_markup=keyboard(*[5] * 20, 1))
        with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
            await bot.send_photo(PRIVATE, b"\x89PNG", caption="c" * 1025)
        await bot.send_photo(PRIVATE, b"\x89PNG", caption="c" * 1024)
