"""Swedish and English texts of principle prioritisation, registered under ``prio.*``.

Kept in one place so the wording a participant sees on a phone, on a chart and in an export
stays consistent; importing the package registers them.
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
    },
}

register(TEXTS)
