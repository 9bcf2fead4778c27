"""One line per barometer chart that says in words what it shows (alt text, Telegram's caption head).

Built from the very breakdowns the charts are drawn from, and only from what they publish: a
statement whose overall result the rule hides is never named with a figure, and sector panels
are named only where a statement compares them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.barometer.analysis import Consensus, Side
from facilitation.barometer.metrics import Division, SectorBreakdown, StatementStats
from facilitation.groups import GroupKey
from facilitation.i18n import number_text, percent_text, register, t
from facilitation.model import Language


def _shown(numbers: Sequence[int], breakdowns: Sequence[SectorBreakdown]) -> list[tuple[int, float]]:
    """(number, share agreeing) of every statement whose overall result the round published."""
    return [
        (number, b.overall.share_agree)
        for number, b in zip(numbers, breakdowns, strict=True)
        if b.disclosure.total and b.disclosure.overall and b.overall.share_agree is not None
    ]


def diverging_alt(numbers: Sequence[int], breakdowns: Sequence[SectorBreakdown], lang: Language) -> str:
    """ "Staplar: andel som håller med … per påstående, hela rummet; högst: påstående 3 (80 %) …"."""
    shown = _shown(numbers, breakdowns)
    if not shown:
        return t("barometer.alt.diverging_none", lang)
    high = max(shown, key=lambda entry: (entry[1], -entry[0]))
    low = min(shown, key=lambda entry: (entry[1], entry[0]))
    return t(
        "barometer.alt.diverging",
        lang,
        count=len(shown),
        high=high[0],
        high_share=percent_text(high[1]),
        low=low[0],
        low_share=percent_text(low[1]),
    )


def sector_alt(
    numbers: Sequence[int],
    breakdowns: Sequence[SectorBreakdown],
    divisions: Sequence[Division],
    names: Mapping[GroupKey, str],
    lang: Language,
) -> str:
    """ "Staplar per sektor (…); störst skillnad: påstående 2 (idéburen sektor 4,1 · offentlig 2,3)"."""
    groups: list[GroupKey] = []
    for breakdown in breakdowns:
        if breakdown.compared:
            groups += [key for key in breakdown.shown if key not in groups]
    listed = ", ".join(names[key] for key in groups)
    if not divisions:
        return t("barometer.alt.sectors", lang, groups=listed)
    top = divisions[0]
    means = " · ".join(f"{names[key]} {number_text(mean, lang)}" for key, mean in top.means.items())
    return t("barometer.alt.sectors_top", lang, groups=listed, number=numbers[top.index], means=means)


def consensus_alt(
    numbers: Sequence[int], consensus: Mapping[Side, Sequence[Consensus[GroupKey]]], lang: Language
) -> str:
    """ "Påståenden där varje jämförd sektor håller med: 1, 4; inte håller med: 2"."""
    agree = ", ".join(str(numbers[e.index]) for e in consensus.get(Side.AGREE, [])) or "–"
    disagree = ", ".join(str(numbers[e.index]) for e in consensus.get(Side.DISAGREE, [])) or "–"
    return t("barometer.alt.consensus", lang, agree=agree, disagree=disagree)


def room_alt(number: int, stats: StatementStats, lang: Language) -> str:
    """ "Staplar: antal svar per steg 1–5 på påstående 3 (n = 24); medel 3,8, vanligast steg 4"."""
    if stats.mean is None or not stats.n:
        return t("barometer.alt.room_none", lang, number=number)
    common = max(range(len(stats.distribution)), key=lambda i: (stats.distribution[i], -i)) + 1
    return t(
        "barometer.alt.room",
        lang,
        number=number,
        steps=stats.steps,
        n=stats.n,
        mean=number_text(stats.mean, lang),
        common=common,
    )


register(
    {
        "sv": {
            "barometer.alt.diverging": (
                "Staplar: andel som håller med och inte håller med för {count} påståenden, hela rummet; "
                "högst andel som håller med: påstående {high} ({high_share} %), lägst: påstående {low} "
                "({low_share} %)."
            ),
            "barometer.alt.diverging_none": "Staplar per påstående; inget påstående har tillräckligt många svar att visa.",
            "barometer.alt.sectors": "Staplar: medelvärde per påstående, sektorerna sida vid sida ({groups}).",
            "barometer.alt.sectors_top": (
                "Staplar: medelvärde per påstående, sektorerna sida vid sida ({groups}); störst skillnad: "
                "påstående {number} ({means})."
            ),
            "barometer.alt.consensus": (
                "Påståenden där varje jämförd sektor har en majoritet på samma sida – håller med: {agree}; "
                "håller inte med: {disagree}."
            ),
            "barometer.alt.room": (
                "Staplar: antal svar per steg 1–{steps} på påstående {number} (n = {n}); medel {mean}, "
                "vanligast steg {common}."
            ),
            "barometer.alt.room_none": "Påstående {number}: inga svar att visa.",
        },
        "en": {
            "barometer.alt.diverging": (
                "Bars: share agreeing and disagreeing for {count} statements, the whole room; highest share "
                "agreeing: statement {high} ({high_share} %), lowest: statement {low} ({low_share} %)."
            ),
            "barometer.alt.diverging_none": "Bars per statement; no statement has enough answers to show.",
            "barometer.alt.sectors": "Bars: mean per statement, the sectors side by side ({groups}).",
            "barometer.alt.sectors_top": (
                "Bars: mean per statement, the sectors side by side ({groups}); largest difference: statement "
                "{number} ({means})."
            ),
            "barometer.alt.consensus": (
                "Statements where every compared sector has a majority on the same side – agree: {agree}; "
                "disagree: {disagree}."
            ),
            "barometer.alt.room": (
                "Bars: answers per step 1–{steps} on statement {number} (n = {n}); mean {mean}, most common "
                "step {common}."
            ),
            "barometer.alt.room_none": "Statement {number}: no answers to show.",
        },
    }
)
