"""The HTML of a browser's messages, kept between page loads while nothing about it changed.

A phone reloads its page after every press (the POST's redirect, or the page's event stream),
and most of that page is the same messages with the same buttons. Each button is a form with its
own signed, single-use token, so rendering a page from scratch meant a random nonce and an
HMAC for every button on it, every time: most of the CPU time a browser vote costs (issue 18's
vote p99). A message's forms are reused while they are unused and fresh: the entry is dropped as
soon as one of its forms is posted (its nonce is spent, so it is never shown again), when the
message is edited, and it is not reused after ``reuse_seconds`` (so every form served is good for
at least its lifetime minus that). Nothing of the security checks changes: each token is still
checked, bound to its device, single-use and expiring.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.web.port import WebMessage
from facilitation.ports import Keyboard

MAX_ENTRIES = 30_000  # about 9 messages of 3000 phones; the least recently shown goes first


@dataclass(frozen=True)
class _Entry:
    made_at: float
    edits: int
    text: str
    buttons: Keyboard | None
    html: str


class RenderedMessages:
    """Rendered messages per (device, message id), reused while the same and unspent."""

    def __init__(self, clock: Callable[[], float], reuse_seconds: float, limit: int = MAX_ENTRIES) -> None:
        self.clock = clock
        self.reuse_seconds = reuse_seconds
        self.limit = limit
        self._entries: OrderedDict[tuple[str, int], _Entry] = OrderedDict()

    def html(self, device: str, message: WebMessage, render: Callable[[WebMessage], str]) -> str:
        """``render(message)``, or what it gave last time if the message and its forms still hold."""
        key = (device, message.id)
        now = self.clock()
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.edits == message.edits
            and entry.text == message.text
            and entry.buttons == message.buttons
            and 0 <= now - entry.made_at < self.reuse_seconds
        ):
            self._entries.move_to_end(key)
            return entry.html
        html = render(message)
        self._entries[key] = _Entry(now, message.edits, message.text, message.buttons, html)
        self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)
        return html

    def spent(self, device: str, message_id: int) -> None:
        """A form of this message was posted: its page must show new forms from now on."""
        self._entries.pop((device, message_id), None)
