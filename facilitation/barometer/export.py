"""Aggregate tables of an Åsiktsbarometer round for the follow-up report (CSV/XLSX).

Only aggregates leave the bot: counts per step and metrics per statement, and per sector where
the group is large enough. A suppressed group is written as text, with no count or value, so
the export never shows more than the sector chart does. Pass the tables to
:func:`facilitation.export.to_csv` / :func:`~facilitation.export.to_xlsx`, which neutralise
formula-like text such as a statement starting with "=".
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.barometer.metrics import (
    SECTORS,
    Division,
    GroupStatus,
    SectorBreakdown,
    StatementStats,
    compare,
)
from facilitation.barometer.scale import check_steps, scale_labels
from facilitation.export import Cell, Table
from facilitation.i18n import rounded_number, t
from facilitation.model import Language, Sector


def _percent(share: float | None) -> float | None:
    return None if share is None else rounded_number(100 * share, 1)


def _round(value: float | None, digits: int = 3) -> float | None:
    return rounded_number(value, digits)


def _metrics(stats: StatementStats, lang: Language | str) -> list[Cell]:
    return [
        stats.n,
        *stats.distribution,
        _round(stats.mean, 2),
        _round(stats.median, 1),
        _percent(stats.share_agree),
        _percent(stats.share_neutral),
        _percent(stats.share_disagree),
        _round(stats.agreement),
        _round(stats.leik),
        None if stats.pattern is None else t(f"barometer.pattern.{stats.pattern.value}", lang),
    ]


def _metric_headers(steps: int, lang: Language | str) -> list[str]:
    labels = scale_labels(steps, lang)
    return [
        t("barometer.export.col.n", lang),
        *(t("barometer.export.col.step", lang, value=v, label=label) for v, label in enumerate(labels, 1)),
        *(t(f"barometer.export.col.{key}", lang)
          for key in ("mean", "median", "agree", "neutral", "disagree", "agreement", "leik", "pattern")),
    ]


def export_tables(
    texts: Sequence[str],
    stats: Sequence[StatementStats],
    breakdowns: Sequence[SectorBreakdown],
    steps: int,
    lang: Language | str = Language.SV,
    *,
    divisions: Sequence[Division] | None = None,
    earlier: Sequence[StatementStats | None] | None = None,
    earlier_round: int | None = None,
) -> list[Table]:
    """Statements, sectors (suppressed groups as text only), then, when given, the ranking of
    statements by how much the sectors differ and the change since an earlier round, and the scale.
    """
    check_steps(steps)
    if not len(texts) == len(stats) == len(breakdowns):
        raise ValueError("texts, stats and breakdowns must be equally long")
    if earlier is not None and len(earlier) != len(stats):
        raise ValueError("earlier must be as long as stats")
    number = t("barometer.export.col.number", lang)
    statement = t("barometer.export.col.statement", lang)
    headers = _metric_headers(steps, lang)
    overview = Table(t("barometer.export.sheet.statements", lang), [number, statement, *headers])
    for index, (text, s) in enumerate(zip(texts, stats, strict=True), start=1):
        overview.rows.append([index, text, *_metrics(s, lang)])

    suppressed = t("barometer.chart.suppressed", lang)
    sectors = Table(t("barometer.export.sheet.sectors", lang),
                    [number, statement, t("barometer.export.col.sector", lang), *headers])
    for index, (text, breakdown) in enumerate(zip(texts, breakdowns, strict=True), start=1):
        for group in breakdown.groups:
            name = t(f"barometer.sector.{group.sector.value}", lang)
            if group.stats is not None:
                sectors.rows.append([index, text, name, *_metrics(group.stats, lang)])
            elif group.status is GroupStatus.SUPPRESSED:
                sectors.rows.append([index, text, name, suppressed])
            else:
                sectors.rows.append([index, text, name, 0])
    min_size = breakdowns[0].min_group_size if breakdowns else None
    if min_size is not None:
        sectors.rows.append([None, t("barometer.export.min_group", lang, min=min_size)])

    scale = Table(t("barometer.export.sheet.scale", lang),
                  [t("barometer.export.col.value", lang), t("barometer.export.col.label", lang)])
    scale.rows.extend([v, label] for v, label in enumerate(scale_labels(steps, lang), start=1))
    tables = [overview, sectors]
    if divisions is not None:
        tables.append(dividing_table(texts, breakdowns, divisions, lang))
    if earlier is not None:
        tables.append(comparison_table(texts, stats, earlier, earlier_round, lang))
    return [*tables, scale]


def _sector_name(sector: Sector, lang: Language | str) -> str:
    return t(f"barometer.sector.{sector.value}", lang)


def dividing_table(
    texts: Sequence[str],
    breakdowns: Sequence[SectorBreakdown],
    divisions: Sequence[Division],
    lang: Language | str = Language.SV,
) -> Table:
    """Every statement by how much the shown sectors differ, most dividing first.

    A sector's mean is written only where the sector split shows the group; a suppressed group
    says so in words, exactly as on the sector sheet. Statements with fewer than two shown
    sectors follow, unranked, with the reason.
    """
    suppressed = t("barometer.chart.suppressed", lang)
    headers = [t(f"barometer.export.col.{key}", lang)
               for key in ("place", "number", "statement", "score", "mean_gap", "distance", "higher", "lower")]
    headers += [t("barometer.export.col.sector_mean", lang, sector=_sector_name(s, lang)) for s in SECTORS]
    table = Table(t("barometer.export.sheet.dividing", lang), headers)

    def means(index: int) -> list[Cell]:
        cells: list[Cell] = []
        for sector in SECTORS:
            group = breakdowns[index].group(sector)
            if group.stats is not None:
                cells.append(_round(group.stats.mean, 2))
            else:
                cells.append(suppressed if group.status is GroupStatus.SUPPRESSED else None)
        return cells

    for place, division in enumerate(divisions, start=1):
        i = division.index
        table.rows.append([place, i + 1, texts[i], _round(division.score), _round(division.mean_gap, 2),
                           _round(division.distance), _sector_name(division.higher, lang),
                           _sector_name(division.lower, lang), *means(i)])
    ranked = {d.index for d in divisions}
    for i, text in enumerate(texts):
        if i not in ranked:
            table.rows.append([None, i + 1, text, t("barometer.export.not_comparable", lang), None, None, None, None,
                               *means(i)])
    table.rows.append([None, t("barometer.export.dividing_method", lang)])
    return table


def comparison_table(
    texts: Sequence[str],
    stats: Sequence[StatementStats],
    earlier: Sequence[StatementStats | None],
    earlier_round: int | None,
    lang: Language | str = Language.SV,
) -> Table:
    """Per statement: answers, mean and share agreeing then and now, and the change.

    Means are compared only on the same scale (steps are not the same distance apart
    otherwise); shares agreeing compare across scales.
    """
    keys = ("number", "statement", "n_before", "n_after", "mean_before", "mean_after", "mean_change",
            "agree_before", "agree_after", "agree_change", "note")
    name = t("barometer.export.sheet.comparison", lang)
    table = Table(name, [t(f"barometer.export.col.{key}", lang) for key in keys])
    for index, (text, now, before) in enumerate(zip(texts, stats, earlier, strict=True), start=1):
        if before is None:
            table.rows.append([index, text, None, now.n, None, _round(now.mean, 2), None, None,
                               _percent(now.share_agree), None, t("barometer.export.compare_new", lang)])
            continue
        change = compare(now, before)
        same_scale = now.steps == before.steps
        table.rows.append([
            index, text, before.n, now.n,
            _round(before.mean, 2) if same_scale else None, _round(now.mean, 2) if same_scale else None,
            _round(change.delta_mean, 2),
            _percent(before.share_agree), _percent(now.share_agree), _percent(change.delta_share_agree),
            None if same_scale else t("barometer.export.compare_other_scale", lang),
        ])
    if earlier_round is not None:
        table.rows.append([None, t("barometer.export.compared_with", lang, number=earlier_round)])
    return table
