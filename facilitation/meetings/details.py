"""The meeting details page a reminder links to: agenda, place and how to get there.

Served at ``{public_url}/m/<token>`` (:mod:`bot.meeting_pages`). The token names a meeting row
and an occurrence's place in the series, signed with the installation's secret, so nobody can
walk the meetings by guessing ids; it names no person (the same link goes to every contact).
The page shows the occurrence as it is *now* (after a move: the new time), in plain accessible
HTML (one heading, a definition list, no scripts, no external resources), Swedish or English.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from html import escape

import facilitation.meetings.notice_texts  # noqa: F401  (registers notices.* texts)
from facilitation.i18n import register, t
from facilitation.meetings.messages import format_when
from facilitation.meetings.model import Meeting
from facilitation.model import Language
from facilitation.pseudonym import Pseudonymizer

SIGNATURE_LENGTH = 22  # 132 bits of HMAC-SHA256
_TOKEN = re.compile(rf"^(\d{{1,12}})-(\d{{1,6}})-([A-Za-z0-9_-]{{{SIGNATURE_LENGTH}}})$")

register(
    {
        "sv": {
            "details.when": "När",
            "details.place": "Plats",
            "details.directions": "Hitta hit",
            "details.agenda": "Dagordning",
            "details.link": "Länk",
            "details.cancelled": "Mötet är inställt.",
            "details.not_found": "Den här länken leder inte till något möte.",
            "details.other_language": "In English",
        },
        "en": {
            "details.when": "When",
            "details.place": "Place",
            "details.directions": "How to get there",
            "details.agenda": "Agenda",
            "details.link": "Link",
            "details.cancelled": "The meeting is cancelled.",
            "details.not_found": "This link does not lead to a meeting.",
            "details.other_language": "På svenska",
        },
    }
)


def _payload(meeting_id: int, number: int) -> str:
    return f"meeting-details:{meeting_id}:{number}"


def details_token(signer: Pseudonymizer, meeting_id: int, number: int) -> str:
    return f"{meeting_id}-{number}-{signer.sign(_payload(meeting_id, number), SIGNATURE_LENGTH)}"


def read_token(signer: Pseudonymizer, token: str) -> tuple[int, int] | None:
    """(meeting id, occurrence number) of a genuine token, else None."""
    match = _TOKEN.match(token)
    if not match:
        return None
    meeting_id, number = int(match.group(1)), int(match.group(2))
    expected = signer.sign(_payload(meeting_id, number), SIGNATURE_LENGTH)
    if not hmac.compare_digest(match.group(3).encode("ascii"), expected.encode("ascii")):
        return None
    return meeting_id, number


def _page(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;"
        "line-height:1.5;color:#111;background:#fff}dt{font-weight:bold;margin-top:1em}"
        "dd{margin:0;white-space:pre-line}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    )


def details_page(
    meeting: Meeting | None, occurrence: datetime | None, lang: Language | str, other_href: str
) -> str:
    """The page; ``occurrence`` None: the occurrence no longer takes place (or the meeting is gone)."""
    code = str(lang)
    other = "sv" if code == "en" else "en"
    switch = (
        f'<p><a href="{escape(other_href)}" hreflang="{other}" lang="{other}">'
        f"{escape(t('details.other_language', lang))}</a></p>\n"
    )
    if meeting is None:
        return _page(t("details.not_found", lang), f"<h1>{escape(t('details.not_found', lang))}</h1>\n", code)
    rows = []
    if occurrence is None:
        rows.append(f"<p><strong>{escape(t('details.cancelled', lang))}</strong></p>\n")
    items = []
    if occurrence is not None:
        items.append(("details.when", escape(format_when(occurrence, meeting.duration, lang))))
    if meeting.place:
        items.append(("details.place", escape(meeting.place)))
    if meeting.directions:
        items.append(("details.directions", escape(meeting.directions)))
    if meeting.agenda.strip():
        items.append(("details.agenda", escape(meeting.agenda.strip())))
    if meeting.link:
        link = escape(meeting.link)
        items.append(
            ("details.link", f'<a href="{link}">{link}</a>' if meeting.link.startswith("https://") else link)
        )
    listing = "".join(f"<dt>{escape(t(key, lang))}</dt>\n<dd>{value}</dd>\n" for key, value in items)
    body = f"<h1>{escape(meeting.title)}</h1>\n" + "".join(rows) + f"<dl>\n{listing}</dl>\n" + switch
    return _page(meeting.title, body, code)
