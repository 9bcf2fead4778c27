"""Texts of the workshop's own content and of proposal rounds, Swedish (default) and English."""

from __future__ import annotations

from facilitation.i18n import register

SV = {
    # menus and /hjalp
    "menu.innehall": "Processledare: ändra workshoppens påståenden och principer",
    "help.cmd.innehall": "/innehall – workshoppens påståenden och principer: visa, lägg till, ändra, flytta, ta bort",
    "menu.forslag": "Processledare: förslagsrunda och moderering",
    "help.cmd.forslag": "/forslag [påståenden|principer] – öppna en förslagsrunda; /forslag visar förslagen",
    "menu.foresla": "Föreslå ett påstående eller en princip",
    "help.cmd.foresla": "/foresla TEXT – lämna ett förslag (eller skriv det till mig privat)",
    # the lists
    "content.catalogue.statements": "Påståenden",
    "content.catalogue.principles": "Principer",
    "content.one.statements": "påstående",
    "content.one.principles": "princip",
    "content.origin.chat": "tillagd i chatten",
    "content.origin.proposal": "förslag från deltagare",
    "content.reworded": "omformulerad",
    "content.list": (
        "Innehåll i {title}. Processfilen {process} är mallen; ändringar här gäller bara den här "
        "workshopen och nästa omgång som startas.\n\n{lists}"
    ),
    "content.list_usage": (
        "Ändra: /innehall påstående ny TEXT [| English] · /innehall påstående NR TEXT [| English] · "
        "/innehall påstående NR bort · /innehall påstående NR flytta TILL (samma med princip)"
    ),
    "content.usage": (
        "/innehall [påstående|princip] [ny TEXT | NR TEXT | NR bort | NR flytta TILL] "
        "(engelsk text efter ” | ”)"
    ),
    "content.added": "Tillagd som {what} {number} (nyckel {key}): {text}",
    "content.reworded_done": "{What} {number} har nya ord (nyckeln {key} är kvar): {text}",
    "content.removed": "{What} {number} är borttagen ur workshoppens lista: {text}",
    "content.moved": "{What} ”{text}” är nu nummer {number}.",
    "content.error.hidden": (
        "Texten innehåller tecken som inte syns (styrtecken, nollbreda tecken eller tecken som byter "
        "skrivriktning). Skriv den utan dem."
    ),
    "content.error.empty": "Texten är tom.",
    "content.error.too_long": "Texten är för lång: {length} tecken, högst {limit}.",
    "content.error.full": "Listan är full: högst {limit}.",
    "content.error.alike": "Det finns redan ett likadant: ”{text}”.",
    "content.error.used": (
        "Nummer {number} har redan använts i en omgång i den här workshopen och kan inte formuleras "
        "om. Lägg till en ny text i stället (och ta bort den gamla om du vill)."
    ),
    "content.error.last": "Listan måste ha kvar minst en.",
    "content.error.no_such.statements": "Det finns inget påstående {number} (det finns {count}).",
    "content.error.no_such.principles": "Det finns ingen princip {number} (det finns {count}).",
    "content.rounds_note": "Ändrat i chatten för den här workshopen — {parts}.",
    "content.rounds_note.added": "tillagda: {n}",
    "content.rounds_note.proposals": "godtagna förslag: {n}",
    "content.rounds_note.reworded": "omformulerade: {items}",
    "content.rounds_note.removed": "borttagna: {n}",
    "content.rounds_note.proposal_round": "Förslagsrunda ({what}): {state}, {total} förslag, {pending} väntar, {accepted} godtagna.",
    "content.export.caption": "Omgång #{number}: påståendenas och principernas ursprung",
    "content.export.number": "Nummer",
    "content.export.key": "Nyckel",
    "content.export.text": "Text",
    "content.export.origin": "Ursprung",
    "content.export.reworded": "Omformulerad",
    "content.export.template_text": "Processfilens text",
    "content.export.origin.template": "processfilen",
    "content.export.yes": "ja",
    "content.export.no": "nej",
    # proposal rounds
    "proposal.usage": (
        "/forslag [påståenden|principer] [max=3] [totalt=100] · /forslag · /forslag godta 1,3 · "
        "/forslag avvisa 2 · /forslag samma 4 1 · /forslag lista · /forslag stang"
    ),
    "proposal.usage.submit": "/foresla TEXT",
    "proposal.opened": (
        "💡 Förslagsrunda: föreslå {what} till {title}! Skriv ditt förslag till mig i ett privat "
        "samtal (bara texten) eller här med /foresla TEXT. Högst {per_person} per person. "
        "Processledaren ser förslagen utan namn och väljer vilka som kommer med."
    ),
    "proposal.opened_facilitator": (
        "Förslagsrundan är öppen. /forslag visar förslagen att moderera, /forslag stang stänger för nya förslag."
    ),
    "proposal.what.statements": "påståenden",
    "proposal.what.principles": "principer",
    "proposal.closed": "Förslagsrundan är stängd: {total} förslag, {pending} väntar på moderering.",
    "proposal.thanks": "Tack! Ditt förslag #{number} är inskickat. Det visas utan ditt namn. Du kan lämna {left} till.",
    "proposal.thanks_duplicate": (
        "Tack! Samma förslag finns redan (#{number}); ditt räknas som stöd för det. Du kan lämna {left} till."
    ),
    "proposal.room_hint": "Tips: skriv förslag till mig privat, så syns de inte med ditt namn här.",
    "proposal.overview": (
        "Förslagsrunda om {what} ({state}): {total} förslag — {pending} väntar, {accepted} godtagna, "
        "{rejected} avvisade, {merged} sammanslagna."
    ),
    "proposal.state.open": "öppen",
    "proposal.state.closed": "stängd",
    "proposal.none_pending": "Inga förslag väntar på moderering.",
    "proposal.card": "Förslag #{number} ({left} väntar):\n”{text}”\nStöd: {support}",
    "proposal.card_alike": "Liknar: {items}",
    "proposal.button.accept": "✅ Godta",
    "proposal.button.reject": "❌ Avvisa",
    "proposal.button.merge": "🔗 Samma som #{number}",
    "proposal.button.skip": "⏭ Nästa",
    "proposal.list_line": "#{number} ({status}{extra}): {text}",
    "proposal.status.pending": "väntar",
    "proposal.status.accepted": "godtagen",
    "proposal.status.rejected": "avvisad",
    "proposal.status.merged": "samma som #{into}",
    "proposal.support": ", stöd {n}",
    "proposal.accepted": "#{number} godtagen: den kommer med i nästa omgång ({key}).",
    "proposal.rejected": "#{number} avvisad.",
    "proposal.merged": "#{number} slogs ihop med #{into}.",
    "proposal.ack.accepted": "#{number} godtagen.",
    "proposal.ack.rejected": "#{number} avvisad.",
    "proposal.ack.merged": "#{number} är samma som #{into}.",
    "proposal.ack.skipped": "Nästa förslag.",
    "proposal.error.bad_args": "Skriv så här: {usage}",
    "proposal.error.bad_limits": "Gränserna går inte: max 1–{person} per person, totalt 1–{round}.",
    "proposal.error.already_open": "En förslagsrunda är redan öppen i den här workshopen. Stäng den först med /forslag stang.",
    "proposal.error.none": "Den här workshopen har ingen förslagsrunda. Öppna en med /forslag principer eller /forslag påståenden.",
    "proposal.error.closed": "Ingen förslagsrunda är öppen just nu.",
    "proposal.error.no_such": "Det finns inget förslag #{number}.",
    "proposal.error.already.accepted": "#{number} är redan godtagen.",
    "proposal.error.already.rejected": "#{number} är redan avvisad.",
    "proposal.error.already.merged": "#{number} är redan sammanslagen med ett annat.",
    "proposal.error.merge_rejected": "#{number} är avvisad; slå ihop med ett förslag som inte är det.",
    "proposal.error.stale": "Den här knappen gäller en äldre förslagsrunda.",
    "proposal.error.empty": "Förslaget är tomt. Skriv texten efter kommandot: /foresla TEXT",
    "proposal.error.hidden": (
        "Förslaget innehåller tecken som inte syns (styrtecken, nollbreda tecken eller tecken som byter "
        "skrivriktning), så det kunde läsas på ett annat sätt än det står. Skriv det utan dem."
    ),
    "proposal.error.too_long": "Förslaget är för långt: {length} tecken, högst {limit}.",
    "proposal.error.no_words": "Förslaget behöver ord, inte bara emojier, siffror eller tecken.",
    "proposal.error.offensive": "Förslaget innehåller ett ord som inte tas emot. Formulera om det.",
    "proposal.error.person_limit": "Du har redan lämnat {limit} förslag, så många som går i den här rundan.",
    "proposal.error.round_limit": "Rundan är full: den tar emot högst {limit} förslag.",
    "proposal.error.not_yours": "Bara den som leder workshopen kan moderera förslagen.",
}

EN = {
    "menu.innehall": "Facilitator: edit the workshop's statements and principles",
    "help.cmd.innehall": "/content – the workshop's statements and principles: show, add, reword, move, remove",
    "menu.forslag": "Facilitator: proposal round and moderation",
    "help.cmd.forslag": "/propose [statements|principles] – open a proposal round; /propose shows the proposals",
    "menu.foresla": "Propose a statement or a principle",
    "help.cmd.foresla": "/suggest TEXT – make a proposal (or write it to me privately)",
    "content.catalogue.statements": "Statements",
    "content.catalogue.principles": "Principles",
    "content.one.statements": "statement",
    "content.one.principles": "principle",
    "content.origin.chat": "added in chat",
    "content.origin.proposal": "participants' proposal",
    "content.reworded": "reworded",
    "content.list": (
        "Content of {title}. The process file {process} is the template; changes here apply to this "
        "workshop only, and to the next round started.\n\n{lists}"
    ),
    "content.list_usage": (
        "Change: /content statement new TEXT [| English] · /content statement NO TEXT [| English] · "
        "/content statement NO remove · /content statement NO move TO (the same with principle)"
    ),
    "content.usage": (
        "/content [statement|principle] [new TEXT | NO TEXT | NO remove | NO move TO] (English text after ” | ”)"
    ),
    "content.added": "Added as {what} {number} (key {key}): {text}",
    "content.reworded_done": "{What} {number} is reworded (it keeps the key {key}): {text}",
    "content.removed": "{What} {number} is removed from the workshop's list: {text}",
    "content.moved": "{What} ”{text}” is number {number} now.",
    "content.error.hidden": (
        "The text holds characters nobody sees (control, zero-width or writing-direction characters). "
        "Write it without them."
    ),
    "content.error.empty": "The text is empty.",
    "content.error.too_long": "The text is too long: {length} characters, at most {limit}.",
    "content.error.full": "The list is full: at most {limit}.",
    "content.error.alike": "There is one like it already: ”{text}”.",
    "content.error.used": (
        "Number {number} has been used in a round of this workshop already and cannot be reworded. "
        "Add a new text instead (and remove the old one if you like)."
    ),
    "content.error.last": "The list must keep at least one.",
    "content.error.no_such.statements": "There is no statement {number} (there are {count}).",
    "content.error.no_such.principles": "There is no principle {number} (there are {count}).",
    "content.rounds_note": "Changed in chat for this workshop — {parts}.",
    "content.rounds_note.added": "added: {n}",
    "content.rounds_note.proposals": "accepted proposals: {n}",
    "content.rounds_note.reworded": "reworded: {items}",
    "content.rounds_note.removed": "removed: {n}",
    "content.rounds_note.proposal_round": "Proposal round ({what}): {state}, {total} proposals, {pending} waiting, {accepted} accepted.",
    "content.export.caption": "Round #{number}: where the statements and principles come from",
    "content.export.number": "Number",
    "content.export.key": "Key",
    "content.export.text": "Text",
    "content.export.origin": "Origin",
    "content.export.reworded": "Reworded",
    "content.export.template_text": "Process file's text",
    "content.export.origin.template": "process file",
    "content.export.yes": "yes",
    "content.export.no": "no",
    "proposal.usage": (
        "/propose [statements|principles] [max=3] [total=100] · /propose · /propose accept 1,3 · "
        "/propose reject 2 · /propose merge 4 1 · /propose list · /propose close"
    ),
    "proposal.usage.submit": "/suggest TEXT",
    "proposal.opened": (
        "💡 Proposal round: propose {what} for {title}! Write your proposal to me in a private chat "
        "(just the text) or here with /suggest TEXT. At most {per_person} each. The facilitator sees "
        "the proposals without names and chooses which go on."
    ),
    "proposal.opened_facilitator": (
        "The proposal round is open. /propose shows the proposals to moderate, /propose close takes no more."
    ),
    "proposal.what.statements": "statements",
    "proposal.what.principles": "principles",
    "proposal.closed": "The proposal round is closed: {total} proposals, {pending} waiting for moderation.",
    "proposal.thanks": "Thank you! Your proposal #{number} is in. It is shown without your name. You may make {left} more.",
    "proposal.thanks_duplicate": (
        "Thank you! The same proposal is in already (#{number}); yours counts as support for it. "
        "You may make {left} more."
    ),
    "proposal.room_hint": "Tip: write proposals to me privately, so they are not shown with your name here.",
    "proposal.overview": (
        "Proposal round on {what} ({state}): {total} proposals — {pending} waiting, {accepted} accepted, "
        "{rejected} rejected, {merged} merged."
    ),
    "proposal.state.open": "open",
    "proposal.state.closed": "closed",
    "proposal.none_pending": "No proposal is waiting for moderation.",
    "proposal.card": "Proposal #{number} ({left} waiting):\n”{text}”\nSupport: {support}",
    "proposal.card_alike": "Looks like: {items}",
    "proposal.button.accept": "✅ Accept",
    "proposal.button.reject": "❌ Reject",
    "proposal.button.merge": "🔗 Same as #{number}",
    "proposal.button.skip": "⏭ Next",
    "proposal.list_line": "#{number} ({status}{extra}): {text}",
    "proposal.status.pending": "waiting",
    "proposal.status.accepted": "accepted",
    "proposal.status.rejected": "rejected",
    "proposal.status.merged": "same as #{into}",
    "proposal.support": ", support {n}",
    "proposal.accepted": "#{number} accepted: it is in the next round ({key}).",
    "proposal.rejected": "#{number} rejected.",
    "proposal.merged": "#{number} merged into #{into}.",
    "proposal.ack.accepted": "#{number} accepted.",
    "proposal.ack.rejected": "#{number} rejected.",
    "proposal.ack.merged": "#{number} is the same as #{into}.",
    "proposal.ack.skipped": "Next proposal.",
    "proposal.error.bad_args": "Write it like this: {usage}",
    "proposal.error.bad_limits": "Those limits do not work: max 1–{person} each, total 1–{round}.",
    "proposal.error.already_open": "A proposal round is open in this workshop already. Close it first with /propose close.",
    "proposal.error.none": "This workshop has no proposal round. Open one with /propose principles or /propose statements.",
    "proposal.error.closed": "No proposal round is open right now.",
    "proposal.error.no_such": "There is no proposal #{number}.",
    "proposal.error.already.accepted": "#{number} is accepted already.",
    "proposal.error.already.rejected": "#{number} is rejected already.",
    "proposal.error.already.merged": "#{number} is merged into another already.",
    "proposal.error.merge_rejected": "#{number} is rejected; merge into one that is not.",
    "proposal.error.stale": "This button belongs to an earlier proposal round.",
    "proposal.error.empty": "The proposal is empty. Write the text after the command: /suggest TEXT",
    "proposal.error.hidden": (
        "The proposal holds characters nobody sees (control, zero-width or writing-direction "
        "characters), so it could read otherwise than it is stored. Write it without them."
    ),
    "proposal.error.too_long": "The proposal is too long: {length} characters, at most {limit}.",
    "proposal.error.no_words": "A proposal needs words, not only emoji, digits or signs.",
    "proposal.error.offensive": "The proposal holds a word that is not accepted. Please reword it.",
    "proposal.error.person_limit": "You have made {limit} proposals already, as many as this round takes.",
    "proposal.error.round_limit": "The round is full: it takes at most {limit} proposals.",
    "proposal.error.not_yours": "Only whoever leads the workshop can moderate its proposals.",
}

register({"sv": SV, "en": EN})
