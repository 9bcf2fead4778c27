"""What typed input may be: whole numbers the database can hold, text without invisible characters.

Numbers come from command arguments (round numbers, budgets, scale steps, statement selections):
only ASCII digits count (``"²".isdigit()`` is true, ``int("²")`` fails) and never more than a
database INTEGER holds, so a huge or odd number is a clear refusal instead of a database error.

Titles and items are shown to a whole room and stored: control characters (a NUL byte fails on
PostgreSQL), zero-width characters and the characters that turn the writing direction make a
text read differently from what is stored, or look empty. They are refused, except the zero-width
joiner inside an emoji sequence (👨‍👩‍👧), which draws one visible picture.
"""

from __future__ import annotations

import re
import unicodedata

MAX_ID = 2**31 - 1  # the largest id (or number) an INTEGER column of SQLite and PostgreSQL both hold
_DIGITS = re.compile(r"[0-9]{1,10}")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls, formatting, surrogates, separators
_ZERO_WIDTH_JOINER = "\u200d"
_VARIATION_SELECTOR_16 = "\ufe0f"


def whole_number(text: str) -> int | None:
    """``text`` as a whole number of at most 10 ASCII digits, else None (the caller refuses it)."""
    return int(text) if _DIGITS.fullmatch(text) else None


def id_number(text: str) -> int | None:
    """``text`` (``12`` or ``#12``) as an id a database row can have, else None."""
    number = whole_number(text.removeprefix("#"))
    return number if number is not None and 1 <= number <= MAX_ID else None


def has_hidden_characters(text: str) -> bool:
    """Whether ``text`` holds a character nobody sees (see the module's docstring)."""
    for index, char in enumerate(text):
        if unicodedata.category(char) in _HIDDEN_CATEGORIES and not _joins_emoji(text, index):
            return True
    return False


def _joins_emoji(text: str, index: int) -> bool:
    """A zero-width joiner between two pictographs (the first may carry a variation selector)."""
    if text[index] != _ZERO_WIDTH_JOINER or not 0 < index < len(text) - 1:
        return False
    before = text[index - 1]
    if before == _VARIATION_SELECTOR_16 and index > 1:
        before = text[index - 2]
    return unicodedata.category(before) == "So" and unicodedata.category(text[index + 1]) == "So"
