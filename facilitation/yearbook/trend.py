"""A statement's results over the years: what ``/trend`` and the report's "Utveckling över åren" show.

The series are read from each yearly round's published figures, judged by that round's own
frozen frame, exactly as the round published them: a year's overall result appears only where
the round showed it, a sector's only where the round compared sectors and showed that panel
(the pooled "Övriga" panel as itself). So a trend shows no figure any of its rounds hid. The
statements are matched across years by their key in the process file (``ref_key``), never by
their number in a round, which changes when a round asks only some of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from facilitation.barometer.export import overall_note
from facilitation.barometer.metrics import StatementStats, sector_stats
from facilitation.barometer.results import shown_items
from facilitation.exercises import ExerciseService
from facilitation.groups import GroupKey, group_names
from facilitation.i18n import number_text, percent_text, t
from facilitation.model import Language, Process, Round, RoundKind, RoundStatus
from facilitation.yearbook import texts as _texts  # noqa: F401  (registers yearbook.* texts)
from facilitation.yearbook.store import YearlyRound


@dataclass(frozen=True)
class Figures:
    """One published result: n, mean (on a scale of ``steps``) and share agreeing."""

    n: int
    mean: float | None
    share_agree: float | None
    steps: int


@dataclass(frozen=True)
class YearPoint:
    """A statement in one year: the room's result (None where the round did not show it, then
    ``note`` says why) and each sector panel the round showed."""

    year: int
    round_id: int
    overall: Figures | None
    note: str | None
    sectors: Mapping[GroupKey, Figures]


@dataclass(frozen=True)
class StatementTrend:
    """One statement of the process over the years it was asked in a yearly round."""

    key: str
    number: int
    text: str
    points: tuple[YearPoint, ...]


@dataclass(frozen=True)
class Trend:
    """Every statement's series; ``names``: the groups' names as the charts and texts say them."""

    process: str
    years: tuple[int, ...]
    statements: tuple[StatementTrend, ...]
    names: Mapping[GroupKey, str]


def _figures(stats: StatementStats) -> Figures:
    return Figures(stats.n, stats.mean, stats.share_agree, stats.steps)


async def trend_of(
    service: ExerciseService,
    process: Process,
    yearly: Sequence[YearlyRound],
    lang: Language,
    *,
    statement: str | None = None,
) -> Trend:
    """The process's statements over its yearly rounds (closed barometers only; others are left
    out), oldest year first; only the statement with key ``statement`` when given."""
    catalogue = {s.key: (number, s.text_in(lang)) for number, s in enumerate(process.statements, start=1)}
    series: dict[str, list[YearPoint]] = {}
    texts: dict[str, str] = {}
    names: dict[GroupKey, str] = dict(group_names(process.sectors, lang))
    years: list[int] = []
    for entry in sorted(yearly, key=lambda y: y.year):
        round_ = await service.store.round(entry.round_id)
        if round_ is None or round_.kind != RoundKind.BAROMETER or round_.status != RoundStatus.CLOSED:
            continue
        points = await _year_points(service, round_, entry.year, lang, names)
        if points:
            years.append(entry.year)
        for key, (text, point) in points.items():
            if statement is not None and key != statement:
                continue
            series.setdefault(key, []).append(point)
            texts.setdefault(key, text)
    order = sorted(series, key=lambda key: (catalogue.get(key, (10**6, ""))[0], key))
    return Trend(
        process=process.name,
        years=tuple(years),
        statements=tuple(
            StatementTrend(
                key,
                catalogue.get(key, (0, ""))[0],
                catalogue[key][1] if key in catalogue else texts[key],
                tuple(series[key]),
            )
            for key in order
        ),
        names=names,
    )


async def _year_points(
    service: ExerciseService, round_: Round, year: int, lang: Language, names: dict[GroupKey, str]
) -> dict[str, tuple[str, YearPoint]]:
    """Each statement the round showed, by key: its published figures of that year."""
    values = await service.sector_values(round_.id)
    frame = await service.result_frame(round_)
    for key, name in group_names(frame.sectors, lang).items():
        names.setdefault(key, name)
    out: dict[str, tuple[str, YearPoint]] = {}
    shown = shown_items(round_)
    for item, answers in zip(round_.items[:shown], values[:shown], strict=True):
        breakdown = sector_stats(answers, round_.scale_steps, frame.min_group_size, frame.sectors)
        if not breakdown.disclosure.total:
            note: str | None = t("barometer.chart.no_answers", lang)
        else:
            note = overall_note(breakdown, lang)
        overall = _figures(breakdown.overall) if note is None else None
        sectors = (
            {key: _figures(stats) for key, stats in breakdown.shown.items()} if breakdown.compared else {}
        )
        out[item.ref_key or item.text] = (item.text, YearPoint(year, round_.id, overall, note, sectors))
    return out


def _mean(figures: Figures, lang: Language) -> str:
    return "–" if figures.mean is None else number_text(figures.mean, lang)


def _share(figures: Figures) -> str:
    return "–" if figures.share_agree is None else percent_text(figures.share_agree)


def trend_lines(trend: Trend, lang: Language) -> list[str]:
    """The trend in words: per statement, per year the room's mean, share agreeing and n, and each
    sector the round showed; a year the round did not show says why."""
    lines = [t("yearbook.trend.header", lang, process=trend.process, years=_years(trend.years))]
    short = {key: name for key, name in trend.names.items()}
    for series in trend.statements:
        lines.append(t("yearbook.trend.statement", lang, number=series.number or "–", text=series.text))
        for point in series.points:
            if point.overall is None:
                lines.append(
                    t(
                        "yearbook.trend.year_hidden",
                        lang,
                        year=point.year,
                        round=point.round_id,
                        note=point.note,
                    )
                )
                continue
            line = t(
                "yearbook.trend.year",
                lang,
                year=point.year,
                round=point.round_id,
                mean=_mean(point.overall, lang),
                steps=point.overall.steps,
                agree=_share(point.overall),
                n=point.overall.n,
            )
            if point.sectors:
                line += " · " + " · ".join(
                    t(
                        "yearbook.trend.sector",
                        lang,
                        name=short.get(key, str(key)),
                        mean=_mean(figures, lang),
                        agree=_share(figures),
                        n=figures.n,
                    )
                    for key, figures in point.sectors.items()
                )
            lines.append(line)
    return lines


def _years(years: Sequence[int]) -> str:
    return ", ".join(str(year) for year in years) or "–"


def trend_alt(trend: Trend, lang: Language) -> str:
    """One line that says what the trend chart shows: which years and groups, and per statement
    the change in share agreeing from its first to its last shown year (published figures only)."""
    groups = sorted(
        {key for s in trend.statements for p in s.points for key in p.sectors},
        key=lambda key: list(trend.names).index(key) if key in trend.names else 99,
    )
    changes = []
    for series in trend.statements:
        shown = [p for p in series.points if p.overall is not None and p.overall.share_agree is not None]
        if len(shown) >= 2:
            first, last = shown[0], shown[-1]
            assert first.overall is not None and last.overall is not None
            changes.append(
                t(
                    "yearbook.alt.change",
                    lang,
                    number=series.number or "–",
                    first=first.year,
                    before=_share(first.overall),
                    last=last.year,
                    after=_share(last.overall),
                )
            )
    return t(
        "yearbook.alt.trend",
        lang,
        years=_years(trend.years),
        groups=", ".join([t("yearbook.alt.room", lang), *(trend.names.get(k, str(k)) for k in groups)]),
        changes="; ".join(changes) if changes else t("yearbook.alt.no_change", lang),
    )
