"""Errors the domain raises for bad input; they carry a text key, never a hard-coded sentence.

Adapters catch :class:`DomainError` and show ``message(lang)`` to the user in their language.
Raising one must happen before any state changes, so bad input changes nothing.
"""

from __future__ import annotations

from facilitation import texts as _texts  # noqa: F401  (registers the core texts)
from facilitation.i18n import t
from facilitation.model import Language


class DomainError(Exception):
    """A refusal that is the user's to fix: the key names a text in :mod:`facilitation.i18n`."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: Language | str = Language.SV) -> str:
        """The refusal in ``lang``."""
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return f"{self.key} {self.params}" if self.params else self.key
