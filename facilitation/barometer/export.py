"""Aggregate tables of an Åsiktsbarometer round for the follow-up report (CSV/XLSX).

Only aggregates leave the bot: counts per step and metrics per statement, and per sector where
the group is large enough. A suppressed group is written as text, with no count or value, so
the export never shows more than the sector chart does. Pass the tables to
:func:`facilitation.export.to_csv` / :func:`~facilitation.export.to_xlsx`, which neutralise
formula-like text such as a statement starting with "=".
"""

from __future__ import annotations

from collections.abc import Sequence

from facilitation.barometer.metrics import GroupStatus, SectorBreakdown, StatementStats
from facilitation.barometer.scale import check_steps, scale_labels
from facilitation.export import Cell, Table
from facilitation.i18n import t
from facilitation.model import Language


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


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
) -> list[Table]:
    """Three sheets: statements, sectors (suppressed groups as text only) and the scale."""
    check_steps(steps)
    if not len(texts) == len(stats) == len(breakdowns):
        raise ValueError("texts, stats and breakdowns must be equally long")
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
    return [overview, sectors, scale]
