"""Swedish and English texts of the follow-up of commitments (``/uppfoljning``), under ``followup.*``.

The menu entry, the /hjalp line and the kind's name live here too, beside the follow-up's own wording.
"""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "kind.followup": "Uppföljning av åtaganden",
        "menu.uppfoljning": "Uppföljning: hur väl höll vi det vi lovade?",
        "help.cmd.uppfoljning": (
            "/uppfoljning [alla|stegvis|1,3,5|offentlig|ideburen] – följ upp processens åtaganden"
        ),
        "followup.usage": "/uppfoljning [alla|stegvis|1,3,5|offentlig|ideburen]",
        "followup.scale.not_at_all": "Inte alls",
        "followup.scale.little": "I liten grad",
        "followup.scale.partly": "Delvis",
        "followup.scale.largely": "I hög grad",
        "followup.scale.fully": "Helt och hållet",
        "followup.scale.dont_know": "Vet inte",
        "followup.party.offentlig": "Offentliga partens åtaganden",
        "followup.party.ideburen": "Idéburna partens åtaganden",
        "followup.party.bada": "Gemensamma åtaganden",
        "followup.party_short.offentlig": "offentliga parten",
        "followup.party_short.ideburen": "idéburna parten",
        "followup.party_short.bada": "båda parter",
        "followup.error.scale": "Uppföljningen har alltid {steps} steg, så att åren kan jämföras.",
        "followup.error.no_commitments": (
            "Processen {process} har inga åtaganden. Lägg till [[commitments]] i processfilen."
        ),
        "followup.error.no_party": "Bland de valda åtagandena finns inga från {party}.",
        "followup.instructions": (
            "Uppföljning: hur väl har vi hållit det vi lovade förra året? Svara för varje åtagande, från "
            "”{low}” till ”{high}”, eller ”Vet inte”. Du kan ändra dig tills omgången stängs. Ingen ser vad "
            "just du svarar."
        ),
        "followup.post": "Åtagande {number}: {text}",
        "followup.saved": "Ditt svar på åtagande {number}: {label}",
        "followup.results.heading": "Hur väl har vi hållit det vi lovade?",
        "followup.results.scale": (
            "Skala 1 ({low}) till 5 ({high}). ”Hållit” är andelen som svarade 4 eller 5; n är antal svar."
        ),
        "followup.results.by_party": "Per part:",
        "followup.results.by_principle": "Per princip:",
        "followup.results.per_commitment": "Per åtagande:",
        "followup.results.group": "{name} ({count} åtag.): hållit {met} %, medel {mean} (n = {n} svar)",
        "followup.results.group_too_few": "{name} ({count} åtag.): för få svar för att visa",
        "followup.results.covered": " ({k} av {count} åtag.)",
        "followup.results.line": "{head} – n = {n}, medel {mean}, hållit {met} %, inte hållit {unmet} %",
        "followup.results.line_hidden": "{head} – {note}",
        "followup.results.no_answers": "inga svar",
        "followup.results.dont_know": ", vet inte {k} av {total} ({share} %)",
        "followup.results.never_shown": "Åtagande {numbers} visades aldrig (omgången stängdes före dem).",
        "followup.results.earlier.none": "Ingen tidigare års uppföljning av processen att jämföra med.",
        "followup.results.earlier.round": "{year}: omgång {number}",
        "followup.results.earlier.header": (
            "Jämfört med tidigare år (andel hållit, samma åtaganden; {rounds}):"
        ),
        "followup.left_out_range": (
            "{low}–{high} svar per åtagande från grupper med färre än {min} ingår inte i jämförelsen."
        ),
        "followup.chart.title": "Hur väl har åtagandena hållits?",
        "followup.chart.commitments_caption": "{title}: hur väl varje åtagande hölls",
        "followup.chart.groups_caption": "Per part och per princip, sektorerna sida vid sida. {note}",
        "followup.chart.everyone": "Alla",
        "followup.chart.axis": "Andel svar (%)",
        "followup.chart.n": "n = {n}",
        "followup.chart.by_party": "Per part",
        "followup.chart.by_principle": "Per princip",
        "followup.chart.years_title": "Andel som svarade att åtagandena hållits (4–5), år för år",
        "followup.chart.years_axis": "Hållit (%)",
        "followup.chart.years_caption": "Andel hållit per part och princip, jämfört med tidigare år",
        "followup.chart.no_value": "–",
        "followup.export.sheet.commitments": "Åtaganden",
        "followup.export.sheet.sectors": "Sektorer",
        "followup.export.sheet.groups": "Per part och princip",
        "followup.export.sheet.years": "Tidigare år",
        "followup.export.sheet.scale": "Skala",
        "followup.export.col.number": "Nr",
        "followup.export.col.party": "Part",
        "followup.export.col.principles": "Principer",
        "followup.export.col.commitment": "Åtagande",
        "followup.export.col.n": "Antal svar",
        "followup.export.col.step": "{value} – {label}",
        "followup.export.col.mean": "Medelvärde",
        "followup.export.col.met": "Hållit, 4–5 (%)",
        "followup.export.col.partly": "Delvis (%)",
        "followup.export.col.unmet": "Inte hållit, 1–2 (%)",
        "followup.export.col.agreement": "Enighet A (van der Eijk)",
        "followup.export.col.dont_know": "Vet inte",
        "followup.export.col.note": "Anmärkning",
        "followup.export.col.sector": "Sektor",
        "followup.export.col.grouping": "Gruppering",
        "followup.export.col.group": "Grupp",
        "followup.export.col.commitments": "Åtaganden",
        "followup.export.col.year_met": "Hållit {year} (%)",
        "followup.export.col.year_n": "Antal svar {year}",
        "followup.export.col.value": "Steg",
        "followup.export.col.label": "Betydelse",
        "followup.export.by.party": "Part",
        "followup.export.by.principle": "Princip",
        "followup.export.by.commitment": "Åtagande",
        "followup.method": (
            "Uppföljning av åtaganden: varje åtagande bedömdes från 1 (Inte alls) till 5 (Helt och hållet), "
            "eller Vet inte. ”Hållit” är andelen som svarade 4 eller 5. Per part och per princip räknas "
            "alla publicerade svar på gruppens åtaganden samman, så n är antal svar, inte personer. "
            "Tidigare år är processens senaste uppföljning varje år, matchad per åtagande."
        ),
    },
    "en": {
        "kind.followup": "Follow-up of commitments",
        "menu.uppfoljning": "Follow-up: how well did we keep our promises?",
        "help.cmd.uppfoljning": "/followup [all|step|1,3,5|public|idea-based] – follow up the process's commitments",
        "followup.usage": "/followup [all|step|1,3,5|public|idea-based]",
        "followup.scale.not_at_all": "Not at all",
        "followup.scale.little": "To a small extent",
        "followup.scale.partly": "Partly",
        "followup.scale.largely": "To a large extent",
        "followup.scale.fully": "Fully",
        "followup.scale.dont_know": "Don't know",
        "followup.party.offentlig": "The public party's commitments",
        "followup.party.ideburen": "The idea-based party's commitments",
        "followup.party.bada": "Joint commitments",
        "followup.party_short.offentlig": "public party",
        "followup.party_short.ideburen": "idea-based party",
        "followup.party_short.bada": "both parties",
        "followup.error.scale": "A follow-up always has {steps} steps, so that the years can be compared.",
        "followup.error.no_commitments": (
            "Process {process} has no commitments. Add [[commitments]] to the process file."
        ),
        "followup.error.no_party": "None of the chosen commitments is of this party: {party}.",
        "followup.instructions": (
            "Follow-up: how well did we keep what we promised last year? Answer for each commitment, from "
            "“{low}” to “{high}”, or “Don't know”. You can change your mind until the round closes. Nobody "
            "sees what you answer."
        ),
        "followup.post": "Commitment {number}: {text}",
        "followup.saved": "Your answer to commitment {number}: {label}",
        "followup.results.heading": "How well have we kept what we promised?",
        "followup.results.scale": (
            "Scale 1 ({low}) to 5 ({high}). “Kept” is the share answering 4 or 5; n is the number of answers."
        ),
        "followup.results.by_party": "By party:",
        "followup.results.by_principle": "By principle:",
        "followup.results.per_commitment": "By commitment:",
        "followup.results.group": "{name} ({count} commitm.): kept {met} %, mean {mean} (n = {n} answers)",
        "followup.results.group_too_few": "{name} ({count} commitm.): too few answers to show",
        "followup.results.covered": " ({k} of {count} commitm.)",
        "followup.results.line": "{head} – n = {n}, mean {mean}, kept {met} %, not kept {unmet} %",
        "followup.results.line_hidden": "{head} – {note}",
        "followup.results.no_answers": "no answers",
        "followup.results.dont_know": ", don't know {k} of {total} ({share} %)",
        "followup.results.never_shown": "Commitment {numbers} was never shown (the round closed before it).",
        "followup.results.earlier.none": "No follow-up of the process in an earlier year to compare with.",
        "followup.results.earlier.round": "{year}: round {number}",
        "followup.results.earlier.header": "Compared with earlier years (share kept, same commitments; {rounds}):",
        "followup.left_out_range": (
            "{low}–{high} answers per commitment from groups with fewer than {min} are not part of the comparison."
        ),
        "followup.chart.title": "How well were the commitments kept?",
        "followup.chart.commitments_caption": "{title}: how well each commitment was kept",
        "followup.chart.groups_caption": "By party and by principle, the sectors side by side. {note}",
        "followup.chart.everyone": "Everyone",
        "followup.chart.axis": "Share of answers (%)",
        "followup.chart.n": "n = {n}",
        "followup.chart.by_party": "By party",
        "followup.chart.by_principle": "By principle",
        "followup.chart.years_title": "Share answering that the commitments were kept (4–5), year by year",
        "followup.chart.years_axis": "Kept (%)",
        "followup.chart.years_caption": "Share kept by party and principle, compared with earlier years",
        "followup.chart.no_value": "–",
        "followup.export.sheet.commitments": "Commitments",
        "followup.export.sheet.sectors": "Sectors",
        "followup.export.sheet.groups": "By party and principle",
        "followup.export.sheet.years": "Earlier years",
        "followup.export.sheet.scale": "Scale",
        "followup.export.col.number": "No.",
        "followup.export.col.party": "Party",
        "followup.export.col.principles": "Principles",
        "followup.export.col.commitment": "Commitment",
        "followup.export.col.n": "Answers",
        "followup.export.col.step": "{value} – {label}",
        "followup.export.col.mean": "Mean",
        "followup.export.col.met": "Kept, 4–5 (%)",
        "followup.export.col.partly": "Partly (%)",
        "followup.export.col.unmet": "Not kept, 1–2 (%)",
        "followup.export.col.agreement": "Agreement A (van der Eijk)",
        "followup.export.col.dont_know": "Don't know",
        "followup.export.col.note": "Note",
        "followup.export.col.sector": "Sector",
        "followup.export.col.grouping": "Grouping",
        "followup.export.col.group": "Group",
        "followup.export.col.commitments": "Commitments",
        "followup.export.col.year_met": "Kept {year} (%)",
        "followup.export.col.year_n": "Answers {year}",
        "followup.export.col.value": "Step",
        "followup.export.col.label": "Meaning",
        "followup.export.by.party": "Party",
        "followup.export.by.principle": "Principle",
        "followup.export.by.commitment": "Commitment",
        "followup.method": (
            "Follow-up of commitments: each commitment was rated from 1 (Not at all) to 5 (Fully), or Don't "
            "know. “Kept” is the share answering 4 or 5. By party and by principle, all published answers to "
            "the group's commitments are added up, so n counts answers, not people. Earlier years are the "
            "process's latest follow-up of each year, matched commitment by commitment."
        ),
    },
}

register(TEXTS)
