"""RSVP links: a reminder's answer buttons as signed, expiring web links (for e-mail contacts).

An e-mail cannot carry buttons, so each RSVP button of a reminder becomes a link
``{public_url}/osa/<token>``. The token is the button's own signed data (delivery id and answer,
see :class:`facilitation.buttons.ButtonCodec`) plus an expiry, signed again with the
installation's secret (a 22-character HMAC-SHA256, far longer than a button's): it names no
person and no address, so a web server's access log of the link reveals nobody.

Holding the link is the proof of being the contact it was sent to (no login), so a link works
only for its delivery's contact, only until the meeting starts (and never after the expiry), and
only while the contact and the reminder exist: a forgotten contact's links answer "gone".

**Mail scanners.** Outlook's Safe Links, Gmail and virus scanners open links in an e-mail before
the person does. A GET therefore only *shows* the answer and a button; the answer is recorded by
the POST that button sends (:meth:`RsvpLinks.answer`), which no scanner submits. A POST of the
same token again records the same answer again (idempotent), and a later link of another
answer replaces it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from facilitation.buttons import ButtonCodec
from facilitation.errors import DomainError
from facilitation.i18n import register
from facilitation.meetings.attendance import record_answer
from facilitation.meetings.messages import RSVP_ACTION, RSVP_ORDER, format_when, rsvp_buttons, rsvp_label
from facilitation.meetings.model import Rsvp, RsvpAnswer
from facilitation.meetings.store import MeetingStore, StoredContact
from facilitation.model import Language
from facilitation.pseudonym import Pseudonymizer

#: Where the links point, below ``public_url``.
LINK_PATH = "/osa/"
#: How long a link works at most (a reminder goes out at most 30 days before by default; the
#: meeting's start ends it earlier).
DEFAULT_LIFETIME = timedelta(days=60)
_SIGNATURE_LENGTH = 22  # URL-safe base64 characters: 132 bits
MAX_TOKEN_LENGTH = 200

TEXTS = {
    "sv": {
        "meetingslink.title": "Svar på inbjudan",
        "meetingslink.question": "Vill du svara «{label}» för {signatory} på inbjudan till {title}, {when}?",
        "meetingslink.confirm": "Skicka svaret: {label}",
        "meetingslink.other_answers": "Eller svara:",
        "meetingslink.saved": "Tack! Svaret «{label}» för {signatory} är sparat. Du kan ändra det fram till mötet.",
        "meetingslink.invalid": "Länken är inte giltig. Använd länken i det senaste mejlet om mötet.",
        "meetingslink.expired": "Länken har gått ut. Använd länken i det senaste mejlet om mötet.",
        "meetingslink.gone": "Påminnelsen finns inte längre, så svaret kan inte sparas.",
        "meetingslink.closed": "Mötet har redan börjat; svaret kan inte ändras.",
    },
    "en": {
        "meetingslink.title": "Answer to the invitation",
        "meetingslink.question": "Do you want to answer “{label}” for {signatory} to the invitation to {title}, {when}?",
        "meetingslink.confirm": "Send the answer: {label}",
        "meetingslink.other_answers": "Or answer:",
        "meetingslink.saved": (
            "Thank you! The answer “{label}” for {signatory} is saved. You can change it until the meeting."
        ),
        "meetingslink.invalid": "The link is not valid. Use the link in the latest e-mail about the meeting.",
        "meetingslink.expired": "The link has expired. Use the link in the latest e-mail about the meeting.",
        "meetingslink.gone": "This reminder no longer exists, so the answer cannot be saved.",
        "meetingslink.closed": "The meeting has already started; the answer can no longer be changed.",
    },
}
register(TEXTS)


@dataclass(frozen=True)
class LinkAnswer:
    """What a link answers, in its contact's language: shown on the page, recorded by a POST."""

    answer: Rsvp
    label: str
    title: str
    when: str
    signatory: str
    lang: Language
    #: The tokens of the two other answers of the same reminder (to change one's mind on the page).
    others: tuple[tuple[str, str], ...] = ()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class RsvpLinks:
    """Makes and checks link tokens, and shows or records the answer a link stands for."""

    def __init__(
        self, pseudonymizer: Pseudonymizer, codec: ButtonCodec, lifetime: timedelta = DEFAULT_LIFETIME
    ) -> None:
        self._signer = pseudonymizer
        self.codec = codec
        self.lifetime = lifetime

    def _signature(self, payload: str) -> str:
        return self._signer.sign("osa-link\x1f" + payload, _SIGNATURE_LENGTH)

    def token(self, button_data: str, now: datetime) -> str:
        """The token of a button (its signed data), valid for :attr:`lifetime` from ``now``."""
        expires = int((now + self.lifetime).timestamp())
        payload = f"{_b64(button_data.encode('utf-8'))}.{expires:x}"
        return f"{payload}.{self._signature(payload)}"

    def button_data(self, token: str, now: datetime) -> str:
        """The button data a genuine, unexpired token carries; ``DomainError`` otherwise."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
            raise DomainError("meetingslink.invalid")
        payload, _, signature = token.rpartition(".")
        if not signature.isascii() or not hmac.compare_digest(signature, self._signature(payload)):
            raise DomainError("meetingslink.invalid")
        data, _, expires = payload.partition(".")
        try:
            button = _unb64(data).decode("utf-8")
            deadline = int(expires, 16)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise DomainError("meetingslink.invalid") from None
        if now.timestamp() > deadline:
            raise DomainError("meetingslink.expired")
        return button

    async def look_up(self, store: MeetingStore, token: str, now: datetime) -> tuple[LinkAnswer, int, int]:
        """The answer ``token`` stands for, with its delivery id and answer index; nothing is written.

        Refused (``DomainError``) like a chat press: a forged or expired link, a reminder that is
        gone (its contact was forgotten or removed), a meeting that has started.
        """
        action, args = self.codec.decode(self.button_data(token, now))
        if action != RSVP_ACTION or len(args) != 2 or not 0 <= args[1] < len(RSVP_ORDER):
            raise DomainError("meetingslink.invalid")
        delivery = await store.delivery(args[0])
        if delivery is None:
            raise DomainError("meetingslink.gone")
        contacts = await store.contacts(active_only=False, ids=[delivery.contact_id])
        if not contacts or not contacts[0].active:
            raise DomainError("meetingslink.gone")
        if now >= delivery.occurrence:
            raise DomainError("meetingslink.closed")
        meetings = await store.meetings(active_only=False, ids=[delivery.meeting_id])
        if not meetings:
            raise DomainError("meetingslink.gone")
        contact, meeting = contacts[0], meetings[0].meeting
        lang = contact.contact.language
        answers = rsvp_buttons(lang)
        answer = answers[args[1]][0]
        others = tuple(
            (label, self.token(self.codec.encode(RSVP_ACTION, delivery.id, index), now))
            for index, (_other, label) in enumerate(answers)
            if index != args[1]
        )
        shown = LinkAnswer(
            answer,
            rsvp_label(answer, lang),
            meeting.title,
            format_when(delivery.occurrence, meeting.duration, lang),
            contact.signatory_name,
            lang,
            others,
        )
        return shown, delivery.id, args[1]

    async def answer(self, store: MeetingStore, token: str, now: datetime) -> LinkAnswer:
        """Record the answer ``token`` stands for (the same answer again changes nothing more)."""
        shown, delivery_id, _index = await self.look_up(store, token, now)
        delivery = await store.delivery(delivery_id)
        if delivery is None:  # forgotten between the two reads
            raise DomainError("meetingslink.gone")
        # the organisation's answer, through the one call the chat buttons use too
        await record_answer(
            store,
            delivery.meeting_id,
            delivery.occurrence,
            delivery.contact_id,
            RsvpAnswer(shown.answer),
            now,
        )
        return shown


# --- stop and forget links ----------------------------------------------------------------------
#: Where the stop / forget links point, below ``public_url``.
STOP_PATH = "/sluta/"
STOP = "s"  # stop reminders to the address (as /stoppa)
FORGET = "f"  # forget the address entirely (as /glom_kontakt)
#: How long a stop or forget link works: far longer than an RSVP link, because a person may want
#: to stop the reminders from any e-mail they kept (RFC 8058 asks for a working link "for a
#: long time"); two years cover a yearly meeting's welcome and its reminders with room to spare.
DEFAULT_STOP_LIFETIME = timedelta(days=730)
_WHO_LENGTH = 16  # URL-safe base64 characters of a keyed hash of the address: 96 bits

STOP_TEXTS = {
    "sv": {
        "stoplink.title": "Påminnelser om dialogmöten",
        "stoplink.stop_question": (
            "Vill du sluta få påminnelser om dialogmöten till den här e-postadressen ({signatories})? "
            "Du får då inga fler påminnelser, inbjudningar eller ändringar av mötet."
        ),
        "stoplink.stop_button": "Sluta få påminnelser",
        "stoplink.stop_forget_instead": "Vill du i stället att vi glömmer dig helt?",
        "stoplink.forget_question": (
            "Vill du att vi glömmer dig som kontaktperson ({signatories})? Vi tar bort din e-postadress, "
            "ditt namn, dina svar och vilka påminnelser du har fått, och du får inga fler e-brev från oss."
        ),
        "stoplink.forget_button": "Glöm mig",
        "stoplink.stopped": "Klart. Du får inga fler påminnelser om dialogmöten till den här adressen.",
        "stoplink.forgotten": "Klart. Vi har glömt dig: din adress, dina svar och din historik är borttagna.",
        "stoplink.invalid": "Länken är inte giltig, så ingenting har ändrats.",
        "stoplink.expired": "Länken har gått ut, så ingenting har ändrats. Använd länken i ett senare mejl.",
        "stoplink.used": "Länken har redan använts, så ingenting har ändrats.",
        "stoplink.gone": "Den här adressen finns inte längre hos oss, så det finns inget mer att ändra.",
    },
    "en": {
        "stoplink.title": "Dialogue meeting reminders",
        "stoplink.stop_question": (
            "Do you want to stop getting dialogue meeting reminders at this e-mail address ({signatories})? "
            "You will then get no more reminders, invitations or changes of the meeting."
        ),
        "stoplink.stop_button": "Stop reminders",
        "stoplink.stop_forget_instead": "Would you rather have us forget you entirely?",
        "stoplink.forget_question": (
            "Do you want us to forget you as a contact person ({signatories})? We delete your e-mail address, "
            "your name, your answers and which reminders you got, and you get no more e-mail from us."
        ),
        "stoplink.forget_button": "Forget me",
        "stoplink.stopped": "Done. You will get no more dialogue meeting reminders at this address.",
        "stoplink.forgotten": "Done. We have forgotten you: your address, your answers and your history are deleted.",
        "stoplink.invalid": "The link is not valid, so nothing was changed.",
        "stoplink.expired": "The link has expired, so nothing was changed. Use the link in a later e-mail.",
        "stoplink.used": "The link has already been used, so nothing was changed.",
        "stoplink.gone": "This address is no longer with us, so there is nothing more to change.",
    },
}
register(STOP_TEXTS)


@dataclass(frozen=True)
class StopRequest:
    """What a genuine stop or forget link stands for: the e-mail contacts of its address."""

    action: str  # STOP or FORGET
    contacts: tuple[StoredContact, ...]
    lang: Language
    expires: datetime

    @property
    def signatories(self) -> str:
        return ", ".join(sorted({c.signatory_name for c in self.contacts}))


class StopLinks:
    """Makes and checks the "Sluta få påminnelser" / "Glöm mig" links of every e-mail.

    A token is ``<action>.<who>.<expiry>.<signature>``: ``who`` is a keyed hash of the recipient's
    address (never the address, so a web server's access log of the link reveals nobody), signed
    like the RSVP links with the installation's secret. It stands for every e-mail contact of that
    address, as ``/stoppa`` and ``/glom_kontakt`` stand for every contact of a chat user. Mail
    scanners open links, so opening one only shows a page; its button's POST (or a mail
    client's RFC 8058 one-click POST) acts. Whether a token was used before is the caller's to
    remember (the web page keeps it in the shared database), so a replayed link changes nothing.
    """

    def __init__(self, pseudonymizer: Pseudonymizer, lifetime: timedelta = DEFAULT_STOP_LIFETIME) -> None:
        self._signer = pseudonymizer
        self.lifetime = lifetime

    def _who(self, address: str) -> str:
        return self._signer.sign("stop-link-who\x1f" + address, _WHO_LENGTH)

    def _signature(self, payload: str) -> str:
        return self._signer.sign("stop-link\x1f" + payload, _SIGNATURE_LENGTH)

    def token(self, action: str, address: str, now: datetime) -> str:
        """The token of ``action`` (:data:`STOP` / :data:`FORGET`) for ``address``, valid for :attr:`lifetime`."""
        return self._token(action, self._who(address), int((now + self.lifetime).timestamp()))

    def _token(self, action: str, who: str, expires: int) -> str:
        payload = f"{action}.{who}.{expires:x}"
        return f"{payload}.{self._signature(payload)}"

    def read(self, token: str, now: datetime) -> tuple[str, str, int]:
        """(action, who, expiry) of a genuine, unexpired token; ``DomainError`` otherwise."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 3:
            raise DomainError("stoplink.invalid")
        payload, _, signature = token.rpartition(".")
        if not signature.isascii() or not hmac.compare_digest(signature, self._signature(payload)):
            raise DomainError("stoplink.invalid")
        action, who, expires = payload.split(".")
        try:
            deadline = int(expires, 16)
        except ValueError:
            raise DomainError("stoplink.invalid") from None
        if action not in (STOP, FORGET):
            raise DomainError("stoplink.invalid")
        if now.timestamp() > deadline:
            raise DomainError("stoplink.expired")
        return action, who, deadline

    async def look_up(self, store: MeetingStore, token: str, now: datetime) -> StopRequest:
        """The contacts a token stands for; nothing is written. ``DomainError`` for a forged or
        expired token, or an address no longer stored (forgotten or removed)."""
        action, who, deadline = self.read(token, now)
        found = tuple(
            c
            for c in await store.contacts(active_only=False, platform="email")
            if hmac.compare_digest(self._who(c.contact.address), who)
        )
        if not found:
            raise DomainError("stoplink.gone")
        lang = found[0].contact.language
        return StopRequest(action, found, lang, datetime.fromtimestamp(deadline, tz=UTC))

    def forget_token(self, token: str, now: datetime) -> str:
        """The forget token of the same address as a genuine stop ``token`` (offered on its page)."""
        _action, who, _deadline = self.read(token, now)
        return self._token(FORGET, who, int((now + self.lifetime).timestamp()))

    async def apply(self, store: MeetingStore, request: StopRequest, now: datetime) -> None:
        """Stop the reminders of the request's contacts (as ``/stoppa``) or forget them (as
        ``/glom_kontakt``: the rows go, a tombstone keeps a re-import from re-creating them)."""
        if request.action == STOP:
            await store.opt_out(c.id for c in request.contacts)
            return
        for contact in request.contacts:
            tombstone = self._signer.contact_tombstone(contact.contact.platform, contact.contact.address)
            await store.forget_contact(contact.id, tombstone, now)
