"""The follow-up scale: how well a commitment was met, from "Inte alls" (1) to "Helt och hållet" (5).

The same ordered five steps as a five-step barometer, so every statistic of
:mod:`facilitation.barometer.metrics` applies as it is: the "agree" side (4–5) reads as *met*,
the "disagree" side (1–2) as *not met*, the middle (3) as *partly*. "Vet inte" is stored as
:data:`~facilitation.barometer.scale.DONT_KNOW` (0) and counted on its own, never in a mean.
"""

from __future__ import annotations

from facilitation.barometer.scale import DONT_KNOW
from facilitation.i18n import t
from facilitation.model import Language

#: Every follow-up round has these five steps (fixed: years are compared step by step).
STEPS = 5
_NAMES = ("not_at_all", "little", "partly", "largely", "fully")

__all__ = ["DONT_KNOW", "STEPS", "button_labels", "scale_label", "scale_labels"]


def scale_label(value: int, lang: Language | str = Language.SV) -> str:
    """The words of one step ("Inte alls" … "Helt och hållet"), or "Vet inte" for 0."""
    if value == DONT_KNOW:
        return t("followup.scale.dont_know", lang)
    if not 1 <= value <= STEPS:
        raise ValueError(f"a follow-up answer is 0..{STEPS}, got {value!r}")
    return t(f"followup.scale.{_NAMES[value - 1]}", lang)


def scale_labels(lang: Language | str = Language.SV) -> list[str]:
    """The five steps' words, from "Inte alls" to "Helt och hållet"."""
    return [scale_label(value, lang) for value in range(1, STEPS + 1)]


def button_labels(lang: Language | str = Language.SV) -> list[str]:
    """Short phone-button labels: the number and the step's word ("1 Inte alls" … "5 Helt och hållet")."""
    return [f"{value} {label}" for value, label in enumerate(scale_labels(lang), 1)]
