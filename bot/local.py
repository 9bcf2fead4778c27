"""The local terminal mode: try every exercise without Telegram or Slack.

One person plays the facilitator and any number of participants. It drives the same
:class:`~facilitation.conversation.Conversation` through a :class:`LocalPort` that implements the
same port as the real platforms, so it doubles as the test harness for whole flows.

Input lines (interactive or from a script):
  /kommando args     a command, as the current speaker, in the current chat
  7.2                press button 2 of message 7
  @namn              speak as "namn" from now on (@namn /kommando … for one line)
  :privat / :rum     switch between the speaker's private chat and the shared room
  :sim N             N simulated participants join (alternating sectors) and answer the open round
  :vänta S           wait S seconds (lets live tallies update)
  :hjälp             this help;  :slut  quit
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from bot.simulation import simulate_room
from config.private_files import private_dir, write_private
from config.settings import LOCAL_FACILITATOR
from facilitation.conversation import Conversation
from facilitation.ports import (
    Attachment,
    Button,
    ButtonEvent,
    ChatRef,
    CommandEvent,
    Keyboard,
    MessageRef,
    PortDefaults,
    TextEvent,
    UserRef,
)

LOCAL_HELP = """Lokalt läge – du skriver som en person i taget:
  /kommando args   ett kommando till boten (/hjalp visar botens kommandon)
  7.2              tryck på knapp 2 i meddelande 7
  @namn            tala som "namn" från och med nu (@namn /kommando … för en rad)
  :privat / :rum   byt mellan talarens privata chatt och det gemensamma rummet
  :sim N           N simulerade deltagare går med (växlande sektorer) och svarar i den öppna omgången
  :vänta S         vänta S sekunder (låter livesiffrorna uppdateras)
  :hjälp           den här hjälpen;  :slut  avsluta"""

PLATFORM = "local"
MAX_SIMULATED = 1000
MAX_WAIT_SECONDS = 600
ROOM = ChatRef(PLATFORM, "rum", is_private=False)
_PRESS = re.compile(r"^(\d+)\.(\d+)$")
N = TypeVar("N", int, float)


@dataclass
class LocalMessage:
    id: int
    chat: ChatRef
    text: str
    buttons: Keyboard | None
    files: list[Path] = field(default_factory=list)


class LocalPort(PortDefaults):
    """A chat platform in the terminal: messages are printed, files are written to ``out_dir``."""

    platform = PLATFORM

    def __init__(
        self, out_dir: Path, write: Callable[[str], None] = print, edit_interval: float = 1.0
    ) -> None:
        self.out_dir = out_dir
        self.write = write
        self.messages: dict[int, LocalMessage] = {}
        self.acks: list[tuple[str, str | None]] = []
        self.edits = 0
        self.quiet = False
        self._ids = itertools.count(1)
        self._files = itertools.count(1)
        self._edit_interval = edit_interval

    def _show(self, message: LocalMessage, prefix: str = "") -> None:
        if self.quiet:
            return
        where = "rum" if not message.chat.is_private else f"privat:{message.chat.chat_id}"
        lines = [f"[{where}] #{message.id} {prefix}{message.text}"]
        for row in message.buttons or []:
            lines.append(
                "    " + "  ".join(f"[{message.id}.{self._index(message, b)}] {b.label}" for b in row)
            )
        self.write("\n".join(lines))

    @staticmethod
    def _index(message: LocalMessage, button: Button) -> int:
        flat = [b for row in message.buttons or [] for b in row]
        return flat.index(button) + 1

    async def send_text(self, chat: ChatRef, text: str, buttons: Keyboard | None = None) -> MessageRef:
        message = LocalMessage(next(self._ids), chat, text, buttons)
        self.messages[message.id] = message
        self._show(message)
        return MessageRef(chat, str(message.id))

    async def edit_message(self, message: MessageRef, text: str, buttons: Keyboard | None = None) -> None:
        stored = self.messages[int(message.message_id)]
        stored.text, stored.buttons = text, buttons
        self.edits += 1
        self._show(stored, prefix="(uppdaterat) ")

    def _save(self, filename: str, data: bytes) -> Path:
        """Charts and exports as files only the bot's user reads (see config.private_files)."""
        private_dir(self.out_dir)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
        path = write_private(self.out_dir / f"{next(self._files):03d}-{safe}", data)
        return path.resolve()

    async def send_image(
        self, chat: ChatRef, png: bytes, caption: str, filename: str, alt_text: str = ""
    ) -> MessageRef:
        path = self._save(filename, png)
        alt = f"\n    alt: {alt_text}" if alt_text else ""
        message = LocalMessage(next(self._ids), chat, f"🖼 {caption}{alt}\n    bild: {path}", None, [path])
        self.messages[message.id] = message
        self._show(message)
        return MessageRef(chat, str(message.id))

    async def send_file(self, chat: ChatRef, attachment: Attachment) -> MessageRef:
        path = self._save(attachment.filename, attachment.data)
        message = LocalMessage(
            next(self._ids), chat, f"📎 {attachment.caption}\n    fil: {path}", None, [path]
        )
        self.messages[message.id] = message
        self._show(message)
        return MessageRef(chat, str(message.id))

    async def acknowledge(self, event: ButtonEvent, text: str | None = None, alert: bool = False) -> None:
        self.acks.append((event.user.user_id, text))
        if text and not self.quiet:
            self.write(f"    ↳ till {event.user.user_id}: {text}")

    def edit_interval(self, chat: ChatRef) -> float:
        return self._edit_interval

    def files(self) -> list[Path]:
        return [p for m in self.messages.values() for p in m.files]

    def buttons_of(self, message_id: int) -> list[Button]:
        message = self.messages.get(message_id)
        return [b for row in (message.buttons or []) for b in row] if message else []


class LocalSession:
    """Reads lines and turns them into events for the conversation, as the current speaker."""

    def __init__(
        self,
        conversation: Conversation,
        port: LocalPort,
        facilitator: str = LOCAL_FACILITATOR,
        seed: int = 2015,
    ) -> None:
        self.conversation = conversation
        self.port = port
        self.speaker = facilitator
        self.in_private = False
        self.random = random.Random(seed)
        conversation.add_port(port)

    def chat_for(self, speaker: str, private: bool) -> ChatRef:
        return ChatRef(PLATFORM, f"dm-{speaker}", is_private=True) if private else ROOM

    async def run_line(self, line: str) -> bool:
        """Execute one input line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith("@"):
            name, _, rest = line[1:].partition(" ")
            if not name:
                self.port.write("Ange ett namn: @namn")
                return True
            if rest.strip():
                previous = self.speaker
                self.speaker = name
                try:
                    return await self.run_line(rest)
                finally:
                    self.speaker = previous
            self.speaker = name
            self.port.write(f"(du talar nu som {name})")
            return True
        if line.startswith(":"):
            return await self._meta(line[1:])
        user = UserRef(PLATFORM, self.speaker, self.speaker)
        chat = self.chat_for(self.speaker, self.in_private)
        press = _PRESS.match(line)
        if press:
            await self.press(user, int(press.group(1)), int(press.group(2)))
        elif line.startswith("/"):
            try:
                parts = shlex.split(line[1:])
            except ValueError:
                parts = line[1:].split()
            if not parts:
                return True
            await self.conversation.handle(CommandEvent(user, chat, parts[0], tuple(parts[1:])))
        else:
            await self.conversation.handle(TextEvent(user, chat, line))
        return True

    async def press(self, user: UserRef, message_id: int, index: int) -> None:
        buttons = self.port.buttons_of(message_id)
        if not 1 <= index <= len(buttons):
            self.port.write(f"Det finns ingen knapp {message_id}.{index}.")
            return
        message = self.port.messages[message_id]
        chat = message.chat if not message.chat.is_private else self.chat_for(user.user_id, True)
        await self.conversation.handle(
            ButtonEvent(user, chat, buttons[index - 1].data, MessageRef(message.chat, str(message_id)))
        )

    async def _meta(self, command: str) -> bool:
        """A ``:`` line; a wrong one gets its usage line and the session goes on."""
        name, *args = command.split() or [""]
        name = name.lower()
        if name in ("slut", "quit", "exit"):
            return False
        if name in ("privat", "private"):
            self.in_private = True
        elif name in ("rum", "room"):
            self.in_private = False
        elif name in ("vänta", "vanta", "wait"):
            seconds = _argument(args, 1.0, float, MAX_WAIT_SECONDS)
            if seconds is None:
                self.port.write(
                    f"Användning: :vänta S – vänta S sekunder (0–{MAX_WAIT_SECONDS}), t.ex. :vänta 5"
                )
            else:
                await asyncio.sleep(seconds)
        elif name in ("sim", "simulera"):
            count = _argument(args, 30, int, MAX_SIMULATED)
            if count is None or count < 1:
                self.port.write(
                    f"Användning: :sim N – N simulerade deltagare (1–{MAX_SIMULATED}), t.ex. :sim 30"
                )
            else:
                await self.simulate(count)
        else:
            self.port.write(LOCAL_HELP)
        return True

    async def simulate(self, count: int) -> None:
        """``count`` participants join with a sector (alternating idéburen/offentlig, some annan)
        and answer the buttons of the open round in the room. Sectors lean differently so the
        sector split shows something to talk about."""
        self.port.quiet = True
        try:
            summary = await simulate_room(self, count)
        finally:
            self.port.quiet = False
        self.port.write(summary)


def _argument(args: list[str], default: N, kind: Callable[[str], N], highest: N) -> N | None:
    """The one optional number of a ``:`` line (``default`` without one); None if it is not a
    number from 0 to ``highest``."""
    if not args:
        return default
    if len(args) > 1:
        return None
    try:
        value = kind(args[0])
    except ValueError:
        return None
    return value if 0 <= value <= highest else None  # also refuses nan


async def run_local(
    conversation: Conversation,
    out_dir: Path,
    stream: TextIO | None = None,
    write: Callable[[str], None] = print,
    facilitator: str = LOCAL_FACILITATOR,
) -> LocalPort:
    """Run the terminal mode until end of input or ``:slut``; returns the port (for tests)."""
    port = LocalPort(out_dir, write)
    session = LocalSession(conversation, port, facilitator)
    interactive = stream is None and sys.stdin.isatty()
    source = stream or sys.stdin
    if interactive:
        write(
            "Dialogbot – lokalt läge. Du är 'facilitator' (processledare). Skriv :hjälp för hjälp, "
            "/hjalp för botens kommandon.\nFörsök: /workshop varmland-2015 Workshop i Karlstad"
        )
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            prompt = f"{session.speaker}{' (privat)' if session.in_private else ''}> "
            try:
                line = await loop.run_in_executor(None, lambda: input(prompt))  # noqa: B023
            except EOFError:
                break
        else:
            line = source.readline()
            if not line:
                break
            if stream is None or write is print:
                write(f"> {line.rstrip()}")
        if not await session.run_line(line):
            break
    await asyncio.sleep(0)
    return port
