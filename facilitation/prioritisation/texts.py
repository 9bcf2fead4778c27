"""Swedish and English texts of principle prioritisation, registered under ``prio.*``.

Kept in one place (one namespace: the ballot, chart and export wording and the chat flow's
instructions, buttons and result summary) so the wording a participant sees on a phone, on a
chart and in an export stays consistent; importing the package registers them.
"""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        # ballot refusals
        "prio.error.empty_ballot": "Du har inte valt något ännu. Välj minst ett alternativ.",
        "prio.error.unknown_item": "Det alternativet finns inte i den här omgången.",
        "prio.error.rank_invalid": "Placeringar räknas från 1 (viktigast) och uppåt.",
        "prio.error.duplicate_rank": "Plats {position} är vald mer än en gång.",
        "prio.error.rank_gap": "Plats {position} saknas – placeringarna måste följa på varandra.",
        "prio.error.rank_beyond_k": "En placering kan inte vara högre än {k}.",
        "prio.error.negative_points": "Poäng kan inte vara negativa.",
        "prio.error.points_sum": "Du har fördelat {given} poäng; fördela exakt {budget}.",
        "prio.error.approval_value": "Ett alternativ är antingen markerat eller inte.",
        "prio.error.already_ranked": "Den principen har du redan placerat.",
        "prio.error.ranking_full": "Din rangordning är full ({k} av {k}). Ångra en om du vill byta.",
        "prio.error.nothing_to_undo": "Det finns inget att ångra.",
        "prio.error.no_points_left": "Du har inga poäng kvar. Ta bort poäng från en annan princip först.",
        "prio.error.no_points_on_item": "Den principen har inga poäng att ta bort.",
        # running state on the phone
        "prio.draft.ranking.next": "— välj nummer {position} av {k}",
        "prio.draft.ranking.done": "— klart! Du har valt {k} av {k}.",
        "prio.draft.ranking.empty": "Inget valt ännu",
        "prio.draft.points.line": "{name}: {points}",
        "prio.draft.points.remaining": "⚠ Räknas inte förrän alla {budget} poäng är fördelade: {remaining} kvar.",
        "prio.draft.points.done": "✓ Alla {budget} poäng är fördelade – ditt svar räknas.",
        "prio.draft.approval.count": "Markerade: {count}",
        "prio.draft.dots.remaining": "⚠ Räknas inte förrän alla {budget} prickar är utdelade: {remaining} kvar.",
        "prio.draft.dots.done": "✓ Alla {budget} prickar är utdelade – ditt svar räknas.",
        "prio.draft.approval.none": "Inget markerat ännu",
        # charts and exports
        "prio.chart.title": "Vilka principer är viktiga för oss?",
        "prio.chart.n": "n = {n} svar",
        "prio.chart.n_short": "n = {n}",
        "prio.chart.axis.ranking": "Borda-poäng",
        "prio.chart.axis.points": "Poäng",
        "prio.chart.axis.approval": "Andel som markerat",
        "prio.chart.axis.ranking_mean": "Borda-poäng per deltagare",
        "prio.chart.axis.points_mean": "Poäng per deltagare",
        "prio.chart.axis.dots": "Prickar",
        "prio.chart.axis.dots_mean": "Prickar per deltagare",
        "prio.chart.axis.borda_baseline": (
            "Borda-poäng per deltagare (0–{top}). Staplarna utgår från {baseline} = alla lika viktiga;\n"
            "principer som inte valts delar lika på de poäng som blir över."
        ),
        "prio.chart.baseline": "alla lika viktiga: {baseline}",
        "prio.chart.pairwise.title": "Parvisa jämförelser (Schulze-ordning)",
        "prio.chart.pairwise.rows": "Föredras …",
        "prio.chart.pairwise.cols": "… framför",
        "prio.chart.pairwise.cols_numbered": "… framför (kolumnens nummer = radens nummer)",
        "prio.chart.pairwise.caption": "Talet = antal som föredrar raden framför kolumnen",
        "prio.export.sheet.summary": "Sammanfattning",
        "prio.export.sheet.items": "Principer",
        "prio.export.sheet.pairwise": "Parvisa jämförelser",
        "prio.export.sheet.sectors": "Sektorer",
        "prio.export.col.key": "Uppgift",
        "prio.export.col.value": "Värde",
        "prio.export.col.place": "Plats",
        "prio.export.col.principle": "Princip",
        "prio.export.col.borda": "Borda-poäng",
        "prio.export.col.mean_rank": "Medelplacering",
        "prio.export.col.points": "Poäng totalt",
        "prio.export.col.dots": "Prickar totalt",
        "prio.export.col.approval": "Andel som markerat",
        "prio.export.col.schulze": "Schulze-plats",
        "prio.export.col.sector_n": "{sector} (n = {n})",
        "prio.export.n": "Antal svar",
        "prio.export.method": "Metod",
        "prio.export.method.ranking": (
            "Rangordning. Avgör: Borda-poäng per deltagare (ej rangordnade delar lika på resten); "
            "lika avgörs av Schulze-platsen. Schulze (winning votes) och Condorcet som stöd"
        ),
        "prio.export.method.points": (
            "Poängfördelning. Avgör: poäng totalt; lika avgörs av Schulze-platsen. Schulze och Condorcet som stöd"
        ),
        "prio.export.method.dots": (
            "Prickar. Avgör: prickar totalt; lika avgörs av Schulze-platsen. Schulze och Condorcet som stöd"
        ),
        "prio.export.method.approval": (
            "Markering (godkännande). Avgör: andel som markerat; lika avgörs av Schulze-platsen. "
            "Schulze och Condorcet som stöd"
        ),
        "prio.export.winner": "Vinnare",
        "prio.export.schulze_first": "Etta enligt Schulze",
        "prio.export.condorcet": "Condorcet-vinnare",
        "prio.export.condorcet.none": "ingen",
        # the chat flow: title, instructions, buttons, acknowledgements, result summary
        "prio.title": "Vilka principer är viktiga för oss?",
        "prio.instructions.ranking.one": (
            "Tryck på den princip du tycker är viktigast.\n"
            "«Ångra» tar bort ditt val, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prio.instructions.ranking.other": (
            "Tryck på de {k} principer du tycker är viktigast, den viktigaste först.\n"
            "«Ångra» tar bort din senaste, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prio.instructions.ranking_all": (
            "Tryck på alla {k} principer i den ordning du tycker är viktigast, den viktigaste först.\n"
            "«Ångra» tar bort din senaste, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prio.instructions.points": (
            "Fördela {budget} poäng: varje tryck på en princip ger den {step} poäng, «−{step}» tar tillbaka "
            "{step}. «Rensa» börjar om. Bara svar där alla {budget} poäng är fördelade räknas."
        ),
        "prio.instructions.dots": (
            "Du har {budget} prickar: varje tryck på en princip ger den en prick, «−1» tar tillbaka en. "
            "«Rensa» börjar om. Bara svar där alla {budget} prickar är utdelade räknas."
        ),
        "prio.instructions.approval": (
            "Markera de principer du tycker är viktiga (gärna 2–5). Tryck igen för att ta bort en "
            "markering, «Rensa» börjar om. Du kan ändra dig tills omgången stängs."
        ),
        "prio.post.header": "Principer:",
        "prio.button.undo": "↩ Ångra",
        "prio.button.clear": "✖ Rensa",
        "prio.usage.ranking": "/rangordna [antal, t.ex. 3] – utan antal rangordnas alla",
        "prio.usage.points": "/poang [budget] – t.ex. /poang 100 (steg om 10) eller /poang 10 (prickar)",
        "prio.usage.approval": "/markera",
        "prio.results.header": "{title}: n = {n} svar",
        "prio.results.decides.ranking": (
            "Avgör: Borda-poäng per deltagare (lika poäng avgörs av Schulze-platsen)."
        ),
        "prio.results.decides.points": "Avgör: poäng totalt (lika poäng avgörs av Schulze-platsen).",
        "prio.results.decides.dots": "Avgör: prickar totalt (lika många avgörs av Schulze-platsen).",
        "prio.results.decides.approval": (
            "Avgör: andel som markerat (lika andel avgörs av Schulze-platsen)."
        ),
        "prio.results.winner": "Vinnare: {names} ({score}).",
        "prio.results.winner_tie": "Delad förstaplats: {names} ({score} var).",
        "prio.results.support": "Som stöd, parvisa jämförelser: etta enligt Schulze: {names}. {condorcet}",
        "prio.results.support_tie": (
            "Som stöd, parvisa jämförelser: delad etta enligt Schulze: {names}. {condorcet}"
        ),
        "prio.results.condorcet": (
            "Condorcet-vinnare (fler föredrar den än tvärtom i varje parvis jämförelse): {name}."
        ),
        "prio.results.no_condorcet": "Ingen Condorcet-vinnare (ingen slår alla andra parvis).",
        "prio.results.top": "Topplistan:",
        "prio.results.line": "{place}. {name} – {score}",
        "prio.results.score.ranking": "{value} Borda-poäng per deltagare",
        "prio.results.score.points": "{value} poäng",
        "prio.results.score.dots": "{value} prickar",
        "prio.results.score.approval": "{value} % markerade",
        "prio.results.partial_rankings.one": "1 svar valde färre än {k} (räknas som en kortare rangordning).",
        "prio.results.partial_rankings.other": (
            "{count} svar valde färre än {k} (räknas som kortare rangordningar)."
        ),
        "prio.results.incomplete_points.one": "1 svar fördelade inte alla {budget} {unit} och räknas inte.",
        "prio.results.incomplete_points.other": (
            "{count} svar fördelade inte alla {budget} {unit} och räknas inte."
        ),
        "prio.results.invalid.one": "1 ofullständigt svar räknas inte.",
        "prio.results.invalid.other": "{count} ofullständiga svar räknas inte.",
        "prio.results.sector_difference": (
            "Störst skillnad mellan sektorerna: {name} – högst för {high}, lägst för {low}."
        ),
        "prio.results.only_incomplete.one": "Inga fullständiga svar kom in (1 ofullständigt svar räknas inte).",
        "prio.results.only_incomplete.other": (
            "Inga fullständiga svar kom in ({count} ofullständiga svar räknas inte)."
        ),
        "prio.unit.points": "poäng",
        "prio.unit.dots": "prickar",
        "prio.tally.incomplete.one": (
            "⚠ 1 svar har ännu inte fördelat alla {budget} {unit} och räknas inte om omgången stängs nu."
        ),
        "prio.tally.incomplete.other": (
            "⚠ {count} svar har ännu inte fördelat alla {budget} {unit} och räknas inte om omgången stängs nu."
        ),
        "prio.error.closed_incomplete": (
            "Omgången är stängd. Ditt svar ({given} av {budget} {unit}) var inte fullständigt och räknades inte."
        ),
        "prio.caption.bars": "{title} (n = {n})",
        "prio.caption.sectors": "Per sektor, per deltagare. {note}",
        "prio.results.too_few": "Resultatet visas inte: {note}.",
        "prio.results.not_compared": (
            "Sektorerna jämförs inte: det behövs minst två grupper med minst {min} svar var (mindre grupper "
            "räknas ihop som Övriga när de tillsammans har minst {min})."
        ),
        "prio.export.left_out": "Svar från små grupper som inte ingår",
        "prio.error.too_few_to_export": "Det finns inget att exportera: {n} svar är för få för att visas (minst {min}).",
        "prio.export.excluded": "Ofullständiga svar (räknas inte)",
        "prio.export.filename": "prioritering",
    },
    "en": {
        "prio.error.empty_ballot": "You have not chosen anything yet. Choose at least one option.",
        "prio.error.unknown_item": "That option is not part of this round.",
        "prio.error.rank_invalid": "Positions count from 1 (most important) upwards.",
        "prio.error.duplicate_rank": "Position {position} is used more than once.",
        "prio.error.rank_gap": "Position {position} is missing – positions must follow each other.",
        "prio.error.rank_beyond_k": "A position cannot be higher than {k}.",
        "prio.error.negative_points": "Points cannot be negative.",
        "prio.error.points_sum": "You have given {given} points; give exactly {budget}.",
        "prio.error.approval_value": "An option is either marked or not.",
        "prio.error.already_ranked": "You have already placed that principle.",
        "prio.error.ranking_full": "Your ranking is full ({k} of {k}). Undo one to change.",
        "prio.error.nothing_to_undo": "There is nothing to undo.",
        "prio.error.no_points_left": "You have no points left. Take points from another principle first.",
        "prio.error.no_points_on_item": "That principle has no points to take away.",
        "prio.draft.ranking.next": "— choose number {position} of {k}",
        "prio.draft.ranking.done": "— done! You have chosen {k} of {k}.",
        "prio.draft.ranking.empty": "Nothing chosen yet",
        "prio.draft.points.line": "{name}: {points}",
        "prio.draft.points.remaining": "⚠ Not counted until all {budget} points are given: {remaining} left.",
        "prio.draft.points.done": "✓ All {budget} points are given – your answer counts.",
        "prio.draft.approval.count": "Marked: {count}",
        "prio.draft.dots.remaining": "⚠ Not counted until all {budget} dots are given: {remaining} left.",
        "prio.draft.dots.done": "✓ All {budget} dots are given – your answer counts.",
        "prio.draft.approval.none": "Nothing marked yet",
        "prio.chart.title": "Which principles matter to us?",
        "prio.chart.n": "n = {n} responses",
        "prio.chart.n_short": "n = {n}",
        "prio.chart.axis.ranking": "Borda points",
        "prio.chart.axis.points": "Points",
        "prio.chart.axis.approval": "Share who marked it",
        "prio.chart.axis.ranking_mean": "Borda points per participant",
        "prio.chart.axis.points_mean": "Points per participant",
        "prio.chart.axis.dots": "Dots",
        "prio.chart.axis.dots_mean": "Dots per participant",
        "prio.chart.axis.borda_baseline": (
            "Borda points per participant (0–{top}). Bars start at {baseline} = all equally important;\n"
            "principles not chosen share the points that are left equally."
        ),
        "prio.chart.baseline": "all equally important: {baseline}",
        "prio.chart.pairwise.title": "Pairwise comparisons (Schulze order)",
        "prio.chart.pairwise.rows": "Preferred …",
        "prio.chart.pairwise.cols": "… over",
        "prio.chart.pairwise.cols_numbered": "… over (column number = row number)",
        "prio.chart.pairwise.caption": "Number = how many prefer the row over the column",
        "prio.export.sheet.summary": "Summary",
        "prio.export.sheet.items": "Principles",
        "prio.export.sheet.pairwise": "Pairwise comparisons",
        "prio.export.sheet.sectors": "Sectors",
        "prio.export.col.key": "Item",
        "prio.export.col.value": "Value",
        "prio.export.col.place": "Place",
        "prio.export.col.principle": "Principle",
        "prio.export.col.borda": "Borda points",
        "prio.export.col.mean_rank": "Mean rank",
        "prio.export.col.points": "Total points",
        "prio.export.col.dots": "Total dots",
        "prio.export.col.approval": "Share who marked it",
        "prio.export.col.schulze": "Schulze place",
        "prio.export.col.sector_n": "{sector} (n = {n})",
        "prio.export.n": "Responses",
        "prio.export.method": "Method",
        "prio.export.method.ranking": (
            "Ranking. Decided by: Borda points per participant (unranked items share the rest equally); "
            "ties go to the Schulze place. Schulze (winning votes) and Condorcet in support"
        ),
        "prio.export.method.points": (
            "Points allocation. Decided by: total points; ties go to the Schulze place. Schulze and Condorcet "
            "in support"
        ),
        "prio.export.method.dots": (
            "Dots. Decided by: total dots; ties go to the Schulze place. Schulze and Condorcet in support"
        ),
        "prio.export.method.approval": (
            "Marking (approval). Decided by: share who marked it; ties go to the Schulze place. Schulze and "
            "Condorcet in support"
        ),
        "prio.export.winner": "Winner",
        "prio.export.schulze_first": "First by Schulze",
        "prio.export.condorcet": "Condorcet winner",
        "prio.export.condorcet.none": "none",
        # the chat flow: title, instructions, buttons, acknowledgements, result summary
        "prio.title": "Which principles matter to us?",
        "prio.instructions.ranking.one": (
            "Tap the principle you find most important.\n"
            "«Undo» removes your pick, «Clear» starts over. You can change until the round closes."
        ),
        "prio.instructions.ranking.other": (
            "Tap the {k} principles you find most important, the most important first.\n"
            "«Undo» removes your latest pick, «Clear» starts over. You can change until the round closes."
        ),
        "prio.instructions.ranking_all": (
            "Tap all {k} principles in order of importance, the most important first.\n"
            "«Undo» removes your latest pick, «Clear» starts over. You can change until the round closes."
        ),
        "prio.instructions.points": (
            "Give out {budget} points: each tap on a principle gives it {step} points, «−{step}» takes {step} "
            "back. «Clear» starts over. Only answers with all {budget} points given are counted."
        ),
        "prio.instructions.dots": (
            "You have {budget} dots: each tap on a principle gives it one dot, «−1» takes one back. "
            "«Clear» starts over. Only answers with all {budget} dots given are counted."
        ),
        "prio.instructions.approval": (
            "Mark the principles you find important (2–5 is a good number). Tap again to unmark, "
            "«Clear» starts over. You can change until the round closes."
        ),
        "prio.post.header": "Principles:",
        "prio.button.undo": "↩ Undo",
        "prio.button.clear": "✖ Clear",
        "prio.usage.ranking": "/rank [number, e.g. 3] – without a number all are ranked",
        "prio.usage.points": "/points [budget] – e.g. /points 100 (steps of 10) or /points 10 (dots)",
        "prio.usage.approval": "/approve",
        "prio.results.header": "{title}: n = {n} responses",
        "prio.results.decides.ranking": "Decided by: Borda points per participant (ties go to the Schulze place).",
        "prio.results.decides.points": "Decided by: total points (ties go to the Schulze place).",
        "prio.results.decides.dots": "Decided by: total dots (ties go to the Schulze place).",
        "prio.results.decides.approval": "Decided by: share who marked it (ties go to the Schulze place).",
        "prio.results.winner": "Winner: {names} ({score}).",
        "prio.results.winner_tie": "Shared first place: {names} ({score} each).",
        "prio.results.support": "In support, pairwise comparisons: first by Schulze: {names}. {condorcet}",
        "prio.results.support_tie": (
            "In support, pairwise comparisons: shared first by Schulze: {names}. {condorcet}"
        ),
        "prio.results.condorcet": (
            "Condorcet winner (in every head-to-head comparison more prefer it than the other way round): {name}."
        ),
        "prio.results.no_condorcet": "No Condorcet winner (none beats all others pairwise).",
        "prio.results.top": "Top of the list:",
        "prio.results.line": "{place}. {name} – {score}",
        "prio.results.score.ranking": "{value} Borda points per participant",
        "prio.results.score.points": "{value} points",
        "prio.results.score.dots": "{value} dots",
        "prio.results.score.approval": "{value} % marked it",
        "prio.results.partial_rankings.one": "1 response chose fewer than {k} (counted as a shorter ranking).",
        "prio.results.partial_rankings.other": (
            "{count} responses chose fewer than {k} (counted as shorter rankings)."
        ),
        "prio.results.incomplete_points.one": "1 response did not give all {budget} {unit} and is not counted.",
        "prio.results.incomplete_points.other": (
            "{count} responses did not give all {budget} {unit} and are not counted."
        ),
        "prio.results.invalid.one": "1 incomplete response is not counted.",
        "prio.results.invalid.other": "{count} incomplete responses are not counted.",
        "prio.results.sector_difference": (
            "Largest difference between sectors: {name} – highest for {high}, lowest for {low}."
        ),
        "prio.results.only_incomplete.one": "No complete responses came in (1 incomplete response is not counted).",
        "prio.results.only_incomplete.other": (
            "No complete responses came in ({count} incomplete responses are not counted)."
        ),
        "prio.unit.points": "points",
        "prio.unit.dots": "dots",
        "prio.tally.incomplete.one": (
            "⚠ 1 response has not given all {budget} {unit} yet and will not count if the round closes now."
        ),
        "prio.tally.incomplete.other": (
            "⚠ {count} responses have not given all {budget} {unit} yet and will not count if the round closes now."
        ),
        "prio.error.closed_incomplete": (
            "The round is closed. Your answer ({given} of {budget} {unit}) was not complete and was not counted."
        ),
        "prio.caption.bars": "{title} (n = {n})",
        "prio.caption.sectors": "By sector, per participant. {note}",
        "prio.results.too_few": "The result is not shown: {note}.",
        "prio.results.not_compared": (
            "Sectors are not compared: it takes at least two groups with at least {min} answers each (smaller "
            "groups are pooled as Others when together they have at least {min})."
        ),
        "prio.export.left_out": "Answers from small groups not included",
        "prio.error.too_few_to_export": "There is nothing to export: {n} answers are too few to show (at least {min}).",
        "prio.export.excluded": "Incomplete responses (not counted)",
        "prio.export.filename": "prioritisation",
    },
}

register(TEXTS)
