"""Telegram adapter on python-telegram-bot v22 (asyncio), sharing the event loop with Slack.

Importing this package imports python-telegram-bot *without its Telegram Passport support*.
PTB treats ``cryptography`` as optional (its ``passport`` extra): ``telegram/_bot.py`` and
``telegram/_passport/credentials.py`` import it inside ``try: ... except ImportError`` only to
decrypt Passport data for a bot made with a ``private_key``. Dialogbot never asks for Passport
data and never passes a private key, but it depends on ``cryptography`` itself (sealed addresses,
:mod:`facilitation.people.reach`, loaded when first used), so PTB found it installed and loaded
its Rust extension at start-up: about 7 MiB of an idle bot's memory for nothing. While
``telegram`` is first imported here, ``cryptography`` therefore counts as not installed; PTB
then behaves as without the extra (a ``private_key`` would be refused). If ``telegram`` or
``cryptography`` was already imported (tests), nothing is changed; if a later PTB needs
``cryptography`` to import at all, it is imported normally.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType


class _PassportUnavailable(MetaPathFinder):
    """Makes ``import cryptography`` fail as if the package were not installed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "cryptography" or fullname.startswith("cryptography."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def _import_telegram_without_passport() -> None:
    if "telegram" in sys.modules or "cryptography" in sys.modules:
        return
    blocker = _PassportUnavailable()
    sys.meta_path.insert(0, blocker)
    try:
        importlib.import_module("telegram")
    except ImportError:
        pass  # a PTB that cannot do without cryptography: imported normally below
    finally:
        sys.meta_path.remove(blocker)
    importlib.import_module("telegram")


_import_telegram_without_passport()
