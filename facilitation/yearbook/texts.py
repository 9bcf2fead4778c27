"""Swedish and English texts of conclusions, yearly rounds and trends (``yearbook.*``)."""

from __future__ import annotations

from facilitation.i18n import register

TEXTS = {
    "sv": {
        "menu.slutsats": "Skriv vad rummet kom fram till om en omgång",
        "help.cmd.slutsats": (
            "/slutsats [omgång] TEXT – vad rummet kom fram till (senaste stängda omgången om du inte anger "
            "nummer; en ny slutsats ersätter den förra)"
        ),
        "menu.arsomgang": "Markera en omgång som processens årsomgång",
        "help.cmd.arsomgang": (
            "/arsomgang [omgång] [år] – gör en stängd åsiktsbarometer till processens omgång det året "
            "(/arsomgang omgång bort tar bort markeringen)"
        ),
        "menu.trend": "Utvecklingen över åren för påståendena",
        "help.cmd.trend": "/trend [påstående] – medelvärde och andel som håller med, år för år",
        "yearbook.usage.conclusion": "/slutsats [omgång] TEXT",
        "yearbook.usage.yearly": "/arsomgang [omgång] [år] eller /arsomgang omgång bort",
        "yearbook.usage.trend": "/trend [påståendets nummer eller nyckel]",
        "yearbook.conclusion.saved": "Slutsatsen för omgång {number} ({title}) är sparad.",
        "yearbook.conclusion.replaced": (
            "Slutsatsen för omgång {number} ({title}) är ersatt. Den nya gäller; den förra visas inte längre."
        ),
        "yearbook.conclusion.heading": "Slutsatser",
        "yearbook.conclusion.post": "Slutsats för omgång {number}: {text}",
        "yearbook.conclusion.table": "Slutsats",
        "yearbook.conclusion.column": "Vad rummet kom fram till",
        "yearbook.conclusion.recorded": "Skriven",
        "yearbook.summary.heading": "Sammanfattning",
        "yearbook.summary.line": "Omgång {number} ({title}): {text}",
        "yearbook.summary.none": "Inga slutsatser är skrivna för workshopens omgångar.",
        "yearbook.error.no_text": "Skriv slutsatsen efter kommandot, t.ex. /slutsats 3 Vi tar med Dialog i nästa års överenskommelse.",
        "yearbook.error.too_long": "Slutsatsen är {length} tecken lång; högst {max} tecken får plats.",
        "yearbook.error.not_closed": (
            "Omgång {number} är inte stängd än. En slutsats skrivs om en stängd omgång, när rummet har sett "
            "resultatet."
        ),
        "yearbook.error.no_closed_round": "Workshopen har ingen stängd omgång än att skriva en slutsats om.",
        "yearbook.error.not_barometer": "Omgång {number} är ingen åsiktsbarometer; bara de kan följas år för år.",
        "yearbook.error.no_closed_barometer": "Workshopen har ingen stängd åsiktsbarometer än att markera.",
        "yearbook.error.bad_year": "{year} är inget år jag kan använda (ange ett årtal mellan 1990 och 2100).",
        "yearbook.error.year_taken": (
            "År {year} är redan omgång {number} i en annan workshop av processen. Bara en konfigurerad "
            "facilitator kan byta ut den."
        ),
        "yearbook.error.no_such_statement": (
            "Processen har inget påstående {statement}. Ange numret (1–{max}) eller nyckeln."
        ),
        "yearbook.yearly.marked": "Omgång {number} ({title}) är nu processens årsomgång {year}.",
        "yearbook.yearly.replaced": (
            "Omgång {number} ({title}) är nu processens årsomgång {year}; den ersätter omgång {before}."
        ),
        "yearbook.yearly.unmarked": "Omgång {number} är inte längre någon årsomgång.",
        "yearbook.yearly.was_not": "Omgång {number} var ingen årsomgång.",
        "yearbook.trend.none": (
            "Processen har inga årsomgångar än. Markera stängda åsiktsbarometrar med /arsomgang, en per år."
        ),
        "yearbook.trend.not_asked": "Påståendet ställdes inte i någon av processens årsomgångar ({years}).",
        "yearbook.trend.header": "Utveckling över åren – {process} ({years})",
        "yearbook.trend.statement": "{number}. {text}",
        "yearbook.trend.year": "  {year} (omgång {round}): medel {mean} av {steps} · håller med {agree} % · n = {n}",
        "yearbook.trend.year_hidden": "  {year} (omgång {round}): {note}",
        "yearbook.trend.sector": "{name} {mean} / {agree} % (n = {n})",
        "yearbook.trend.caption": "Utveckling över åren: medelvärde och andel som håller med per år",
        "yearbook.trend.chapter": "Utveckling över åren",
        "yearbook.trend.chapter_intro": (
            "Påståendena följs år för år i processens årsomgångar ({years}), matchade på påståendets "
            "nyckel. Varje år visas siffrorna som de publicerades; en sektor visas bara de år dess omgång "
            "visade den."
        ),
        "yearbook.chart.title": "Utveckling över åren – {process}",
        "yearbook.chart.mean_axis": "Medelvärde (1–{steps})",
        "yearbook.chart.agree_axis": "Håller med",
        "yearbook.chart.room": "Hela rummet",
        "yearbook.chart.nothing": "Inget publicerat resultat",
        "yearbook.alt.trend": (
            "Linjer: medelvärde och andel som håller med per påstående och år ({years}) för {groups}; "
            "andel som håller med {changes}."
        ),
        "yearbook.alt.change": "påstående {number}: {before} % {first} → {after} % {last}",
        "yearbook.alt.no_change": "inget påstående har två år med publicerat resultat",
        "yearbook.alt.room": "hela rummet",
    },
    "en": {
        "menu.slutsats": "Record what the room concluded about a round",
        "help.cmd.slutsats": (
            "/conclusion [round] TEXT – what the room concluded (the latest closed round unless you give a "
            "number; a new conclusion replaces the earlier one)"
        ),
        "menu.arsomgang": "Mark a round as the process's yearly round",
        "help.cmd.arsomgang": (
            "/yearly [round] [year] – make a closed opinion barometer the process's round of that year "
            "(/yearly round remove takes the mark away)"
        ),
        "menu.trend": "How the statements developed over the years",
        "help.cmd.trend": "/trend [statement] – mean and share agreeing, year by year",
        "yearbook.usage.conclusion": "/conclusion [round] TEXT",
        "yearbook.usage.yearly": "/yearly [round] [year] or /yearly round remove",
        "yearbook.usage.trend": "/trend [the statement's number or key]",
        "yearbook.conclusion.saved": "The conclusion of round {number} ({title}) is saved.",
        "yearbook.conclusion.replaced": (
            "The conclusion of round {number} ({title}) is replaced. The new one counts; the earlier one is "
            "no longer shown."
        ),
        "yearbook.conclusion.heading": "Conclusions",
        "yearbook.conclusion.post": "Conclusion of round {number}: {text}",
        "yearbook.conclusion.table": "Conclusion",
        "yearbook.conclusion.column": "What the room concluded",
        "yearbook.conclusion.recorded": "Recorded",
        "yearbook.summary.heading": "Summary",
        "yearbook.summary.line": "Round {number} ({title}): {text}",
        "yearbook.summary.none": "No conclusions are recorded for the workshop's rounds.",
        "yearbook.error.no_text": (
            "Write the conclusion after the command, e.g. /conclusion 3 We include Dialogue in next year's "
            "agreement."
        ),
        "yearbook.error.too_long": "The conclusion is {length} characters long; at most {max} fit.",
        "yearbook.error.not_closed": (
            "Round {number} is not closed yet. A conclusion is recorded about a closed round, once the room "
            "has seen the result."
        ),
        "yearbook.error.no_closed_round": "The workshop has no closed round yet to record a conclusion about.",
        "yearbook.error.not_barometer": (
            "Round {number} is no opinion barometer; only those can be followed year by year."
        ),
        "yearbook.error.no_closed_barometer": "The workshop has no closed opinion barometer yet to mark.",
        "yearbook.error.bad_year": "{year} is no year I can use (give a year between 1990 and 2100).",
        "yearbook.error.year_taken": (
            "The year {year} is already round {number} in another workshop of the process. Only a configured "
            "facilitator can replace it."
        ),
        "yearbook.error.no_such_statement": (
            "The process has no statement {statement}. Give its number (1–{max}) or its key."
        ),
        "yearbook.yearly.marked": "Round {number} ({title}) is now the process's yearly round {year}.",
        "yearbook.yearly.replaced": (
            "Round {number} ({title}) is now the process's yearly round {year}; it replaces round {before}."
        ),
        "yearbook.yearly.unmarked": "Round {number} is no longer a yearly round.",
        "yearbook.yearly.was_not": "Round {number} was no yearly round.",
        "yearbook.trend.none": (
            "The process has no yearly rounds yet. Mark closed opinion barometers with /yearly, one a year."
        ),
        "yearbook.trend.not_asked": "The statement was not asked in any of the process's yearly rounds ({years}).",
        "yearbook.trend.header": "Development over the years – {process} ({years})",
        "yearbook.trend.statement": "{number}. {text}",
        "yearbook.trend.year": "  {year} (round {round}): mean {mean} of {steps} · agree {agree} % · n = {n}",
        "yearbook.trend.year_hidden": "  {year} (round {round}): {note}",
        "yearbook.trend.sector": "{name} {mean} / {agree} % (n = {n})",
        "yearbook.trend.caption": "Development over the years: mean and share agreeing per year",
        "yearbook.trend.chapter": "Development over the years",
        "yearbook.trend.chapter_intro": (
            "The statements are followed year by year in the process's yearly rounds ({years}), matched by "
            "the statement's key. Each year shows the figures as they were published; a sector is shown only "
            "in the years its round showed it."
        ),
        "yearbook.chart.title": "Development over the years – {process}",
        "yearbook.chart.mean_axis": "Mean (1–{steps})",
        "yearbook.chart.agree_axis": "Agree",
        "yearbook.chart.room": "Whole room",
        "yearbook.chart.nothing": "No published result",
        "yearbook.alt.trend": (
            "Lines: mean and share agreeing per statement and year ({years}) for {groups}; share agreeing "
            "{changes}."
        ),
        "yearbook.alt.change": "statement {number}: {before} % {first} → {after} % {last}",
        "yearbook.alt.no_change": "no statement has two years with a published result",
        "yearbook.alt.room": "the whole room",
    },
}

register(TEXTS)
