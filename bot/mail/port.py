"""E-mail as a delivery channel: the sending half of a :class:`ChatPort` over SMTP (aiosmtplib).

A reminder becomes one e-mail in plain text and HTML whose answer buttons are signed one-click
links (:mod:`facilitation.meetings.links`); the calendar file becomes an invitation
(``text/calendar; method=REQUEST`` with the contact as ATTENDEE and the sender as ORGANIZER), so
Outlook and Gmail show Accept / Decline. Claims, parts, records and retries stay the
dispatcher's (:mod:`facilitation.meetings.dispatch`): this port only sends, paced and translated.

**Pacing.** Every message takes a place of a sliding window of ``smtp_rate`` messages a second
(:mod:`bot.ratelimit`), shared by all bot processes on PostgreSQL (the server's limit belongs to
the account, not to a process).

**Failures.** A temporary answer (4xx), a dropped connection or a timeout is retried here with
exponential back-off (``retries`` times), then raised as :class:`TemporaryFailure`: the
dispatcher retries the reminder later. A permanent answer (5xx) to the recipient or the message
is :class:`ChatGone`: the delivery stops, is recorded as failed and the facilitators are told
once. A permanent refusal of our own login or sender address is a configuration error: logged
(once per minute) and raised as :class:`ChatRefused`, so reminders are retried later and not
given up as if the contacts were gone.

**Privacy.** The recipient's address appears in no log line, exception message or stored error:
errors are rebuilt from the reply code alone (the library's own messages quote the address).
Message-IDs are keyed hashes, so a message sent again after a lost answer has the same
Message-ID as the first (servers and clients drop such duplicates). A reminder's part is named by
the dispatcher's token (:func:`facilitation.ports.delivering`): its Message-ID is a keyed hash of
that token alone (no address in it), so a re-send after a crash, by whichever process, from a
text that changed meanwhile ("in 2 hours" after a catch-up), still carries the first one's id.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import logging
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import aiosmtplib
from icalendar import Calendar, vCalAddress, vText

from bot.ratelimit import SharedWindow, SlidingWindow
from facilitation.clock import utc_now
from facilitation.meetings.links import FORGET, LINK_PATH, STOP, STOP_PATH, RsvpLinks, StopLinks
from facilitation.ports import (
    Attachment,
    ButtonEvent,
    ChatGone,
    ChatRef,
    ChatRefused,
    GoneReason,
    Keyboard,
    MessageRef,
    PortDefaults,
    TemporaryFailure,
    delivery_token,
)

log = logging.getLogger(__name__)

PLATFORM = "email"  # the contacts' platform name (the package is bot.mail: "email" is the standard library)
SUBJECT_LENGTH = 150
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send (from the ``smtp_*`` settings; the password is never printed)."""

    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    sender: str
    sender_name: str = "Dialogbot"
    user: str = ""
    password: str = ""
    rate: float = 5.0  # messages per second
    connections: int = 2  # SMTP connections kept open (messages in flight at once)
    retries: int = 3  # retries of a temporary failure here, before the dispatcher's later retry
    backoff: float = 1.0  # seconds before the first retry; doubled each time
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None  # None: the system's trusted certificates

    def __repr__(self) -> str:  # never the password, nor the account
        return f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r})"


def window_for(rate: float) -> tuple[int, float]:
    """``rate`` messages/s as a sliding window of (places, seconds): 5/s → (5, 1.0), 0.5/s → (1, 2.0)."""
    places = max(1, round(rate))
    return places, places / rate


class _SmtpAnswer(Exception):
    """An SMTP reply code, without the server's text (it may quote the address)."""

    def __init__(self, code: int, stage: str) -> None:
        super().__init__(f"SMTP {code} ({stage})")
        self.code = code
        self.stage = stage


def _classify(exc: BaseException) -> _SmtpAnswer | None:
    """The reply code and stage of an aiosmtplib error; None for a connection failure."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients] or [550]
        return _SmtpAnswer(max(codes), "recipient")
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return _SmtpAnswer(exc.code, "recipient")
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPConnectError):
        return None
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return _SmtpAnswer(exc.code, "login")
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return _SmtpAnswer(exc.code, "sender")
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return _SmtpAnswer(exc.code, "message")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _SmtpAnswer(exc.code, "session")
    return None


class EmailPort(PortDefaults):
    """Sends reminders and calendar invitations by e-mail; ``chat.chat_id`` is the address."""

    platform = PLATFORM

    def __init__(
        self,
        config: SmtpConfig,
        *,
        links: RsvpLinks | None = None,
        stop_links: StopLinks | None = None,
        public_url: str = "",
        shared: tuple[object, str] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """``links`` and ``public_url``: how answer buttons become links (none without both).
        ``stop_links``: the "Sluta få påminnelser" / "Glöm mig" links and the ``List-Unsubscribe``
        header of every reminder and invitation (none without ``public_url``).
        ``shared``: the places and budget key of the rate shared with other processes (PostgreSQL)."""
        self.config = config
        self.links = links if public_url else None
        self.stop_links = stop_links if public_url else None
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        places, period = window_for(config.rate)
        self.window: SlidingWindow | SharedWindow = (
            SharedWindow(shared[0], shared[1], places, period)  # type: ignore[arg-type]
            if shared is not None
            else SlidingWindow(places, period)
        )
        self._idle: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(max(1, config.connections)):
            self._idle.put_nowait(None)
        self._domain = config.sender.rpartition("@")[2] or "dialogbot"
        self._key = hashlib.sha256(f"message-id\x1f{config.sender}\x1f{config.password}".encode()).digest()
        self._config_warned = 0.0
        self.sent = 0  # messages the server accepted (for the bench and tests)

    # --- ChatPort -----------------------------------------------------------------------------
    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        message = self.reminder_message(chat.chat_id, text, buttons)
        return MessageRef(chat, await self._send(message, chat.chat_id))

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        if attachment.mime_type == "text/calendar":
            message = self.invitation_message(chat.chat_id, attachment)
        else:
            message = self._base(chat.chat_id, attachment.caption or attachment.filename, attachment.data)
            message.set_content(attachment.caption or attachment.filename)
            maintype, _, subtype = attachment.mime_type.partition("/")
            message.add_attachment(
                attachment.data,
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
        return MessageRef(chat, await self._send(message, chat.chat_id))

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        return await self.send_file(chat, Attachment(filename, png, "image/png", caption=caption))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        raise ChatRefused("an e-mail cannot be edited once sent")

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        return None  # answers come back through the links' web page, not as presses

    def edit_interval(self, chat: ChatRef) -> float:
        return 3600.0

    async def aclose(self) -> None:
        """Close the open SMTP connections (QUIT)."""
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.quit(), 5)
                client.close()
        for _ in range(max(1, self.config.connections)):
            self._idle.put_nowait(None)

    # --- messages -----------------------------------------------------------------------------
    def _message_id(self, *parts: str | bytes) -> str:
        digest = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
            digest.update(b"\x1f")
        return f"<{digest.hexdigest()[:40]}@{self._domain}>"

    def _base(self, to: str, subject: str, *identity: str | bytes) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self.config.sender_name, self.config.sender))
        message["To"] = to
        message["Subject"] = " ".join(subject.split())[:SUBJECT_LENGTH]
        message["Date"] = formatdate(usegmt=True)
        token = delivery_token()
        if token is not None:  # a reminder's part: the same Message-ID in every attempt and process
            message["Message-ID"] = self._message_id("delivery", token)
        else:
            message["Message-ID"] = (
                self._message_id(to, *identity) if identity else self._message_id(to, str(time.time_ns()))
            )
        message["Auto-Submitted"] = "auto-generated"
        return message

    def link_of(self, data: str) -> str | None:
        """The one-click link of a button, or None when links cannot be made (no ``public_url``)."""
        if self.links is None:
            return None
        return f"{self.public_url}{LINK_PATH}{self.links.token(data, self.clock())}"

    def reminder_message(self, to: str, text: str, buttons: Keyboard | None = None) -> EmailMessage:
        """The reminder in plain text and HTML; each button a signed link."""
        links = [(b.label, self.link_of(b.data)) for row in buttons or [] for b in row]
        linked = [(label, url) for label, url in links if url]
        identity = [b.data for row in buttons or [] for b in row] or [text]
        message = self._base(to, text.splitlines()[0] if text else "", "reminder", *identity)
        plain = text
        if linked:
            plain += "\n\n" + "\n".join(f"{label}: {url}" for label, url in linked)
        stop = self._stop_links(message, to)
        message.set_content(plain + "\n" + _stop_plain(stop))
        paragraphs = "".join(
            f"<p>{_linkify(html.escape(block)).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n")
        )
        buttons_html = " ".join(
            f'<a href="{html.escape(url)}" style="display:inline-block;padding:10px 18px;margin:4px;'
            f'border-radius:4px;background:#1a5e9a;color:#ffffff;text-decoration:none;font-weight:bold">'
            f"{html.escape(label)}</a>"
            for label, url in linked
        )
        body = paragraphs + (f"<p>{buttons_html}</p>" if buttons_html else "") + _stop_html(stop)
        message.add_alternative(
            '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
            f'<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.4">{body}</body></html>',
            subtype="html",
        )
        return message

    def invitation_message(self, to: str, attachment: Attachment) -> EmailMessage:
        """A calendar invitation: the event as ``METHOD:REQUEST`` (``CANCEL`` stays a cancellation)
        with the contact as ATTENDEE, so the mail client offers Accept / Decline."""
        calendar = Calendar.from_ical(attachment.data)
        method = str(calendar.get("method", "PUBLISH")).upper()
        method = "CANCEL" if method == "CANCEL" else "REQUEST"
        calendar.pop("method", None)
        calendar.add("method", method)
        description = ""
        identity = [method]
        for event in calendar.walk("VEVENT"):
            # what makes this invitation this one (not DTSTAMP, which differs at every rendering)
            identity += [str(event.get(name, "")) for name in ("uid", "sequence")]
            identity += [event.decoded(name).isoformat() for name in ("dtstart", "dtend") if name in event]
            organizer = vCalAddress(f"mailto:{self.config.sender}")
            organizer.params["cn"] = vText(self.config.sender_name)
            event.pop("organizer", None)
            event.add("organizer", organizer)
            attendee = vCalAddress(f"mailto:{to}")
            attendee.params.update(
                {
                    "role": "REQ-PARTICIPANT",
                    "partstat": "NEEDS-ACTION",
                    "rsvp": "TRUE",
                    "cutype": "INDIVIDUAL",
                }
            )
            event.pop("attendee", None)
            event.add("attendee", attendee)
            if "sequence" not in event:
                event.add("sequence", 0)
            if method == "CANCEL":
                event.pop("status", None)
                event.add("status", "CANCELLED")
            description = description or str(event.get("description", ""))
        data = calendar.to_ical()
        message = self._base(to, attachment.caption or attachment.filename, "invitation", *identity)
        stop = self._stop_links(message, to)
        message.set_content(
            "\n\n".join(filter(None, [attachment.caption, description])) + "\n" + _stop_plain(stop)
        )
        message.add_alternative(
            data.decode("utf-8"), subtype="calendar", params={"method": method, "name": "invite.ics"}
        )
        message.add_attachment(data, maintype="application", subtype="ics", filename=attachment.filename)
        message["Content-Class"] = "urn:content-classes:calendarmessage"  # Outlook: show it as an invitation
        return message

    def _stop_links(self, message: EmailMessage, to: str) -> tuple[str, str] | None:
        """The stop and forget links for ``to``, with the RFC 8058 headers on ``message``
        (a mail client's "Unsubscribe" POSTs the stop link); None when links cannot be made."""
        if self.stop_links is None:
            return None
        now = self.clock()
        stop, forget = (
            f"{self.public_url}{STOP_PATH}{self.stop_links.token(action, to, now)}"
            for action in (STOP, FORGET)
        )
        message["List-Unsubscribe"] = f"<{stop}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return stop, forget

    # --- other messages (bulk invitations: bot/mail/invitations.py) ---------------------------
    def plain_message(self, to: str, subject: str, text: str, *identity: str | bytes) -> EmailMessage:
        """A plain-text message from the configured sender; ``identity``: what makes it this one
        (its Message-ID is a keyed hash of it, so the same message sent again keeps its id)."""
        message = self._base(to, subject, *identity)
        message.set_content(text)
        return message

    async def send_message(self, message: EmailMessage, to: str) -> str:
        """Send ``message`` with this port's connections, pacing and retries; the Message-ID, or
        :class:`ChatGone` (5xx), :class:`TemporaryFailure` (4xx after the retries), :class:`ChatRefused`."""
        return await self._send(message, to)

    # --- sending ------------------------------------------------------------------------------
    async def _connect(self) -> aiosmtplib.SMTP:
        config = self.config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.security == "ssl",
            start_tls=config.security == "starttls",
            tls_context=config.tls_context,
            timeout=config.timeout,
            local_hostname=self._domain,
        )
        try:
            await client.connect()
            if config.user:
                await client.login(config.user, config.password)
        except BaseException:
            client.close()
            raise
        return client

    async def _send(self, message: EmailMessage, to: str) -> str:
        """Send ``message`` to ``to`` once the server accepts it; the Message-ID, or a port error."""
        attempt = 0
        while True:
            try:
                async with self.window.slot():
                    await self._send_once(message, to)
                self.sent += 1
                return str(message["Message-ID"])
            except _SmtpAnswer as answer:
                if 500 <= answer.code < 600:
                    raise self._permanent(answer) from None
                failure: Exception = answer
            except aiosmtplib.SMTPNotSupported:  # no STARTTLS or no login offered: our configuration
                raise self._permanent(_SmtpAnswer(500, "session")) from None
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                failure = exc
            attempt += 1
            reason = str(failure) if isinstance(failure, _SmtpAnswer) else type(failure).__name__
            if attempt > self.config.retries:
                log.warning("e-mail: a message failed %d times (%s); it is retried later", attempt, reason)
                raise TemporaryFailure(f"SMTP: {reason}") from None
            wait = self.config.backoff * 2 ** (attempt - 1)
            log.info("e-mail: temporary failure (%s); retry %d in %.1f s", reason, attempt, wait)
            await asyncio.sleep(wait)

    async def _send_once(self, message: EmailMessage, to: str) -> None:
        """One try on a pooled connection (opened, secured and logged in on first use). A
        connection is kept after a refusal the server answered (aiosmtplib resets the session)
        and dropped after anything else."""
        client = await self._idle.get()
        keep = False
        try:
            if client is None or not client.is_connected:
                if client is not None:
                    client.close()
                client = None
                client = await self._connect()
            errors, _reply = await client.send_message(message, sender=self.config.sender, recipients=[to])
            keep = True
            if errors:  # one recipient only: refused means the whole message was
                raise _SmtpAnswer(max(code for code, _text in errors.values()), "recipient")
        except aiosmtplib.SMTPException as exc:
            answer = _classify(exc)
            if answer is None:
                raise
            keep = client is not None and client.is_connected and answer.code != 421
            raise answer from None
        finally:
            if not keep and client is not None:
                client.close()
                client = None
            self._idle.put_nowait(client)

    def _permanent(self, answer: _SmtpAnswer) -> Exception:
        if answer.stage in ("recipient", "message"):
            log.warning(
                "e-mail: the server refused a message for good (%s); its contact is unreachable", answer
            )
            return ChatGone(
                GoneReason.ADDRESS_REFUSED if answer.stage == "recipient" else GoneReason.MAIL_REFUSED
            )
        if time.monotonic() - self._config_warned > 60:
            self._config_warned = time.monotonic()
            log.error(
                "e-mail: the SMTP server refused %s (%s): check smtp_user, smtp_password and smtp_from; "
                "reminders by e-mail are retried later",
                {"login": "the login", "sender": "the sender address"}.get(answer.stage, "the session"),
                answer,
            )
        return ChatRefused(f"SMTP {answer.code} ({answer.stage})")


# The contact's language is not known here (the port gets the text), so the footer says both.
_STOP_LABEL = "Sluta få påminnelser (Stop reminders)"
_FORGET_LABEL = "Glöm mig (Forget me)"


def _stop_plain(links: tuple[str, str] | None) -> str:
    if links is None:
        return ""
    return f"\n-- \n{_STOP_LABEL}: {links[0]}\n{_FORGET_LABEL}: {links[1]}\n"


def _stop_html(links: tuple[str, str] | None) -> str:
    if links is None:
        return ""
    stop, forget = (html.escape(url) for url in links)
    return (
        '<p style="font-size:12px;color:#666666;margin-top:2em">'
        f'<a href="{stop}" style="color:#666666">{html.escape(_STOP_LABEL)}</a> · '
        f'<a href="{forget}" style="color:#666666">{html.escape(_FORGET_LABEL)}</a></p>'
    )


def _linkify(escaped: str) -> str:
    """Web addresses in already escaped text as links."""
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
