"""The ChatPort on Telegram, and the translation of Telegram updates into core events."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError

from bot.telegram.errors import port_errors, translate
from bot.textsplit import split_text, utf16_length
from facilitation.ports import (
    Attachment,
    ButtonEvent,
    ChatRef,
    CommandEvent,
    Event,
    GoneReason,
    Keyboard,
    MessageRef,
    PortDefaults,
    TextEvent,
    UserRef,
)

PLATFORM = "telegram"
MAX_TEXT = 4096  # sendMessage/editMessageText text, 1-4096 characters (Bot API reference)
MAX_CAPTION = 1024  # sendPhoto/sendDocument caption, 0-1024 characters (Bot API reference)
MAX_SUMMARY = 400  # a chart's one-line summary at the head of its caption: the caption keeps room
ANONYMOUS_ADMIN = "anonymous-admin:"  # the user id of a group's anonymous admins, followed by the chat id
MAX_ANSWER = 200  # answerCallbackQuery text, 0-200 characters (Bot API reference)
MAX_BUTTONS_PER_ROW = 8  # inline keyboard: clients show at most 8 buttons in a row
# What Telegram answers a send to a forum topic that was deleted (400 "Bad Request: message thread
# not found"; tdlib/telegram-bot-api#854); PTB drops the "Bad Request: " and capitalises.
THREAD_GONE = "message thread not found"
MAX_GONE_TOPICS = 1024

log = logging.getLogger(__name__)


def _markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in _wrapped(buttons)]
    )


def _wrapped(buttons: Keyboard) -> Keyboard:
    """Rows of at most :data:`MAX_BUTTONS_PER_ROW`, a long row cut into rows of even length.

    An 11-step scale becomes 6 + 5 rather than 8 + 3, so the buttons keep about one width.
    """
    rows: Keyboard = []
    for row in buttons:
        parts = math.ceil(len(row) / MAX_BUTTONS_PER_ROW) or 1
        width = math.ceil(len(row) / parts)
        rows.extend(row[i : i + width] for i in range(0, len(row), width))
    return rows


def _clip(text: str, limit: int) -> str:
    """Only for texts that cannot be split (an edit, a pop-up answer): the head, and an ellipsis."""
    return text if utf16_length(text) <= limit else split_text(text, limit - 1, utf16_length)[0] + "…"


class TelegramPort(PortDefaults):
    """Sends through PTB's bot (whose rate limiter paces requests)."""

    platform = PLATFORM

    # Telegram's client stops waiting for a button's answer after about 10 s and the Bot API refuses
    # to answer a query older than about 15 s: every press is answered within this many seconds,
    # also when the database stalls (see Conversation.handle).
    press_answer_within: float | None = 5.0

    def __init__(
        self, bot: Bot, group_edit_interval: float = 6.0, private_edit_interval: float = 1.5
    ) -> None:
        self.bot = bot
        self._webhook_replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.group_edit_interval = group_edit_interval
        self.private_edit_interval = private_edit_interval
        self._gone_topics: set[tuple[str, int]] = set()  # (chat id, topic) found deleted: post in General

    def _thread(self, chat: ChatRef) -> int | None:
        """The forum topic to post in (``message_thread_id``), or None for the chat itself."""
        thread = int(chat.thread_id) if chat.thread_id else None
        return None if (chat.chat_id, thread) in self._gone_topics else thread

    async def _in_topic(self, chat: ChatRef, send: Callable[[int | None], Awaitable[Message]]) -> Message:
        """``send`` to the chat's forum topic; if the topic was deleted since, to the group's General
        topic instead, and from then on (a room bound in a topic must not go quiet with it)."""
        thread = self._thread(chat)
        with port_errors():
            if thread is None:
                return await send(None)
            try:
                return await send(thread)
            except BadRequest as exc:
                if THREAD_GONE not in exc.message.lower():
                    raise
            if len(self._gone_topics) >= MAX_GONE_TOPICS:
                self._gone_topics.clear()
            self._gone_topics.add((chat.chat_id, thread))
            log.info("a forum topic the bot posted in was deleted: posting in the group's General topic")
            return await send(None)

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        """``text`` in as many messages as it takes (cut at line ends), the buttons under the last.

        Returns the last message, the one a later edit (the live tally) changes.
        """
        pieces = split_text(text, MAX_TEXT, utf16_length)
        message: Message | None = None
        for index, piece in enumerate(pieces):
            markup = _markup(buttons) if index == len(pieces) - 1 else None

            def send(
                thread: int | None, piece: str = piece, markup: InlineKeyboardMarkup | None = markup
            ) -> Awaitable[Message]:
                return self.bot.send_message(
                    int(chat.chat_id), piece, message_thread_id=thread, reply_markup=markup
                )

            message = await self._in_topic(chat, send)
        assert message is not None
        return MessageRef(chat, str(message.message_id))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        try:
            await self.bot.edit_message_text(
                _clip(text, MAX_TEXT),
                chat_id=int(message.chat.chat_id),
                message_id=int(message.message_id),
                reply_markup=_markup(buttons),
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():  # the same text again is no failure
                raise translate(exc) from exc
        except TelegramError as exc:
            raise translate(exc) from exc

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        """The chart with its one-line summary (``alt_text``, Telegram has no alt text of its own)
        first and as much of the caption as fits (whole lines, at most 1024 characters); the rest
        follows as text. A summary is cut to :data:`MAX_SUMMARY` so it always leads the photo."""
        summary = _one_line(alt_text, MAX_SUMMARY)
        head, rest = _caption_and_rest(f"{summary}\n{caption}" if summary else caption)
        message = await self._in_topic(
            chat,
            lambda thread: self.bot.send_photo(
                int(chat.chat_id), InputFile(png, filename=filename), caption=head, message_thread_id=thread
            ),
        )
        if rest:
            await self.send_text(chat, rest)
        return MessageRef(chat, str(message.message_id))

    def fits_on_file(self, text: str) -> bool:
        """A document's caption holds 1024 characters (counted in UTF-16, never too long) and takes
        an inline keyboard (sendDocument ``reply_markup``)."""
        return utf16_length(text) <= MAX_CAPTION

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        """The document with as much of the caption as fits; the rest follows as text. The
        attachment's buttons go under the last of these messages."""
        head, rest = _caption_and_rest(attachment.caption)
        markup = None if rest else _markup(attachment.buttons)
        message = await self._in_topic(
            chat,
            lambda thread: self.bot.send_document(
                int(chat.chat_id),
                InputFile(attachment.data, filename=attachment.filename),
                caption=head,
                message_thread_id=thread,
                reply_markup=markup,
            ),
        )
        if rest:
            await self.send_text(chat, rest, attachment.buttons)
        return MessageRef(chat, str(message.message_id))

    def expect_webhook_reply(self, press_id: str) -> asyncio.Future[dict[str, Any]]:
        """The answer to this press will be returned in the webhook's HTTP response.

        Telegram lets a bot answer a webhook update by replying with one method call; for a button
        press that saves a whole API request, the bot's biggest cost per vote.
        """
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._webhook_replies[press_id] = future
        return future

    def forget_webhook_reply(self, press_id: str) -> None:
        """The webhook stopped waiting: a later answer goes through the API instead."""
        self._webhook_replies.pop(press_id, None)

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        if not event.press_id:
            return
        clipped = _clip(text, MAX_ANSWER) if text else None
        waiting = self._webhook_replies.pop(event.press_id, None)
        if waiting is not None and not waiting.done():
            reply: dict[str, Any] = {"method": "answerCallbackQuery", "callback_query_id": event.press_id}
            if clipped:
                reply["text"] = clipped
            if alert:
                reply["show_alert"] = True
            waiting.set_result(reply)
            return
        with port_errors():
            await self.bot.answer_callback_query(event.press_id, text=clipped, show_alert=alert)

    def join_link(self, code: str) -> str | None:
        """The deep link that opens a private chat and joins in one tap (``/start CODE``)."""
        username = getattr(self.bot, "_bot_user", None) and self.bot.username
        return f"https://t.me/{username}?start={code}" if username else None

    def edit_interval(self, chat: ChatRef) -> float:
        return self.private_edit_interval if chat.is_private else self.group_edit_interval


def _one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` UTF-16 units with "…" (Telegram counts in UTF-16)."""
    line = " ".join(text.split())
    if utf16_length(line) <= limit:
        return line
    line = line[:limit]
    while line and utf16_length(line + "…") > limit:
        line = line[:-1]
    return line.rstrip() + "…"


def _caption_and_rest(caption: str) -> tuple[str, str]:
    """A caption that fits Telegram's limit, and what did not fit (sent as text right after)."""
    pieces = split_text(caption, MAX_CAPTION, utf16_length)
    return pieces[0], "\n".join(pieces[1:])


def to_event(update: Update, bot_username: str | None) -> Event | None:
    """The core event for a Telegram update, or None for updates the bot ignores."""
    query = update.callback_query
    if query is not None:
        message = query.message
        if message is None or query.from_user is None:
            return None
        chat = _chat(
            message.chat.id,
            message.chat.type,
            message.chat.title,
            _topic(getattr(message, "is_topic_message", None), getattr(message, "message_thread_id", None)),
        )
        return ButtonEvent(
            user=_user(query.from_user.id, query.from_user.first_name),
            chat=chat,
            data=query.data or "",
            message=MessageRef(chat, str(message.message_id)),
            press_id=query.id,
            delivery_id=query.id,
        )
    message = update.message
    if message is None or message.from_user is None or not message.text:
        return None
    chat = _chat(
        message.chat.id,
        message.chat.type,
        message.chat.title,
        _topic(message.is_topic_message, message.message_thread_id),
    )
    sender = message.sender_chat
    if sender is not None and sender.id == message.chat.id:
        user = anonymous_admin(chat)
    else:
        user = _user(message.from_user.id, message.from_user.first_name)
    text = message.text.strip()
    if text.startswith("/"):
        head, *args = text.split()
        name, _, addressee = head[1:].partition("@")
        if addressee and bot_username and addressee.lower() != bot_username.lower():
            return None  # a command for another bot in the group
        return CommandEvent(user, chat, name.lower(), tuple(args))
    if chat.is_private:
        return TextEvent(user, chat, text)
    return None


def button_event_from_json(data: dict) -> ButtonEvent | None:
    """The core event of a raw ``callback_query`` update, without building PTB objects.

    The hot path of a live workshop: ``Update.de_json`` costs about 0.3 ms per press (hundreds of
    objects for the message and its keyboard), more than the core's whole handling of the vote.
    Gives exactly what :func:`to_event` gives for the same update, or None when the update is not
    a well-formed button press (the caller then takes PTB's path).
    """
    query = data.get("callback_query")
    if not isinstance(query, dict):
        return None
    message, user = query.get("message"), query.get("from")
    if not isinstance(message, dict) or not isinstance(user, dict):
        return None
    chat = message.get("chat")
    try:
        if not isinstance(chat, dict) or "id" not in user or "message_id" not in message or "id" not in query:
            return None
        chat_ref = _chat(
            int(chat["id"]),
            str(chat.get("type", "")),
            chat.get("title"),
            _topic(message.get("is_topic_message"), message.get("message_thread_id")),
        )
        return ButtonEvent(
            user=_user(int(user["id"]), user.get("first_name")),
            chat=chat_ref,
            data=str(query.get("data") or ""),
            message=MessageRef(chat_ref, str(int(message["message_id"]))),
            press_id=str(query["id"]),
            delivery_id=str(query["id"]),
        )
    except (TypeError, ValueError):
        return None


def _chat(chat_id: int, chat_type: str, title: str | None = None, thread_id: str | None = None) -> ChatRef:
    return ChatRef(
        PLATFORM,
        str(chat_id),
        is_private=chat_type == ChatType.PRIVATE,
        title=title if isinstance(title, str) else None,
        thread_id=thread_id,
    )


def _topic(is_topic_message: object, message_thread_id: object) -> str | None:
    """The forum topic a message was written in, as the thread to answer in.

    Only a topic message counts: in a supergroup without topics ``message_thread_id`` names a
    reply thread, and sendMessage takes a thread id "for forum supergroups only".
    """
    if is_topic_message is True and isinstance(message_thread_id, int):
        return str(message_thread_id)
    return None


def chat_migration(update: Update) -> tuple[ChatRef, ChatRef] | None:
    """(old chat, new chat) for the service messages of a group upgraded to a supergroup.

    Telegram posts ``migrate_to_chat_id`` in the old group and ``migrate_from_chat_id`` in the new
    supergroup; either one is enough to move the room.
    """
    message = update.message
    if message is None:
        return None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return None
    title = message.chat.title
    return (ChatRef(PLATFORM, str(old), title=title), ChatRef(PLATFORM, str(new), title=title))


def bot_removed(update: Update) -> tuple[ChatRef, GoneReason] | None:
    """The group the bot was just removed from, and how (``my_chat_member``: its new status is
    "kicked" or "left"); None for any other update or a private chat (a person blocking the bot)."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return None
    status = change.new_chat_member.status
    if status == ChatMemberStatus.BANNED:
        reason = GoneReason.KICKED
    elif status == ChatMemberStatus.LEFT:
        reason = GoneReason.NOT_MEMBER
    else:
        return None
    return ChatRef(PLATFORM, str(change.chat.id), title=change.chat.title), reason


def anonymous_admin(chat: ChatRef) -> UserRef:
    """The author of a message an administrator sent anonymously as the group ``chat``.

    Telegram then sends ``sender_chat`` = the group and ``from`` = GroupAnonymousBot, one
    placeholder user for every anonymous admin of every group, so that id must not be the
    author: it would make one participant (one language, one forget-me, one sector) of all of
    them. Such a message is the group's admins speaking, so the author is "the anonymous admins
    of this group": an id of its own per group (an admin of that group, see
    :func:`is_anonymous_admin`). Their votes are no concern: a button press always carries the
    real user who pressed.
    """
    return UserRef(PLATFORM, f"{ANONYMOUS_ADMIN}{chat.chat_id}", chat.title or "")


def is_anonymous_admin(user: UserRef, chat: ChatRef) -> bool:
    """Whether ``user`` is the anonymous admins of ``chat`` (Telegram vouches: no lookup needed)."""
    return user.user_id == f"{ANONYMOUS_ADMIN}{chat.chat_id}"


def _user(user_id: int, name: str | None) -> UserRef:
    return UserRef(PLATFORM, str(user_id), name or "")
