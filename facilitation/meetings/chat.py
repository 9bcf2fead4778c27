"""The chat side of dialogue meetings: RSVP, stop/resume, forget, the tally, signatories, invitations.

``install(conversation, store)`` registers

* the button action ``rv`` (delivery id, answer index) on every reminder: only the contact the
  reminder was sent to (the person, or anyone in the channel it went to) may answer; the answer
  can be changed until the meeting starts;
* ``/stoppa`` (``/stop``) and ``/paminnelser`` (``/reminders``): a contact stops or resumes
  their reminders (all their contact entries on this platform);
* ``/glom_kontakt`` (``/forget_contact``): after a confirmation button, the contact's entries,
  answers and reminder history are deleted and a keyed tombstone keeps a config re-import from
  re-creating them. Reminders that go to a channel or group can be stopped or forgotten only by
  a facilitator or an admin of that chat, not by any member;
* ``/osa`` (``/rsvp``), facilitators only: counts of answers for each meeting's next occurrence
  (never names);
* ``/signatarer [PROCESS]`` (``/signatories``) and ``/signatar PROCESS NYCKEL Namn`` (``/signatory``),
  facilitators only: list signatories with their active contacts, add one;
* ``/kontaktinbjudan PROCESS UNDERTECKNARE`` (``/contact_invite``), facilitators only, in a private
  chat: a signed invitation code (and on Telegram a deep link ``t.me/<bot>?start=k-<code>``);
* ``/kontakt KOD`` (``/contact CODE``) or the deep link, in a private chat: the person who opens
  it becomes a contact of that signatory, reached in that chat. A Telegram bot can only write
  to people who have started a chat with it, which is why contacts register themselves.

Calling ``install`` again for the same conversation replaces the store and (when given) the
clock: the app installs the commands with the real clock before any adapter starts, and the
reminder runner or a test then hands in its own.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import cast

from facilitation.clock import utc_now
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.i18n import register, t
from facilitation.meetings.attendance import (
    COMING,
    MAX_PERSONS,
    AnswerProblem,
    attendance,
    attendance_text,
    record_answer,
    to_csv,
    to_xlsx,
)
from facilitation.meetings.calendar_sync import plan_welcome
from facilitation.meetings.importing import LIMITS, ContactKeys, address_problem, key_problem, length_problem
from facilitation.meetings.invitation import INVITE_PREFIX, Invitation, InvitationError
from facilitation.meetings.messages import (
    RSVP_ACTION,
    RSVP_ORDER,
    format_when,
    rsvp_label,
    rsvp_saved,
    unreachable_text,
)
from facilitation.meetings.model import Contact, Platform, Rsvp, RsvpAnswer, StoredRsvp
from facilitation.meetings.recurrence import next_occurrence
from facilitation.meetings.store import (
    CHAT,
    Claimed,
    DuplicateKey,
    ManagementError,
    MeetingStore,
    SignatoryInfo,
    StoredContact,
    UnknownSignatory,
)
from facilitation.meetings.tz import to_local
from facilitation.menu import PRIVATE, Menu
from facilitation.model import Language
from facilitation.ports import Attachment, Button
from facilitation.turn import Turn

FORGET_ACTION = "rfg"
COUNT_ACTION = "rvn"  # how many persons: (delivery id, answer index, persons)
EXPORTS = {  # /osa csv|xlsx: the file's MIME type
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

TEXTS = {
    "sv": {
        "meetingschat.not_yours": "Den här påminnelsen skickades till någon annan, så du kan inte svara på den.",
        "meetingschat.gone": "Påminnelsen finns inte längre.",
        "meetingschat.rsvp_closed": "Mötet har redan börjat; svaret kan inte ändras.",
        "meetingschat.not_contact": "Du står inte som kontaktperson för något dialogmöte här.",
        "meetingschat.channel_admin_only": (
            "Påminnelserna till den här kanalen kan bara stoppas av en administratör för kanalen "
            "eller en processledare."
        ),
        "meetingschat.stopped": (
            "Du får inga fler påminnelser om dialogmöten. Skriv /paminnelser om du vill ha dem igen."
        ),
        "meetingschat.resumed": "Du får påminnelser om dialogmöten igen. Skriv /stoppa för att sluta.",
        "meetingschat.forget_confirm": (
            "Vill du att jag glömmer dig som kontaktperson: dina uppgifter, dina svar och vilka "
            "påminnelser du fått? Administratören behöver också ta bort dig ur konfigurationen."
        ),
        "meetingschat.forget_yes": "Ja, glöm mig",
        "meetingschat.forgotten": "Klart: {n} uppgifter om dig är raderade.",
        "meetingschat.no_meetings": "Inga kommande dialogmöten.",
        "meetingschat.tally_line": "{title}, {when}:\n{summary}",
        "meetingschat.usage.signatories": "/signatarer [PROCESS]",
        "meetingschat.usage.signatory": "/signatar PROCESS NYCKEL Namn",
        "meetingschat.usage.invite": "/kontaktinbjudan PROCESS UNDERTECKNARE",
        "meetingschat.usage.contact": "/kontakt KOD",
        "meetingschat.unknown_process": "Processen ”{process}” finns inte.",
        "meetingschat.unknown_signatory": (
            "Undertecknaren ”{key}” finns inte i {process}. Se /signatarer {process}."
        ),
        "meetingschat.bad_key": (
            "Nyckeln ”{key}” går inte: använd små bokstäver a–z, siffror, punkt, bindestreck eller "
            "understreck, högst {limit} tecken."
        ),
        "meetingschat.name_too_long": "Namnet är för långt: högst {limit} tecken.",
        "meetingschat.signatory_exists": "Det finns redan en undertecknare med nyckeln ”{key}” i {process}.",
        "meetingschat.signatory_added": (
            "Undertecknaren {name} ({key}) är tillagd i {process}. "
            "Bjud in en kontaktperson med /kontaktinbjudan {process} {key}"
        ),
        "meetingschat.no_signatories": "Inga undertecknare ännu. Lägg till en med /signatar PROCESS NYCKEL Namn",
        "meetingschat.signatories_header": "Undertecknare i {process}:",
        "meetingschat.signatory_line": "• {name} ({key}): {n} aktiva kontaktpersoner",
        "meetingschat.invite_private": (
            "Be om en inbjudan i ett privat samtal med mig, så att koden inte syns för alla här."
        ),
        "meetingschat.invite": (
            "Inbjudan att bli kontaktperson för {name}, giltig till {expires}. Skicka den bara till "
            "personen, som skriver till mig i ett privat samtal:\n/kontakt {code}"
        ),
        "meetingschat.invite_link": "Eller öppnar länken: {link}",
        "meetingschat.contact_private": (
            "Skriv /kontakt KOD till mig i ett privat samtal, så att påminnelserna kommer till dig personligen."
        ),
        "meetingschat.invite_invalid": "Koden är inte giltig. Be den som bjöd in dig om en ny inbjudan.",
        "meetingschat.invite_expired": "Inbjudan har gått ut. Be den som bjöd in dig om en ny.",
        "meetingschat.cannot_register": "Jag kan tyvärr inte registrera dig som kontaktperson härifrån.",
        "meetingschat.unnamed": "Kontaktperson",
        "meetingschat.contact_added": (
            "Tack! Du är nu kontaktperson för {signatory} och får påminnelser om dialogmötena. "
            "Skriv /stoppa för att sluta få dem."
        ),
        "meetingschat.contact_exists": "Du är redan kontaktperson för {signatory}.",
        "meetingschat.how_many": "Hur många personer från {signatory} kommer till {title}?",
        "meetingschat.persons_saved": "Tack! {label}, {n} pers. för {signatory}.",
        "meetingschat.deputy_note": (
            "Vill ni säga vem som kommer i stället utan att skriva något namn (till exempel "
            "”vice ordförande”)? Skriv /ersattare och en kort anteckning. Skriv aldrig namn."
        ),
        "meetingschat.usage.note": "/ersattare ANTECKNING (utan namn)",
        "meetingschat.no_deputy_answer": (
            "Det finns inget svar ”Skickar ersättare” från dig inför ett kommande möte. "
            "Svara först med knappen på påminnelsen."
        ),
        "meetingschat.note_saved": "Anteckningen (utan namn) är sparad för {signatory}: {note}",
        "meetingschat.usage.invite_batch": "/kontaktinbjudan PROCESS UNDERTECKNARE [UNDERTECKNARE …] eller /kontaktinbjudan PROCESS alla",
        "meetingschat.invite_batch_header": (
            "Inbjudningar i {process}, giltiga till {expires}. Skicka varje rad bara till kontaktpersonen "
            "för den organisationen:"
        ),
        "meetingschat.invite_batch_line": "• {name}: /kontakt {code}",
        "meetingschat.invite_batch_none": "Alla undertecknare i {process} har redan en aktiv kontaktperson.",
        "meetingschat.osa_usage": "/osa [PROCESS] [csv|xlsx]",
        "meetingschat.problem": "{text}",
        "menu.ersattare": "Kontaktperson: anteckning om ersättare (utan namn)",
        "help.cmd.ersattare": "/ersattare ANTECKNING – vem som kommer i stället, utan namn",
    },
    "en": {
        "meetingschat.not_yours": "This reminder was sent to someone else, so you cannot answer it.",
        "meetingschat.gone": "This reminder no longer exists.",
        "meetingschat.rsvp_closed": "The meeting has already started; the answer can no longer be changed.",
        "meetingschat.not_contact": "You are not listed as a contact person for any dialogue meeting here.",
        "meetingschat.channel_admin_only": (
            "Only an admin of this channel or a facilitator can stop the reminders sent to this channel."
        ),
        "meetingschat.stopped": "You will get no more dialogue meeting reminders. Send /reminders to get them again.",
        "meetingschat.resumed": "You will get dialogue meeting reminders again. Send /stop to stop them.",
        "meetingschat.forget_confirm": (
            "Do you want me to forget you as a contact person: your details, your answers and which "
            "reminders you got? The administrator also needs to remove you from the configuration."
        ),
        "meetingschat.forget_yes": "Yes, forget me",
        "meetingschat.forgotten": "Done: {n} records about you were deleted.",
        "meetingschat.no_meetings": "No upcoming dialogue meetings.",
        "meetingschat.tally_line": "{title}, {when}:\n{summary}",
        "meetingschat.usage.signatories": "/signatories [PROCESS]",
        "meetingschat.usage.signatory": "/signatory PROCESS KEY Name",
        "meetingschat.usage.invite": "/contact_invite PROCESS SIGNATORY",
        "meetingschat.usage.contact": "/contact CODE",
        "meetingschat.unknown_process": "There is no process “{process}”.",
        "meetingschat.unknown_signatory": "There is no signatory “{key}” in {process}. See /signatories {process}.",
        "meetingschat.bad_key": (
            "The key “{key}” will not do: use lower-case letters a–z, digits, dot, hyphen or "
            "underscore, at most {limit} characters."
        ),
        "meetingschat.name_too_long": "The name is too long: at most {limit} characters.",
        "meetingschat.signatory_exists": "{process} already has a signatory with the key “{key}”.",
        "meetingschat.signatory_added": (
            "The signatory {name} ({key}) was added to {process}. "
            "Invite a contact person with /contact_invite {process} {key}"
        ),
        "meetingschat.no_signatories": "No signatories yet. Add one with /signatory PROCESS KEY Name",
        "meetingschat.signatories_header": "Signatories of {process}:",
        "meetingschat.signatory_line": "• {name} ({key}): {n} active contact persons",
        "meetingschat.invite_private": (
            "Ask for an invitation in a private chat with me, so the code is not seen by everyone here."
        ),
        "meetingschat.invite": (
            "Invitation to become a contact person of {name}, valid until {expires}. Send it only to "
            "that person, who writes to me in a private chat:\n/contact {code}"
        ),
        "meetingschat.invite_link": "Or opens the link: {link}",
        "meetingschat.contact_private": (
            "Send /contact CODE to me in a private chat, so that the reminders reach you personally."
        ),
        "meetingschat.invite_invalid": "The code is not valid. Ask the person who invited you for a new invitation.",
        "meetingschat.invite_expired": "The invitation has expired. Ask the person who invited you for a new one.",
        "meetingschat.cannot_register": "Sorry, I cannot register you as a contact person from here.",
        "meetingschat.unnamed": "Contact person",
        "meetingschat.contact_added": (
            "Thank you! You are now a contact person of {signatory} and will get reminders of the "
            "dialogue meetings. Send /stop to stop them."
        ),
        "meetingschat.contact_exists": "You are already a contact person of {signatory}.",
        "meetingschat.how_many": "How many persons from {signatory} are coming to {title}?",
        "meetingschat.persons_saved": "Thank you! {label}, {n} pers. for {signatory}.",
        "meetingschat.deputy_note": (
            "Would you like to say who comes instead without writing any name (for example "
            "“vice chair”)? Send /substitute and a short note. Never write names."
        ),
        "meetingschat.usage.note": "/substitute NOTE (no names)",
        "meetingschat.no_deputy_answer": (
            "There is no answer “Sending a substitute” from you for an upcoming meeting. "
            "Answer with the button on the reminder first."
        ),
        "meetingschat.note_saved": "The note (no names) is saved for {signatory}: {note}",
        "meetingschat.usage.invite_batch": "/contact_invite PROCESS SIGNATORY [SIGNATORY …] or /contact_invite PROCESS all",
        "meetingschat.invite_batch_header": (
            "Invitations in {process}, valid until {expires}. Send each line only to the contact person "
            "of that organisation:"
        ),
        "meetingschat.invite_batch_line": "• {name}: /contact {code}",
        "meetingschat.invite_batch_none": "Every signatory of {process} already has an active contact person.",
        "meetingschat.osa_usage": "/rsvp [PROCESS] [csv|xlsx]",
        "meetingschat.problem": "{text}",
        "menu.ersattare": "Contact person: a note about the substitute (no names)",
        "help.cmd.ersattare": "/substitute NOTE – who comes instead, without names",
    },
}
register(TEXTS)


def is_contact_of(contact: StoredContact, turn: Turn) -> bool:
    """Whether the user of ``turn`` is ``contact`` (their user id, or the channel the reminder went to)."""
    target = contact.contact
    if target.platform != turn.user.platform:
        return False
    if target.workspace and turn.user.workspace and target.workspace != turn.user.workspace:
        return False
    return target.address in (turn.user.user_id, turn.chat.chat_id)


def may_manage(conv: Conversation, contact: StoredContact, turn: Turn) -> bool:
    """Whether the user may stop or forget ``contact``'s reminders.

    The person themselves always may. A contact whose address is a group or channel is shared
    by its members: any of them may answer a reminder, but only a facilitator or an admin of
    that chat may stop or delete what the whole channel receives.
    """
    if not is_contact_of(contact, turn):
        return False
    if contact.contact.address == turn.user.user_id or turn.chat.is_private:
        return True
    return conv.is_facilitator(turn.user) or turn.user.is_chat_admin


class MeetingsChat:
    """The handlers, over a store and a clock that :func:`install` may replace."""

    def __init__(self, store: MeetingStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        # Starts a dispatcher tick now (the runner's Dispatcher.kick), so a welcome goes out at once.
        self.kick: Callable[[], Awaitable[None]] | None = None

    def register(self, conversation: Conversation) -> None:
        conversation.register_action(RSVP_ACTION, self.on_rsvp)
        conversation.register_action(FORGET_ACTION, self.on_forget)
        conversation.register_action(COUNT_ACTION, self.on_count)
        conversation.register_command(
            ("ersattare", "ersättare", "substitute"),
            self.cmd_note,
            facilitator_only=False,
            menu=Menu("ersattare", "substitute", frozenset({PRIVATE})),
        )
        conversation.register_command(
            ("stoppa", "stop"), self.cmd_stop, facilitator_only=False, menu=Menu("stoppa", "stop")
        )
        conversation.register_command(
            ("paminnelser", "påminnelser", "reminders"),
            self.cmd_resume,
            facilitator_only=False,
            menu=Menu("paminnelser", "reminders"),
        )
        conversation.register_command(
            ("glom_kontakt", "glöm_kontakt", "forget_contact"),
            self.cmd_forget,
            facilitator_only=False,
            menu=Menu("glom_kontakt", "forget_contact"),
        )
        conversation.register_command(
            ("osa", "rsvp"), self.cmd_tally, facilitator_only=True, menu=Menu("osa", "rsvp")
        )
        conversation.register_command(
            ("signatarer", "signatories"),
            self.cmd_signatories,
            facilitator_only=True,
            menu=Menu("signatarer", "signatories"),
        )
        conversation.register_command(
            ("signatar", "signatory"),
            self.cmd_add_signatory,
            facilitator_only=True,
            menu=Menu("signatar", "signatory"),
        )
        conversation.register_command(
            ("kontaktinbjudan", "contact_invite"),
            self.cmd_invite,
            facilitator_only=True,
            menu=Menu("kontaktinbjudan", "contact_invite"),
        )
        conversation.register_command(
            ("kontakt", "contact"),
            self.cmd_register,
            facilitator_only=False,
            menu=Menu("kontakt", "contact", frozenset({PRIVATE})),
        )
        conversation.register_start_handler(INVITE_PREFIX, self.cmd_register)

    # --- the contact's own reminders ------------------------------------------------------
    async def _contacts_of(self, turn: Turn) -> list[StoredContact]:
        found: dict[int, StoredContact] = {}
        for address in {turn.user.user_id, turn.chat.chat_id}:
            for contact in await self.store.contacts(platform=turn.user.platform, address=address):
                if is_contact_of(contact, turn):
                    found[contact.id] = contact
        return list(found.values())

    async def _managed(self, conv: Conversation, turn: Turn) -> list[StoredContact]:
        """The contact entries the user may stop or forget; refuses if there are none."""
        contacts = await self._contacts_of(turn)
        allowed = [c for c in contacts if may_manage(conv, c, turn)]
        if not allowed:
            raise DomainError("meetingschat.channel_admin_only" if contacts else "meetingschat.not_contact")
        return allowed

    async def _answering(self, turn: Turn, delivery_id: int) -> tuple[Claimed, StoredContact]:
        """The reminder pressed and its contact, if the presser may still answer it."""
        delivery = await self.store.delivery(delivery_id)
        if delivery is None:
            raise DomainError("meetingschat.gone")
        contacts = await self.store.contacts(active_only=False, ids=[delivery.contact_id])
        if not contacts or not is_contact_of(contacts[0], turn):
            raise DomainError("meetingschat.not_yours")
        if self.clock() >= delivery.occurrence:
            raise DomainError("meetingschat.rsvp_closed")
        return delivery, contacts[0]

    async def _own_answer(self, delivery: Claimed) -> RsvpAnswer | None:
        found = [
            r
            for r in await self.store.rsvps(delivery.meeting_id, delivery.occurrence)
            if r.contact_id == delivery.contact_id
        ]
        return found[0].answer if found else None

    async def _record(
        self, meeting_id: int, occurrence: datetime, contact_id: int, answer: RsvpAnswer, lang: Language
    ) -> None:
        try:
            await record_answer(self.store, meeting_id, occurrence, contact_id, answer, self.clock())
        except AnswerProblem as problem:
            raise DomainError("meetingschat.problem", text=problem.text(lang)) from None

    async def on_rsvp(self, conv: Conversation, turn: Turn, args: tuple[int, ...]) -> str:
        """An answer button of a reminder; the same answer again keeps the count and note given."""
        if len(args) != 2 or not 0 <= args[1] < len(RSVP_ORDER):
            raise DomainError("error.bad_button")
        delivery, contact = await self._answering(turn, args[0])
        lang = contact.contact.language
        answer = RSVP_ORDER[args[1]]
        before = await self._own_answer(delivery)
        kept = before if before is not None and before.answer == answer else RsvpAnswer(answer)
        await self._record(delivery.meeting_id, delivery.occurrence, delivery.contact_id, kept, lang)
        if answer in COMING:
            await self._ask_count(conv, turn, delivery, contact, args[1])
        return rsvp_saved(answer, lang)

    async def _ask_count(
        self, conv: Conversation, turn: Turn, delivery: Claimed, contact: StoredContact, index: int
    ) -> None:
        """The follow-up: how many persons (buttons 1–MAX_PERSONS, two rows), and for a substitute how
        to add a name-free note."""
        lang = contact.contact.language
        [stored] = await self.store.meetings(active_only=False, ids=[delivery.meeting_id])
        numbers = [
            Button(str(n), conv.codec.encode(COUNT_ACTION, delivery.id, index, n))
            for n in range(1, MAX_PERSONS + 1)
        ]
        half = (len(numbers) + 1) // 2
        text = t("meetingschat.how_many", lang, signatory=contact.signatory_name, title=stored.meeting.title)
        if RSVP_ORDER[index] == Rsvp.SKICKAR_ERSATTARE:
            text += "\n" + t("meetingschat.deputy_note", lang)
        await turn.reply(text, [numbers[:half], numbers[half:]])

    async def on_count(self, conv: Conversation, turn: Turn, args: tuple[int, ...]) -> str:
        """A count button: the answer and the count together, so a late press of an old button sets
        exactly what it says and nothing else."""
        if len(args) != 3 or not 0 <= args[1] < len(RSVP_ORDER) or RSVP_ORDER[args[1]] not in COMING:
            raise DomainError("error.bad_button")
        if not 1 <= args[2] <= MAX_PERSONS:
            raise DomainError("error.bad_button")
        delivery, contact = await self._answering(turn, args[0])
        lang = contact.contact.language
        answer = RSVP_ORDER[args[1]]
        before = await self._own_answer(delivery)
        note = before.note if before is not None and before.answer == answer else None
        answer_given = RsvpAnswer(answer, args[2], note)
        await self._record(delivery.meeting_id, delivery.occurrence, delivery.contact_id, answer_given, lang)
        return t(
            "meetingschat.persons_saved",
            lang,
            label=rsvp_label(answer, lang),
            n=args[2],
            signatory=contact.signatory_name,
        )

    async def cmd_note(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        """``/ersattare NOTE``: a name-free note on the sender's latest "Skickar ersättare" answer
        for a meeting's next occurrence. The note is never logged."""
        if not args:
            raise DomainError("error.bad_args", usage=t("meetingschat.usage.note", turn.lang))
        note = " ".join(args)
        now = self.clock()
        mine = {c.id: c for c in await self._contacts_of(turn)}
        latest: tuple[int, datetime, StoredRsvp] | None = None
        for stored in await self.store.meetings() if mine else []:
            occurrence = next_occurrence(stored.meeting, now)
            if occurrence is None:
                continue
            for rsvp in await self.store.rsvps(stored.id, occurrence):
                if (
                    rsvp.contact_id in mine
                    and rsvp.answer.answer == Rsvp.SKICKAR_ERSATTARE
                    and (
                        latest is None
                        or (rsvp.answered_at, rsvp.order) > (latest[2].answered_at, latest[2].order)
                    )
                ):
                    latest = (stored.id, occurrence, rsvp)
        if latest is None:
            raise DomainError("meetingschat.no_deputy_answer")
        meeting_id, occurrence, before = latest
        answer = RsvpAnswer(before.answer.answer, before.answer.persons, note)
        await self._record(meeting_id, occurrence, before.contact_id, answer, turn.lang)
        signatory = mine[before.contact_id].signatory_name
        await turn.reply(t("meetingschat.note_saved", turn.lang, signatory=signatory, note=note.strip()))

    async def cmd_stop(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        also = await _switch_others(conv, turn, on=False)
        try:
            contacts = await self._managed(conv, turn)
        except DomainError:
            if not also:  # neither a contact nor anything else to stop: say why
                raise
            await turn.reply("\n".join(also))
            return
        await self.store.opt_out(c.id for c in contacts)
        await turn.reply("\n".join([*also, t("meetingschat.stopped", turn.lang)]))

    async def cmd_resume(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        also = await _switch_others(conv, turn, on=True)
        try:
            contacts = await self._managed(conv, turn)
        except DomainError:
            if not also:
                raise
            await turn.reply("\n".join(also))
            return
        await self.store.opt_in((c.id for c in contacts), self.clock())
        await turn.reply("\n".join([*also, t("meetingschat.resumed", turn.lang)]))

    async def cmd_forget(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        await self._managed(conv, turn)
        await turn.reply(
            t("meetingschat.forget_confirm", turn.lang),
            [[Button(t("meetingschat.forget_yes", turn.lang), conv.codec.encode(FORGET_ACTION))]],
        )

    async def on_forget(self, conv: Conversation, turn: Turn, args: tuple[int, ...]) -> str:
        removed = 0
        for contact in await self._managed(conv, turn):
            # The contact tombstone, never the participant key that keys this person's votes.
            tombstone = conv.pseudonymizer.contact_tombstone(
                contact.contact.platform, contact.contact.address
            )
            removed += await self.store.forget_contact(contact.id, tombstone, self.clock())
        return t("meetingschat.forgotten", turn.lang, n=removed)

    async def cmd_tally(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        """``/osa [PROCESS] [csv|xlsx]``: for each meeting's next occurrence, every signatory with its
        organisation's answer (never who answered) and those without an active contact; as a file too."""
        export = next((a.lower() for a in args if a.lower() in EXPORTS), None)
        processes = [a for a in args if a.lower() not in EXPORTS]
        if len(processes) > 1:
            raise DomainError("error.bad_args", usage=t("meetingschat.osa_usage", turn.lang))
        now = self.clock()
        blocks = []
        files = []
        for stored in await self.store.meetings():
            if processes and stored.meeting.process_key not in processes:
                continue
            occurrence = next_occurrence(stored.meeting, now)
            if occurrence is None:
                continue
            lines = await attendance(self.store, stored.id, occurrence)
            when = format_when(occurrence, stored.meeting.duration, turn.lang)
            header = t("attendance.header", turn.lang, title=stored.meeting.title, when=when)
            blocks.append(attendance_text(header, lines, turn.lang))
            if export is not None:
                stamp = to_local(occurrence).strftime("%Y-%m-%d")
                name = f"{stored.meeting.process_key}-{stored.meeting.key}-{stamp}.{export}"
                data = (
                    to_csv(lines, turn.lang)
                    if export == "csv"
                    else to_xlsx(lines, turn.lang, stored.meeting.key)
                )
                files.append(Attachment(name, data, EXPORTS[export], caption=stored.meeting.title))
        if not blocks:
            blocks.append(t("meetingschat.no_meetings", turn.lang))
        gone = [
            u for u in await self.store.unreachable() if not processes or u.contact.process_key in processes
        ]
        if gone:
            blocks.append(
                unreachable_text(
                    [
                        (
                            u.contact.contact.name,
                            u.contact.signatory_name,
                            u.contact.contact.platform,
                            u.reason,
                        )
                        for u in gone
                    ],
                    turn.lang,
                )
            )
        await turn.reply("\n\n".join(blocks))
        for attachment in files:
            await turn.port.send_file(turn.chat, attachment)

    # --- facilitators: signatories and invitations ----------------------------------------
    async def _require_process(self, conv: Conversation, process: str) -> None:
        if process not in conv.processes and process not in await self.store.process_keys():
            raise DomainError("meetingschat.unknown_process", process=process[: LIMITS["process.key"]])

    async def _require_signatory(self, process: str, key: str) -> SignatoryInfo:
        signatory = await self.store.signatory(process, key)
        if signatory is None or not signatory.active:
            raise DomainError(
                "meetingschat.unknown_signatory", process=process, key=key[: LIMITS["signatory.key"]]
            )
        return signatory

    async def cmd_signatories(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        if len(args) > 1:
            raise DomainError("error.bad_args", usage=t("meetingschat.usage.signatories", turn.lang))
        if args:
            await self._require_process(conv, args[0])
        listed = [s for s in await self.store.signatories(args[0] if args else None) if s.active]
        if not listed:
            await turn.reply(t("meetingschat.no_signatories", turn.lang))
            return
        blocks: dict[str, list[str]] = {}
        for s in listed:
            blocks.setdefault(
                s.process_key, [t("meetingschat.signatories_header", turn.lang, process=s.process_key)]
            )
            blocks[s.process_key].append(
                t("meetingschat.signatory_line", turn.lang, name=s.name, key=s.key, n=s.contacts)
            )
        await turn.reply("\n\n".join("\n".join(lines) for lines in blocks.values()))

    async def cmd_add_signatory(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        if len(args) < 3:
            raise DomainError("error.bad_args", usage=t("meetingschat.usage.signatory", turn.lang))
        process, key, name = args[0], args[1], " ".join(args[2:]).strip()
        await self._require_process(conv, process)
        if key_problem(key, "signatory.key"):
            raise DomainError(
                "meetingschat.bad_key", key=key[: LIMITS["signatory.key"]], limit=LIMITS["signatory.key"]
            )
        if length_problem(name, "signatory.name"):
            raise DomainError("meetingschat.name_too_long", limit=LIMITS["signatory.name"])
        try:
            await self.store.add_signatory(process, key, name, CHAT)
        except DuplicateKey:
            raise DomainError("meetingschat.signatory_exists", process=process, key=key) from None
        await turn.reply(t("meetingschat.signatory_added", turn.lang, name=name, key=key, process=process))

    async def cmd_invite(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        """One signatory: its invitation (and a deep link). Several, or ``alla``/``all``: a batch, one
        line per signatory (``alla``: every active signatory without an active contact)."""
        if len(args) < 2:
            raise DomainError("error.bad_args", usage=t("meetingschat.usage.invite_batch", turn.lang))
        if not turn.chat.is_private:  # whoever reads the code can register with it
            raise DomainError("meetingschat.invite_private")
        await self._require_process(conv, args[0])
        if len(args) == 2 and args[1].lower() not in ("alla", "all"):
            await self._invite_one(conv, turn, await self._require_signatory(args[0], args[1]))
            return
        if len(args) == 2:
            signatories = [s for s in await self.store.signatories(args[0]) if s.active and s.contacts == 0]
        else:
            signatories = [await self._require_signatory(args[0], key) for key in dict.fromkeys(args[1:])]
        if not signatories:
            await turn.reply(t("meetingschat.invite_batch_none", turn.lang, process=args[0]))
            return
        now = self.clock()
        lines = []
        expires = now
        for signatory in signatories:
            invitation = Invitation.new(signatory.id, now)
            expires = invitation.expires
            code = invitation.code(conv.pseudonymizer, f"{signatory.process_key}/{signatory.key}")
            lines.append(t("meetingschat.invite_batch_line", turn.lang, name=signatory.name, code=code))
        header = t(
            "meetingschat.invite_batch_header",
            turn.lang,
            process=args[0],
            expires=to_local(expires).strftime("%Y-%m-%d %H:%M"),
        )
        await turn.reply("\n".join([header, *lines]))

    async def _invite_one(self, conv: Conversation, turn: Turn, signatory: SignatoryInfo) -> None:
        invitation = Invitation.new(signatory.id, self.clock())
        code = invitation.code(conv.pseudonymizer, f"{signatory.process_key}/{signatory.key}")
        text = t(
            "meetingschat.invite",
            turn.lang,
            name=signatory.name,
            code=code,
            expires=to_local(invitation.expires).strftime("%Y-%m-%d %H:%M"),
        )
        link = turn.port.join_link(INVITE_PREFIX + code)  # Telegram: t.me/<bot>?start=<parameter>
        await turn.reply(f"{text}\n{t('meetingschat.invite_link', turn.lang, link=link)}" if link else text)

    # --- contact persons: registering with an invitation ----------------------------------
    async def cmd_register(self, conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        """``/kontakt KOD`` or ``/start k-KOD``: the sender becomes a contact of the invited signatory."""
        if not turn.chat.is_private:
            raise DomainError("meetingschat.contact_private")
        if len(args) != 1:
            raise DomainError("error.bad_args", usage=t("meetingschat.usage.contact", turn.lang))
        signatory = await self._invited_signatory(conv, args[0])
        contact = self._contact_for(conv, turn, signatory)
        try:
            _stored, created = await self.store.add_contact(
                signatory.process_key, signatory.key, contact, CHAT
            )
        except UnknownSignatory:
            raise DomainError("meetingschat.invite_invalid") from None
        except ManagementError:
            raise DomainError("meetingschat.cannot_register") from None
        key = "meetingschat.contact_added" if created else "meetingschat.contact_exists"
        # The next meeting's date and calendar file at once (once: a redelivered registration
        # plans the same welcome); the dispatcher sends it at its next tick.
        await plan_welcome(self.store, _stored, self.clock())
        await turn.reply(t(key, turn.lang, signatory=signatory.name))
        if self.kick is not None:
            await self.kick()

    async def _invited_signatory(self, conv: Conversation, code: str) -> SignatoryInfo:
        """The signatory a genuine, unexpired code invites to; refuses anything else alike."""
        try:
            invitation, signature = Invitation.read(code)
            signatory = await self.store.signatory_by_id(invitation.signatory_id)
            if signatory is None or not signatory.active:
                raise InvitationError("invalid")
            invitation.verify(
                signature, conv.pseudonymizer, f"{signatory.process_key}/{signatory.key}", self.clock()
            )
        except InvitationError as refused:
            raise DomainError(f"meetingschat.invite_{refused.reason}") from None
        return signatory

    @staticmethod
    def _contact_for(conv: Conversation, turn: Turn, signatory: SignatoryInfo) -> Contact:
        """The contact entry for the sender: reached in their private chat, in their language.

        The user id is the address: in a private Telegram chat it is the chat id, and Slack and
        the local mode deliver a message sent to a user id to that user's direct messages.
        """
        user = turn.user
        if address_problem(user.platform, user.user_id):
            raise DomainError("meetingschat.cannot_register")
        name = (user.display_name or t("meetingschat.unnamed", turn.lang)).strip()[: LIMITS["contact.name"]]
        key = ContactKeys(conv.pseudonymizer).derive(
            signatory.key, user.platform, user.user_id, user.workspace
        )
        platform = cast(Platform, user.platform)  # address_problem above refused any other
        return Contact(key, name, platform, user.user_id, user.workspace, Language(turn.lang), False)


_installed: weakref.WeakKeyDictionary[Conversation, MeetingsChat] = weakref.WeakKeyDictionary()


def install(
    conversation: Conversation,
    store: MeetingStore,
    *,
    clock: Callable[[], datetime] | None = None,
    kick: Callable[[], Awaitable[None]] | None = None,
) -> MeetingsChat:
    """Register the meeting commands once per conversation; later calls replace store and clock.

    ``clock=None`` keeps the clock already installed (the wall clock the first time); ``kick``
    (the dispatcher's) is kept once given.
    """
    chat = _installed.get(conversation)
    if chat is None:
        chat = MeetingsChat(store, clock or utc_now)
        chat.kick = kick
        chat.register(conversation)
        _installed[conversation] = chat
        return chat
    chat.store = store
    if clock is not None:
        chat.clock = clock
    if kick is not None:
        chat.kick = kick
    return chat


def installed_store(conversation: Conversation) -> MeetingStore | None:
    chat = _installed.get(conversation)
    return chat.store if chat is not None else None


async def upcoming_meetings_text(
    store: MeetingStore, platform: str, user_id: str, lang: Language, now: datetime
) -> str:
    """The user's upcoming dialogue meetings (as a signatory's contact), one line each."""
    lines = []
    contacts = await store.contacts(platform=platform, address=user_id)
    processes = {c.process_key for c in contacts if not c.contact.opted_out}
    for stored in await store.meetings():
        if stored.meeting.process_key not in processes:
            continue
        occurrence = next_occurrence(stored.meeting, now)
        if occurrence is not None:
            lines.append(
                f"• {stored.meeting.title}: {format_when(occurrence, stored.meeting.duration, lang)}"
            )
    return "\n".join(lines)


async def _switch_others(conv: Conversation, turn: Turn, *, on: bool) -> list[str]:
    """The other reminders ``/stoppa`` and ``/paminnelser`` switch (a round's reminder to the
    undecided): a sentence for each that changed."""
    said = [await switch(turn, on) for switch in conv.reminder_switches]
    return [text for text in said if text]
