"""Aggregate tables of an Åsiktsbarometer round for the follow-up report (CSV/XLSX).

Only aggregates leave the bot: counts per step and metrics per statement, and per sector where
the disclosure rule shows the group. A hidden group is written as its reason in words, with no
count or value, so the export never shows more than the sector chart does. Pass the tables to
:func:`facilitation.export.to_csv` / :func:`~facilitation.export.to_xlsx`, which neutralise
formula-like text such as a statement starting with "=".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.barometer.analysis import Consensus, Side, Significance
from facilitation.barometer.metrics import (
    Division,
    GroupStatus,
    SectorBreakdown,
    SectorGroup,
    StatementStats,
    compare,
)
from facilitation.barometer.scale import check_steps, scale_labels
from facilitation.export import Cell, Table
from facilitation.groups import GroupKey, group_names, hidden_text
from facilitation.i18n import rounded_number, t
from facilitation.model import DEFAULT_SECTORS, Language
from facilitation.suppression import POOLED


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
        *(
            t(f"barometer.export.col.{key}", lang)
            for key in ("mean", "median", "agree", "neutral", "disagree", "agreement", "leik", "pattern")
        ),
    ]


def _hidden(group: SectorGroup, lang: Language | str) -> str:
    return hidden_text(group.reason, group.pooled, lang)


def left_out_note(breakdowns: Sequence[SectorBreakdown], lang: Language | str) -> str:
    """What the sector comparison leaves out, for captions, charts and exports.

    "4 svar från grupper med färre än 5 ingår inte i jämförelsen" (a range when statements
    differ); without any such answers, just the rule ("Grupper med färre än 5 svar visas inte").
    """
    minimum = breakdowns[0].min_group_size if breakdowns else 0
    left = sorted({b.disclosure.residue for b in breakdowns if b.compared and b.disclosure.residue})
    if not left:
        return t("disclosure.rule", lang, min=minimum)
    if len(left) == 1:
        return t("disclosure.left_out", lang, n=left[0], min=minimum)
    return t("disclosure.left_out_range", lang, low=left[0], high=left[-1], min=minimum)


def overall_note(breakdown: SectorBreakdown, lang: Language | str) -> str | None:
    """The note a statement's overall result carries instead of figures, or ``None`` if it is shown."""
    if breakdown.disclosure.overall or not breakdown.disclosure.total:
        return None
    return t("disclosure.too_few_overall", lang, n=breakdown.disclosure.total, min=breakdown.min_group_size)


def export_tables(
    texts: Sequence[str],
    stats: Sequence[StatementStats],
    breakdowns: Sequence[SectorBreakdown],
    steps: int,
    lang: Language | str = Language.SV,
    *,
    names: Mapping[GroupKey, str] | None = None,
    divisions: Sequence[Division] | None = None,
    earlier: Sequence[StatementStats | None] | None = None,
    earlier_round: int | None = None,
    numbers: Sequence[int] | None = None,
    significance: Mapping[int, Significance] | None = None,
    consensus: Mapping[Side, Sequence[Consensus[GroupKey]]] | None = None,
    dont_know: bool = False,
) -> list[Table]:
    """Statements, sectors (hidden groups as their reason only), then, when given, the ranking of
    statements by how much the sectors differ and the change since an earlier round, and the scale.

    ``stats`` are the published overall results (:attr:`SectorBreakdown.overall`); a statement
    whose room is below the minimum gets its count and a note instead of figures. ``numbers`` are
    the statements' catalogue numbers, as posted (default 1, 2, 3 …). With ``dont_know`` (the round
    offered "Vet inte / berör inte oss") the statement and sector rows end with that count and its
    share of all answers — never inside the scale's figures.
    """
    check_steps(steps)
    numbers = _numbers(numbers, texts)
    if not len(texts) == len(stats) == len(breakdowns):
        raise ValueError("texts, stats and breakdowns must be equally long")
    if earlier is not None and len(earlier) != len(stats):
        raise ValueError("earlier must be as long as stats")
    names = dict(names) if names is not None else group_names(DEFAULT_SECTORS, lang)
    number = t("barometer.export.col.number", lang)
    statement = t("barometer.export.col.statement", lang)
    headers = _metric_headers(steps, lang)
    unsure_headers = (
        [t("barometer.export.col.dont_know", lang), t("barometer.export.col.dont_know_share", lang)]
        if dont_know
        else []
    )

    def unsure(k: int, n: int) -> list[Cell]:
        return [k, _percent(k / (n + k) if n + k else 0.0)] if dont_know else []

    overview = Table(
        t("barometer.export.sheet.statements", lang),
        [number, statement, *headers, t("barometer.export.col.left_out", lang), *unsure_headers],
    )
    for index, text, s, breakdown in zip(numbers, texts, stats, breakdowns, strict=True):
        note = overall_note(breakdown, lang)
        if note is not None:
            overview.rows.append([index, text, breakdown.disclosure.total, note])
        else:
            overview.rows.append(
                [
                    index,
                    text,
                    *_metrics(s, lang),
                    breakdown.disclosure.residue,
                    *unsure(breakdown.dont_know, s.n),
                ]
            )

    sectors = Table(
        t("barometer.export.sheet.sectors", lang),
        [number, statement, t("barometer.export.col.sector", lang), *headers, *unsure_headers],
    )
    pooled_anywhere = any(b.pooled is not None for b in breakdowns)
    for index, text, breakdown in zip(numbers, texts, breakdowns, strict=True):
        for group in breakdown.groups:
            if group.sector is None and group.status is GroupStatus.EMPTY:
                continue  # "no sector" is a row only where someone gave none
            name = names.get(group.sector, str(group.sector))
            if group.stats is not None:
                sectors.rows.append(
                    [index, text, name, *_metrics(group.stats, lang), *unsure(group.dont_know, group.stats.n)]
                )
            elif group.status is GroupStatus.SUPPRESSED:
                sectors.rows.append([index, text, name, _hidden(group, lang)])
            else:
                sectors.rows.append([index, text, name, 0])
        if breakdown.pooled is not None:
            sectors.rows.append(
                [
                    index,
                    text,
                    names[POOLED],
                    *_metrics(breakdown.pooled, lang),
                    *unsure(breakdown.pooled_dont_know, breakdown.pooled.n),
                ]
            )
        elif pooled_anywhere:
            sectors.rows.append([index, text, names[POOLED], None])
    if breakdowns:
        sectors.rows.append([None, left_out_note(breakdowns, lang)])

    scale = Table(
        t("barometer.export.sheet.scale", lang),
        [t("barometer.export.col.value", lang), t("barometer.export.col.label", lang)],
    )
    scale.rows.extend([v, label] for v, label in enumerate(scale_labels(steps, lang), start=1))
    tables = [overview, sectors]
    if divisions is not None:
        tables.append(
            dividing_table(
                texts, breakdowns, divisions, lang, names, numbers=numbers, significance=significance
            )
        )
    if consensus is not None and divisions:
        tables.append(consensus_table(texts, consensus, lang, names, numbers=numbers))
    if earlier is not None:
        tables.append(comparison_table(texts, stats, earlier, earlier_round, lang, numbers=numbers))
    return [*tables, scale]


def _numbers(numbers: Sequence[int] | None, texts: Sequence[str]) -> list[int]:
    """The statements' catalogue numbers, or 1, 2, 3 … when none are given."""
    return list(numbers) if numbers is not None else list(range(1, len(texts) + 1))


def dividing_table(
    texts: Sequence[str],
    breakdowns: Sequence[SectorBreakdown],
    divisions: Sequence[Division],
    lang: Language | str = Language.SV,
    names: Mapping[GroupKey, str] | None = None,
    *,
    numbers: Sequence[int] | None = None,
    significance: Mapping[int, Significance] | None = None,
) -> Table:
    """Every statement by how much the shown panels differ, most dividing first.

    With ``significance`` each ranked statement also gets its permutation test: raw and
    Holm-adjusted p-value and whether the difference is more than chance.

    A group's mean is written only where the sector split shows it; a hidden group gives its
    reason in words, exactly as on the sector sheet. Statements whose groups are not compared
    follow, unranked, with the reason.
    """
    names = dict(names) if names is not None else group_names(DEFAULT_SECTORS, lang)
    numbers = _numbers(numbers, texts)
    keys = [key for key in names if any(key in b.shown for b in breakdowns)]
    headers = [
        t(f"barometer.export.col.{key}", lang)
        for key in ("place", "number", "statement", "score", "mean_gap", "distance", "higher", "lower")
    ]
    headers += [t("barometer.export.col.sector_mean", lang, sector=names[key]) for key in keys]
    tested = significance is not None
    if tested:
        headers += [t(f"barometer.export.col.{key}", lang) for key in ("p", "p_holm", "chance")]
    table = Table(t("barometer.export.sheet.dividing", lang), headers)

    def test_cells(index: int) -> list[Cell]:
        if significance is None:
            return []
        result = significance.get(index)
        if result is None:
            return [None, None, None]
        return [
            _round(result.p, 4),
            _round(result.adjusted, 4),
            t("barometer.export.yes" if result.beyond_chance else "barometer.export.no", lang),
        ]

    def means(index: int) -> list[Cell]:
        cells: list[Cell] = []
        breakdown = breakdowns[index]
        for key in keys:
            stats = breakdown.shown.get(key)
            if stats is not None:
                cells.append(_round(stats.mean, 2))
            elif key != POOLED and breakdown.group(key).status is GroupStatus.SUPPRESSED:
                cells.append(_hidden(breakdown.group(key), lang))
            else:
                cells.append(None)
        return cells

    for place, division in enumerate(divisions, start=1):
        i = division.index
        table.rows.append(
            [
                place,
                numbers[i],
                texts[i],
                _round(division.score),
                _round(division.mean_gap, 2),
                _round(division.distance),
                names[division.higher],
                names[division.lower],
                *means(i),
                *test_cells(i),
            ]
        )
    ranked = {d.index for d in divisions}
    for i, text in enumerate(texts):
        if i not in ranked:
            table.rows.append(
                [
                    None,
                    numbers[i],
                    text,
                    t("barometer.export.not_comparable", lang),
                    None,
                    None,
                    None,
                    None,
                    *means(i),
                ]
            )
    table.rows.append([None, t("barometer.export.dividing_method", lang)])
    if tested:
        table.rows.append([None, t("barometer.results.chance.method", lang)])
    return table


def consensus_table(
    texts: Sequence[str],
    consensus: Mapping[Side, Sequence[Consensus[GroupKey]]],
    lang: Language | str = Language.SV,
    names: Mapping[GroupKey, str] | None = None,
    *,
    numbers: Sequence[int] | None = None,
) -> Table:
    """ "Här är sektorerna överens": the agreed statements, then the disagreed ones, strongest first,
    with the consensus score and each shown panel's share on that side (the panels the sector
    sheet shows; a panel not compared on a statement is empty)."""
    names = dict(names) if names is not None else group_names(DEFAULT_SECTORS, lang)
    numbers = _numbers(numbers, texts)
    entries = [entry for side in Side for entry in consensus.get(side, ())]
    keys = [key for key in names if any(key in entry.panels for entry in entries)]
    headers = [
        t(f"barometer.export.col.{key}", lang)
        for key in ("place", "number", "statement", "side", "consensus")
    ]
    headers += [t("barometer.export.col.side_share", lang, sector=names[key]) for key in keys]
    table = Table(t("barometer.export.sheet.consensus", lang), headers)
    for side in Side:
        for place, entry in enumerate(consensus.get(side, ()), start=1):
            shares = [
                _percent(entry.panels[key].share(side)) if key in entry.panels else None for key in keys
            ]
            table.rows.append(
                [
                    place,
                    numbers[entry.index],
                    texts[entry.index],
                    t(f"barometer.consensus.{side.value}", lang),
                    _round(entry.score),
                    *shares,
                ]
            )
    table.rows.append([None, t("barometer.export.consensus_method", lang)])
    return table


def comparison_table(
    texts: Sequence[str],
    stats: Sequence[StatementStats],
    earlier: Sequence[StatementStats | None],
    earlier_round: int | None,
    lang: Language | str = Language.SV,
    *,
    numbers: Sequence[int] | None = None,
) -> Table:
    """Per statement: answers, mean and share agreeing then and now, and the change.

    Means are compared only on the same scale (steps are not the same distance apart
    otherwise); shares agreeing compare across scales.
    """
    keys = (
        "number",
        "statement",
        "n_before",
        "n_after",
        "mean_before",
        "mean_after",
        "mean_change",
        "agree_before",
        "agree_after",
        "agree_change",
        "note",
    )
    name = t("barometer.export.sheet.comparison", lang)
    table = Table(name, [t(f"barometer.export.col.{key}", lang) for key in keys])
    for index, text, now, before in zip(_numbers(numbers, texts), texts, stats, earlier, strict=True):
        if before is None or not before.n or not now.n:
            # nothing to compare: not asked then, or too few answers then or now to be shown
            note = (
                "compare_new"
                if before is None
                else "compare_too_few_then"
                if not before.n
                else "compare_too_few_now"
            )
            table.rows.append(
                [
                    index,
                    text,
                    before.n if before is not None and before.n else None,
                    now.n or None,
                    _round(before.mean, 2) if before is not None else None,
                    _round(now.mean, 2),
                    None,
                    _percent(before.share_agree) if before else None,
                    _percent(now.share_agree),
                    None,
                    t(f"barometer.export.{note}", lang),
                ]
            )
            continue
        change = compare(now, before)
        same_scale = now.steps == before.steps
        table.rows.append(
            [
                index,
                text,
                before.n,
                now.n,
                _round(before.mean, 2) if same_scale else None,
                _round(now.mean, 2) if same_scale else None,
                _round(change.delta_mean, 2),
                _percent(before.share_agree),
                _percent(now.share_agree),
                _percent(change.delta_share_agree),
                None if same_scale else t("barometer.export.compare_other_scale", lang),
            ]
        )
    if earlier_round is not None:
        table.rows.append([None, t("barometer.export.compared_with", lang, number=earlier_round)])
    return table
