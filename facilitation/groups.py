"""The groups a result is split by: a process's sectors, "no sector" and the pooled panel.

Results carry group *keys* (a sector key, ``None`` for participants who gave no sector,
:data:`~facilitation.suppression.POOLED` for small groups shown together); this module orders
them and names them in a language, so charts, texts and exports agree on both. The disclosure
rule itself is :func:`facilitation.suppression.disclose`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from facilitation import texts as _texts  # noqa: F401  (registers group.*, hidden.*, disclosure.*)
from facilitation.i18n import t
from facilitation.model import Language, SectorDef, SectorKey
from facilitation.suppression import POOLED, Disclosure, Hidden

V = TypeVar("V")

GroupKey = SectorKey  # a sector key, None (no sector) or POOLED


def group_keys(sectors: Sequence[SectorDef]) -> tuple[SectorKey, ...]:
    """Every group a split can have, in presentation order: the sectors, then "no sector"."""
    return (*(s.key for s in sectors), None)


def known_groups(
    by_group: Mapping[SectorKey, list[V]], sectors: Sequence[SectorDef]
) -> dict[SectorKey, list[V]]:
    """``by_group`` in presentation order, with keys the process does not define joined to "no sector".

    A participant may hold a sector the process file has since dropped; such answers count as
    "no sector" rather than forming a group nobody can name.
    """
    keys = group_keys(sectors)
    out: dict[SectorKey, list[V]] = {key: [] for key in keys}
    for key, values in by_group.items():
        out[key if key in out else None].extend(values)
    return {key: values for key, values in out.items() if values}


def group_order(sectors: Sequence[SectorDef]) -> dict[GroupKey, int]:
    """Position of each group key (sectors, no sector, pooled) for sorting."""
    keys = [*group_keys(sectors), POOLED]
    return {key: index for index, key in enumerate(keys)}


def group_names(
    sectors: Sequence[SectorDef], lang: Language | str, *, short: bool = False
) -> dict[GroupKey, str]:
    """Names by group key, in order: headings ("Idéburen sektor", "Ej angiven sektor", "Övriga"),
    or with ``short`` the forms used inside a sentence ("idéburen sektor", "utan sektor", "övriga")."""
    language = Language(lang)
    names: dict[GroupKey, str] = {
        s.key: s.short_in(language) if short else s.name_in(language) for s in sectors
    }
    suffix = "_short" if short else ""
    names[None] = t(f"group.none{suffix}", language)
    names[POOLED] = t(f"group.pooled{suffix}", language)
    return names


def hidden_text(reason: Hidden | None, pooled: bool, lang: Language | str) -> str:
    """Why a group has no panel, in words: "för få svar", "för få svar – ingår i Övriga" or
    "dold så att den lilla gruppen inte kan räknas fram"."""
    if pooled:
        return t("hidden.too_few_pooled", lang)
    return t(f"hidden.{(reason or Hidden.TOO_FEW).value}", lang)


def left_out_text(disclosure: Disclosure[SectorKey], lang: Language | str) -> str:
    """The note beside a comparison: how many answers are not part of it, or the rule itself."""
    if disclosure.compared and disclosure.residue:
        return t("disclosure.left_out", lang, n=disclosure.residue, min=disclosure.minimum)
    return t("disclosure.rule", lang, min=disclosure.minimum)
