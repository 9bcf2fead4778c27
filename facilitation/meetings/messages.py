"""Reminder, RSVP and tally texts in the contact's language, with Stockholm dates spelled out.

Dates read like "tisdag 10 mars 2026 kl. 10.00–13.00" (Swedish) or "Tuesday 10 March 2026
at 10:00–13:00" (English), always in Europe/Stockholm time, because that is where the
meeting happens whatever the server's clock says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import facilitation.meetings.texts  # noqa: F401  (registers meetings.* texts)
from facilitation.i18n import t
from facilitation.meetings.model import Meeting, Rsvp, RsvpTally
from facilitation.meetings.reminders import due_time
from facilitation.meetings.tz import to_local
from facilitation.model import Language

#: The button action of a reminder's RSVP buttons: (delivery id, index into :func:`rsvp_buttons`).
RSVP_ACTION = "rv"


def _clock(moment: datetime, lang: Language | str) -> str:
    return t("meetings.time", lang, hour=moment.hour, minute=moment.minute)


def format_when(start: datetime, duration: timedelta, lang: Language | str = Language.SV) -> str:
    """Weekday, date and local time span of a meeting; the end is left out if it is another day."""
    local = to_local(start)
    end = to_local(start + duration)
    params = {
        "weekday": t(f"meetings.weekday.{local.weekday()}", lang),
        "day": local.day,
        "month": t(f"meetings.month.{local.month}", lang),
        "year": local.year,
        "start": _clock(local, lang),
    }
    if end.date() != local.date():
        return t("meetings.when.multiday", lang, **params)
    return t("meetings.when", lang, end=_clock(end, lang), **params)


def relative_day(occurrence: datetime, reference: datetime, lang: Language | str = Language.SV) -> str:
    """Relative day: "i dag" / "i morgon" / "om N dagar", counted in local calendar days from ``reference``."""
    days = (to_local(occurrence).date() - to_local(reference).date()).days
    if days <= 0:
        return t("meetings.relative.today", lang)
    if days == 1:
        return t("meetings.relative.tomorrow", lang)
    return t("meetings.relative.days", lang, n=days)


def reminder_text(
    meeting: Meeting,
    occurrence: datetime,
    offset: timedelta,
    lang: Language | str = Language.SV,
    *,
    now: datetime | None = None,
) -> str:
    """The reminder a contact gets ``offset`` before ``occurrence``.

    Pass ``now`` for a caught-up reminder so it says the time actually left, not the planned one.
    """
    reference = now if now is not None else due_time(occurrence, offset)
    params = {
        "title": meeting.title,
        "relative": relative_day(occurrence, reference, lang),
        "when": format_when(occurrence, meeting.duration, lang),
    }
    if meeting.place:
        text = t("meetings.reminder.with_place", lang, place=meeting.place, **params)
    else:
        text = t("meetings.reminder.no_place", lang, **params)
    if meeting.link:
        text += "\n" + t("meetings.reminder.link", lang, link=meeting.link)
    return text


def rsvp_label(answer: Rsvp, lang: Language | str = Language.SV) -> str:
    """The button label of ``answer`` (Kommer / Kommer inte / Kanske)."""
    return t(f"meetings.rsvp.{answer.value}", lang)


#: The answers in button order: a button's index is stored in its data, so only append.
RSVP_ORDER = (Rsvp.KOMMER, Rsvp.KOMMER_INTE, Rsvp.KANSKE, Rsvp.SKICKAR_ERSATTARE)


def rsvp_buttons(lang: Language | str = Language.SV) -> list[tuple[Rsvp, str]]:
    """The four answers in button order with their labels (one row: within Telegram's and Slack's limits)."""
    return [(answer, rsvp_label(answer, lang)) for answer in RSVP_ORDER]


def rsvp_saved(answer: Rsvp, lang: Language | str = Language.SV) -> str:
    """The confirmation after a contact answered."""
    return t("meetings.rsvp.saved", lang, label=rsvp_label(answer, lang))


def rsvp_summary(tally: RsvpTally, lang: Language | str = Language.SV) -> str:
    """Counts only, never names: "Svar hittills: 5 kommer, 2 kommer inte, 1 kanske, 4 har inte svarat."."""
    params = {"yes": tally.yes, "no": tally.no, "maybe": tally.maybe}
    if tally.pending is None:
        return t("meetings.rsvp.summary", lang, **params)
    return t("meetings.rsvp.summary_pending", lang, pending=tally.pending, **params)


def contact_gone_text(
    title: str, contact: str, signatory: str, platform: str, reason: str, lang: Language | str = Language.SV
) -> str:
    """What an organiser is told when a reminder's chat is gone for good (``reason``: a GoneReason value)."""
    return t(
        "meetings.contact_gone",
        lang,
        title=title,
        contact=contact,
        signatory=signatory,
        platform=platform.capitalize(),
        reason=gone_reason_text(reason, lang),
    )


def gone_reason_text(reason: str, lang: Language | str = Language.SV) -> str:
    """Why a chat is gone (``reason``: a GoneReason value) in words, e.g. "the bot was removed"."""
    return t(f"room.gone.{reason}", lang)


def unreachable_text(contacts: list[tuple[str, str, str, str]], lang: Language | str = Language.SV) -> str:
    """``/osa``'s list of contact persons no reminder reaches: (contact, signatory, platform, reason)."""
    lines = [
        t(
            "meetings.unreachable_line",
            lang,
            contact=contact,
            signatory=signatory,
            platform=platform.capitalize(),
            reason=gone_reason_text(reason, lang),
        )
        for contact, signatory, platform, reason in contacts
    ]
    return "\n".join([t("meetings.unreachable", lang, n=len(contacts)), *lines])
