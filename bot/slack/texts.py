"""What only the Slack adapter says: the launch modal and App Home (Swedish first, English too)."""

from __future__ import annotations

from facilitation.i18n import register

TEXTS = {
    "sv": {
        "slack.modal.title": "Starta omgång",
        "slack.modal.submit": "Starta",
        "slack.modal.kind": "Övning",
        "slack.modal.statements": "Påståenden (åsiktsbarometer)",
        "slack.modal.principles": "Principer (rangordning, poäng, markering)",
        "slack.modal.typed": "Egna, en per rad",
        "slack.modal.deadline": "Stängs automatiskt (valfritt)",
        "slack.modal.deadline_hint": (
            "Svensk tid: ett klockslag i dag (15:30), datum och tid (2026-12-03T15:30) eller en tid "
            "framåt (90m, 2h, 2d). Tomt: du stänger omgången själv med /dialog stang."
        ),
        "slack.modal.deadline_placeholder": "t.ex. 15:30 eller 2d",
        "slack.modal.choose_items": "Välj minst en punkt i listan eller skriv egna.",
        "slack.modal.principles_not_for_barometer": (
            "En åsiktsbarometer använder påståenden, inte principer. Välj påståenden eller byt övning."
        ),
        "slack.modal.statements_not_for_priorities": (
            "En prioriteringsövning använder principer, inte påståenden. Välj principer eller byt övning."
        ),
        "slack.modal.commitments": "Åtaganden (uppföljning)",
        "slack.modal.commitments_only_for_followup": (
            "Åtaganden följs upp med övningen Uppföljning av åtaganden. Byt övning eller välj ur rätt lista."
        ),
        "slack.modal.followup_uses_commitments": (
            "En uppföljning använder åtaganden, inte påståenden eller principer. Välj åtaganden eller byt övning."
        ),
        "slack.home.workshops": "Dina workshoppar",
        "slack.home.none": "Du är inte med i någon workshop ännu.",
        "slack.home.open_round": "Öppen: {kind} #{number} – {title} ({n} har svarat)",
        "slack.home.no_open_round": "Ingen öppen omgång just nu.",
        "slack.home.meetings": "Kommande dialogmöten",
        "slack.invite": "Lägg till mig med /invite @{name} i kanalen och skicka kommandot igen.",
        "slack.add_the_app": (
            "Lägg till mig i kanalen (skriv /invite @ och appens namn) och skicka kommandot igen."
        ),
        "slack.invite_only": "Lägg till mig med /invite @{name} i kanalen.",
        "slack.add_the_app_only": "Lägg till mig i kanalen (skriv /invite @ och appens namn).",
    },
    "en": {
        "slack.modal.title": "Launch a round",
        "slack.modal.submit": "Launch",
        "slack.modal.kind": "Exercise",
        "slack.modal.statements": "Statements (opinion barometer)",
        "slack.modal.principles": "Principles (ranking, points, approval)",
        "slack.modal.typed": "Your own, one per line",
        "slack.modal.deadline": "Closes by itself (optional)",
        "slack.modal.deadline_hint": (
            "Swedish time: a time today (15:30), a date and time (2026-12-03T15:30) or a time ahead "
            "(90m, 2h, 2d). Empty: you close the round yourself with /dialog close."
        ),
        "slack.modal.deadline_placeholder": "e.g. 15:30 or 2d",
        "slack.modal.choose_items": "Choose at least one item from the list or type your own.",
        "slack.modal.principles_not_for_barometer": (
            "An opinion barometer uses statements, not principles. Choose statements or another exercise."
        ),
        "slack.modal.statements_not_for_priorities": (
            "A prioritisation uses principles, not statements. Choose principles or another exercise."
        ),
        "slack.modal.commitments": "Commitments (follow-up)",
        "slack.modal.commitments_only_for_followup": (
            "Commitments are followed up with the exercise Follow-up of commitments. Choose another "
            "exercise or pick from the right list."
        ),
        "slack.modal.followup_uses_commitments": (
            "A follow-up uses commitments, not statements or principles. Choose commitments or another exercise."
        ),
        "slack.home.workshops": "Your workshops",
        "slack.home.none": "You have not joined a workshop yet.",
        "slack.home.open_round": "Open: {kind} #{number} – {title} ({n} answered)",
        "slack.home.no_open_round": "No open round right now.",
        "slack.home.meetings": "Upcoming dialogue meetings",
        "slack.invite": "Add me to the channel with /invite @{name} and send the command again.",
        "slack.add_the_app": "Add me to the channel (type /invite @ and the app's name) and send the command again.",
        "slack.invite_only": "Add me to the channel with /invite @{name}.",
        "slack.add_the_app_only": "Add me to the channel (type /invite @ and the app's name).",
    },
}
register(TEXTS)
