"""Secrets never reach the terminal or a log: tokens and passwords are masked in every line.

The configured secrets (bot tokens, signing and webhook secrets, the database password) are
masked by value once the settings are loaded, and anything shaped like a Telegram bot token, a
Slack token or a password in a URL is masked even before that, so a library's message that
quotes its URL or token cannot leak one.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[hidden]"
_PATTERNS = (
    re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}"),  # Telegram bot token: <bot id>:<35 characters>
    re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{8,}"),  # Slack bot/user/app tokens
    re.compile(r"(?<=://)([^/@:\s]+):[^/@\s]+(?=@)"),  # user:password@ in a URL
)
_MIN_KNOWN_LENGTH = 6  # shorter values would mask ordinary words
_known: set[str] = set()
_lock = threading.Lock()


def remember_secrets(*values: str | None) -> None:
    """Mask these values (settings' tokens and secrets) from now on."""
    with _lock:
        _known.update(v for v in values if v and len(v) >= _MIN_KNOWN_LENGTH)


def redact(text: str) -> str:
    """``text`` with every known secret and token-shaped string masked."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        text = text.replace(value, MASK)
    text = _PATTERNS[0].sub(MASK, text)
    text = _PATTERNS[1].sub(MASK, text)
    return _PATTERNS[2].sub(lambda m: f"{m.group(1)}:{MASK}", text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments and traceback alike) is :func:`redact`-ed."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
