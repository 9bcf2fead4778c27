"""``/uppfoljning`` in the conversation: each commitment posted with the follow-up scale's buttons.

Answers go through :meth:`WorkshopService.answer` (checked by :class:`.rules.FollowupRules`), so a
press is stored once under the participant's key, can be changed until the round closes, and a
press delivered again changes nothing, exactly as a barometer's.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from facilitation.barometer.flow import DONT_KNOW_SHARE, parse_selection
from facilitation.errors import DomainError
from facilitation.exercises import (
    DecodedButtons,
    Exercise,
    ExerciseContext,
    ExerciseTurn,
    Output,
    Post,
)
from facilitation.export import Table
from facilitation.followup.records import FollowupRecords, MemoryFollowupRecords, tags_of
from facilitation.followup.rules import followup_settings, followup_title
from facilitation.followup.scale import DONT_KNOW, STEPS, button_labels, scale_label
from facilitation.i18n import t
from facilitation.menu import Menu
from facilitation.model import Language, Process, Round, RoundKind, Workshop
from facilitation.ports import Attachment, Button
from facilitation.store import Store

ACTION = "uf"
#: The party filters ``/uppfoljning`` understands, by the party key they select.
PARTY_WORDS = {
    "offentlig": "offentlig",
    "offentliga": "offentlig",
    "kommunen": "offentlig",
    "regionen": "offentlig",
    "public": "offentlig",
    "ideburen": "ideburen",
    "idéburen": "ideburen",
    "ideburna": "ideburen",
    "idéburna": "ideburen",
    "civila": "ideburen",
    "idea-based": "ideburen",
    "bada": "bada",
    "båda": "bada",
    "both": "bada",
}


class FollowupExercise(Exercise):
    """Posts each commitment with the follow-up scale; answers can be changed until the round closes.

    ``records`` keeps each round's commitments as asked and finds the process's earlier
    follow-ups (:mod:`.records`); the wiring gives it the database's (:func:`use_records`),
    otherwise the exercise keeps them in memory beside the workshop store it is used with.
    """

    kinds = (RoundKind.FOLLOWUP,)
    actions = (ACTION,)
    starts = ((("uppfoljning", "uppföljning", "followup"), Menu("uppfoljning", "followup")),)

    def __init__(self, records: FollowupRecords | None = None) -> None:
        self.records = records
        self._memory: dict[int, MemoryFollowupRecords] = {}

    def records_for(self, store: Store) -> FollowupRecords:
        if self.records is not None:
            return self.records
        return self._memory.setdefault(id(store), MemoryFollowupRecords(store))

    async def create_round(
        self,
        ctx: ExerciseContext,
        turn: ExerciseTurn,
        workshop: Workshop,
        process: Process,
        name: str,
        args: tuple[str, ...],
    ) -> Round:
        """``/uppfoljning [alla|stegvis|1,3,5|offentlig|ideburen]`` over the process's commitments."""
        if not process.commitments:
            raise DomainError("followup.error.no_commitments", process=process.key)
        stepwise = False
        positions = list(range(len(process.commitments)))
        for arg in args:
            lowered = arg.lower()
            if lowered in ("alla", "all"):
                continue
            if lowered in ("stegvis", "step", "steg", "one"):
                stepwise = True
            elif lowered in PARTY_WORDS:
                party = PARTY_WORDS[lowered]
                positions = [p for p in positions if process.commitments[p].party == party]
                if not positions:
                    raise DomainError(
                        "followup.error.no_party", party=t(f"followup.party_short.{party}", turn.lang)
                    )
            elif lowered[:1].isdigit():
                positions = parse_selection(arg, len(process.commitments))
            else:
                raise DomainError("error.bad_args", usage=t("followup.usage", turn.lang))
        items = [
            (process.commitments[p].text_in(workshop.language), process.commitments[p].key) for p in positions
        ]
        round_ = await ctx.service.create_round(
            workshop.id,
            RoundKind.FOLLOWUP,
            followup_title(process, workshop.language),
            items,
            followup_settings(),
        )
        # the commitments' parties and principles as asked: the grouping never follows a later edit
        await self.records_for(ctx.service.store).keep_tags(round_.id, tags_of(process, round_))
        if stepwise:
            round_.current_position = 0
            await ctx.service.start_stepping(round_.id)
        return round_

    def instructions(self, round_: Round, lang: Language) -> str:
        return t("followup.instructions", lang, low=scale_label(1, lang), high=scale_label(STEPS, lang))

    def posts(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Post]:
        items = round_.items if round_.current_position is None else [round_.items[round_.current_position]]
        labels = button_labels(lang)
        return [
            Post(
                t("followup.post", lang, number=item.number, text=item.text),
                [
                    # one button a row: the words must be readable on a phone
                    *(
                        [Button(labels[v - 1], ctx.codec.encode(ACTION, round_.id, item.id, v))]
                        for v in _values()
                    ),
                    [
                        Button(
                            t("followup.scale.dont_know", lang),
                            ctx.codec.encode(ACTION, round_.id, item.id, DONT_KNOW),
                        )
                    ],
                ],
            )
            for item in items
        ]

    async def on_press(
        self, ctx: ExerciseContext, turn: ExerciseTurn, round_: Round, action: str, args: tuple[int, ...]
    ) -> str:
        if len(args) != 2:
            raise DomainError("error.bad_button")
        item_id, value = args
        _, participant = await ctx.service.answer(
            round_.id, item_id, ctx.participant_key(turn, round_.workshop_id), value, ctx.press_key(turn)
        )
        item = round_.item(item_id)
        text = t(
            "followup.saved",
            turn.lang,
            number=item.number if item else "?",
            label=scale_label(value, turn.lang),
        )
        if participant.sector is None:
            text += t("vote.need_sector", turn.lang)
        return text

    async def results(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Output]:
        from facilitation.followup.results import followup_results

        return await followup_results(ctx, self.records_for(ctx.service.store), round_, lang)

    async def export(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Attachment]:
        from facilitation.followup.results import followup_export

        return await followup_export(ctx, self.records_for(ctx.service.store), round_, lang)

    async def tables(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
        from facilitation.followup.results import followup_tables

        return await followup_tables(ctx, self.records_for(ctx.service.store), round_, lang)

    def simulated_presses(
        self, round_: Round, decoded: DecodedButtons, lean: Sequence[float], rng: random.Random
    ) -> list[str]:
        """One press per commitment near the sector's lean, now and then "Vet inte"."""
        by_item: dict[int, dict[int, str]] = defaultdict(dict)
        for button, parsed in decoded:
            if parsed and parsed[0] == ACTION and len(parsed[1]) == 3:
                by_item[parsed[1][1]][parsed[1][2]] = button.data
        out = []
        for position, item_id in enumerate(sorted(by_item)):
            centre = (STEPS + 1) / 2 + lean[position % len(lean)] * (STEPS - 1) / 4
            value = min(STEPS, max(1, round(rng.gauss(centre, STEPS / 5))))
            if rng.random() < DONT_KNOW_SHARE:
                value = DONT_KNOW
            choice = by_item[item_id].get(value)
            if choice:
                out.append(choice)
        return out


def _values() -> Iterable[int]:
    return range(1, STEPS + 1)


def use_records(exercises: Iterable[Exercise], records: FollowupRecords) -> None:
    """Give the follow-up exercise among ``exercises`` the records to keep (the wiring's, on SQL)."""
    for exercise in exercises:
        if isinstance(exercise, FollowupExercise):
            exercise.records = records
