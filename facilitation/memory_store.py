"""An in-memory :class:`~facilitation.store.Store` for domain tests and quick experiments.

It keeps the same rules as the database (one answer per participant and item, answers only
while a round is open) so the contract tests can run against both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from facilitation.model import (
    ChatBinding,
    FrozenAnswer,
    Language,
    Participant,
    Response,
    ResultFrame,
    Round,
    RoundItem,
    RoundKind,
    RoundStatus,
    SectorKey,
    Workshop,
)
from facilitation.ports import ChatRef
from facilitation.store import BallotChange, frozen_rows


class MemoryStore:
    """Dictionaries behind a lock; every call is atomic like a transaction."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._workshops: dict[int, Workshop] = {}
        self._participants: dict[tuple[int, str], Participant] = {}
        self._rounds: dict[int, Round] = {}
        self._responses: dict[tuple[int, int, str], Response] = {}
        self._bindings: dict[str, ChatBinding] = {}
        self._presses: dict[str, int] = {}  # press key → round
        self._frozen: dict[int, list[FrozenAnswer]] = {}  # round → its frozen answers (no keys)
        self._rooms: dict[int, dict[tuple[str, str], ChatRef]] = {}
        self._languages: dict[str, Language] = {}
        self._ids = {"workshop": 0, "round": 0, "item": 0}

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    async def create_workshop(
        self, process_key: str, title: str, join_code: str, language: Language, created_at: datetime
    ) -> Workshop | None:
        async with self._lock:
            if any(w.join_code == join_code for w in self._workshops.values()):
                return None
            workshop = Workshop(self._next("workshop"), process_key, title, join_code, language, created_at)
            self._workshops[workshop.id] = workshop
            return replace(workshop)

    async def workshop(self, workshop_id: int) -> Workshop | None:
        found = self._workshops.get(workshop_id)
        return replace(found) if found else None

    async def set_compare_round(self, workshop_id: int, round_id: int | None) -> None:
        async with self._lock:
            if workshop_id in self._workshops:
                self._workshops[workshop_id].compare_round_id = round_id

    async def workshop_by_code(self, join_code: str) -> Workshop | None:
        return next((replace(w) for w in self._workshops.values() if w.join_code == join_code), None)

    async def upsert_participant(
        self,
        workshop_id: int,
        key: str,
        sector: SectorKey = None,
        organisation: str | None = None,
        at: datetime | None = None,
    ) -> Participant:
        async with self._lock:
            current = self._participants.get((workshop_id, key)) or Participant(key, workshop_id)
            updated = Participant(
                key,
                workshop_id,
                sector if sector is not None else current.sector,
                organisation if organisation is not None else current.organisation,
            )
            self._participants[(workshop_id, key)] = updated
            return replace(updated)

    async def participant(self, workshop_id: int, key: str) -> Participant | None:
        found = self._participants.get((workshop_id, key))
        return replace(found) if found else None

    async def workshop_ids(self) -> list[int]:
        return sorted(self._workshops)

    async def workshops_of(self, keys: Mapping[int, str]) -> list[int]:
        return sorted(w for (w, k) in self._participants if keys.get(w) == k)

    async def participants(self, workshop_id: int) -> list[Participant]:
        return [replace(p) for (w, _), p in self._participants.items() if w == workshop_id]

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
        async with self._lock:
            round_ = Round(
                id=self._next("round"),
                workshop_id=workshop_id,
                kind=kind,
                title=title,
                items=[
                    RoundItem(self._next("item"), i, text, ref, number=numbers[i] if numbers else 0)
                    for i, (text, ref) in enumerate(items)
                ],
                settings=dict(settings),
                compare_round_id=compare_round_id,
            )
            self._rounds[round_.id] = round_
            return self._copy(round_)

    @staticmethod
    def _copy(round_: Round) -> Round:
        return replace(round_, items=[replace(i) for i in round_.items], settings=dict(round_.settings))

    async def round(self, round_id: int) -> Round | None:
        found = self._rounds.get(round_id)
        return self._copy(found) if found else None

    async def rounds(self, workshop_id: int) -> list[Round]:
        return [self._copy(r) for r in self._rounds.values() if r.workshop_id == workshop_id]

    async def open_rounds(self) -> list[Round]:
        return [
            self._copy(r)
            for r in sorted(self._rounds.values(), key=lambda r: r.id)
            if r.status == RoundStatus.OPEN
        ]

    async def prepare_answers(self, round_id: int) -> None:
        return None  # nothing to prepare in memory

    async def transition_round(
        self, round_id: int, from_status: RoundStatus, to_status: RoundStatus, at: datetime
    ) -> bool:
        async with self._lock:
            round_ = self._rounds.get(round_id)
            if round_ is None or round_.status != from_status:
                return False
            round_.status = to_status
            if to_status == RoundStatus.OPEN:
                round_.opened_at = at
            if to_status == RoundStatus.CLOSED:
                round_.closed_at = at
                self._presses = {k: r for k, r in self._presses.items() if r != round_id}
            return True

    async def set_current_position(self, round_id: int, position: int | None) -> None:
        async with self._lock:
            self._rounds[round_id].current_position = position

    async def freeze_items(self, round_id: int, item_ids: Sequence[int], frame: ResultFrame) -> None:
        async with self._lock:
            if round_id in self._rounds:
                self._freeze(self._rounds[round_id], item_ids, frame)

    async def close_round(self, round_id: int, at: datetime, frame: ResultFrame) -> bool:
        async with self._lock:
            round_ = self._open(round_id)
            if round_ is None:
                return False
            round_.status = RoundStatus.CLOSED
            round_.closed_at = at
            self._presses = {k: r for k, r in self._presses.items() if r != round_id}
            self._freeze(round_, [item.id for item in round_.items], frame)
            round_.turnout = len({k for (rid, _, k) in self._responses if rid == round_id})
            return True

    def _freeze(self, round_: Round, item_ids: Sequence[int], frame: ResultFrame) -> None:
        round_.frame = round_.frame or frame
        claimed = {item.id for item in round_.items if item.id in item_ids and not item.frozen}
        for item in round_.items:
            item.frozen = item.frozen or item.id in claimed
        people = {k: p.sector for (w, k), p in self._participants.items() if w == round_.workshop_id}
        answers = [
            (k, i, r.value, people.get(k))
            for (rid, i, k), r in self._responses.items()
            if rid == round_.id and i in claimed
        ]
        stored = self._frozen.setdefault(round_.id, [])
        stored.extend(frozen_rows(answers, frame, max((a.ballot for a in stored), default=0) + 1))

    async def frozen_answers(self, round_id: int) -> list[FrozenAnswer]:
        return list(self._frozen.get(round_id, []))

    async def fix_frame(self, round_id: int, frame: ResultFrame) -> None:
        async with self._lock:
            round_ = self._rounds.get(round_id)
            if round_ is not None and round_.frame is None:
                round_.frame = frame

    def _open(self, round_id: int) -> Round | None:
        round_ = self._rounds.get(round_id)
        return round_ if round_ is not None and round_.status == RoundStatus.OPEN else None

    async def set_response(
        self, round_id: int, item_id: int, participant_key: str, value: int, at: datetime, press_key: str = ""
    ) -> bool:
        async with self._lock:
            round_ = self._open(round_id)
            item = round_.item(item_id) if round_ is not None else None
            if round_ is None or item is None or item.frozen:
                return False
            if press_key in self._presses:
                return True  # counted already
            if press_key:
                self._presses[press_key] = round_id
            self._participants.setdefault(
                (round_.workshop_id, participant_key), Participant(participant_key, round_.workshop_id)
            )
            self._responses[(round_id, item_id, participant_key)] = Response(
                round_id, item_id, participant_key, value
            )
            return True

    async def update_ballot(
        self, round_id: int, participant_key: str, change: BallotChange, at: datetime, press_key: str = ""
    ) -> dict[int, int] | None:
        async with self._lock:
            round_ = self._open(round_id)
            if round_ is None:
                return None
            stored = {
                i: r.value
                for (rid, i, k), r in self._responses.items()
                if rid == round_id and k == participant_key
            }
            if press_key in self._presses:
                return stored
            ballot = change(dict(stored))
            if press_key:
                self._presses[press_key] = round_id
            self._participants.setdefault(
                (round_.workshop_id, participant_key), Participant(participant_key, round_.workshop_id)
            )
            for key in [k for k in self._responses if k[0] == round_id and k[2] == participant_key]:
                del self._responses[key]
            for item_id, value in ballot.items():
                self._responses[(round_id, item_id, participant_key)] = Response(
                    round_id, item_id, participant_key, value
                )
            return ballot

    async def responses(self, round_id: int) -> list[Response]:
        return [r for (rid, _, _), r in self._responses.items() if rid == round_id]

    async def own_responses(self, round_id: int, participant_key: str) -> dict[int, int]:
        return {
            i: r.value
            for (rid, i, k), r in self._responses.items()
            if rid == round_id and k == participant_key
        }

    async def turnout(self, round_id: int) -> int:
        return len({k for (rid, _, k) in self._responses if rid == round_id})

    async def forget_participant(self, keys: Sequence[str]) -> int:
        wanted = set(keys)
        async with self._lock:
            doomed = [k for k in self._responses if k[2] in wanted]
            for response_key in doomed:
                del self._responses[response_key]
            people = [k for k in self._participants if k[1] in wanted]
            for participant_key in people:
                del self._participants[participant_key]
            languages = [k for k in self._languages if k in wanted]
            for language_key in languages:
                del self._languages[language_key]
            return len(doomed) + len(people) + len(languages)

    async def bind_chat(self, chat_key: str, workshop_id: int, *, origin: bool = False) -> None:
        self._bindings[chat_key] = ChatBinding(workshop_id, origin)

    async def bound_workshop(self, chat_key: str) -> int | None:
        binding = self._bindings.get(chat_key)
        return binding.workshop_id if binding else None

    async def bound_chats(self, workshop_id: int) -> list[str]:
        return [key for key, binding in self._bindings.items() if binding.workshop_id == workshop_id]

    async def chat_binding(self, chat_key: str) -> ChatBinding | None:
        return self._bindings.get(chat_key)

    async def unbind_chat(self, chat_key: str) -> None:
        self._bindings.pop(chat_key, None)

    async def add_room(self, workshop_id: int, chat: ChatRef) -> None:
        rooms = self._rooms.setdefault(workshop_id, {})
        known = rooms.get((chat.platform, chat.chat_id))
        rooms[(chat.platform, chat.chat_id)] = ChatRef(
            chat.platform,
            chat.chat_id,
            False,
            chat.workspace,
            title=chat.title or (known.title if known else None),
            thread_id=chat.thread_id,
        )

    async def rooms(self, workshop_id: int) -> list[ChatRef]:
        return [room for _, room in sorted(self._rooms.get(workshop_id, {}).items())]

    async def remove_room(self, workshop_id: int, chat: ChatRef) -> bool:
        return self._rooms.get(workshop_id, {}).pop((chat.platform, chat.chat_id), None) is not None

    async def move_chat(self, old: ChatRef, new: ChatRef, old_key: str, new_key: str) -> bool:
        moved = False
        for rooms in self._rooms.values():
            room = rooms.pop((old.platform, old.chat_id), None)
            if room is not None:
                rooms.setdefault(
                    (new.platform, new.chat_id),
                    ChatRef(new.platform, new.chat_id, False, room.workspace, title=new.title or room.title),
                )
                moved = True
        binding = self._bindings.pop(old_key, None)
        if binding is not None:
            self._bindings.setdefault(new_key, binding)
            moved = True
        return moved

    async def set_language(self, user_key: str, language: Language) -> None:
        self._languages[user_key] = language

    async def language(self, user_key: str) -> Language | None:
        return self._languages.get(user_key)

    async def languages(self) -> dict[str, Language]:
        return dict(self._languages)
