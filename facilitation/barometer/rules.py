"""The rules of Åsiktsbarometer rounds: what holds whatever starts one (``/barometer``, the Slack
launch modal, a test): the scale, "Vet inte" and the single answers the service records.

Light on purpose (no charts, no chat flow): the service imports it through the registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.barometer.scale import DONT_KNOW
from facilitation.errors import DomainError
from facilitation.exercises import RoundRules, RoundSpec
from facilitation.i18n import t
from facilitation.model import Language, Process, Round, RoundItem, RoundKind

MIN_SCALE, MAX_SCALE = 3, 11
DEFAULT_STEPS = 5


def barometer_settings(process: Process, steps: int | None = None) -> dict[str, int]:
    """A barometer round's settings: its scale, and "Vet inte" when the process file offers it
    (fixed into the round, so a later change of the file never changes a running round)."""
    settings = {"scale_steps": process.scale_steps if steps is None else steps}
    if process.dont_know:
        settings["dont_know"] = 1
    return settings


def barometer_title(process: Process, lang: Language) -> str:
    """A barometer round's title: the exercise's name and the process's region."""
    return t("kind.barometer", lang) + (f" – {process.region}" if process.region else "")


class BarometerRules(RoundRules):
    """Statements from the process's statement bank, answered one by one on a 3–11 step scale."""

    kinds = (RoundKind.BAROMETER,)
    catalogue_name = "statements"

    def catalogue(self, process: Process, lang: Language = Language.SV) -> list[tuple[str, str]]:
        return [(s.text_in(lang), s.key) for s in process.statements]

    def check_settings(self, kind: RoundKind, settings: dict[str, int], item_count: int) -> None:
        steps = settings.setdefault("scale_steps", DEFAULT_STEPS)
        if not MIN_SCALE <= steps <= MAX_SCALE:
            raise DomainError("error.bad_scale", min=MIN_SCALE, max=MAX_SCALE)

    def check_answer(self, round_: Round, item: RoundItem, value: int) -> None:
        """A step of the round's scale (or "Vet inte" where offered), on the statement shown now."""
        if not 1 <= value <= round_.scale_steps and not (value == DONT_KNOW and round_.dont_know):
            raise DomainError("error.bad_value")  # 0 is "Vet inte", where the round offers it
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
        return RoundSpec(barometer_title(process, lang), [*entries, *typed], barometer_settings(process))
