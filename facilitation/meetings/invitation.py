"""Signed invitations that let a contact person register themselves in a private chat.

A Telegram bot can only message someone who has started a chat with it, so a facilitator cannot
simply type in a contact person's chat id: the facilitator hands out an invitation, the contact
person opens it (a deep link ``t.me/<bot>?start=k-<code>``, or ``/kontakt <code>`` in a private
chat) and is registered with exactly the chat the bot can reach.

A code names the signatory by row id and carries its expiry; its HMAC (under the installation's
secret, through :meth:`Pseudonymizer.sign`) also covers the signatory's process and key. So a
code cannot be altered or forged, and a code for a removed signatory cannot register anyone
with a later signatory that happens to reuse the row id.

Format: ``<signatory id>_<expiry>_<signature>`` with the numbers in base 36 (the expiry in
minutes since 1970): only ``[A-Za-z0-9_-]`` and well under 62 characters, so ``k-<code>`` fits
Telegram's deep-link start parameter (at most 64 such characters).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from facilitation.pseudonym import Pseudonymizer

INVITE_PREFIX = "k-"
INVITE_LIFETIME = timedelta(days=14)
SIGNATURE_LENGTH = 16  # 96 bits of HMAC-SHA256
MAX_CODE_LENGTH = 64 - len(INVITE_PREFIX)
_CODE = re.compile(rf"^([0-9a-z]{{1,12}})_([0-9a-z]{{1,12}})_([A-Za-z0-9_-]{{{SIGNATURE_LENGTH}}})$")
BASE36_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class InvitationError(Exception):
    """A refused code; ``reason`` is ``"invalid"`` (malformed, forged, altered) or ``"expired"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def base36(number: int) -> str:
    """``number`` in base 36, as the signed codes (contact and co-facilitator invitations) write numbers."""
    if number < 0:
        raise ValueError("negative number in an invitation")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = BASE36_DIGITS[rest] + digits
        if number == 0:
            return digits


@dataclass(frozen=True)
class Invitation:
    """An invitation to become a contact person of signatory ``signatory_id`` until ``expires``."""

    signatory_id: int
    expires: datetime

    @classmethod
    def new(cls, signatory_id: int, now: datetime, lifetime: timedelta = INVITE_LIFETIME) -> Invitation:
        minute = int((now + lifetime).timestamp()) // 60
        return cls(signatory_id, datetime.fromtimestamp(minute * 60, UTC))

    @classmethod
    def read(cls, code: str) -> tuple[Invitation, str]:
        """The invitation a code claims to be and its signature, *not yet verified*."""
        text = code.strip()
        if text.startswith(INVITE_PREFIX):
            text = text[len(INVITE_PREFIX) :]
        match = _CODE.match(text) if len(text) <= MAX_CODE_LENGTH else None
        if match is None:
            raise InvitationError("invalid")
        signatory_id, minute = int(match.group(1), 36), int(match.group(2), 36)
        try:
            expires = datetime.fromtimestamp(minute * 60, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvitationError("invalid") from None
        return cls(signatory_id, expires), match.group(3)

    def _payload(self, scope: str) -> str:
        # ":" never occurs in button data, so an invitation's signature is never a button's.
        return f"contact-invite:{self.signatory_id}:{int(self.expires.timestamp()) // 60}:{scope}"

    def code(self, signer: Pseudonymizer, scope: str) -> str:
        """The code for the signatory whose ``scope`` is ``"<process>/<signatory key>"``."""
        minute = int(self.expires.timestamp()) // 60
        signature = signer.sign(self._payload(scope), SIGNATURE_LENGTH)
        return f"{base36(self.signatory_id)}_{base36(minute)}_{signature}"

    def verify(self, signature: str, signer: Pseudonymizer, scope: str, now: datetime) -> None:
        """Raise :class:`InvitationError` unless genuine for ``scope`` and not expired at ``now``.

        The signature is checked first, so only a genuine code is ever told it has expired.
        """
        expected = signer.sign(self._payload(scope), SIGNATURE_LENGTH)
        if not hmac.compare_digest(signature.encode("ascii"), expected.encode("ascii")):
            raise InvitationError("invalid")
        if now >= self.expires:
            raise InvitationError("expired")


__all__ = ["INVITE_LIFETIME", "INVITE_PREFIX", "Invitation", "InvitationError"]
