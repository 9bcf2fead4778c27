"""Simulated participants for the local mode and demos: they press the real buttons.

Each simulated person joins through the sector buttons of the workshop's join message and then
answers the open round through the buttons posted in the room, so the whole path (signed button
data, service rules, storage) is exercised exactly as with people.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from facilitation.errors import DomainError
from facilitation.model import RoundKind, Sector
from facilitation.ports import Button, ButtonEvent, MessageRef, UserRef

if TYPE_CHECKING:
    from bot.local import LocalSession

SECTOR_CYCLE = (Sector.IDEBUREN, Sector.OFFENTLIG, Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN)


def _decode(session: LocalSession, button: Button) -> tuple[str, tuple[int, ...]] | None:
    try:
        return session.conversation.codec.decode(button.data)
    except DomainError:
        return None


async def simulate_room(session: LocalSession, count: int) -> str:
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
        await conv.handle(ButtonEvent(user, sector_message.chat, sector_buttons[sector_index].data,
                                      MessageRef(sector_message.chat, str(sector_message.id))))
        if open_round is None:
            continue
        for data in _choices(session, open_round.kind, open_round.scale_steps, round_buttons[open_round.id],
                             lean[sector], rng, open_round.settings):
            await conv.handle(ButtonEvent(user, sector_message.chat, data))
            presses += 1
    refused = sum(1 for _, text in port.acks[start:] if text and ("ogiltig" in text.lower() or "stängd" in text))
    what = f"omgång #{open_round.id}" if open_round else "ingen öppen omgång"
    return f"(simulerade {count} deltagare: {presses} knapptryck på {what}, {refused} avvisade)"


#: How often a simulated person answers "Vet inte / berör inte oss" where a round offers it.
DONT_KNOW_SHARE = 0.1


def _choices(session: LocalSession, kind: RoundKind, steps: int, buttons: list[Button], lean: list[float],
             rng, settings: dict[str, int]) -> list[str]:  # type: ignore[no-untyped-def]
    """The button data one simulated person presses, in order."""
    decoded = [(b, _decode(session, b)) for b in buttons]
    if kind == RoundKind.BAROMETER:
        by_item: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for button, parsed in decoded:
            if parsed and parsed[0] == "b" and len(parsed[1]) == 3:
                by_item[parsed[1][1]].append((parsed[1][2], button.data))
        out = []
        for position, item_id in enumerate(sorted(by_item)):
            centre = (steps + 1) / 2 + lean[position % len(lean)] * (steps - 1) / 4
            value = min(steps, max(1, round(rng.gauss(centre, steps / 5))))
            offered = dict(by_item[item_id])
            if 0 in offered and rng.random() < DONT_KNOW_SHARE:
                value = 0  # "Vet inte / berör inte oss", where the round offers it
            choice = offered.get(value)
            if choice:
                out.append(choice)
        return out
    hook = getattr(session.conversation.exercises.get(kind), "simulated_presses", None)
    if hook is None:
        return []
    return hook(decoded, lean, rng, settings)
