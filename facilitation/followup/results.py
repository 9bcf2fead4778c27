"""Follow-up results: per commitment (as a barometer statement), grouped by party and principle,
compared with the follow-ups of earlier years; as text, charts, tables and CSV/XLSX.

Everything is computed once into a :class:`FollowupReport` from the round's frozen answers under
its frozen frame (minimum group size, sectors), so the text, the charts, the export and the
workshop report show exactly the same figures and hide exactly the same groups.

**Earlier years.** The follow-ups of the same process (any of its workshops) that closed before
this round, in an earlier calendar year (Europe/Stockholm) than this one, the latest of each
year, at most :data:`EARLIER_YEARS` of them. A commitment is matched by its key in the process
file. An earlier result is what that round published itself, and is not shown where it holds
fewer answers than this round's minimum (as ``/jamfor`` does for barometers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from facilitation.barometer.export import left_out_note, overall_note
from facilitation.barometer.metrics import SectorBreakdown, StatementStats, sector_stats, statement_stats
from facilitation.exercises import ExerciseContext, Image, Output, Post, process_of
from facilitation.export import Cell, Table, to_csv, to_xlsx
from facilitation.followup.grouping import GroupResult, earlier_group, group_results
from facilitation.followup.records import CommitmentTag, FollowupRecords, tags_of
from facilitation.followup.scale import STEPS, scale_labels
from facilitation.groups import GroupKey, group_names, hidden_text
from facilitation.i18n import number_text, percent_text, rounded_number, t
from facilitation.model import (
    DEFAULT_SECTORS,
    Language,
    Principle,
    Process,
    Round,
    RoundStatus,
    SectorDef,
)
from facilitation.ports import Attachment
from facilitation.rendering import lazy_chart

_CHARTS = "facilitation.followup.charts"
commitments_figure = lazy_chart(_CHARTS, "commitments_figure")
groups_figure = lazy_chart(_CHARTS, "groups_figure")
years_figure = lazy_chart(_CHARTS, "years_figure")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: The longest commitment text a chart's row label shows.
CHART_LABEL = 80
#: How many earlier years a follow-up is compared with.
EARLIER_YEARS = 3


@dataclass(frozen=True)
class EarlierYear:
    """An earlier year's follow-up: its round and its published result per commitment key."""

    year: int
    round_id: int
    by_key: dict[str, StatementStats]


@dataclass(frozen=True)
class FollowupReport:
    """The aggregates of one follow-up round, ready for text, charts and export."""

    round_id: int
    title: str
    year: int | None
    numbers: list[int]
    texts: list[str]
    keys: list[str]
    tags: list[CommitmentTag]
    breakdowns: list[SectorBreakdown]
    min_group_size: int
    sectors: tuple[SectorDef, ...]
    parties: list[GroupResult]
    principles: list[GroupResult]
    principle_names: dict[str, Principle]
    earlier: list[EarlierYear]
    never_shown: tuple[int, ...] = ()

    @property
    def stats(self) -> list[StatementStats]:
        return [b.overall for b in self.breakdowns]

    def names(self, lang: Language) -> dict[GroupKey, str]:
        return group_names(self.sectors, lang)

    def group_name(self, group: GroupResult, lang: Language) -> str:
        if group.by == "party":
            return t(f"followup.party.{group.key}", lang)
        principle = self.principle_names.get(group.key)
        return principle.name_in(lang) if principle else group.key

    def party_short(self, position: int, lang: Language) -> str:
        party = self.tags[position].party
        return t(f"followup.party_short.{party}", lang) if party else ""

    def labels(self, lang: Language) -> list[str]:
        """The commitments as charts name them: "3. Kommunen ska sträva efter att … (offentliga
        parten)", cut to :data:`CHART_LABEL` characters so 21 rows fit a projector and a report
        page (the whole text is in the result text, the tables and the report's appendix)."""
        out = []
        for position, (number, text) in enumerate(zip(self.numbers, self.texts, strict=True)):
            party = self.party_short(position, lang)
            short = text if len(text) <= CHART_LABEL else text[: CHART_LABEL - 1].rsplit(" ", 1)[0] + " …"
            out.append(f"{number}. {short}" + (f" ({party})" if party else ""))
        return out


def year_of(moment: datetime | None) -> int | None:
    return moment.astimezone(STOCKHOLM).year if moment else None


async def round_tags(ctx: ExerciseContext, records: FollowupRecords, round_: Round) -> list[CommitmentTag]:
    """The round's commitments' tags as kept, keeping the process file's now if none were."""
    kept = await records.tags(round_.id)
    if kept is None:
        kept = await records.keep_tags(round_.id, tags_of(await process_of(ctx, round_), round_))
    if len(kept) != len(round_.items):  # never expected: an item without a tag is in no group
        kept = [*kept, *[CommitmentTag()] * len(round_.items)][: len(round_.items)]
    return kept


async def _breakdowns(
    ctx: ExerciseContext, round_: Round
) -> tuple[list[SectorBreakdown], int, tuple[SectorDef, ...]]:
    values = await ctx.service.sector_values(round_.id)
    frame = await ctx.service.result_frame(round_)
    return (
        [sector_stats(v, STEPS, frame.min_group_size, frame.sectors) for v in values],
        frame.min_group_size,
        frame.sectors,
    )


async def _earlier_years(
    ctx: ExerciseContext, records: FollowupRecords, round_: Round, process_key: str, minimum: int
) -> list[EarlierYear]:
    """The latest follow-up of each earlier year (oldest first), as each published it."""
    this_year = year_of(round_.closed_at or round_.opened_at)
    if this_year is None:
        return []
    latest: dict[int, Round] = {}
    for round_id in await records.closed_followups(process_key):
        if round_id == round_.id:
            continue
        earlier = await ctx.service.store.round(round_id)
        if earlier is None or earlier.status != RoundStatus.CLOSED or earlier.closed_at is None:
            continue
        if round_.closed_at is not None and earlier.closed_at >= round_.closed_at:
            continue
        year = year_of(earlier.closed_at)
        if year is None or year >= this_year:
            continue
        known = latest.get(year)
        if known is None or (known.closed_at or earlier.closed_at) < earlier.closed_at:
            latest[year] = earlier
    years = []
    for year in sorted(latest)[-EARLIER_YEARS:]:
        earlier = latest[year]
        breakdowns, _, _ = await _breakdowns(ctx, earlier)
        by_key = {
            item.ref_key: b.overall if b.overall.n >= minimum else statement_stats([], STEPS)
            for item, b in zip(earlier.items, breakdowns, strict=True)
            if item.ref_key
        }
        years.append(EarlierYear(year, earlier.id, by_key))
    return years


def shown_items(round_: Round) -> int:
    return len(round_.items) if round_.current_position is None else round_.current_position + 1


async def followup_report(ctx: ExerciseContext, records: FollowupRecords, round_: Round) -> FollowupReport:
    """Aggregate ``round_`` under its frame; commitments a step-by-step round never showed are left out."""
    tags = await round_tags(ctx, records, round_)
    breakdowns, minimum, sectors = await _breakdowns(ctx, round_)
    count = shown_items(round_)
    items = round_.items[:count]
    breakdowns, tags = breakdowns[:count], tags[:count]
    workshop = await ctx.service.store.workshop(round_.workshop_id)
    process: Process | None = ctx.service.processes.get(workshop.process_key) if workshop else None
    order = [p.key for p in process.principles] if process else []
    parties, principles = group_results(breakdowns, tags, order, list(group_names(sectors, Language.SV)))
    earlier = (
        await _earlier_years(ctx, records, round_, workshop.process_key, minimum)
        if workshop is not None
        else []
    )
    return FollowupReport(
        round_id=round_.id,
        title=round_.title,
        year=year_of(round_.closed_at or round_.opened_at),
        numbers=[item.number for item in items],
        texts=[item.text for item in items],
        keys=[item.ref_key for item in items],
        tags=tags,
        breakdowns=breakdowns,
        min_group_size=minimum,
        sectors=sectors or DEFAULT_SECTORS,
        parties=parties,
        principles=principles,
        principle_names={p.key: p for p in process.principles} if process else {},
        earlier=earlier,
        never_shown=tuple(item.number for item in round_.items[count:]),
    )


# --- text -------------------------------------------------------------------------------------
def _pct(share: float | None) -> str:
    return "–" if share is None else percent_text(share)


def _mean(value: float | None, lang: Language) -> str:
    return "–" if value is None else number_text(value, lang)


def _commitment_lines(report: FollowupReport, lang: Language) -> list[str]:
    lines = [t("followup.results.per_commitment", lang)]
    for position, (number, text, b) in enumerate(
        zip(report.numbers, report.texts, report.breakdowns, strict=True)
    ):
        party = report.party_short(position, lang)
        head = f"{number}. {text}" + (f" ({party})" if party else "")
        note = overall_note(b, lang) if b.disclosure.total else t("followup.results.no_answers", lang)
        if note is not None:
            lines.append(t("followup.results.line_hidden", lang, head=head, note=note))
            continue
        s = b.overall
        line = t(
            "followup.results.line",
            lang,
            head=head,
            n=s.n,
            mean=_mean(s.mean, lang),
            met=_pct(s.share_agree),
            unmet=_pct(s.share_disagree),
        )
        total = s.n + b.dont_know
        line += t(
            "followup.results.dont_know", lang, k=b.dont_know, total=total, share=_pct(b.dont_know / total)
        )
        if b.disclosure.residue:
            line += t("disclosure.left_out_line", lang, n=b.disclosure.residue, min=report.min_group_size)
        lines.append(line)
    return lines


def _group_line(report: FollowupReport, group: GroupResult, lang: Language) -> str:
    name = report.group_name(group, lang)
    count = len(group.positions)
    if not group.overall.n:
        return t("followup.results.group_too_few", lang, name=name, count=count)
    line = t(
        "followup.results.group",
        lang,
        name=name,
        count=count,
        met=_pct(group.overall.share_agree),
        mean=_mean(group.overall.mean, lang),
        n=group.overall.n,
    )
    if len(group.panels) >= 2:
        names = group_names(report.sectors, lang, short=True)
        parts = []
        for key, stats in group.panels.items():
            part = f"{names[key]} {_pct(stats.share_agree)} %"
            if group.covered[key] < count:
                part += t("followup.results.covered", lang, k=group.covered[key], count=count)
            parts.append(part)
        line += " – " + " · ".join(parts)
    return line


def _earlier_lines(report: FollowupReport, lang: Language) -> list[str]:
    if not report.earlier:
        return [t("followup.results.earlier.none", lang)]
    rounds = ", ".join(
        t("followup.results.earlier.round", lang, year=e.year, number=e.round_id) for e in report.earlier
    )
    lines = [t("followup.results.earlier.header", lang, rounds=rounds)]
    for group in [*report.parties, *report.principles]:
        parts = []
        for earlier in report.earlier:
            stats = earlier_group(group, report.keys, earlier.by_key)
            parts.append(f"{earlier.year} {_pct(stats.share_agree) if stats and stats.n else '–'} %")
        now = group.overall
        parts.append(f"{report.year} {_pct(now.share_agree) if now.n else '–'} %")
        lines.append(f"{report.group_name(group, lang)}: " + " → ".join(parts))
    return lines


def summary_text(report: FollowupReport, lang: Language) -> str:
    """The chapter's text: the question, groups by party and principle, each commitment, earlier years."""
    labels = scale_labels(lang)
    lines = [
        t("followup.results.heading", lang),
        t("followup.results.scale", lang, low=labels[0], high=labels[-1]),
        "",
        t("followup.results.by_party", lang),
        *(_group_line(report, g, lang) for g in report.parties),
        "",
        t("followup.results.by_principle", lang),
        *(_group_line(report, g, lang) for g in report.principles),
        "",
        *_commitment_lines(report, lang),
    ]
    if report.never_shown:
        lines.append(
            t("followup.results.never_shown", lang, numbers=", ".join(str(n) for n in report.never_shown))
        )
    lines += ["", *_earlier_lines(report, lang)]
    return "\n".join(lines)


# --- outputs ----------------------------------------------------------------------------------
def _left_out_note(breakdowns: Sequence[SectorBreakdown], lang: Language) -> str:
    """What the sector panels leave out, said of commitments (a range when they differ)."""
    left = sorted({b.disclosure.residue for b in breakdowns if b.compared and b.disclosure.residue})
    if len(left) > 1:
        minimum = breakdowns[0].min_group_size
        return t("followup.left_out_range", lang, low=left[0], high=left[-1], min=minimum)
    return left_out_note(breakdowns, lang)


async def followup_results(
    ctx: ExerciseContext, records: FollowupRecords, round_: Round, lang: Language
) -> list[Output]:
    """The text, the chart per commitment, the chart by party and principle (sectors side by
    side) and, with earlier years, the chart of the years; no chart with nothing to show."""
    report = await followup_report(ctx, records, round_)
    if all(not b.disclosure.total for b in report.breakdowns):
        return [Post(t("round.no_answers", lang))]
    outputs: list[Output] = [Post(summary_text(report, lang))]
    if not any(b.disclosure.overall for b in report.breakdowns):
        return outputs
    notes = [
        overall_note(b, lang) if b.disclosure.total else t("followup.results.no_answers", lang)
        for b in report.breakdowns
    ]
    png = await ctx.renderer.render(
        commitments_figure, report.labels(lang), report.stats, notes, lang, t("followup.chart.title", lang)
    )
    outputs.append(
        Image(
            png,
            t("followup.chart.commitments_caption", lang, title=report.title),
            f"uppfoljning-{round_.id}.png",
        )
    )
    groups = [*report.parties, *report.principles]
    names = group_names(report.sectors, lang)
    panel_keys: list[GroupKey] = []
    for group in groups:
        if len(group.panels) >= 2:
            panel_keys += [k for k in group.panels if k not in panel_keys]
    panels: list[tuple[str, list[StatementStats | None]]] = [
        (t("followup.chart.everyone", lang), [g.overall for g in groups])
    ]
    for key in panel_keys:
        panels.append((names[key], [g.panels.get(key) if len(g.panels) >= 2 else None for g in groups]))
    note = _left_out_note(report.breakdowns, lang)
    png = await ctx.renderer.render(
        groups_figure,
        [report.group_name(g, lang) for g in groups],
        len(report.parties),
        panels,
        lang,
        t("followup.results.heading", lang),
        note,
    )
    outputs.append(
        Image(
            png, t("followup.chart.groups_caption", lang, note=note), f"uppfoljning-{round_.id}-grupper.png"
        )
    )
    if report.earlier:
        years = [e.year for e in report.earlier] + [report.year or 0]
        shares: list[list[float | None]] = []
        for group in groups:
            row: list[float | None] = []
            for earlier in report.earlier:
                stats = earlier_group(group, report.keys, earlier.by_key)
                row.append(stats.share_agree if stats and stats.n else None)
            row.append(group.overall.share_agree if group.overall.n else None)
            shares.append(row)
        png = await ctx.renderer.render(
            years_figure,
            [report.group_name(g, lang) for g in groups],
            years,
            shares,
            lang,
            t("followup.chart.years_title", lang),
        )
        outputs.append(Image(png, t("followup.chart.years_caption", lang), f"uppfoljning-{round_.id}-ar.png"))
    return outputs


# --- tables and export ------------------------------------------------------------------------
def _percent(share: float | None) -> float | None:
    return None if share is None else rounded_number(100 * share, 1)


def _figures(stats: StatementStats) -> list[Cell]:
    return [
        stats.n,
        *stats.distribution,
        rounded_number(stats.mean, 2),
        _percent(stats.share_agree),
        _percent(stats.share_neutral),
        _percent(stats.share_disagree),
        rounded_number(stats.agreement, 3),
    ]


def _figure_headers(lang: Language) -> list[str]:
    return [
        t("followup.export.col.n", lang),
        *(
            t("followup.export.col.step", lang, value=v, label=label)
            for v, label in enumerate(scale_labels(lang), 1)
        ),
        t("followup.export.col.mean", lang),
        t("followup.export.col.met", lang),
        t("followup.export.col.partly", lang),
        t("followup.export.col.unmet", lang),
        t("followup.export.col.agreement", lang),
    ]


def report_tables(report: FollowupReport, lang: Language) -> list[Table]:
    """Commitments, sectors (hidden groups as their reason only), groups, earlier years, the scale."""
    party_names = [report.party_short(position, lang) for position in range(len(report.tags))]
    principle_names = [
        ", ".join(
            report.principle_names[k].name_in(lang) if k in report.principle_names else k
            for k in tag.principles
        )
        for tag in report.tags
    ]
    commitments = Table(
        t("followup.export.sheet.commitments", lang),
        [
            t("followup.export.col.number", lang),
            t("followup.export.col.party", lang),
            t("followup.export.col.principles", lang),
            t("followup.export.col.commitment", lang),
            *_figure_headers(lang),
            t("followup.export.col.dont_know", lang),
            t("followup.export.col.note", lang),
        ],
    )
    for position, b in enumerate(report.breakdowns):
        note = overall_note(b, lang)
        head: list[Cell] = [
            report.numbers[position],
            party_names[position],
            principle_names[position],
            report.texts[position],
        ]
        if note is not None:
            commitments.rows.append([*head, *[None] * (len(_figure_headers(lang)) + 1), note])
        else:
            residue = (
                t("disclosure.left_out_line", lang, n=b.disclosure.residue, min=report.min_group_size).strip(
                    " ()"
                )
                if b.disclosure.residue
                else None
            )
            commitments.rows.append([*head, *_figures(b.overall), b.dont_know, residue])
    names = report.names(lang)
    sectors = Table(
        t("followup.export.sheet.sectors", lang),
        [
            t("followup.export.col.number", lang),
            t("followup.export.col.commitment", lang),
            t("followup.export.col.sector", lang),
            *_figure_headers(lang),
            t("followup.export.col.dont_know", lang),
            t("followup.export.col.note", lang),
        ],
    )
    width = len(_figure_headers(lang)) + 1
    for position, b in enumerate(report.breakdowns):
        head = [report.numbers[position], report.texts[position]]
        if not b.compared:
            continue  # no split published for this commitment
        for key, stats in b.shown.items():
            sectors.rows.append([*head, names[key], *_figures(stats), b.dont_know_of(key), None])
        for hidden in b.groups:
            if hidden.suppressed:
                sectors.rows.append(
                    [
                        *head,
                        names[hidden.sector],
                        *[None] * width,
                        hidden_text(hidden.reason, hidden.pooled, lang),
                    ]
                )
    groups = Table(
        t("followup.export.sheet.groups", lang),
        [
            t("followup.export.col.grouping", lang),
            t("followup.export.col.group", lang),
            t("followup.export.col.commitments", lang),
            t("followup.export.col.sector", lang),
            *_figure_headers(lang),
        ],
    )
    for group in [*report.parties, *report.principles]:
        name = report.group_name(group, lang)
        by = t(f"followup.export.by.{group.by}", lang)
        count = len(group.positions)
        groups.rows.append([by, name, count, t("followup.chart.everyone", lang), *_figures(group.overall)])
        if len(group.panels) >= 2:
            for key, stats in group.panels.items():
                groups.rows.append([by, name, group.covered[key], names[key], *_figures(stats)])
    tables = [commitments, sectors, groups]
    if report.earlier:
        years = [e.year for e in report.earlier]
        history = Table(
            t("followup.export.sheet.years", lang),
            [
                t("followup.export.col.grouping", lang),
                t("followup.export.col.group", lang),
                *(t("followup.export.col.year_met", lang, year=y) for y in [*years, report.year]),
                *(t("followup.export.col.year_n", lang, year=y) for y in [*years, report.year]),
            ],
        )
        rows: list[tuple[str, str, list[StatementStats | None], StatementStats]] = []
        for group in [*report.parties, *report.principles]:
            rows.append(
                (
                    t(f"followup.export.by.{group.by}", lang),
                    report.group_name(group, lang),
                    [earlier_group(group, report.keys, e.by_key) for e in report.earlier],
                    group.overall,
                )
            )
        for position, key in enumerate(report.keys):
            rows.append(
                (
                    t("followup.export.by.commitment", lang),
                    f"{report.numbers[position]}. {report.texts[position]}",
                    [e.by_key.get(key) if key else None for e in report.earlier],
                    report.breakdowns[position].overall,
                )
            )
        for by, name, before, now in rows:
            every = [*before, now]
            history.rows.append(
                [
                    by,
                    name,
                    *(_percent(s.share_agree) if s is not None and s.n else None for s in every),
                    *(s.n if s is not None else None for s in every),
                ]
            )
        tables.append(history)
    steps: list[list[Cell]] = [[value, label] for value, label in enumerate(scale_labels(lang), 1)]
    scale = Table(
        t("followup.export.sheet.scale", lang),
        [t("followup.export.col.value", lang), t("followup.export.col.label", lang)],
        [*steps, [0, t("followup.scale.dont_know", lang)]],
    )
    tables.append(scale)
    return tables


async def followup_tables(
    ctx: ExerciseContext, records: FollowupRecords, round_: Round, lang: Language
) -> list[Table]:
    return report_tables(await followup_report(ctx, records, round_), lang)


async def followup_export(
    ctx: ExerciseContext, records: FollowupRecords, round_: Round, lang: Language
) -> list[Attachment]:
    """CSV and XLSX of a closed follow-up's aggregates (no per-person rows)."""
    tables = await followup_tables(ctx, records, round_, lang)
    caption = t("export.caption", lang, number=round_.id)
    return [
        Attachment(f"uppfoljning-{round_.id}.csv", to_csv(tables, lang), "text/csv", caption),
        Attachment(
            f"uppfoljning-{round_.id}.xlsx",
            to_xlsx(tables, round_.closed_at),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            caption,
        ),
    ]
