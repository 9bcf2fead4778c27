"""Editing a workshop's statements and principles: add, reword, reorder, remove.

The process file is the template and is never written; each change is one stored row per key
(:class:`~facilitation.content.model.ItemChange`). Rules:

* an item is reworded only before the first round of the workshop that uses it (a round keeps
  the text it was opened with; two texts under one key in one workshop would compare two
  different questions as one);
* a reworded item keeps its key, so a comparison with another year by key still holds, and the
  list, ``/omgangar`` and the export say that it was reworded;
* an added item gets a new key of its own (``w<workshop>-s<n>`` or ``-p<n>``), never reused;
* texts follow the process file's rules: visible characters only, within its length, no two
  items of a list alike; a list keeps at least one item.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from facilitation.content.model import (
    ITEM_LIMIT,
    PRINCIPLES,
    STATEMENTS,
    TEXT_LIMIT,
    ItemChange,
    Origin,
    WorkshopItem,
    ordered,
    workshop_process,
)
from facilitation.content.store import ContentStore, ItemKeyTaken
from facilitation.errors import DomainError
from facilitation.input_rules import has_hidden_characters
from facilitation.keyed_locks import KeyedLocks
from facilitation.model import Process, Workshop
from facilitation.store import Store


def clean_text(text: str) -> str:
    """``text`` with its runs of blank space made one space."""
    return " ".join(text.split())


def check_item_text(catalogue: str, text: str, *, english: bool = False) -> str:
    """A text an item may have (cleaned); DomainError naming what is wrong otherwise."""
    if has_hidden_characters(text):
        raise DomainError("content.error.hidden")
    cleaned = clean_text(text)
    if not cleaned and not english:
        raise DomainError("content.error.empty")
    if len(cleaned) > TEXT_LIMIT[catalogue]:
        raise DomainError("content.error.too_long", limit=TEXT_LIMIT[catalogue], length=len(cleaned))
    return cleaned


class WorkshopContent:
    """A workshop's item lists: the template with the stored changes laid over."""

    def __init__(
        self, content: ContentStore, store: Store, processes: Callable[[], Mapping[str, Process]]
    ) -> None:
        """``processes``: the configured processes as they are now (asked each time: they may be reloaded)."""
        self.content = content
        self.store = store
        self.processes = processes
        self._locks: KeyedLocks[int] = KeyedLocks()

    def template(self, workshop: Workshop) -> Process:
        process = self.processes().get(workshop.process_key)
        if process is None:
            raise DomainError("error.no_workshop")
        return process

    async def process_for(self, workshop: Workshop) -> Process:
        """The process as this workshop's rounds draw on it."""
        return workshop_process(self.template(workshop), await self.content.item_changes(workshop.id))

    async def items(self, workshop: Workshop, catalogue: str) -> list[WorkshopItem]:
        return [item for item, _ in await self._placed(workshop, catalogue)]

    async def all_items(self, workshop: Workshop) -> dict[str, WorkshopItem]:
        """Every item of both lists by key (also for rounds that used an item since removed)."""
        changes = [
            dataclasses.replace(c, removed=False) for c in await self.content.item_changes(workshop.id)
        ]
        process = self.template(workshop)
        found: dict[str, WorkshopItem] = {}
        for catalogue in (STATEMENTS, PRINCIPLES):
            for item, _ in ordered(process, catalogue, changes):
                found[item.key] = item
        return found

    async def _placed(self, workshop: Workshop, catalogue: str) -> list[tuple[WorkshopItem, int]]:
        return ordered(self.template(workshop), catalogue, await self.content.item_changes(workshop.id))

    async def _item(self, workshop: Workshop, catalogue: str, number: int) -> tuple[WorkshopItem, int]:
        placed = await self._placed(workshop, catalogue)
        if not 1 <= number <= len(placed):
            raise DomainError(f"content.error.no_such.{catalogue}", number=number, count=len(placed))
        return placed[number - 1]

    @staticmethod
    def _not_alike(placed: list[tuple[WorkshopItem, int]], text: str, text_en: str, but: str = "") -> None:
        for item, _ in placed:
            if item.key == but:
                continue
            if item.text.casefold() == text.casefold() or (
                text_en and item.text_en and item.text_en.casefold() == text_en.casefold()
            ):
                raise DomainError("content.error.alike", text=item.text[:60])

    async def add(
        self, workshop: Workshop, catalogue: str, text: str, text_en: str = "", origin: Origin = Origin.CHAT
    ) -> WorkshopItem:
        """A new item at the end of the list, with a new key."""

        async def store(change: ItemChange) -> None:
            await self.content.add_item(workshop.id, change)

        async with self.held(workshop.id):
            change = await self.stored_new_item(workshop, catalogue, text, store, text_en, origin)
        return WorkshopItem(catalogue, change.key, change.text or "", change.text_en or "", origin)

    async def stored_new_item(
        self,
        workshop: Workshop,
        catalogue: str,
        text: str,
        store: Callable[[ItemChange], Awaitable[None]],
        text_en: str = "",
        origin: Origin = Origin.CHAT,
    ) -> ItemChange:
        """:meth:`new_item` stored by ``store``. The lock of :meth:`held` covers this process only:
        another process sharing the database may store an item under the same new key first; the
        store then refuses (:class:`ItemKeyTaken`, nothing stored) and the key is worked out again
        from what is stored now, so two items never share a key and neither replaces the other."""
        # Each refusal means another process stored an item meanwhile, and the list holds at most
        # ITEM_LIMIT items (new_item refuses beyond it), so this many tries always end. A fixed
        # five lost to six adds of another process in a clean-clone CI run.
        for _ in range(ITEM_LIMIT[catalogue]):
            change = await self.new_item(workshop, catalogue, text, text_en, origin)
            try:
                await store(change)
                return change
            except ItemKeyTaken:
                continue
        change = await self.new_item(workshop, catalogue, text, text_en, origin)
        await store(change)  # a key taken this many times over: the error is the operator's to see
        return change

    async def new_item(
        self, workshop: Workshop, catalogue: str, text: str, text_en: str = "", origin: Origin = Origin.CHAT
    ) -> ItemChange:
        """The change that adds ``text`` as a new item (checked, not stored)."""
        text = check_item_text(catalogue, text)
        text_en = check_item_text(catalogue, text_en, english=True)
        placed = await self._placed(workshop, catalogue)
        if len(placed) >= ITEM_LIMIT[catalogue]:
            raise DomainError("content.error.full", limit=ITEM_LIMIT[catalogue])
        self._not_alike(placed, text, text_en)
        changes = await self.content.item_changes(workshop.id)
        taken = {c.key for c in changes} | {item.key for item, _ in placed}
        taken |= {s.key for s in self.template(workshop).statements}
        taken |= {p.key for p in self.template(workshop).principles}
        letter = "s" if catalogue == STATEMENTS else "p"
        serial = sum(1 for c in changes if c.catalogue == catalogue and c.origin != Origin.TEMPLATE) + 1
        while f"w{workshop.id}-{letter}{serial}" in taken:
            serial += 1
        rank = max((place for _, place in placed), default=-1) + 1
        return ItemChange(
            catalogue, f"w{workshop.id}-{letter}{serial}", text, text_en, origin=origin, rank=rank
        )

    async def reword(
        self, workshop: Workshop, catalogue: str, number: int, text: str, text_en: str | None = None
    ) -> WorkshopItem:
        """New words for item ``number`` (1-based), before any round of the workshop used it."""
        text = check_item_text(catalogue, text)
        english = None if text_en is None else check_item_text(catalogue, text_en, english=True)
        async with self.held(workshop.id):
            item, _ = await self._item(workshop, catalogue, number)
            if await self._used(workshop, item.key):
                raise DomainError("content.error.used", number=number)
            self._not_alike(await self._placed(workshop, catalogue), text, english or "", but=item.key)
            stored = {
                c.key: c for c in await self.content.item_changes(workshop.id) if c.catalogue == catalogue
            }
            change = stored.get(item.key) or ItemChange(catalogue, item.key)
            template = item.origin == Origin.TEMPLATE
            change = dataclasses.replace(
                change,
                text=text,
                # New Swedish words without English: the old English would say something else.
                text_en=english if english is not None else "",
                reworded=template and (text != item.template_text or change.reworded),
            )
            await self.content.save_item_changes(workshop.id, [change])
        return dataclasses.replace(item, text=text, text_en=change.text_en or "", reworded=change.reworded)

    async def remove(self, workshop: Workshop, catalogue: str, number: int) -> WorkshopItem:
        """Item ``number`` leaves the list (rounds that used it keep it)."""
        async with self.held(workshop.id):
            item, _ = await self._item(workshop, catalogue, number)
            if len(await self._placed(workshop, catalogue)) <= 1:
                raise DomainError("content.error.last")
            stored = {
                c.key: c for c in await self.content.item_changes(workshop.id) if c.catalogue == catalogue
            }
            change = stored.get(item.key) or ItemChange(catalogue, item.key)
            await self.content.save_item_changes(workshop.id, [dataclasses.replace(change, removed=True)])
        return item

    async def move(self, workshop: Workshop, catalogue: str, number: int, to: int) -> list[WorkshopItem]:
        """Item ``number`` to place ``to``; every item of the list gets its rank."""
        async with self.held(workshop.id):
            placed = await self._placed(workshop, catalogue)
            item, _ = await self._item(workshop, catalogue, number)
            if not 1 <= to <= len(placed):
                raise DomainError(f"content.error.no_such.{catalogue}", number=to, count=len(placed))
            items = [i for i, _ in placed]
            items.remove(item)
            items.insert(to - 1, item)
            stored = {
                c.key: c for c in await self.content.item_changes(workshop.id) if c.catalogue == catalogue
            }
            await self.content.save_item_changes(
                workshop.id,
                [
                    dataclasses.replace(stored.get(i.key) or ItemChange(catalogue, i.key), rank=rank)
                    for rank, i in enumerate(items)
                ],
            )
        return items

    async def _used(self, workshop: Workshop, key: str) -> bool:
        """Whether a round of the workshop (any state: a draft is about to open) holds item ``key``."""
        return any(item.ref_key == key for r in await self.store.rounds(workshop.id) for item in r.items)

    @contextlib.asynccontextmanager
    async def held(self, workshop_id: int) -> AsyncIterator[None]:
        """One change of a workshop's lists at a time in this process (read, check, write)."""
        with self._locks.reserved(workshop_id) as lock:
            async with lock:
                yield
