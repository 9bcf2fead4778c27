"""Swedish and English texts of dialogue meetings and reminders, registered under ``meetings.*``.

One place for the wording a contact person sees in a reminder, on the RSVP buttons and in the
calendar file, so it stays consistent; importing the package registers them.
"""

from __future__ import annotations

from facilitation import room_texts as _room_texts  # noqa: F401  (room.gone.<reason>: why a chat is gone)
from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "meetings.bad_rrule": "Upprepningsregeln ”{rrule}” går inte att tolka: {reason}",
        "meetings.contact_gone": (
            "⚠️ Påminnelsen om {title} når inte {contact} ({signatory}) på {platform}: {reason}. De andra "
            "kontaktpersonerna får sina påminnelser; den här får inga fler försök. Be personen lägga till "
            "boten igen, eller ändra kontaktuppgiften (dialogbot contacts)."
        ),
        "meetings.unreachable": (
            "Påminnelserna når inte {n} kontaktperson(er), eftersom deras chatt är borta. Nästa påminnelse "
            "försöks en gång till; be personen lägga till boten igen (/kontakt), eller ändra kontaktuppgiften:"
        ),
        "meetings.unreachable_line": "• {contact} ({signatory}) på {platform}: {reason}",
        "meetings.reminder.with_place": "Påminnelse: {title} är {relative}, {when}, i {place}. Kommer du?",
        "meetings.reminder.no_place": "Påminnelse: {title} är {relative}, {when}. Kommer du?",
        "meetings.reminder.link": "Länk: {link}",
        "meetings.relative.today": "i dag",
        "meetings.relative.tomorrow": "i morgon",
        "meetings.relative.days": "om {n} dagar",
        "meetings.when": "{weekday} {day} {month} {year} kl. {start}–{end}",
        "meetings.when.multiday": "{weekday} {day} {month} {year} kl. {start}",
        "meetings.time": "{hour:02d}.{minute:02d}",
        "meetings.rsvp.yes": "Kommer",
        "meetings.rsvp.no": "Kommer inte",
        "meetings.rsvp.maybe": "Kanske",
        "meetings.rsvp.deputy": "Skickar ersättare",
        "meetings.rsvp.saved": "Tack! Ditt svar för organisationen: {label}. Du kan ändra det fram till mötet.",
        "meetings.rsvp.summary": "Svar hittills: {yes} kommer, {no} kommer inte, {maybe} kanske.",
        "meetings.rsvp.summary_pending": (
            "Svar hittills: {yes} kommer, {no} kommer inte, {maybe} kanske, {pending} har inte svarat."
        ),
        "meetings.ics.agenda": "Dagordning",
        "meetings.ics.link": "Länk",
        "meetings.ics.alarm": "Påminnelse: {title}",
        "meetings.weekday.0": "måndag",
        "meetings.weekday.1": "tisdag",
        "meetings.weekday.2": "onsdag",
        "meetings.weekday.3": "torsdag",
        "meetings.weekday.4": "fredag",
        "meetings.weekday.5": "lördag",
        "meetings.weekday.6": "söndag",
        "meetings.month.1": "januari",
        "meetings.month.2": "februari",
        "meetings.month.3": "mars",
        "meetings.month.4": "april",
        "meetings.month.5": "maj",
        "meetings.month.6": "juni",
        "meetings.month.7": "juli",
        "meetings.month.8": "augusti",
        "meetings.month.9": "september",
        "meetings.month.10": "oktober",
        "meetings.month.11": "november",
        "meetings.month.12": "december",
    },
    "en": {
        "meetings.bad_rrule": "The recurrence rule “{rrule}” cannot be read: {reason}",
        "meetings.contact_gone": (
            "⚠️ The reminder of {title} cannot reach {contact} ({signatory}) on {platform}: {reason}. The other "
            "contact persons get their reminders; this one is not tried again. Ask the person to add the bot "
            "again, or change the contact (dialogbot contacts)."
        ),
        "meetings.unreachable": (
            "The reminders do not reach {n} contact person(s), because their chat is gone. The next reminder "
            "is tried once more; ask the person to add the bot again (/contact), or change the contact:"
        ),
        "meetings.unreachable_line": "• {contact} ({signatory}) on {platform}: {reason}",
        "meetings.reminder.with_place": "Reminder: {title} is {relative}, {when}, at {place}. Are you coming?",
        "meetings.reminder.no_place": "Reminder: {title} is {relative}, {when}. Are you coming?",
        "meetings.reminder.link": "Link: {link}",
        "meetings.relative.today": "today",
        "meetings.relative.tomorrow": "tomorrow",
        "meetings.relative.days": "in {n} days",
        "meetings.when": "{weekday} {day} {month} {year} at {start}–{end}",
        "meetings.when.multiday": "{weekday} {day} {month} {year} at {start}",
        "meetings.time": "{hour:02d}:{minute:02d}",
        "meetings.rsvp.yes": "Coming",
        "meetings.rsvp.no": "Not coming",
        "meetings.rsvp.maybe": "Maybe",
        "meetings.rsvp.deputy": "Sending a substitute",
        "meetings.rsvp.saved": "Thank you! Your answer for the organisation: {label}. You can change it until the meeting.",
        "meetings.rsvp.summary": "Answers so far: {yes} coming, {no} not coming, {maybe} maybe.",
        "meetings.rsvp.summary_pending": (
            "Answers so far: {yes} coming, {no} not coming, {maybe} maybe, {pending} not answered."
        ),
        "meetings.ics.agenda": "Agenda",
        "meetings.ics.link": "Link",
        "meetings.ics.alarm": "Reminder: {title}",
        "meetings.weekday.0": "Monday",
        "meetings.weekday.1": "Tuesday",
        "meetings.weekday.2": "Wednesday",
        "meetings.weekday.3": "Thursday",
        "meetings.weekday.4": "Friday",
        "meetings.weekday.5": "Saturday",
        "meetings.weekday.6": "Sunday",
        "meetings.month.1": "January",
        "meetings.month.2": "February",
        "meetings.month.3": "March",
        "meetings.month.4": "April",
        "meetings.month.5": "May",
        "meetings.month.6": "June",
        "meetings.month.7": "July",
        "meetings.month.8": "August",
        "meetings.month.9": "September",
        "meetings.month.10": "October",
        "meetings.month.11": "November",
        "meetings.month.12": "December",
    },
}

register(TEXTS)
