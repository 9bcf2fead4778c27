"""Simulated participants for the local mode and demos: they press the real buttons.

Each simulated person joins through the sector buttons of the workshop's join message and then
answers the open round through the buttons posted in the room, so the whole path (signed button
data, service rules, storage) is exercised exactly as with people. How a person answers a kind
of round is the exercise's :meth:`~facilitation.exercises.Exercise.simulated_presses`.

It drives a :class:`SimulatedSession` (the local mode's session has what it needs), so the
local mode imports the simulation and not the other way round.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol

from facilitation.content.chat import installed
from facilitation.content.simulated import simulated_proposal
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.model import Round, Sector
from facilitation.ports import Button, ButtonEvent, ChatRef, CommandEvent, MessageRef, UserRef

SECTOR_CYCLE = (Sector.IDEBUREN, Sector.OFFENTLIG, Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN)


class PostedMessage(Protocol):
    """A message the simulation finds in the room: where it is and its number."""

    @property
    def id(self) -> int: ...

    @property
    def chat(self) -> ChatRef: ...


class SimulatedRoom(Protocol):
    """What the simulation reads of the platform: the posted messages, their buttons, the answers to presses."""

    @property
    def messages(self) -> Mapping[int, PostedMessage]: ...

    @property
    def acks(self) -> Sequence[tuple[str, str | None]]: ...

    def buttons_of(self, message_id: int) -> list[Button]: ...


class SimulatedSession(Protocol):
    """What the simulation drives: the conversation, the room's platform and a seeded random source."""

    @property
    def conversation(self) -> Conversation: ...

    @property
    def port(self) -> SimulatedRoom: ...

    @property
    def random(self) -> random.Random: ...


def _decode(session: SimulatedSession, button: Button) -> tuple[str, tuple[int, ...]] | None:
    try:
        return session.conversation.codec.decode(button.data)
    except DomainError:
        return None


async def simulate_room(session: SimulatedSession, count: int) -> str:
    """``count`` simulated participants join and answer; returns a one-line summary."""
    conv = session.conversation
    port = session.port
    rng = session.random
    sector_message = None
    round_buttons: dict[int, list[Button]] = defaultdict(list)
    open_round = None
    for message in sorted(port.messages.values(), key=lambda m: m.id):
        if message.chat.is_private:
            continue
        for button in port.buttons_of(message.id):
            decoded = _decode(session, button)
            if decoded is None:
                continue
            action, args = decoded
            if action == "s":
                sector_message = message
            elif args:
                round_buttons[args[0]].append(button)
    if sector_message is None:
        return "Ingen workshop i rummet ännu: börja med /workshop."
    for round_id in sorted(round_buttons, reverse=True):
        candidate = await conv.service.store.round(round_id)
        if candidate is not None and candidate.status.value == "open":
            open_round = candidate
            break
    presses = 0
    proposing = await _proposal_round(conv, sector_message.chat)
    proposed = 0
    start = len(port.acks)
    sector_buttons = port.buttons_of(sector_message.id)
    # Each sector leans its own way on each item, so sector splits differ visibly.
    lean = {s: [rng.uniform(-1.6, 1.6) for _ in range(40)] for s in Sector}
    for index in range(count):
        name = f"deltagare-{index + 1:03d}"
        user = UserRef("local", name, name)
        sector = SECTOR_CYCLE[index % len(SECTOR_CYCLE)]
        # the process's own sectors (fewer than three, perhaps): its first, second, … button
        sector_index = [Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN].index(sector) % len(sector_buttons)
        await conv.handle(
            ButtonEvent(
                user,
                sector_message.chat,
                sector_buttons[sector_index].data,
                MessageRef(sector_message.chat, str(sector_message.id)),
            )
        )
        if proposing is not None:  # a proposal round is open: each proposes one, in the room
            text = simulated_proposal(proposing, index)
            await conv.handle(CommandEvent(user, sector_message.chat, "foresla", tuple(text.split())))
            proposed += 1
        if open_round is None:
            continue
        for data in _choices(session, open_round, round_buttons[open_round.id], lean[sector], rng):
            await conv.handle(ButtonEvent(user, sector_message.chat, data))
            presses += 1
    refused = sum(
        1 for _, text in port.acks[start:] if text and ("ogiltig" in text.lower() or "stängd" in text)
    )
    what = f"omgång #{open_round.id}" if open_round else "ingen öppen omgång"
    ideas = f", {proposed} förslag skickade" if proposing is not None else ""
    return f"(simulerade {count} deltagare: {presses} knapptryck på {what}, {refused} avvisade{ideas})"


async def _proposal_round(conv: Conversation, room: ChatRef) -> str | None:
    """The catalogue (statements or principles) of the open proposal round of the room's workshop."""
    content = installed(conv)
    workshop_id = await conv.service.store.bound_workshop(
        conv.pseudonymizer.chat_key(room.platform, room.chat_id)
    )
    if content is None or workshop_id is None:
        return None
    workshop = await conv.service.require_workshop(workshop_id)
    round_ = await content.proposals.open_round(workshop)
    return round_.catalogue if round_ is not None else None


def _choices(
    session: SimulatedSession, round_: Round, buttons: list[Button], lean: list[float], rng: random.Random
) -> list[str]:
    """The button data one simulated person presses, in order (as the round's exercise says)."""
    exercise = session.conversation.exercises.get(round_.kind)
    if exercise is None:
        return []
    return exercise.simulated_presses(round_, [(b, _decode(session, b)) for b in buttons], lean, rng)
