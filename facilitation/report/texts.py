"""Swedish and English texts of the workshop report (``/rapport``), registered under ``report.*``.

The menu entry and the /hjalp line of ``/rapport`` live here too, beside the report's own wording.
"""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "menu.rapport": "Rapport (PDF) från hela workshopen",
        "help.cmd.rapport": "/rapport [workshop] – en PDF-rapport av workshopens stängda omgångar",
        "report.heading": "Rapport från workshop",
        "report.process": "Process: {name}",
        "report.title": "Workshop: {title}",
        "report.date": "Datum: {date}",
        "report.place": "Plats: {place}",
        "report.participants": "Deltagare: {n}",
        "report.participants_line": "{name}: {n}",
        "report.participants_hidden": "{name}: {reason}",
        "report.rounds": "Stängda omgångar: {n}",
        "report.method.heading": "Så läser du rapporten",
        "report.method.scale": (
            "Åsiktsbarometern: varje påstående besvarades på en skala från 1 (Jag håller INTE med) till "
            "{steps} (Jag håller med). Medelvärdet ligger mellan 1 och {steps}; andelen som håller med är de "
            "som svarade över mitten av skalan. n är antalet svar."
        ),
        "report.method.agreement": (
            "Enighet A (van der Eijk) visar hur samlat rummet svarade: 1 betyder att alla svarade samma, 0 att "
            "svaren var jämnt spridda och −1 att rummet delade sig i två läger."
        ),
        "report.method.hidden": (
            "Vad som döljs och varför: ingen röst visas med namn. En sektor med färre än {min} svar visas inte "
            "för sig, eftersom en liten grupps svar pekar ut dess medlemmar. Ibland döljs också en större grupp, "
            "så att den lilla inte kan räknas fram ur det som visas. Då står det vid resultatet."
        ),
        "report.method.frozen": (
            "Siffrorna är exakt de som publicerades när varje omgång stängdes. De ändras aldrig efteråt."
        ),
        "report.method.prio": (
            "Prioriteringen av principer: resultatet anger vilken metod som avgjorde ordningen."
        ),
        "report.round": "Omgång {number}: {title}",
        "report.round_kind": "{kind}, stängd {date}",
        "report.figures": "Siffrorna",
        "report.summary": "Sammanfattning: slutsatser",
        "report.appendix": "Bilaga: påståenden och principer som de ställdes",
        "report.appendix_round": "Omgång {number} – {kind}",
        "report.caption": "{filename}",
        "report.page": "Sida {page}",
        "report.pdf_caption": "Rapport från workshop {title} ({rounds} stängda omgångar)",
        "report.error.no_closed_round": (
            "Workshopen {title} har ingen stängd omgång än, så det finns ingen rapport att göra. "
            "Stäng en omgång med /stang först."
        ),
        "report.error.not_yours": "Du leder inte workshop {number}.",
        "report.usage": "/rapport [workshop]",
    },
    "en": {
        "menu.rapport": "Report (PDF) of the whole workshop",
        "help.cmd.rapport": "/report [workshop] – a PDF report of the workshop's closed rounds",
        "report.heading": "Workshop report",
        "report.process": "Process: {name}",
        "report.title": "Workshop: {title}",
        "report.date": "Date: {date}",
        "report.place": "Place: {place}",
        "report.participants": "Participants: {n}",
        "report.participants_line": "{name}: {n}",
        "report.participants_hidden": "{name}: {reason}",
        "report.rounds": "Closed rounds: {n}",
        "report.method.heading": "How to read this report",
        "report.method.scale": (
            "Opinion barometer: each statement was answered on a scale from 1 (I do NOT agree) to {steps} "
            "(I agree). The mean lies between 1 and {steps}; the share agreeing are those who answered above "
            "the middle of the scale. n is the number of answers."
        ),
        "report.method.agreement": (
            "Agreement A (van der Eijk) shows how united the room answered: 1 means everyone gave the same "
            "answer, 0 that the answers were spread evenly and −1 that the room split into two camps."
        ),
        "report.method.hidden": (
            "What is hidden and why: no vote is shown with a name. A sector with fewer than {min} answers is "
            "not shown on its own, since a small group's answers point out its members. Sometimes a larger "
            "group is hidden too, so that the small one cannot be worked out from what is shown. The result "
            "then says so."
        ),
        "report.method.frozen": (
            "The figures are exactly those published when each round closed. They never change afterwards."
        ),
        "report.method.prio": "Prioritisation of principles: the result names the method that decided the order.",
        "report.round": "Round {number}: {title}",
        "report.round_kind": "{kind}, closed {date}",
        "report.figures": "The figures",
        "report.summary": "Summary: conclusions",
        "report.appendix": "Appendix: statements and principles as asked",
        "report.appendix_round": "Round {number} – {kind}",
        "report.caption": "{filename}",
        "report.page": "Page {page}",
        "report.pdf_caption": "Report of workshop {title} ({rounds} closed rounds)",
        "report.error.no_closed_round": (
            "Workshop {title} has no closed round yet, so there is no report to make. "
            "Close a round with /close first."
        ),
        "report.error.not_yours": "You do not lead workshop {number}.",
        "report.usage": "/report [workshop]",
    },
}

register(TEXTS)
