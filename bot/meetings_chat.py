"""The chat side of dialogue-meeting reminders: RSVP buttons, stop/resume, forget, the tally.

``install(conversation, store)`` registers

* the button action ``rv`` (delivery id, answer index) on every reminder: only the contact the
  reminder was sent to may answer; the answer can be changed until the meeting starts;
* ``/stoppa`` (``/stop``) and ``/paminnelser`` (``/reminders``): a contact stops or resumes
  their reminders (all their contact entries on this platform);
* ``/glom_kontakt`` (``/forget_contact``): after a confirmation button, the contact's entries,
  answers and reminder history are deleted and a keyed tombstone keeps a config re-import from
  re-creating them;
* ``/osa`` (``/rsvp``), facilitators only: counts of answers for each meeting's next occurrence
  (never names).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import UTC, datetime

from facilitation.conversation import Conversation, Turn
from facilitation.errors import DomainError
from facilitation.i18n import register, t
from facilitation.meetings import Rsvp, format_when, next_occurrence, rsvp_buttons, rsvp_saved, rsvp_summary
from facilitation.model import Language
from facilitation.ports import Button
from storage.meetings_repository import MeetingStore, StoredContact

RSVP_ACTION = "rv"
FORGET_ACTION = "rfg"

TEXTS = {
    "sv": {
        "meetingschat.not_yours": "Den här påminnelsen skickades till någon annan, så du kan inte svara på den.",
        "meetingschat.gone": "Påminnelsen finns inte längre.",
        "meetingschat.rsvp_closed": "Mötet har redan börjat; svaret kan inte ändras.",
        "meetingschat.not_contact": "Du står inte som kontaktperson för något dialogmöte här.",
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
    },
    "en": {
        "meetingschat.not_yours": "This reminder was sent to someone else, so you cannot answer it.",
        "meetingschat.gone": "This reminder no longer exists.",
        "meetingschat.rsvp_closed": "The meeting has already started; the answer can no longer be changed.",
        "meetingschat.not_contact": "You are not listed as a contact person for any dialogue meeting here.",
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
    },
}
register(TEXTS)

_installed: weakref.WeakKeyDictionary[Conversation, MeetingStore] = weakref.WeakKeyDictionary()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def installed_store(conversation: Conversation) -> MeetingStore | None:
    return _installed.get(conversation)


def is_contact_of(contact: StoredContact, turn: Turn) -> bool:
    """Whether the user of ``turn`` is ``contact`` (their user id, or the channel the reminder went to)."""
    target = contact.contact
    if target.platform != turn.user.platform:
        return False
    if target.workspace and turn.user.workspace and target.workspace != turn.user.workspace:
        return False
    return target.address in (turn.user.user_id, turn.chat.chat_id)


async def _own_contacts(store: MeetingStore, turn: Turn) -> list[StoredContact]:
    found: dict[int, StoredContact] = {}
    for address in {turn.user.user_id, turn.chat.chat_id}:
        for contact in await store.contacts(platform=turn.user.platform, address=address):
            if is_contact_of(contact, turn):
                found[contact.id] = contact
    return list(found.values())


def install(conversation: Conversation, store: MeetingStore, *, clock: Callable[[], datetime] = _utc_now) -> None:
    """Register the RSVP button and the reminder commands (once per conversation)."""
    if conversation in _installed:
        return
    _installed[conversation] = store

    async def on_rsvp(conv: Conversation, turn: Turn, args: tuple[int, ...]) -> str:
        if len(args) != 2 or not 0 <= args[1] < 3:
            raise DomainError("error.bad_button")
        delivery = await store.delivery(args[0])
        if delivery is None:
            raise DomainError("meetingschat.gone")
        contacts = await store.contacts(active_only=False, ids=[delivery.contact_id])
        if not contacts or not is_contact_of(contacts[0], turn):
            raise DomainError("meetingschat.not_yours")
        now = clock()
        if now >= delivery.occurrence:
            raise DomainError("meetingschat.rsvp_closed")
        lang = contacts[0].contact.language
        answer: Rsvp = rsvp_buttons(lang)[args[1]][0]
        await store.set_rsvp(delivery.meeting_id, delivery.occurrence, delivery.contact_id, answer, now)
        return rsvp_saved(answer, lang)

    async def cmd_stop(conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        contacts = await _own_contacts(store, turn)
        if not contacts:
            raise DomainError("meetingschat.not_contact")
        await store.opt_out(c.id for c in contacts)
        await turn.reply(t("meetingschat.stopped", turn.lang))

    async def cmd_resume(conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        contacts = await _own_contacts(store, turn)
        if not contacts:
            raise DomainError("meetingschat.not_contact")
        await store.opt_in((c.id for c in contacts), clock())
        await turn.reply(t("meetingschat.resumed", turn.lang))

    async def cmd_forget(conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        if not await _own_contacts(store, turn):
            raise DomainError("meetingschat.not_contact")
        await turn.reply(t("meetingschat.forget_confirm", turn.lang),
                         [[Button(t("meetingschat.forget_yes", turn.lang), conv.codec.encode(FORGET_ACTION))]])

    async def on_forget(conv: Conversation, turn: Turn, args: tuple[int, ...]) -> str:
        contacts = await _own_contacts(store, turn)
        if not contacts:
            raise DomainError("meetingschat.not_contact")
        removed = 0
        for contact in contacts:
            tombstone = conv.pseudonymizer.participant_key(contact.contact.platform, contact.contact.address)
            removed += await store.forget_contact(contact.id, tombstone, clock())
        return t("meetingschat.forgotten", turn.lang, n=removed)

    async def cmd_tally(conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
        now = clock()
        lines = []
        for stored in await store.meetings():
            if args and stored.meeting.process_key not in args:
                continue
            occurrence = next_occurrence(stored.meeting, now)
            if occurrence is None:
                continue
            tally = await store.tally(stored.id, occurrence)
            lines.append(t("meetingschat.tally_line", turn.lang, title=stored.meeting.title,
                           when=format_when(occurrence, stored.meeting.duration, turn.lang),
                           summary=rsvp_summary(tally, turn.lang)))
        await turn.reply("\n\n".join(lines) if lines else t("meetingschat.no_meetings", turn.lang))

    conversation.register_action(RSVP_ACTION, on_rsvp)
    conversation.register_action(FORGET_ACTION, on_forget)
    conversation.register_command(("stoppa", "stop"), cmd_stop, facilitator_only=False)
    conversation.register_command(("paminnelser", "påminnelser", "reminders"), cmd_resume, facilitator_only=False)
    conversation.register_command(("glom_kontakt", "glöm_kontakt", "forget_contact"), cmd_forget,
                                  facilitator_only=False)
    conversation.register_command(("osa", "rsvp"), cmd_tally, facilitator_only=True)


async def upcoming_meetings_text(store: MeetingStore, platform: str, user_id: str, lang: Language,
                                 now: datetime) -> str:
    """The user's upcoming dialogue meetings (as a signatory's contact), one line each."""
    lines = []
    contacts = await store.contacts(platform=platform, address=user_id)
    processes = {c.process_key for c in contacts if not c.contact.opted_out}
    for stored in await store.meetings():
        if stored.meeting.process_key not in processes:
            continue
        occurrence = next_occurrence(stored.meeting, now)
        if occurrence is not None:
            lines.append(f"• {stored.meeting.title}: {format_when(occurrence, stored.meeting.duration, lang)}")
    return "\n".join(lines)

