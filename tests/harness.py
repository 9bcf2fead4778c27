"""Driving the real conversation through the local mode, as the flow tests and demos do."""

from __future__ import annotations

import io
import socket
import struct
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App
from bot.local import LocalPort, LocalSession
from config.settings import load_settings
from tests.waiting import eventually


async def until(probe: Callable[[], Any], within: float = 30.0) -> Any:
    """:func:`tests.waiting.eventually` with the flow tests' longer default."""
    return await eventually(probe, within)


@dataclass
class LocalHarness:
    """An App on a temporary SQLite file with a local session; lines run one at a time."""

    app: App
    session: LocalSession
    output: list[str] = field(default_factory=list)

    @classmethod
    async def start(cls, tmp_path: Path, **settings: object) -> LocalHarness:
        values = {"data_dir": tmp_path, "facilitators": {"local": ["facilitator"]}, "chart_processes": 0}
        values.update(settings)
        app = await App.create(load_settings(None, env={}, env_file=None, **values))
        output: list[str] = []
        port = LocalPort(tmp_path / "out", output.append, edit_interval=0.05)
        return cls(app, LocalSession(app.conversation, port), output)

    @property
    def port(self) -> LocalPort:
        return self.session.port

    async def run(self, *lines: str) -> list[str]:
        """Run lines; returns what was printed by them."""
        start = len(self.output)
        for line in lines:
            await self.session.run_line(line)
        return self.output[start:]

    def last_message_with(self, needle: str) -> int:
        return max(m.id for m in self.port.messages.values() if needle in m.text)

    def last_ack(self) -> str:
        return self.port.acks[-1][1] or ""

    async def close(self) -> None:
        await self.app.aclose()


def result_text(message: str) -> str:
    """A close's result text without the "Omgången … är stängd. Här är resultatet:" it opens with
    (the message whole when it has none)."""
    return message.split("Här är resultatet:\n\n")[-1]


def script(lines: list[str]) -> io.StringIO:
    return io.StringIO("\n".join(lines) + "\n")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file (and a check that it is one)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ballot_message(h: LocalHarness) -> int:
    """The id of the latest message carrying prioritisation buttons."""
    return max(
        m.id
        for m in h.port.messages.values()
        if m.buttons and m.buttons[0][0].data.split(".", 1)[0] in ("pr", "pp", "pa")
    )


def button_at(h: LocalHarness, message_id: int, label_start: str) -> str:
    """``message.index`` of the first button whose label starts with ``label_start``."""
    for index, button in enumerate(h.port.buttons_of(message_id), start=1):
        if button.label.startswith(label_start):
            return f"{message_id}.{index}"
    raise AssertionError(f"no button {label_start!r} in message {message_id}")


@asynccontextmanager
async def running_app(tmp_path: Path, **settings: Any) -> AsyncIterator[App]:
    """An App on a temporary SQLite file with charts drawn in-thread, closed on exit."""
    app = await App.create(
        load_settings(None, env={}, env_file=None, **{"data_dir": tmp_path, "chart_processes": 0, **settings})
    )
    try:
        yield app
    finally:
        await app.aclose()
