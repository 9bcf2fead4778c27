"""Rounds launched with a deadline (``/barometer … slut=15:30`` or ``slut=2d``) close themselves.

Times are read in Europe/Stockholm and stored as UTC instants. A deadline is kept in the
database (:class:`DeadlineStore`), so it survives a restart; every bot process runs a
:class:`DeadlineCloser` on a timer, and a due deadline is *claimed* by one of them under a lease
(a row update that only one process can make), closed through the same path as ``/stang``
(:meth:`Conversation.publish_closed`) and marked done. A claim whose process stopped is taken
over once its lease has run out: if that process had already closed the round, the one taking
over posts the results (the round's published figures are frozen at the close, so they are the
same); if the round was closed by ``/stang`` before its deadline, the deadline only ends.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from facilitation.errors import DomainError
from facilitation.model import Round, RoundStatus
from facilitation.service import WorkshopService

log = logging.getLogger(__name__)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPTION = "slut="
OPTION_EN = "end="
MAX_AHEAD = timedelta(days=60)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 3  # claims of one deadline before it is given up (the round is closed by then)
_DURATION = re.compile(r"^(\d{1,4})(m|min|h|t|d)$")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[t_ ](\d{1,2})[:.](\d{2}))?$")


def split_deadline(args: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
    """The launch arguments without the ``slut=…`` option, and the option's value (if given)."""
    rest: list[str] = []
    value: str | None = None
    for arg in args:
        lower = arg.lower()
        for prefix in (OPTION, OPTION_EN):
            if lower.startswith(prefix):
                if value is not None:
                    raise DomainError("deadline.error.twice")
                value = arg[len(prefix) :]
                break
        else:
            rest.append(arg)
    return tuple(rest), value


def parse_deadline(text: str, now: datetime) -> datetime:
    """The UTC instant ``text`` names, seen from ``now`` (aware UTC).

    ``15:30`` (today, Stockholm time), ``2026-12-03T15:30`` (or ``2026-12-03_15:30``), ``2026-12-03``
    (that day at 23:59), ``90m``/``90min``, ``2h``/``2t``, ``2d``. A deadline in the past, now,
    more than 60 days ahead, or a wall-clock time that does not exist (the hour skipped when
    summer time begins) is refused with a :class:`DomainError` naming the problem.
    """
    value = text.strip().lower()
    shown = text.strip()[:30]
    duration = _DURATION.match(value)
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2)
        delta = {
            "m": timedelta(minutes=amount),
            "min": timedelta(minutes=amount),
            "h": timedelta(hours=amount),
            "t": timedelta(hours=amount),
            "d": timedelta(days=amount),
        }[unit]
        if delta <= timedelta(0):
            raise DomainError("deadline.error.past", value=shown)
        return _within_reach(now + delta, now, shown)
    local_now = now.astimezone(STOCKHOLM)
    clock = _CLOCK.match(value)
    if clock:
        day, at = local_now.date(), _wall_time(int(clock.group(1)), int(clock.group(2)), shown)
        return _within_reach(_local(day, at, shown), now, shown)
    dated = _DATE_TIME.match(value)
    if dated:
        try:
            day = date(int(dated.group(1)), int(dated.group(2)), int(dated.group(3)))
        except ValueError:
            raise DomainError("deadline.error.bad_date", value=shown) from None
        at = (
            _wall_time(int(dated.group(4)), int(dated.group(5)), shown)
            if dated.group(4) is not None
            else time(23, 59)
        )
        return _within_reach(_local(day, at, shown), now, shown)
    raise DomainError("deadline.error.format", value=shown)


def _wall_time(hour: int, minute: int, shown: str) -> time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DomainError("deadline.error.bad_time", value=shown)
    return time(hour, minute)


def _local(day: date, at: time, shown: str) -> datetime:
    """``day`` at ``at`` in Stockholm as UTC; a time skipped by the change to summer time is refused."""
    local = datetime.combine(day, at, tzinfo=STOCKHOLM)
    back = local.astimezone(ZoneInfo("UTC")).astimezone(STOCKHOLM)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DomainError("deadline.error.no_such_time", value=shown)
    return local.astimezone(ZoneInfo("UTC"))


def _within_reach(when: datetime, now: datetime, shown: str) -> datetime:
    if when <= now:
        raise DomainError("deadline.error.past", value=shown)
    if when - now > MAX_AHEAD:
        raise DomainError("deadline.error.too_far", value=shown, days=MAX_AHEAD.days)
    return when


def local_text(when: datetime, now: datetime) -> str:
    """``15:30`` if ``when`` is today in Stockholm, else ``2026-12-04 15:30``."""
    local = when.astimezone(STOCKHOLM)
    if local.date() == now.astimezone(STOCKHOLM).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Claim:
    """A due deadline this process now closes; ``attempt`` 1 is the first claim of it."""

    round_id: int
    attempt: int


class DeadlineStore(Protocol):
    """Where deadlines are kept, shared by every bot process."""

    async def set_deadline(
        self, round_id: int, closes_at: datetime, remind_at: datetime | None = None
    ) -> None:
        """The round closes itself at ``closes_at`` (one deadline per round; setting it again moves it);
        its undecided participants are reminded at ``remind_at`` (None: never)."""
        ...

    async def deadline(self, round_id: int) -> datetime | None:
        """The round's deadline while it has not passed and been handled."""
        ...

    async def claim_due(self, now: datetime, holder: str, until: datetime, limit: int = 20) -> list[Claim]:
        """Claim deadlines due at ``now`` that nobody holds (pending, or a claim whose lease ran out)
        for ``holder`` until ``until``. Of several processes claiming at once exactly one gets each."""
        ...

    async def done(self, round_id: int, holder: str) -> bool:
        """The claim of ``holder`` is finished (False: it was not theirs any more)."""
        ...

    async def claim_reminders(
        self, now: datetime, holder: str, until: datetime, limit: int = 20
    ) -> list[int]:
        """Claim the rounds whose reminder is due at ``now`` (and whose deadline is not handled yet)
        that nobody holds, for ``holder`` until ``until``; of several processes one gets each."""
        ...

    async def reminded(self, round_id: int, holder: str) -> bool:
        """The reminder claim of ``holder`` is finished (False: it was not theirs any more)."""
        ...


class MemoryDeadlines:
    """:class:`DeadlineStore` in memory (domain tests, the local mode without a database)."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, object]] = {}

    async def set_deadline(
        self, round_id: int, closes_at: datetime, remind_at: datetime | None = None
    ) -> None:
        self.rows[round_id] = {
            "closes_at": closes_at,
            "state": "pending",
            "holder": None,
            "until": None,
            "n": 0,
            "remind_at": remind_at,
            "remind": "pending" if remind_at is not None else None,
            "remind_holder": None,
            "remind_until": None,
        }

    async def deadline(self, round_id: int) -> datetime | None:
        row = self.rows.get(round_id)
        if row is None or row["state"] == "done":
            return None
        closes_at = row["closes_at"]
        assert isinstance(closes_at, datetime)
        return closes_at

    async def claim_due(self, now: datetime, holder: str, until: datetime, limit: int = 20) -> list[Claim]:
        claims: list[Claim] = []
        for round_id, row in sorted(self.rows.items(), key=lambda item: str(item[1]["closes_at"])):
            closes_at, lease = row["closes_at"], row["until"]
            assert isinstance(closes_at, datetime)
            free = row["state"] == "pending" or (
                row["state"] == "claimed" and isinstance(lease, datetime) and lease < now
            )
            if closes_at <= now and free and len(claims) < limit:
                attempt = int(str(row["n"])) + 1
                row.update(state="claimed", holder=holder, until=until, n=attempt)
                claims.append(Claim(round_id, attempt))
        return claims

    async def done(self, round_id: int, holder: str) -> bool:
        row = self.rows.get(round_id)
        if row is None or row["holder"] != holder or row["state"] != "claimed":
            return False
        row["state"] = "done"
        return True

    async def claim_reminders(
        self, now: datetime, holder: str, until: datetime, limit: int = 20
    ) -> list[int]:
        claimed: list[int] = []
        for round_id, row in sorted(self.rows.items()):
            at, lease = row["remind_at"], row["remind_until"]
            free = row["remind"] == "pending" or (
                row["remind"] == "claimed" and isinstance(lease, datetime) and lease < now
            )
            if (
                isinstance(at, datetime)
                and at <= now
                and row["state"] == "pending"
                and free
                and len(claimed) < limit
            ):
                row.update(remind="claimed", remind_holder=holder, remind_until=until)
                claimed.append(round_id)
        return claimed

    async def reminded(self, round_id: int, holder: str) -> bool:
        row = self.rows.get(round_id)
        if row is None or row["remind_holder"] != holder or row["remind"] != "claimed":
            return False
        row["remind"] = "done"
        return True


Publish = Callable[[Round], Awaitable[None]]


class DeadlineCloser:
    """Closes the rounds whose deadline has come, once across every process (call :meth:`tick`)."""

    def __init__(
        self,
        store: DeadlineStore,
        service: WorkshopService,
        publish: Publish,
        holder: str,
        *,
        is_outage: Callable[[BaseException], bool] = lambda error: isinstance(error, TimeoutError),
        lease: timedelta = LEASE,
    ) -> None:
        self.store = store
        self.service = service
        self.publish = publish
        self.holder = holder
        self.is_outage = is_outage
        self.lease = lease

    async def tick(self) -> list[int]:
        """Close every due round this process claims; the rounds whose results it posted."""
        now = self.service.clock()
        try:
            claims = await self.store.claim_due(now, self.holder, now + self.lease)
        except Exception as error:
            if not self.is_outage(error):
                raise
            log.warning("deadlines: the database did not answer (%s); trying again", type(error).__name__)
            return []
        posted: list[int] = []
        for claim in claims:
            try:
                if await self._close(claim):
                    posted.append(claim.round_id)
                await self.store.done(claim.round_id, self.holder)
            except Exception as error:  # the lease runs out and the claim is taken over
                if self.is_outage(error):
                    log.warning(
                        "deadlines: round %s left for a retry (%s)", claim.round_id, type(error).__name__
                    )
                else:
                    log.exception("deadlines: could not close round %s", claim.round_id)
        return posted

    async def _close(self, claim: Claim) -> bool:
        """Close the claimed round and post its results; False when there was nothing to post."""
        if claim.attempt > MAX_ATTEMPTS:  # posting failed every time: never post in a loop
            log.error(
                "deadlines: round %s could not be posted in %d attempts; its results wait for /resultat",
                claim.round_id,
                MAX_ATTEMPTS,
            )
            return False
        try:
            round_ = await self.service.close_round(claim.round_id)
        except DomainError:
            round_ = await self.service.require_round(claim.round_id)
            # Closed before: by /stang (a first claim: its results were posted then), or by a
            # process that claimed it and stopped before it was done (a takeover: post them).
            if round_.status != RoundStatus.CLOSED or claim.attempt == 1:
                log.info("deadlines: round %s was closed already; its deadline ends", claim.round_id)
                return False
        log.info("deadlines: round %s closed at its deadline", claim.round_id)
        await self.publish(round_)
        return True
