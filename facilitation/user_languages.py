"""The users' chosen languages, kept in memory: most events need the language, few users choose one.

Split out of :class:`~facilitation.conversation.Conversation` (which owns one and delegates to
it): the cache, its single-flight load and the fallback while the database is away belong together.
"""

from __future__ import annotations

from facilitation.cache import SingleFlight, TTLCache
from facilitation.model import Language
from facilitation.store import Store


class UserLanguages:
    """Each user's language (by their user key), else the installation's default."""

    def __init__(self, store: Store, default: Language) -> None:
        self.store = store
        self.default = default
        self._cache: TTLCache[dict[str, Language]] = TTLCache(30.0, 1)
        self._load: SingleFlight[dict[str, Language]] = SingleFlight()

    def known(self, user_key: str) -> Language:
        """The user's language as far as known without asking the database."""
        known = self._cache.get("all")
        return known.get(user_key, self.default) if known is not None else self.default

    async def of(self, user_key: str) -> Language:
        """The user's chosen language, else the installation's default."""
        chosen = self._cache.get("all")
        if chosen is None:  # few users choose a language: keep all choices, re-read now and then
            chosen = await self._load.load("all", self.store.languages)
            self._cache.put("all", chosen)
        return chosen.get(user_key, self.default)

    def forget(self) -> None:
        """A user chose a language or was forgotten: read all choices again at the next event."""
        self._cache.drop("all")
