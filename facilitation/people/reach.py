"""Sealed addresses: how the bot can reach a participant privately without storing who they are.

Answers are stored under pseudonymous keys, so on its own the bot cannot write to anyone. To
remind those who joined a workshop but have not answered a round before it closes itself, the
bot keeps, per participant and workshop, the private address it may write to (platform, user id,
chat id) **sealed**: encrypted with AES-GCM under a key derived (HKDF-SHA256) from the
installation's secret, beside a keyed *tag* (an HMAC of the participant's key in that workshop)
by which the bot finds the row again to stop, resume or forget it. A copy of the database
without the secret holds neither an address nor anything that links the row to the answers:
the tag is a keyed hash of a keyed hash, and the ciphertext is bound to its workshop and tag
(associated data), so it cannot be moved to another row either.

A person who says ``/stoppa`` keeps only the tag and the word "stopped" (so joining again does
not seal the address again); ``/glom`` deletes the row; sealed addresses expire
:data:`RETENTION` after they were last sealed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from facilitation.ports import ChatRef

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

RETENTION = timedelta(days=60)  # as far ahead as a deadline may be set (deadlines.MAX_AHEAD)
_NONCE = 12


@dataclass(frozen=True)
class Address:
    """Where a participant is reached privately, and who they are there (to derive their key)."""

    platform: str
    user_id: str
    chat_id: str

    @property
    def chat(self) -> ChatRef:
        return ChatRef(self.platform, self.chat_id, is_private=True)


@dataclass(frozen=True)
class SealedRow:
    """One stored row: its id, workshop, tag and sealed address (None once stopped)."""

    id: int
    workshop_id: int
    tag: str
    sealed: str | None


class Sealer:
    """Seals and opens addresses, and makes tags, with keys derived from the installation's secret."""

    def __init__(self, secret: str) -> None:
        raw = secret.encode("utf-8")
        self._raw = raw
        self._cipher: AESGCM | None = None
        self._tag_key = hmac.new(raw, b"dialogbot reach tags v1", hashlib.sha256).digest()

    @property
    def _aead(self) -> AESGCM:
        """The AES-GCM key, derived when an address is first sealed or opened: cryptography (about
        6 MiB) is loaded then, not when the bot starts (most of its life no address is sealed)."""
        if self._cipher is None:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            from cryptography.hazmat.primitives.kdf.hkdf import HKDF

            self._cipher = AESGCM(
                HKDF(
                    algorithm=hashes.SHA256(), length=32, salt=None, info=b"dialogbot sealed addresses v1"
                ).derive(self._raw)
            )
        return self._cipher

    def tag(self, participant_key: str) -> str:
        """The row's keyed tag, from the person's key in the workshop (itself a keyed hash)."""
        return hmac.new(self._tag_key, participant_key.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def seal(self, address: Address, workshop_id: int, tag: str) -> str:
        nonce = os.urandom(_NONCE)
        plain = json.dumps([address.platform, address.user_id, address.chat_id]).encode("utf-8")
        sealed = self._aead.encrypt(nonce, plain, _bound_to(workshop_id, tag))
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, workshop_id: int, tag: str) -> Address | None:
        """The address, or None if the row was altered, moved or sealed under another secret."""
        from cryptography.exceptions import InvalidTag  # loaded with the key (see _aead)

        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            plain = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(workshop_id, tag))
            platform, user_id, chat_id = json.loads(plain.decode("utf-8"))
        except (InvalidTag, ValueError, TypeError):
            return None
        return Address(str(platform), str(user_id), str(chat_id))


def _bound_to(workshop_id: int, tag: str) -> bytes:
    return f"{int(workshop_id)}\x1f{tag}".encode()


class ReachStore(Protocol):
    """Where sealed addresses are kept, shared by every bot process."""

    async def keep(self, workshop_id: int, tag: str, sealed: str, at: datetime) -> bool:
        """Keep (or renew) the sealed address of ``tag`` in the workshop; False (nothing kept) when
        the person said ``/stoppa``."""
        ...

    async def rows(self, workshop_id: int) -> list[SealedRow]:
        """The workshop's rows that hold a sealed address."""
        ...

    async def rows_of(self, tags: Sequence[str]) -> list[SealedRow]:
        """The rows (sealed or stopped) with one of ``tags``."""
        ...

    async def stop(self, tags: Sequence[str]) -> int:
        """The rows of ``tags`` keep only their tag, marked stopped; how many held an address."""
        ...

    async def resume(self, row_id: int, sealed: str, at: datetime) -> None:
        """A stopped row holds ``sealed`` again."""
        ...

    async def claim(self, row_id: int, round_id: int) -> bool:
        """Mark the row reminded of ``round_id``; True only for the one caller that marked it first."""
        ...

    async def drop(self, row_id: int) -> None:
        """The address is gone for good (the chat no longer exists)."""
        ...

    async def forget(self, tags: Sequence[str]) -> int:
        """Delete the rows of ``tags`` (the person asked to be forgotten)."""
        ...

    async def expire(self, before: datetime) -> int:
        """Delete the sealed addresses last sealed before ``before``."""
        ...
