"""The pages behind an e-mail's links: ``/osa/<token>`` (RSVP) and ``/sluta/<token>`` (stop or forget).

``GET /osa/<token>`` shows, ``POST /osa/<token>`` records; ``/sluta/`` (:func:`stop_routes`) does
the same for "Sluta få påminnelser" / "Glöm mig" and the ``List-Unsubscribe`` one-click POST.

Served beside ``/healthz`` (registered through :attr:`bot.health.Health.extra_routes`). A GET
never changes anything: mail scanners (Outlook Safe Links, Gmail, virus scanners) open every link
of a message before its reader does. The page asks "answer «Kommer» for <organisation>?" with one
button that POSTs the same token; that POST records the answer through the meetings store
(:meth:`facilitation.meetings.links.RsvpLinks.answer`), and sending it again records the same
answer again. The page is in the contact's language; it names the organisation and the meeting,
never the person or their address, and is neither cached nor indexed nor sent as a referrer.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web

from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.meetings.links import LINK_PATH, STOP, STOP_PATH, LinkAnswer, RsvpLinks, StopLinks
from facilitation.meetings.store import MeetingStore
from facilitation.model import Language

log = logging.getLogger(__name__)

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
_STATUS = {
    "meetingslink.invalid": 404,
    "meetingslink.expired": 410,
    "meetingslink.gone": 410,
    "meetingslink.closed": 410,
}


def _page(
    lang: Language | str, body: str, status: int = 200, title_key: str = "meetingslink.title"
) -> web.Response:
    title = html.escape(t(title_key, lang))
    document = (
        f'<!DOCTYPE html><html lang="{Language(lang).value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:17px;max-width:36em;margin:2em auto;'
        f'padding:0 1em;line-height:1.45"><h1 style="font-size:1.4em">{title}</h1>{body}</body></html>'
    )
    return web.Response(
        text=document, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS
    )


def _question(shown: LinkAnswer, token: str) -> str:
    lang = shown.lang
    question = t(
        "meetingslink.question",
        lang,
        label=shown.label,
        signatory=shown.signatory,
        title=shown.title,
        when=shown.when,
    )
    others = " · ".join(
        f'<a href="{html.escape(other)}">{html.escape(label)}</a>' for label, other in shown.others
    )
    return (
        f"<p>{html.escape(question)}</p>"
        f'<form method="post" action="{html.escape(token)}"><button type="submit" '
        'style="font-size:1.1em;padding:.6em 1.4em;background:#1a5e9a;color:#fff;border:0;border-radius:4px">'
        f"{html.escape(t('meetingslink.confirm', lang, label=shown.label))}</button></form>"
        + (f"<p>{html.escape(t('meetingslink.other_answers', lang))} {others}</p>" if others else "")
    )


def rsvp_routes(
    links: RsvpLinks,
    store: Callable[[], MeetingStore],
    *,
    clock: Callable[[], datetime],
    language: Language = Language.SV,
    is_outage: Callable[[BaseException], bool] = lambda exc: False,
) -> list[web.RouteDef]:
    """The routes of the RSVP page; ``store`` gives the meetings store (read at each request)."""

    async def handle(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        now = clock()
        try:
            if request.method == "POST":
                shown = await links.answer(store(), token, now)
                saved = t("meetingslink.saved", shown.lang, label=shown.label, signatory=shown.signatory)
                log.info("e-mail RSVP: an answer was recorded through a link")
                return _page(shown.lang, f"<p>{html.escape(saved)}</p>")
            shown, _delivery, _index = await links.look_up(store(), token, now)
            return _page(shown.lang, _question(shown, token))
        except DomainError as refused:
            return _page(
                language, f"<p>{html.escape(refused.message(language))}</p>", _STATUS.get(refused.key, 400)
            )
        except Exception as exc:
            if is_outage(exc):
                log.warning("e-mail RSVP: the database is unreachable (%s)", type(exc).__name__)
                return _page(language, f"<p>{html.escape(t('error.database', language))}</p>", 503)
            log.exception("e-mail RSVP: the answer page failed")
            return _page(language, f"<p>{html.escape(t('error.internal', language))}</p>", 500)

    path = LINK_PATH + "{token}"
    return [web.get(path, handle, allow_head=False), web.post(path, handle)]


_STOP_STATUS = {"stoplink.invalid": 404, "stoplink.expired": 410, "stoplink.gone": 410, "stoplink.used": 410}


def _both_languages(key: str, first: Language) -> str:
    """A refusal in the installation's language and then the other: nobody is known to ask."""
    order = [first] + [lang for lang in Language if lang != first]
    return "".join(f'<p lang="{lang.value}">{html.escape(t(key, lang))}</p>' for lang in order)


def stop_routes(
    links: StopLinks,
    store: Callable[[], MeetingStore],
    first_use: Callable[[str, datetime], Awaitable[bool]],
    *,
    clock: Callable[[], datetime],
    language: Language = Language.SV,
    is_outage: Callable[[BaseException], bool] = lambda exc: False,
) -> list[web.RouteDef]:
    """The page behind every e-mail's "Sluta få påminnelser" / "Glöm mig" link and its
    ``List-Unsubscribe`` header: ``GET /sluta/<token>`` asks, ``POST`` (the page's button, or a
    mail client's RFC 8058 one-click POST ``List-Unsubscribe=One-Click``) acts, once.

    ``first_use(token, expires)``: True the first time a token acts (kept in the shared database
    until it expires), so a replayed link, even after the contact was added again, changes nothing.
    """

    def refused(key: str) -> web.Response:
        return _page(language, _both_languages(key, language), _STOP_STATUS.get(key, 400), "stoplink.title")

    async def handle(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        now = clock()
        try:
            asked = await links.look_up(store(), token, now)
            lang = asked.lang
            if request.method == "POST":
                if not await first_use(token, asked.expires):
                    return refused("stoplink.used")
                await links.apply(store(), asked, now)
                log.info(
                    "e-mail: a contact %s through a link",
                    "stopped" if asked.action == STOP else "was forgotten",
                )
                done = t("stoplink.stopped" if asked.action == STOP else "stoplink.forgotten", lang)
                return _page(lang, f"<p>{html.escape(done)}</p>", title_key="stoplink.title")
            kind = "stop" if asked.action == STOP else "forget"
            question = t(f"stoplink.{kind}_question", lang, signatories=asked.signatories)
            body = (
                f"<p>{html.escape(question)}</p>"
                f'<form method="post" action="{html.escape(token)}"><button type="submit" '
                'style="font-size:1.1em;padding:.6em 1.4em;background:#1a5e9a;color:#fff;border:0;border-radius:4px">'
                f"{html.escape(t(f'stoplink.{kind}_button', lang))}</button></form>"
            )
            if asked.action == STOP:
                other = links.forget_token(token, now)
                body += (
                    f"<p>{html.escape(t('stoplink.stop_forget_instead', lang))} "
                    f'<a href="{html.escape(other)}">{html.escape(t("stoplink.forget_button", lang))}</a></p>'
                )
            return _page(lang, body, title_key="stoplink.title")
        except DomainError as refusal:
            return refused(refusal.key)
        except Exception as exc:
            if is_outage(exc):
                log.warning("e-mail stop link: the database is unreachable (%s)", type(exc).__name__)
                return _page(language, f"<p>{html.escape(t('error.database', language))}</p>", 503)
            log.exception("e-mail stop link: the page failed")
            return _page(language, f"<p>{html.escape(t('error.internal', language))}</p>", 500)

    path = STOP_PATH + "{token}"
    return [web.get(path, handle, allow_head=False), web.post(path, handle)]
