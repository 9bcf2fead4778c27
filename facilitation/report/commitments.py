"""The follow-up of commitments in the workshop report ("Hur väl har vi hållit det vi lovade?").

A follow-up round (``/uppfoljning``) is a chapter of the report like every closed round: its
section holds the very text, charts and tables the chat published (grouped by party and by
principle, compared with earlier years; :mod:`facilitation.followup.results`). This module adds
what the report's method note says about it, so :mod:`.content` needs one line for it.
"""

from __future__ import annotations

from collections.abc import Set

from facilitation.followup import texts as _texts  # noqa: F401  (registers followup.* texts)
from facilitation.i18n import t
from facilitation.model import Language, RoundKind

FOLLOWUP_KINDS = frozenset({RoundKind.FOLLOWUP})


def method_lines(kinds: Set[RoundKind], lang: Language) -> list[str]:
    """How to read the follow-up chapter, when the report has one."""
    return [t("followup.method", lang)] if kinds & FOLLOWUP_KINDS else []
