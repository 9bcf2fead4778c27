"""Swedish and English texts of ``/vem``, co-facilitators and round deadlines."""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "menu.vem": "Vem är jag? Ditt id och din roll här",
        "help.cmd.vem": "/vem – ditt id på plattformen och din roll i den här chatten (svaret kommer bara till dig)",
        "menu.processledare": "Medprocessledare: lista, bjud in, ta bort",
        "help.cmd.processledare": (
            "/processledare [bjud [process] | bort NR] – workshopens medprocessledare; bjud in en (gäller 7 dagar, "
            "en gång) eller ta bort en"
        ),
        "menu.medledare": "Ta emot en inbjudan att leda",
        "help.cmd.medledare": "/medledare KOD – ta emot en inbjudan att leda en workshop eller process",
        "people.whoami": "Ditt id på {platform}: {user_id}\nDin roll här: {role}",
        "people.role.facilitator": "processledare och administratör (enligt konfigurationen) – du leder alla workshoppar",
        "people.role.room_admin": "administratör i gruppen där workshopen skapades – du leder den här",
        "people.role.co_leader": "medprocessledare för {title}",
        "people.role.participant": "deltagare i {title}",
        "people.role.not_joined": "inte med i {title} än (gå med med /delta KOD)",
        "people.role.no_workshop": "ingen workshop i den här chatten – du kan gå med med /delta KOD",
        "people.private.sent": "Jag har skickat svaret till dig privat, eftersom ditt id är en personuppgift.",
        "people.private.cannot": (
            "Ditt id är en personuppgift, så jag visar det inte i gruppen. Starta en privat chatt med mig "
            "(öppna chatten med mig och tryck på Start) och skriv /vem där."
        ),
        "people.private.cannot_invite": (
            "Jag kan inte skicka inbjudan till dig privat: du har inte startat en privat chatt med mig (eller "
            "har stoppat mig). Öppna en privat chatt med mig och tryck på Start, och skicka sedan kommandot "
            "här igen. Ingen inbjudan skickades."
        ),
        "people.private.start": (
            "Vill du få mina svar privat: öppna en privat chatt med mig och tryck på Start."
        ),
        "people.private.sent_invite": "Jag har skickat inbjudan till dig privat.",
        "people.private.sent_plain": "Jag har skickat svaret till dig privat.",
        "people.private.failed": "Jag kunde inte skicka svaret till dig privat just nu. Försök igen om en stund.",
        "people.usage": "/processledare [bjud [process] | bort NR]",
        "people.accept_usage": "/medledare KOD",
        "people.list": "Medprocessledare för {title} (administratörerna står i konfigurationen):\n{lines}",
        "people.list_line": "#{number} {name} ({platform}) – {scope}",
        "people.none": "{title} har inga medprocessledare. Bjud in en med /processledare bjud.",
        "people.scope.workshop": "workshopen",
        "people.scope.workshop_named": "workshopen {title}",
        "people.scope.process": "hela processen {process}",
        "people.invitation": (
            "Inbjudan att leda {what}. Den gäller till {until} och kan användas en gång. Ge den till den "
            "du bjuder in; hen skickar /medledare {code} till mig i en privat chatt."
        ),
        "people.accepted": "Välkommen! Du leder nu {what} tillsammans med processledarna.",
        "people.already": "Du leder redan {what}. Inbjudan sparas till någon annan.",
        "people.removed": "{name} (#{number}) är inte längre medprocessledare.",
        "people.no_name": "(utan namn)",
        "people.error.process_invite": (
            "Bara administratörerna och processens medprocessledare kan bjuda in för hela processen {process}. "
            "Inget ändrades."
        ),
        "people.error.remove_not_yours": (
            "Bara administratörerna (och administratörerna i gruppen där workshopen skapades) kan ta bort "
            "medprocessledare. Inget ändrades."
        ),
        "people.error.no_such": "Det finns ingen medprocessledare #{number} här. Se listan med /processledare.",
        "people.error.invitation_invalid": "Inbjudan är inte giltig (felskriven eller ändrad). Inget ändrades.",
        "people.error.invitation_expired": "Inbjudan har gått ut. Be om en ny. Inget ändrades.",
        "people.error.invitation_used": "Inbjudan har redan använts. Be om en ny. Inget ändrades.",
        "deadline.set": "Omgång {number} stängs automatiskt {when} (svensk tid).",
        "reminder.undecided": (
            "Påminnelse: omgång {number} i {title} stänger kl. {when} (svensk tid) – du har inte svarat än. "
            "Skriv /rosta här så får du frågorna. Vill du inte få fler påminnelser: /stoppa"
        ),
        "reminder.stopped": "Du får inga fler påminnelser om omgångar du inte har svarat på.",
        "reminder.resumed": "Du får påminnelser om omgångar du inte har svarat på igen. Skriv /stoppa för att sluta.",
        "people.reload_problem": (
            "En processfil kunde inte läsas om, så processen behåller sin tidigare version: {problem}"
        ),
        "deadline.error.format": (
            "Jag förstår inte slut={value}. Skriv t.ex. slut=15:30, slut=2026-12-03T15:30, slut=90m, "
            "slut=2h eller slut=2d. Inget startades."
        ),
        "deadline.error.bad_time": "slut={value}: det klockslaget finns inte (00:00–23:59). Inget startades.",
        "deadline.error.bad_date": "slut={value}: det datumet finns inte. Inget startades.",
        "deadline.error.no_such_time": (
            "slut={value}: det klockslaget finns inte den dagen (klockan ställs fram till sommartid). "
            "Inget startades."
        ),
        "deadline.error.past": "slut={value} har redan passerat. Ange en tid framåt. Inget startades.",
        "deadline.error.too_far": "slut={value} ligger mer än {days} dagar fram. Inget startades.",
        "deadline.error.twice": "Ange slut= en gång. Inget startades.",
    },
    "en": {
        "menu.vem": "Who am I? Your id and your role here",
        "help.cmd.vem": "/whoami – your id on the platform and your role in this chat (only you get the answer)",
        "menu.processledare": "Co-facilitators: list, invite, remove",
        "help.cmd.processledare": (
            "/cofacilitators [invite [process] | remove NO] – the workshop's co-facilitators; invite one "
            "(valid 7 days, once) or remove one"
        ),
        "menu.medledare": "Accept an invitation to lead",
        "help.cmd.medledare": "/colead CODE – accept an invitation to lead a workshop or process",
        "people.whoami": "Your id on {platform}: {user_id}\nYour role here: {role}",
        "people.role.facilitator": "facilitator and administrator (from the configuration) – you lead every workshop",
        "people.role.room_admin": "admin of the group where the workshop was created – you lead it here",
        "people.role.co_leader": "co-facilitator of {title}",
        "people.role.participant": "participant in {title}",
        "people.role.not_joined": "not in {title} yet (join with /join CODE)",
        "people.role.no_workshop": "no workshop in this chat – you can join one with /join CODE",
        "people.private.sent": "I have sent you the answer privately, since your id is personal data.",
        "people.private.cannot": (
            "Your id is personal data, so I do not show it in the group. Start a private chat with me "
            "(open the chat with me and press Start) and type /whoami there."
        ),
        "people.private.cannot_invite": (
            "I cannot send you the invitation privately: you have not started a private chat with me (or "
            "have stopped me). Open a private chat with me and press Start, then send the command here "
            "again. No invitation was sent."
        ),
        "people.private.start": "To get my answers privately, open a private chat with me and press Start.",
        "people.private.sent_invite": "I have sent you the invitation privately.",
        "people.private.sent_plain": "I have sent you the answer privately.",
        "people.private.failed": "I could not send you the answer privately just now. Please try again in a moment.",
        "people.usage": "/cofacilitators [invite [process] | remove NO]",
        "people.accept_usage": "/colead CODE",
        "people.list": "Co-facilitators of {title} (the administrators are in the configuration):\n{lines}",
        "people.list_line": "#{number} {name} ({platform}) – {scope}",
        "people.none": "{title} has no co-facilitators. Invite one with /cofacilitators invite.",
        "people.scope.workshop": "the workshop",
        "people.scope.workshop_named": "the workshop {title}",
        "people.scope.process": "the whole process {process}",
        "people.invitation": (
            "Invitation to lead {what}. It is valid until {until} and can be used once. Give it to the person "
            "you invite; they send /colead {code} to me in a private chat."
        ),
        "people.accepted": "Welcome! You now lead {what} together with the facilitators.",
        "people.already": "You lead {what} already. The invitation is left for someone else.",
        "people.removed": "{name} (#{number}) is no longer a co-facilitator.",
        "people.no_name": "(no name)",
        "people.error.process_invite": (
            "Only the administrators and the process's co-facilitators can invite for the whole process "
            "{process}. Nothing was changed."
        ),
        "people.error.remove_not_yours": (
            "Only the administrators (and the admins of the group where the workshop was created) can remove "
            "co-facilitators. Nothing was changed."
        ),
        "people.error.no_such": "There is no co-facilitator #{number} here. See the list with /cofacilitators.",
        "people.error.invitation_invalid": "The invitation is not valid (mistyped or altered). Nothing was changed.",
        "people.error.invitation_expired": "The invitation has expired. Ask for a new one. Nothing was changed.",
        "people.error.invitation_used": "The invitation has been used already. Ask for a new one. Nothing was changed.",
        "deadline.set": "Round {number} closes by itself at {when} (Swedish time).",
        "reminder.undecided": (
            "Reminder: round {number} in {title} closes at {when} (Swedish time) – you have not answered yet. "
            "Send /vote here to get the questions. To get no more reminders: /stop"
        ),
        "reminder.stopped": "You will get no more reminders about rounds you have not answered.",
        "reminder.resumed": "You will get reminders about rounds you have not answered again. Send /stop to stop them.",
        "people.reload_problem": "A process file could not be re-read, so the process keeps its earlier version: {problem}",
        "deadline.error.format": (
            "I do not understand end={value}. Write e.g. end=15:30, end=2026-12-03T15:30, end=90m, end=2h or "
            "end=2d. Nothing was started."
        ),
        "deadline.error.bad_time": "end={value}: there is no such time of day (00:00–23:59). Nothing was started.",
        "deadline.error.bad_date": "end={value}: there is no such date. Nothing was started.",
        "deadline.error.no_such_time": (
            "end={value}: that time does not exist on that day (the clocks go forward to summer time). "
            "Nothing was started."
        ),
        "deadline.error.past": "end={value} has passed already. Give a time ahead. Nothing was started.",
        "deadline.error.too_far": "end={value} is more than {days} days ahead. Nothing was started.",
        "deadline.error.twice": "Give end= once. Nothing was started.",
    },
}

register(TEXTS)
