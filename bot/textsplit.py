"""Long texts cut into pieces a platform accepts, at line ends, so nothing is lost.

Every platform caps a message (Telegram 4096 characters, a Slack section 3000); a result text of
30 long statements and the sector ranking is longer. Cutting between lines keeps every line
whole; only a single line longer than the limit is cut inside, at a space where there is one.
"""

from __future__ import annotations

from collections.abc import Callable

Measure = Callable[[str], int]


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: a character outside the BMP (most emoji) counts twice.

    Telegram counts entity offsets this way; counting the message limit so too is never too long.
    """
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, measure: Measure = len) -> list[str]:
    """``text`` as pieces of at most ``limit`` (by ``measure``), cut at line ends where possible.

    ``measure`` must add up over concatenation (``measure(a + b) == measure(a) + measure(b)``), as
    ``len``, :func:`utf16_length` and an escaped length do. The newline at a cut between pieces is
    the only character dropped; pieces that would hold only blank lines are left out (platforms
    refuse empty messages). A text that fits is returned whole, as one piece.
    """
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in _lines_within(text.split("\n"), limit, measure):
        width = measure(line)
        if current and size + 1 + width > limit:
            pieces.append("\n".join(current))
            current, size = [], 0
        size += width + (1 if current else 0)
        current.append(line)
    if current:
        pieces.append("\n".join(current))
    return [piece for piece in pieces if piece.strip()] or [text[:1]]


def _lines_within(lines: list[str], limit: int, measure: Measure) -> list[str]:
    """The lines, each one longer than ``limit`` cut into parts that fit (at spaces if possible)."""
    fitted: list[str] = []
    for line in lines:
        while measure(line) > limit:
            cut = _cut_at(line, limit, measure)
            fitted.append(line[:cut].rstrip(" "))
            line = line[cut:].lstrip(" ")
        fitted.append(line)
    return fitted


def _cut_at(line: str, limit: int, measure: Measure) -> int:
    """Where to cut ``line`` so its head fits: after the last space that fits, else hard."""
    fits = 0
    width = 0
    for index, char in enumerate(line):
        width += measure(char)
        if width > limit:
            break
        fits = index + 1
    space = line.rfind(" ", 0, fits + 1)
    return space if space > fits // 2 else max(fits, 1)
