"""Principle prioritisation as the registry lists it: its round rules and its chat flow, made on demand.

The flow is imported only when the conversation is wired, so the service (which needs only
the rules) never loads the charts; this module is the one place that knows both.
"""

from __future__ import annotations

from facilitation.exercises import Exercise, ExerciseKind
from facilitation.prioritisation.rules import PrioritisationRules


def _exercise() -> Exercise:
    from facilitation.prioritisation.flow import PrioritisationExercise

    return PrioritisationExercise()


KIND = ExerciseKind(PrioritisationRules(), _exercise)
