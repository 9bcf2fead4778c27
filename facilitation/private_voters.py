"""Who votes on an open round in a private chat, so step mode can send them the next statement.

In step mode (``/barometer stegvis``) ``/nasta`` posts the next statement's buttons in the rooms.
Someone who votes in a private chat with the bot (Telegram: many phones hide a group's buttons
behind the keyboard) would otherwise have to type ``/rosta`` after every ``/nasta``. Whoever
opened the round there (``/rosta``) or answered it there, in a private chat bound to the round's
workshop, is remembered with that chat until the round closes or they ask to be forgotten.

Private chats are people, so they are kept **in this process's memory only**: never in the
database, never in a log. The price: after a restart, or when a ``/nasta`` is handled by another
bot process than the one that saw the person vote, they get nothing and ``/rosta`` still works.
"""

from __future__ import annotations

from facilitation.ports import ChatRef

MAX_ROUNDS = 200  # open rounds remembered at once (the oldest is forgotten first)
MAX_PER_ROUND = 5000  # private voters remembered per round


class PrivateVoters:
    """Private chats per open round, by participant key; memory only."""

    def __init__(self, max_rounds: int = MAX_ROUNDS, max_per_round: int = MAX_PER_ROUND) -> None:
        self._chats: dict[int, dict[str, ChatRef]] = {}
        self._max_rounds = max_rounds
        self._max_per_round = max_per_round

    def remember(self, round_id: int, user_key: str, chat: ChatRef) -> None:
        """``user_key`` votes on ``round_id`` in the private ``chat``."""
        if not chat.is_private:
            raise ValueError("only private chats are remembered")
        voters = self._chats.get(round_id)
        if voters is None:
            if len(self._chats) >= self._max_rounds:
                self._chats.pop(next(iter(self._chats)))
            voters = self._chats[round_id] = {}
        if user_key in voters or len(voters) < self._max_per_round:
            voters[user_key] = chat

    def knows(self, round_id: int, user_key: str) -> bool:
        return user_key in self._chats.get(round_id, {})

    def of(self, round_id: int) -> list[tuple[str, ChatRef]]:
        """The remembered (participant key, private chat) pairs of ``round_id``."""
        return list(self._chats.get(round_id, {}).items())

    def drop(self, round_id: int, user_key: str) -> None:
        """Stop sending ``round_id`` to ``user_key`` (their chat is gone)."""
        self._chats.get(round_id, {}).pop(user_key, None)

    def close(self, round_id: int) -> None:
        """The round closed: nothing more is sent for it."""
        self._chats.pop(round_id, None)

    def forget(self, user_key: str) -> None:
        """``user_key`` asked to be forgotten: their private chat is dropped from every round."""
        for voters in self._chats.values():
            voters.pop(user_key, None)
