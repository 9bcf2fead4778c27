"""The Åsiktsbarometer as the registry lists it: its round rules and its chat flow, made on demand.

The flow is imported only when the conversation is wired, so the service (which needs only
the rules) never loads the charts; this module is the one place that knows both.
"""

from __future__ import annotations

from facilitation.barometer.rules import BarometerRules
from facilitation.exercises import Exercise, ExerciseKind


def _exercise() -> Exercise:
    from facilitation.barometer.flow import BarometerExercise

    return BarometerExercise()


KIND = ExerciseKind(BarometerRules(), _exercise)
