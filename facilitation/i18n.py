"""Swedish-first translations for everything the bot says and draws.

Each domain module registers its own texts with :func:`register`, so a module's wording lives
beside its logic. Swedish is the fallback for any key missing in another language, and a
missing key in Swedish is a programming error that fails loudly in tests.
"""

from __future__ import annotations

from collections.abc import Mapping

from facilitation.model import Language

_CATALOG: dict[Language, dict[str, str]] = {Language.SV: {}, Language.EN: {}}


def register(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``{"sv": {key: text}, "en": {...}}`` to the catalogue; duplicate keys are refused."""
    for lang_code, entries in texts.items():
        lang = Language(lang_code)
        for key, text in entries.items():
            existing = _CATALOG[lang].get(key)
            if existing is not None and existing != text:
                raise ValueError(f"text key {key!r} registered twice for {lang}")
            _CATALOG[lang][key] = text


def t(key: str, lang: Language | str = Language.SV, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in (str.format syntax)."""
    language = Language(lang) if lang in Language._value2member_map_ else Language.SV
    text = _CATALOG[language].get(key) or _CATALOG[Language.SV].get(key)
    if text is None:
        raise KeyError(f"no text for {key!r}")
    return text.format(**params) if params else text


def number_text(value: float, lang: Language | str = Language.SV, *, trim: bool = False) -> str:
    """``value`` with one decimal as the language writes it: a decimal comma in Swedish ("3,5"),
    a point in English; ``trim`` drops a trailing ",0" ("4" rather than "4,0")."""
    text = f"{value:.1f}"
    if trim:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if Language(lang) is Language.SV else text


def has(key: str) -> bool:
    """Whether ``key`` has a Swedish text (every key must)."""
    return key in _CATALOG[Language.SV]


def keys(lang: Language = Language.SV) -> set[str]:
    """All registered keys of ``lang`` (tests use it to check the English catalogue is complete)."""
    return set(_CATALOG[lang])
