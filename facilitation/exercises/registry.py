"""Every exercise kind the bot offers. A new kind is one package and one line in :data:`KINDS`."""

from __future__ import annotations

from facilitation.barometer.kind import KIND as BAROMETER
from facilitation.exercises import Exercise, ExerciseKind, RoundRules
from facilitation.followup.kind import KIND as FOLLOWUP
from facilitation.model import RoundKind
from facilitation.prioritisation.kind import KIND as PRIORITISATION

KINDS: tuple[ExerciseKind, ...] = (
    BAROMETER,
    PRIORITISATION,
    FOLLOWUP,
)


def round_rules() -> dict[RoundKind, RoundRules]:
    """The rules of every kind of round, by kind (what :class:`WorkshopService` applies)."""
    return {kind: entry.rules for entry in KINDS for kind in entry.rules.kinds}


def exercises() -> list[Exercise]:
    """A fresh chat flow of every exercise (what the conversation is wired with)."""
    return [entry.exercise() for entry in KINDS]
