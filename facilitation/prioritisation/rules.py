"""The rules of principle prioritisation rounds (light on purpose: the service imports them).

Three kinds of round share one catalogue (the process's principles): ranking (top k), points
(a budget) and approval. The rules hold whatever starts a round (``/rangordna``, ``/poang``,
``/markera``, the Slack launch modal, a test).
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.errors import DomainError
from facilitation.exercises import RoundRules, RoundSpec
from facilitation.i18n import t
from facilitation.model import Language, Process, Round, RoundItem, RoundKind
from facilitation.prioritisation.methods import is_dots

DEFAULT_BUDGET = 100
MAX_BUDGET = 1000


def prioritisation_title(process: Process, lang: Language) -> str:
    """A prioritisation round's title: the exercise's name and the process's region."""
    return t("prio.title", lang) + (f" – {process.region}" if process.region else "")


def points_step(budget: int) -> int:
    """One tap's worth of points: 1 for dots (budget ≤ 20), else a tenth of the budget."""
    return 1 if is_dots(budget) else max(1, budget // 10)


class PrioritisationRules(RoundRules):
    """Ranking, points and approval rounds over the process's principles."""

    kinds = (RoundKind.RANKING, RoundKind.POINTS, RoundKind.APPROVAL)
    catalogue_name = "principles"

    def catalogue(self, process: Process, lang: Language = Language.SV) -> list[tuple[str, str]]:
        return [(p.name_in(lang), p.key) for p in process.principles]

    def check_settings(self, kind: RoundKind, settings: dict[str, int], item_count: int) -> None:
        """A ranking's k is 1..items (all by default); a points budget 1..1000 (100 by default)."""
        if kind == RoundKind.RANKING:
            top_k = settings.setdefault("top_k", item_count)
            if not 1 <= top_k <= item_count:
                raise DomainError("error.bad_top_k", max=item_count)
        if kind == RoundKind.POINTS:
            budget = settings.setdefault("budget", DEFAULT_BUDGET)
            if not 1 <= budget <= MAX_BUDGET:
                raise DomainError("error.bad_budget")

    def check_answer(self, round_: Round, item: RoundItem, value: int) -> None:
        """Only an approval mark (0 or 1) is a single answer; rankings and points are whole ballots."""
        if round_.kind != RoundKind.APPROVAL:
            raise DomainError("error.bad_button")
        if value not in (0, 1):
            raise DomainError("error.bad_value")

    def launch(
        self,
        kind: RoundKind,
        process: Process,
        lang: Language,
        entries: Sequence[tuple[str, str]],
        typed: Sequence[tuple[str, str]],
    ) -> RoundSpec:
        """All chosen principles ranked, 100 points, or approval, as the start commands default to."""
        items = [*entries, *typed]
        settings: dict[str, int] = {}
        if kind == RoundKind.RANKING:
            settings["top_k"] = len(items)
        elif kind == RoundKind.POINTS:
            settings.update(budget=DEFAULT_BUDGET, step=points_step(DEFAULT_BUDGET))
        return RoundSpec(prioritisation_title(process, lang), items, settings)
