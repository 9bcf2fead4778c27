"""Loopback stand-in of the Telegram Bot API (aiohttp.web) for tests and benchmarks.

Drives the real python-telegram-bot ``Bot``/``Application``::

    async with TelegramStandIn(token=TOKEN) as api:
        app = Application.builder().token(TOKEN).base_url(api.base_url).build()

PTB 22.8 builds request URLs as ``f"{base_url}{token}/{method}"`` when ``base_url`` has no
placeholder, or ``base_url.format(token=token) + "/" + method`` when it contains ``{token}``;
both ``api.base_url`` (``http://127.0.0.1:PORT/bot``) and ``api.base_url_template``
(``http://127.0.0.1:PORT/bot{token}``) work. File downloads use ``api.base_file_url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]

GROUP_ANONYMOUS_BOT_ID = 1087968824  # the "from" of every anonymous group admin's message (Bot API docs)
CHANNEL_BOT_ID = 136817688  # the "from" of a message sent in a group on behalf of a channel
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_KEYBOARD_BUTTONS = 100  # inline keyboard buttons in all (tginfo/Telegram-Limits#228)
# Buttons in one inline keyboard row. The Bot API reference names no limit; the widely reported
# cap is 8 (tginfo/Telegram-Limits#228), past which clients show an incomplete row. The stand-in
# refuses a longer row, so a test sees what a user would silently miss.
MAX_BUTTONS_PER_ROW = 8

KICKED = "Forbidden: bot was kicked from the {kind} chat"  # kind: "group" or "supergroup"
NOT_MEMBER = "Forbidden: bot is not a member of the supergroup chat"
CHAT_NOT_FOUND = "Bad Request: chat not found"
# Bot API reference: setMyDescription "0-512 characters", setMyShortDescription "0-120 characters";
# BotCommandScope types.
MAX_DESCRIPTION_LENGTH = 512
MAX_SHORT_DESCRIPTION_LENGTH = 120
COMMAND_SCOPES = (
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
)
BLOCKED = "Forbidden: bot was blocked by the user"
# A person the bot knows (from a group) but who never pressed Start in a private chat with it: bots
# cannot write first (telegraf/telegraf#15, lnp2pBot/bot#159, TelegramBotAPI/errors#2).
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"  # + parameters.migrate_to_chat_id
THREAD_NOT_FOUND = "Bad Request: message thread not found"

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)

# Methods that send a new message (count toward every limit) and edits (see RateLimits).
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})

# Form/multipart values arrive as strings; these are decoded like the Bot API does.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"timeout"})
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
    }
)


@dataclass(frozen=True)
class RateLimits:
    """Telegram-like limits, enforced with sliding windows over the stand-in's clock.

    Private chats (chat_id > 0) allow ``private_max`` messages per ``private_period`` seconds
    (1/s on average, bursts of 3). Groups/supergroups (chat_id < 0) allow ``group_max`` per
    ``group_period``. Edits (editMessageText/editMessageReplyMarkup) count toward the group window
    and the overall window (as PTB's AIORateLimiter counts them) but not toward the private window.
    answerCallbackQuery, getUpdates and all other methods are never limited.
    """

    enabled: bool = True
    overall_max: int = 30
    overall_period: float = 1.0
    private_max: int = 3
    private_period: float = 3.0
    group_max: int = 20
    group_period: float = 60.0
    edits_count_in_groups: bool = True
    edits_count_overall: bool = True


@dataclass
class Call:
    """One recorded Bot API request."""

    method: str
    params: JSONDict
    files: dict[str, bytes]
    at: float
    status: int


@dataclass
class StoredMessage:
    """Current server-side state of one message (edits and deletions are applied in place)."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    text: str | None = None
    caption: str | None = None
    reply_markup: JSONDict | None = None
    kind: str = "text"
    edit_date: int | None = None
    deleted: bool = False
    user_id: int | None = None
    file_ids: list[str] = field(default_factory=list)
    thread_id: int | None = None


class ManualClock:
    """Injectable clock for rate-limit tests: ``clock()`` returns the time, ``advance(s)`` moves it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        data: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _coerce(name: str, value: Any) -> Any:
    """Decode a form/multipart string value into the type the Bot API would parse."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {name} JSON object") from None
    if name in _INT_FIELDS:
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    if name in _FLOAT_FIELDS:
        with contextlib.suppress(ValueError):
            return float(value)
        return value
    if name in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


def _infer_chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


class TelegramStandIn:
    """Loopback HTTP server imitating the Bot API; use ``async with`` or ``start_in_thread()``."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "dialogbot_test",
        *,
        bot_first_name: str = "Dialogbot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        limits: RateLimits | None = None,
        strict_callbacks: bool = True,
        callback_timeout: float = 15.0,
        admins: dict[int, Iterable[int]] | None = None,
        webhook_timeout: float = 10.0,
        redelivery_delay: float = 0.05,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1234567
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        self.clock = clock
        self.limits = limits or RateLimits()
        self.strict_callbacks = strict_callbacks
        self.callback_timeout = callback_timeout

        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.sent: list[StoredMessage] = []
        self.commands: dict[str, list[JSONDict]] = {}
        # setMyDescription / setMyShortDescription by language code ("" = the default).
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.webhook: JSONDict | None = None
        # Where webhook POSTs really go (the URL the bot registers is its public address); with
        # none, pushed updates wait for getUpdates or for a test to POST them itself.
        self.webhook_targets: list[str] = []
        self.webhook_timeout = webhook_timeout
        self.redelivery_delay = redelivery_delay
        self.webhook_deliveries: list[tuple[int, str]] = []  # (update_id, "ok"/"lost"/"status 5xx"/"timeout")
        self._replies_to_lose = 0
        self._delivering: dict[int, asyncio.Task[None]] = {}
        self._delivery_turn = itertools.count()
        self._http: Any = None
        self.admins: dict[int, set[int]] = {c: set(u) for c, u in (admins or {}).items()}
        self.owners: dict[int, int] = {}
        self._throttled: dict[str, deque[int]] = {}

        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._message_ids: dict[int, int] = {}
        self._callbacks: dict[str, float] = {}
        self._callback_seq = itertools.count(1)
        self._file_seq = itertools.count(1)
        self._files: dict[str, tuple[bytes | None, str]] = {}
        self._mime: dict[str, str] = {}
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._gone: dict[int, _ApiError] = {}  # chats the bot can no longer reach, and how they refuse
        self._not_started: set[int] = set()  # people who never pressed Start in a private chat with the bot
        self._topics: dict[int, set[int]] = {}  # forum supergroup -> its topics' message_thread_id
        self._windows: dict[tuple[str, int], deque[float]] = {}
        self._update_event = asyncio.Event()
        self._call_event = asyncio.Event()
        self._poll_generation = 0
        self._closing = False

        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[JSONDict, dict[str, bytes], JSONDict], Any]] = {
            name.lower(): getattr(self, f"_m_{name}")
            for name in (
                "getMe",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "sendPhoto",
                "sendDocument",
                "answerCallbackQuery",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "setMyDescription",
                "getMyDescription",
                "setMyShortDescription",
                "getMyShortDescription",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "getUpdates",
                "getChatMember",
                "getChatAdministrators",
                "sendChatAction",
                "deleteMessage",
                "getFile",
            )
        }
        self._canonical = {name.lower(): name for name in (f.__name__[3:] for f in self._methods.values())}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> TelegramStandIn:
        """Start serving on the running loop; ``port=0`` picks a free port."""
        self._loop = asyncio.get_running_loop()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Wake long polls and shut the server down."""
        self._closing = True
        self._notify()
        for task in list(self._delivering.values()):
            task.cancel()
        await asyncio.gather(*self._delivering.values(), return_exceptions=True)
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self, timeout: float = 10.0) -> TelegramStandIn:
        """Run the server in a daemon thread with its own event loop; returns once it listens."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # reported to the caller
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="telegram-standin", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("Telegram stand-in did not start")
        if errors:
            raise errors[0]
        return self

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop a server started with :meth:`start_in_thread`."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None

    def __enter__(self) -> TelegramStandIn:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.stop_thread()

    # ------------------------------------------------------------------ URLs

    @property
    def root_url(self) -> str:
        """``http://host:port`` of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Application.builder().base_url(...)``: PTB appends the token itself."""
        return f"{self.root_url}/bot"

    @property
    def base_url_template(self) -> str:
        """The ``{token}`` placeholder form of :attr:`base_url`."""
        return f"{self.root_url}/bot{{token}}"

    @property
    def base_file_url(self) -> str:
        """For ``.base_file_url(...)`` (getFile downloads)."""
        return f"{self.root_url}/file/bot"

    def method_url(self, method: str) -> str:
        """Full URL of one method, e.g. for raw HTTP clients."""
        return f"{self.base_url}{self.token}/{method}"

    # ------------------------------------------------------------------ inspection helpers

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def count_429(self) -> int:
        """How many calls were refused with 429."""
        return sum(1 for c in self.calls if c.status == 429)

    def sent_messages(self, chat_id: int) -> list[StoredMessage]:
        """Messages the bot sent to ``chat_id`` (current state, deleted ones flagged)."""
        return [m for m in self.sent if m.chat_id == chat_id]

    def last_text(self, chat_id: int) -> str | None:
        """Current text (or caption) of the last message the bot sent to ``chat_id``."""
        for message in reversed(self.sent):
            if message.chat_id == chat_id and not message.deleted:
                return message.text if message.text is not None else message.caption
        return None

    async def wait_until(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``predicate()`` holds, re-checking after every recorded call.

        Raises ``TimeoutError`` after ``within`` seconds.
        """
        same_loop = self._loop is asyncio.get_running_loop()
        async with asyncio.timeout(within):
            while not predicate():
                if same_loop:
                    await self._call_event.wait()
                else:  # server in another thread: its events cannot wake this loop
                    await asyncio.sleep(0.01)

    async def wait_for_calls(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""
        await self.wait_until(lambda: len(self.calls_to(method)) >= count, within)
        return self.calls_to(method)

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed through getUpdates' offset."""
        return len(self._updates)

    def set_admins(self, chat_id: int, user_ids: Iterable[int], *, owner: int | None = None) -> None:
        """Configure getChatMember/getChatAdministrators for a group."""
        self.admins[chat_id] = set(user_ids)
        if owner is not None:
            self.owners[chat_id] = owner

    # ------------------------------------------------------------------ chats the bot loses

    def kick_bot(self, chat_id: int, by: int = 1, *, push: bool = False) -> JSONDict:
        """The bot is removed from a group: every call for it answers 403 "bot was kicked".

        Returns the ``my_chat_member`` update Telegram sends about it (the bot's new status
        "kicked", ``by`` the admin who removed it); a bot receives it only when its
        ``allowed_updates`` name ``my_chat_member``.
        """
        kind = self._chat(chat_id)["type"]
        self._gone[chat_id] = _ApiError(
            403, KICKED.format(kind="supergroup" if kind == "supergroup" else "group")
        )
        return self.member_update(chat_id, "member", "kicked", by, push=push)

    def member_update(self, chat_id: int, old: str, new: str, by: int = 1, *, push: bool = False) -> JSONDict:
        """A ``my_chat_member`` update: the bot's status in ``chat_id`` changed from ``old`` to ``new``."""
        bot = self.bot_user()
        update = {
            "update_id": next(self._update_ids),
            "my_chat_member": {
                "chat": dict(self._chat(chat_id)),
                "date": int(time.time()),
                "from": self._users.get(by, {"id": by, "is_bot": False, "first_name": f"User {by}"}),
                "old_chat_member": {"status": old, "user": bot},
                "new_chat_member": {
                    "status": new,
                    "user": bot,
                    **({"until_date": 0} if new == "kicked" else {}),
                },
            },
        }
        return self.push_update(update) if push else update

    def block_bot(self, user_id: int) -> None:
        """A person blocks the bot: every send to their private chat answers 403 "bot was blocked"."""
        self._gone[user_id] = _ApiError(403, BLOCKED)

    def unblock_bot(self, user_id: int) -> None:
        """The person starts the bot again (or it is added back): sends to the chat work again."""
        self._gone.pop(user_id, None)

    def never_started(self, user_id: int) -> None:
        """A person who has not pressed Start in a private chat with the bot (they may be in its
        groups): every call for their private chat answers 403 "bot can't initiate conversation
        with a user", a ``chat`` command scope for it 400 "chat not found", until the stand-in sees
        a private message from them (:meth:`message_update` in their chat: the Start button sends
        ``/start``)."""
        self._not_started.add(user_id)

    def _started(self, user_id: int, chat_id: int, chat_type: str) -> None:
        """A private message from the person: they pressed Start (or Restart, which unblocks)."""
        if chat_type != "private" or chat_id != user_id:
            return
        self._not_started.discard(user_id)
        if self._gone.get(user_id) is not None and self._gone[user_id].description == BLOCKED:
            del self._gone[user_id]

    def delete_chat(self, chat_id: int) -> None:
        """The group is deleted: every call for it answers 400 "chat not found"."""
        self._gone[chat_id] = _ApiError(400, CHAT_NOT_FOUND)

    def upgrade_group(
        self, chat_id: int, new_chat_id: int | None = None, *, push: bool = False
    ) -> tuple[int, list[JSONDict]]:
        """Turn a basic group into a supergroup with a new id, as Telegram does.

        The old id then answers every call with 400 "group chat was upgraded to a supergroup chat"
        and ``parameters.migrate_to_chat_id``; returns the new id and the two service-message
        updates Telegram sends (``migrate_to_chat_id`` in the old group, ``migrate_from_chat_id`` in
        the new supergroup), queued for getUpdates too when ``push``.
        """
        old = self._chat(chat_id)
        if old["type"] != "group":
            raise ValueError("only a basic group can be upgraded")
        new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(chat_id)}")
        self._chats[new_id] = {"id": new_id, "type": "supergroup", "title": old["title"]}
        self._gone[chat_id] = _ApiError(400, UPGRADED, {"migrate_to_chat_id": new_id})
        updates = [
            self._service_update(chat_id, {"migrate_to_chat_id": new_id}),
            self._service_update(new_id, {"migrate_from_chat_id": chat_id}),
        ]
        if push:
            for update in updates:
                self.push_update(update)
        return new_id, updates

    def make_forum(self, chat_id: int, *topics: int) -> None:
        """Make a supergroup a forum with these topics (their ``message_thread_id``)."""
        chat = self._chat(chat_id)
        if chat["type"] != "supergroup":
            raise ValueError("only a supergroup can be a forum")
        chat["is_forum"] = True
        self._topics.setdefault(chat_id, set()).update(topics)

    def delete_topic(self, chat_id: int, topic: int) -> None:
        """A forum topic is deleted: a send to it answers 400 "message thread not found"."""
        self._topics.get(chat_id, set()).discard(topic)

    def _service_update(self, chat_id: int, fields: JSONDict) -> JSONDict:
        message = {
            "message_id": self._next_message_id(chat_id),
            "from": self._users.get(
                next(iter(self._users), 0), {"id": 1, "is_bot": False, "first_name": "Admin"}
            ),
            "chat": dict(self._chats[chat_id]),
            "date": int(time.time()),
            **fields,
        }
        return {"update_id": next(self._update_ids), "message": message}

    def throttle_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``retry_after`` (a flood wait),
        whatever the windows say: Telegram also throttles for reasons a client cannot see."""
        self._throttled.setdefault(method.lower(), deque()).extend([retry_after] * times)

    def lose_webhook_replies(self, count: int = 1) -> None:
        """The bot's answers to the next ``count`` webhook deliveries never reach "Telegram".

        As when the connection drops after the bot handled the update (a proxy timeout, a
        network cut): the update counts as undelivered, a method in the reply is not carried
        out, and the same update (same ``update_id``) is delivered again.
        """
        self._replies_to_lose += count

    def redeliver(self, update: JSONDict) -> JSONDict:
        """Queue ``update`` again with its ``update_id``: a polling bot died before its next
        getUpdates confirmed it, so Telegram hands it to whoever polls next."""
        return self.push_update(update)

    def expect_callback(self, callback_id: str) -> None:
        """Register a callback query id that answerCallbackQuery will accept once."""
        self._callbacks[callback_id] = self.clock()

    # ------------------------------------------------------------------ update factories

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates (thread-safe); assigns ``update_id`` when missing."""
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        elif update["update_id"] >= self._last_update_id:
            self._update_ids = itertools.count(update["update_id"] + 1)
        self._last_update_id = max(self._last_update_id, update["update_id"])
        loop = self._loop
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if loop is not None and current is not loop and loop.is_running():
            loop.call_soon_threadsafe(self._enqueue, update)
        else:
            self._enqueue(update)
        return update

    def message_update(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        chat_type: str | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        push: bool = False,
    ) -> JSONDict:
        """A ``message`` update as Telegram sends it (bot_command entity for "/..." text).

        ``message_thread_id``: written in that topic of a forum supergroup (see :meth:`make_forum`).
        """
        user = self._remember_user(user_id, first_name, last_name, username, language_code)
        chat = self._remember_chat(chat_id, chat_type, chat_title, user)
        self._started(user_id, chat_id, chat["type"])
        stored = StoredMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            date=int(time.time()),
            from_bot=False,
            text=text,
            user_id=user_id,
        )
        self.messages[(chat_id, stored.message_id)] = stored
        message: JSONDict = {
            "message_id": stored.message_id,
            "from": user,
            "chat": chat,
            "date": stored.date,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to_message_id is not None and (chat_id, reply_to_message_id) in self.messages:
            message["reply_to_message"] = self._message_dict(self.messages[(chat_id, reply_to_message_id)])
        if message_thread_id is not None:
            if message_thread_id not in self._topics.get(chat_id, set()):
                raise ValueError("no such topic: call make_forum(chat_id, topic) first")
            stored.thread_id = message_thread_id
            message.update(message_thread_id=message_thread_id, is_topic_message=True)
        update = {"update_id": next(self._update_ids), "message": message}
        return self.push_update(update) if push else update

    def anonymous_admin_update(
        self, chat_id: int, text: str, *, author_signature: str | None = None, push: bool = False
    ) -> JSONDict:
        """A message an administrator sent anonymously "as the group", as Telegram delivers it.

        ``from`` is the placeholder user GroupAnonymousBot (the same id in every group) and
        ``sender_chat`` is the group itself: the bot cannot know which administrator wrote.
        """
        update = self.message_update(
            GROUP_ANONYMOUS_BOT_ID,
            chat_id,
            text,
            first_name="Group",
            username="GroupAnonymousBot",
            language_code=None,
        )
        message = update["message"]
        message["from"]["is_bot"] = True
        message["sender_chat"] = {k: v for k, v in message["chat"].items() if k in ("id", "type", "title")}
        if author_signature:
            message["author_signature"] = author_signature
        self.messages[(chat_id, message["message_id"])].user_id = GROUP_ANONYMOUS_BOT_ID
        return self.push_update(update) if push else update

    def sent_as_channel_update(
        self, chat_id: int, channel_id: int, text: str, *, push: bool = False
    ) -> JSONDict:
        """A message someone sent in group ``chat_id`` on behalf of their channel ``channel_id``.

        ``sender_chat`` is that channel and ``from`` the placeholder Channel_Bot: not the group's
        anonymous admins, whoever wrote it.
        """
        update = self.message_update(
            CHANNEL_BOT_ID, chat_id, text, first_name="Channel", username="Channel_Bot", language_code=None
        )
        message = update["message"]
        message["from"]["is_bot"] = True
        message["sender_chat"] = {"id": channel_id, "type": "channel", "title": f"Channel {channel_id}"}
        return self.push_update(update) if push else update

    def callback_update(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        chat_type: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        callback_id: str | None = None,
        push: bool = False,
    ) -> JSONDict:
        """A ``callback_query`` update; registers its id so answerCallbackQuery accepts it once."""
        user = self._remember_user(user_id, first_name, None, username, "en")
        chat = self._remember_chat(chat_id, chat_type, None, user)
        stored = self.messages.get((chat_id, message_id))
        if stored is not None:
            message = self._message_dict(stored)
        else:
            message = {
                "message_id": message_id,
                "from": self.bot_user(),
                "chat": chat,
                "date": int(time.time()),
            }
        query_id = callback_id or str(4_000_000_000_000_000_000 + next(self._callback_seq))
        self.expect_callback(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(abs(chat_id) * 7919 + 17),
            "data": data,
        }
        update = {"update_id": next(self._update_ids), "callback_query": query}
        return self.push_update(update) if push else update

    make_message_update = message_update
    make_callback_update = callback_update

    def bot_user(self) -> JSONDict:
        """The bot's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        at = self.clock()
        method = request.match_info["method"]
        try:
            if request.match_info["token"] != self.token:
                raise _ApiError(401, "Unauthorized")
            if method.lower() not in self._methods:
                raise _ApiError(404, "Not Found: method not found")
            params, files, meta = await self._parse(request)
        except _ApiError as exc:
            self._record(
                Call(
                    method=self._canonical.get(method.lower(), method),
                    params={},
                    files={},
                    at=at,
                    status=exc.status,
                )
            )
            return web.json_response(exc.body(), status=exc.status)
        status, body = await self._dispatch(method, params, files, meta, at)
        return web.json_response(body, status=status)

    async def carry_out_webhook_reply(self, reply: JSONDict) -> int:
        """Carry out the method a webhook reply names, as Telegram does; returns the status.

        The call is checked and recorded exactly as if it had come over HTTP (Telegram does not
        tell the bot how a webhook-reply call went; the status is for the test).
        """
        at = self.clock()
        method = str(reply.get("method", ""))
        params = {k: _coerce(k, v) for k, v in reply.items() if k != "method"}
        if method.lower() not in self._methods:
            self._record(Call(method=method, params=params, files={}, at=at, status=404))
            return 404
        status, _body = await self._dispatch(method, params, {}, {}, at)
        return status

    async def _dispatch(
        self, method: str, params: JSONDict, files: dict[str, bytes], meta: JSONDict, at: float
    ) -> tuple[int, JSONDict]:
        method = self._canonical[method.lower()]
        try:
            throttled = self._throttled.get(method.lower())
            if throttled:
                retry = throttled.popleft()
                raise _ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
            result = self._methods[method.lower()](params, files, meta)
            if asyncio.iscoroutine(result):
                result = await result
            status, body = 200, {"ok": True, "result": result}
        except _ApiError as exc:
            status, body = exc.status, exc.body()
        self._record(Call(method=method, params=params, files=files, at=at, status=status))
        return status, body

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        event, self._call_event = self._call_event, asyncio.Event()
        event.set()

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        for content, file_path in self._files.values():
            if file_path == path and content is not None:
                return web.Response(body=content)
        return web.json_response(_ApiError(404, "Not Found").body(), status=404)

    async def _parse(self, request: web.Request) -> tuple[JSONDict, dict[str, bytes], JSONDict]:
        """Read query string plus JSON, urlencoded or multipart body; ``meta`` keeps file names."""
        params: JSONDict = {k: _coerce(k, v) for k, v in request.query.items()}
        files: dict[str, bytes] = {}
        meta: JSONDict = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise _bad("can't parse JSON object")
                # Like the Bot API, accept nested objects either as JSON or as JSON-encoded strings.
                params.update({k: _coerce(k, v) for k, v in body.items()})
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = value.file.read()
                        meta[key] = {"file_name": value.filename, "mime_type": value.content_type}
                    else:
                        params[key] = _coerce(key, value)
        return params, files, meta

    def _enqueue(self, update: JSONDict) -> None:
        self._updates.append(update)
        self._notify()
        self._deliver_pending()

    # ------------------------------------------------------------------ webhook delivery

    def _deliver_pending(self) -> None:
        """POST every queued update to the webhook (one task per update, as Telegram's connections)."""
        if not self.webhook or not self.webhook_targets or self._closing:
            return
        for update in self._updates:
            update_id = update["update_id"]
            if update_id not in self._delivering:
                self._delivering[update_id] = asyncio.get_running_loop().create_task(self._deliver(update))

    async def _deliver(self, update: JSONDict) -> None:
        """Deliver until the bot answers 2xx in time; then carry out a method in its reply.

        Telegram sends an update again when the webhook answers anything else, does not answer
        within its timeout, or the answer is lost: the same ``update_id`` then arrives again,
        possibly at another process behind the same URL (the targets take turns).
        """
        import aiohttp

        update_id = update["update_id"]
        try:
            while self.webhook and not self._closing:
                targets = self.webhook_targets
                target = targets[next(self._delivery_turn) % len(targets)]
                headers = {"Content-Type": "application/json"}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(self.webhook["secret_token"])
                if self._http is None:
                    self._http = aiohttp.ClientSession()
                try:
                    async with self._http.post(
                        target,
                        data=json.dumps(update),
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
                    ) as r:
                        body = await r.read()
                        outcome = "ok" if 200 <= r.status < 300 else f"status {r.status}"
                except (TimeoutError, aiohttp.ClientError):
                    outcome = "timeout"
                if outcome == "ok" and self._replies_to_lose > 0:
                    self._replies_to_lose -= 1
                    outcome = "lost"
                self.webhook_deliveries.append((update_id, outcome))
                if outcome == "ok":
                    self._updates = [u for u in self._updates if u["update_id"] != update_id]
                    reply = json.loads(body) if body.strip().startswith(b"{") else None
                    if isinstance(reply, dict) and "method" in reply:
                        await self.carry_out_webhook_reply(reply)
                    self._record_delivery()
                    return
                self._record_delivery()
                await asyncio.sleep(self.redelivery_delay)
        finally:
            self._delivering.pop(update_id, None)

    def _record_delivery(self) -> None:
        """Wake :meth:`wait_until` waiters (a delivery is an event tests wait for, like a call)."""
        event, self._call_event = self._call_event, asyncio.Event()
        event.set()

    def _notify(self) -> None:
        event, self._update_event = self._update_event, asyncio.Event()
        event.set()

    # ------------------------------------------------------------------ state helpers

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _remember_user(
        self, user_id: int, first_name: str, last_name: str | None, username: str | None, lang: str | None
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if lang:
            user["language_code"] = lang
        self._users[user_id] = user
        return user

    def _remember_chat(
        self, chat_id: int, chat_type: str | None, title: str | None, user: JSONDict
    ) -> JSONDict:
        chat_type = chat_type or self._chats.get(chat_id, {}).get("type") or _infer_chat_type(chat_id)
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = user["first_name"]
            if "username" in user:
                chat["username"] = user["username"]
        else:
            chat["title"] = title or self._chats.get(chat_id, {}).get("title") or f"Group {chat_id}"
        if self._chats.get(chat_id, {}).get("is_forum"):
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        return chat

    def _chat(self, chat_id: Any) -> JSONDict:
        if not isinstance(chat_id, int):
            raise _bad("chat not found")
        if chat_id not in self._chats:
            chat: JSONDict = {"id": chat_id, "type": _infer_chat_type(chat_id)}
            if chat["type"] == "private":
                chat["first_name"] = self._users.get(chat_id, {}).get("first_name", "User")
            else:
                chat["title"] = f"Group {chat_id}"
            self._chats[chat_id] = chat
        return self._chats[chat_id]

    def _reachable(self, chat_id: Any) -> JSONDict:
        """The chat a method addresses, or the refusal Telegram gives for a chat the bot lost (or,
        for a person who never pressed Start, never had)."""
        if isinstance(chat_id, int) and chat_id in self._gone:
            raise self._gone[chat_id]
        if isinstance(chat_id, int) and chat_id in self._not_started:
            raise _ApiError(403, CANT_INITIATE)
        return self._chat(chat_id)

    def _topic_of(self, chat: JSONDict, thread_id: Any) -> int | None:
        """A ``message_thread_id`` checked like Telegram: a topic of a forum supergroup, else refused."""
        if thread_id is None:
            return None
        if not isinstance(thread_id, int) or thread_id not in self._topics.get(chat["id"], set()):
            raise _ApiError(400, THREAD_NOT_FOUND)
        return thread_id

    def _message_dict(self, m: StoredMessage) -> JSONDict:
        sender = (
            self.bot_user()
            if m.from_bot
            else self._users.get(m.user_id or 0, {"id": m.user_id, "is_bot": False, "first_name": "User"})
        )
        data: JSONDict = {
            "message_id": m.message_id,
            "from": sender,
            "chat": self._chat(m.chat_id),
            "date": m.date,
        }
        if m.edit_date is not None:
            data["edit_date"] = m.edit_date
        if m.text is not None:
            data["text"] = m.text
        if m.caption is not None:
            data["caption"] = m.caption
        if m.kind == "photo":
            data["photo"] = [self._photo_size(fid, i) for i, fid in enumerate(m.file_ids)]
        elif m.kind == "document":
            fid = m.file_ids[0]
            data["document"] = self._document(fid)
        if m.reply_markup is not None:
            data["reply_markup"] = m.reply_markup
        if m.thread_id is not None:
            data["message_thread_id"] = m.thread_id
            data["is_topic_message"] = True
        return data

    def _photo_size(self, file_id: str, index: int) -> JSONDict:
        side = (90, 320, 800)[index % 3]
        content = self._files.get(file_id, (None, ""))[0]
        size: JSONDict = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id[-10:]}",
            "width": side,
            "height": side,
        }
        if content is not None:
            size["file_size"] = len(content)
        return size

    def _document(self, file_id: str) -> JSONDict:
        content, path = self._files.get(file_id, (None, ""))
        doc: JSONDict = {"file_id": file_id, "file_unique_id": f"u{file_id[-10:]}"}
        name = path.rsplit("/", 1)[-1] if path else None
        if name:
            doc["file_name"] = name
        mime = self._mime.get(file_id)
        if mime:
            doc["mime_type"] = mime
        if content is not None:
            doc["file_size"] = len(content)
        return doc

    def _store_file(self, prefix: str, content: bytes | None, path: str, mime: str | None = None) -> str:
        file_id = f"{prefix}standin{next(self._file_seq):010d}"
        self._files[file_id] = (content, path)
        if mime:
            self._mime[file_id] = mime
        return file_id

    # ------------------------------------------------------------------ validation and limits

    @staticmethod
    def _check_text(text: Any, *, caption: bool = False) -> None:
        if caption:
            if text is not None and len(str(text)) > MAX_CAPTION_LENGTH:
                raise _bad("message caption is too long")
            return
        if text is None or not str(text).strip():
            raise _bad("message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")

    @staticmethod
    def _check_markup(markup: Any) -> JSONDict | None:
        """Validate reply_markup; return it when it is an inline keyboard (echoed in results)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        if sum(len(row) for row in rows) > MAX_KEYBOARD_BUTTONS:
            raise _bad("reply markup is too long")
        if any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
            raise _bad("too many buttons in a row")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    )
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
        return markup

    def _rate_check(self, method: str, chat_id: int) -> None:
        """Raise 429 when a window is full, else record this message in every window."""
        lim = self.limits
        if not lim.enabled:
            return
        is_edit = method in EDIT_METHODS
        windows: list[tuple[tuple[str, int], int, float]] = []
        if not is_edit or lim.edits_count_overall:
            windows.append((("overall", 0), lim.overall_max, lim.overall_period))
        if chat_id > 0 and not is_edit:
            windows.append((("private", chat_id), lim.private_max, lim.private_period))
        elif chat_id < 0 and (not is_edit or lim.edits_count_in_groups):
            windows.append((("group", chat_id), lim.group_max, lim.group_period))
        now = self.clock()
        retry = 0
        for key, maximum, period in windows:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - period:
                window.popleft()
            if len(window) >= maximum:
                retry = max(retry, max(1, math.ceil(window[0] + period - now)))
        if retry:
            raise _ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        for key, _, _ in windows:
            self._windows[key].append(now)

    def _target(self, params: JSONDict) -> StoredMessage:
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        if chat_id is None or message_id is None:
            raise _bad("message identifier is not specified")
        self._reachable(chat_id)
        stored = self.messages.get((chat_id, message_id))
        if stored is None or stored.deleted:
            raise _bad("message to edit not found")
        if not stored.from_bot:
            raise _bad("message can't be edited")
        return stored

    def _new_bot_message(self, chat_id: int, **fields: Any) -> StoredMessage:
        stored = StoredMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            date=int(time.time()),
            from_bot=True,
            **fields,
        )
        self.messages[(chat_id, stored.message_id)] = stored
        self.sent.append(stored)
        return stored

    def _with_reply(self, data: JSONDict, params: JSONDict) -> JSONDict:
        reply_to = params.get("reply_to_message_id")
        if isinstance(params.get("reply_parameters"), dict):
            reply_to = params["reply_parameters"].get("message_id")
        original = self.messages.get((data["chat"]["id"], reply_to)) if reply_to is not None else None
        if original is not None:
            data["reply_to_message"] = self._message_dict(original)
        return data

    def _file_input(
        self, name: str, params: JSONDict, files: dict[str, bytes], meta: JSONDict
    ) -> tuple[bytes | None, JSONDict, str | None]:
        """Resolve an upload, ``attach://`` reference, known file_id or URL."""
        value = params.get(name)
        if name in files:
            return files[name], meta.get(name, {}), None
        if isinstance(value, str) and value.startswith("attach://"):
            part = value[len("attach://") :]
            if part not in files:
                raise _bad(f"there is no {name} in the request")
            return files[part], meta.get(part, {}), None
        if isinstance(value, str) and value:
            if value in self._files:
                return self._files[value][0], {}, value
            return None, {}, None
        raise _bad(f"there is no {name} in the request")

    # ------------------------------------------------------------------ Bot API methods

    def _m_getMe(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_sendMessage(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        chat = self._reachable(params.get("chat_id"))
        thread_id = self._topic_of(chat, params.get("message_thread_id"))
        self._check_text(params.get("text"))
        markup = self._check_markup(params.get("reply_markup"))
        self._rate_check("sendMessage", chat["id"])
        stored = self._new_bot_message(
            chat["id"], text=str(params["text"]), reply_markup=markup, thread_id=thread_id
        )
        return self._with_reply(self._message_dict(stored), params)

    def _m_sendPhoto(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        chat = self._reachable(params.get("chat_id"))
        thread_id = self._topic_of(chat, params.get("message_thread_id"))
        content, _, known = self._file_input("photo", params, files, meta)
        self._check_text(params.get("caption"), caption=True)
        markup = self._check_markup(params.get("reply_markup"))
        self._rate_check("sendPhoto", chat["id"])
        if known is None:
            n = len(self._files)
            file_ids = [
                self._store_file("AgAC", content, f"photos/file_{n}_{i}.jpg", "image/jpeg") for i in range(3)
            ]
        else:
            file_ids = [known] * 3
        stored = self._new_bot_message(
            chat["id"],
            kind="photo",
            caption=params.get("caption"),
            reply_markup=markup,
            file_ids=file_ids,
            thread_id=thread_id,
        )
        return self._with_reply(self._message_dict(stored), params)

    def _m_sendDocument(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        chat = self._reachable(params.get("chat_id"))
        thread_id = self._topic_of(chat, params.get("message_thread_id"))
        content, info, known = self._file_input("document", params, files, meta)
        self._check_text(params.get("caption"), caption=True)
        markup = self._check_markup(params.get("reply_markup"))
        self._rate_check("sendDocument", chat["id"])
        if known is None:
            name = info.get("file_name") or f"file_{len(self._files)}"
            file_id = self._store_file(
                "BQAC",
                content,
                f"documents/{len(self._files)}/{name}",
                info.get("mime_type") or "application/octet-stream",
            )
        else:
            file_id = known
        stored = self._new_bot_message(
            chat["id"],
            kind="document",
            caption=params.get("caption"),
            reply_markup=markup,
            file_ids=[file_id],
            thread_id=thread_id,
        )
        return self._with_reply(self._message_dict(stored), params)

    def _m_editMessageText(
        self, params: JSONDict, files: dict[str, bytes], meta: JSONDict
    ) -> JSONDict | bool:
        self._check_text(params.get("text"))
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        stored = self._target(params)
        if stored.kind != "text":
            raise _bad("there is no text in the message to edit")
        if stored.text == str(params["text"]) and stored.reply_markup == markup:
            raise _ApiError(400, NOT_MODIFIED)
        self._rate_check("editMessageText", stored.chat_id)
        stored.text, stored.reply_markup, stored.edit_date = str(params["text"]), markup, int(time.time())
        return self._message_dict(stored)

    def _m_editMessageReplyMarkup(
        self, params: JSONDict, files: dict[str, bytes], meta: JSONDict
    ) -> JSONDict | bool:
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        stored = self._target(params)
        if stored.reply_markup == markup:
            raise _ApiError(400, NOT_MODIFIED)
        self._rate_check("editMessageReplyMarkup", stored.chat_id)
        stored.reply_markup, stored.edit_date = markup, int(time.time())
        return self._message_dict(stored)

    def _m_answerCallbackQuery(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self.strict_callbacks:
            issued = self._callbacks.get(query_id)
            if issued is None or self.clock() - issued > self.callback_timeout:
                raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        self._callbacks.pop(query_id, None)
        return True

    def _commands_key(self, params: JSONDict) -> str:
        """The list a setMyCommands scope and language address; a scope Telegram would refuse is refused.

        A ``chat`` scope needs a chat the bot knows (a private chat exists once the person pressed
        Start): otherwise "chat not found", as Telegram answers.
        """
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise _bad("can't parse BotCommandScope JSON object")
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            chat_id = scope.get("chat_id")
            if chat_id in self._gone:
                raise self._gone[chat_id]
            if chat_id not in self._chats or chat_id in self._not_started:
                raise _bad("chat not found")
            # BotCommandScopeChatAdministrators / ChatMember: "a group or supergroup chat" only.
            if scope["type"] != "chat" and self._chats[chat_id]["type"] not in ("group", "supergroup"):
                raise _bad("chat not found")  # the stand-in's wording: a private chat has no members' scopes
            if scope["type"] == "chat_member" and not isinstance(scope.get("user_id"), int):
                raise _bad("invalid user_id specified")
        return json.dumps([scope, self._language_code(params)], sort_keys=True)

    def shown_menu(self, chat_id: int, user_id: int, language_code: str = "") -> list[str]:
        """The command names a user sees in a chat's menu, by the Bot API's documented order
        ("Determining list of commands", BotCommandScope): the first list set, per scope the one
        for the user's language before the one for every language.

        Private chat: chat, all_private_chats, default. Group or supergroup: chat_member,
        chat_administrators (admins only), chat, all_chat_administrators (admins only),
        all_group_chats, default.
        """
        private = self._chats.get(chat_id, {}).get("type", _infer_chat_type(chat_id)) == "private"
        admin = user_id in self.admins.get(chat_id, set()) or self.owners.get(chat_id) == user_id
        chat: JSONDict = {"chat_id": chat_id}
        if private:
            scopes: list[JSONDict] = [{"type": "chat", **chat}, {"type": "all_private_chats"}]
        else:
            scopes = [
                {"type": "chat_member", **chat, "user_id": user_id},
                *([{"type": "chat_administrators", **chat}] if admin else []),
                {"type": "chat", **chat},
                *([{"type": "all_chat_administrators"}] if admin else []),
                {"type": "all_group_chats"},
            ]
        for scope in [*scopes, {"type": "default"}]:
            for code in dict.fromkeys((language_code, "")):
                key = json.dumps([scope, code], sort_keys=True)
                if key in self.commands:
                    return [c["command"] for c in self.commands[key]]
        return []

    @staticmethod
    def _language_code(params: JSONDict) -> str:
        """Empty (every language without its own) or a two-letter ISO 639-1 code."""
        code = params.get("language_code") or ""
        if code and not (isinstance(code, str) and len(code) == 2 and code.isascii() and code.isalpha()):
            raise _bad("language code is invalid")
        return str(code)

    def _m_setMyDescription(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        text = str(params.get("description") or "")
        if len(text) > MAX_DESCRIPTION_LENGTH:
            raise _bad("description is too long")
        self.descriptions[self._language_code(params)] = text
        return True

    def _m_getMyDescription(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        code = self._language_code(params)
        return {"description": self.descriptions.get(code, self.descriptions.get("", ""))}

    def _m_setMyShortDescription(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        text = str(params.get("short_description") or "")
        if len(text) > MAX_SHORT_DESCRIPTION_LENGTH:
            raise _bad("short description is too long")
        self.short_descriptions[self._language_code(params)] = text
        return True

    def _m_getMyShortDescription(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        code = self._language_code(params)
        return {"short_description": self.short_descriptions.get(code, self.short_descriptions.get("", ""))}

    def menu(self, scope: str | JSONDict = "default", language_code: str = "") -> list[str]:
        """The command names set for a scope (its ``type``, or the whole scope object) and language."""
        key = {"type": scope} if isinstance(scope, str) else scope
        return [c["command"] for c in self.commands.get(json.dumps([key, language_code], sort_keys=True), [])]

    def _m_setMyCommands(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not 1 <= len(name) <= 32 or not all(c.islower() or c.isdigit() or c == "_" for c in name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("command description must be non-empty")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getMyCommands(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._commands_key(params), []))

    def _m_deleteMyCommands(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _m_setWebhook(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        url = params.get("url") or ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self.webhook = None
            return True
        if not str(url).startswith("https://") and not str(url).startswith("http://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {k: v for k, v in params.items() if k != "drop_pending_updates"}
        self._notify()  # a waiting getUpdates gets its 409
        self._deliver_pending()
        return True

    def _m_deleteWebhook(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_getUpdates(
        self, params: JSONDict, files: dict[str, bytes], meta: JSONDict
    ) -> list[JSONDict]:
        if self.webhook:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates") or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.webhook:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if allowed:
                self._updates = [u for u in self._updates if any(k in u for k in allowed)]
            if self._updates or self._closing:
                return self._updates[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            event = self._update_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _member(self, chat_id: int, user_id: int) -> JSONDict:
        user = (
            self.bot_user()
            if user_id == self.bot_id
            else self._users.get(user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"})
        )
        if self.owners.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in self.admins.get(chat_id, set()):
            rights = (
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
                "can_pin_messages",
            )
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                **dict.fromkeys(rights, True),
            }
        return {"status": "member", "user": user}

    def _m_getChatMember(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        chat = self._reachable(params.get("chat_id"))
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad("invalid user_id specified")
        return self._member(chat["id"], user_id)

    def _m_getChatAdministrators(
        self, params: JSONDict, files: dict[str, bytes], meta: JSONDict
    ) -> list[JSONDict]:
        chat = self._reachable(params.get("chat_id"))
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        ids = ([self.owners[chat["id"]]] if chat["id"] in self.owners else []) + sorted(
            self.admins.get(chat["id"], set()) - {self.owners.get(chat["id"])}
        )
        return [self._member(chat["id"], uid) for uid in ids]

    def _m_sendChatAction(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        self._reachable(params.get("chat_id"))
        if not params.get("action"):
            raise _bad("wrong parameter action in request")
        return True

    def _m_deleteMessage(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> bool:
        chat = self._chat(params.get("chat_id"))
        stored = self.messages.pop((chat["id"], params.get("message_id")), None)
        if stored is None:
            raise _bad("message to delete not found")
        stored.deleted = True
        return True

    def _m_getFile(self, params: JSONDict, files: dict[str, bytes], meta: JSONDict) -> JSONDict:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise _bad("invalid file_id")
        content, path = self._files[file_id]
        result: JSONDict = {"file_id": file_id, "file_unique_id": f"u{file_id[-10:]}", "file_path": path}
        if content is not None:
            result["file_size"] = len(content)
        return result
