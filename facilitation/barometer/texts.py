"""Swedish and English texts of the Åsiktsbarometer, registered under ``barometer.*``.

One place for the wording a participant sees on a button, a facilitator sees on the projector and
a reader sees in the exported report; importing the package registers them.
"""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        # scale: endpoints as on the workshop slides, the rest for 3–7 steps
        "barometer.scale.disagree": "Jag håller INTE med",
        "barometer.scale.agree": "Jag håller med",
        "barometer.scale.neutral": "Varken eller",
        "barometer.scale.mostly_disagree": "Håller till stor del inte med",
        "barometer.scale.partly_disagree": "Håller delvis inte med",
        "barometer.scale.partly_agree": "Håller delvis med",
        "barometer.scale.mostly_agree": "Håller till stor del med",
        "barometer.scale.lean_disagree": "{value} (lutar åt inte med)",
        "barometer.scale.lean_agree": "{value} (lutar åt med)",
        "barometer.scale.hint": "1 = {low} … {steps} = {high}",
        # patterns of the room
        "barometer.pattern.consensus": "enigt",
        "barometer.pattern.polarised": "polariserat",
        "barometer.pattern.spread": "spritt",
        # charts
        "barometer.chart.title": "Åsiktsbarometer",
        "barometer.chart.n": "n = {n}",
        "barometer.chart.earlier": "Förra omgången (streckad)",
        "barometer.chart.earlier_n": "förra: n = {n}",
        "barometer.chart.axis": "Andel svar (%)  ←  håller inte med · håller med  →",
        "barometer.chart.no_answers": "inga svar",
        "barometer.chart.count_axis": "Antal svar",
        "barometer.chart.mean": "Medelvärde {value}",
        "barometer.chart.median": "Median {value}",
        # export
        "barometer.export.sheet.statements": "Påståenden",
        "barometer.export.sheet.sectors": "Sektorer",
        "barometer.export.sheet.scale": "Skala",
        "barometer.export.col.number": "Nr",
        "barometer.export.col.statement": "Påstående",
        "barometer.export.col.sector": "Sektor",
        "barometer.export.col.n": "Antal svar",
        "barometer.export.col.step": "{value} – {label}",
        "barometer.export.col.mean": "Medelvärde",
        "barometer.export.col.median": "Median",
        "barometer.export.col.agree": "Håller med (%)",
        "barometer.export.col.neutral": "Varken eller (%)",
        "barometer.export.col.disagree": "Håller inte med (%)",
        "barometer.export.col.agreement": "Enighet A (van der Eijk)",
        "barometer.export.col.leik": "Spridning D (Leik)",
        "barometer.export.col.pattern": "Mönster",
        "barometer.export.col.value": "Steg",
        "barometer.export.col.label": "Betydelse",
        "barometer.export.sheet.dividing": "Skillnad mellan sektorer",
        "barometer.export.col.place": "Plats",
        "barometer.export.col.score": "Skillnad (0–1)",
        "barometer.export.col.mean_gap": "Skillnad i medelvärde (steg)",
        "barometer.export.col.distance": "Skillnad i fördelning (0–1)",
        "barometer.export.col.higher": "Högst",
        "barometer.export.col.lower": "Lägst",
        "barometer.export.col.sector_mean": "{sector}: medelvärde",
        "barometer.export.not_comparable": "färre än två sektorer kan visas",
        "barometer.export.dividing_method": (
            "Skillnad = (skillnad i medelvärde / (steg − 1) + skillnad i fördelning) / 2, "
            "mellan de två sektorer som skiljer sig mest"
        ),
        "barometer.export.sheet.comparison": "Jämförelse",
        "barometer.export.compared_with": "Jämfört med omgång #{number}",
        "barometer.export.col.n_before": "Antal svar då",
        "barometer.export.col.n_after": "Antal svar nu",
        "barometer.export.col.mean_before": "Medelvärde då",
        "barometer.export.col.mean_after": "Medelvärde nu",
        "barometer.export.col.mean_change": "Förändring i medelvärde",
        "barometer.export.col.agree_before": "Håller med då (%)",
        "barometer.export.col.agree_after": "Håller med nu (%)",
        "barometer.export.col.agree_change": "Förändring håller med (procentenheter)",
        "barometer.export.col.note": "Kommentar",
        "barometer.export.compare_new": "fanns inte med i den tidigare omgången",
        "barometer.export.compare_too_few_then": "för få svar i den tidigare omgången för att visas",
        "barometer.export.compare_too_few_now": "för få svar i den här omgången för att visas",
        "barometer.export.col.left_out": "Svar som inte ingår (små grupper)",
        "barometer.export.compare_other_scale": "annan skala: medelvärdena jämförs inte",
        # result summary and the room view
        "barometer.results.dividing.header": "Skillnad mellan sektorerna, störst först (medelvärde per sektor):",
        "barometer.results.dividing.line": "Påstående {number}: {means}",
        "barometer.results.dividing.left_out": "För få svar per sektor för att jämföra påstående {numbers}.",
        "barometer.results.dividing.none": (
            "Sektorerna jämförs inte: det behövs minst två grupper med minst {min} svar var (mindre grupper "
            "räknas ihop som Övriga när de tillsammans har minst {min})."
        ),
        "barometer.results.compare.header": "Jämfört med omgång #{number} (medelvärde då → nu, antal svar då → nu):",
        "barometer.results.compare.line": "{number}. {before} → {after} (n {n_before} → {n_after})",
        "barometer.results.compare.line_agree": (
            "{number}. håller med {before} % → {after} % (n {n_before} → {n_after}; annan skala)"
        ),
        "barometer.results.compare.new": "{number}. ny (inte med i omgång #{earlier})",
        "barometer.results.compare.too_few": "{number}. för få svar (då eller nu) för att jämföra med omgång #{earlier}",
        "barometer.results.chance.method": (
            "Slumpen prövas med ett permutationstest: svaren fördelas om slumpvis på sektorerna (samma "
            "gruppstorlekar, 1 999 gånger) och p-värdena Holm-justeras över påståendena; en skillnad är större "
            "än slumpen när det justerade p-värdet är under 5 %."
        ),
        "barometer.results.chance.beyond": "större än slumpen (p = {p})",
        "barometer.results.chance.within": "inom vad slumpen ger för så här små grupper (p = {p})",
        "barometer.results.chance.none": (
            "Ingen av skillnaderna är större än vad slumpen ger för grupper av den här storleken."
        ),
        "barometer.results.consensus.header": (
            "Här är sektorerna överens (varje jämförd sektor har en majoritet på samma sida; samsyn = produkten "
            "över sektorerna av (A + 1)/(S + 2), starkast först):"
        ),
        "barometer.results.consensus.agree": "Håller med – påstående {number}: {shares} (samsyn {score})",
        "barometer.results.consensus.disagree": "Håller inte med – påstående {number}: {shares} (samsyn {score})",
        "barometer.results.consensus.none": (
            "Här är sektorerna överens: inget påstående där varje jämförd sektor har en majoritet på samma sida."
        ),
        "barometer.results.skew": (
            "Obs, ojämn representation – {name}: {n} av {total} svar (jämnt fördelat vore {even}). "
            "Läs jämförelsen med det i åtanke."
        ),
        "barometer.consensus.agree": "håller med",
        "barometer.consensus.disagree": "håller inte med",
        "barometer.chart.consensus_title": "Här är sektorerna överens",
        "barometer.chart.consensus_axis": "Andel av sektorns svar på den sidan (%)",
        "barometer.chart.consensus_agree": "Håller med",
        "barometer.chart.consensus_disagree": "Håller inte med",
        "barometer.chart.consensus_score": "samsyn {score}",
        "barometer.export.sheet.consensus": "Sektorerna överens",
        "barometer.export.col.side": "Sida",
        "barometer.export.col.consensus": "Samsyn (0–1)",
        "barometer.export.col.side_share": "{sector}: andel på sidan (%)",
        "barometer.export.col.p": "p (permutationstest)",
        "barometer.export.col.p_holm": "p, Holm-justerat",
        "barometer.export.col.chance": "Större än slumpen",
        "barometer.export.yes": "ja",
        "barometer.export.no": "nej",
        "barometer.export.consensus_method": (
            "Med på listan när varje jämförd sektor har en majoritet på samma sida; samsyn = produkten över "
            "sektorerna av (A + 1)/(S + 2), A = svar på den sidan, S = svar på skalan"
        ),
        "barometer.room.caption_not_divided": (
            "Rummet är inte delat om något påstående. Så här stod rummet där enigheten var lägst, påstående "
            "{number}: {text}"
        ),
        "barometer.results.never_shown": (
            "Omgången stängdes innan påstående {numbers} visades; det ingår inte i resultatet."
        ),
        "barometer.dont_know.button": "Vet inte / berör inte oss",
        "barometer.dont_know.label": "Vet inte / berör inte oss",
        "barometer.dont_know.line": " · vet inte / berör inte oss {k} ({share} % av {total})",
        "barometer.chart.dont_know": "vet inte {k} ({share} %)",
        "barometer.export.col.dont_know": "Vet inte / berör inte oss (antal)",
        "barometer.export.col.dont_know_share": "Vet inte / berör inte oss (% av alla svar)",
        "barometer.room.too_few": "Påstående {number}: {note}",
        "barometer.room.caption": "Påstående {number}: {text}",
        "barometer.room.caption_most_divided": "Rummet är mest delat om påstående {number}: {text}",
        "barometer.usage.room": "/rummet NR [omgång] – t.ex. /rummet 3",
        "barometer.error.no_statement": "Omgång #{round} har inget påstående {number} (välj {numbers}).",
        "barometer.error.room_not_closed": (
            "Det påståendet kan fortfarande besvaras i omgång #{round}. Rummets bild visas när omgången "
            "är stängd, eller stegvis när ni har gått vidare till nästa påstående (/nasta)."
        ),
        "barometer.error.no_barometer": "Det finns ingen stängd åsiktsbarometer i den här workshoppen ännu.",
    },
    "en": {
        "barometer.scale.disagree": "I do not agree",
        "barometer.scale.agree": "I agree",
        "barometer.scale.neutral": "Neither",
        "barometer.scale.mostly_disagree": "Mostly disagree",
        "barometer.scale.partly_disagree": "Partly disagree",
        "barometer.scale.partly_agree": "Partly agree",
        "barometer.scale.mostly_agree": "Mostly agree",
        "barometer.scale.lean_disagree": "{value} (leaning disagree)",
        "barometer.scale.lean_agree": "{value} (leaning agree)",
        "barometer.scale.hint": "1 = {low} … {steps} = {high}",
        "barometer.pattern.consensus": "consensus",
        "barometer.pattern.polarised": "polarised",
        "barometer.pattern.spread": "spread",
        "barometer.chart.title": "Opinion barometer",
        "barometer.chart.n": "n = {n}",
        "barometer.chart.earlier": "Earlier round (hatched)",
        "barometer.chart.earlier_n": "earlier: n = {n}",
        "barometer.chart.axis": "Share of answers (%)  ←  do not agree · agree  →",
        "barometer.chart.no_answers": "no answers",
        "barometer.chart.count_axis": "Number of answers",
        "barometer.chart.mean": "Mean {value}",
        "barometer.chart.median": "Median {value}",
        "barometer.export.sheet.statements": "Statements",
        "barometer.export.sheet.sectors": "Sectors",
        "barometer.export.sheet.scale": "Scale",
        "barometer.export.col.number": "No.",
        "barometer.export.col.statement": "Statement",
        "barometer.export.col.sector": "Sector",
        "barometer.export.col.n": "Answers",
        "barometer.export.col.step": "{value} – {label}",
        "barometer.export.col.mean": "Mean",
        "barometer.export.col.median": "Median",
        "barometer.export.col.agree": "Agree (%)",
        "barometer.export.col.neutral": "Neither (%)",
        "barometer.export.col.disagree": "Do not agree (%)",
        "barometer.export.col.agreement": "Agreement A (van der Eijk)",
        "barometer.export.col.leik": "Dispersion D (Leik)",
        "barometer.export.col.pattern": "Pattern",
        "barometer.export.col.value": "Step",
        "barometer.export.col.label": "Meaning",
        "barometer.export.sheet.dividing": "Differences between sectors",
        "barometer.export.col.place": "Place",
        "barometer.export.col.score": "Difference (0–1)",
        "barometer.export.col.mean_gap": "Difference in mean (steps)",
        "barometer.export.col.distance": "Difference in distribution (0–1)",
        "barometer.export.col.higher": "Highest",
        "barometer.export.col.lower": "Lowest",
        "barometer.export.col.sector_mean": "{sector}: mean",
        "barometer.export.not_comparable": "fewer than two sectors can be shown",
        "barometer.export.dividing_method": (
            "Difference = (difference in mean / (steps − 1) + difference in distribution) / 2, "
            "between the two sectors that differ most"
        ),
        "barometer.export.sheet.comparison": "Comparison",
        "barometer.export.compared_with": "Compared with round #{number}",
        "barometer.export.col.n_before": "Answers then",
        "barometer.export.col.n_after": "Answers now",
        "barometer.export.col.mean_before": "Mean then",
        "barometer.export.col.mean_after": "Mean now",
        "barometer.export.col.mean_change": "Change in mean",
        "barometer.export.col.agree_before": "Agree then (%)",
        "barometer.export.col.agree_after": "Agree now (%)",
        "barometer.export.col.agree_change": "Change in agree (percentage points)",
        "barometer.export.col.note": "Note",
        "barometer.export.compare_new": "not part of the earlier round",
        "barometer.export.compare_too_few_then": "too few answers in the earlier round to show",
        "barometer.export.compare_too_few_now": "too few answers in this round to show",
        "barometer.export.col.left_out": "Answers not included (small groups)",
        "barometer.export.compare_other_scale": "other scale: means are not compared",
        "barometer.results.dividing.header": "Difference between sectors, largest first (mean per sector):",
        "barometer.results.dividing.line": "Statement {number}: {means}",
        "barometer.results.dividing.left_out": "Too few answers per sector to compare statement {numbers}.",
        "barometer.results.dividing.none": (
            "Sectors are not compared: it takes at least two groups with at least {min} answers each (smaller "
            "groups are pooled as Others when together they have at least {min})."
        ),
        "barometer.results.compare.header": "Compared with round #{number} (mean then → now, answers then → now):",
        "barometer.results.compare.line": "{number}. {before} → {after} (n {n_before} → {n_after})",
        "barometer.results.compare.line_agree": (
            "{number}. agree {before} % → {after} % (n {n_before} → {n_after}; other scale)"
        ),
        "barometer.results.compare.new": "{number}. new (not in round #{earlier})",
        "barometer.results.compare.too_few": "{number}. too few answers (then or now) to compare with round #{earlier}",
        "barometer.results.chance.method": (
            "Chance is tested by permutation: the answers are dealt out to the sectors at random (same group "
            "sizes, 1,999 times) and the p-values are Holm-adjusted over the statements; a difference is more "
            "than chance when its adjusted p-value is below 5 %."
        ),
        "barometer.results.chance.beyond": "more than chance (p = {p})",
        "barometer.results.chance.within": "within what chance gives for groups this small (p = {p})",
        "barometer.results.chance.none": "None of the differences is more than chance gives for groups of this size.",
        "barometer.results.consensus.header": (
            "Where the sectors agree (every compared sector has a majority on the same side; consensus = the "
            "product over the sectors of (A + 1)/(S + 2), strongest first):"
        ),
        "barometer.results.consensus.agree": "Agree – statement {number}: {shares} (consensus {score})",
        "barometer.results.consensus.disagree": "Do not agree – statement {number}: {shares} (consensus {score})",
        "barometer.results.consensus.none": (
            "Where the sectors agree: no statement on which every compared sector has a majority on the same side."
        ),
        "barometer.results.skew": (
            "Note, uneven representation – {name}: {n} of {total} answers (an even split would be {even}). "
            "Read the comparison with that in mind."
        ),
        "barometer.consensus.agree": "agree",
        "barometer.consensus.disagree": "do not agree",
        "barometer.chart.consensus_title": "Where the sectors agree",
        "barometer.chart.consensus_axis": "Share of the sector's answers on that side (%)",
        "barometer.chart.consensus_agree": "Agree",
        "barometer.chart.consensus_disagree": "Do not agree",
        "barometer.chart.consensus_score": "consensus {score}",
        "barometer.export.sheet.consensus": "Sectors agree",
        "barometer.export.col.side": "Side",
        "barometer.export.col.consensus": "Consensus (0–1)",
        "barometer.export.col.side_share": "{sector}: share on that side (%)",
        "barometer.export.col.p": "p (permutation test)",
        "barometer.export.col.p_holm": "p, Holm-adjusted",
        "barometer.export.col.chance": "More than chance",
        "barometer.export.yes": "yes",
        "barometer.export.no": "no",
        "barometer.export.consensus_method": (
            "Listed when every compared sector has a majority on the same side; consensus = the product over the "
            "sectors of (A + 1)/(S + 2), A = answers on that side, S = answers on the scale"
        ),
        "barometer.room.caption_not_divided": (
            "The room is not divided on any statement. This is where it stood where agreement was lowest, "
            "statement {number}: {text}"
        ),
        "barometer.results.never_shown": (
            "The round was closed before statement {numbers} was shown; it is not part of the result."
        ),
        "barometer.dont_know.button": "Don't know / does not concern us",
        "barometer.dont_know.label": "Don't know / does not concern us",
        "barometer.dont_know.line": " · don't know / does not concern us {k} ({share} % of {total})",
        "barometer.chart.dont_know": "don't know {k} ({share} %)",
        "barometer.export.col.dont_know": "Don't know / does not concern us (count)",
        "barometer.export.col.dont_know_share": "Don't know / does not concern us (% of all answers)",
        "barometer.room.too_few": "Statement {number}: {note}",
        "barometer.room.caption": "Statement {number}: {text}",
        "barometer.room.caption_most_divided": "The room is most divided on statement {number}: {text}",
        "barometer.usage.room": "/room NO [round] – e.g. /room 3",
        "barometer.error.no_statement": "Round #{round} has no statement {number} (choose {numbers}).",
        "barometer.error.room_not_closed": (
            "That statement can still be answered in round #{round}. The room view is shown once the round "
            "is closed, or step by step once you have moved on to the next statement (/next)."
        ),
        "barometer.error.no_barometer": "There is no closed opinion barometer in this workshop yet.",
    },
}

register(TEXTS)
