"""The moment by which the press being handled must be answered, for the layers below to respect.

Telegram's client stops waiting for a button's answer after about 10 s and the Bot API refuses
an answer to a query older than about 15 s, so a press that waits on a stalled database must
be answered anyway: :class:`facilitation.conversation.Conversation` gives it up at its deadline
and tells the presser it was not saved. Storage reads :func:`answer_by` so that nothing it was
still writing for that press commits afterwards (see :mod:`storage.batching`). Times are
``time.monotonic()`` seconds, the clock of the event loop.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_ANSWER_BY: contextvars.ContextVar[float | None] = contextvars.ContextVar("dialogbot_answer_by", default=None)


@contextlib.contextmanager
def answering_by(deadline: float | None) -> Iterator[None]:
    """Inside (and in tasks started inside), :func:`answer_by` is ``deadline``."""
    token = _ANSWER_BY.set(deadline)
    try:
        yield
    finally:
        _ANSWER_BY.reset(token)


def answer_by() -> float | None:
    """The monotonic time by which the press being handled is answered (None: not a press)."""
    return _ANSWER_BY.get()
