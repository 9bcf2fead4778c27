"""Compact, signed button data that fits Telegram's 64-byte ``callback_data`` and Slack values.

Format: ``<action>.<int>.<int>...~<signature>``. A press whose data was forged, truncated or
made for another installation fails the signature check and changes nothing.
"""

from __future__ import annotations

import hmac
import re

from facilitation.errors import DomainError
from facilitation.pseudonym import Pseudonymizer

MAX_BYTES = 64
_ACTION = re.compile(r"^[a-z]{1,4}$")


class ButtonCodec:
    """Encodes and verifies button data."""

    def __init__(self, pseudonymizer: Pseudonymizer) -> None:
        self._signer = pseudonymizer

    def encode(self, action: str, *numbers: int) -> str:
        """``action`` with integer arguments, signed; raises if it would exceed 64 bytes."""
        if not _ACTION.match(action):
            raise ValueError(f"bad action {action!r}")
        payload = ".".join([action, *(str(int(n)) for n in numbers)])
        data = f"{payload}~{self._signer.sign(payload)}"
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError("button data longer than 64 bytes")
        return data

    @staticmethod
    def action_of(data: str) -> str:
        """The action ``data`` names, not verified: for routing only (:meth:`decode` refuses a forgery)."""
        return data.partition("~")[0].partition(".")[0]

    def decode(self, data: str) -> tuple[str, tuple[int, ...]]:
        """The action and arguments, or :class:`DomainError` ``error.bad_button`` if not genuine."""
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES or "~" not in data:
            raise DomainError("error.bad_button")
        payload, _, signature = data.rpartition("~")
        if not signature.isascii() or not hmac.compare_digest(signature, self._signer.sign(payload)):
            raise DomainError("error.bad_button")
        action, *rest = payload.split(".")
        try:
            numbers = tuple(int(n) for n in rest)
        except ValueError as exc:
            raise DomainError("error.bad_button") from exc
        if not _ACTION.match(action):
            raise DomainError("error.bad_button")
        return action, numbers
