"""Texts of the prioritisation exercise in the conversation (``prioex.*``), Swedish and English.

The ballot, chart and export wording of the domain lives in :mod:`facilitation.prioritisation.texts`
(``prio.*``); these are the words around it: instructions, buttons and the result summary.
"""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "prioex.title": "Vilka principer är viktiga för oss?",
        "prioex.instructions.ranking": (
            "Tryck på de {k} principer du tycker är viktigast, den viktigaste först.\n"
            "«Ångra» tar bort din senaste, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prioex.instructions.ranking_all": (
            "Tryck på alla {k} principer i den ordning du tycker är viktigast, den viktigaste först.\n"
            "«Ångra» tar bort din senaste, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prioex.instructions.points": (
            "Fördela {budget} poäng: varje tryck på en princip ger den {step} poäng, «−{step}» tar tillbaka "
            "{step}. «Rensa» börjar om. Bara svar där alla {budget} poäng är fördelade räknas."
        ),
        "prioex.instructions.dots": (
            "Du har {budget} prickar: varje tryck på en princip ger den en prick, «−1» tar tillbaka en. "
            "«Rensa» börjar om. Bara svar där alla {budget} prickar är utdelade räknas."
        ),
        "prioex.instructions.approval": (
            "Markera de principer du tycker är viktiga (gärna 2–5). Tryck igen för att ta bort en "
            "markering, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prioex.post.header": "Principer:",
        "prioex.button.undo": "↩ Ångra",
        "prioex.button.clear": "✖ Rensa",
        "prioex.usage.ranking": "/rangordna [antal, t.ex. 3] – utan antal rangordnas alla",
        "prioex.usage.points": "/poang [budget] – t.ex. /poang 100 (steg om 10) eller /poang 10 (prickar)",
        "prioex.usage.approval": "/markera",
        "prioex.results.header": "{title}: n = {n} svar",
        "prioex.results.winner": "Vinnare: {names} ({score}).",
        "prioex.results.winner_tie": "Delad förstaplats: {names} ({score} var).",
        "prioex.results.condorcet": "Condorcet-vinnare (en majoritet föredrar den framför varje annan): {name}.",
        "prioex.results.no_condorcet": "Ingen Condorcet-vinnare (ingen slår alla andra parvis); etta enligt Schulze: {names}.",
        "prioex.results.top": "Topplistan:",
        "prioex.results.line": "{place}. {name} – {score}",
        "prioex.results.score.ranking": "{value} Borda-poäng",
        "prioex.results.score.points": "{value} poäng",
        "prioex.results.score.approval": "{value} % markerade",
        "prioex.results.partial_rankings": "{count} svar valde färre än {k} (räknas som kortare rangordningar).",
        "prioex.results.incomplete_points": "{count} svar fördelade inte alla {budget} poäng och räknas inte.",
        "prioex.results.invalid": "{count} ofullständiga svar räknas inte.",
        "prioex.results.sector_difference": (
            "Störst skillnad mellan sektorerna: {name} – högst hos {high}, lägst hos {low}."
        ),
        "prioex.results.only_incomplete": "Inga fullständiga svar kom in ({count} ofullständiga räknas inte).",
        "prioex.caption.bars": "{title} (n = {n})",
        "prioex.caption.sectors": "Per sektor, per svar (grupper med färre än {min} svar visas inte)",
        "prioex.export.excluded": "Ofullständiga svar (räknas inte)",
        "prioex.export.filename": "prioritering",
    },
    "en": {
        "prioex.title": "Which principles matter to us?",
        "prioex.instructions.ranking": (
            "Tap the {k} principles you find most important, the most important first.\n"
            "«Undo» removes your latest pick, «Clear» starts over. You can change until the round closes."
        ),
        "prioex.instructions.ranking_all": (
            "Tap all {k} principles in order of importance, the most important first.\n"
            "«Undo» removes your latest pick, «Clear» starts over. You can change until the round closes."
        ),
        "prioex.instructions.points": (
            "Give out {budget} points: each tap on a principle gives it {step} points, «−{step}» takes {step} "
            "back. «Clear» starts over. Only answers with all {budget} points given are counted."
        ),
        "prioex.instructions.dots": (
            "You have {budget} dots: each tap on a principle gives it one dot, «−1» takes one back. "
            "«Clear» starts over. Only answers with all {budget} dots given are counted."
        ),
        "prioex.instructions.approval": (
            "Mark the principles you find important (2–5 is a good number). Tap again to unmark, "
            "«Clear» starts over. You can change until the round closes."
        ),
        "prioex.post.header": "Principles:",
        "prioex.button.undo": "↩ Undo",
        "prioex.button.clear": "✖ Clear",
        "prioex.usage.ranking": "/rank [number, e.g. 3] – without a number all are ranked",
        "prioex.usage.points": "/points [budget] – e.g. /points 100 (steps of 10) or /points 10 (dots)",
        "prioex.usage.approval": "/approve",
        "prioex.results.header": "{title}: n = {n} responses",
        "prioex.results.winner": "Winner: {names} ({score}).",
        "prioex.results.winner_tie": "Shared first place: {names} ({score} each).",
        "prioex.results.condorcet": "Condorcet winner (a majority prefers it to every other): {name}.",
        "prioex.results.no_condorcet": "No Condorcet winner (none beats all others pairwise); first by Schulze: {names}.",
        "prioex.results.top": "Top of the list:",
        "prioex.results.line": "{place}. {name} – {score}",
        "prioex.results.score.ranking": "{value} Borda points",
        "prioex.results.score.points": "{value} points",
        "prioex.results.score.approval": "{value} % marked it",
        "prioex.results.partial_rankings": "{count} responses chose fewer than {k} (counted as shorter rankings).",
        "prioex.results.incomplete_points": "{count} responses did not give all {budget} points and are not counted.",
        "prioex.results.invalid": "{count} incomplete responses are not counted.",
        "prioex.results.sector_difference": (
            "Largest difference between sectors: {name} – highest for {high}, lowest for {low}."
        ),
        "prioex.results.only_incomplete": "No complete responses came in ({count} incomplete are not counted).",
        "prioex.caption.bars": "{title} (n = {n})",
        "prioex.caption.sectors": "By sector, per response (groups with fewer than {min} responses are not shown)",
        "prioex.export.excluded": "Incomplete responses (not counted)",
        "prioex.export.filename": "prioritisation",
    },
}

register(TEXTS)
