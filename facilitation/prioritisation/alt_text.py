"""One line per prioritisation chart that says in words what it shows (alt text, Telegram's caption
head), from the published result only: the order of the principles, never a hidden group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from facilitation.groups import GroupKey
from facilitation.i18n import register, t
from facilitation.model import Language

#: How many principles the summary names from the top.
TOP = 3


def ranking_alt(order: Sequence[int], names: Mapping[int, str], n: int, lang: Language) -> str:
    """ "Staplar: principerna i ordning efter 32 röster; först Dialog, Kvalitet, Öppenhet; sist Mångfald"."""
    if not order:
        return t("prio.alt.none", lang)
    first = ", ".join(names[item] for item in order[:TOP])
    return t("prio.alt.ranking", lang, n=n, first=first, last=names[order[-1]])


def sectors_alt(groups: Sequence[GroupKey], names: Mapping[GroupKey, str], lang: Language) -> str:
    """ "Staplar per sektor sida vid sida (idéburen sektor, offentlig sektor) för varje princip"."""
    return t("prio.alt.sectors", lang, groups=", ".join(names[key] for key in groups))


def pairwise_alt(lang: Language) -> str:
    return t("prio.alt.pairwise", lang)


register(
    {
        "sv": {
            "prio.alt.ranking": (
                "Staplar: principerna i ordning efter {n} röster; först {first}; sist {last}."
            ),
            "prio.alt.none": "Staplar: inga principer att visa.",
            "prio.alt.sectors": "Staplar: varje princip per sektor, sida vid sida ({groups}).",
            "prio.alt.pairwise": (
                "Rutnät: för varje par av principer, hur många som satte den ena före den andra."
            ),
        },
        "en": {
            "prio.alt.ranking": "Bars: the principles in order after {n} ballots; first {first}; last {last}.",
            "prio.alt.none": "Bars: no principles to show.",
            "prio.alt.sectors": "Bars: each principle per sector, side by side ({groups}).",
            "prio.alt.pairwise": "Grid: for each pair of principles, how many put one before the other.",
        },
    }
)
