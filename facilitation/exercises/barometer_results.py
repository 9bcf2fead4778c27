"""Barometer results for the conversation: text summary, charts and exports of a round.

Everything a result shows is computed once into a :class:`BarometerReport` (with the effective
minimum group size of the round's process), so the summary, the charts and the export hide
exactly the same sector groups and rank the statements the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from facilitation.barometer.charts import diverging_figure, room_figure, sector_figure
from facilitation.barometer.export import export_tables
from facilitation.barometer.metrics import (
    SECTORS,
    Division,
    SectorBreakdown,
    StatementStats,
    dividing_statements,
    sector_stats,
    statement_stats,
)
from facilitation.errors import DomainError
from facilitation.exercises import Image, Output, Post, min_group_size_of
from facilitation.export import to_csv, to_xlsx
from facilitation.i18n import number_text, percent_text, t
from facilitation.model import Language, Round, RoundKind, RoundStatus
from facilitation.ports import Attachment

if TYPE_CHECKING:
    from facilitation.conversation import Conversation, Turn


@dataclass(frozen=True)
class BarometerReport:
    """The aggregates of one barometer round, ready for text, charts and export.

    ``divisions`` ranks the statements by how much the *shown* sectors differ; ``earlier`` holds
    the comparison round's stats matched to this round's statements (``None`` where a statement
    was not asked then) and is ``None`` altogether without a comparison.
    """

    round_id: int
    title: str
    texts: list[str]
    steps: int
    stats: list[StatementStats]
    breakdowns: list[SectorBreakdown]
    divisions: list[Division]
    min_group_size: int
    current_position: int | None = None
    earlier: list[StatementStats | None] | None = None
    earlier_round: int | None = None


async def barometer_report(conv: Conversation, round_: Round) -> BarometerReport:
    """Aggregate ``round_`` with the effective minimum group size of its process."""
    values = await conv.service.sector_values(round_.id)
    steps = round_.scale_steps
    minimum = await min_group_size_of(conv, round_)
    earlier_round, earlier = await _earlier_round(conv, round_)
    return BarometerReport(
        round_id=round_.id,
        title=round_.title,
        texts=[item.text for item in round_.items],
        steps=steps,
        stats=[statement_stats(v.all_values, steps) for v in values],
        breakdowns=[sector_stats(v, steps, minimum) for v in values],
        divisions=dividing_statements(values, steps, minimum),
        min_group_size=minimum,
        current_position=round_.current_position,
        earlier=earlier,
        earlier_round=earlier_round,
    )


async def _earlier_round(conv: Conversation, round_: Round) -> tuple[int | None, list[StatementStats | None] | None]:
    """The comparison round's id and stats, matched to this round's statements by key or text."""
    if round_.compare_round_id is None:
        return None, None
    earlier = await conv.service.store.round(round_.compare_round_id)
    if earlier is None or earlier.status != RoundStatus.CLOSED:
        return None, None
    earlier_values = await conv.service.sector_values(earlier.id)
    by_key = {item.ref_key or item.text: statement_stats(v.all_values, earlier.scale_steps)
              for item, v in zip(earlier.items, earlier_values, strict=True)}
    return earlier.id, [by_key.get(item.ref_key or item.text) for item in round_.items]


def _pct(share: float | None) -> str:
    return "–" if share is None else percent_text(share)


def _decimal(value: float | None, lang: Language) -> str:
    return "–" if value is None else number_text(value, lang)


def _statement_lines(report: BarometerReport, lang: Language) -> list[str]:
    return [
        t("results.barometer_line", lang, number=i + 1, text=text, n=s.n, mean=_decimal(s.mean, lang),
          agree=_pct(s.share_agree))
        for i, (text, s) in enumerate(zip(report.texts, report.stats, strict=True))
    ]


def _dividing_lines(report: BarometerReport, lang: Language) -> list[str]:
    """The whole ranking of statements by sector difference, one short line each.

    Only shown sectors appear (a suppressed group's mean is never printed); statements without
    two shown sectors are named at the end so nobody wonders where they went.
    """
    if not report.divisions:
        return [t("barometer.results.dividing.none", lang, min=report.min_group_size)]
    lines = [t("barometer.results.dividing.header", lang)]
    for division in report.divisions:
        means = " · ".join(f"{t(f'barometer.sector_short.{s.value}', lang)} {_decimal(division.means[s], lang)}"
                           for s in SECTORS if s in division.means)
        lines.append(t("barometer.results.dividing.line", lang, number=division.index + 1, means=means))
    ranked = {d.index for d in report.divisions}
    left_out = [str(i + 1) for i in range(len(report.texts)) if i not in ranked]
    if left_out:
        lines.append(t("barometer.results.dividing.left_out", lang, numbers=", ".join(left_out)))
    return lines


def _comparison_lines(report: BarometerReport, lang: Language) -> list[str]:
    """Per statement the mean then → now and n then → now (agree share if the scale changed)."""
    if report.earlier is None:
        return []
    lines = [t("barometer.results.compare.header", lang, number=report.earlier_round)]
    for index, (now, before) in enumerate(zip(report.stats, report.earlier, strict=True), start=1):
        if before is None:
            lines.append(t("barometer.results.compare.new", lang, number=index, earlier=report.earlier_round))
        elif before.steps == now.steps:
            lines.append(t("barometer.results.compare.line", lang, number=index, before=_decimal(before.mean, lang),
                           after=_decimal(now.mean, lang), n_before=before.n, n_after=now.n))
        else:
            lines.append(t("barometer.results.compare.line_agree", lang, number=index,
                           before=_pct(before.share_agree), after=_pct(now.share_agree),
                           n_before=before.n, n_after=now.n))
    return lines


def summary_text(report: BarometerReport, lang: Language) -> str:
    """Statements with n, mean and share agreeing; the sector ranking; the change since before."""
    return "\n".join([*_statement_lines(report, lang), *_dividing_lines(report, lang),
                      *_comparison_lines(report, lang)])


def most_divided_statement(stats: Sequence[StatementStats]) -> int | None:
    """The statement whose room is most divided: lowest agreement A (van der Eijk), first on ties.

    A is 1 when everyone stands in one place and −1 when the room is split at both ends, so the
    lowest A is where the "where does the room stand" view has most to show. ``None`` if nobody
    answered anything.
    """
    answered = [(s.agreement, i) for i, s in enumerate(stats) if s.agreement is not None]
    return min(answered)[1] if answered else None


async def _room_image(conv: Conversation, round_id: int, position: int, text: str, stats: StatementStats,
                      steps: int, caption_key: str, lang: Language) -> Image:
    """The "where the room stands" chart of the statement at ``position`` (zero-based)."""
    png = await conv.renderer.render(room_figure, text, stats, steps, lang)
    caption = t(caption_key, lang, number=position + 1, text=text)
    return Image(png, caption, f"barometer-{round_id}-rummet-{position + 1}.png")


async def barometer_results(conv: Conversation, round_: Round, lang: Language) -> list[Output]:
    """Summary text, the diverging chart, the sector split and one "where the room stands" view.

    The room view shows the statement on screen in step mode, otherwise the statement that
    divides the room the most (:func:`most_divided_statement`); any other statement can be drawn
    with :func:`room_view`.
    """
    report = await barometer_report(conv, round_)
    if all(s.n == 0 for s in report.stats):
        return [Post(t("round.no_answers", lang))]
    outputs: list[Output] = [Post(summary_text(report, lang))]
    title = report.title
    png = await conv.renderer.render(diverging_figure, report.texts, report.stats, report.steps, lang, title,
                                     report.earlier)
    outputs.append(Image(png, t("results.chart_caption", lang, title=title), f"barometer-{round_.id}.png"))
    png = await conv.renderer.render(sector_figure, report.texts, report.breakdowns, report.steps, lang, title)
    outputs.append(Image(png, t("results.sector_caption", lang, min=report.min_group_size),
                         f"barometer-{round_.id}-sektorer.png"))
    if report.current_position is not None:
        position, key = report.current_position, "barometer.room.caption"
    else:
        position, key = most_divided_statement(report.stats), "barometer.room.caption_most_divided"
    if position is not None:
        outputs.append(await _room_image(conv, report.round_id, position, report.texts[position],
                                         report.stats[position], report.steps, key, lang))
    return outputs


async def room_view(conv: Conversation, round_: Round, number: int, lang: Language) -> list[Output]:
    """"Where the room stands" on statement ``number`` (1-based) of a closed barometer round, or on
    a statement an open step-by-step round has already moved past (its answers are final).

    Refused (DomainError) for another kind of round, a statement of an open round that can still
    be answered (a picture before and after one press would show that press) or a statement the
    round does not have.
    """
    if round_.kind != RoundKind.BAROMETER:
        raise DomainError("barometer.error.no_barometer")
    if not 1 <= number <= len(round_.items):
        raise DomainError("barometer.error.no_statement", round=round_.id, number=number, count=len(round_.items))
    position = number - 1
    # Stepping on (/nasta) closes a statement to answers, so its picture can no longer change.
    passed = round_.current_position is not None and position < round_.current_position
    if round_.status != RoundStatus.CLOSED and not (round_.status == RoundStatus.OPEN and passed):
        raise DomainError("barometer.error.room_not_closed", round=round_.id)
    values = await conv.service.sector_values(round_.id)
    stats = statement_stats(values[position].all_values, round_.scale_steps)
    return [await _room_image(conv, round_.id, position, round_.items[position].text, stats, round_.scale_steps,
                              "barometer.room.caption", lang)]


async def _room_round(conv: Conversation, turn: Turn, round_arg: str | None) -> Round:
    """The round ``/rummet`` draws: the one named, else an open step-by-step barometer, else the
    workshop's latest closed barometer."""
    workshop = await conv.bound_workshop(turn)
    if round_arg is not None:
        if not round_arg.lstrip("#").isdigit():
            raise DomainError("error.bad_args", usage=t("barometer.usage.room", turn.lang))
        round_ = await conv.service.require_round(int(round_arg.lstrip("#")))
        if round_.workshop_id != workshop.id:
            raise DomainError("error.no_round")
        return round_
    rounds = [r for r in await conv.service.store.rounds(workshop.id) if r.kind == RoundKind.BAROMETER]
    stepping = [r for r in rounds if r.status == RoundStatus.OPEN and r.current_position is not None]
    if stepping:
        return stepping[-1]
    closed = [r for r in rounds if r.status == RoundStatus.CLOSED]
    if not closed:
        raise DomainError("barometer.error.no_barometer")
    return max(closed, key=lambda r: r.id)


async def cmd_room(conv: Conversation, turn: Turn, args: tuple[str, ...]) -> None:
    """``/rummet NR [omgång]``: the "where the room stands" chart of statement NR, posted here."""
    if not 1 <= len(args) <= 2 or not args[0].isdigit():
        raise DomainError("error.bad_args", usage=t("barometer.usage.room", turn.lang))
    round_ = await _room_round(conv, turn, args[1] if len(args) == 2 else None)
    outputs = await room_view(conv, round_, int(args[0]), turn.lang)
    await conv.post_outputs(turn.port, turn.chat, outputs)


async def barometer_export(conv: Conversation, round_: Round, lang: Language) -> list[Attachment]:
    """CSV and XLSX of a closed round's aggregates (no per-person rows), with the sector ranking
    and, if the round was compared with an earlier one, the change per statement."""
    report = await barometer_report(conv, round_)
    tables = export_tables(report.texts, report.stats, report.breakdowns, report.steps, lang,
                           divisions=report.divisions, earlier=report.earlier, earlier_round=report.earlier_round)
    caption = t("export.caption", lang, number=round_.id)
    return [
        Attachment(f"barometer-{round_.id}.csv", to_csv(tables, lang), "text/csv", caption),
        Attachment(f"barometer-{round_.id}.xlsx", to_xlsx(tables),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", caption),
    ]
