"""One reminder to those who joined a workshop but have not answered a round that closes itself.

Like Loomio's "remind undecided voters": a round launched with ``slut=`` gets a reminder time
(:func:`remind_at`) on its deadline row. Every bot process ticks a :class:`DeadlineReminder`;
the database hands a due reminder to one of them (a claim under a lease, like the close). For
each sealed address of the workshop (:mod:`facilitation.people.reach`) it derives the person's
key, skips those who answered any item of the round, marks the person reminded of the round
(a conditional update only one caller wins) and only then sends one short private message in
their language. Marking first means a crash between the mark and the send loses that one
reminder rather than ever sending it twice; a process that takes over an expired claim skips
everyone already marked.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.i18n import t
from facilitation.model import RoundStatus
from facilitation.people import texts as _texts  # noqa: F401  (registers the texts)
from facilitation.people.deadlines import LEASE, DeadlineStore, local_text
from facilitation.people.reach import RETENTION, Address, ReachStore, SealedRow, Sealer
from facilitation.ports import ChatGone, GoneReason, PortError
from facilitation.turn import with_command_prefix

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(hours=1)
SHARE_OF_LENGTH = 0.1  # a short round is reminded this share of its length before it closes
EXPIRE_EVERY = timedelta(hours=1)


def remind_at(opened: datetime, closes_at: datetime, before: timedelta = REMIND_BEFORE) -> datetime:
    """When the undecided are reminded: ``before`` the close, or for a round shorter than ten times
    that, 10 % of its length before the close (a 90-minute round: at 81 minutes); never before launch."""
    length = closes_at - opened
    return closes_at - min(before, length * SHARE_OF_LENGTH)


class Reach:
    """Sealing, stopping, resuming and forgetting a person's address; the chat side calls these."""

    def __init__(self, conversation: Conversation, store: ReachStore, sealer: Sealer) -> None:
        self.conversation = conversation
        self.store = store
        self.sealer = sealer

    def tag_in(self, platform: str, user_id: str, workshop_id: int) -> str:
        key = self.conversation.pseudonymizer.participant_key(platform, user_id, workshop_id)
        return self.sealer.tag(key)

    async def keep(self, platform: str, user_id: str, workshop_id: int) -> bool:
        """The person joined ``workshop_id``: keep their private address sealed (unless they stopped)."""
        tag = self.tag_in(platform, user_id, workshop_id)
        sealed = self.sealer.seal(Address(platform, user_id, user_id), workshop_id, tag)
        return await self.store.keep(workshop_id, tag, sealed, self.conversation.service.clock())

    async def tags_of(self, platform: str, user_id: str) -> list[str]:
        """The person's tags in every workshop there is."""
        key_in = functools.partial(self.conversation.pseudonymizer.participant_key, platform, user_id)
        return [
            self.sealer.tag(key)
            for key in (await self.conversation.service.keys_by_workshop(key_in)).values()
        ]

    async def stop(self, platform: str, user_id: str) -> int:
        return await self.store.stop(await self.tags_of(platform, user_id))

    async def resume(self, platform: str, user_id: str) -> int:
        """Reminders again in the workshops where the person had stopped them."""
        rows = await self.store.rows_of(await self.tags_of(platform, user_id))
        now = self.conversation.service.clock()
        for row in rows:
            sealed = self.sealer.seal(Address(platform, user_id, user_id), row.workshop_id, row.tag)
            await self.store.resume(row.id, sealed, now)
        return len(rows)

    async def forget(self, keys: Sequence[str]) -> int:
        """``/glom``: the rows of the person's keys (one per workshop) are deleted."""
        return await self.store.forget([self.sealer.tag(key) for key in keys])


class DeadlineReminder:
    """Sends the reminders that are due, once across every process (call :meth:`tick`)."""

    def __init__(
        self,
        deadlines: DeadlineStore,
        reach: Reach,
        holder: str,
        *,
        is_outage: Callable[[BaseException], bool] = lambda error: isinstance(error, TimeoutError),
        lease: timedelta = LEASE,
    ) -> None:
        self.deadlines = deadlines
        self.reach = reach
        self.conversation = reach.conversation
        self.holder = holder
        self.is_outage = is_outage
        self.lease = lease
        self._expired_at: datetime | None = None

    async def tick(self) -> int:
        """Send every due reminder this process claims; how many messages it sent."""
        now = self.conversation.service.clock()
        try:
            await self._expire(now)
            claims = await self.deadlines.claim_reminders(now, self.holder, now + self.lease)
        except Exception as error:
            if not self.is_outage(error):
                raise
            log.warning("reminders: the database did not answer (%s); trying again", type(error).__name__)
            return 0
        sent = 0
        for round_id in claims:
            try:
                sent += await self._remind(round_id, now)
                await self.deadlines.reminded(round_id, self.holder)
            except Exception as error:  # the lease runs out; whoever takes over skips those marked
                if self.is_outage(error):
                    log.warning("reminders: round %s left for a retry (%s)", round_id, type(error).__name__)
                else:
                    log.exception("reminders: could not remind round %s", round_id)
        return sent

    async def _expire(self, now: datetime) -> None:
        if self._expired_at is None or now - self._expired_at >= EXPIRE_EVERY:
            self._expired_at = now
            await self.reach.store.expire(now - RETENTION)

    async def _remind(self, round_id: int, now: datetime) -> int:
        service = self.conversation.service
        try:
            round_ = await service.require_round(round_id)
        except DomainError:
            return 0
        closes_at = await self.deadlines.deadline(round_id)
        if round_.status != RoundStatus.OPEN or closes_at is None:
            return 0
        workshop = await service.require_workshop(round_.workshop_id)
        sent = 0
        for row in await self.reach.store.rows(workshop.id):
            address = self._open(row)
            if address is None:
                continue
            key = self.conversation.pseudonymizer.participant_key(
                address.platform, address.user_id, workshop.id
            )
            if await service.store.own_responses(round_id, key):
                continue  # answered (any item): no reminder
            port = self.conversation.ports.get(address.platform)
            if port is None:
                log.info("reminders: a participant's platform does not run in this process; skipped")
                continue
            if not await self.reach.store.claim(row.id, round_id):
                continue  # reminded already (by this round's earlier holder)
            lang = await self.conversation.languages.of(
                self.conversation.pseudonymizer.user_key(address.platform, address.user_id)
            )
            text = t(
                "reminder.undecided",
                lang,
                number=round_.id,
                title=workshop.title,
                when=local_text(closes_at, now),
            )
            try:
                await self._bind(address, workshop.id)
                await port.send_text(address.chat, with_command_prefix(text, port))
            except ChatGone as gone:
                if gone.reason != GoneReason.NOT_STARTED:
                    await self.reach.store.drop(row.id)
                # Never started a private chat with the bot (joined in a group): marked, so not
                # tried again this round; kept, so a later round reaches them once they press Start.
                continue
            except PortError as error:  # marked: not sent again (at most once), counted in the log
                log.warning(
                    "reminders: one reminder of round %s was not delivered (%s)",
                    round_id,
                    type(error).__name__,
                )
                continue
            sent += 1
        log.info("reminders: round %s: %d reminder(s) sent", round_id, sent)
        return sent

    def _open(self, row: SealedRow) -> Address | None:
        if row.sealed is None:
            return None
        address = self.reach.sealer.open(row.sealed, row.workshop_id, row.tag)
        if address is None:
            log.warning("reminders: a sealed address could not be opened (another secret?); skipped")
            return None
        key = self.conversation.pseudonymizer.participant_key(
            address.platform, address.user_id, row.workshop_id
        )
        return address if self.reach.sealer.tag(key) == row.tag else None

    async def _bind(self, address: Address, workshop_id: int) -> None:
        """A private chat bound to no workshop is bound to this one, so ``/rosta`` there works."""
        store = self.conversation.service.store
        chat_key = self.conversation.pseudonymizer.chat_key(address.platform, address.chat_id)
        if await store.bound_workshop(chat_key) is None:
            await store.bind_chat(chat_key, workshop_id)
