"""Co-facilitators: invited for one workshop or one process, removable, listed by ``/processledare``.

The configuration's facilitator list stays the administrators: they lead everywhere, also the
process-wide commands. A co-facilitator leads the commands about a workshop (those a group's
admin may lead in the room it was created in: ``room_admins``) in every chat bound to a workshop
they co-lead (that workshop, or any workshop of the process they co-lead).

An invitation is signed like a contact person's (:mod:`facilitation.meetings.invitation`):
``<w|p><workshop id>_<expiry>_<nonce>_<signature>`` in base 36, the signature an HMAC under the
installation's secret over the scope, the workshop, the expiry and the nonce, so it cannot be
forged or altered; it expires (:data:`INVITE_LIFETIME`) and is good for one person: its
signature is recorded when accepted (:meth:`CoLeaderStore.accept`), a replay is refused. It fits
a Telegram deep link ``t.me/<bot>?start=l-<code>``.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from facilitation.meetings.invitation import BASE36_DIGITS, base36
from facilitation.pseudonym import Pseudonymizer

INVITE_PREFIX = "l-"
INVITE_LIFETIME = timedelta(days=7)
SIGNATURE_LENGTH = 16
_CODE = re.compile(r"^([wp])([0-9a-z]{1,12})_([0-9a-z]{1,12})_([0-9a-z]{6})_([A-Za-z0-9_-]{16})$")


class InvitationRefused(Exception):
    """``reason``: ``invalid`` (malformed, forged, altered), ``expired`` or ``used``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Scope(StrEnum):
    WORKSHOP = "w"
    PROCESS = "p"


def scope_key(scope: Scope, workshop_id: int, process_key: str) -> str:
    """What a co-facilitator row is stored under: ``w:<workshop id>`` or ``p:<process key>``."""
    return f"w:{workshop_id}" if scope == Scope.WORKSHOP else f"p:{process_key}"


@dataclass(frozen=True)
class CoLeadInvitation:
    """An invitation to co-lead workshop ``workshop_id`` (or its whole process) until ``expires``."""

    scope: Scope
    workshop_id: int
    expires: datetime
    nonce: str

    @classmethod
    def new(
        cls, scope: Scope, workshop_id: int, now: datetime, lifetime: timedelta = INVITE_LIFETIME
    ) -> CoLeadInvitation:
        minute = int((now + lifetime).timestamp()) // 60
        nonce = "".join(secrets.choice(BASE36_DIGITS) for _ in range(6))
        return cls(scope, workshop_id, datetime.fromtimestamp(minute * 60, UTC), nonce)

    @classmethod
    def read(cls, code: str) -> tuple[CoLeadInvitation, str]:
        """The invitation a code claims to be and its signature, *not yet verified*."""
        text = code.strip()
        if text.startswith(INVITE_PREFIX):
            text = text[len(INVITE_PREFIX) :]
        match = _CODE.match(text) if len(text) <= 60 else None
        if match is None:
            raise InvitationRefused("invalid")
        try:
            expires = datetime.fromtimestamp(int(match.group(3), 36) * 60, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvitationRefused("invalid") from None
        return cls(Scope(match.group(1)), int(match.group(2), 36), expires, match.group(4)), match.group(5)

    def _payload(self, process_key: str) -> str:
        minute = int(self.expires.timestamp()) // 60
        return f"co-lead:{self.scope.value}:{self.workshop_id}:{process_key}:{minute}:{self.nonce}"

    def code(self, signer: Pseudonymizer, process_key: str) -> str:
        minute = int(self.expires.timestamp()) // 60
        signature = signer.sign(self._payload(process_key), SIGNATURE_LENGTH)
        return f"{self.scope.value}{base36(self.workshop_id)}_{base36(minute)}_{self.nonce}_{signature}"

    def verify(self, signature: str, signer: Pseudonymizer, process_key: str, now: datetime) -> None:
        """Raise :class:`InvitationRefused` unless genuine and unexpired (the signature is checked first,
        so only a genuine code is ever told it has expired)."""
        expected = signer.sign(self._payload(process_key), SIGNATURE_LENGTH)
        if not hmac.compare_digest(signature.encode("ascii"), expected.encode("ascii")):
            raise InvitationRefused("invalid")
        if now >= self.expires:
            raise InvitationRefused("expired")


@dataclass(frozen=True)
class CoLeader:
    """One co-facilitator as listed: row id, scope key, platform, name."""

    id: int
    scope: str
    platform: str
    user_key: str
    name: str


class Accepted(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # the person co-leads this scope already (the invitation stays unused)
    USED = "used"  # the invitation was accepted before


class CoLeaderStore(Protocol):
    """Co-facilitators and used invitations, shared by every bot process."""

    async def accept(
        self, signature: str, scope: str, platform: str, user_key: str, name: str, at: datetime
    ) -> Accepted:
        """Record the invitation as used and the person as co-facilitator of ``scope``, in one
        transaction: an invitation is accepted once, also by two people at the same moment."""
        ...

    async def co_leaders(self, scopes: list[str]) -> list[CoLeader]:
        """The co-facilitators of any of ``scopes``, in the order they were added."""
        ...

    async def leads(self, user_key: str, scopes: list[str]) -> bool:
        """Whether ``user_key`` co-leads one of ``scopes``."""
        ...

    async def remove(self, co_leader_id: int) -> CoLeader | None:
        """Remove one co-facilitator; the removed one, None if there was none."""
        ...


class MemoryCoLeaders:
    """:class:`CoLeaderStore` in memory (domain tests)."""

    def __init__(self) -> None:
        self.rows: list[CoLeader] = []
        self.used: set[str] = set()
        self._next = 1

    async def accept(
        self, signature: str, scope: str, platform: str, user_key: str, name: str, at: datetime
    ) -> Accepted:
        if signature in self.used:
            return Accepted.USED
        if any(r.scope == scope and r.user_key == user_key for r in self.rows):
            return Accepted.ALREADY
        self.used.add(signature)
        self.rows.append(CoLeader(self._next, scope, platform, user_key, name))
        self._next += 1
        return Accepted.ADDED

    async def co_leaders(self, scopes: list[str]) -> list[CoLeader]:
        return [r for r in self.rows if r.scope in scopes]

    async def leads(self, user_key: str, scopes: list[str]) -> bool:
        return any(r.user_key == user_key and r.scope in scopes for r in self.rows)

    async def remove(self, co_leader_id: int) -> CoLeader | None:
        found = next((r for r in self.rows if r.id == co_leader_id), None)
        if found is not None:
            self.rows.remove(found)
        return found
