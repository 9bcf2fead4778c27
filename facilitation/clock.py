"""The one clock of the bot: every "now" is an aware UTC instant.

Local times (a meeting's wall-clock start, a reminder's "09:00 the day before") are converted at
the edges with ``zoneinfo``; inside, comparing and storing only UTC instants keeps daylight-saving
folds and servers in other zones from shifting anything. Tests pass their own ``Clock``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, as an aware UTC datetime (never a naive one, which would compare wrongly)."""
    return datetime.now(UTC)
