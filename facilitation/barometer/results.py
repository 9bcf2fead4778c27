"""Barometer results in the chat: text summary, charts and exports of a round.

Everything a result shows is computed once into a :class:`BarometerReport` (with the effective
minimum group size of the round's process), so the summary, the charts and the export hide
exactly the same sector groups and rank the statements the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from facilitation.barometer.alt_text import consensus_alt, diverging_alt, room_alt, sector_alt
from facilitation.barometer.analysis import (
    Consensus,
    Side,
    Significance,
    Skew,
    consensus_statements,
    most_divided,
    sector_differences_tested,
    skewed_panels,
)
from facilitation.barometer.export import export_tables, left_out_note, overall_note
from facilitation.barometer.metrics import (
    Division,
    SectorBreakdown,
    StatementStats,
    dividing_statements,
    sector_stats,
    statement_stats,
)
from facilitation.errors import DomainError
from facilitation.exercises import ExerciseContext, ExerciseTurn, Image, Output, Post, annex_tables
from facilitation.export import Table, to_csv, to_xlsx
from facilitation.groups import GroupKey, group_names
from facilitation.i18n import number_text, percent_text, t
from facilitation.input_rules import id_number, whole_number
from facilitation.model import (
    DEFAULT_SECTORS,
    Language,
    ResultFrame,
    Round,
    RoundKind,
    RoundStatus,
    SectorDef,
)
from facilitation.ports import Attachment
from facilitation.rendering import lazy_chart
from facilitation.suppression import Hidden

# Named, not imported: only the chart worker loads the chart module and matplotlib (see facilitation.rendering).
_CHARTS = "facilitation.barometer.charts"
consensus_figure = lazy_chart(_CHARTS, "consensus_figure")
diverging_figure = lazy_chart(_CHARTS, "diverging_figure")
room_figure = lazy_chart(_CHARTS, "room_figure")
sector_figure = lazy_chart(_CHARTS, "sector_figure")


@dataclass(frozen=True)
class BarometerReport:
    """The aggregates of one barometer round, ready for text, charts and export.

    ``breakdowns`` hold what the disclosure rule lets each statement publish (see
    :func:`facilitation.suppression.disclose`); ``stats`` are their overall results (the stats of
    no answers where the room is below the minimum). ``divisions`` ranks the statements by how
    much the *shown* panels differ; ``earlier`` holds the comparison round's published overall
    results matched to this round's statements (``None`` where a statement was not asked then)
    and is ``None`` altogether without a comparison. ``significance`` holds the permutation test of
    every compared statement (Holm-adjusted over the round), ``consensus`` the statements every
    shown panel agrees (or disagrees) on, strongest first (:mod:`facilitation.barometer.analysis`).
    """

    round_id: int
    title: str
    texts: list[str]
    numbers: list[int]
    steps: int
    stats: list[StatementStats]
    breakdowns: list[SectorBreakdown]
    divisions: list[Division]
    min_group_size: int
    sectors: tuple[SectorDef, ...] = DEFAULT_SECTORS
    current_position: int | None = None
    earlier: list[StatementStats | None] | None = None
    earlier_round: int | None = None
    significance: dict[int, Significance] = field(default_factory=dict)
    consensus: dict[Side, list[Consensus[GroupKey]]] = field(default_factory=dict)
    #: The round offered "Vet inte / berör inte oss": its count and share are shown beside n.
    dont_know: bool = False
    #: Statements a step-by-step round never showed (closed early): named once, never listed with n = 0.
    never_shown: tuple[int, ...] = ()

    def names(self, lang: Language) -> dict[GroupKey, str]:
        return group_names(self.sectors, lang)

    @property
    def labels(self) -> list[str]:
        """The statements as the charts name them: with their catalogue numbers ("3. Vi i …")."""
        return [f"{number}. {text}" for number, text in zip(self.numbers, self.texts, strict=True)]


async def _breakdowns(ctx: ExerciseContext, round_: Round) -> tuple[list[SectorBreakdown], ResultFrame]:
    """Every statement of ``round_`` under the disclosure rule, with the frame it was judged by."""
    values = await ctx.service.sector_values(round_.id)
    frame = await ctx.service.result_frame(round_)
    return [sector_stats(v, round_.scale_steps, frame.min_group_size, frame.sectors) for v in values], frame


def compared_panels(breakdowns: Sequence[SectorBreakdown]) -> list[dict[GroupKey, StatementStats]]:
    """Per statement the panels shown side by side, or nothing where the groups are not compared."""
    return [b.shown if b.compared else {} for b in breakdowns]


def shown_items(round_: Round) -> int:
    """How many of the round's statements were ever shown: all, or in a step-by-step round those
    up to the one on screen (a round closed early never showed the rest)."""
    return len(round_.items) if round_.current_position is None else round_.current_position + 1


async def barometer_report(ctx: ExerciseContext, round_: Round) -> BarometerReport:
    """Aggregate ``round_`` with the effective minimum group size and sectors of its process.

    Statements a step-by-step round never showed are left out of everything but one sentence.
    """
    breakdowns, frame = await _breakdowns(ctx, round_)
    shown_count = shown_items(round_)
    breakdowns = breakdowns[:shown_count]
    items = round_.items[:shown_count]
    texts = [item.text for item in items]
    earlier_round, earlier = await _earlier_round(ctx, round_, frame.min_group_size)
    earlier = earlier[:shown_count] if earlier is not None else None
    shown = compared_panels(breakdowns)
    # thousands of permutations per statement: off the event loop, so votes never wait for them
    significance = await asyncio.to_thread(sector_differences_tested, shown, round_.id)
    return BarometerReport(
        round_id=round_.id,
        title=round_.title,
        texts=texts,
        numbers=[item.number for item in items],
        steps=round_.scale_steps,
        stats=[b.overall for b in breakdowns],
        breakdowns=breakdowns,
        divisions=dividing_statements(breakdowns, texts),
        min_group_size=frame.min_group_size,
        sectors=frame.sectors,
        current_position=round_.current_position,
        earlier=earlier,
        earlier_round=earlier_round,
        significance=significance,
        consensus=consensus_statements(shown),
        dont_know=round_.dont_know,
        never_shown=tuple(item.number for item in round_.items[shown_count:]),
    )


async def _earlier_round(
    ctx: ExerciseContext, round_: Round, minimum: int
) -> tuple[int | None, list[StatementStats | None] | None]:
    """The comparison round's id and its published overall results, matched by key or text.

    The earlier round is judged by its own frozen disclosure rule, so the comparison shows exactly
    what that round published itself (an overall result below its minimum stays hidden), and no
    more: a result it published with fewer answers than this round's ``minimum`` is not shown
    either (the stats of no answers: "too few"), so neither round shows a group below the
    minimum of the other.
    """
    if round_.compare_round_id is None:
        return None, None
    earlier = await ctx.service.store.round(round_.compare_round_id)
    if earlier is None or earlier.status != RoundStatus.CLOSED:
        return None, None
    breakdowns, _ = await _breakdowns(ctx, earlier)
    by_key = {
        item.ref_key or item.text: b.overall
        if b.overall.n >= minimum
        else statement_stats([], b.overall.steps)
        for item, b in zip(earlier.items, breakdowns, strict=True)
    }
    return earlier.id, [by_key.get(item.ref_key or item.text) for item in round_.items]


def _pct(share: float | None) -> str:
    return "–" if share is None else percent_text(share)


def _decimal(value: float | None, lang: Language) -> str:
    return "–" if value is None else number_text(value, lang)


def _statement_lines(report: BarometerReport, lang: Language) -> list[str]:
    """One line per statement: n, mean, share agreeing — or why the room's result is not shown."""
    lines = []
    for number, text, s, b in zip(report.numbers, report.texts, report.stats, report.breakdowns, strict=True):
        note = overall_note(b, lang) if b.disclosure.total else t("barometer.chart.no_answers", lang)
        if note is not None:
            lines.append(t("results.barometer_line_hidden", lang, number=number, text=text, note=note))
            continue
        line = t(
            "results.barometer_line",
            lang,
            number=number,
            text=text,
            n=s.n,
            mean=_decimal(s.mean, lang),
            agree=_pct(s.share_agree),
        )
        if report.dont_know:
            line += dont_know_text("barometer.dont_know.line", b.dont_know, s.n, lang)
        if b.disclosure.residue:
            line += t("disclosure.left_out_line", lang, n=b.disclosure.residue, min=report.min_group_size)
        lines.append(line)
    return lines


def dont_know_text(key: str, k: int, n: int, lang: Language) -> str:
    """ "Vet inte" as a count and a share of all answers (scale answers ``n`` plus ``k``)."""
    total = n + k
    return t(key, lang, k=k, total=total, share=_pct(k / total if total else 0.0))


def _reason_lines(report: BarometerReport, lang: Language) -> str:
    """Why no statement compares the sectors: each group with answers and its true reason."""
    reasons: dict[GroupKey, Hidden | None] = {}
    for breakdown in report.breakdowns:
        for key, reason in breakdown.disclosure.hidden.items():
            if reasons.get(key) is not Hidden.PROTECTS:
                reasons[key] = reason
        for key in breakdown.disclosure.shown:
            reasons.setdefault(key, None)
    names = report.names(lang)
    parts = [
        f"{names[key]}: " + (t(f"hidden.{reason.value}", lang) if reason else t("hidden.only_group", lang))
        for key, reason in sorted(reasons.items(), key=lambda e: list(names).index(e[0]))
    ]
    return "; ".join(parts)


def _dividing_lines(report: BarometerReport, lang: Language) -> list[str]:
    """The whole ranking of statements by sector difference, one short line each.

    Only shown panels appear (a hidden group's mean is never printed); statements whose groups
    are not compared are named at the end so nobody wonders where they went.
    """
    if not report.divisions:
        line = t("barometer.results.dividing.none", lang, min=report.min_group_size)
        detail = _reason_lines(report, lang)
        return [f"{line} {detail}." if detail else line]
    names = group_names(report.sectors, lang, short=True)
    lines = [t("barometer.results.dividing.header", lang)]
    for division in report.divisions:
        means = " · ".join(f"{names[key]} {_decimal(mean, lang)}" for key, mean in division.means.items())
        line = t("barometer.results.dividing.line", lang, number=report.numbers[division.index], means=means)
        tested = report.significance.get(division.index)
        if tested is not None:
            verdict = "beyond" if tested.beyond_chance else "within"
            line += " – " + t(f"barometer.results.chance.{verdict}", lang, p=p_text(tested.adjusted, lang))
        lines.append(line)
    ranked = {d.index for d in report.divisions}
    left_out = [str(number) for i, number in enumerate(report.numbers) if i not in ranked]
    if left_out:
        lines.append(t("barometer.results.dividing.left_out", lang, numbers=", ".join(left_out)))
    if report.significance and not any(s.beyond_chance for s in report.significance.values()):
        lines.append(t("barometer.results.chance.none", lang))
    lines.append(t("barometer.results.chance.method", lang))
    return lines


def p_text(p: float, lang: Language) -> str:
    """A p-value to three decimals ("0,004"), or "< 0,001" below what three decimals show."""
    return f"< {number_text(0.001, lang, digits=3)}" if p < 0.001 else number_text(p, lang, digits=3)


def side_shares(entry: Consensus[GroupKey], names: Mapping[GroupKey, str], lang: Language) -> str:
    """Each panel's share on the agreed side: "idéburen sektor 80 % · offentlig sektor 70 %"."""
    return " · ".join(
        f"{names[key]} {_pct(counts.share(entry.side))} %" for key, counts in entry.panels.items()
    )


def _consensus_lines(report: BarometerReport, lang: Language) -> list[str]:
    """ "Här är sektorerna överens": agreed statements, then disagreed ones, strongest first.

    Only when some statement compares sectors; the panels are those shown side by side.
    """
    if not report.divisions:
        return []
    entries = [*report.consensus.get(Side.AGREE, []), *report.consensus.get(Side.DISAGREE, [])]
    if not entries:
        return [t("barometer.results.consensus.none", lang)]
    names = group_names(report.sectors, lang, short=True)
    lines = [t("barometer.results.consensus.header", lang)]
    for entry in entries:
        lines.append(
            t(
                f"barometer.results.consensus.{entry.side.value}",
                lang,
                number=report.numbers[entry.index],
                shares=side_shares(entry, names, lang),
                score=number_text(entry.score, lang, digits=2),
            )
        )
    return lines


def skews(report: BarometerReport) -> list[Skew[GroupKey]]:
    return skewed_panels(compared_panels(report.breakdowns))


def _skew_lines(report: BarometerReport, lang: Language) -> list[str]:
    """ "Idéburen sektor: 8 av 30 svar" for every compared panel far below an even share."""
    names = report.names(lang)
    return [
        t(
            "barometer.results.skew",
            lang,
            name=names[skew.key],
            n=skew.n,
            total=skew.total,
            even=number_text(skew.even, lang, trim=True),
        )
        for skew in skews(report)
    ]


def _comparison_lines(report: BarometerReport, lang: Language) -> list[str]:
    """Per statement the mean then → now and n then → now (agree share if the scale changed)."""
    if report.earlier is None:
        return []
    lines = [t("barometer.results.compare.header", lang, number=report.earlier_round)]
    for index, now, before in zip(report.numbers, report.stats, report.earlier, strict=True):
        if before is None:
            lines.append(t("barometer.results.compare.new", lang, number=index, earlier=report.earlier_round))
        elif not before.n or not now.n:
            lines.append(
                t("barometer.results.compare.too_few", lang, number=index, earlier=report.earlier_round)
            )
        elif before.steps == now.steps:
            lines.append(
                t(
                    "barometer.results.compare.line",
                    lang,
                    number=index,
                    before=_decimal(before.mean, lang),
                    after=_decimal(now.mean, lang),
                    n_before=before.n,
                    n_after=now.n,
                )
            )
        else:
            lines.append(
                t(
                    "barometer.results.compare.line_agree",
                    lang,
                    number=index,
                    before=_pct(before.share_agree),
                    after=_pct(now.share_agree),
                    n_before=before.n,
                    n_after=now.n,
                )
            )
    return lines


def summary_text(report: BarometerReport, lang: Language) -> str:
    """Statements with n, mean and share agreeing; the sector ranking; the change since before."""
    never = (
        [t("barometer.results.never_shown", lang, numbers=", ".join(str(n) for n in report.never_shown))]
        if report.never_shown
        else []
    )
    return "\n".join(
        [
            *_statement_lines(report, lang),
            *never,
            *_skew_lines(report, lang),
            *_dividing_lines(report, lang),
            *_consensus_lines(report, lang),
            *_comparison_lines(report, lang),
        ]
    )


def least_agreed_statement(stats: Sequence[StatementStats]) -> int | None:
    """The statement with the lowest agreement A (van der Eijk), first on ties; ``None`` if nobody
    answered anything. It is called "most divided" only when the room is polarised there
    (:func:`facilitation.barometer.analysis.most_divided`)."""
    answered = [(s.agreement, i) for i, s in enumerate(stats) if s.agreement is not None]
    return min(answered)[1] if answered else None


async def _room_output(
    ctx: ExerciseContext,
    round_id: int,
    number: int,
    text: str,
    breakdown: SectorBreakdown,
    caption_key: str,
    lang: Language,
) -> Output:
    """The "where the room stands" chart of statement ``number`` (its catalogue number), or, when
    the room's answers to it are too few to show, a sentence saying so."""
    note = overall_note(breakdown, lang)
    if note is not None:
        return Post(t("barometer.room.too_few", lang, number=number, note=note))
    stats = breakdown.overall
    png = await ctx.renderer.render(room_figure, f"{number}. {text}", stats, stats.steps, lang)
    caption = t(caption_key, lang, number=number, text=text)
    if breakdown.disclosure.residue:
        caption += t(
            "disclosure.left_out_line", lang, n=breakdown.disclosure.residue, min=breakdown.min_group_size
        )
    return Image(png, caption, f"barometer-{round_id}-rummet-{number}.png", alt=room_alt(number, stats, lang))


async def barometer_results(ctx: ExerciseContext, round_: Round, lang: Language) -> list[Output]:
    """Summary text, the diverging chart, the sector split and one "where the room stands" view.

    The room view shows the statement on screen in step mode, otherwise the statement that
    divides the room the most — only a polarised statement divides it
    (:func:`facilitation.barometer.analysis.most_divided`); a room that agrees everywhere gets the
    statement with the lowest agreement, said as such. Any other statement can be drawn with
    :func:`room_view`. The consensus chart ("Här är sektorerna överens") follows the sector split
    when some statement is agreed (or disagreed) by every shown panel. No chart is posted that would have nothing to show: without any
    statement above the minimum there is only the text, and the sector split only when some
    statement compares at least two panels.
    """
    report = await barometer_report(ctx, round_)
    if all(not b.disclosure.total for b in report.breakdowns):
        return [Post(t("round.no_answers", lang))]
    outputs: list[Output] = [Post(summary_text(report, lang))]
    if not any(b.disclosure.overall for b in report.breakdowns):
        return outputs
    title = report.title
    notes = [
        overall_note(b, lang) if b.disclosure.total else t("barometer.chart.no_answers", lang)
        for b in report.breakdowns
    ]
    left_out = (
        left_out_note(report.breakdowns, lang)
        if any(b.disclosure.residue and b.disclosure.overall for b in report.breakdowns)
        else None
    )
    unsure = [b.dont_know for b in report.breakdowns] if report.dont_know else None
    png = await ctx.renderer.render(
        diverging_figure,
        report.labels,
        report.stats,
        report.steps,
        lang,
        title,
        report.earlier,
        notes,
        left_out,
        unsure,
    )
    outputs.append(
        Image(
            png,
            t("results.chart_caption", lang, title=title),
            f"barometer-{round_.id}.png",
            alt=diverging_alt(report.numbers, report.breakdowns, lang),
        )
    )
    if any(b.compared for b in report.breakdowns):
        note = left_out_note(report.breakdowns, lang)
        png = await ctx.renderer.render(
            sector_figure,
            report.labels,
            report.breakdowns,
            report.steps,
            lang,
            title,
            report.names(lang),
            note,
            report.dont_know,
        )
        outputs.append(
            Image(
                png,
                t("results.sector_caption", lang, note=note),
                f"barometer-{round_.id}-sektorer.png",
                alt=sector_alt(
                    report.numbers,
                    report.breakdowns,
                    report.divisions,
                    group_names(report.sectors, lang, short=True),
                    lang,
                ),
            )
        )
    if any(report.consensus.values()):
        png = await ctx.renderer.render(
            consensus_figure,
            report.labels,
            report.consensus,
            report.names(lang),
            lang,
            t("barometer.chart.consensus_title", lang),
        )
        outputs.append(
            Image(
                png,
                t("barometer.results.consensus.header", lang),
                f"barometer-{round_.id}-overens.png",
                alt=consensus_alt(report.numbers, report.consensus, lang),
            )
        )
    position, key = _room_choice(report)
    if position is not None:
        outputs.append(
            await _room_output(
                ctx,
                report.round_id,
                report.numbers[position],
                report.texts[position],
                report.breakdowns[position],
                key,
                lang,
            )
        )
    return outputs


def _room_choice(report: BarometerReport) -> tuple[int | None, str]:
    """Which statement the results draw "where the room stands" for, and the caption's text key."""
    current = report.current_position
    if current is not None and current < len(report.stats) and report.stats[current].n:
        return current, "barometer.room.caption"  # a statement nobody answered gets no empty picture
    divided = most_divided(report.stats)
    if divided is not None:
        return divided, "barometer.room.caption_most_divided"
    return least_agreed_statement(report.stats), "barometer.room.caption_not_divided"


async def room_view(ctx: ExerciseContext, round_: Round, number: int, lang: Language) -> list[Output]:
    """ "Where the room stands" on statement ``number`` (its catalogue number, as posted) of a closed
    barometer round, or on a statement an open step-by-step round has already moved past (its
    answers are final).

    Refused (DomainError) for another kind of round, a statement of an open round that can still
    be answered (a picture before and after one press would show that press) or a statement the
    round does not have. It shows the same overall result as the round's other outputs.
    """
    if round_.kind != RoundKind.BAROMETER:
        raise DomainError("barometer.error.no_barometer")
    item = next((it for it in round_.items if it.number == number), None)
    if item is None:
        raise DomainError(
            "barometer.error.no_statement",
            round=round_.id,
            number=number,
            numbers=", ".join(str(it.number) for it in round_.items),
        )
    position = item.position
    # Stepping on (/nasta) closes a statement to answers, so its picture can no longer change.
    passed = round_.current_position is not None and position < round_.current_position
    if round_.status != RoundStatus.CLOSED and not (round_.status == RoundStatus.OPEN and passed):
        raise DomainError("barometer.error.room_not_closed", round=round_.id)
    breakdowns, _ = await _breakdowns(ctx, round_)
    return [
        await _room_output(
            ctx, round_.id, item.number, item.text, breakdowns[position], "barometer.room.caption", lang
        )
    ]


async def _room_round(ctx: ExerciseContext, turn: ExerciseTurn, round_arg: str | None) -> Round:
    """The round ``/rummet`` draws: the one named, else an open step-by-step barometer, else the
    workshop's latest closed barometer."""
    workshop = await ctx.bound_workshop(turn)
    if round_arg is not None:
        if not round_arg.lstrip("#").isdigit():
            raise DomainError("error.bad_args", usage=t("barometer.usage.room", turn.lang))
        round_id = id_number(round_arg)
        if round_id is None:
            raise DomainError("error.no_round")
        round_ = await ctx.service.require_round(round_id)
        if round_.workshop_id != workshop.id:
            raise DomainError("error.no_round")
        return round_
    rounds = [r for r in await ctx.service.store.rounds(workshop.id) if r.kind == RoundKind.BAROMETER]
    stepping = [r for r in rounds if r.status == RoundStatus.OPEN and r.current_position is not None]
    if stepping:
        return stepping[-1]
    closed = [r for r in rounds if r.status == RoundStatus.CLOSED]
    if not closed:
        raise DomainError("barometer.error.no_barometer")
    return max(closed, key=lambda r: r.id)


async def cmd_room(ctx: ExerciseContext, turn: ExerciseTurn, args: tuple[str, ...]) -> None:
    """``/rummet NR [omgång]``: the "where the room stands" chart of statement NR, posted here."""
    number = whole_number(args[0]) if 1 <= len(args) <= 2 else None
    if number is None:
        raise DomainError("error.bad_args", usage=t("barometer.usage.room", turn.lang))
    round_ = await _room_round(ctx, turn, args[1] if len(args) == 2 else None)
    outputs = await room_view(ctx, round_, number, turn.lang)
    await ctx.post_outputs(turn.port, turn.chat, outputs)


async def barometer_export(ctx: ExerciseContext, round_: Round, lang: Language) -> list[Attachment]:
    """CSV and XLSX of a closed round's aggregates (no per-person rows), with the sector ranking
    and, if the round was compared with an earlier one, the change per statement."""
    tables = [*await barometer_tables(ctx, round_, lang), *await annex_tables(ctx, round_, lang)]
    caption = t("export.caption", lang, number=round_.id)
    return [
        Attachment(f"barometer-{round_.id}.csv", to_csv(tables, lang), "text/csv", caption),
        Attachment(
            f"barometer-{round_.id}.xlsx",
            to_xlsx(tables, round_.closed_at),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            caption,
        ),
    ]


async def barometer_tables(ctx: ExerciseContext, round_: Round, lang: Language) -> list[Table]:
    """The aggregate tables of a closed round (what the CSV, the XLSX and the workshop report hold)."""
    report = await barometer_report(ctx, round_)
    return export_tables(
        report.texts,
        report.stats,
        report.breakdowns,
        report.steps,
        lang,
        names=report.names(lang),
        divisions=report.divisions,
        earlier=report.earlier,
        earlier_round=report.earlier_round,
        numbers=report.numbers,
        significance=report.significance,
        consensus=report.consensus,
        dont_know=report.dont_know,
    )
