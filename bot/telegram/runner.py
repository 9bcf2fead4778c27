"""Running the Telegram adapter inside a shared event loop: polling or our own webhook server.

``run_polling``/``run_webhook`` would own the loop, so the application is started by hand and,
in webhook mode, updates arrive through an aiohttp route that checks Telegram's secret-token
header before anything is parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    Update,
)
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.heap import settle_heap
from bot.metrics import timed_webhooks, track_queue
from bot.telegram.port import (
    PLATFORM,
    TelegramPort,
    bot_removed,
    button_event_from_json,
    chat_migration,
    is_anonymous_admin,
    to_event,
)
from bot.telegram.ratelimit import TelegramRateLimiter
from bot.telegram.request import AiohttpRequest
from config.errors import CORRECT_AND_RETRY, SERVICE_UNREACHABLE, OperatorError
from facilitation.conversation import Conversation
from facilitation.i18n import t
from facilitation.menu import GROUP, PRIVATE, MenuItem, menu_items
from facilitation.model import Language
from facilitation.ports import ButtonEvent, ChatRef, CommandEvent, UserRef
from storage.replay_guard import ReplayGuard

if TYPE_CHECKING:
    from bot.app import App
    from config.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_REPLY_WITHIN = 2.0  # seconds a webhook POST waits for a press's answer to carry back
# Seconds the check for a redelivered update may take before the update is handled without it
# (polling) or, in webhook mode, a press is answered "the database is not answering" and any other
# update asked for again: a press must be answered within Telegram's ~10 s however long a stalled
# database keeps the check waiting.
SEEN_CHECK_WITHIN = 2.0
WEBHOOK_MAX_CONNECTIONS = 40  # Telegram's default: webhook POSTs it keeps in flight at once
ADMIN_CACHE_SECONDS = 60.0  # a demoted group admin keeps facilitator rights at most this long
MAX_CACHED_GROUPS = 1024
# Telegram keeps an update it could not deliver for 24 hours, so a redelivery can come that late.
UPDATE_REDELIVERY_WINDOW = timedelta(hours=25)
DEFAULT_API = "api.telegram.org"
# What the bot asks Telegram for: messages, presses, and its own membership changing in a chat.
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


class TelegramStartFailed(OperatorError):
    """Telegram refused or could not be reached while the bot started; the message never holds the token."""

    label = "Telegram error"


MENU_LANGUAGES = ("", "en")  # "": the default, Swedish, for every language without its own list
# Where each menu shows and who sees it there (Telegram picks the most specific scope set): a
# group's admins see the commands they lead only with ``group_admins_are_facilitators``.
MENU_SCOPES: tuple[tuple[BotCommandScope, str, dict[str, bool]], ...] = (
    (BotCommandScopeAllPrivateChats(), PRIVATE, {"member": True, "admin": False, "facilitator": False}),
    (BotCommandScopeAllGroupChats(), GROUP, {"member": True, "admin": False, "facilitator": False}),
    (BotCommandScopeAllChatAdministrators(), GROUP, {"member": True, "admin": True, "facilitator": False}),
)
MAX_ROOM_MENUS = 10_000  # (group, facilitator) pairs whose menu this process remembers having set


def command_menu(items: list[MenuItem], place: str, lang: str, **standing: bool) -> list[BotCommand]:
    """The commands a person of ``standing`` sees in a chat of ``place``, named and described in ``lang``."""
    language = Language.EN if lang == "en" else Language.SV
    return [
        BotCommand(item.menu.name(language.value), t(item.menu.text_key, language))
        for item in items
        if item.shown_to(place, **standing)
    ]


class TelegramAdapter:
    """Owns the PTB application and hands its updates to the conversation.

    Telegram delivers an update again when a webhook answer did not reach it in time, and a
    polling process that dies before its next getUpdates leaves its last updates to the next
    poller: with a ``replay_guard`` an update (bot id and ``update_id``) is handled once across
    every process sharing the database, so a redelivered press never counts twice.
    """

    def __init__(
        self,
        conversation: Conversation,
        application: Application,
        *,
        admins_are_facilitators: bool = False,
        replay_guard: ReplayGuard | None = None,
        facilitators: tuple[str, ...] = (),
    ) -> None:
        self.conversation = conversation
        self.facilitators = facilitators  # configured Telegram facilitators: their private chats get a menu
        self.application = application
        self.port = TelegramPort(application.bot)
        self.admins_are_facilitators = admins_are_facilitators
        self.replay_guard = replay_guard
        self._admin_cache: dict[str, tuple[float, asyncio.Future[frozenset[str]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # webhook updates being handled
        self._press_slots = asyncio.Semaphore(max(1, application.concurrent_updates))
        self._room_menus: set[tuple[str, str]] = set()  # (group, facilitator) given their menu there
        self.transports: tuple[AiohttpRequest, ...] = ()  # closed by hand when getMe fails at start
        conversation.add_port(self.port)
        if admins_are_facilitators:  # e.g. /jamfor asks about the group another workshop was created in
            conversation.admin_lookups[PLATFORM] = self._administers
        application.add_handler(TypeHandler(Update, self._on_update))
        conversation.leadership.removed_listeners.append(self._co_leader_removed)

    @classmethod
    def build(
        cls,
        conversation: Conversation,
        token: str,
        *,
        base_url: str = "",
        admins_are_facilitators: bool = False,
        rate_limiter: TelegramRateLimiter | None = None,
        concurrent_updates: int = 512,
        replay_guard: ReplayGuard | None = None,
        facilitators: tuple[str, ...] = (),
    ) -> TelegramAdapter:
        builder: ApplicationBuilder = (
            Application.builder()
            .token(token)
            .rate_limiter(rate_limiter or TelegramRateLimiter())
            .concurrent_updates(concurrent_updates)
            .updater(None)
        )
        if base_url:
            builder = builder.base_url(base_url.rstrip("/") + "/bot").base_file_url(
                base_url.rstrip("/") + "/file/bot"
            )
        # aiohttp instead of httpx: httpcore's pool is the hot spot under a burst of presses.
        transports = (AiohttpRequest(pool_size=128), AiohttpRequest(pool_size=2))
        builder = builder.request(transports[0]).get_updates_request(transports[1])
        adapter = cls(
            conversation,
            builder.build(),
            admins_are_facilitators=admins_are_facilitators,
            replay_guard=replay_guard,
            facilitators=facilitators,
        )
        adapter.transports = transports
        return adapter

    async def initialize(self) -> None:
        """Initialise PTB (its getMe checks the token); on failure the HTTP sessions PTB opened are
        closed too, since PTB only closes what it finished initialising."""
        try:
            await self.application.initialize()
        except BaseException:
            await asyncio.gather(*(transport.shutdown() for transport in self.transports))
            raise

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An update from PTB's queue (polling): handled unless another process already did."""
        try:
            first = await self._first_delivery_in_time(update.update_id)
        except Exception as exc:  # the database is down: the handler meets it too and tells the user
            log.warning("could not check whether an update was already handled (%s)", type(exc).__name__)
            first = True
        if first:
            await self._handle_update(update)

    async def _first_delivery_in_time(self, update_id: int) -> bool:
        """:meth:`_first_delivery`, or TimeoutError after :data:`SEEN_CHECK_WITHIN` seconds (the
        check goes on in the background; waiting for its cleanup would take as long as the stall)."""
        check = asyncio.get_running_loop().create_task(self._first_delivery(update_id))
        done, _ = await asyncio.wait({check}, timeout=SEEN_CHECK_WITHIN)
        if check in done:
            return check.result()
        check.add_done_callback(_retrieve_quietly)
        raise TimeoutError("the database did not answer whether the update was seen")

    async def _first_delivery(self, update_id: int) -> bool:
        """False if this update was handled before (by this or another process on the database)."""
        if self.replay_guard is None:
            return True
        new = await self.replay_guard.first_time(
            "telegram-update", str(self.application.bot.id), str(update_id), keep=UPDATE_REDELIVERY_WINDOW
        )
        if not new:
            log.info("ignored a Telegram update that was already handled (redelivery)")
        return new

    async def _handle_update(self, update: Update) -> None:
        removed = bot_removed(update)
        if removed is not None:  # the bot was removed from a group: it is no room from now on
            try:
                await self.conversation.rooms.lost(*removed)
            except Exception:
                log.exception("could not unbind a group the bot was removed from")
            return
        migration = chat_migration(update)
        if migration is not None:  # a group became a supergroup: its room follows the new id
            try:
                await self.conversation.rooms.moved(*migration)
            except Exception:
                log.exception("could not move a room to its new chat id")
            return
        event = to_event(update, self.application.bot.username if self.application.bot else None)
        if event is None:
            return
        if self.admins_are_facilitators and isinstance(event, CommandEvent) and not event.chat.is_private:
            admin = is_anonymous_admin(event.user, event.chat) or await self._is_admin(
                event.chat.chat_id, event.user.user_id
            )
            event = dataclasses.replace(event, user=dataclasses.replace(event.user, is_chat_admin=admin))
        await self.conversation.handle(event)
        if isinstance(event, CommandEvent) and not event.chat.is_private:
            await self._room_menu_after(event)

    async def _room_menu_after(self, event: CommandEvent) -> None:
        """After a command in a group: a configured facilitator or a co-facilitator of the group's
        workshop gets the facilitator menu there; a co-facilitator removed since loses it."""
        chat_id, user_id = event.chat.chat_id, event.user.user_id
        if user_id in self.facilitators:
            await self._set_room_menu(chat_id, user_id)
            return
        if self.conversation.is_facilitator(event.user):  # configured, without a menu list here: no co-lead
            return
        try:
            leads = await self.conversation.leadership.co_leads(event.user, event.chat)
        except Exception as exc:  # the database is away: the menu stays as it is until the next command
            log.info("could not check whether a co-facilitator leads here: %s", type(exc).__name__)
            return
        if leads:
            await self._set_room_menu(chat_id, user_id)
        elif (chat_id, user_id) in self._room_menus:
            await self._drop_room_menu(chat_id, user_id)

    async def _co_leader_removed(self, user_key: str) -> None:
        """A co-facilitator was removed: the group menus this process gave them are taken away."""
        pseudonymizer = self.conversation.pseudonymizer
        for chat_id, user_id in sorted(self._room_menus):
            if user_id not in self.facilitators and pseudonymizer.user_key(PLATFORM, user_id) == user_key:
                await self._drop_room_menu(chat_id, user_id)

    async def _drop_room_menu(self, chat_id: str, user_id: str) -> None:
        """Back to the participants' menu for this person in this group (their own scope deleted)."""
        self._room_menus.discard((chat_id, user_id))
        try:
            for lang in MENU_LANGUAGES:
                await self.application.bot.delete_my_commands(
                    scope=BotCommandScopeChatMember(int(chat_id), int(user_id)), language_code=lang or None
                )
        except (TelegramError, ValueError) as exc:
            log.info("could not take a facilitator's command menu in a group away: %s", type(exc).__name__)

    async def _administers(self, chat: ChatRef, user: UserRef) -> bool:
        """Whether ``user`` is an admin of the group ``chat`` (not necessarily where they write)."""
        return is_anonymous_admin(user, chat) or await self._is_admin(chat.chat_id, user.user_id)

    async def _is_admin(self, chat_id: str, user_id: str) -> bool:
        """Whether the user administers the group (``group_admins_are_facilitators``)."""
        return user_id in await self._group_admins(chat_id)

    async def _group_admins(self, chat_id: str) -> frozenset[str]:
        """The group's administrators and owner: one getChatAdministrators per group and minute.

        One call answers for everybody in the group (getChatMember would cost a call per person),
        and concurrent commands share the call in flight.
        """
        now = time.monotonic()
        cached = self._admin_cache.get(chat_id)
        if cached is None or cached[0] <= now:
            if len(self._admin_cache) >= MAX_CACHED_GROUPS:
                self._admin_cache = {k: v for k, v in self._admin_cache.items() if v[0] > now}
            cached = (now + ADMIN_CACHE_SECONDS, asyncio.ensure_future(self._fetch_group_admins(chat_id)))
            self._admin_cache[chat_id] = cached
        return await asyncio.shield(cached[1])

    async def _fetch_group_admins(self, chat_id: str) -> frozenset[str]:
        try:
            members = await self.application.bot.get_chat_administrators(int(chat_id))
        except Exception as exc:  # nobody is an admin until the next try; no ids in the log
            log.warning("could not read a group's administrators: %s", type(exc).__name__)
            self._admin_cache.pop(chat_id, None)
            return frozenset()
        return frozenset(
            str(m.user.id)
            for m in members
            if m.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
        )

    async def set_commands(self) -> None:
        """Each scope's command menu in Swedish (default) and English, from the conversation's one
        declaration of commands: participants never see a facilitator's command; the bot's
        description (shown before Start) says what it is and that answers are pseudonymous."""
        bot = self.application.bot
        items = menu_items(self.conversation.command_table())
        for lang in MENU_LANGUAGES:
            language = Language.EN if lang == "en" else Language.SV
            for scope, place, standing in MENU_SCOPES:
                if isinstance(scope, BotCommandScopeAllChatAdministrators):
                    standing = {**standing, "admin": self.admins_are_facilitators}
                await bot.set_my_commands(
                    command_menu(items, place, lang, **standing), scope=scope, language_code=lang or None
                )
            await bot.set_my_description(t("bot.description", language), language_code=lang or None)
            await bot.set_my_short_description(
                t("bot.short_description", language), language_code=lang or None
            )
        for lang in ("", "sv", "en"):  # earlier versions listed every command in the default scope
            await bot.delete_my_commands(language_code=lang or None)
        await self._set_facilitator_menus(items)

    async def _set_facilitator_menus(self, items: list[MenuItem]) -> None:
        """A configured facilitator's private chat lists the facilitator commands too.

        Telegram knows a private chat only once the person pressed Start, so a facilitator who has
        not is skipped (their menu comes with the next start of the bot)."""
        bot = self.application.bot
        skipped = 0
        for user_id in self.facilitators:
            try:
                for lang in MENU_LANGUAGES:
                    await bot.set_my_commands(
                        command_menu(items, PRIVATE, lang, member=True, admin=False, facilitator=True),
                        scope=BotCommandScopeChat(int(user_id)),
                        language_code=lang or None,
                    )
            except (BadRequest, Forbidden, ValueError):
                skipped += 1
        if skipped:
            log.info(
                "%d configured facilitator(s) have no private chat with the bot yet: their command menu "
                "is set at the next start after they press Start",
                skipped,
            )

    async def _set_room_menu(self, chat_id: str, user_id: str) -> None:
        """A configured facilitator's menu in a group: the room's commands they lead, for them alone.

        Set the first time they write a command there (this process): Telegram keeps it, and a
        participant in the same group goes on seeing the participants' menu. A failure only
        costs the menu; the command was answered.
        """
        if (chat_id, user_id) in self._room_menus:
            return
        if len(self._room_menus) >= MAX_ROOM_MENUS:
            self._room_menus.clear()
        self._room_menus.add((chat_id, user_id))
        items = menu_items(self.conversation.command_table())
        try:
            for lang in MENU_LANGUAGES:
                await self.application.bot.set_my_commands(
                    command_menu(items, GROUP, lang, member=True, admin=False, facilitator=True),
                    scope=BotCommandScopeChatMember(int(chat_id), int(user_id)),
                    language_code=lang or None,
                )
        except (TelegramError, ValueError) as exc:
            self._room_menus.discard((chat_id, user_id))
            log.info("could not set a facilitator's command menu in a group: %s", type(exc).__name__)

    async def feed(self, data: dict) -> None:
        """Process one webhook update (already authenticated and checked) in the background.

        Button presses go straight to the conversation (see :func:`button_event_from_json`);
        everything else is parsed by PTB first.
        """
        event = button_event_from_json(data)
        self._track(
            self._press(event)
            if event is not None
            else self._handle_update(Update.de_json(data, self.application.bot))
        )

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` as a task that :attr:`busy` and :meth:`drain` know of."""
        task = asyncio.get_running_loop().create_task(_last_resort(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def feed_with_reply(self, data: dict, within: float = WEBHOOK_REPLY_WITHIN) -> dict | None:
        """Like :meth:`feed`, but a button press's answer comes back to return in the webhook reply.

        If handling takes longer than ``within`` seconds the webhook is answered empty and the
        acknowledgement goes through the API when it is ready, so Telegram never waits long.
        """
        event = button_event_from_json(data)
        if event is None:
            await self.feed(data)
            return None
        reply = self.port.expect_webhook_reply(event.press_id)
        self._track(self._press(event))
        try:
            return await asyncio.wait_for(asyncio.shield(reply), within)
        except TimeoutError:
            self.port.forget_webhook_reply(event.press_id)
            return None

    async def _press(self, event: ButtonEvent) -> None:
        async with self._press_slots:  # as many at once as PTB's concurrent updates
            await self.conversation.handle(event)

    @property
    def busy(self) -> bool:
        """Webhook updates still being handled."""
        return bool(self._tasks)

    async def drain(self) -> None:
        """Wait for the button presses being handled (before the application stops)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Release the replay guard's writer (after the application stopped)."""
        if self.replay_guard is not None:
            await self.replay_guard.aclose()

    def webhook_app(self, secret: str, path: str = "/telegram") -> web.Application:
        """An aiohttp app that accepts Telegram's webhook POSTs carrying the right secret token."""
        app = web.Application()

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "")
            if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
                return web.Response(status=403, text="forbidden")
            try:
                data = json.loads(await request.read())
                if not isinstance(data, dict) or "update_id" not in data:
                    raise ValueError("not an update")
            except ValueError:
                return web.Response(status=400, text="bad update")
            within = WEBHOOK_REPLY_WITHIN
            if self._records_itself(data):
                # Its answer comes by the press's deadline, also when the database stalls (then
                # "not answering"): in this reply, not through the rate limits, whose shared budget
                # is in the stalled database too.
                within = (self.port.press_answer_within or WEBHOOK_REPLY_WITHIN) + 0.5
            else:
                try:
                    first = await self._first_delivery_in_time(data["update_id"])
                except Exception:  # not known whether it was handled
                    return self._unchecked_reply(data)
                if not first:
                    return _duplicate_reply(data)
            reply = await self.feed_with_reply(data, within)
            return web.json_response(reply) if reply else web.Response(status=200)

        app.router.add_post(path, receive)
        return app

    def _records_itself(self, data: dict) -> bool:
        """Whether the update is a vote, which the conversation stores with its callback query id
        (:meth:`Conversation.records_presses`): its delivery is not recorded here as well.

        That record was a second write transaction on every vote, committed before the vote's
        own (telegram_votes: 2970 → 1229 votes/s when it came); a vote delivered again is told
        by its press id instead, across processes and restarts as before.
        """
        query = data.get("callback_query")
        return (
            isinstance(query, dict)
            and isinstance(query.get("data"), str)
            and self.conversation.records_presses(query["data"])
        )

    def _unchecked_reply(self, data: dict) -> web.Response:
        """The answer to an update the database could not say was new: a press is answered at once
        (not handled, nothing saved: "press again"), anything else is asked for again (503)."""
        event = button_event_from_json(data)
        if event is None:
            log.warning("could not check whether an update was already handled; asked for it again")
            return web.Response(status=503)
        log.warning(
            "could not check whether a press was already handled; answered that the database is not answering"
        )
        return web.json_response(
            {
                "method": "answerCallbackQuery",
                "callback_query_id": event.press_id,
                "text": self.conversation.database_refusal(event),
                "show_alert": True,
            }
        )


def _retrieve_quietly(task: asyncio.Task[Any]) -> None:
    """Take the outcome of a check nobody waits for any more (an error is already answered)."""
    if not task.cancelled():
        task.exception()


async def _last_resort(work: Coroutine[Any, Any, None]) -> None:
    """Await ``work``; the conversation answers every failure, so anything escaping is only logged."""
    try:
        await work
    except Exception:
        log.exception("unexpected error handling a webhook update")


def _duplicate_reply(data: dict) -> web.Response:
    """The answer to an update delivered again: 200, and for a press a bare answerCallbackQuery.

    Telegram redelivers only when it did not get the first answer, so the press's
    acknowledgement (carried in that answer) was lost too: a bare one stops the client's spinner.
    """
    query = data.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("id"), str):
        return web.json_response({"method": "answerCallbackQuery", "callback_query_id": query["id"]})
    return web.Response(status=200)


@contextlib.contextmanager
def _start_failures(settings: Settings) -> Iterator[None]:
    """Telegram's refusals while starting, as one paragraph naming the setting and the fix.

    PTB's own message for a refused token quotes the token, so the original exception is dropped
    (``from None``) rather than chained: nothing downstream can print it.
    """
    api = settings.telegram_api_base_url or DEFAULT_API
    try:
        yield
    except InvalidToken:
        raise TelegramStartFailed(
            f"the Telegram Bot API at {api} refused telegram_token (401 Unauthorized). Fix: copy the bot's token "
            "again from @BotFather (/mybots → API Token) into telegram_token (or DIALOGBOT_TELEGRAM_TOKEN); a "
            "token that was revoked must be replaced.",
            exit_code=CORRECT_AND_RETRY,
        ) from None
    except NetworkError as exc:  # also TimedOut
        raise TelegramStartFailed(
            f"cannot reach the Telegram Bot API at {api}: {exc.message}. Fix: check this machine's network and "
            "firewall (outgoing HTTPS), or telegram_api_base_url if it is set, then start again.",
            exit_code=SERVICE_UNREACHABLE,
        ) from None
    except TelegramError as exc:
        raise TelegramStartFailed(
            f"Telegram refused to start the bot in {settings.telegram_mode} mode: {exc.message}. Fix: check "
            "telegram_mode, telegram_webhook_url and telegram_webhook_port.",
            exit_code=CORRECT_AND_RETRY,
        ) from None
    except OSError as exc:  # only the webhook server listens in here
        raise TelegramStartFailed(
            f"cannot serve the webhook on {settings.telegram_webhook_listen}:{settings.telegram_webhook_port} "
            f"(telegram_webhook_listen, telegram_webhook_port): {exc.strerror or exc}. Fix: choose a free port "
            "and an address of this machine, or stop what uses the port.",
            exit_code=CORRECT_AND_RETRY,
        ) from None


@contextlib.asynccontextmanager
async def telegram_running(app: App) -> AsyncIterator[TelegramAdapter]:
    """Start Telegram per the settings (polling or webhook) and stop it on exit.

    A failure while starting is a :class:`TelegramStartFailed` and leaves nothing running.
    """
    settings = app.settings
    settings.require_secrets("telegram")
    adapter = TelegramAdapter.build(
        app.conversation,
        settings.telegram_token,
        base_url=settings.telegram_api_base_url,
        admins_are_facilitators=settings.group_admins_are_facilitators,
        rate_limiter=TelegramRateLimiter(shared=app.shared_limit("telegram", settings.telegram_token)),
        replay_guard=ReplayGuard(app.engine),
        facilitators=tuple(settings.facilitators.get("telegram", ())),
    )
    application = adapter.application
    runner: web.AppRunner | None = None
    polling = None
    try:
        with _start_failures(settings):
            await adapter.initialize()
            await adapter.set_commands()
            await application.start()
            if settings.telegram_mode == "webhook":
                webhook = adapter.webhook_app(settings.telegram_webhook_secret)
                app.health.add_routes(webhook)  # /healthz, /readyz, /metrics beside /telegram
                webhook.middlewares.append(timed_webhooks("telegram"))
                runner = web.AppRunner(webhook)
                await runner.setup()
                await web.TCPSite(
                    runner, settings.telegram_webhook_listen, settings.telegram_webhook_port
                ).start()
                if settings.telegram_webhook_url:
                    await application.bot.set_webhook(
                        settings.telegram_webhook_url,
                        secret_token=settings.telegram_webhook_secret,
                        allowed_updates=ALLOWED_UPDATES,
                        max_connections=WEBHOOK_MAX_CONNECTIONS,
                    )
            else:
                from telegram.ext import Updater

                await application.bot.delete_webhook()
                polling = Updater(application.bot, application.update_queue)
                await polling.initialize()
                await polling.start_polling(allowed_updates=ALLOWED_UPDATES)
        log.info("Telegram adapter running (%s)", settings.telegram_mode)
        app.health.started.add("telegram")
        app.conversation.live.wake()  # live tallies left by a stopped process are edited from here on
        track_queue("telegram_updates", application.update_queue.qsize)
        track_queue("telegram_webhook_in_flight", lambda: len(adapter._tasks))
        settle_heap()  # the adapter's start-up objects out of later full collections
        yield adapter
    finally:
        app.health.started.discard("telegram")
        if polling is not None:
            if polling.running:
                await polling.stop()
            await polling.shutdown()
        if runner is not None:
            await runner.cleanup()
        await adapter.drain()
        if application.running:
            await application.stop()
        await application.shutdown()
        await adapter.aclose()
