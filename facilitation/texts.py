"""The core's texts in Swedish (default) and English. Exercises register their own."""

from __future__ import annotations

from facilitation.i18n import register

SV = {
    "kind.barometer": "Åsiktsbarometer",
    "kind.ranking": "Rangordning av principer",
    "kind.points": "Poängfördelning över principer",
    "kind.approval": "Markera viktiga principer",
    # /hjalp: these, with a line per command from the one table (facilitation/menu.py) between.
    "help.participant": "Hej! Jag är Dialogbot och håller i övningarna på workshopen.",
    "help.privacy": "Dina svar visas aldrig med ditt namn, och små grupper redovisas inte.",
    "help.facilitator": "Processledare:",
    "help.cmd.hjalp": "/hjalp – den här hjälpen",
    "help.cmd.delta": "/delta KOD – gå med i en workshop",
    "help.cmd.sektor": "/sektor – ange din sektor (idéburen, offentlig, annan)",
    "help.cmd.sprak": "/sprak sv|en – byt språk",
    "help.cmd.glom": "/glom – be mig glömma allt om dig",
    "help.cmd.rosta": "/rosta – få den öppna omgångens knappar här",
    "help.cmd.kontakt": "/kontakt KOD – bli kontaktperson för dialogmöten (din inbjudan)",
    "help.cmd.stoppa": "/stoppa – stoppa påminnelser: om omgångar du inte har svarat på och (kontaktperson) om dialogmöten",
    "help.cmd.paminnelser": "/paminnelser – få påminnelser igen (om omgångar du inte har svarat på, och om dialogmöten)",
    "help.cmd.glom_kontakt": "/glom_kontakt – sluta vara kontaktperson och glöm dina uppgifter",
    "help.cmd.processer": "/processer – visa processer",
    "help.cmd.workshop": "/workshop PROCESS [titel] – starta en workshop i den här chatten",
    "help.cmd.status": "/status – hur många har svarat",
    "help.cmd.nasta": "/nasta – nästa påstående (stegvis)",
    "help.cmd.stang": "/stang – stäng omgången och visa resultatet",
    "help.cmd.resultat": "/resultat [nr] – visa resultatet av en omgång",
    "help.cmd.export": "/export [nr] – exportera sammanställningen",
    "help.cmd.jamfor": "/jamfor NR – jämför nästa barometer med en tidigare omgång",
    "help.cmd.omgangar": "/omgangar – workshoppens omgångar",
    "help.cmd.lamna": (
        "/lamna – ta bort det här rummet från workshopen (privat: /lamna visar rummen, /lamna NR tar bort ett)"
    ),
    "help.cmd.rummet": "/rummet NR [omgång] – var rummet står i påstående NR",
    "help.cmd.barometer": "/barometer [alla|stegvis|1,3,5] [steg=7] – starta en åsiktsbarometer",
    "help.cmd.rangordna": "/rangordna [k] – rangordna principer",
    "help.cmd.poang": "/poang [100] – fördela poäng över principer",
    "help.cmd.markera": "/markera – markera viktiga principer",
    "help.cmd.osa": "/osa – dialogmöten: vilka som kommer",
    "help.cmd.signatarer": "/signatarer [PROCESS] – processens signatärer",
    "help.cmd.signatar": "/signatar PROCESS NYCKEL Namn – lägg till en signatär",
    "help.cmd.kontaktinbjudan": "/kontaktinbjudan PROCESS NYCKEL – inbjudan till en kontaktperson",
    "workshop.created": (
        "📋 {title}\nAnslutningskod: {code}\n"
        "Tryck på din sektor för att vara med. Dina svar visas aldrig med ditt namn."
    ),
    "workshop.join_hint": "Gå med privat: /delta {code}",
    "workshop.joined": "Välkommen till {title}! Välj din sektor (du anger den en gång):",
    "workshop.list_processes": "Processer:\n{lines}",
    "workshop.process_line": "• {key} – {name} ({statements} påståenden, {principles} principer)",
    "usage.join": "/delta KOD",
    "usage.workshop": "/workshop PROCESS [titel]",
    "usage.compare": "/jamfor NR",
    "sector.saved": "Tack! Du är med i {title}. Sektor: {sector}.",
    "sector.choose": "Vilken sektor företräder du?",
    "round.opened": "{kind} #{number}: {title}\n{instructions}",
    "round.barometer.instructions": (
        "Placera dig på skalan 1–{steps}: 1 = Jag håller INTE med, {steps} = Jag håller med.\n"
        "Du kan ändra ditt svar tills omgången stängs."
    ),
    "round.statement": "{number}. {text}",
    "tally.open": "🗳 {title}: {n} har svarat hittills.",
    "tally.open_item": "🗳 {title}: {n} har svarat. Påstående {number} visas ({position} av {total}).",
    "tally.closed": "🔒 {title} är stängd. {n} svarade.",
    "vote.saved": "Ditt svar: {label}. Du kan ändra dig tills omgången stängs.",
    "vote.scale_value": "{value} av {steps}",
    "vote.need_sector": " (Ange gärna sektor med /sektor.)",
    "round.closing": "Omgången {title} är stängd. Här är resultatet:",
    "round.closing_charts_later": (
        "Omgången {title} är stängd; inga fler svar tas emot. Diagrammen kan inte ritas just nu, "
        "så resultatet kommer hit av sig självt så snart de kan (eller med /resultat {number})."
    ),
    "round.results_now": "Här är resultatet av omgång #{number}, {title}, som stängdes nyss:",
    "round.results_failed": (
        "Resultatet av omgång #{number} kunde fortfarande inte ritas. Försök med /resultat {number} om en stund."
    ),
    "round.no_answers": "Inga svar kom in.",
    "round.status": "{title}: {n} har svarat ({state}).",
    "round.state.draft": "utkast",
    "round.state.open": "öppen",
    "round.state.closed": "stängd",
    "round.compare_set": "Nästa barometer jämförs med omgång #{number}.",
    "round.stepped": "Påstående {number} ({position} av {total}):",
    "round.list": "Omgångar i {title}:\n{lines}",
    "results.barometer_line": "{number}. {text} – n = {n}, medel {mean}, håller med {agree} %",
    "results.most_dividing": "Delar sektorerna mest: {number}. {text}",
    "results.chart_caption": "{title}: var står rummet?",
    "results.sector_caption": "Per sektor. {note}",
    "results.barometer_line_hidden": "{number}. {text} – {note}",
    "group.none": "Ej angiven sektor",
    "group.none_short": "utan sektor",
    "group.pooled": "Övriga",
    "group.pooled_short": "övriga",
    "hidden.too_few": "för få svar",
    "hidden.too_few_pooled": "för få svar – ingår i Övriga",
    "hidden.protects": "dold så att den lilla gruppen inte kan räknas fram",
    "hidden.only_group": "den enda gruppen med svar",
    "disclosure.left_out": "{n} svar från grupper med färre än {min} ingår inte i jämförelsen.",
    "disclosure.left_out_range": (
        "{low}–{high} svar per påstående från grupper med färre än {min} ingår inte i jämförelsen."
    ),
    "disclosure.left_out_line": " ({n} svar från grupper med färre än {min} ingår inte)",
    "disclosure.too_few_overall": "{n} svar – för få för att visas (minst {min})",
    "disclosure.rule": "Grupper med färre än {min} svar visas inte.",
    "export.caption": "Export av omgång #{number} (bara sammanställningar, inga personuppgifter).",
    "forget.confirm": (
        "Vill du att jag glömmer allt som sparats om dig (deltagande, sektor, svar)? Redan stängda "
        "omgångars resultat ändras inte: de svaren finns kvar som anonym statistik utan koppling till dig."
    ),
    "forget.yes": "Ja, glöm mig",
    "forget.done": "Klart. Allt som sparats under din nyckel är borttaget ({n} poster).",
    "forget.not_yours": "Den här knappen är till den som skrev /glom. Vill du att jag glömmer dig, skriv /glom själv.",
    "language.set": "Jag pratar svenska med dig nu.",
    "vote.private_sent": "Knapparna till den öppna omgången:",
    "error.bad_button": "Den här knappen är ogiltig eller gammal. Inget ändrades.",
    "error.not_member_here": "Jag är inte med i den här kanalen och kan inte skriva här, så kommandot blev inte klart.",
    "error.cannot_post_here": "Jag kan inte skriva här ({reason}), så kommandot blev inte klart.",
    "error.button_elsewhere": (
        "Den här knappen hör till en workshop som inte pågår här, och du är inte med i den. Inget ändrades. "
        "Tryck i workshoppens egen grupp, eller gå med först med /delta KOD."
    ),
    "error.round_closed": "Omgången är stängd – svar tas inte emot längre. Inget ändrades.",
    "error.round_not_open": "Omgången är inte öppen.",
    "error.round_not_draft": "Omgången är redan öppen.",
    "error.unknown_code": "Hittar ingen workshop med koden {code}. Kontrollera koden och försök igen.",
    "error.unknown_process": "Okänd process {process}. Finns: {known}.",
    "error.no_workshop": "Den här chatten är inte kopplad till någon workshop. Använd /workshop eller /delta KOD.",
    "error.no_round": "Det finns ingen sådan omgång.",
    "error.no_open_round": "Ingen omgång är öppen just nu.",
    "error.not_facilitator": "Det här kommandot är bara för processledare. Du kan delta med /delta och /sektor.",
    "error.bad_value": "Ogiltigt svar. Inget ändrades.",
    "error.item_not_current": "Det påståendet är inte aktuellt just nu. Svara på det som visas.",
    "error.no_items": "Omgången behöver minst ett påstående eller en princip.",
    "error.too_many_items": "Högst {max} punkter per omgång.",
    "error.duplicate_items": "Samma text finns två gånger i omgången.",
    "error.bad_scale": "Skalan måste ha mellan {min} och {max} steg.",
    "error.bad_top_k": "Antalet att välja måste vara mellan 1 och {max}.",
    "error.bad_budget": "Poängbudgeten måste vara mellan 1 och 1000.",
    "error.bad_compare": "Jämförelsen kräver en tidigare, stängd åsiktsbarometer i samma process.",
    "error.compare_not_yours": (
        "Omgång #{number} hör till en workshop som du inte leder, så du kan inte jämföra med den. "
        "Jämför med en omgång i en workshop du leder, eller med en som processfilen anger som "
        "det officiella förra året (official_rounds)."
    ),
    "error.no_more_items": "Det finns inga fler påståenden.",
    "error.unknown_command": "Okänt kommando /{name}. Skriv /hjalp.",
    "error.bad_args": "Så här används kommandot: {usage}",
    "error.internal": "Något gick fel hos mig. Försök igen om en stund; händer det igen, säg till processledaren.",
    "error.database_press": "Databasen svarar inte just nu – tryck igen om en stund.",
    "error.database": "Databasen svarar inte just nu – försök igen om en stund.",
    "error.hidden_characters": (
        "Texten innehåller tecken som inte syns (styrtecken, nollbreddstecken eller tecken som vänder "
        "skrivriktningen). Skriv den utan dem. Inget ändrades."
    ),
    "error.charts_unavailable": "Diagrammen kan inte ritas just nu. Försök igen om en stund.",
    "error.round_still_open": "Omgång #{number} är fortfarande öppen. Stäng den med /stang innan du startar en ny.",
    "error.results_after_close": (
        "Resultatet visas när omgången är stängd (/stang). Hur många som har svarat ser du med /status."
    ),
    "error.not_joined": "Du är inte med i någon workshop här ännu. Använd /delta KOD.",
    "error.bad_language": "Välj sv eller en.",
    "error.no_statements": "Processen {process} har inga påståenden.",
    "error.no_principles": "Processen {process} har inga principer.",
    "error.round_not_closed_export": "Stäng omgången innan du exporterar den.",
    "error.bad_selection": "Ogiltigt urval {selection}: ange nummer mellan 1 och {max}, t.ex. 1,3,5.",
    "menu.hjalp": "Hjälp: vad jag kan göra",
    "menu.delta": "Gå med i en workshop: /delta KOD",
    "menu.sektor": "Ange din sektor",
    "menu.sprak": "Byt språk: /sprak en",
    "menu.glom": "Glöm allt om mig",
    "menu.rosta": "Få den öppna omgångens knappar",
    "menu.processer": "Processledare: visa processerna",
    "menu.workshop": "Processledare: starta en workshop här",
    "menu.status": "Processledare: hur många har svarat",
    "menu.nasta": "Processledare: nästa påstående (stegvis)",
    "menu.stang": "Processledare: stäng omgången och visa resultatet",
    "menu.resultat": "Processledare: visa resultat",
    "menu.export": "Processledare: exportera sammanställningen",
    "menu.jamfor": "Processledare: jämför nästa barometer med en tidigare omgång",
    "menu.omgangar": "Processledare: workshoppens omgångar",
    "menu.lamna": "Processledare: ta bort rummet från workshopen",
    "menu.barometer": "Processledare: starta en åsiktsbarometer",
    "menu.rangordna": "Processledare: rangordna principer",
    "menu.poang": "Processledare: fördela poäng över principer",
    "menu.markera": "Processledare: markera viktiga principer",
    "menu.rummet": "Processledare: var rummet står i ett påstående",
    "menu.kontakt": "Bli kontaktperson med din inbjudningskod",
    "menu.stoppa": "Stoppa påminnelser (omgångar, dialogmöten)",
    "menu.paminnelser": "Få påminnelser igen (omgångar, dialogmöten)",
    "menu.glom_kontakt": "Sluta vara kontaktperson och glöm mina uppgifter",
    "menu.osa": "Processledare: vilka kommer till dialogmötet",
    "menu.signatarer": "Processledare: processens signatärer",
    "menu.signatar": "Processledare: lägg till en signatär",
    "menu.kontaktinbjudan": "Processledare: inbjudan till en kontaktperson",
    "bot.description": (
        "Dialogbot håller i åsiktsbarometern och prioriteringen av principer på workshoppar om "
        "Överenskommelser mellan offentlig och idéburen sektor, och påminner kontaktpersoner om dialogmöten. "
        "Dina svar är pseudonyma: de visas aldrig med ditt namn, och små grupper redovisas inte. "
        "Tryck på Starta och gå med med koden från processledaren; /glom raderar dig."
    ),
    "bot.short_description": "Workshopens åsiktsbarometer och prioritering. Dina svar är pseudonyma och visas aldrig med ditt namn.",
}

EN = {
    "kind.barometer": "Opinion barometer",
    "kind.ranking": "Ranking of principles",
    "kind.points": "Points over principles",
    "kind.approval": "Mark important principles",
    "help.participant": "Hi! I am Dialogbot and I run the workshop exercises.",
    "help.privacy": "Your answers are never shown with your name, and small groups are not reported.",
    "help.facilitator": "Facilitators:",
    "help.cmd.hjalp": "/help – this help",
    "help.cmd.delta": "/join CODE – join a workshop",
    "help.cmd.sektor": "/sector – give your sector (idea-based, public, other)",
    "help.cmd.sprak": "/language sv|en – change language",
    "help.cmd.glom": "/forget – ask me to forget everything about you",
    "help.cmd.rosta": "/vote – get the open round's buttons here",
    "help.cmd.kontakt": "/contact CODE – become a dialogue-meeting contact person (your invitation)",
    "help.cmd.stoppa": "/stop – stop reminders: about rounds you have not answered and (contact person) about dialogue meetings",
    "help.cmd.paminnelser": "/reminders – get reminders again (about rounds you have not answered, and dialogue meetings)",
    "help.cmd.glom_kontakt": "/forget_contact – stop being a contact person and forget your details",
    "help.cmd.processer": "/processes – list processes",
    "help.cmd.workshop": "/workshop PROCESS [title] – start a workshop in this chat",
    "help.cmd.status": "/status – how many have answered",
    "help.cmd.nasta": "/next – next statement (step mode)",
    "help.cmd.stang": "/close – close the round and show the result",
    "help.cmd.resultat": "/results [no] – show a round's result",
    "help.cmd.export": "/export [no] – export the aggregates",
    "help.cmd.jamfor": "/compare NO – compare the next barometer with an earlier round",
    "help.cmd.omgangar": "/rounds – the workshop's rounds",
    "help.cmd.lamna": (
        "/leave – remove this room from the workshop (in private: /leave lists the rooms, /leave NO removes one)"
    ),
    "help.cmd.rummet": "/room NO [round] – where the room stands on statement NO",
    "help.cmd.barometer": "/barometer [all|step|1,3,5] [steps=7] – start an opinion barometer",
    "help.cmd.rangordna": "/rank [k] – rank principles",
    "help.cmd.poang": "/points [100] – distribute points over principles",
    "help.cmd.markera": "/approve – mark important principles",
    "help.cmd.osa": "/rsvp – dialogue meetings: who is coming",
    "help.cmd.signatarer": "/signatories [PROCESS] – the process's signatories",
    "help.cmd.signatar": "/signatory PROCESS KEY Name – add a signatory",
    "help.cmd.kontaktinbjudan": "/contact_invite PROCESS KEY – an invitation for a contact person",
    "workshop.created": (
        "📋 {title}\nJoin code: {code}\n"
        "Press your sector to take part. Your answers are never shown with your name."
    ),
    "workshop.join_hint": "Join privately: /join {code}",
    "workshop.joined": "Welcome to {title}! Choose your sector (you only do this once):",
    "workshop.list_processes": "Processes:\n{lines}",
    "workshop.process_line": "• {key} – {name} ({statements} statements, {principles} principles)",
    "usage.join": "/join CODE",
    "usage.workshop": "/workshop PROCESS [title]",
    "usage.compare": "/compare NO",
    "sector.saved": "Thank you! You take part in {title}. Sector: {sector}.",
    "sector.choose": "Which sector do you represent?",
    "round.opened": "{kind} #{number}: {title}\n{instructions}",
    "round.barometer.instructions": (
        "Place yourself on the scale 1–{steps}: 1 = I do not agree, {steps} = I agree.\n"
        "You can change your answer until the round closes."
    ),
    "round.statement": "{number}. {text}",
    "tally.open": "🗳 {title}: {n} have answered so far.",
    "tally.open_item": "🗳 {title}: {n} have answered. Showing statement {number} ({position} of {total}).",
    "tally.closed": "🔒 {title} is closed. {n} answered.",
    "vote.saved": "Your answer: {label}. You can change it until the round closes.",
    "vote.scale_value": "{value} of {steps}",
    "vote.need_sector": " (Please give your sector with /sector.)",
    "round.closing": "The round {title} is closed. Here is the result:",
    "round.closing_charts_later": (
        "The round {title} is closed; no more answers are taken. Charts cannot be drawn right now, "
        "so the result will come here by itself as soon as they can (or with /results {number})."
    ),
    "round.results_now": "Here is the result of round #{number}, {title}, which closed a moment ago:",
    "round.results_failed": (
        "The result of round #{number} still could not be drawn. Try /results {number} in a moment."
    ),
    "round.no_answers": "No answers came in.",
    "round.status": "{title}: {n} have answered ({state}).",
    "round.state.draft": "draft",
    "round.state.open": "open",
    "round.state.closed": "closed",
    "round.compare_set": "The next barometer is compared with round #{number}.",
    "round.stepped": "Statement {number} ({position} of {total}):",
    "round.list": "Rounds in {title}:\n{lines}",
    "results.barometer_line": "{number}. {text} – n = {n}, mean {mean}, agree {agree} %",
    "results.most_dividing": "Divides the sectors most: {number}. {text}",
    "results.chart_caption": "{title}: where does the room stand?",
    "results.sector_caption": "By sector. {note}",
    "results.barometer_line_hidden": "{number}. {text} – {note}",
    "group.none": "Sector not given",
    "group.none_short": "no sector",
    "group.pooled": "Others",
    "group.pooled_short": "others",
    "hidden.too_few": "too few answers",
    "hidden.too_few_pooled": "too few answers – part of Others",
    "hidden.protects": "hidden so that the small group cannot be derived",
    "hidden.only_group": "the only group with answers",
    "disclosure.left_out": "{n} answers from groups with fewer than {min} are not part of the comparison.",
    "disclosure.left_out_range": (
        "{low}–{high} answers per statement from groups with fewer than {min} are not part of the comparison."
    ),
    "disclosure.left_out_line": " ({n} answers from groups with fewer than {min} not included)",
    "disclosure.too_few_overall": "{n} answers – too few to show (at least {min})",
    "disclosure.rule": "Groups with fewer than {min} answers are not shown.",
    "export.caption": "Export of round #{number} (aggregates only, no personal data).",
    "forget.confirm": (
        "Do you want me to forget everything stored about you (participation, sector, answers)? Results of "
        "rounds already closed do not change: those answers stay as anonymous statistics with no link to you."
    ),
    "forget.yes": "Yes, forget me",
    "forget.done": "Done. Everything stored under your key has been deleted ({n} records).",
    "forget.not_yours": "This button is for the person who sent /forget. To have me forget you, send /forget yourself.",
    "language.set": "I now speak English with you.",
    "vote.private_sent": "The buttons of the open round:",
    "error.bad_button": "This button is invalid or outdated. Nothing was changed.",
    "error.not_member_here": "I am not a member of this channel and cannot post here, so the command did not finish.",
    "error.cannot_post_here": "I cannot post here ({reason}), so the command did not finish.",
    "error.button_elsewhere": (
        "This button belongs to a workshop that does not run here, and you have not joined it. Nothing was "
        "changed. Press it in the workshop's own group, or join first with /join CODE."
    ),
    "error.round_closed": "The round is closed – answers are no longer accepted. Nothing was changed.",
    "error.round_not_open": "The round is not open.",
    "error.round_not_draft": "The round is already open.",
    "error.unknown_code": "No workshop has the code {code}. Check the code and try again.",
    "error.unknown_process": "Unknown process {process}. Available: {known}.",
    "error.no_workshop": "This chat is not linked to a workshop. Use /workshop or /join CODE.",
    "error.no_round": "There is no such round.",
    "error.no_open_round": "No round is open right now.",
    "error.not_facilitator": "This command is for facilitators only. You can take part with /join and /sector.",
    "error.bad_value": "Invalid answer. Nothing was changed.",
    "error.item_not_current": "That statement is not the current one. Answer the one shown.",
    "error.no_items": "A round needs at least one statement or principle.",
    "error.too_many_items": "At most {max} items per round.",
    "error.duplicate_items": "The same text appears twice in the round.",
    "error.bad_scale": "The scale must have between {min} and {max} steps.",
    "error.bad_top_k": "The number to pick must be between 1 and {max}.",
    "error.bad_budget": "The points budget must be between 1 and 1000.",
    "error.bad_compare": "A comparison needs an earlier, closed opinion barometer of the same process.",
    "error.compare_not_yours": (
        "Round #{number} belongs to a workshop you do not lead, so you cannot compare with it. "
        "Compare with a round of a workshop you lead, or with one the process file names as "
        "the official earlier year (official_rounds)."
    ),
    "error.no_more_items": "There are no more statements.",
    "error.unknown_command": "Unknown command /{name}. Type /help.",
    "error.bad_args": "Usage: {usage}",
    "error.internal": "Something went wrong on my side. Please try again in a moment; if it happens again, tell the facilitator.",
    "error.database_press": "The database is not answering right now – press again in a moment.",
    "error.database": "The database is not answering right now – please try again in a moment.",
    "error.hidden_characters": (
        "The text contains characters that cannot be seen (control characters, zero-width characters or "
        "characters that turn the writing direction). Type it without them. Nothing was changed."
    ),
    "error.charts_unavailable": "Charts cannot be drawn right now. Please try again in a moment.",
    "error.round_still_open": "Round #{number} is still open. Close it with /close before you start a new one.",
    "error.results_after_close": (
        "Results are shown once the round is closed (/close). /status shows how many have answered."
    ),
    "error.not_joined": "You have not joined a workshop here yet. Use /join CODE.",
    "error.bad_language": "Choose sv or en.",
    "error.no_statements": "The process {process} has no statements.",
    "error.no_principles": "The process {process} has no principles.",
    "error.round_not_closed_export": "Close the round before exporting it.",
    "error.bad_selection": "Invalid selection {selection}: give numbers between 1 and {max}, e.g. 1,3,5.",
    "menu.hjalp": "Help: what I can do",
    "menu.delta": "Join a workshop: /join CODE",
    "menu.sektor": "Give your sector",
    "menu.sprak": "Change language: /language sv",
    "menu.glom": "Forget everything about me",
    "menu.rosta": "Get the open round's buttons",
    "menu.processer": "Facilitator: list the processes",
    "menu.workshop": "Facilitator: start a workshop here",
    "menu.status": "Facilitator: how many have answered",
    "menu.nasta": "Facilitator: next statement (step mode)",
    "menu.stang": "Facilitator: close the round and show the result",
    "menu.resultat": "Facilitator: show results",
    "menu.export": "Facilitator: export the aggregates",
    "menu.jamfor": "Facilitator: compare the next barometer with an earlier round",
    "menu.omgangar": "Facilitator: the workshop's rounds",
    "menu.lamna": "Facilitator: remove this room from the workshop",
    "menu.barometer": "Facilitator: start an opinion barometer",
    "menu.rangordna": "Facilitator: rank principles",
    "menu.poang": "Facilitator: distribute points over principles",
    "menu.markera": "Facilitator: mark important principles",
    "menu.rummet": "Facilitator: where the room stands on a statement",
    "menu.kontakt": "Become a contact person with your invitation code",
    "menu.stoppa": "Stop reminders (rounds, dialogue meetings)",
    "menu.paminnelser": "Get reminders again (rounds, dialogue meetings)",
    "menu.glom_kontakt": "Stop being a contact person and forget my details",
    "menu.osa": "Facilitator: who is coming to the dialogue meeting",
    "menu.signatarer": "Facilitator: the process's signatories",
    "menu.signatar": "Facilitator: add a signatory",
    "menu.kontaktinbjudan": "Facilitator: an invitation for a contact person",
    "bot.description": (
        "Dialogbot runs the opinion barometer and the prioritisation of principles at workshops on "
        "agreements between the public and the idea-based sector, and reminds contact persons of dialogue meetings. "
        "Your answers are pseudonymous: never shown with your name, and small groups are not reported. "
        "Press Start and join with the facilitator's code; /forget erases you."
    ),
    "bot.short_description": "The workshop's opinion barometer and prioritisation. Your answers are pseudonymous, never shown with your name.",
}

register({"sv": SV, "en": EN})
