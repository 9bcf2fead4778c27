"""The web pages on the process's HTTP server: the projector screen and voting from a browser.

A browser is a private chat of the ``web`` platform whose user id is a random device id kept in
a signed, httpOnly cookie; its participant key is derived from that id exactly as a chat user's
is from their platform id. A press is a POST naming one button of one message the bot sent to
that very browser (never button data of the browser's choosing), with a CSRF token bound to the
device and a signed, single-use form token that expires; it becomes a
:class:`~facilitation.ports.ButtonEvent` for :meth:`Conversation.handle`, as a Telegram press
does, so every rule of the round (open, own workshop, change until close) is the chat's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

from aiohttp import web

from bot.web import pages
from bot.web.limits import Buckets, Once
from bot.web.port import PLATFORM, WebMessage, WebPort, screen_chat
from bot.web.rendered import RenderedMessages
from bot.web.rounds import POLL_SECONDS, RoundState, RoundStates
from bot.web.screen_catch_up import ScreenCatchUp
from bot.web.signing import Signer
from facilitation.cache import SingleFlight, TTLCache
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.model import Language, Round, RoundKind, Workshop
from facilitation.ports import ButtonEvent, ChatRef, CommandEvent, MessageRef, UserRef
from facilitation.screen.command import install as install_screen

log = logging.getLogger(__name__)

COOKIE = "dialogbot_enhet"
LANG_COOKIE = "dialogbot_sprak"  # the page language a browser chose (no personal data: "sv" or "en")
LANGUAGES = ("sv", "en")
DEVICE_DAYS = 30
FORM_SECONDS = 2 * 3600  # a rendered page's buttons stay good this long…
FORM_REUSE_SECONDS = 600  # …less this: an unchanged message's unspent forms are shown again so long
SSE_KEEPALIVE = 15.0
#: A screen's workshop (its title, code, language: fixed once created) is read again after this;
#: ten screens fetching the feed at every tally edit no longer each wait for the database.
SCREEN_WORKSHOP_SECONDS = 5.0
STREAM_SECONDS = 600.0  # an event stream ends after this; the page's EventSource opens a new one
MAX_STREAMS = 2000  # server-sent event streams open at once (screens and phones)
#: The commands a browser may send (the browser equivalents of /delta, /rosta, /sektor, /glom).
BROWSER_COMMANDS = {"rosta": "rosta", "sektor": "sektor", "glom": "glom"}


@dataclass
class WebSettings:
    """How the pages behave; the defaults suit one venue's Wi-Fi (many phones behind one address)."""

    public_url: str
    link_hours: int = 12
    join_code_hours: int = 24  # a typed code joins a workshop created this recently
    device_rate: float = 5.0
    device_burst: float = 20.0
    ip_rate: float = 300.0
    ip_burst: float = 600.0
    secure_cookie: bool = field(init=False)

    def __post_init__(self) -> None:
        self.secure_cookie = self.public_url.startswith("https://")


def _first_post_of(round_: Round, messages: list[WebMessage], lang: Language) -> int:
    """Where the screen's messages of ``round_`` after its intro begin (a step's "Påstående 2 (2
    av 7):", the results' "Omgången … är stängd"): the tally drawn from the database goes before
    them, where the intro would have been, so the screen still shows the latest of them."""
    closing = t("round.closing", lang, title=round_.title)  # opens the result text
    heads = {
        t("round.stepped", lang, number=item.number, position=index + 1, total=len(round_.items))
        for index, item in enumerate(round_.items)
    }
    return min(
        (
            i
            for i, m in enumerate(messages)
            if m.png is None and (m.text in heads or m.text.startswith(closing))
        ),
        default=len(messages),
    )


class WebPages:
    """The routes of the screen and the browser pages, and the ``/skarm`` links they give out."""

    platform = PLATFORM

    def __init__(
        self,
        conversation: Conversation,
        secret: str,
        settings: WebSettings,
        *,
        port: WebPort | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.conversation = conversation
        self.settings = settings
        self.link_hours = settings.link_hours
        self.signer = Signer(secret, clock)
        self.clock = clock
        self.port = port or WebPort()
        self.device_limits = Buckets(settings.device_rate, settings.device_burst)
        self.ip_limits = Buckets(settings.ip_rate, settings.ip_burst)
        self.used_forms = Once(clock)
        self.rounds = RoundStates(conversation.service)
        self.screen_catch_up = ScreenCatchUp(conversation, self.port)
        self.rendered = RenderedMessages(lambda: self.clock(), FORM_REUSE_SECONDS)
        self._screen_workshops: TTLCache[Workshop] = TTLCache(SCREEN_WORKSHOP_SECONDS, 1000)
        self._screen_loads: SingleFlight[Workshop | None] = SingleFlight()
        #: The last feed rendered per (screen chat, link), with what it showed: every screen gets
        #: the same HTML while the messages (this process's and the database's tally) are the same.
        self._feeds: dict[tuple[str, str], tuple[Hashable, str]] = {}
        self._feed_renders: SingleFlight[str] = SingleFlight()
        self.streams = 0
        self.closing = False
        conversation.add_port(self.port)
        install_screen(conversation, self)

    async def aclose(self) -> None:
        """End the open event streams (the server stops; it would otherwise wait for them)."""
        self.closing = True
        self.port.wake_all()
        await self.screen_catch_up.aclose()
        await self.rounds.aclose()

    # --- ScreenLinks (for /skarm) ---------------------------------------------------------
    def screen_room(self, workshop: Workshop) -> ChatRef:
        return screen_chat(workshop.id)

    def screen_link(self, workshop: Workshop) -> str | None:
        if not self.settings.public_url:
            return None
        token = self.signer.sign("screen", str(workshop.id), self.link_hours * 3600)
        return f"{self.settings.public_url}/skarm/{token}"

    def join_url(self, workshop: Workshop) -> str:
        token = self.signer.sign("join", workshop.join_code, self.link_hours * 3600)
        return f"{self.settings.public_url}/delta/{token}"

    def is_blank(self, room: ChatRef) -> bool:
        return self.port.is_blank(room)

    # --- routes -------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/skarm/{token}", self.screen),
            web.get("/skarm/{token}/innehall", self.screen_feed),
            web.get("/skarm/{token}/handelser", self.screen_events),
            web.get("/skarm/{token}/bild/{message}", self.screen_image),
            web.get("/delta", self.code_form),
            web.get("/delta/{token}", self.join_form),
            web.post("/delta", self.join),
            web.get("/mina", self.mine),
            web.get("/mina/handelser", self.mine_events),
            web.get("/mina/bild/{message}", self.mine_image),
            web.post("/mina/tryck", self.press),
            web.post("/mina/kommando", self.command),
            web.post("/sprak", self.language),
        ]

    # --- helpers ------------------------------------------------------------------------
    def _lang(self, request: web.Request) -> str:
        """The page language: the browser's choice (the switch's cookie), else English for a
        browser that asks for English first, else Swedish."""
        chosen = self._chosen_lang(request)
        if chosen is not None:
            return chosen
        return "en" if request.headers.get("Accept-Language", "").lower().startswith("en") else "sv"

    @staticmethod
    def _chosen_lang(request: web.Request) -> str | None:
        chosen = _cookie(request, LANG_COOKIE)
        return chosen if chosen in LANGUAGES else None

    def _switch(self, device: str, lang: str, back: str) -> str:
        """The Svenska/English switch: one small form per language (POST, with the CSRF token)."""
        csrf = escape(self._csrf(device))
        forms = []
        for code, name in (("sv", "Svenska"), ("en", "English")):
            current = ' aria-current="true"' if code == lang else ""
            forms.append(
                '<form class="inline" method="post" action="/sprak">'
                f'<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="sprak" value="{code}">'
                f'<input type="hidden" name="till" value="{escape(back)}">'
                f'<button type="submit" lang="{code}"{current}>{name}</button></form>'
            )
        return pages.language_switch("".join(forms), lang)

    def _refusal(self, request: web.Request, key: str, status: int, lang: str | None = None) -> web.Response:
        lang = lang or self._lang(request)
        back = f'<p><a href="/mina">{escape(t("web.back", lang))}</a></p>'
        html = pages.simple_page(t("web.mine_title", lang), t(key, lang), lang, extra=back)
        return web.Response(text=html, status=status, content_type="text/html", headers=_NO_STORE)

    async def _screen_workshop(self, request: web.Request) -> Workshop | web.Response:
        workshop_id, why = self.signer.check("screen", request.match_info["token"])
        if workshop_id is None or not workshop_id.isdigit():
            return self._refusal(request, f"web.error.{why or 'forged'}", 403)
        number = int(workshop_id)
        workshop = self._screen_workshops.get(number)
        if workshop is None:
            store = self.conversation.service.store
            workshop = await self._screen_loads.load(number, lambda: store.workshop(number))
            if workshop is None:
                return self._refusal(request, "web.error.not_found", 404)
            self._screen_workshops.put(number, workshop)
        return workshop

    def _device(self, request: web.Request) -> str | None:
        token = _cookie(request, COOKIE)
        device, _ = self.signer.check("device", token) if token else (None, "")
        return device

    def _new_device(self, response: web.StreamResponse) -> str:
        device = secrets.token_urlsafe(18).replace(".", "_")
        token = self.signer.sign("device", device, DEVICE_DAYS * 86400)
        response.set_cookie(
            COOKIE,
            token,
            max_age=DEVICE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=self.settings.secure_cookie,
            path="/",
        )
        return device

    def _csrf(self, device: str) -> str:
        return self.signer.tag("csrf", device)

    def _limited(self, request: web.Request, device: str | None) -> bool:
        ip = request.remote or "?"
        if not self.ip_limits.allow(ip):
            return True
        return device is not None and not self.device_limits.allow(device)

    async def _posted(self, request: web.Request) -> tuple[str, dict[str, str]] | web.Response:
        """The device and form fields of a browser's POST, after the limits and the CSRF check."""
        device = self._device(request)
        if self._limited(request, device):
            return self._refusal(request, "web.error.rate", 429)
        if device is None:
            return self._refusal(request, "web.error.no_device", 403)
        origin = request.headers.get("Origin")
        if origin not in (None, "null") and not _same_origin(origin, request, self.settings.public_url):
            return self._refusal(request, "web.error.forged", 403)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if not self.signer.matches("csrf", device, form.get("csrf", "")):
            return self._refusal(request, "web.error.forged", 403)
        return device, form

    @staticmethod
    def _user(device: str) -> tuple[UserRef, ChatRef]:
        return UserRef(PLATFORM, device), ChatRef(PLATFORM, device, is_private=True)

    # --- the screen ---------------------------------------------------------------------
    async def screen(self, request: web.Request) -> web.Response:
        workshop = await self._screen_workshop(request)
        if isinstance(workshop, web.Response):
            return workshop
        lang = workshop.language.value
        join_url = f"{self.settings.public_url}/delta" if self.settings.public_url else ""
        qr_link = self.join_url(workshop) if join_url else ""
        import segno  # loaded when a screen is first shown: a bot nobody projects never needs it

        qr = segno.make_qr(qr_link or workshop.join_code, error="m")
        svg = qr.svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
        telegram = self.conversation.ports.get("telegram")
        html = pages.screen_page(
            title=workshop.title,
            code=workshop.join_code,
            qr_svg=svg,
            qr_link=qr_link,
            join_url=join_url,
            feed=await self._feed(request, workshop),
            lang=lang,
            telegram_link=telegram.join_link(workshop.join_code) if telegram is not None else None,
        )
        return web.Response(text=html, content_type="text/html", headers=_NO_STORE)

    async def _feed(self, request: web.Request, workshop: Workshop) -> str:
        """The screen's changing part: this process's messages with the round's tally as the
        database has it, rendered once per change of what it is made from (the messages here and
        the round's state, which every stream of the process shares): ten screens fetching it at
        each change cost one render and its reads, not ten (each vote wakes every screen)."""
        base = f"/skarm/{request.match_info['token']}/bild/"
        chat_id = screen_chat(workshop.id).chat_id
        state = await self.rounds.of(workshop.id)
        self.screen_catch_up.look(workshop, state)
        chat = self.port.peek(chat_id)
        messages = list(chat.messages.values()) if chat is not None else []
        # The second ticks in too: what the state does not count (a points ballot completed by
        # another process, say) still reaches the screen within a second.
        second = int(time.monotonic())
        made_from: Hashable = (workshop.language, state, second, tuple((m.id, m.edits) for m in messages))
        last = self._feeds.get((chat_id, base))
        if last is not None and last[0] == made_from:
            return last[1]
        html = await self._feed_renders.load(
            (chat_id, base, made_from), lambda: self._render_feed(workshop, state, messages, base)
        )
        if len(self._feeds) >= 1000:
            self._feeds.clear()
        self._feeds[(chat_id, base)] = (made_from, html)
        return html

    async def _render_feed(
        self, workshop: Workshop, state: RoundState, messages: list[WebMessage], base: str
    ) -> str:
        lang = workshop.language.value
        intro = re.compile(
            "^(?:" + "|".join(re.escape(t(f"kind.{kind.value}", lang)) for kind in RoundKind) + r") #\d+: "
        )
        before, after = t("round.closing", lang, title="\0").split("\0")
        closing = re.compile(re.escape(before) + "[^\n]*" + re.escape(after) + "\n\n")
        return pages.screen_feed(
            await self._with_live_tally(workshop, state, messages),
            lambda message_id: f"{base}{message_id}",
            lang,
            lambda text: bool(intro.match(text)),
            lambda text: found.end() if (found := closing.match(text)) else 0,
        )

    async def _with_live_tally(
        self, workshop: Workshop, state: RoundState, messages: list[WebMessage]
    ) -> list[WebMessage]:
        """The screen's messages with the latest round's tally rendered from the database: votes,
        launches and closes handled by another process (or before a restart) show here too, where
        this process's own copy of the tally is behind or missing. A close or step made there is
        put on this screen by :class:`ScreenCatchUp`, which the feed's look at the state sets going."""
        if state.round_id is None:
            return messages
        messages = list(messages)
        round_ = await self.conversation.service.store.round(state.round_id)
        if round_ is None or round_.kind not in self.conversation.exercises:
            return messages
        tallies = self.conversation.tallies
        intro = tallies.round_intro(round_, workshop.language)
        text = f"{intro}\n\n{await tallies.tally_text(round_, workshop.language)}"
        found = False
        for index, message in enumerate(messages):
            if message.png is None and not message.buttons and message.text.startswith(intro):
                messages[index], found = dataclasses.replace(message, text=text), True
        if not found:  # before the round's steps and results this process has, else last
            messages.insert(_first_post_of(round_, messages, workshop.language), WebMessage(0, text))
        return messages

    async def screen_feed(self, request: web.Request) -> web.Response:
        workshop = await self._screen_workshop(request)
        if isinstance(workshop, web.Response):
            return workshop
        html = await self._feed(request, workshop)
        return web.Response(text=html, content_type="text/html", headers=_NO_STORE)

    async def screen_events(self, request: web.Request) -> web.StreamResponse:
        workshop = await self._screen_workshop(request)
        if isinstance(workshop, web.Response):
            return workshop

        async def turnout() -> Hashable:
            return await self.rounds.of(workshop.id)

        return await self._events(request, screen_chat(workshop.id).chat_id, turnout)

    async def screen_image(self, request: web.Request) -> web.Response:
        workshop = await self._screen_workshop(request)
        if isinstance(workshop, web.Response):
            return workshop
        return self._image(request, screen_chat(workshop.id).chat_id)

    def _image(self, request: web.Request, chat_id: str) -> web.Response:
        message = request.match_info["message"]
        png = self.port.image(chat_id, int(message)) if message.isdigit() else None
        if png is None:
            return self._refusal(request, "web.error.not_found", 404)
        return web.Response(
            body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )

    async def _events(
        self,
        request: web.Request,
        chat_id: str,
        watch: Callable[[], Awaitable[Hashable]] | None = None,
        shown: Hashable = None,
    ) -> web.StreamResponse:
        """A page's event stream: an event at each change of the chat in this process and, with
        ``watch``, at each change of what ``watch`` reads from the database (every process's
        votes, launches and closes), first compared with ``shown`` (what the page shows) if given."""
        if self.streams >= MAX_STREAMS or self.closing:
            return self._refusal(request, "web.error.rate", 429)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        self.streams += 1
        try:
            await response.prepare(request)
            version = self.port.chat(chat_id).version
            await response.write(f"data: {version}\n\n".encode())
            seen = await _watched(watch)
            if shown is not None and seen is not None and shown != seen:
                await response.write(f"data: {version}-r\n\n".encode())
            ends = time.monotonic() + STREAM_SECONDS
            quiet_since = time.monotonic()
            while not self.closing and time.monotonic() < ends:
                now = await self.port.changed(chat_id, version, POLL_SECONDS if watch else SSE_KEEPALIVE)
                if self.closing:
                    break
                if now != version:
                    version, quiet_since = now, time.monotonic()
                    await response.write(f"data: {version}\n\n".encode())
                    continue
                state = await _watched(watch)
                if state is not None and state != seen:
                    seen, quiet_since = state, time.monotonic()
                    await response.write(f"data: {version}-r\n\n".encode())
                elif time.monotonic() - quiet_since >= SSE_KEEPALIVE:
                    quiet_since = time.monotonic()
                    await response.write(b": keepalive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.streams -= 1
        return response

    # --- joining from a browser -----------------------------------------------------------
    async def code_form(self, request: web.Request) -> web.Response:
        return self._join_page(request, None, "")

    async def join_form(self, request: web.Request) -> web.Response:
        code, why = self.signer.check("join", request.match_info["token"])
        if code is None:
            return self._refusal(request, f"web.error.{why}", 403)
        workshop = await self.conversation.service.store.workshop_by_code(code)
        if workshop is None:
            return self._refusal(request, "web.error.not_found", 404)
        return self._join_page(request, workshop, request.match_info["token"])

    def _join_page(self, request: web.Request, workshop: Workshop | None, token: str) -> web.Response:
        response = web.Response(content_type="text/html", headers=_NO_STORE)
        device = self._device(request) or self._new_device(response)
        lang = self._chosen_lang(request) or (
            workshop.language.value if workshop is not None else self._lang(request)
        )
        csrf = escape(self._csrf(device))
        if workshop is not None:
            title = t("web.join_title", lang, title=workshop.title)
            field_html = f'<input type="hidden" name="lank" value="{escape(token)}">'
        else:
            title = t("web.code_title", lang)
            field_html = (
                f'<p><label for="kod">{escape(t("web.code_label", lang))}</label><br>'
                '<input type="text" id="kod" name="kod" required maxlength="20" autocomplete="off" '
                'autocapitalize="characters" spellcheck="false"></p>'
            )
        form = (
            f'<form method="post" action="/delta"><input type="hidden" name="csrf" value="{csrf}">'
            f'{field_html}<button type="submit">{escape(t("web.join_button", lang))}</button></form>'
        )
        switch = self._switch(device, lang, request.path)
        response.text = pages.simple_page(title, t("web.join_intro", lang), lang, extra=form + switch)
        return response

    async def join(self, request: web.Request) -> web.Response:
        posted = await self._posted(request)
        if isinstance(posted, web.Response):
            return posted
        device, form = posted
        if form.get("lank"):
            code, why = self.signer.check("join", form["lank"])
            if code is None:
                return self._refusal(request, f"web.error.{why}", 403)
        else:
            code = form.get("kod", "").strip()[:20]
            try:
                workshop = await self.conversation.service.workshop_by_code(code)
            except DomainError:
                workshop = None
            if workshop is not None and _too_old(workshop, self.settings.join_code_hours, self.clock()):
                return self._refusal(request, "web.error.code_expired", 403)
        user, chat = self._user(device)
        await self.conversation.handle(CommandEvent(user, chat, "delta", (code,)))
        return _see_other("/mina")

    # --- a browser's own chat ---------------------------------------------------------------
    async def mine(self, request: web.Request) -> web.Response:
        response = web.Response(content_type="text/html", headers=_NO_STORE)
        device = self._device(request) or self._new_device(response)
        lang = (
            self._chosen_lang(request)
            or (
                await self.conversation.languages.of(
                    self.conversation.pseudonymizer.user_key(PLATFORM, device)
                )
            ).value
        )
        waiting = await self._catch_up(device, lang)
        chat = self.port.peek(device)
        csrf = escape(self._csrf(device))

        def form(message: WebMessage, index: int) -> str:
            buttons = [b for row in message.buttons or [] for b in row]
            nonce = secrets.token_urlsafe(9).replace(".", "_")
            # The button's data rides along, signed: the press is taken as the bot offered it by
            # any process (another behind the load balancer, or this one restarted, whose
            # message ids start again and may name another message now).
            payload = f"{device}:{message.id}:{index}:{nonce}:{buttons[index].data}"
            token = self.signer.sign("press", payload, FORM_SECONDS)
            return (
                '<form class="inline" method="post" action="/mina/tryck">'
                f'<input type="hidden" name="csrf" value="{csrf}">'
                f'<input type="hidden" name="form" value="{escape(token)}">'
                f'<button type="submit">{escape(buttons[index].label)}</button></form>'
            )

        def render(message: WebMessage) -> str:
            return pages.message_html(message, form, lambda message_id: f"/mina/bild/{message_id}")

        messages = [
            self.rendered.html(device, m, render)
            for m in (chat.messages.values() if chat is not None else [])
        ]
        commands = "".join(
            '<form class="inline" method="post" action="/mina/kommando">'
            f'<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="namn" value="{name}">'
            f'<button type="submit">{escape(t(label, lang))}</button></form>'
            for name, label in (
                ("rosta", "web.vote_button"),
                ("sektor", "web.sector_button"),
                ("glom", "web.forget_button"),
            )
        )
        if not messages:
            commands += f'<p><a href="/delta">{escape(t("web.code_title", lang))}</a></p>'
        commands += f'<p><a href="/mina">{escape(t("web.refresh_link", lang))}</a></p>'
        commands += self._switch(device, lang, "/mina")
        response.text = pages.mine_page(
            waiting=waiting,
            chat=chat,
            lang=lang,
            messages=messages,
            commands=commands,
            notice=chat.notice if chat is not None else "",
            alert=chat.notice_alert if chat is not None else False,
        )
        return response

    async def mine_events(self, request: web.Request) -> web.StreamResponse:
        device = self._device(request)
        if device is None:
            return self._refusal(request, "web.error.no_device", 403)

        async def round_state() -> Hashable:
            workshop_id = await self._workshop_of(device)
            return None if workshop_id is None else (await self.rounds.of(workshop_id)).key

        chat = self.port.peek(device)
        return await self._events(request, device, round_state, chat.seen if chat is not None else None)

    async def _workshop_of(self, device: str) -> int | None:
        """The workshop the browser's chat is bound to, from the service's cache of bindings
        (:meth:`WorkshopService.cached_binding`): every open phone's event stream asks it at each
        look at the round state (200 phones, three times a second), and reading it from the
        database each time made the phones' polls the vote's bottleneck. A join or leave through
        this process is in the cache at once; one through another process within its ttl."""
        return await self.conversation.service.cached_binding(
            self.conversation.pseudonymizer.chat_key(PLATFORM, device)
        )

    async def _catch_up(self, device: str, lang: str) -> bool:
        """Bring the browser's chat up to the round state in the database; whether it waits for a round.

        A round that opened (at any process) since the page last showed one is put on the page,
        as "Visa den öppna omgången" does, with a notice; a round that closed gets a notice; a
        process that shows nothing for the browser (restarted, or another behind the same load
        balancer) puts the open round on the page, so the participant can change their answer."""
        workshop_id = await self._workshop_of(device)
        if workshop_id is None:
            return False
        chat = self.port.chat(device)
        # A page this process has not shown the browser yet (just joined, a restart, another
        # process) reads the state now, not a quarter second old; later pages (one after every
        # vote) are shown with the state the event streams last read, read again behind them.
        if chat.seen is None:
            state = await self.rounds.now(workshop_id)
        else:
            state = await self.rounds.shown(workshop_id)
        round_id, is_open, position = key = state.key
        seen, chat.seen = chat.seen, key
        if seen == key:
            return not is_open
        was_open = seen is not None and seen[:2] == (round_id, True)  # so a step, or a close
        if not is_open:
            if was_open:
                chat.notice, chat.notice_alert = t("web.round_closed", lang, number=round_id), True
            return True
        if was_open and round_id is not None and self.conversation.service.stepped_here(round_id, position):
            return False  # stepped on by this process: the step is on the page already
        if seen is not None or not chat.messages:
            user, chat_ref = self._user(device)
            await self.conversation.handle(CommandEvent(user, chat_ref, "rosta"))
            if seen is not None:
                notice = "web.round_stepped" if was_open else "web.round_opened"
                chat.notice, chat.notice_alert = t(notice, lang, number=round_id), False
        return False

    async def language(self, request: web.Request) -> web.Response:
        """The Svenska/English switch: the pages' language (a cookie) and the bot's answers to this
        browser (the chat's /sprak), then back to the page it was pressed on."""
        posted = await self._posted(request)
        if isinstance(posted, web.Response):
            return posted
        device, form = posted
        lang = form.get("sprak", "")
        if lang not in LANGUAGES:
            return self._refusal(request, "web.error.forged", 400)
        back = form.get("till", "")
        if not re.fullmatch(r"/(?:mina|delta(?:/[A-Za-z0-9_.=-]{1,400})?)", back):
            back = "/mina"
        response = web.HTTPSeeOther(back)
        response.set_cookie(
            LANG_COOKIE, lang, max_age=DEVICE_DAYS * 86400, samesite="Lax", secure=self.settings.secure_cookie
        )
        user_key = self.conversation.pseudonymizer.user_key(PLATFORM, device)
        await self.conversation.service.store.set_language(user_key, Language(lang))
        self.conversation.languages.forget()
        raise response

    async def mine_image(self, request: web.Request) -> web.Response:
        device = self._device(request)
        if device is None:
            return self._refusal(request, "web.error.no_device", 403)
        return self._image(request, device)

    async def press(self, request: web.Request) -> web.Response:
        posted = await self._posted(request)
        if isinstance(posted, web.Response):
            return posted
        device, form = posted
        payload, why = self.signer.check("press", form.get("form", ""))
        if payload is None:
            return self._refusal(request, f"web.error.{why}", 403)
        owner, message_id, index, nonce, data = [*payload.split(":", 4), "", "", "", "", ""][:5]
        if owner != device or not message_id.isdigit() or not index.isdigit():
            return self._refusal(request, "web.error.forged", 403)
        if not data:  # a form rendered before its button's data was signed into it
            chat = self.port.peek(device)
            message = chat.messages.get(int(message_id)) if chat is not None else None
            buttons = [b for row in (message.buttons or []) for b in row] if message is not None else []
            if not int(index) < len(buttons):
                return self._refusal(request, "web.error.expired", 410)
            data = buttons[int(index)].data
        if not self.used_forms.first(nonce, self.clock() + FORM_SECONDS):
            return self._refusal(request, "web.error.replayed", 409)
        self.rendered.spent(device, int(message_id))  # the next page shows this message's forms anew
        user, chat_ref = self._user(device)
        event = ButtonEvent(
            user,
            chat_ref,
            data,
            MessageRef(chat_ref, message_id),
            press_id=nonce,
            delivery_id=nonce,
        )
        await self.conversation.handle(event)
        return _see_other("/mina#notice")

    async def command(self, request: web.Request) -> web.Response:
        posted = await self._posted(request)
        if isinstance(posted, web.Response):
            return posted
        device, form = posted
        name = BROWSER_COMMANDS.get(form.get("namn", ""))
        if name is None:
            return self._refusal(request, "web.error.forged", 400)
        user, chat = self._user(device)
        await self.conversation.handle(CommandEvent(user, chat, name))
        return _see_other("/mina")


_NO_STORE = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


async def _watched(watch: Callable[[], Awaitable[Hashable]] | None) -> Hashable:
    """What ``watch`` reads now; None without one, or while the database cannot be read (the
    stream goes on: the page keeps what it shows)."""
    if watch is None:
        return None
    try:
        return await watch()
    except Exception:  # a database outage must not end a projector's stream
        log.warning("a page's event stream could not read the round state", exc_info=False)
        return None


def _see_other(location: str) -> web.Response:
    """The 303 after a post (the browser then loads ``location``). Returned, not raised: building
    and raising aiohttp's ``HTTPSeeOther`` cost ten times as much, on every browser vote."""
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


def _cookie(request: web.Request, name: str) -> str:
    """The value of cookie ``name`` (the first one the browser sends, the most specific path), or "".

    Every browser vote reads the device cookie twice (the post and the page after it);
    ``request.cookies`` parses every cookie with :mod:`http.cookies` for that, several times the
    cost of this split. Ours is a signed token of URL-safe characters, checked after reading.
    """
    for header in request.headers.getall("Cookie", ()):
        for part in header.split(";"):
            key, sep, value = part.partition("=")
            if sep and key.strip() == name:
                return value.strip().strip('"')
    return ""


def _same_origin(origin: str, request: web.Request, public_url: str) -> bool:
    allowed = {f"{request.scheme}://{request.host}"}
    if public_url:
        scheme, _, rest = public_url.partition("://")
        allowed.add(f"{scheme}://{rest.split('/', 1)[0]}")
    return origin in allowed


def _too_old(workshop: Workshop, hours: int, now: float) -> bool:
    created = workshop.created_at
    if created is None:
        return False
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return datetime.fromtimestamp(now, UTC) - created > timedelta(hours=hours)
