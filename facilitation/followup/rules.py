"""The rules of follow-up rounds (``/uppfoljning``): the commitments of the process, rated on the
fixed five-step follow-up scale with "Vet inte", one answer per commitment.

Light on purpose (no charts, no chat flow): the service imports it through the registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.barometer.scale import DONT_KNOW
from facilitation.errors import DomainError
from facilitation.exercises import RoundRules, RoundSpec
from facilitation.followup.scale import STEPS
from facilitation.i18n import t
from facilitation.model import Language, Process, Round, RoundItem, RoundKind


def followup_settings() -> dict[str, int]:
    """A follow-up round's settings: the five steps and "Vet inte", always."""
    return {"scale_steps": STEPS, "dont_know": 1}


def followup_title(process: Process, lang: Language) -> str:
    """ "Uppföljning av åtaganden – Örebro"."""
    return t("kind.followup", lang) + (f" – {process.region}" if process.region else "")


class FollowupRules(RoundRules):
    """Commitments from the process file, each rated once on the follow-up scale (or "Vet inte")."""

    kinds = (RoundKind.FOLLOWUP,)
    catalogue_name = "commitments"

    def catalogue(self, process: Process, lang: Language = Language.SV) -> list[tuple[str, str]]:
        return [(c.text_in(lang), c.key) for c in process.commitments]

    def check_settings(self, kind: RoundKind, settings: dict[str, int], item_count: int) -> None:
        """The scale is fixed, so that every year's follow-up compares step by step."""
        if settings.setdefault("scale_steps", STEPS) != STEPS:
            raise DomainError("followup.error.scale", steps=STEPS)
        settings["dont_know"] = 1

    def check_answer(self, round_: Round, item: RoundItem, value: int) -> None:
        """A step of the scale or "Vet inte", on the commitment shown now (in a step-by-step round)."""
        if not 1 <= value <= STEPS and value != DONT_KNOW:
            raise DomainError("error.bad_value")
        if round_.current_position is not None and item.position != round_.current_position:
            raise DomainError("error.item_not_current")

    def launch(
        self,
        kind: RoundKind,
        process: Process,
        lang: Language,
        entries: Sequence[tuple[str, str]],
        typed: Sequence[tuple[str, str]],
    ) -> RoundSpec:
        return RoundSpec(followup_title(process, lang), [*entries, *typed], followup_settings())
