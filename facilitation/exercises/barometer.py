"""The Åsiktsbarometer exercise in the conversation: statements answered on an agree scale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from facilitation.barometer.scale import DONT_KNOW
from facilitation.errors import DomainError
from facilitation.exercises import Exercise, Output, Post
from facilitation.i18n import t
from facilitation.input_rules import whole_number
from facilitation.menu import Menu
from facilitation.model import Language, Process, Round, RoundKind, Workshop
from facilitation.ports import Attachment, Button

if TYPE_CHECKING:
    from facilitation.conversation import Conversation, Turn


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


class BarometerExercise(Exercise):
    """Posts each statement with scale buttons; answers can be changed until the round closes."""

    kinds = (RoundKind.BAROMETER,)
    actions = ("b",)
    starts = ((("barometer", "asiktsbarometer", "åsiktsbarometer"), Menu("barometer", "barometer")),)
    #: ``/rummet NR [omgång]``: "where the room stands" on any statement of a closed round.
    room_commands = ("rummet", "room")

    def install(self, conv: Conversation) -> None:
        """Register ``/rummet`` (facilitators only, like ``/resultat``)."""
        from facilitation.exercises.barometer_results import cmd_room

        conv.register_command(self.room_commands, cmd_room, facilitator_only=True, room_admins=True,
                              menu=Menu("rummet", "room"))

    async def create_round(self, conv: Conversation, turn: Turn, workshop: Workshop, process: Process,
                           name: str, args: tuple[str, ...]) -> Round:
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
        items = [(process.statements[p].text_in(workshop.language), process.statements[p].key) for p in positions]
        round_ = await conv.service.create_round(
            workshop.id, RoundKind.BAROMETER, barometer_title(process, workshop.language), items,
            barometer_settings(process, steps),
            compare_round_id=workshop.compare_round_id,
        )
        if stepwise:
            round_.current_position = 0
            await conv.service.store.set_current_position(round_.id, 0)
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

    def posts(self, conv: Conversation, round_: Round, lang: Language) -> list[Post]:
        items = round_.items if round_.current_position is None else [round_.items[round_.current_position]]
        labels = self.button_labels(round_.scale_steps, lang)
        return [
            Post(
                t("round.statement", lang, number=item.number, text=item.text),
                [[Button(labels[v - 1], conv.codec.encode("b", round_.id, item.id, v))
                  for v in range(1, round_.scale_steps + 1)],
                 # a row of its own: it is no step of the scale, and must never look like one
                 *([[Button(t("barometer.dont_know.button", lang), conv.codec.encode("b", round_.id, item.id,
                                                                                        DONT_KNOW))]]
                   if round_.dont_know else [])],
            )
            for item in items
        ]

    async def on_press(self, conv: Conversation, turn: Turn, round_: Round, action: str,
                       args: tuple[int, ...]) -> str:
        if len(args) != 2:
            raise DomainError("error.bad_button")
        item_id, value = args
        _, participant = await conv.service.answer(
            round_.id, item_id, conv.participant_key(turn, round_.workshop_id), value)
        text = t("vote.saved", turn.lang, label=self.scale_label(value, round_.scale_steps, turn.lang))
        if participant.sector is None:
            text += t("vote.need_sector", turn.lang)
        return text

    async def results(self, conv: Conversation, round_: Round, lang: Language) -> list[Output]:
        from facilitation.exercises.barometer_results import barometer_results

        return await barometer_results(conv, round_, lang)

    async def export(self, conv: Conversation, round_: Round, lang: Language) -> list[Attachment]:
        from facilitation.exercises.barometer_results import barometer_export

        return await barometer_export(conv, round_, lang)

    async def room_view(self, conv: Conversation, round_: Round, number: int, lang: Language) -> list[Output]:
        """"Where the room stands" on statement ``number`` (1-based) of a closed round."""
        from facilitation.exercises.barometer_results import room_view

        return await room_view(conv, round_, number, lang)
