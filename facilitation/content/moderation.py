"""What a proposal's text may be, and which proposals look alike.

Refused, each with its own clear answer: empty text, text with characters nobody sees
(control characters, zero-width or writing-direction overrides such as U+202E, which make a
text read differently from what is stored), text with fewer than two letters (only emoji,
digits or punctuation), text longer than the list allows, and text with a word of the small
word list below.

The word list is deliberately small and crude: a handful of common Swedish and English swear
words and slurs, matched as whole words (and a few Swedish stems at a word's start, for
compounds such as "skitdåligt"). It catches the obvious; it is no filter of opinions, and the
facilitator's moderation (accept or reject) is what decides what reaches a round.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from facilitation.content.editing import clean_text
from facilitation.content.model import TEXT_LIMIT
from facilitation.errors import DomainError
from facilitation.input_rules import has_hidden_characters

#: Whole words refused (lower case; Swedish and English).
OFFENSIVE_WORDS = frozenset(
    {
        # Swedish
        "jävla",
        "jävlar",
        "javla",
        "helvete",
        "fitta",
        "fittor",
        "kuk",
        "kukar",
        "hora",
        "horor",
        "mongo",
        "cp-skada",
        "neger",
        "negrer",
        "blatte",
        "blattar",
        "idiot",
        "idioter",
        "kärring",
        # English
        "fuck",
        "fucking",
        "fucked",
        "shit",
        "bullshit",
        "bitch",
        "cunt",
        "asshole",
        "bastard",
        "retard",
        "retarded",
        "nigger",
        "faggot",
        "whore",
        "slut",
    }
)
#: Swedish stems refused at a word's start (compounds: "skitsnack", "jävlaskap", "fittig").
OFFENSIVE_STEMS = ("skit", "jävl", "fitt", "horunge")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch).startswith("L"))


def is_offensive(text: str) -> bool:
    """Whether ``text`` holds a word of the list (see the module's docstring)."""
    for word in _WORD.findall(unicodedata.normalize("NFC", text).casefold()):
        if word in OFFENSIVE_WORDS or word.startswith(OFFENSIVE_STEMS):
            return True
    return False


def check_proposal(text: str, catalogue: str) -> str:
    """The proposal's text as it is stored (blank runs made one space); DomainError if refused."""
    text = re.sub(r"[\t\n\r]", " ", text)  # line breaks and tabs typed in a message are blank space
    if has_hidden_characters(text):
        raise DomainError("proposal.error.hidden")
    cleaned = clean_text(unicodedata.normalize("NFC", text))
    if not cleaned:
        raise DomainError("proposal.error.empty")
    if len(cleaned) > TEXT_LIMIT[catalogue]:
        raise DomainError("proposal.error.too_long", limit=TEXT_LIMIT[catalogue], length=len(cleaned))
    if letters(cleaned) < 2:
        raise DomainError("proposal.error.no_words")
    if is_offensive(cleaned):
        raise DomainError("proposal.error.offensive")
    return cleaned


def normalised(text: str) -> str:
    """What two proposals that say the same share: letters and digits, lower case, one space."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold()))


def likeness(a: str, b: str) -> float:
    """How alike two proposals are, 0–1: the larger of the words they share (of the shorter) and
    their characters' likeness."""
    first, second = normalised(a), normalised(b)
    if not first or not second:
        return 0.0
    words_a, words_b = set(first.split()), set(second.split())
    shared = len(words_a & words_b) / min(len(words_a), len(words_b))
    return max(shared, SequenceMatcher(None, first, second).ratio())
