"""The reminder dispatcher's rules: the store is the truth, a scheduler only says when to tick.

Every tick (run by :mod:`bot.meetings_runner` from an APScheduler interval job, or by a test) the
:class:`Dispatcher`

1. plans the reminders due within the horizon from the meetings and contacts *in the store*
   (planning is idempotent on each reminder's unique delivery key, so any number of processes
   can plan the same reminders);
2. claims due rows in batches (no two dispatchers claim the same row), classifies each one at
   the current time (send, catch up after downtime, or skip because the meeting has passed or a
   later reminder supersedes it) and fans out through the platform ports, which pace themselves
   under the platforms' rate limits; each row is marked sent right after the platform accepted it.

Right before each platform call the row's claim is renewed (and checked to be still ours), so a
dispatcher whose queue stalled past the lease skips what another dispatcher took over.

A restarted or second process simply runs the same tick: nothing is kept in memory that the
store does not also know. See :mod:`facilitation.meetings.store` for the delivery guarantee
and its two at-least-once windows. Log lines name deliveries by row id, never by an address.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from facilitation.buttons import ButtonCodec
from facilitation.clock import utc_now
from facilitation.meetings import calendar_sync
from facilitation.meetings.calendar_book import CANCEL, NUDGE, REMINDER, UPDATE, WELCOME, OccurrenceState
from facilitation.meetings.calendar_links import calendar_links_text
from facilitation.meetings.ics import meeting_ics
from facilitation.meetings.messages import RSVP_ACTION, contact_gone_text, reminder_text, rsvp_buttons
from facilitation.meetings.model import Contact, Meeting
from facilitation.meetings.recurrence import is_occurrence
from facilitation.meetings.reminders import (
    DEFAULT_LATE_GRACE,
    DEFAULT_MIN_GAP,
    ReminderDue,
    classify,
    delivery_key,
    plan_reminders,
)
from facilitation.meetings.store import (
    BOTH_PARTS,
    FILE_PART,
    OPTED_OUT,
    TEXT_PART,
    Claimed,
    MeetingStore,
    StoredContact,
    StoredMeeting,
)
from facilitation.meetings.tz import STOCKHOLM, utc
from facilitation.model import Language
from facilitation.ports import (
    Attachment,
    Button,
    ChatGone,
    ChatMoved,
    ChatPort,
    ChatRef,
    Keyboard,
    delivering,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


def part_token(row: Claimed, part: str) -> str:
    """The opaque name of one part of one delivery, the same in every attempt and process: a hash
    of the delivery key (meeting, occurrence, contact key, offset or notice) and the part. It names
    no person; platforms carry it (Slack metadata, the e-mail Message-ID) to recognise a re-send."""
    digest = hashlib.sha256(f"{row.delivery_key}\x1f{part}".encode()).hexdigest()
    return digest[:32]


# Looking for an earlier attempt's message starts this long before its mark: the platform's
# clock (Slack's message ts) and ours may differ by that much.
ATTEMPT_SLACK = timedelta(minutes=2)


def never_an_outage(exc: BaseException) -> bool:
    """The default outage test: a store in memory is never unreachable."""
    return False


def retry_after(exc: BaseException) -> timedelta | None:
    """The wait a platform asked for with "too many requests" (Telegram's ``RetryAfter``), or None."""
    wait = getattr(exc, "retry_after", None)
    if isinstance(wait, int | float) and not isinstance(wait, bool):
        wait = timedelta(seconds=wait)
    return wait if isinstance(wait, timedelta) else None


def failure_reason(exc: BaseException) -> str:
    """What ``deliveries.last_error`` keeps of a failed send: the exception type and any wait.

    Never the exception's message: platforms quote the chat id in it ("chat 123456 not found").
    """
    reason = type(exc).__name__
    if isinstance(exc, ChatGone):
        reason += f" ({exc.reason.value})"
    wait = retry_after(exc)
    if wait is not None:
        reason += f" (retry after {wait.total_seconds():g} s)"
    return reason


@dataclass
class TickResult:
    planned: int = 0
    sent: int = 0
    caught_up: int = 0
    skipped: int = 0
    failed: int = 0
    released: int = 0
    taken_over: int = 0  # claimed here, but taken over by another dispatcher before the send
    skipped_keys: list[str] = field(default_factory=list)
    # Seconds from a platform call's answer to the record of the message committed: with the
    # answer's way back, the window in which a crash makes a message go out twice (see the README).
    record_lags: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Schedule:
    """The reminders due by a time, with the database ids of their meetings and contacts."""

    dues: list[ReminderDue]
    meeting_ids: dict[tuple[str, str], int]
    contact_ids: dict[tuple[str, str], int]

    def memo_key(self, due: ReminderDue) -> tuple[str, int, int]:
        """A planned reminder as the dispatcher remembers it: a contact (or meeting) that was
        deleted and re-created has a new row id, so its reminders are planned again."""
        return (
            delivery_key(due),
            self.meeting_ids[(due.process_key, due.meeting_key)],
            self.contact_ids[(due.process_key, due.contact_key)],
        )


async def schedule(
    store: MeetingStore,
    now: datetime,
    horizon: timedelta,
    on_error: Callable[[Meeting, Exception], None] | None = None,
) -> Schedule:
    """The reminders of the active meetings and contacts *in the database* due by ``now + horizon``.

    A meeting that cannot be planned is left out (and handed to ``on_error``, by default logged
    in one line); the others are planned.
    """
    meetings = await store.meetings()
    contacts = await store.contacts()
    by_process: dict[str, list[Contact]] = {}
    for stored in contacts:
        by_process.setdefault(stored.process_key, []).append(stored.contact)
    dues = plan_reminders(
        [m.meeting for m in meetings], by_process, now, horizon, on_error=on_error or unplannable
    )
    return Schedule(
        dues,
        {(m.meeting.process_key, m.meeting.key): m.id for m in meetings},
        {(c.process_key, c.contact.key): c.id for c in contacts},
    )


def stale_reason(row: Claimed, stored: StoredMeeting | None, contact: StoredContact | None) -> str | None:
    """Why a claimed reminder must not be sent any more, or None: its contact or meeting left the
    configuration, the contact stopped reminders, or the meeting's time or reminders changed."""
    if contact is None or not contact.active:
        return "contact no longer in the configuration"
    if contact.contact.opted_out:
        return OPTED_OUT
    if stored is None or not stored.active:
        return "meeting no longer in the configuration"
    meeting = stored.meeting
    try:
        current = row.offset in meeting.reminder_offsets and is_occurrence(meeting, row.occurrence)
    except Exception as exc:  # a meeting row stored before its values were validated
        return f"meeting cannot be read ({type(exc).__name__})"
    return None if current else "meeting time or reminders changed"


class DatabaseUnavailable(Exception):
    """The database stayed unreachable for longer than the dispatcher's patience."""


class _Outage:
    """One log line when the database becomes unreachable and one when it is back, however many
    calls saw it; and the moment it started, from which every waiting call's patience runs."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.count = 0  # outages seen so far (a claim made during one may have lost its answer)

    def failed(self, exc: BaseException) -> float:
        if self.since is None:
            self.since = time.monotonic()
            self.count += 1
            log.warning(
                "reminders: the database is unreachable (%s); deliveries wait for it", type(exc).__name__
            )
        return self.since

    def recovered(self) -> None:
        if self.since is not None:
            log.info("reminders: the database is back after %.1f s", time.monotonic() - self.since)
            self.since = None


def unplannable(meeting: Meeting, exc: Exception, level: int = logging.WARNING) -> None:
    """One log line for a meeting that cannot be planned."""
    log.log(
        level,
        "reminders: meeting %s/%s cannot be planned (%s: %s); the other meetings go on - fix it "
        "in its file and import it again",
        meeting.process_key,
        meeting.key,
        type(exc).__name__,
        exc,
    )


class Dispatcher:
    """Plans, claims and sends reminders; :meth:`tick` is the unit the scheduler (or a test) runs.

    **Faults.** Every database call waits through an outage (:meth:`_db`: retried with a backoff
    of at most 2 s while ``is_outage`` (given by the caller, e.g. :func:`storage.database.is_outage`) says the store is unreachable, for
    up to ``patience`` from the outage's start), so a fan-out pauses and resumes by itself. A
    platform error fails only its delivery (retried later); an error of our own is logged and
    the delivery is left to its lease. No error ends a worker, and a worker that ends anyway is
    replaced, so a fan-out always drains its queue. Rows this dispatcher holds (claimed and not
    yet recorded) are tracked in memory: a send whose record could not be written is written at
    the next tick and never sent again, and rows a claim took while its answer was lost in an
    outage are found again by their worker id and sent, not left to their lease.
    """

    def __init__(
        self,
        store: MeetingStore,
        ports: Mapping[str, ChatPort],
        codec: ButtonCodec | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        worker_id: str | None = None,
        horizon: timedelta = timedelta(days=35),
        batch: int = 100,
        concurrency: int = 64,
        lease: timedelta = timedelta(minutes=10),
        patience: timedelta | None = None,
        late_grace: timedelta = DEFAULT_LATE_GRACE,
        min_gap: timedelta = DEFAULT_MIN_GAP,
        retry_delay: timedelta = timedelta(minutes=5),
        max_attempts: int = 5,
        ics: str = "first",
        uid_domain: str = "dialogbot",
        progress_every: float = 10.0,
        organisers: Mapping[str, Iterable[str]] | None = None,
        language: Language = Language.SV,
        is_outage: Callable[[BaseException], bool] = never_an_outage,
        has_ended: Callable[[str], bool] = lambda worker: False,
        on_tick: Callable[[TickResult], None] | None = None,
        details_url: Callable[[StoredMeeting, datetime, str], str] | None = None,
    ) -> None:
        """``organisers``: user ids per platform told in a private chat when a contact's chat is
        gone for good (the installation's facilitators), in ``language``. ``is_outage``: whether an
        error of the store means it is unreachable for now (waited through, see :meth:`_db`);
        ``has_ended``: whether the dispatcher of a worker id is known to have ended (its claims are
        taken over at once, not after their lease);
        ``on_tick``: told the result of every tick :meth:`kick` started (the metrics)."""
        if ics not in ("first", "every", "none"):
            raise ValueError("ics must be 'first', 'every' or 'none'")
        self.store = store
        self.ports = ports  # a live mapping (Conversation.ports): adapters may be added later
        self.codec = codec
        self.clock = clock
        self.worker_id = worker_id or f"dispatcher-{uuid.uuid4().hex[:8]}"
        self.horizon = horizon
        self.batch = batch
        self.concurrency = concurrency  # delivery workers per platform (each has a lane: _Lane)
        self.lease = lease
        # Past the lease another dispatcher may hold our claims: waiting longer gains nothing.
        self.patience = patience if patience is not None else lease
        self.late_grace = late_grace
        self.min_gap = min_gap
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts
        self.ics = ics
        self.uid_domain = uid_domain
        self.progress_every = progress_every
        self.organisers = {platform: list(ids) for platform, ids in (organisers or {}).items()}
        self.language = language
        self.is_outage = is_outage
        self.has_ended = has_ended
        self.on_tick = on_tick
        self._known: set[tuple[str, int, int]] = set()
        self._ics_cache: dict[tuple[int, datetime, str], bytes] = {}
        self._held: set[int] = set()  # claimed by us, outcome not yet recorded
        self._unrecorded: dict[
            int, dict[str, datetime]
        ] = {}  # row id -> part -> accepted at, not yet recorded
        self._outage = _Outage()
        self._reported: set[tuple[str, str, str]] = set()  # meetings that cannot be planned, logged once
        self._ended: set[str] = set()  # dispatchers of ended processes whose claims were taken over
        self._stopping = False
        self._task: asyncio.Task[TickResult] | None = None
        self._tick_lock = asyncio.Lock()
        # Calendar notices (facilitation.meetings.calendar_sync): each occurrence's SEQUENCE as of
        # this process's last sync, and the link to a meeting's details page ("" = none).
        self.sequences: dict[tuple[int, datetime], int] = {}
        self._known_nudges: set[tuple[str, int, int]] = set()
        self.details_url: Callable[[StoredMeeting, datetime, str], str] = details_url or (
            lambda m, o, lang: ""
        )

    # --- the tick ------------------------------------------------------------------------
    async def tick(self) -> TickResult:
        """Plan, then claim and send everything due now; safe to run in many processes at once."""
        async with self._tick_lock:
            result = TickResult()
            if self._stopping:
                return result
            self._ics_cache.clear()  # meetings may have changed since the last tick
            try:
                await self._record_unrecorded()
                await self._sync_calendars()
                result.planned = await self._db(lambda: self.plan(self.clock()))
                await self._fan_out(result)
            except DatabaseUnavailable as exc:
                log.warning("reminders: %s; the next tick tries again", exc)
            return result

    async def _sync_calendars(self) -> None:
        """Notice changed or cancelled occurrences and plan their notices and the nudges
        (:mod:`facilitation.meetings.calendar_sync`); a bug there never holds up the reminders."""
        try:
            synced = await self._db(
                lambda: calendar_sync.sync(self.store, self.clock(), self.horizon, self._known_nudges)
            )
        except DatabaseUnavailable:
            raise
        except Exception:
            log.exception("calendar: noticing changes failed; the reminders go on")
            return
        self.sequences = synced.sequences

    async def kick(self) -> None:
        """The scheduler job: start a tick unless one is still running (a long fan-out)."""
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.create_task(self._logged_tick())

    async def _logged_tick(self) -> TickResult:
        try:
            result = await self.tick()
            if self.on_tick is not None:
                self.on_tick(result)
            return result
        except Exception:
            log.exception("reminders: tick failed")
            return TickResult()

    async def stop(self) -> None:
        """Stop claiming, release claimed rows not yet started, let sends in flight finish."""
        self._stopping = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    async def _db(self, call: Callable[[], Awaitable[T]]) -> T:
        """``await call()``, run again through a database outage; :class:`DatabaseUnavailable` when
        the outage has lasted ``patience`` (or 5 s once the dispatcher is stopping)."""
        delay = 0.05
        while True:
            try:
                value = await call()
            except Exception as exc:
                if not self.is_outage(exc):
                    raise
                since = self._outage.failed(exc)
                patience = self.patience.total_seconds()
                if self._stopping:
                    patience = min(patience, 5.0)
                if time.monotonic() + delay > since + patience:
                    raise DatabaseUnavailable(
                        f"the database has been unreachable for {patience:.0f} s"
                    ) from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            self._outage.recovered()
            return value

    async def plan(self, now: datetime) -> int:
        """Insert the delivery rows due within the horizon (idempotent); returns rows inserted.

        What this process planned before is remembered by (delivery key, meeting id, contact id)
        so a tick does not re-send thousands of known keys to the database.
        """
        planned = await schedule(self.store, now, self.horizon, self._unplannable)
        fresh = [d for d in planned.dues if planned.memo_key(d) not in self._known]
        if not fresh:
            return 0
        inserted = await self.store.plan(fresh, planned.meeting_ids, planned.contact_ids)
        if len(self._known) > 1_000_000:
            self._known.clear()
        self._known.update(planned.memo_key(d) for d in fresh)
        if inserted:
            log.info("reminders: planned %d new reminders (horizon %d days)", inserted, self.horizon.days)
        return inserted

    def _unplannable(self, meeting: Meeting, exc: Exception) -> None:
        """Logged as a warning once per meeting and error, then quietly at every tick."""
        key = (meeting.process_key, meeting.key, str(exc))
        unplannable(meeting, exc, logging.DEBUG if key in self._reported else logging.WARNING)
        self._reported.add(key)

    # --- fan-out -------------------------------------------------------------------------
    async def _fan_out(self, result: TickResult) -> None:
        """Claim due rows and deliver them, each platform in a lane of its own (see :class:`_Lane`)."""
        platforms = list(self.ports)
        if not platforms:
            return
        abandoned = await self._abandoned()
        total = await self._db(lambda: self.store.due_count(self.clock(), self.lease, abandoned))
        if total == 0:
            return
        context: dict[str, dict[int, Any]] = {"meetings": {}, "contacts": {}, "first": {}}
        progress = _Progress(total, self.progress_every)
        lanes = {
            platform: _Lane(lambda queue: self._worker(queue, context, result, progress), self.concurrency)
            for platform in platforms
        }
        low_water = max(self.batch // 2, 1)
        outages = self._outage.count
        cancelled = False
        try:
            while not self._stopping:
                for lane in lanes.values():
                    lane.workers.replace_dead()
                hungry = [p for p, lane in lanes.items() if lane.hungry(low_water)]
                if not hungry:
                    if all(lane.drained for lane in lanes.values()):
                        break
                    await asyncio.sleep(0.02)
                    continue
                for platform in hungry:
                    claimed = await self._claim([platform], abandoned)
                    if len(claimed) < self.batch:  # the end of what is due: a process may have died meanwhile
                        abandoned = await self._abandoned()
                        claimed += await self._claim([platform], abandoned) if abandoned else []
                    if self._outage.count != outages:  # a claim's answer may have been lost meanwhile
                        outages = self._outage.count
                        claimed += await self._adopt_orphans()
                    if not claimed:
                        lanes[platform].drained = True
                        continue
                    await self._db(functools.partial(self._load_context, claimed, context))
                    for row in claimed:
                        contact = context["contacts"].get(row.contact_id)
                        own = lanes.get(contact.contact.platform) if contact is not None else None
                        (own or lanes[platform]).queue.put_nowait(row)  # an adopted row: its own lane
            if self._stopping:
                for lane in lanes.values():
                    result.released += await self._release_queued(lane.queue)
        except asyncio.CancelledError:  # killed: claims stay until their lease expires
            cancelled = True
            for lane in lanes.values():
                lane.workers.cancel()
            raise
        finally:
            if not cancelled:
                for lane in lanes.values():
                    await lane.workers.finish(lane.queue)
        progress.done(result)

    async def _claim(self, platforms: list[str], abandoned: list[str]) -> list[Claimed]:
        rows = await self._db(
            lambda: self.store.claim(
                self.worker_id, self.clock(), self.batch, self.lease, platforms, abandoned
            )
        )
        fresh = [row for row in rows if row.id not in self._unrecorded]  # sent: its record is missing
        self._held.update(row.id for row in fresh)
        return fresh

    async def _abandoned(self) -> list[str]:
        """Dispatchers known to have ended (``has_ended``; in the bot: processes on this host that
        were killed or crashed) but still holding claims: those are taken over now, not when their
        lease runs out. (As with a lease that ran out, a message such a process had sent but not
        recorded is sent again.)"""
        ended = [
            worker
            for worker in await self._db(self.store.claimers)
            if worker != self.worker_id and self.has_ended(worker)
        ]
        for worker in set(ended) - self._ended:
            log.info("reminders: taking over the claims of %s, a process on this host that has ended", worker)
        self._ended.update(ended)
        return ended

    async def _adopt_orphans(self) -> list[Claimed]:
        """Rows claimed under our worker id that this process does not hold: a claim committed
        while its answer was lost in an outage. Nothing of theirs was sent, so they are ours to send."""
        held = set(self._held)  # as the query starts: a row recorded meanwhile is not an orphan
        orphans = [
            row
            for row in await self._db(lambda: self.store.claimed_by(self.worker_id))
            if row.id not in held and row.id not in self._held
        ]
        if orphans:
            log.info("reminders: %d deliveries claimed during the outage are sent now", len(orphans))
        self._held.update(row.id for row in orphans)
        return orphans

    async def _release_queued(self, queue: asyncio.Queue[Claimed | None]) -> int:
        ids = []
        while not queue.empty():
            row = queue.get_nowait()
            if row is not None:
                ids.append(row.id)
        released = await self._db(lambda: self.store.release(self.worker_id, ids))
        self._held.difference_update(ids)
        return released

    async def _record_unrecorded(self) -> None:
        """Record the parts a database outage kept from being recorded (before claiming anything)."""
        for row_id, parts in list(self._unrecorded.items()):
            for part, at in list(parts.items()):
                await self._db(functools.partial(self._write_part, row_id, part, at))
                del parts[part]
                log.info(
                    "reminders: delivery %d: its %s recorded as sent after the database came back",
                    row_id,
                    part,
                )
            del self._unrecorded[row_id]
            self._held.discard(
                row_id
            )  # a row with only its file recorded is sent (text only) once claimed again

    async def _load_context(self, claimed: list[Claimed], context: dict[str, dict[int, Any]]) -> None:
        meeting_ids = {c.meeting_id for c in claimed} - set(context["meetings"])
        if meeting_ids:
            context["meetings"].update(
                {m.id: m for m in await self.store.meetings(active_only=False, ids=meeting_ids)}
            )
        contacts = await self.store.contacts(active_only=False, ids={c.contact_id for c in claimed})
        context["contacts"].update({c.id: c for c in contacts})
        if self.ics == "first":
            already = await self.store.files_sent_for(claimed)
            for row in claimed:
                context["first"][row.id] = (row.meeting_id, row.contact_id, row.occurrence) not in already

    async def _worker(
        self,
        queue: asyncio.Queue[Claimed | None],
        context: dict[str, dict[int, Any]],
        result: TickResult,
        progress: _Progress,
    ) -> None:
        """Deliver queued rows until the end-of-queue marker; no error ends it."""
        while (row := await queue.get()) is not None:
            try:
                if self._stopping:
                    await self._release(row, result)
                else:
                    await self._deliver(
                        row,
                        context["meetings"].get(row.meeting_id),
                        context["contacts"].get(row.contact_id),
                        context["first"].get(row.id, True),
                        result,
                    )
            except DatabaseUnavailable:
                log.warning(
                    "reminders: delivery %d waits for its lease to run out (database unreachable)", row.id
                )
            except Exception:  # our own bug
                log.exception("reminders: delivery %d failed unexpectedly", row.id)
                await self._after_a_bug(row)
                result.failed += 1
            progress.tick(result)

    async def _after_a_bug(self, row: Claimed) -> None:
        """Retry a row our own code failed like a failed send (it runs out of attempts), unless its
        send was accepted: then only its record is missing, and the next tick writes it."""
        if row.id in self._unrecorded:
            return
        try:
            await self._finish(
                row,
                functools.partial(
                    self.store.mark_failed, row.id, "internal error", self._retry_at(row), self.worker_id
                ),
            )
        except Exception:  # the claim stays and runs out; a later tick retries the row
            log.exception("reminders: delivery %d could not be marked failed", row.id)

    def _retry_at(self, row: Claimed) -> datetime | None:
        if row.attempts >= self.max_attempts:
            return None
        return self.clock() + self.retry_delay * row.attempts

    async def _finish(self, row: Claimed, record: Callable[[], Awaitable[object]]) -> None:
        """Write a row's outcome (nothing was sent, or its send was already recorded)."""
        await self._db(record)
        self._held.discard(row.id)

    async def _skip(self, row: Claimed, reason: str, result: TickResult) -> None:
        log.info("reminders: skipped delivery %d (%s)", row.id, reason)
        await self._finish(row, lambda: self.store.mark_skipped(row.id, reason, self.worker_id))
        result.skipped += 1
        result.skipped_keys.append(row.delivery_key)

    async def _release(self, row: Claimed, result: TickResult) -> None:
        await self._finish(row, lambda: self.store.release(self.worker_id, [row.id]))
        result.released += 1

    async def _deliver_notice(
        self,
        row: Claimed,
        stored: StoredMeeting | None,
        contact: StoredContact | None,
        result: TickResult,
    ) -> None:
        """Send a claimed notice (file first where it has one, then the text, or both as one
        message: :meth:`_send_parts`); the same claims, renewals and part records as a reminder
        (:meth:`_deliver`)."""
        store = self.store
        now = self.clock()
        reason = calendar_sync.notice_stale_reason(row, stored, contact, now)
        state: OccurrenceState | None = None
        if reason is None and stored is not None and row.number is not None:
            states = await self._db(functools.partial(store.occurrence_states, [row.meeting_id]))
            state = next((s for s in states if s.number == row.number), None)
            if row.kind in (UPDATE, CANCEL) and (state is None or state.sequence != row.sequence):
                reason = "superseded by a later change"
        if reason is None and row.kind == NUDGE:
            if await self._db(
                functools.partial(store.organisation_answered, row.meeting_id, row.occurrence, row.contact_id)
            ):
                reason = "the organisation has answered"
        if reason is not None:
            return await self._skip(row, reason, result)
        assert stored is not None and contact is not None
        port = self.ports.get(contact.contact.platform)
        if port is None:
            return await self._release(row, result)
        meeting, target = stored.meeting, contact.contact
        lang = target.language
        chat = ChatRef(target.platform, target.address, is_private=True, workspace=target.workspace)
        text = calendar_sync.notice_text(row.kind, meeting, row.occurrence, lang)
        if row.kind != CANCEL:
            text += "\n" + calendar_links_text(
                meeting, row.occurrence, lang, self.details_url(stored, row.occurrence, str(lang))
            )
        buttons = self._rsvp_keyboard(row, lang) if row.kind in (NUDGE, WELCOME) else None
        attachment = None
        try:
            if row.kind != NUDGE and row.file_sent_at is None:
                data = meeting_ics(
                    meeting,
                    row.occurrence,
                    uid_domain=self.uid_domain,
                    lang=lang,
                    sequence=row.sequence if row.sequence is not None else (state.sequence if state else 0),
                    number=row.number,
                    cancelled=row.kind == CANCEL,
                )
                stamp = row.occurrence.astimezone(STOCKHOLM).strftime("%Y-%m-%d")
                name = f"{meeting.key}-{stamp}{'-cancelled' if row.kind == CANCEL else ''}.ics"
                attachment = Attachment(name, data, "text/calendar", caption=meeting.title)
            if not await self._send_parts(row, port, chat, attachment, text, buttons, result):
                return self._count_send(row, False, False, result)
        except _SendFailed as failure:
            return await self._failed(row, failure.error, stored, contact, result)
        self._count_send(row, True, False, result)
        return None

    async def _deliver(
        self,
        row: Claimed,
        stored: StoredMeeting | None,
        contact: StoredContact | None,
        first: bool,
        result: TickResult,
    ) -> None:
        if row.kind != REMINDER:  # an update, cancel, welcome or nudge
            return await self._deliver_notice(row, stored, contact, result)
        now = self.clock()
        reason = stale_reason(row, stored, contact)
        if reason is not None:
            return await self._skip(row, reason, result)
        assert stored is not None and contact is not None  # stale_reason() refuses either missing
        meeting = stored.meeting
        due = ReminderDue(
            meeting.key,
            row.occurrence,
            contact.contact.key,
            row.offset,
            row.due_at,
            meeting.process_key,
            row.next_due_at,
        )
        verdict = classify(due, now, late_grace=self.late_grace, min_gap=self.min_gap)
        if verdict == "skip_past":
            reason = "meeting has started" if now >= row.occurrence else "superseded by a later reminder"
            return await self._skip(row, reason, result)
        port = self.ports.get(contact.contact.platform)
        if (
            verdict == "wait" or port is None
        ):  # another process's clock ran ahead, or no adapter: give it back
            return await self._release(row, result)
        try:
            sent = await self._send(
                row, port, stored, contact.contact, first, now if verdict == "catch_up" else None, result
            )
        except _SendFailed as failure:
            return await self._failed(row, failure.error, stored, contact, result)
        self._count_send(row, sent, verdict == "catch_up", result)
        return None

    def _count_send(self, row: Claimed, sent: bool, caught_up: bool, result: TickResult) -> None:
        if not sent:
            log.warning(
                "reminders: delivery %d was taken over by another dispatcher before it was sent here; "
                "not sent by %s",
                row.id,
                self.worker_id,
            )
            self._held.discard(row.id)
            result.taken_over += 1
            return
        if caught_up:
            result.caught_up += 1
            log.info("reminders: caught up delivery %d after downtime", row.id)
        result.sent += 1

    async def _failed(
        self, row: Claimed, exc: Exception, stored: StoredMeeting, contact: StoredContact, result: TickResult
    ) -> None:
        """A failed send is retried later, except to a chat that is gone for good (the organisers are
        told); a platform's "too many requests" never uses up an attempt, nor does a chat that moved
        (the contact follows it and the reminder is sent there at once)."""
        wait = retry_after(exc)
        retry_at: datetime | None
        counts = wait is None and not isinstance(exc, ChatMoved)
        if isinstance(exc, ChatMoved):
            await self._db(functools.partial(self.store.move_contact, row.contact_id, exc.new_chat_id))
            retry_at = self.clock()
        elif isinstance(exc, ChatGone):
            retry_at = None
        elif wait is not None:
            retry_at = self.clock() + max(wait, timedelta(seconds=1))
        else:
            retry_at = self._retry_at(row)
        reason = failure_reason(exc)
        log.warning(
            "reminders: sending delivery %d failed (attempt %d%s): %s",
            row.id,
            row.attempts,
            "" if retry_at else ", giving up",
            reason,
        )
        await self._finish(
            row,
            functools.partial(
                self.store.mark_failed, row.id, reason, retry_at, self.worker_id, counts=counts
            ),
        )
        result.failed += 1
        if isinstance(exc, ChatGone) and not await self._db(
            functools.partial(self.store.gone_before, row.contact_id, row.id)
        ):
            await self._tell_organisers(stored, contact, exc)

    async def _tell_organisers(self, stored: StoredMeeting, contact: StoredContact, gone: ChatGone) -> None:
        """A private message to each organiser (the configured facilitators) on every running platform."""
        text = contact_gone_text(
            stored.meeting.title,
            contact.contact.name,
            contact.signatory_name,
            contact.contact.platform,
            gone.reason.value,
            self.language,
        )
        for platform, user_ids in self.organisers.items():
            port = self.ports.get(platform)
            if port is None:
                continue
            for user_id in user_ids:
                try:
                    await port.send_text(ChatRef(platform, user_id, is_private=True), text)
                except Exception as exc:  # an organiser who never opened a chat with the bot
                    log.warning(
                        "reminders: could not tell an organiser on %s that a contact is unreachable (%s)",
                        platform,
                        type(exc).__name__,
                    )

    async def _record(self, row: Claimed, part: str, result: TickResult) -> None:
        """Record a part (``FILE_PART``, ``TEXT_PART``, or ``BOTH_PARTS`` in one write) of a reminder
        the platform just accepted, so it is never sent again; if the database stays away past our
        patience, at the next tick."""
        answered, at = time.monotonic(), self.clock()
        try:
            ours = await self._db(functools.partial(self._write_part, row.id, part, at))
        except Exception as exc:
            self._unrecorded.setdefault(row.id, {})[part] = at
            if isinstance(exc, DatabaseUnavailable):
                log.warning(
                    "reminders: delivery %d: its %s was sent and is recorded when the database is back",
                    row.id,
                    part,
                )
            raise
        result.record_lags.append(time.monotonic() - answered)
        if part != FILE_PART:  # the text went (alone or as the file's caption): the row is done
            self._held.discard(row.id)
            if not ours:
                log.warning("reminders: delivery %d was taken over while its send was in flight", row.id)

    async def _write_part(self, delivery_id: int, part: str, at: datetime) -> bool:
        """One write of a part's record (of both parts, for a message that carried both); False if
        the text's row was taken over meanwhile."""
        if part == FILE_PART:
            await self.store.mark_file_sent(delivery_id, at)
            return True
        return await self.store.mark_sent(delivery_id, at, self.worker_id, with_file=part == BOTH_PARTS)

    async def _send(
        self,
        row: Claimed,
        port: ChatPort,
        stored: StoredMeeting,
        target: Contact,
        first: bool,
        caught_up_at: datetime | None,
        result: TickResult,
    ) -> bool:
        """Send the calendar file (when due) and the reminder (:meth:`_send_parts`), recording each
        once accepted; False if the claim was lost first.

        The claim is renewed right before each platform call: a row another dispatcher took over
        while this one's queue stalled is never sent twice, and the lease restarts for the call.
        A part recorded as sent (the file of an earlier attempt) is not sent again.
        """
        meeting, lang = stored.meeting, target.language
        chat = ChatRef(target.platform, target.address, is_private=True, workspace=target.workspace)
        text = reminder_text(meeting, row.occurrence, row.offset, lang, now=caught_up_at)
        text += "\n" + calendar_links_text(
            meeting, row.occurrence, lang, self.details_url(stored, row.occurrence, str(lang))
        )
        # A file re-sent after a failure updates the same calendar entry (stable UID).
        attachment = None
        if row.file_sent_at is None and (self.ics == "every" or (self.ics == "first" and first)):
            data = self._ics(stored, row.occurrence, lang)
            stamp = row.occurrence.astimezone(STOCKHOLM).strftime("%Y-%m-%d")
            attachment = Attachment(
                f"{meeting.key}-{stamp}.ics", data, "text/calendar", caption=meeting.title
            )
        return await self._send_parts(
            row, port, chat, attachment, text, self._rsvp_keyboard(row, lang), result
        )

    def _rsvp_keyboard(self, row: Claimed, lang: Language) -> Keyboard | None:
        """The answer buttons of a reminder (or welcome, nudge), signed with the delivery's id."""
        if self.codec is None:
            return None
        codec = self.codec
        return [
            [
                Button(label, codec.encode(RSVP_ACTION, row.id, index))
                for index, (_answer, label) in enumerate(rsvp_buttons(lang))
            ]
        ]

    async def _send_parts(
        self,
        row: Claimed,
        port: ChatPort,
        chat: ChatRef,
        attachment: Attachment | None,
        text: str,
        buttons: Keyboard | None,
        result: TickResult,
    ) -> bool:
        """The calendar file (when ``attachment`` is due) and the text with its buttons; False if
        the claim was lost first.

        Where the platform carries the text and the buttons as the file's caption
        (:meth:`ChatPort.fits_on_file`; Telegram up to 1024 characters), both parts go as one
        message, attempt-marked together and recorded by one write: a crash between the
        platform's answer and the record repeats that one message, not a file and a text.
        Elsewhere the file first, the question with the buttons last (the newest message), each
        recorded on its own.
        """
        if attachment is not None and port.fits_on_file(text):
            both = dataclasses.replace(attachment, caption=text, buttons=buttons)
            return await self._send_part(
                row, BOTH_PARTS, port, chat, lambda: port.send_file(chat, both), result
            )
        if attachment is not None and not await self._send_part(
            row, FILE_PART, port, chat, lambda: port.send_file(chat, attachment), result
        ):
            return False
        return await self._send_part(
            row, TEXT_PART, port, chat, lambda: port.send_text(chat, text, buttons), result
        )

    async def _send_part(
        self,
        row: Claimed,
        part: str,
        port: ChatPort,
        chat: ChatRef,
        call: Callable[[], Awaitable[object]],
        result: TickResult,
    ) -> bool:
        """Send one part and record it; False if the claim was lost first.

        The renewal right before the call also writes the part's attempt mark (one statement).
        A part with an earlier mark and no record may have gone out before its dispatcher died:
        where the platform can tell (:meth:`ChatPort.delivered`; Slack: the token in the DM's
        history) and it did, it is recorded and not sent again. The record is the first thing
        done after the platform's answer: that gap is the remaining window on Telegram.
        """
        earlier = row.attempt_at(part)
        if not await self._renew(row, part):
            return False
        token = part_token(row, part)
        if earlier is not None and await self._arrived(row, part, port, chat, token, earlier):
            await self._record(row, part, result)
            return True
        with delivering(token):
            await _platform(call())
        await self._record(row, part, result)
        return True

    async def _arrived(
        self, row: Claimed, part: str, port: ChatPort, chat: ChatRef, token: str, since: datetime
    ) -> bool:
        """Whether the platform shows the part as delivered by an earlier attempt (a failed look
        counts as "no": a possible duplicate is better than a lost reminder)."""
        try:
            found = await port.delivered(chat, token, since - ATTEMPT_SLACK)
        except Exception as exc:
            log.warning(
                "reminders: delivery %d: could not look whether its %s arrived earlier (%s); sending it",
                row.id,
                part,
                type(exc).__name__,
            )
            return False
        if found:
            log.info(
                "reminders: delivery %d: its %s had arrived in an earlier attempt; recorded, not sent again",
                row.id,
                part,
            )
        return found

    async def _renew(self, row: Claimed, part: str | None = None) -> bool:
        return await self._db(lambda: self.store.renew(row.id, self.worker_id, self.clock(), part))

    def _ics(self, stored: StoredMeeting, occurrence: datetime, lang: Any) -> bytes:
        """The calendar file, rendered once per meeting occurrence and language (the same for all)."""
        key = (stored.id, occurrence, str(lang))
        data = self._ics_cache.get(key)
        if data is None:
            if len(self._ics_cache) > 256:
                self._ics_cache.clear()
            data = self._ics_cache[key] = meeting_ics(
                stored.meeting,
                occurrence,
                uid_domain=self.uid_domain,
                lang=lang,
                sequence=self.sequences.get((stored.id, utc(occurrence)), 0),
            )
        return data


class _SendFailed(Exception):
    """The platform refused or failed a send (as opposed to the database or our own code)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__name__)
        self.error = error


async def _platform(call: Awaitable[object]) -> None:
    try:
        await call
    except Exception as exc:
        raise _SendFailed(exc) from exc


class _Lane:
    """One platform's queue of claimed rows and its workers.

    Each platform goes at its own pace: e-mail paced to its server's rate, Slack to its file
    uploads, Telegram to 30 messages a second. With one queue for all, every worker ended up
    waiting on the slowest platform's rows and the others went at its pace (5,000 contacts over
    three channels: Telegram at half its limit once a reminder there became one message).
    """

    def __init__(
        self, work: Callable[[asyncio.Queue[Claimed | None]], Coroutine[Any, Any, None]], size: int
    ) -> None:
        self.queue: asyncio.Queue[Claimed | None] = asyncio.Queue()
        self.workers = _Workers(lambda: work(self.queue), size)
        self.drained = False  # its platform's last claim found nothing due

    def hungry(self, low_water: int) -> bool:
        """Whether to claim more for this lane now: its platform may have more due, and fewer than
        ``low_water`` rows are queued."""
        return not self.drained and self.queue.qsize() < low_water


class _Workers:
    """The fan-out's worker tasks: a pool that is never left empty."""

    def __init__(self, make: Callable[[], Coroutine[Any, Any, None]], size: int) -> None:
        self._make = make
        self.tasks = [asyncio.create_task(make()) for _ in range(size)]

    def replace_dead(self) -> None:
        """Workers end only at the end-of-queue marker; one that ended before is replaced."""
        for index, task in enumerate(self.tasks):
            if task.done():
                error = None if task.cancelled() else task.exception()
                log.error(
                    "reminders: a delivery worker ended (%s); starting a new one",
                    type(error).__name__ if error else "cancelled",
                )
                self.tasks[index] = asyncio.create_task(self._make())

    def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()

    async def finish(self, queue: asyncio.Queue[Claimed | None]) -> None:
        """An end-of-queue marker per worker; rows left behind by workers that died meanwhile are
        delivered by new ones. Cancelled (the process stops), it cancels them all."""
        while True:
            for _ in self.tasks:
                queue.put_nowait(None)
            try:
                await asyncio.wait(self.tasks)
            except asyncio.CancelledError:
                self.cancel()
                raise
            left = [row for row in (queue.get_nowait() for _ in range(queue.qsize())) if row is not None]
            if not left:
                return
            log.error(
                "reminders: delivery workers ended with %d deliveries queued; starting new ones", len(left)
            )
            for row in left:
                queue.put_nowait(row)
            self.tasks = [asyncio.create_task(self._make()) for _ in self.tasks]


class _Progress:
    """ "reminders: 120/5000 sent" every few seconds of a fan-out."""

    def __init__(self, total: int, every: float) -> None:
        self.total = total
        self.every = every
        self.started = time.monotonic()
        self.last = self.started

    def tick(self, result: TickResult) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            log.info(
                "reminders: %d/%d sent (%d skipped, %d failed, %.1f/s)",
                result.sent,
                self.total,
                result.skipped,
                result.failed,
                result.sent / max(now - self.started, 1e-9),
            )

    def done(self, result: TickResult) -> None:
        if result.sent or result.skipped or result.failed:
            elapsed = time.monotonic() - self.started
            log.info(
                "reminders: %d/%d sent, %d caught up, %d skipped, %d failed in %.1f s",
                result.sent,
                self.total,
                result.caught_up,
                result.skipped,
                result.failed,
                elapsed,
            )
