"""Signed, expiring tokens for the web pages: links, the device cookie, CSRF and form tokens.

Every token is ``payload.expiry.signature`` with an HMAC-SHA256 under a key derived from the
installation's secret and a purpose, so a token made for one purpose (a screen link) is no
token for another (a join link, a form).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable


class Signer:
    """Signs and checks tokens of every purpose with keys derived from one secret."""

    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        self._root = hashlib.sha256(b"dialogbot-web\0" + secret.encode()).digest()
        self.clock = clock
        self._keyed: dict[str, hmac.HMAC] = {}

    def _mac(self, purpose: str, message: str) -> str:
        # A copy of the purpose's keyed HMAC, not hmac.digest(): the one-shot function lets go of
        # the GIL for every token, however short, and the event loop then waits for it behind the
        # database threads (a third of a browser vote's time under load, seen with py-spy); an
        # update of a few bytes keeps it.
        keyed = self._keyed.get(purpose)
        if keyed is None:
            key = hmac.new(self._root, purpose.encode(), hashlib.sha256).digest()
            keyed = self._keyed[purpose] = hmac.new(key, digestmod=hashlib.sha256)
        mac = keyed.copy()
        mac.update(message.encode())
        return base64.urlsafe_b64encode(mac.digest()[:18]).decode()

    def sign(self, purpose: str, payload: str, seconds: float) -> str:
        """``payload`` (no dots) signed for ``purpose``, valid for ``seconds`` from now."""
        expiry = int(self.clock() + seconds)
        return f"{payload}.{expiry}.{self._mac(purpose, f'{payload}.{expiry}')}"

    def check(self, purpose: str, token: str) -> tuple[str | None, str]:
        """(payload, "") for a good token; (None, why) with why "forged" or "expired"."""
        payload, _, rest = token.rpartition(".")
        payload, _, expiry = payload.rpartition(".")
        if not payload or not expiry.isdigit() or len(token) > 512:
            return None, "forged"
        if not hmac.compare_digest(self._mac(purpose, f"{payload}.{expiry}"), rest):
            return None, "forged"
        if int(expiry) < self.clock():
            return None, "expired"
        return payload, ""

    def tag(self, purpose: str, payload: str) -> str:
        """A MAC of ``payload`` that does not expire (the CSRF token of a device)."""
        return self._mac(purpose, payload)

    def matches(self, purpose: str, payload: str, tag: str) -> bool:
        return hmac.compare_digest(self._mac(purpose, payload), tag)
