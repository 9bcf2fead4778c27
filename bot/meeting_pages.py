"""``GET /m/<token>``: a meeting's details page (agenda, place, how to get there), on the HTTP
server that serves /healthz. See :mod:`facilitation.meetings.details`; ``?lang=en`` for English."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from facilitation.meetings.details import details_page, details_token, read_token
from facilitation.meetings.recurrence import nth_occurrence, occurrence_number
from facilitation.meetings.store import MeetingStore, StoredMeeting
from facilitation.model import Language
from facilitation.pseudonym import Pseudonymizer

log = logging.getLogger(__name__)
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def routes(store: MeetingStore, signer: Pseudonymizer) -> list[web.RouteDef]:
    async def page(request: web.Request) -> web.Response:
        lang = Language.EN if request.query.get("lang") == "en" else Language.SV
        other = f"{request.path}" + ("" if lang == Language.EN else "?lang=en")
        found = read_token(signer, request.match_info["token"])
        stored: StoredMeeting | None = None
        if found is not None:
            rows = await store.meetings(active_only=False, ids=[found[0]])
            stored = rows[0] if rows else None
        if stored is None or found is None:
            html = details_page(None, None, lang, other)
            return web.Response(text=html, content_type="text/html", status=404, headers=_HEADERS)
        occurrence = nth_occurrence(stored.meeting, found[1]) if stored.active else None
        html = details_page(stored.meeting, occurrence, lang, other)
        return web.Response(text=html, content_type="text/html", headers=_HEADERS)

    return [web.get("/m/{token}", page)]


def details_url(public_url: str, signer: Pseudonymizer) -> Callable[[StoredMeeting, datetime, str], str]:
    """The dispatcher's link maker: ``""`` (no link) when the bot has no public URL."""
    base = public_url.rstrip("/")

    def make(stored: StoredMeeting, occurrence: datetime, lang: str) -> str:
        if not base:
            return ""
        try:
            number = occurrence_number(stored.meeting, occurrence)
        except ValueError:
            return ""
        token = details_token(signer, stored.id, number)
        return f"{base}/m/{token}" + ("?lang=en" if str(lang) == "en" else "")

    return make
