"""Europe/Stockholm wall time, with one documented rule for the two daylight-saving edge cases.

Meetings are agreed in local wall time ("10.00 every second Tuesday of March"), so every
calendar calculation happens on naive local times and is turned into an instant here:

* a **nonexistent** time (the spring gap, 02:00–03:00 on the last Sunday of March) is read with
  the UTC offset in force *before* the gap, i.e. it moves forward by the gap's length
  (02:30 → 03:30 CEST). This is what RFC 5545 §3.3.5 prescribes, so calendars agree with us;
* an **ambiguous** time (02:00–03:00 on the last Sunday of October happens twice) means its
  *first* occurrence, still in summer time (02:30 CEST = 00:30 UTC), as RFC 5545 also says.

Aware datetimes that share a tzinfo compare and subtract by wall time in Python, ignoring the
offset, so comparisons and elapsed-time arithmetic go through :func:`utc`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utc(moment: datetime) -> datetime:
    """``moment`` as a UTC datetime; refuses naive values, whose instant is unknown."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} where an aware one is needed")
    return moment.astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """The same instant in Europe/Stockholm (canonical: a gap time given in Stockholm moves forward)."""
    return utc(moment).astimezone(STOCKHOLM)


def localize(wall: datetime) -> datetime:
    """The instant of naive Stockholm wall time ``wall`` by the gap/fold rule in the module docstring."""
    if wall.tzinfo is not None:
        raise ValueError("localize() takes a naive wall time")
    return to_local(wall.replace(tzinfo=STOCKHOLM, fold=0))


def wall(moment: datetime) -> datetime:
    """The naive Stockholm wall time of an aware ``moment``."""
    return to_local(moment).replace(tzinfo=None, fold=0)


def is_nonexistent(naive: datetime) -> bool:
    """Whether ``naive`` falls in the spring-forward gap (the clocks never show it)."""
    return localize(naive).replace(tzinfo=None, fold=0) != naive


def is_ambiguous(naive: datetime) -> bool:
    """Whether ``naive`` happens twice (the autumn fold)."""
    first = naive.replace(tzinfo=STOCKHOLM, fold=0).utcoffset()
    second = naive.replace(tzinfo=STOCKHOLM, fold=1).utcoffset()
    return first != second and not is_nonexistent(naive)
