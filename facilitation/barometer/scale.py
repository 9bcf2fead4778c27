"""The agree scale of the Åsiktsbarometer: labels per step and which side a step is on.

Answers are integers 1..steps: 1 is "Jag håller INTE med", ``steps`` is "Jag håller med". An odd
scale has a middle step ("Varken eller"); an even scale forces a side, so it has no neutral.
"""

from __future__ import annotations

from facilitation.i18n import t
from facilitation.model import Language

#: The stored value of a "Vet inte / berör inte oss" answer: off the scale 1..steps, so it never
#: enters a mean, a distribution, agreement or a test; it is counted on its own.
DONT_KNOW = 0
MIN_STEPS = 3
MAX_STEPS = 11
DEFAULT_STEPS = 5

# Named intermediate steps where a scale is small enough to name every step (text-key suffixes).
_NAMED: dict[int, tuple[str, ...]] = {
    3: ("disagree", "neutral", "agree"),
    4: ("disagree", "partly_disagree", "partly_agree", "agree"),
    5: ("disagree", "partly_disagree", "neutral", "partly_agree", "agree"),
    6: ("disagree", "mostly_disagree", "partly_disagree", "partly_agree", "mostly_agree", "agree"),
    7: ("disagree", "mostly_disagree", "partly_disagree", "neutral", "partly_agree", "mostly_agree", "agree"),
}


def check_steps(steps: int) -> int:
    """``steps`` if it is a supported scale size, else ValueError (before anything is counted)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not MIN_STEPS <= steps <= MAX_STEPS:
        raise ValueError(f"scale steps must be an integer {MIN_STEPS}..{MAX_STEPS}, got {steps!r}")
    return steps


def check_value(value: int, steps: int) -> int:
    """``value`` if it is a step of the scale, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= steps:
        raise ValueError(f"answer must be an integer 1..{steps}, got {value!r}")
    return value


def _centre(steps: int) -> float:
    return (steps + 1) / 2


def is_agree(value: int, steps: int) -> bool:
    """Whether ``value`` lies on the agree side (above the middle) of a ``steps`` scale."""
    return check_value(value, check_steps(steps)) > _centre(steps)


def is_disagree(value: int, steps: int) -> bool:
    """Whether ``value`` lies on the disagree side (below the middle)."""
    return check_value(value, check_steps(steps)) < _centre(steps)


def is_neutral(value: int, steps: int) -> bool:
    """Whether ``value`` is the middle step; never true on an even scale, which has none."""
    return check_value(value, check_steps(steps)) == _centre(steps)


def scale_label(value: int, steps: int, lang: Language | str = Language.SV) -> str:
    """The words for one step; scales beyond seven steps name only the ends and the middle."""
    check_value(value, check_steps(steps))
    named = _NAMED.get(steps)
    if named is not None:
        return t(f"barometer.scale.{named[value - 1]}", lang)
    if value == 1:
        return t("barometer.scale.disagree", lang)
    if value == steps:
        return t("barometer.scale.agree", lang)
    if value == _centre(steps):
        return t("barometer.scale.neutral", lang)
    side = "lean_agree" if value > _centre(steps) else "lean_disagree"
    return t(f"barometer.scale.{side}", lang, value=value)


def scale_labels(steps: int, lang: Language | str = Language.SV) -> list[str]:
    """Labels for every step, from "Jag håller INTE med" (1) to "Jag håller med" (``steps``)."""
    return [scale_label(value, steps, lang) for value in range(1, check_steps(steps) + 1)]


def button_labels(steps: int, lang: Language | str = Language.SV) -> list[str]:
    """Short labels that fit a row of phone buttons: numbers, thumbs on the two ends.

    Words do not fit five to eleven buttons on one row; the statement post carries
    :func:`scale_hint` so the numbers are never ambiguous. ``lang`` is kept for symmetry.
    """
    check_steps(steps)
    return ["1 👎", *(str(v) for v in range(2, steps)), f"{steps} 👍"]


def scale_hint(steps: int, lang: Language | str = Language.SV) -> str:
    """One line explaining the numbers, e.g. "1 = Jag håller INTE med … 5 = Jag håller med"."""
    labels = scale_labels(steps, lang)
    return t("barometer.scale.hint", lang, low=labels[0], high=labels[-1], steps=steps)
