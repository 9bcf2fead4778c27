"""Secrets never reach the terminal or a log: tokens and passwords are masked in every line.

The configured secrets (bot tokens, signing and webhook secrets, the database password) are
masked by value once the settings are loaded, and anything shaped like a Telegram bot token, a
Slack token or a password in a URL is masked even before that, so a library's message that
quotes its URL or token cannot leak one.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import UTC, datetime

MASK = "[hidden]"
_PATTERNS = (
    re.compile(
        r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}"
    ),  # Telegram bot token <bot id>:<35 characters>, also in .../bot<token>/...
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


class RedactingJsonFormatter(logging.Formatter):
    """One JSON object per line (for log collectors), each text :func:`redact`-ed before encoding.

    Fields: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and, for an exception,
    ``exception`` (the traceback as text). Redacting before encoding means a masked value can
    never be split by JSON escaping.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_formatter(kind: str) -> logging.Formatter:
    """The formatter of ``log_format``: ``text`` (one readable line) or ``json`` (JSON lines)."""
    return RedactingJsonFormatter() if kind == "json" else RedactingFormatter(TEXT_FORMAT)
