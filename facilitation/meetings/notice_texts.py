"""Texts of calendar notices (update, cancel, welcome, nudge) and the calendar links, sv/en."""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "notices.update": "Ändrat: {title} är nu {when}{place}. Den bifogade kalenderfilen uppdaterar din kalender.",
        "notices.cancel": "Inställt: {title} {when} blir inte av. Den bifogade filen tar bort det ur din kalender.",
        "notices.welcome": "Välkommen som kontaktperson! Nästa möte: {title}, {when}{place}.",
        "notices.nudge": "Er organisation har inte svarat om {title} {when}{place}. Kommer du?",
        "notices.place": " i {place}",
        "notices.google": "Lägg till i Google Kalender: {link}",
        "notices.outlook": "Lägg till i Outlook: {link}",
        "notices.details": "Dagordning, plats och vägbeskrivning: {link}",
    },
    "en": {
        "notices.update": "Changed: {title} is now {when}{place}. The attached calendar file updates your calendar.",
        "notices.cancel": "Cancelled: {title} {when} will not take place. The attached file removes it from your calendar.",
        "notices.welcome": "Welcome as a contact person! Next meeting: {title}, {when}{place}.",
        "notices.nudge": "Your organisation has not answered about {title} {when}{place}. Are you coming?",
        "notices.place": " at {place}",
        "notices.google": "Add to Google Calendar: {link}",
        "notices.outlook": "Add to Outlook: {link}",
        "notices.details": "Agenda, place and directions: {link}",
    },
}

register(TEXTS)
