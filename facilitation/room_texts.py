"""Swedish and English texts about a workshop's rooms: naming a room, telling the facilitator
which room did not get a post and what to do, and ``/lamna`` (``/leave``)."""

from __future__ import annotations

from facilitation.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "room.name.telegram": 'Telegram-gruppen "{title}"',
        "room.name.slack": "Slack-kanalen #{title}",
        "room.name.other": 'rummet "{title}" ({platform})',
        "room.unnamed.telegram": "En Telegram-grupp (vars namn jag inte vet)",
        "room.unnamed.slack": "En Slack-kanal (vars namn jag inte vet)",
        "room.unnamed.other": "Ett rum på {platform}",
        "room.what.launch": "omgång #{number}",
        "room.what.step": "nästa påstående i omgång #{number}",
        "room.what.results": "resultatet av omgång #{number}",
        "room.what.tally": "livesiffrorna för omgång #{number}",
        "room.fix.launch": "När det fungerar igen: skriv /rosta där, så kommer omgångens knappar.",
        "room.fix.step": "När det fungerar igen: skriv /rosta där, så kommer påståendets knappar.",
        "room.fix.results": "När det fungerar igen: skriv /resultat {number} där.",
        "room.fix.tally": "Skriv /status där för att se hur många som har svarat.",
        "room.gone": (
            "⚠️ {room} fick inte {what}: {reason}. Jag har tagit bort rummet från workshopen. "
            "Vill ni ha med det igen: lägg till mig där och skriv /delta {code}."
        ),
        "room.gone.kicked": "boten har tagits bort ur gruppen",
        "room.gone.not_member": "boten är inte längre med där",
        "room.gone.archived": "kanalen är arkiverad",
        "room.gone.not_found": "chatten finns inte längre",
        "room.gone.blocked": "kontot har blockerat boten eller är avstängt",
        "room.gone.not_started": (
            "personen har inte startat en privat chatt med boten (hen behöver öppna chatten med boten "
            "och trycka på Start)"
        ),
        "room.gone.address_refused": "e-postservern tar inte emot adressen",
        "room.gone.mail_refused": "e-postservern vägrade ta emot meddelandet",
        "room.refused": (
            "⚠️ {room} fick inte {what}: plattformen tog inte emot meddelandet (får boten skriva där?). "
            "Rummet är kvar i workshopen. {fix}"
        ),
        "room.unavailable": (
            "⚠️ {room} fick inte {what}: plattformen svarade inte just då. Rummet är kvar i workshopen. {fix}"
        ),
        "room.failed": "⚠️ {room} fick inte {what} på grund av ett fel hos mig. Rummet är kvar i workshopen. {fix}",
        "room.left": (
            "Det här rummet är inte längre med i workshopen {title}; inget mer om den postas här. "
            "Lägg till det igen med /delta {code}."
        ),
        "room.left_other": "{room} är inte längre med i workshopen {title}. Lägg till det igen med /delta {code} där.",
        "room.left_notice": "Det här rummet är inte längre med i workshopen {title}.",
        "room.list": "Rummen i workshopen {title}:\n{lines}\nTa bort ett rum med /lamna NR.",
        "room.list_line": "{number}. {room}",
        "room.none": "Workshopen {title} har inga rum (grupper eller kanaler) just nu.",
        "room.error.no_such_room": "Workshopen har inget rum nummer {number}. /lamna visar rummen.",
        "usage.leave": "/lamna [NR]",
        "room.unreachable.not_member": (
            "Workshopen {title} finns (kod {code}), men jag är inte med i den här kanalen och kan inte skriva "
            "här, så kanalen är inte med i workshopen. När jag är med: skriv /delta {code} här, så blir den "
            "workshopens rum."
        ),
        "room.removed": (
            "⚠️ {room} är inte längre med i workshopen {title}: {reason}. "
            "Vill ni ha med det igen: lägg till mig där och skriv /delta {code}."
        ),
        "room.unreachable": (
            "Workshopen {title} finns (kod {code}), men jag kan inte skriva här ({reason}), så det här rummet "
            "är inte med i workshopen."
        ),
    },
    "en": {
        "room.name.telegram": 'The Telegram group "{title}"',
        "room.name.slack": "The Slack channel #{title}",
        "room.name.other": 'The room "{title}" ({platform})',
        "room.unnamed.telegram": "A Telegram group (whose name I do not know)",
        "room.unnamed.slack": "A Slack channel (whose name I do not know)",
        "room.unnamed.other": "A room on {platform}",
        "room.what.launch": "round #{number}",
        "room.what.step": "the next statement of round #{number}",
        "room.what.results": "the result of round #{number}",
        "room.what.tally": "the live figures of round #{number}",
        "room.fix.launch": "Once it works again, type /vote there to get the round's buttons.",
        "room.fix.step": "Once it works again, type /vote there to get the statement's buttons.",
        "room.fix.results": "Once it works again, type /results {number} there.",
        "room.fix.tally": "Type /status there to see how many have answered.",
        "room.gone": (
            "⚠️ {room} did not get {what}: {reason}. I have removed the room from the workshop. "
            "To bring it back, add me there and type /join {code}."
        ),
        "room.gone.kicked": "the bot was removed from the group",
        "room.gone.not_member": "the bot is no longer a member there",
        "room.gone.archived": "the channel is archived",
        "room.gone.not_found": "the chat no longer exists",
        "room.gone.blocked": "the account has blocked the bot or is deactivated",
        "room.gone.not_started": (
            "the person has not started a private chat with the bot (they need to open the chat with the "
            "bot and press Start)"
        ),
        "room.gone.address_refused": "the mail server does not accept the address",
        "room.gone.mail_refused": "the mail server refused the message",
        "room.refused": (
            "⚠️ {room} did not get {what}: the platform did not accept the message (may the bot post there?). "
            "The room stays in the workshop. {fix}"
        ),
        "room.unavailable": (
            "⚠️ {room} did not get {what}: the platform did not answer just then. The room stays in the "
            "workshop. {fix}"
        ),
        "room.failed": "⚠️ {room} did not get {what} because of an error on my side. The room stays in the workshop. {fix}",
        "room.left": (
            "This room is no longer part of the workshop {title}; nothing more about it is posted here. "
            "Add it again with /join {code}."
        ),
        "room.left_other": "{room} is no longer part of the workshop {title}. Add it again with /join {code} there.",
        "room.left_notice": "This room is no longer part of the workshop {title}.",
        "room.list": "The rooms of the workshop {title}:\n{lines}\nRemove a room with /leave NO.",
        "room.list_line": "{number}. {room}",
        "room.none": "The workshop {title} has no rooms (groups or channels) right now.",
        "room.error.no_such_room": "The workshop has no room number {number}. /leave lists the rooms.",
        "usage.leave": "/leave [NO]",
        "room.unreachable.not_member": (
            "The workshop {title} exists (code {code}), but I am not a member of this channel and cannot post "
            "here, so the channel is not part of the workshop. Once I am in: type /join {code} here to make it "
            "the workshop's room."
        ),
        "room.removed": (
            "⚠️ {room} is no longer part of the workshop {title}: {reason}. "
            "To bring it back, add me there and type /join {code}."
        ),
        "room.unreachable": (
            "The workshop {title} exists (code {code}), but I cannot post here ({reason}), so this room is not "
            "part of the workshop."
        ),
    },
}

register(TEXTS)
