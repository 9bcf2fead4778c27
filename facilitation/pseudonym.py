"""Pseudonymous keys: what is stored instead of platform user ids.

A key is an HMAC-SHA256 of the platform and id under the installation's secret. Without the
secret the key cannot be linked back to a person; with it, the same person always gets the same
key, so they can change their answer or ask to be forgotten.

Answers are stored under a key of the person *in one workshop*: the same person has unrelated
keys in two workshops, so a copy of the database alone cannot group one person's answers across
workshops and years. With the secret and the platform id every one of them is derived again
(a forget request derives the key for every workshop).
"""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    """Derives stable, unlinkable keys for users and chats."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the pseudonymisation secret must be at least 16 characters")
        self._secret = secret.encode("utf-8")
        # Keyed once: every key derived is a copy of it, not a new key schedule (a browser vote
        # derives several).
        self._keyed = hmac.new(self._secret, digestmod=hashlib.sha256)

    def _digest(self, *parts: str) -> str:
        mac = self._keyed.copy()
        mac.update("\x1f".join(parts).encode("utf-8"))
        return mac.hexdigest()[:32]

    def user_key(self, platform: str, user_id: str) -> str:
        """The key of a person's own settings (their language), never stored beside an answer."""
        return self._digest("participant", platform, str(user_id))

    def participant_key(self, platform: str, user_id: str, workshop_id: int) -> str:
        """The key under which a person's participation and answers in one workshop are stored."""
        return self.workshop_key(self.user_key(platform, user_id), workshop_id)

    def workshop_key(self, user_key: str, workshop_id: int) -> str:
        """A person's key in one workshop, from their :meth:`user_key`.

        Derived from the user key (not from the platform id directly) so that keys stored before
        keys were per workshop - they were user keys - can be re-keyed with the secret alone
        (migration 0011).
        """
        return self._digest("workshop-participant", user_key, str(int(workshop_id)))

    def chat_key(self, platform: str, chat_id: str) -> str:
        """The key under which a chat's bound workshop is stored (private chats are people too)."""
        return self._digest("chat", platform, str(chat_id))

    def press_key(self, platform: str, delivery_id: str) -> str:
        """What is stored of a press already applied, so the same press delivered again is known."""
        return self._digest("press", platform, delivery_id)

    def contact_tombstone(self, platform: str, address: str) -> str:
        """What is kept of a contact person who asked to be forgotten (never equal to a participant key)."""
        return self._digest("forgotten-contact", platform, str(address))

    def sign(self, payload: str, length: int = 8) -> str:
        """A short URL-safe signature of ``payload`` for button data."""
        import base64

        raw = hmac.new(self._secret, b"button\x1f" + payload.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(raw).decode("ascii")[:length]
