"""Principle prioritisation ("Vilka principer är viktiga för oss?") without database or platform.

Ballots are ``{item_id: value}`` as storage keeps them; this package validates and builds them,
counts them (Borda, Schulze, totals), splits them by sector with small groups hidden, and draws
and exports the result. Importing it registers the ``prio.*`` texts. The exercise in the chat is
:mod:`.flow`, its round rules :mod:`.rules`, and :mod:`.kind` is what the registry lists.
"""

from facilitation.prioritisation import texts as _texts  # noqa: F401  (registers prio.* texts)
from facilitation.prioritisation.ballots import ApprovalDraft, PointsDraft, RankingDraft, validate_ballot
from facilitation.prioritisation.methods import (
    ItemResult,
    PriorityResult,
    aggregate,
    approval_shares,
    borda,
    condorcet_winner,
    mean_rank,
    pairwise_matrix,
    points_totals,
    schulze,
)
from facilitation.prioritisation.sectors import (
    DEFAULT_MIN_GROUP_SIZE,
    SectorResult,
    SectorSplit,
    sector_differences,
    split_by_sector,
)

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "ApprovalDraft",
    "ItemResult",
    "PointsDraft",
    "PriorityResult",
    "RankingDraft",
    "SectorResult",
    "SectorSplit",
    "aggregate",
    "approval_shares",
    "borda",
    "condorcet_winner",
    "mean_rank",
    "pairwise_matrix",
    "points_totals",
    "schulze",
    "sector_differences",
    "split_by_sector",
    "validate_ballot",
]
