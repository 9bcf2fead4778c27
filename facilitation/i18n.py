"""Swedish-first translations for everything the bot says and draws.

Each domain module registers its own texts with :func:`register`, so a module's wording lives
beside its logic. Swedish is the fallback for any key missing in another language, and a
missing key in Swedish is a programming error that fails loudly in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

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


#: Binary floats carry noise far below any figure we show (100 · 29/200 is 14.499999999999998):
#: values are first rounded to this many decimals, then rounded for display.
NOISE_DECIMALS = 9


def rounded(value: float | Decimal, digits: int = 0) -> Decimal:
    """``value`` rounded half away from zero to ``digits`` decimals: the one rounding rule of every
    text, chart and export.

    Python's ``round`` and ``f"{x:.1f}"`` round half to even on the binary value, so 52.5 became
    52 and 1.25 became 1.2 while 18.75 became 18.8. Here the value is read as the shortest decimal
    that names the float (``repr``), cleaned of binary noise below :data:`NOISE_DECIMALS`
    decimals, and then rounded half away from zero (52.5 → 53, 1.25 → 1.3, −2.5 → −3).
    """
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not exact.is_finite():
        raise ValueError(f"cannot round {value!r}")
    context = Context(prec=max(28, exact.adjusted() + NOISE_DECIMALS + 2))
    cleaned = exact.quantize(Decimal(1).scaleb(-NOISE_DECIMALS), rounding=ROUND_HALF_EVEN, context=context)
    result = cleaned.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=context)
    return result.copy_abs() if result.is_zero() else result  # never "−0,0"


def rounded_number(value: float | None, digits: int) -> float | None:
    """:func:`rounded` as a float for an export cell (``None`` stays empty)."""
    return None if value is None else float(rounded(value, digits))


def number_text(
    value: float, lang: Language | str = Language.SV, *, digits: int = 1, trim: bool = False
) -> str:
    """``value`` rounded by :func:`rounded` and written the way the language does: a decimal comma
    in Swedish ("3,5"), a point in English; ``trim`` drops a trailing ",0" ("4" rather than "4,0")."""
    text = str(rounded(value, digits))
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if Language(lang) is Language.SV else text


def percent_text(share: float, lang: Language | str = Language.SV, *, digits: int = 0) -> str:
    """A share (0–1) as a percentage number without the sign ("53" for 0.525), by :func:`rounded`."""
    return number_text(100 * share, lang, digits=digits)


def keys(lang: Language = Language.SV) -> set[str]:
    """All registered keys of ``lang`` (tests use it to check the English catalogue is complete)."""
    return set(_CATALOG[lang])
