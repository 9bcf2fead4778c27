"""Aggregate tables of a prioritisation for the follow-up report (CSV/XLSX via facilitation.export).

Only aggregates leave here: one row per principle or per pair, never one per person; a
hidden group contributes the reason it is hidden, not its numbers or its size.
"""

from __future__ import annotations

from collections.abc import Mapping

from facilitation.export import Cell, Table
from facilitation.groups import GroupKey, group_names, hidden_text
from facilitation.i18n import rounded_number, t
from facilitation.model import DEFAULT_SECTORS, Language, RoundKind, SectorKey
from facilitation.prioritisation.methods import PriorityResult, place_of, winners
from facilitation.prioritisation.sectors import SectorResult


def export_tables(
    result: PriorityResult,
    by_sector: Mapping[SectorKey, SectorResult] | None,
    texts: Mapping[int, str],
    lang: Language = Language.SV,
    *,
    names: Mapping[GroupKey, str] | None = None,
    note: str | None = None,
) -> list[Table]:
    """Summary, per-principle, pairwise and (if given) per-sector tables, in chart order.

    ``result`` is the published overall result (the groups the disclosure rule includes);
    ``note`` is written under the sector table (what the comparison leaves out, and why).
    """
    tables = [_summary(result, texts, lang), _items(result, texts, lang), _pairwise(result, texts, lang)]
    if by_sector:
        names = dict(names) if names is not None else group_names(DEFAULT_SECTORS, lang)
        tables.append(_sectors(result, by_sector, texts, lang, names, note))
    return tables


def _n(texts: Mapping[int, str], item: int) -> str:
    return texts.get(item, f"#{item}")


def _summary(result: PriorityResult, texts: Mapping[int, str], lang: Language) -> Table:
    winner = result.condorcet_winner
    schulze_first = result.schulze_ranking[0] if result.schulze_ranking else ()
    rows: list[list[Cell]] = [
        [t("prio.export.n", lang), result.n_ballots],
        [t("prio.export.method", lang), t(f"prio.export.method.{result.measure}", lang)],
        [t("prio.export.winner", lang), ", ".join(_n(texts, i) for i in winners(result))],
        [t("prio.export.schulze_first", lang), ", ".join(_n(texts, i) for i in schulze_first)],
        [
            t("prio.export.condorcet", lang),
            _n(texts, winner) if winner is not None else t("prio.export.condorcet.none", lang),
        ],
    ]
    return Table(
        t("prio.export.sheet.summary", lang),
        [t("prio.export.col.key", lang), t("prio.export.col.value", lang)],
        rows,
    )


def _items(result: PriorityResult, texts: Mapping[int, str], lang: Language) -> Table:
    headers = [t("prio.export.col.place", lang), t("prio.export.col.principle", lang)]
    if result.kind is RoundKind.POINTS:
        headers.append(t(f"prio.export.col.{result.measure}", lang))
    headers += [t(f"prio.export.col.{c}", lang) for c in ("borda", "mean_rank", "approval", "schulze")]
    places = place_of(tuple((i,) for i in result.order))
    rows: list[list[Cell]] = []
    for item in result.order:
        r = result.per_item[item]
        row: list[Cell] = [places[item], _n(texts, item)]
        if result.kind is RoundKind.POINTS:
            row.append(r.points)
        row += [
            rounded_number(r.borda, 2),
            rounded_number(r.mean_rank, 2),
            rounded_number(r.approval_share, 4),
            r.schulze_place,
        ]
        rows.append(row)
    return Table(t("prio.export.sheet.items", lang), headers, rows)


def _pairwise(result: PriorityResult, texts: Mapping[int, str], lang: Language) -> Table:
    order = [i for group in result.schulze_ranking for i in group]
    headers = [t("prio.chart.pairwise.rows", lang)] + [_n(texts, i) for i in order]
    rows: list[list[Cell]] = [
        [_n(texts, a)] + [None if a == b else result.pairwise[a][b] for b in order] for a in order
    ]
    return Table(t("prio.export.sheet.pairwise", lang), headers, rows)


def _sectors(
    result: PriorityResult,
    by_sector: Mapping[SectorKey, SectorResult],
    texts: Mapping[int, str],
    lang: Language,
    names: Mapping[GroupKey, str],
    note: str | None,
) -> Table:
    """Headline score per response for each shown panel; hidden groups give their reason in every row."""
    headers: list[str] = [t("prio.export.col.principle", lang)]
    for sector in by_sector.values():
        label = names.get(sector.sector, str(sector.sector))
        res = sector.result
        headers.append(
            label if res is None else t("prio.export.col.sector_n", lang, sector=label, n=res.n_ballots)
        )
    rows: list[list[Cell]] = []
    for item in result.order:
        row: list[Cell] = [_n(texts, item)]
        for sector in by_sector.values():
            res = sector.result
            row.append(
                hidden_text(sector.reason, sector.pooled, lang)
                if res is None
                else rounded_number(res.score_per_ballot(item), 4)
            )
        rows.append(row)
    if note:
        rows.append([note])
    return Table(t("prio.export.sheet.sectors", lang), headers, rows)
