"""The Åsiktsbarometer without database or platform: scale, metrics, sector splits, charts, export.

Answers are integers 1..steps (1 = "Jag håller INTE med", steps = "Jag håller med"). Importing
the package registers the ``barometer.*`` texts. The exercise in the chat is :mod:`.flow` (with
:mod:`.results`), its round rules :mod:`.rules`, and :mod:`.kind` is what the registry lists.
"""

from facilitation.barometer import texts as _texts  # noqa: F401  (registers barometer.* texts)
from facilitation.barometer.metrics import (
    DEFAULT_MIN_GROUP_SIZE,
    Change,
    Division,
    GroupStatus,
    Pattern,
    SectorBreakdown,
    SectorGroup,
    StatementStats,
    agreement,
    compare,
    dividing_statements,
    leik,
    sector_stats,
    statement_stats,
)
from facilitation.barometer.scale import (
    button_labels,
    is_agree,
    is_disagree,
    is_neutral,
    scale_hint,
    scale_label,
    scale_labels,
)

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "Change",
    "Division",
    "GroupStatus",
    "Pattern",
    "SectorBreakdown",
    "SectorGroup",
    "StatementStats",
    "agreement",
    "button_labels",
    "compare",
    "dividing_statements",
    "is_agree",
    "is_disagree",
    "is_neutral",
    "leik",
    "scale_hint",
    "scale_label",
    "scale_labels",
    "sector_stats",
    "statement_stats",
]
