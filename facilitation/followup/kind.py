"""The follow-up of commitments as the registry lists it: its round rules and its chat flow, made on demand."""

from __future__ import annotations

from facilitation.exercises import Exercise, ExerciseKind
from facilitation.followup.rules import FollowupRules


def _exercise() -> Exercise:
    from facilitation.followup.flow import FollowupExercise

    return FollowupExercise()


KIND = ExerciseKind(FollowupRules(), _exercise)
