"""Texts of the prioritisation exercise in the conversation (``prioex.*``), Swedish and English.

The ballot, chart and export wording of the domain lives in :mod:`facilitation.prioritisation.texts`
(``prio.*``); these are the words around it: instructions, buttons and the result summary.
"""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "prioex.title": "Vilka principer är viktiga för oss?",
        "prioex.instructions.ranking.one": (
            "Tryck på den princip du tycker är viktigast.\n"
            "«Ångra» tar bort ditt val, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prioex.instructions.ranking.other": (
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
        "prioex.results.decides.ranking": (
            "Avgör: Borda-poäng per deltagare (lika poäng avgörs av Schulze-platsen)."
        ),
        "prioex.results.decides.points": "Avgör: poäng totalt (lika poäng avgörs av Schulze-platsen).",
        "prioex.results.decides.dots": "Avgör: prickar totalt (lika många avgörs av Schulze-platsen).",
        "prioex.results.decides.approval": (
            "Avgör: andel som markerat (lika andel avgörs av Schulze-platsen)."
        ),
        "prioex.results.winner": "Vinnare: {names} ({score}).",
        "prioex.results.winner_tie": "Delad förstaplats: {names} ({score} var).",
        "prioex.results.support": "Som stöd, parvisa jämförelser: etta enligt Schulze: {names}. {condorcet}",
        "prioex.results.support_tie": (
            "Som stöd, parvisa jämförelser: delad etta enligt Schulze: {names}. {condorcet}"
        ),
        "prioex.results.condorcet": (
            "Condorcet-vinnare (fler föredrar den än tvärtom i varje parvis jämförelse): {name}."
        ),
        "prioex.results.no_condorcet": "Ingen Condorcet-vinnare (ingen slår alla andra parvis).",
        "prioex.results.top": "Topplistan:",
        "prioex.results.line": "{place}. {name} – {score}",
        "prioex.results.score.ranking": "{value} Borda-poäng per deltagare",
        "prioex.results.score.points": "{value} poäng",
        "prioex.results.score.dots": "{value} prickar",
        "prioex.results.score.approval": "{value} % markerade",
        "prioex.results.partial_rankings.one": "1 svar valde färre än {k} (räknas som en kortare rangordning).",
        "prioex.results.partial_rankings.other": (
            "{count} svar valde färre än {k} (räknas som kortare rangordningar)."
        ),
        "prioex.results.incomplete_points.one": "1 svar fördelade inte alla {budget} {unit} och räknas inte.",
        "prioex.results.incomplete_points.other": (
            "{count} svar fördelade inte alla {budget} {unit} och räknas inte."
        ),
        "prioex.results.invalid.one": "1 ofullständigt svar räknas inte.",
        "prioex.results.invalid.other": "{count} ofullständiga svar räknas inte.",
        "prioex.results.sector_difference": (
            "Störst skillnad mellan sektorerna: {name} – högst för {high}, lägst för {low}."
        ),
        "prioex.results.only_incomplete.one": "Inga fullständiga svar kom in (1 ofullständigt svar räknas inte).",
        "prioex.results.only_incomplete.other": (
            "Inga fullständiga svar kom in ({count} ofullständiga svar räknas inte)."
        ),
        "prioex.unit.points": "poäng",
        "prioex.unit.dots": "prickar",
        "prioex.tally.incomplete.one": (
            "⚠ 1 svar har ännu inte fördelat alla {budget} {unit} och räknas inte om omgången stängs nu."
        ),
        "prioex.tally.incomplete.other": (
            "⚠ {count} svar har ännu inte fördelat alla {budget} {unit} och räknas inte om omgången stängs nu."
        ),
        "prioex.error.closed_incomplete": (
            "Omgången är stängd. Ditt svar ({given} av {budget} {unit}) var inte fullständigt och räknades inte."
        ),
        "prioex.caption.bars": "{title} (n = {n})",
        "prioex.caption.sectors": "Per sektor, per deltagare. {note}",
        "prioex.results.too_few": "Resultatet visas inte: {note}.",
        "prioex.results.not_compared": (
            "Sektorerna jämförs inte: det behövs minst två grupper med minst {min} svar var (mindre grupper "
            "räknas ihop som Övriga när de tillsammans har minst {min})."
        ),
        "prioex.export.left_out": "Svar från små grupper som inte ingår",
        "prioex.error.too_few_to_export": "Det finns inget att exportera: {n} svar är för få för att visas (minst {min}).",
        "prioex.export.excluded": "Ofullständiga svar (räknas inte)",
        "prioex.export.filename": "prioritering",
    },
    "en": {
        "prioex.title": "Which principles matter to us?",
        "prioex.instructions.ranking.one": (
            "Tap the principle you find most important.\n"
            "«Undo» removes your pick, «Clear» starts over. You can change until the round closes."
        ),
        "prioex.instructions.ranking.other": (
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
        "prioex.results.decides.ranking": "Decided by: Borda points per participant (ties go to the Schulze place).",
        "prioex.results.decides.points": "Decided by: total points (ties go to the Schulze place).",
        "prioex.results.decides.dots": "Decided by: total dots (ties go to the Schulze place).",
        "prioex.results.decides.approval": "Decided by: share who marked it (ties go to the Schulze place).",
        "prioex.results.winner": "Winner: {names} ({score}).",
        "prioex.results.winner_tie": "Shared first place: {names} ({score} each).",
        "prioex.results.support": "In support, pairwise comparisons: first by Schulze: {names}. {condorcet}",
        "prioex.results.support_tie": (
            "In support, pairwise comparisons: shared first by Schulze: {names}. {condorcet}"
        ),
        "prioex.results.condorcet": (
            "Condorcet winner (in every head-to-head comparison more prefer it than the other way round): {name}."
        ),
        "prioex.results.no_condorcet": "No Condorcet winner (none beats all others pairwise).",
        "prioex.results.top": "Top of the list:",
        "prioex.results.line": "{place}. {name} – {score}",
        "prioex.results.score.ranking": "{value} Borda points per participant",
        "prioex.results.score.points": "{value} points",
        "prioex.results.score.dots": "{value} dots",
        "prioex.results.score.approval": "{value} % marked it",
        "prioex.results.partial_rankings.one": "1 response chose fewer than {k} (counted as a shorter ranking).",
        "prioex.results.partial_rankings.other": (
            "{count} responses chose fewer than {k} (counted as shorter rankings)."
        ),
        "prioex.results.incomplete_points.one": "1 response did not give all {budget} {unit} and is not counted.",
        "prioex.results.incomplete_points.other": (
            "{count} responses did not give all {budget} {unit} and are not counted."
        ),
        "prioex.results.invalid.one": "1 incomplete response is not counted.",
        "prioex.results.invalid.other": "{count} incomplete responses are not counted.",
        "prioex.results.sector_difference": (
            "Largest difference between sectors: {name} – highest for {high}, lowest for {low}."
        ),
        "prioex.results.only_incomplete.one": "No complete responses came in (1 incomplete response is not counted).",
        "prioex.results.only_incomplete.other": (
            "No complete responses came in ({count} incomplete responses are not counted)."
        ),
        "prioex.unit.points": "points",
        "prioex.unit.dots": "dots",
        "prioex.tally.incomplete.one": (
            "⚠ 1 response has not given all {budget} {unit} yet and will not count if the round closes now."
        ),
        "prioex.tally.incomplete.other": (
            "⚠ {count} responses have not given all {budget} {unit} yet and will not count if the round closes now."
        ),
        "prioex.error.closed_incomplete": (
            "The round is closed. Your answer ({given} of {budget} {unit}) was not complete and was not counted."
        ),
        "prioex.caption.bars": "{title} (n = {n})",
        "prioex.caption.sectors": "By sector, per participant. {note}",
        "prioex.results.too_few": "The result is not shown: {note}.",
        "prioex.results.not_compared": (
            "Sectors are not compared: it takes at least two groups with at least {min} answers each (smaller "
            "groups are pooled as Others when together they have at least {min})."
        ),
        "prioex.export.left_out": "Answers from small groups not included",
        "prioex.error.too_few_to_export": "There is nothing to export: {n} answers are too few to show (at least {min}).",
        "prioex.export.excluded": "Incomplete responses (not counted)",
        "prioex.export.filename": "prioritisation",
    },
}

register(TEXTS)
