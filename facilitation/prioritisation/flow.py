"""Principle prioritisation in the conversation: rank, give points or mark principles by phone.

``/rangordna [k]`` (ranking, all or top-k), ``/poang [budget]`` (points; a budget of at most 20
is handed out as dots, one per tap, else in steps of a tenth of the budget) and ``/markera``
(approval) open a round over the process's principles. One message lists the principles with a
button each; the participant builds their ballot one tap at a time.

Design:

* **Stateless presses.** Nothing about a half-finished ballot is held in memory: every press
  is a change of the stored ballot (``change_ballot``): the store reads the participant's
  answers under a lock on their ballot, the press rebuilds the frozen draft from
  :mod:`facilitation.prioritisation.ballots`, applies the tap, and the whole ballot is stored
  again in the same transaction (an empty draft stores ``{}``, i.e. nothing). So drafts survive
  restarts, and two taps handled by two bot processes at the same instant both count.
* **A press counts once.** The platform's id of the press is stored with its effect, in the
  same transaction: a press delivered again (Telegram re-sends an update it saw no answer to,
  also after a crash) changes nothing and is answered with the ballot as it stands. A new tap
  on the same button is a new press, so a toggle still lets people change their mind.
* **Partial ballots are stored as they grow.** A ranking holds positions 1..r (r ≤ k) and is a
  valid, shorter ranking (the averaged Borda count treats the unranked as tied). A points
  ballot whose sum is not yet the budget is stored too, but at counting time it is *excluded*
  – half a budget is no statement of priorities, and scaling it up would invent points nobody
  gave. So it is never lost in silence: every press on it says "not counted until all N points
  are given" and what is left, the room's tally can say how many are short
  (:meth:`PrioritisationExercise.tally_note`), a press after the close tells the participant
  their answer was not counted, and the summary and the export give the number.
* **Undo.** Ranking: «Ångra» removes the last ranked principle (the highest stored position, so
  it needs no memory). Points: the store cannot tell which step came last, so every principle
  has its own «−step» button; approval: tapping a marked principle again unmarks it. Points and
  approval therefore have only «Rensa» (clear) in the control row.
* **Refusals change nothing.** A second tap on a ranked principle, a tap beyond k, beyond the
  budget, on a closed round or with a forged button raises :class:`DomainError` before storing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from facilitation.errors import DomainError
from facilitation.exercises import (
    DecodedButtons,
    Exercise,
    ExerciseContext,
    ExerciseTurn,
    Image,
    Output,
    Post,
    annex_tables,
    count_key,
    process_of,
    t_count,
)
from facilitation.export import Table, to_csv, to_xlsx
from facilitation.groups import group_names, hidden_text, known_groups, left_out_text
from facilitation.i18n import number_text, percent_text, t
from facilitation.input_rules import whole_number
from facilitation.menu import Menu
from facilitation.model import (
    Language,
    Process,
    ResultFrame,
    Round,
    RoundKind,
    RoundStatus,
    SectorKey,
    Workshop,
)
from facilitation.ports import Attachment, Button, Keyboard
from facilitation.prioritisation import (
    ApprovalDraft,
    PointsDraft,
    PriorityResult,
    RankingDraft,
    SectorResult,
    sector_differences,
    validate_ballot,
)
from facilitation.prioritisation.alt_text import pairwise_alt, ranking_alt, sectors_alt
from facilitation.prioritisation.export import export_tables
from facilitation.prioritisation.methods import is_dots, winners
from facilitation.prioritisation.rules import DEFAULT_BUDGET, points_step, prioritisation_title
from facilitation.prioritisation.sectors import SectorSplit, split_by_sector
from facilitation.rendering import lazy_chart

# Named, not imported: only the chart worker loads the chart module and matplotlib (see facilitation.rendering).
_CHARTS = "facilitation.prioritisation.charts"
pairwise_figure = lazy_chart(_CHARTS, "pairwise_figure")
ranked_bars_figure = lazy_chart(_CHARTS, "ranked_bars_figure")
sector_figure = lazy_chart(_CHARTS, "sector_figure")

ACK_LIMIT = 200  # Telegram's answerCallbackQuery text limit
NAME_LIMIT = 26  # a principle's name in an acknowledgement
TOP_LINES = 5  # principles listed in the result summary

# Button actions: rank, points plus, points minus, approval toggle, undo, clear.
RANK, PLUS, MINUS, MARK, UNDO, CLEAR = "pr", "pp", "pm", "pa", "pu", "pc"
_ACTIONS_OF: dict[RoundKind, frozenset[str]] = {
    RoundKind.RANKING: frozenset({RANK, UNDO, CLEAR}),
    RoundKind.POINTS: frozenset({PLUS, MINUS, CLEAR}),
    RoundKind.APPROVAL: frozenset({MARK, CLEAR}),
}
_ITEM_ACTIONS = frozenset({RANK, PLUS, MINUS, MARK})
#: The start commands of each kind: names (aliases together) and menu entry.
_STARTS: dict[RoundKind, tuple[tuple[str, ...], Menu]] = {
    RoundKind.RANKING: (("rangordna", "rank"), Menu("rangordna", "rank")),
    RoundKind.POINTS: (("poang", "poäng", "points"), Menu("poang", "points")),
    RoundKind.APPROVAL: (("markera", "approve"), Menu("markera", "approve")),
}
_KIND_OF_COMMAND: dict[str, RoundKind] = {
    name: kind for kind, (names, _) in _STARTS.items() for name in names
}

Draft = RankingDraft | PointsDraft | ApprovalDraft


@dataclass(frozen=True)
class _Counted:
    """Counted ballots of a round under the disclosure rule.

    ``split`` holds the published overall result (``None`` when no valid ballot is included:
    none came in, or the room is below the minimum) and the groups; ``valid`` counts every valid
    ballot, ``excluded`` the stored ballots that are not valid complete ballots (points not all
    given; a count of people, like turnout) and ``partial`` the rankings shorter than k among
    the *included* ballots only, since it says something about what they answered.
    """

    split: SectorSplit
    valid: int
    excluded: int
    partial: int
    frame: ResultFrame

    @property
    def result(self) -> PriorityResult | None:
        return self.split.result

    @property
    def by_sector(self) -> dict[SectorKey, SectorResult]:
        return self.split.by_sector

    @property
    def min_group_size(self) -> int:
        return self.frame.min_group_size


def _short(text: str, limit: int = NAME_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_ack(state: str, suffix: str = "", *, drop_from_start: bool, limit: int = ACK_LIMIT) -> str:
    """``state`` (lines, the status line last) shortened to ``limit`` characters with ``suffix``.

    Ranking drops its earliest picks (the latest are what the participant just did); points and
    approval drop their last lines (the smallest allocations). The status line always stays.
    """
    *body, status = state.split("\n") or [""]
    tail = status + suffix

    def joined(lines: list[str]) -> str:
        return "\n".join([*lines, tail])

    cut = False
    while body and len(joined(body + (["…"] if cut else []))) > limit:
        body = body[1:] if drop_from_start else body[:-1]
        cut = True
    if cut:
        body = ["…", *body] if drop_from_start else [*body, "…"]
    text = joined(body)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PrioritisationExercise(Exercise):
    """Ranking, points and approval rounds over a process's principles."""

    kinds = (RoundKind.RANKING, RoundKind.POINTS, RoundKind.APPROVAL)
    actions = (RANK, PLUS, MINUS, MARK, UNDO, CLEAR)
    starts = tuple(_STARTS.values())

    # --- starting a round ---------------------------------------------------------------
    async def create_round(
        self,
        ctx: ExerciseContext,
        turn: ExerciseTurn,
        workshop: Workshop,
        process: Process,
        name: str,
        args: tuple[str, ...],
    ) -> Round:
        """``/rangordna [k]``, ``/poang [budget]`` or ``/markera`` over the process's principles."""
        kind = _KIND_OF_COMMAND[name]
        usage = t(f"prio.usage.{kind.value}", turn.lang)
        if not process.principles:
            raise DomainError("error.no_principles", process=process.key)
        settings: dict[str, int] = {}
        if kind == RoundKind.APPROVAL:
            if args:
                raise DomainError("error.bad_args", usage=usage)
        else:
            number = whole_number(args[0]) if len(args) == 1 else None
            if len(args) > 1 or (args and number is None):
                raise DomainError("error.bad_args", usage=usage)
            if kind == RoundKind.RANKING:
                settings["top_k"] = number if number is not None else len(process.principles)
            else:
                budget = number if number is not None else DEFAULT_BUDGET
                settings.update(budget=budget, step=points_step(budget))
        items = [(p.name_in(workshop.language), p.key) for p in process.principles]
        return await ctx.service.create_round(
            workshop.id, kind, prioritisation_title(process, workshop.language), items, settings
        )

    # --- what participants see ----------------------------------------------------------
    @staticmethod
    def _budget(round_: Round) -> int:
        return int(round_.settings.get("budget", DEFAULT_BUDGET))

    def _step(self, round_: Round) -> int:
        return int(round_.settings.get("step") or points_step(self._budget(round_)))

    @staticmethod
    def _top_k(round_: Round) -> int:
        return min(int(round_.settings.get("top_k") or len(round_.items)), len(round_.items))

    def _is_dots(self, round_: Round) -> bool:
        return is_dots(self._budget(round_))

    def _unit(self, round_: Round, lang: Language) -> str:
        return t("prio.unit.dots" if self._is_dots(round_) else "prio.unit.points", lang)

    def instructions(self, round_: Round, lang: Language) -> str:
        if round_.kind == RoundKind.RANKING:
            k = self._top_k(round_)
            if k == len(round_.items):
                return t("prio.instructions.ranking_all", lang, k=k)
            return t_count("prio.instructions.ranking", lang, k, k=k)
        if round_.kind == RoundKind.POINTS:
            budget = self._budget(round_)
            key = "prio.instructions.dots" if self._is_dots(round_) else "prio.instructions.points"
            return t(key, lang, budget=budget, step=self._step(round_))
        return t("prio.instructions.approval", lang)

    def posts(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Post]:
        """One message: the numbered principles and a button each, then undo/clear."""
        codec = ctx.codec
        lines = [t("prio.post.header", lang)] + [f"{item.number}. {item.text}" for item in round_.items]
        keyboard: Keyboard = []
        if round_.kind == RoundKind.POINTS:
            step = self._step(round_)
            for item in round_.items:
                keyboard.append(
                    [
                        Button(
                            f"{item.number}. {_short(item.text, 22)} +{step}",
                            codec.encode(PLUS, round_.id, item.id),
                        ),
                        Button(f"−{step}", codec.encode(MINUS, round_.id, item.id)),
                    ]
                )
        else:
            action = RANK if round_.kind == RoundKind.RANKING else MARK
            buttons = [
                Button(f"{item.number}. {_short(item.text, 28)}", codec.encode(action, round_.id, item.id))
                for item in round_.items
            ]
            keyboard.extend(buttons[i : i + 2] for i in range(0, len(buttons), 2))
        control = [Button(t("prio.button.clear", lang), codec.encode(CLEAR, round_.id))]
        if round_.kind == RoundKind.RANKING:
            control.insert(0, Button(t("prio.button.undo", lang), codec.encode(UNDO, round_.id)))
        keyboard.append(control)
        return [Post("\n".join(lines), keyboard)]

    # --- pressing -----------------------------------------------------------------------
    def _draft(self, round_: Round, ballot: Mapping[int, int]) -> Draft:
        item_ids = [item.id for item in round_.items]
        ballot = {i: v for i, v in ballot.items() if i in set(item_ids)}
        if round_.kind == RoundKind.RANKING:
            return RankingDraft.from_ballot(item_ids, ballot, self._top_k(round_))
        if round_.kind == RoundKind.POINTS:
            return PointsDraft.from_ballot(
                item_ids, ballot, self._budget(round_), self._step(round_), dots=self._is_dots(round_)
            )
        return ApprovalDraft.from_ballot(item_ids, ballot)

    @staticmethod
    def _apply(draft: Draft, action: str, item: int | None) -> Draft:
        if action == CLEAR:
            return draft.clear()
        if isinstance(draft, RankingDraft):
            return draft.undo() if action == UNDO else draft.add(item)  # type: ignore[arg-type]
        if isinstance(draft, PointsDraft):
            return draft.add(item) if action == PLUS else draft.remove(item)  # type: ignore[arg-type]
        return draft.toggle(item)  # type: ignore[arg-type]

    @staticmethod
    def _stored_form(draft: Draft) -> dict[int, int]:
        """What to store: the partial ballot as it stands, ``{}`` when nothing is chosen."""
        if isinstance(draft, RankingDraft):
            return draft.to_ballot() if draft.order else {}
        if isinstance(draft, PointsDraft):
            ballot = dict(draft.points)
            if ballot:  # partial sums are stored; only shape is checked here
                validate_ballot(RoundKind.POINTS, ballot, draft.item_ids)
            return ballot
        return draft.to_ballot() if draft.chosen else {}

    async def on_press(
        self, ctx: ExerciseContext, turn: ExerciseTurn, round_: Round, action: str, args: tuple[int, ...]
    ) -> str:
        if action not in _ACTIONS_OF.get(round_.kind, frozenset()):
            raise DomainError("error.bad_button")
        if action in _ITEM_ACTIONS:
            if len(args) != 1 or round_.item(args[0]) is None:
                raise DomainError("error.bad_button")
            item: int | None = args[0]
        else:
            if args:
                raise DomainError("error.bad_button")
            item = None
        if round_.status == RoundStatus.CLOSED:
            await self._refuse_closed(ctx, turn, round_)
        if round_.status != RoundStatus.OPEN:
            raise DomainError("error.round_not_open")

        def press(stored: dict[int, int]) -> dict[int, int]:
            return self._stored_form(self._apply(self._draft(round_, stored), action, item))

        key = ctx.participant_key(turn, round_.workshop_id)
        ballot, participant = await ctx.service.change_ballot(round_.id, key, press, ctx.press_key(turn))
        draft = self._draft(round_, ballot)
        names = {it.id: _short(it.text) for it in round_.items}
        suffix = t("vote.need_sector", turn.lang) if participant.sector is None else ""
        return fit_ack(
            draft.render_state(names, turn.lang), suffix, drop_from_start=isinstance(draft, RankingDraft)
        )

    async def _refuse_closed(self, ctx: ExerciseContext, turn: ExerciseTurn, round_: Round) -> None:
        """Refuse a press on a closed round; a points ballot left short is told it did not count.

        A participant who never finished their allocation would otherwise learn nothing: the
        round closed, their stored half-ballot was left out of the count, and the refusal only
        said "closed". Reading their own answers shows only them what they stored.
        """
        if round_.kind == RoundKind.POINTS:
            stored = await ctx.service.own_answers(round_.id, ctx.participant_key(turn, round_.workshop_id))
            given = sum(stored.values())
            if stored and given != self._budget(round_):
                raise DomainError(
                    "prio.error.closed_incomplete",
                    given=given,
                    budget=self._budget(round_),
                    unit=self._unit(round_, turn.lang),
                )
        raise DomainError("error.round_closed")

    # --- results ------------------------------------------------------------------------
    async def _names(self, ctx: ExerciseContext, round_: Round, lang: Language) -> dict[int, str]:
        """Principle names in ``lang`` where the process has them, else the round's own text."""
        process = await process_of(ctx, round_)
        principles = {p.key: p for p in process.principles} if process else {}
        names: dict[int, str] = {}
        for item in round_.items:
            principle = principles.get(item.ref_key)
            if principle is not None and lang == Language.EN and principle.name_en:
                names[item.id] = principle.name_en
            elif principle is not None and lang == Language.SV:
                names[item.id] = principle.name
            else:
                names[item.id] = item.text
        return names

    async def _count(self, ctx: ExerciseContext, round_: Round) -> _Counted | None:
        """Valid ballots counted under the disclosure rule; ``None`` when nobody answered."""
        grouped = await ctx.service.frozen_ballots(round_.id)
        if not grouped:
            return None
        item_ids = [item.id for item in round_.items]
        top_k = self._top_k(round_) if round_.kind == RoundKind.RANKING else None
        budget = self._budget(round_) if round_.kind == RoundKind.POINTS else None
        valid: dict[SectorKey, list[dict[int, int]]] = {}
        excluded = 0
        for sector, ballots in grouped.items():
            for ballot in ballots:
                try:
                    validate_ballot(round_.kind, ballot, item_ids, top_k=top_k, budget=budget)
                except DomainError:
                    excluded += 1  # e.g. points not all given out yet
                    continue
                valid.setdefault(sector, []).append(ballot)
        frame = await ctx.service.result_frame(round_)
        split = split_by_sector(
            round_.kind,
            valid,
            item_ids,
            top_k=top_k,
            budget=budget,
            min_group_size=frame.min_group_size,
            sectors=frame.sectors,
        )
        included = [b for key in split.disclosure.included for b in known_groups(valid, frame.sectors)[key]]
        partial = sum(1 for b in included if top_k is not None and len(b) < top_k)
        return _Counted(split, sum(len(b) for b in valid.values()), excluded, partial, frame)

    async def tally_note(self, ctx: ExerciseContext, round_: Round, lang: Language) -> str | None:
        """How many stored points ballots are not complete yet (they would not count at close).

        Shown in the room's live tally so the facilitator can give people time before closing;
        it is a count only, never who.
        """
        if round_.kind != RoundKind.POINTS or round_.status != RoundStatus.OPEN:
            return None
        budget = self._budget(round_)
        grouped = await ctx.service.ballots_by_sector(round_.id)
        short = sum(1 for ballots in grouped.values() for ballot in ballots if sum(ballot.values()) != budget)
        if not short:
            return None
        return t_count("prio.tally.incomplete", lang, short, budget=budget, unit=self._unit(round_, lang))

    def _score(self, result: PriorityResult, item: int, lang: Language) -> str:
        """The headline number in words: Borda per participant (as charted), points or share."""
        if result.kind == RoundKind.APPROVAL:
            value = percent_text(result.score(item), lang)
        elif result.kind == RoundKind.RANKING:
            value = number_text(result.score_per_ballot(item), lang)
        else:
            value = number_text(result.score(item), lang, trim=True)
        return t(f"prio.results.score.{result.measure}", lang, value=value)

    @staticmethod
    def _support(result: PriorityResult, names: Mapping[int, str], lang: Language) -> str:
        """The pairwise figures as support for the deciding number: Schulze's first place (shared
        when Schulze ties) and the Condorcet winner, if there is one."""
        first = result.schulze_ranking[0] if result.schulze_ranking else ()
        condorcet = (
            t("prio.results.condorcet", lang, name=names[result.condorcet_winner])
            if result.condorcet_winner is not None
            else t("prio.results.no_condorcet", lang)
        )
        key = "prio.results.support" if len(first) == 1 else "prio.results.support_tie"
        return t(key, lang, names=", ".join(names[i] for i in first), condorcet=condorcet)

    def _summary(self, round_: Round, counted: _Counted, names: Mapping[int, str], lang: Language) -> str:
        result = counted.result
        assert result is not None
        disclosure = counted.split.disclosure
        lines = [
            t("prio.results.header", lang, title=round_.title, n=result.n_ballots),
            t(f"prio.results.decides.{result.measure}", lang),
        ]
        if disclosure.residue:
            lines[0] += t("disclosure.left_out_line", lang, n=disclosure.residue, min=disclosure.minimum)
        first = winners(result)
        lines.append(
            t(
                "prio.results.winner" if len(first) == 1 else "prio.results.winner_tie",
                lang,
                names=", ".join(names[i] for i in first),
                score=self._score(result, first[0], lang),
            )
        )
        lines.append(self._support(result, names, lang))
        lines.append(t("prio.results.top", lang))
        for place, item in enumerate(result.order[:TOP_LINES], start=1):
            lines.append(
                t(
                    "prio.results.line",
                    lang,
                    place=place,
                    name=names[item],
                    score=self._score(result, item, lang),
                )
            )
        if counted.partial:
            lines.append(
                t_count("prio.results.partial_rankings", lang, counted.partial, k=self._top_k(round_))
            )
        if counted.excluded:
            if round_.kind == RoundKind.POINTS:
                lines.append(
                    t_count(
                        "prio.results.incomplete_points",
                        lang,
                        counted.excluded,
                        budget=self._budget(round_),
                        unit=self._unit(round_, lang),
                    )
                )
            else:
                lines.append(t_count("prio.results.invalid", lang, counted.excluded))
        differences = sector_differences(counted.by_sector)
        short = group_names(counted.frame.sectors, lang, short=True)
        if differences and differences[0].spread > 0:
            top = differences[0]
            lines.append(
                t(
                    "prio.results.sector_difference",
                    lang,
                    name=names[top.item],
                    high=short[top.highest],
                    low=short[top.lowest],
                )
            )
        elif not counted.split.compared:
            lines.append(self._not_compared(counted, lang))
        return "\n".join(lines)

    @staticmethod
    def _not_compared(counted: _Counted, lang: Language) -> str:
        """Why the sectors are not compared: each group with ballots and its true reason."""
        disclosure = counted.split.disclosure
        names = group_names(counted.frame.sectors, lang)
        parts = [
            f"{names[key]}: {hidden_text(reason, False, lang)}" for key, reason in disclosure.hidden.items()
        ]
        parts += [f"{names[key]}: {t('hidden.only_group', lang)}" for key in disclosure.shown]
        line = t("prio.results.not_compared", lang, min=disclosure.minimum)
        return f"{line} {'; '.join(parts)}." if parts else line

    def _unusable(self, round_: Round, counted: _Counted, lang: Language) -> str:
        """Why a round has no result to show: no complete ballot, or fewer than the minimum."""
        if not counted.valid:
            return t_count("prio.results.only_incomplete", lang, counted.excluded)
        line = t(
            "prio.results.too_few",
            lang,
            note=t("disclosure.too_few_overall", lang, n=counted.valid, min=counted.min_group_size),
        )
        if counted.excluded and round_.kind == RoundKind.POINTS:
            line += "\n" + t_count(
                "prio.results.incomplete_points",
                lang,
                counted.excluded,
                budget=self._budget(round_),
                unit=self._unit(round_, lang),
            )
        return line

    async def results(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Output]:
        """Summary text, ranked bars, the sector split (when compared) and the pairwise matrix."""
        counted = await self._count(ctx, round_)
        if counted is None:
            return [Post(t("round.no_answers", lang))]
        if counted.result is None:
            return [Post(self._unusable(round_, counted, lang))]
        result = counted.result
        names = await self._names(ctx, round_, lang)
        title = t("prio.title", lang)
        outputs: list[Output] = [Post(self._summary(round_, counted, names, lang))]
        png = await ctx.renderer.render(ranked_bars_figure, result, names, lang, title)
        outputs.append(
            Image(
                png,
                t("prio.caption.bars", lang, title=round_.title, n=result.n_ballots),
                f"prio-{round_.id}-ranking.png",
                alt=ranking_alt(result.order, names, result.n_ballots, lang),
            )
        )
        if counted.split.compared:
            note = left_out_text(counted.split.disclosure, lang)
            png = await ctx.renderer.render(
                _sector_chart,
                counted.by_sector,
                names,
                lang,
                title,
                result.order,
                group_names(counted.frame.sectors, lang),
                note,
            )
            outputs.append(
                Image(
                    png,
                    t("prio.caption.sectors", lang, note=note),
                    f"prio-{round_.id}-sectors.png",
                    alt=sectors_alt(
                        list(counted.by_sector), group_names(counted.frame.sectors, lang, short=True), lang
                    ),
                )
            )
        if round_.kind == RoundKind.RANKING:
            png = await ctx.renderer.render(_pairwise_chart, result.pairwise, names, lang, result.n_ballots)
            outputs.append(
                Image(
                    png,
                    t("prio.chart.pairwise.caption", lang),
                    f"prio-{round_.id}-pairwise.png",
                    alt=pairwise_alt(lang),
                )
            )
        return outputs

    async def tables(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
        """The export's tables, or none where the round publishes no result (the report's text says why)."""
        try:
            return await self._tables(ctx, round_, lang)
        except DomainError:
            return []

    async def _tables(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
        """The aggregate tables; DomainError (why) where the round has no result to export."""
        counted = await self._count(ctx, round_)
        if counted is None:
            raise DomainError("round.no_answers")
        if not counted.valid:
            raise DomainError(
                count_key("prio.results.only_incomplete", counted.excluded), count=counted.excluded
            )
        if counted.result is None:
            raise DomainError("prio.error.too_few_to_export", n=counted.valid, min=counted.min_group_size)
        names = await self._names(ctx, round_, lang)
        by_sector = counted.by_sector if counted.split.compared else None
        tables: list[Table] = export_tables(
            counted.result,
            by_sector,
            names,
            lang,
            names=group_names(counted.frame.sectors, lang),
            note=left_out_text(counted.split.disclosure, lang),
        )
        if counted.excluded:
            tables[0].rows.append([t("prio.export.excluded", lang), counted.excluded])
        if counted.split.disclosure.residue:
            tables[0].rows.append([t("prio.export.left_out", lang), counted.split.disclosure.residue])
        return tables

    async def export(self, ctx: ExerciseContext, round_: Round, lang: Language) -> list[Attachment]:
        """Aggregate tables as CSV and XLSX (no row per person)."""
        tables = [*await self._tables(ctx, round_, lang), *await annex_tables(ctx, round_, lang)]
        caption = t("export.caption", lang, number=round_.id)
        stem = f"{t('prio.export.filename', lang)}-{round_.id}"
        return [
            Attachment(f"{stem}.csv", to_csv(tables, lang), "text/csv", caption),
            Attachment(
                f"{stem}.xlsx",
                to_xlsx(tables, round_.closed_at),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                caption,
            ),
        ]

    # --- local-mode simulation ----------------------------------------------------------
    def simulated_presses(
        self, round_: Round, decoded: DecodedButtons, lean: Sequence[float], rng: random.Random
    ) -> list[str]:
        """The button data one simulated person presses for a plausible complete ballot.

        ``lean`` (one number per principle position) biases the choice so sectors differ.
        """
        settings = round_.settings
        by_action: dict[str, dict[int, str]] = {}
        for button, parsed in decoded:
            if parsed is None or parsed[0] not in _ITEM_ACTIONS or len(parsed[1]) != 2:
                continue
            by_action.setdefault(parsed[0], {}).setdefault(parsed[1][1], button.data)
        if not lean:
            lean = [0.0]

        def preference(buttons: dict[int, str], noise: float) -> list[int]:
            items = sorted(buttons)
            score = {item: lean[pos % len(lean)] + rng.gauss(0.0, noise) for pos, item in enumerate(items)}
            return sorted(items, key=lambda item: -score[item])

        if RANK in by_action:
            buttons = by_action[RANK]
            k = min(int(settings.get("top_k") or len(buttons)), len(buttons))
            return [buttons[item] for item in preference(buttons, 1.0)[:k]]
        if PLUS in by_action:
            buttons = by_action[PLUS]
            budget = int(settings.get("budget", DEFAULT_BUDGET))
            step = int(settings.get("step") or points_step(budget))
            favourites = preference(buttons, 1.2)[: rng.randint(min(3, len(buttons)), min(6, len(buttons)))]
            weights = [math.exp(-0.4 * rank) for rank in range(len(favourites))]
            taps = [rng.choices(favourites, weights)[0] for _ in range(math.ceil(budget / step))]
            return [buttons[item] for item in taps]
        if MARK in by_action:
            buttons = by_action[MARK]
            count = rng.randint(min(2, len(buttons)), min(5, len(buttons)))
            return [buttons[item] for item in preference(buttons, 0.8)[:count]]
        return []


def _sector_chart(
    by_sector: Mapping[SectorKey, SectorResult],
    names: Mapping[int, str],
    lang: Language,
    title: str,
    order: Sequence[int],
    group_names: Mapping[SectorKey, str],
    note: str,
) -> Any:
    """Module-level (picklable) wrapper: sector bars in the overall order."""
    return sector_figure(by_sector, names, lang, title, order=order, names=group_names, note=note)


def _pairwise_chart(
    matrix: Mapping[int, Mapping[int, int]], names: Mapping[int, str], lang: Language, n: int
) -> Any:
    """Module-level (picklable) wrapper: the pairwise matrix with n in the heading."""
    return pairwise_figure(dict(matrix), names, lang, n=n)  # type: ignore[arg-type]
