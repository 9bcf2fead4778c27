"""The Åsiktsbarometer exercise in the conversation: statements answered on an agree scale."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from facilitation.barometer.rules import barometer_settings, barometer_title
from facilitation.barometer.scale import DONT_KNOW
from facilitation.errors import DomainError
from facilitation.exercises import (
    DecodedButtons,
    Exercise,
    ExerciseCommand,
    ExerciseContext,
    ExerciseTurn,
    Output,
    Post,
)
from facilitation.export import Table
from facilitation.i18n import t
from facilitation.input_rules import whole_number
from facilitation.menu import Menu
from facilitation.model import Language, Process, Round, RoundKind, Workshop
from facilitation.ports import Attachment, Button

#: How often a simulated person answers "Vet inte / berör inte oss" where a round offers it.
DONT_KNOW_SHARE = 0.1


def parse_selection(spec: str, count: int) -> list[int]:
    """``"1,3,5-7"`` as zero-based positions; raises DomainError for anything else.

    Every number is checked against ``count`` before a range is expanded, so ``1-100000000``
    is refused at once instead of building a list that size.
    """
    refused = DomainError("error.bad_selection", selection=spec[:30], max=count)
    positions: list[int] = []
    for part in filter(None, spec.replace(" ", "").split(",")):
        first, _, last = part.partition("-")
        numbers = [whole_number(first), whole_number(last) if last else whole_number(first)]
        if any(n is None or not 1 <= n <= count for n in numbers):
            raise refused
        low, high = numbers[0] or 0, numbers[1] or 0
        for number in range(low, high + 1):
            if number - 1 in positions:
                raise refused
            positions.append(number - 1)
    if not positions:
        raise refused
    return positions


async def _cmd_room(ctx: ExerciseContext, turn: ExerciseTurn, args: tuple[str, ...]) -> None:
    """``/rummet``: the results module (with numpy, ~12 MiB) is loaded when a result is first
    asked for, not when the bot starts (see :func:`facilitation.barometer.results.cmd_room`)."""
    from facilitation.barometer.results import cmd_room

    await cmd_room(ctx, turn, args)


class BarometerExercise(Exercise):
    """Posts each statement with scale buttons; answers can be changed until the round closes."""

    kinds = (RoundKind.BAROMETER,)
    actions = ("b",)
    starts = ((("barometer", "asiktsbarometer", "åsiktsbarometer"), Menu("barometer", "barometer")),)
    #: ``/rummet NR [omgång]``: "where the room stands" on any statement of a closed round
    #: (facilitators only, like ``/resultat``).
    commands = (ExerciseCommand(("rummet", "room"), _cmd_room, Menu("rummet", "room"), room_admins=True),)

    async def create_round(
        self,
        ctx: ExerciseContext,
        turn: ExerciseTurn,
        workshop: Workshop,
        process: Process,
        name: str,
        args: tuple[str, ...],
    ) -> Round:
        """``/barometer [alla|stegvis|1,3,5] [steg=7]`` over the process's statement bank."""
        if not process.statements:
            raise DomainError("error.no_statements", process=process.key)
        steps = process.scale_steps
        stepwise = False
        positions = list(range(len(process.statements)))
        for arg in args:
            lowered = arg.lower()
            if lowered in ("alla", "all"):
                continue
            if lowered in ("stegvis", "step", "steg", "one"):
                stepwise = True
            elif "=" in lowered:
                key, _, value = lowered.partition("=")
                number = whole_number(value)
                if key not in ("steg", "steps", "skala", "scale") or number is None:
                    raise DomainError("error.bad_args", usage="/barometer [alla|stegvis|1,3,5] [steg=7]")
                steps = number
            else:
                positions = parse_selection(arg, len(process.statements))
        items = [
            (process.statements[p].text_in(workshop.language), process.statements[p].key) for p in positions
        ]
        round_ = await ctx.service.create_round(
            workshop.id,
            RoundKind.BAROMETER,
            barometer_title(process, workshop.language),
            items,
            barometer_settings(process, steps),
            compare_round_id=workshop.compare_round_id,
        )
        if stepwise:
            round_.current_position = 0
            await ctx.service.start_stepping(round_.id)
        return round_

    def instructions(self, round_: Round, lang: Language) -> str:
        return t("round.barometer.instructions", lang, steps=round_.scale_steps)

    def scale_label(self, value: int, steps: int, lang: Language) -> str:
        from facilitation.barometer.scale import scale_label

        if value == DONT_KNOW:
            return t("barometer.dont_know.label", lang)
        return f"{t('vote.scale_value', lang, value=value, steps=steps)} ({scale_label(value, steps, lang)})"

    def button_labels(self, steps: int, lang: Language) -> list[str]:
        """Short labels for phone buttons ("1 👎" … "5 👍"); the round's text names the ends."""
        from facilitation.barometer.scale import button_labels

        return button_labels(steps, lang)

    def posts(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Post]:
        items = round_.items if round_.current_position is None else [round_.items[round_.current_position]]
        labels = self.button_labels(round_.scale_steps, lang)
        return [
            Post(
                t("round.statement", lang, number=item.number, text=item.text),
                [
                    [
                        Button(labels[v - 1], ctx.codec.encode("b", round_.id, item.id, v))
                        for v in range(1, round_.scale_steps + 1)
                    ],
                    # a row of its own: it is no step of the scale, and must never look like one
                    *(
                        [
                            [
                                Button(
                                    t("barometer.dont_know.button", lang),
                                    ctx.codec.encode("b", round_.id, item.id, DONT_KNOW),
                                )
                            ]
                        ]
                        if round_.dont_know
                        else []
                    ),
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
        text = t("vote.saved", turn.lang, label=self.scale_label(value, round_.scale_steps, turn.lang))
        if participant.sector is None:
            text += t("vote.need_sector", turn.lang)
        return text

    async def results(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Output]:
        from facilitation.barometer.results import barometer_results

        return await barometer_results(ctx, round_, lang)

    async def export(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Attachment]:
        from facilitation.barometer.results import barometer_export

        return await barometer_export(ctx, round_, lang)

    async def tables(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
        from facilitation.barometer.results import barometer_tables

        return await barometer_tables(ctx, round_, lang)

    async def room_view(
        self, ctx: ExerciseContext, round_: Round, number: int, lang: Language
    ) -> list[Output] | None:
        """ "Where the room stands" on statement ``number`` (1-based) of a closed round."""
        from facilitation.barometer.results import room_view

        return await room_view(ctx, round_, number, lang)

    def simulated_presses(
        self, round_: Round, decoded: DecodedButtons, lean: Sequence[float], rng: random.Random
    ) -> list[str]:
        """One press per statement near the sector's lean, now and then "Vet inte" where offered."""
        steps = round_.scale_steps
        by_item: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for button, parsed in decoded:
            if parsed and parsed[0] == "b" and len(parsed[1]) == 3:
                by_item[parsed[1][1]].append((parsed[1][2], button.data))
        out = []
        for position, item_id in enumerate(sorted(by_item)):
            centre = (steps + 1) / 2 + lean[position % len(lean)] * (steps - 1) / 4
            value = min(steps, max(1, round(rng.gauss(centre, steps / 5))))
            offered = dict(by_item[item_id])
            if 0 in offered and rng.random() < DONT_KNOW_SHARE:
                value = 0  # "Vet inte / berör inte oss", where the round offers it
            choice = offered.get(value)
            if choice:
                out.append(choice)
        return out
