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
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

import segno
from aiohttp import web

from bot.web import pages
from bot.web.limits import Buckets, Once
from bot.web.port import PLATFORM, WebChat, WebMessage, WebPort, screen_chat
from bot.web.rendered import RenderedMessages
from bot.web.signing import Signer
from facilitation.cache import SingleFlight, TTLCache
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.model import RoundKind, Workshop
from facilitation.ports import ButtonEvent, ChatRef, CommandEvent, MessageRef, UserRef
from facilitation.screen.command import install as install_screen

log = logging.getLogger(__name__)

COOKIE = "dialogbot_enhet"
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
        self.rendered = RenderedMessages(lambda: self.clock(), FORM_REUSE_SECONDS)
        self._screen_workshops: TTLCache[Workshop] = TTLCache(SCREEN_WORKSHOP_SECONDS, 1000)
        self._screen_loads: SingleFlight[Workshop | None] = SingleFlight()
        #: The last feed rendered per (screen chat, link): every screen gets the same HTML per version.
        self._feeds: dict[tuple[str, str], tuple[WebChat | None, int, str, str]] = {}
        self.streams = 0
        self.closing = False
        conversation.add_port(self.port)
        install_screen(conversation, self)

    async def aclose(self) -> None:
        """End the open event streams (the server stops; it would otherwise wait for them)."""
        self.closing = True
        self.port.wake_all()

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
        ]

    # --- helpers ------------------------------------------------------------------------
    def _lang(self, request: web.Request) -> str:
        return "en" if request.headers.get("Accept-Language", "").lower().startswith("en") else "sv"

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
        qr = segno.make_qr(qr_link or workshop.join_code, error="m")
        svg = qr.svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
        telegram = self.conversation.ports.get("telegram")
        html = pages.screen_page(
            title=workshop.title,
            code=workshop.join_code,
            qr_svg=svg,
            qr_link=qr_link,
            join_url=join_url,
            feed=self._feed(request, workshop),
            lang=lang,
            telegram_link=telegram.join_link(workshop.join_code) if telegram is not None else None,
        )
        return web.Response(text=html, content_type="text/html", headers=_NO_STORE)

    def _feed(self, request: web.Request, workshop: Workshop) -> str:
        """The screen's changing part, rendered once per change of the screen chat (and link):
        every connected screen fetches it at each change, so ten screens cost one render."""
        base = f"/skarm/{request.match_info['token']}/bild/"
        chat_id = screen_chat(workshop.id).chat_id
        chat = self.port.peek(chat_id)
        lang = workshop.language.value
        version = chat.version if chat is not None else -1
        last = self._feeds.get((chat_id, base))
        if last is not None and last[0] is chat and last[1] == version and last[2] == lang:
            return last[3]
        html = self._render_feed(chat, base, lang)
        if len(self._feeds) >= 1000:
            self._feeds.clear()
        self._feeds[(chat_id, base)] = (chat, version, lang, html)
        return html

    def _render_feed(self, chat: WebChat | None, base: str, lang: str) -> str:
        intro = re.compile(
            "^(?:" + "|".join(re.escape(t(f"kind.{kind.value}", lang)) for kind in RoundKind) + r") #\d+: "
        )
        return pages.screen_feed(
            chat, lambda message_id: f"{base}{message_id}", lang, lambda text: bool(intro.match(text))
        )

    async def screen_feed(self, request: web.Request) -> web.Response:
        workshop = await self._screen_workshop(request)
        if isinstance(workshop, web.Response):
            return workshop
        return web.Response(text=self._feed(request, workshop), content_type="text/html", headers=_NO_STORE)

    async def screen_events(self, request: web.Request) -> web.StreamResponse:
        workshop = await self._screen_workshop(request)
        if isinstance(workshop, web.Response):
            return workshop
        return await self._events(request, screen_chat(workshop.id).chat_id)

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

    async def _events(self, request: web.Request, chat_id: str) -> web.StreamResponse:
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
            ends = time.monotonic() + STREAM_SECONDS
            while not self.closing and time.monotonic() < ends:
                now = await self.port.changed(chat_id, version, SSE_KEEPALIVE)
                if self.closing:
                    break
                if now == version:
                    await response.write(b": keepalive\n\n")
                    continue
                version = now
                await response.write(f"data: {version}\n\n".encode())
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
        lang = workshop.language.value if workshop is not None else self._lang(request)
        response = web.Response(content_type="text/html", headers=_NO_STORE)
        device = self._device(request) or self._new_device(response)
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
        response.text = pages.simple_page(title, t("web.join_intro", lang), lang, extra=form)
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
        lang = self.conversation.languages.known(
            self.conversation.pseudonymizer.user_key(PLATFORM, device)
        ).value
        chat = self.port.peek(device)
        csrf = escape(self._csrf(device))

        def form(message: WebMessage, index: int) -> str:
            buttons = [b for row in message.buttons or [] for b in row]
            nonce = secrets.token_urlsafe(9).replace(".", "_")
            token = self.signer.sign("press", f"{device}:{message.id}:{index}:{nonce}", FORM_SECONDS)
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
        response.text = pages.mine_page(
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
        return await self._events(request, device)

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
        owner, message_id, index, nonce = [*payload.split(":"), "", "", "", ""][:4]
        if owner != device or not message_id.isdigit() or not index.isdigit():
            return self._refusal(request, "web.error.forged", 403)
        chat = self.port.peek(device)
        message = chat.messages.get(int(message_id)) if chat is not None else None
        buttons = [b for row in (message.buttons or []) for b in row] if message is not None else []
        if not int(index) < len(buttons):
            return self._refusal(request, "web.error.expired", 410)
        if not self.used_forms.first(nonce, self.clock() + FORM_SECONDS):
            return self._refusal(request, "web.error.replayed", 409)
        self.rendered.spent(device, int(message_id))  # the next page shows this message's forms anew
        user, chat_ref = self._user(device)
        event = ButtonEvent(
            user,
            chat_ref,
            buttons[int(index)].data,
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
