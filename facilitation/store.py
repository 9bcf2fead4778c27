"""The persistence interface the domain needs; :mod:`storage` implements it on SQLAlchemy.

:class:`facilitation.memory_store.MemoryStore` implements the same contract in memory so the
domain rules can be tested without a database; both are run against the same contract tests.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from facilitation.model import (
    ChatBinding,
    FrozenAnswer,
    Language,
    Participant,
    Response,
    ResultFrame,
    Round,
    RoundKind,
    RoundStatus,
    SectorKey,
    Workshop,
)
from facilitation.ports import ChatRef

#: A change of one participant's ballot: the stored ballot (item id → value) in, the new one out.
#: It may raise DomainError to refuse; then nothing is stored.
BallotChange = Callable[[dict[int, int]], dict[int, int]]


class Store(Protocol):
    """Workshops, participants, rounds and responses. Every method is one transaction."""

    async def create_workshop(
        self, process_key: str, title: str, join_code: str, language: Language, created_at: datetime
    ) -> Workshop | None:
        """The new workshop, or ``None`` if ``join_code`` is taken."""
        ...

    async def workshop(self, workshop_id: int) -> Workshop | None: ...

    async def workshop_by_code(self, join_code: str) -> Workshop | None: ...

    async def set_compare_round(self, workshop_id: int, round_id: int | None) -> None:
        """Remember (or forget, with None) the round the workshop's next barometer is compared with."""
        ...

    async def upsert_participant(
        self,
        workshop_id: int,
        key: str,
        sector: SectorKey = None,
        organisation: str | None = None,
        at: datetime | None = None,
    ) -> Participant:
        """Create the participant, or update the sector/organisation given (``None`` keeps them)."""
        ...

    async def participant(self, workshop_id: int, key: str) -> Participant | None: ...

    async def participants(self, workshop_id: int) -> list[Participant]: ...

    async def workshop_ids(self) -> list[int]:
        """Every workshop's id (a person's keys are derived for each, see :mod:`facilitation.pseudonym`)."""
        ...

    async def workshops_of(self, keys: Mapping[int, str]) -> list[int]:
        """The workshops a person joined, given their participant key in each workshop (by id)."""
        ...

    async def create_round(
        self,
        workshop_id: int,
        kind: RoundKind,
        title: str,
        items: Sequence[tuple[str, str]],
        settings: Mapping[str, int],
        compare_round_id: int | None = None,
        numbers: Sequence[int] | None = None,
    ) -> Round:
        """A new draft round with ``items`` given as (text, ref_key) in order, numbered ``numbers``
        (their catalogue numbers; 1, 2, 3 … when not given)."""
        ...

    async def round(self, round_id: int) -> Round | None: ...

    async def rounds(self, workshop_id: int) -> list[Round]: ...

    async def open_rounds(self) -> list[Round]:
        """Every open round, whichever process opened it (by id)."""
        ...

    async def prepare_answers(self, round_id: int) -> None:
        """Make the first answers to an open round as quick to store as the later ones, storing
        nothing (a store with nothing to prepare does nothing)."""
        ...

    async def transition_round(
        self, round_id: int, from_status: RoundStatus, to_status: RoundStatus, at: datetime
    ) -> bool:
        """Atomically move a round from one status to the next; False if it was not in ``from_status``."""
        ...

    async def set_current_position(self, round_id: int, position: int | None) -> None: ...

    async def freeze_items(self, round_id: int, item_ids: Sequence[int], frame: ResultFrame) -> None:
        """Make the answers to ``item_ids`` final, in one transaction.

        Items not frozen yet are marked frozen (no answer to them is accepted any more) and their
        answers copied into the round's frozen answers: value, the participant's sector now (one
        ``frame`` does not list counts as none) and a ballot number shuffled within this freeze —
        never a key. The round's frame is fixed to ``frame`` if it has none yet.
        """
        ...

    async def close_round(self, round_id: int, at: datetime, frame: ResultFrame) -> bool:
        """Close an open round and, in the same transaction, freeze all its items (see
        :meth:`freeze_items`) and fix its turnout; False if it was not open."""
        ...

    async def frozen_answers(self, round_id: int) -> list[FrozenAnswer]:
        """The round's frozen answers (no keys)."""
        ...

    async def fix_frame(self, round_id: int, frame: ResultFrame) -> None:
        """Fix ``frame`` into a round that has none yet (a round closed before frames were kept)."""
        ...

    async def set_response(
        self, round_id: int, item_id: int, participant_key: str, value: int, at: datetime, press_key: str = ""
    ) -> bool:
        """Insert or replace one answer, only while the round is open and the item not frozen;
        False otherwise.

        The participant is recorded in the round's workshop too if it was not yet (without a sector).
        ``press_key`` is recorded with the answer, in the same transaction: a press recorded before
        changes nothing (True: it counts already), so a press delivered again never undoes a
        later change of mind.
        """
        ...

    async def update_ballot(
        self, round_id: int, participant_key: str, change: BallotChange, at: datetime, press_key: str = ""
    ) -> dict[int, int] | None:
        """Replace a participant's answers in a round by ``change`` of the stored ones, while it is open.

        One step per ballot, also across processes sharing the database: the stored ballot is
        read under a lock on the participant, so a change never overwrites another it did not
        see. ``press_key`` is recorded with the change; a press recorded before changes nothing.
        Returns the stored ballot afterwards, or None if the round is not open.
        """
        ...

    async def responses(self, round_id: int) -> list[Response]: ...

    async def own_responses(self, round_id: int, participant_key: str) -> dict[int, int]:
        """One participant's answers (item id → value), shown only to that participant."""
        ...

    async def turnout(self, round_id: int) -> int:
        """How many distinct participants have answered (never who)."""
        ...

    async def forget_participant(self, keys: Sequence[str]) -> int:
        """Delete every participation, answer and preference stored under ``keys`` (one person's
        key in each workshop and their user key); the number of rows removed.

        Frozen answers hold no key and stay: they are the anonymous figures rounds have published.
        """
        ...

    async def bind_chat(self, chat_key: str, workshop_id: int, *, origin: bool = False) -> None:
        """Bind the chat to the workshop (replacing an earlier binding); ``origin``: created here."""
        ...

    async def bound_workshop(self, chat_key: str) -> int | None: ...

    async def bound_chats(self, workshop_id: int) -> list[str]:
        """The keys of every chat bound to the workshop (rooms, private chats, browsers)."""
        ...

    async def chat_binding(self, chat_key: str) -> ChatBinding | None:
        """The chat's workshop and whether it was created in this chat."""
        ...

    async def unbind_chat(self, chat_key: str) -> None: ...

    async def add_room(self, workshop_id: int, chat: ChatRef) -> None:
        """Remember a group chat/channel where the workshop runs (never a private chat).

        Adding it again keeps it once: its forum topic becomes ``chat.thread_id``, its title
        ``chat.title`` when that is known.
        """
        ...

    async def rooms(self, workshop_id: int) -> list[ChatRef]:
        """The workshop's rooms, with their titles and topics, ordered by platform and chat id."""
        ...

    async def remove_room(self, workshop_id: int, chat: ChatRef) -> bool:
        """The chat is no longer a room of the workshop; False if it was not one."""
        ...

    async def move_chat(self, old: ChatRef, new: ChatRef, old_key: str, new_key: str) -> bool:
        """A chat got a new id (a Telegram group became a supergroup): its rooms and its binding
        (``old_key`` → ``new_key``) follow it, in one transaction. False if nothing was there to move."""
        ...

    async def set_language(self, user_key: str, language: Language) -> None: ...

    async def language(self, user_key: str) -> Language | None: ...

    async def languages(self) -> dict[str, Language]:
        """Every stored language preference (few: only users who chose one)."""
        ...


def frozen_rows(
    answers: Iterable[tuple[str, int, int, str | None]], frame: ResultFrame, first_ballot: int
) -> list[FrozenAnswer]:
    """Answers ``(participant key, item id, value, sector)`` as frozen answers, for every store.

    Keys are replaced by ballot numbers from ``first_ballot`` on, given in a random order, and
    the rows themselves are shuffled, so neither a number nor the order rows are stored in says
    anything about who; a sector the frame does not list counts as none.
    """
    answers = list(answers)
    known = {sector.key for sector in frame.sectors}
    keys = sorted({key for key, _, _, _ in answers})
    shuffle = secrets.SystemRandom().shuffle
    shuffle(keys)
    ballot = {key: first_ballot + index for index, key in enumerate(keys)}
    rows = [
        FrozenAnswer(item, ballot[key], sector if sector in known else None, value)
        for key, item, value, sector in answers
    ]
    shuffle(rows)
    return rows
