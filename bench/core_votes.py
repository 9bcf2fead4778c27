"""Votes per second through the core alone (conversation + service + storage), no platform.

Usage: python bench/core_votes.py [--participants 300] [--rounds-of-presses 5] [--database-url URL]
Prints votes/s and p50/p99 latency from event to acknowledgement.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import App
from config.settings import load_settings
from facilitation.ports import (
    Attachment,
    ButtonEvent,
    ChatRef,
    CommandEvent,
    Keyboard,
    MessageRef,
    PortDefaults,
    UserRef,
)


class NullPort(PortDefaults):
    """A port that records acknowledgements with their time and nothing else."""

    platform = "bench"

    def __init__(self) -> None:
        self.sent: list[tuple[ChatRef, str, Keyboard | None]] = []
        self.acked: dict[str, float] = {}
        self.edits = 0

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        self.sent.append((chat, text, buttons))
        return MessageRef(chat, str(len(self.sent)))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        self.edits += 1

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        return await self.send_text(chat, caption)

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        return await self.send_text(chat, attachment.caption)

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        self.acked[event.press_id] = time.perf_counter()

    def edit_interval(self, chat: ChatRef) -> float:
        return 3.0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--presses", type=int, default=5, help="presses per participant")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=Path(tmp),
            database_url=args.database_url,
            facilitators={"bench": ["f"]},
            chart_processes=0,
        )
        app = await App.create(settings)
        port = NullPort()
        app.conversation.add_port(port)
        room = ChatRef("bench", "-100", is_private=False)
        facilitator = UserRef("bench", "f")
        await app.conversation.handle(CommandEvent(facilitator, room, "workshop", ("varmland-2015", "Bench")))
        await app.conversation.handle(CommandEvent(facilitator, room, "barometer", ()))
        buttons = [b for _, _, kb in port.sent if kb for row in kb for b in row if b.data.startswith("b.")]
        started: dict[str, float] = {}
        events = []
        for p in range(args.participants):
            user = UserRef("bench", f"u{p}")
            for k in range(args.presses):
                press_id = f"{p}-{k}"
                events.append(
                    (
                        press_id,
                        ButtonEvent(
                            user, room, buttons[(p * 7 + k * 3) % len(buttons)].data, press_id=press_id
                        ),
                    )
                )

        async def press(press_id: str, event: ButtonEvent) -> None:
            started[press_id] = time.perf_counter()
            await app.conversation.handle(event)

        t0 = time.perf_counter()
        await asyncio.gather(*(press(pid, ev) for pid, ev in events))
        elapsed = time.perf_counter() - t0
        latencies = sorted((port.acked[pid] - started[pid]) * 1000 for pid in started if pid in port.acked)
        print(f"database: {settings.effective_database_url.split('://')[0]}")
        print(f"votes: {len(events)} in {elapsed:.2f} s = {len(events) / elapsed:.0f} votes/s")
        print(
            f"ack latency p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms (all presses started at once)"
        )
        await app.aclose()


if __name__ == "__main__":
    asyncio.run(main())
