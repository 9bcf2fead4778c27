"""Bulk invitations by e-mail (``dialogbot contacts invite --csv FILE``): each invitation as one
plain-text e-mail, through the same SMTP settings, connections, pacing and retries as reminders
(:class:`bot.mail.port.EmailPort`). The texts are the domain's
(:func:`facilitation.meetings.bulk_invite.invitation_email`).

Failures are the port's: a 4xx is retried with back-off, then :class:`TemporaryFailure`; a 5xx is
:class:`ChatGone`; :func:`facilitation.meetings.bulk_invite.deliver` reports them by line. The
address is in no log line or error (the port rebuilds errors from the reply code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.mail.port import EmailPort
from bot.mail.wiring import smtp_config
from facilitation.meetings.bulk_invite import IssuedInvitation, invitation_email
from facilitation.model import Language

if TYPE_CHECKING:
    from config.settings import Settings


class InvitationEmails:
    """An :class:`~facilitation.meetings.bulk_invite.InvitationMailer` over an :class:`EmailPort`."""

    def __init__(
        self, port: EmailPort, language: Language | str = Language.SV, bot_username: str | None = None
    ):
        self.port = port
        self.language = Language(language)
        self.bot_username = bot_username

    async def send_invitation(self, invitation: IssuedInvitation) -> None:
        to = invitation.request.email
        subject, text = invitation_email(invitation, self.language, self.bot_username)
        # the same invitation sent again (a lost answer) keeps its Message-ID
        message = self.port.plain_message(to, subject, text, "contact-invitation", invitation.code)
        await self.port.send_message(message, to)

    async def aclose(self) -> None:
        await self.port.aclose()


def invitation_emails(
    settings: Settings, language: Language | str = Language.SV, bot_username: str | None = None
) -> InvitationEmails | None:
    """The mailer of the ``smtp_*`` settings; None when e-mail is not set up (no ``smtp_host``)."""
    if not settings.smtp_host:
        return None
    from bot.redaction import remember_secrets

    config = smtp_config(settings)
    remember_secrets(config.password)
    return InvitationEmails(EmailPort(config), language, bot_username)
