"""'Add to Google Calendar' and 'Add to Outlook' links for one occurrence of a meeting.

Google: ``https://calendar.google.com/calendar/render?action=TEMPLATE&text=…&dates=START/END&details=…&location=…``
with UTC times ``YYYYMMDDTHHMMSSZ``; Outlook on the web:
``https://outlook.office.com/calendar/0/deeplink/compose?subject=…&startdt=…&enddt=…&body=…&location=…``
with ISO 8601 times. Both carry only the meeting's own public data (title, time, place, agenda).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import facilitation.meetings.notice_texts  # noqa: F401  (registers notices.* texts)
from facilitation.i18n import t
from facilitation.meetings.model import Meeting
from facilitation.meetings.tz import utc
from facilitation.model import Language

_DETAILS_LIMIT = 1000  # links stay well below the URL lengths browsers and chat clients accept


def _details(meeting: Meeting, details_url: str = "") -> str:
    parts = [meeting.agenda.strip()[:_DETAILS_LIMIT]] if meeting.agenda.strip() else []
    if meeting.link:
        parts.append(meeting.link)
    if details_url:
        parts.append(details_url)
    return "\n\n".join(parts)


def google_link(meeting: Meeting, occurrence: datetime, details_url: str = "") -> str:
    start, end = utc(occurrence), utc(occurrence) + meeting.duration
    query = {
        "action": "TEMPLATE",
        "text": meeting.title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": _details(meeting, details_url),
        "location": meeting.place,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(meeting: Meeting, occurrence: datetime, details_url: str = "") -> str:
    start, end = utc(occurrence), utc(occurrence) + meeting.duration
    query = {
        "subject": meeting.title,
        "startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _details(meeting, details_url),
        "location": meeting.place,
    }
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(query)


def calendar_links_text(
    meeting: Meeting, occurrence: datetime, lang: Language | str, details_url: str = ""
) -> str:
    """The lines under a reminder: Google, Outlook and (when the bot has a public URL) the details page."""
    lines = [
        t("notices.google", lang, link=google_link(meeting, occurrence, details_url)),
        t("notices.outlook", lang, link=outlook_link(meeting, occurrence, details_url)),
    ]
    if details_url:
        lines.append(t("notices.details", lang, link=details_url))
    return "\n".join(lines)
