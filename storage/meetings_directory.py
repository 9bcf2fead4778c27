"""The directory half of the SQL meetings store: signatories, contacts and meetings.

Imported from the TOML files (:meth:`SqlMeetingDirectory.import_config`), managed in chats and
with the CLI, and the contact's own choices (stop, resume, forget). Part of
:class:`storage.meetings_repository.SqlMeetingStore`, which implements
:class:`facilitation.meetings.store.MeetingStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import delete, func, or_, select, true, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from facilitation.meetings import Contact, Meeting, MeetingsConfig, Signatory
from facilitation.meetings.calendar_book import welcomed_by_mail
from facilitation.meetings.store import (
    FAILED,
    FILE,
    OPTED_OUT,
    PENDING,
    SKIPPED,
    DuplicateKey,
    ImportResult,
    ManagedByFile,
    SignatoryInfo,
    StoredContact,
    StoredMeeting,
    UnknownContact,
    UnknownSignatory,
)
from storage.meetings_merge import merge_same_persons
from storage.meetings_models import (
    CalendarCopyRow,
    ContactRow,
    DeliveryRow,
    ForgottenContactRow,
    MeetingRow,
    RsvpRow,
    SignatoryRow,
    contact_of,
)
from storage.transactions import Transactions

_Managed = TypeVar("_Managed", SignatoryRow, ContactRow)  # rows added with the CLI or in a chat


def utc(value: datetime) -> datetime:
    """Aware UTC for writing (SQLite drops the offset, so everything stored is UTC)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()}")
    return value.astimezone(UTC)


def aware(value: datetime) -> datetime:
    """A stored time as aware UTC (SQLite gives it back naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def aware_or_none(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def meeting_of(row: MeetingRow) -> Meeting:
    return Meeting(
        key=row.key,
        process_key=row.process_key,
        title=row.title,
        start=aware(row.start_at),
        duration=timedelta(seconds=row.duration_s),
        place=row.place,
        link=row.link,
        agenda=row.agenda,
        rrule=row.rrule,
        reminder_offsets=tuple(timedelta(seconds=s) for s in row.offsets_s),
        directions=row.directions or "",
        nudge_offsets=tuple(timedelta(seconds=s) for s in row.nudge_offsets_s or ()),
    )


def changed(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed (``session.execute`` returns a CursorResult for those)."""
    return cast(CursorResult[Any], result).rowcount or 0


async def delete_contacts(session: AsyncSession, contact_ids: list[int]) -> int:
    """Delete contacts with their RSVPs and deliveries (in one transaction); returns the rows removed."""
    removed = 0
    if contact_ids:
        await session.execute(delete(CalendarCopyRow).where(CalendarCopyRow.contact_id.in_(contact_ids)))
        for statement in (
            delete(RsvpRow).where(RsvpRow.contact_id.in_(contact_ids)),
            delete(DeliveryRow).where(DeliveryRow.contact_id.in_(contact_ids)),
            delete(ContactRow).where(ContactRow.id.in_(contact_ids)),
        ):
            removed += changed(await session.execute(statement))
    return removed


class SqlMeetingDirectory(Transactions):
    """Signatories, contacts and meetings on an async SQLAlchemy engine."""

    # --- configuration -------------------------------------------------------------------
    async def import_config(
        self,
        config: MeetingsConfig,
        *,
        tombstone_of: Callable[[Contact], str] | None = None,
    ) -> ImportResult:
        """Upsert the process's signatories, contacts and meetings by key; deactivate the rest.

        The file manages only what came from a file (``source = "file"``): signatories and
        contacts added with the CLI or registered in a chat are neither updated nor deactivated
        here, unless the file now names the same key, in which case the file takes them over.
        A contact's own opt-out survives a re-import (``opted_out`` only ever turns on here, also
        when the file gives the same person a new key); a contact who asked to be forgotten
        (tombstone) is not re-created. One transaction.
        """
        process = config.process_key
        async with self._write() as session:
            forgotten: set[str] = set()
            if tombstone_of is not None:
                forgotten = set((await session.execute(select(ForgottenContactRow.tombstone))).scalars())
            signatory_ids = {
                s.key: await self._upsert_signatory(session, process, s) for s in config.signatories
            }
            opted_out = await self._opted_out_addresses(session, process)
            contact_keys: list[str] = []
            for signatory in config.signatories:
                for contact in signatory.contacts:
                    if tombstone_of is None or tombstone_of(contact) not in forgotten:
                        contact_keys.append(contact.key)
                        stops = contact.opted_out or (contact.platform, contact.address) in opted_out
                        await self._upsert_contact(
                            session, process, signatory_ids[signatory.key], contact, stops
                        )
            for meeting in config.meetings:
                await self._upsert_meeting(session, meeting)
            await merge_same_persons(session, process, contact_keys)  # one person, one contact
            deactivated = await self._deactivate(session, ContactRow, process, contact_keys)
            await self._deactivate(session, SignatoryRow, process, list(signatory_ids))
            await self._deactivate(session, MeetingRow, process, [m.key for m in config.meetings])
        skipped = sum(len(s.contacts) for s in config.signatories) - len(contact_keys)
        return ImportResult(
            process, len(config.signatories), len(contact_keys), len(config.meetings), deactivated, skipped
        )

    async def _upsert_signatory(self, session: AsyncSession, process: str, signatory: Signatory) -> int:
        insert = self._insert(SignatoryRow).values(
            process_key=process, key=signatory.key, name=signatory.name, active=True, source=FILE
        )
        statement = insert.on_conflict_do_update(
            index_elements=["process_key", "key"],
            set_={"name": insert.excluded.name, "active": True, "source": FILE},
        ).returning(SignatoryRow.id)
        return int((await session.execute(statement)).scalar_one())

    async def _upsert_contact(
        self, session: AsyncSession, process: str, signatory_id: int, contact: Contact, opted_out: bool
    ) -> None:
        insert = self._insert(ContactRow).values(
            signatory_id=signatory_id,
            process_key=process,
            key=contact.key,
            name=contact.name,
            platform=contact.platform,
            address=contact.address,
            workspace=contact.workspace,
            language=contact.language.value,
            opted_out=opted_out,
            active=True,
            source=FILE,
            welcome_pending=welcomed_by_mail(contact),  # only an insert sets it: a re-import does not
        )
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["process_key", "key"],
                set_={
                    "signatory_id": insert.excluded.signatory_id,
                    "name": insert.excluded.name,
                    "platform": insert.excluded.platform,
                    "address": insert.excluded.address,
                    "workspace": insert.excluded.workspace,
                    "language": insert.excluded.language,
                    "opted_out": or_(ContactRow.opted_out, insert.excluded.opted_out),
                    "active": True,
                    "source": FILE,
                },
            )
        )

    async def _upsert_meeting(self, session: AsyncSession, meeting: Meeting) -> None:
        values = {
            "title": meeting.title,
            "start_at": utc(meeting.start),
            "duration_s": int(meeting.duration.total_seconds()),
            "place": meeting.place,
            "link": meeting.link,
            "agenda": meeting.agenda,
            "rrule": meeting.rrule,
            "offsets_s": [int(o.total_seconds()) for o in meeting.reminder_offsets],
            "directions": meeting.directions,
            "nudge_offsets_s": [int(o.total_seconds()) for o in meeting.nudge_offsets],
            "active": True,
        }
        insert = self._insert(MeetingRow).values(process_key=meeting.process_key, key=meeting.key, **values)
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["process_key", "key"], set_={k: insert.excluded[k] for k in values}
            )
        )

    @staticmethod
    async def _deactivate(
        session: AsyncSession,
        table: type[SignatoryRow | ContactRow | MeetingRow],
        process: str,
        keys: list[str],
    ) -> int:
        """Deactivate the process's active rows the file no longer names (of signatories and
        contacts only those that came from a file); returns how many."""
        where = [table.process_key == process, table.active.is_(True)]
        if keys:
            where.append(table.key.not_in(keys))
        if issubclass(table, SignatoryRow | ContactRow):  # meetings come only from files
            where.append(table.source == FILE)
        return changed(await session.execute(update(table).where(*where).values(active=False)))

    @staticmethod
    async def _opted_out_addresses(session: AsyncSession, process: str) -> set[tuple[str, str]]:
        """(platform, address) of the process's opted-out contacts, whatever their key."""
        rows = await session.execute(
            select(ContactRow.platform, ContactRow.address).where(
                ContactRow.process_key == process, ContactRow.opted_out.is_(True)
            )
        )
        return {(platform, address) for platform, address in rows}

    async def meetings(
        self, *, active_only: bool = True, ids: Iterable[int] | None = None
    ) -> list[StoredMeeting]:
        query = select(MeetingRow).order_by(MeetingRow.process_key, MeetingRow.key)
        if active_only:
            query = query.where(MeetingRow.active.is_(True))
        if ids is not None:
            query = query.where(MeetingRow.id.in_(list(ids)))
        async with self._read() as session:
            return [
                StoredMeeting(r.id, meeting_of(r), r.active) for r in (await session.execute(query)).scalars()
            ]

    async def contacts(
        self,
        process_key: str | None = None,
        *,
        active_only: bool = True,
        ids: Iterable[int] | None = None,
        platform: str | None = None,
        address: str | None = None,
    ) -> list[StoredContact]:
        query = (
            select(ContactRow, SignatoryRow.key, SignatoryRow.name, SignatoryRow.active)
            .join(SignatoryRow, SignatoryRow.id == ContactRow.signatory_id)
            .order_by(ContactRow.process_key, ContactRow.key)
        )
        if process_key is not None:
            query = query.where(ContactRow.process_key == process_key)
        if active_only:  # a contact of a signatory that left the agreement gets no reminders
            query = query.where(ContactRow.active.is_(True), SignatoryRow.active.is_(True))
        if ids is not None:
            query = query.where(ContactRow.id.in_(list(ids)))
        if platform is not None:
            query = query.where(ContactRow.platform == platform)
        if address is not None:
            query = query.where(ContactRow.address == address)
        async with self._read() as session:
            rows = (await session.execute(query)).all()
        return [
            StoredContact(r.id, r.process_key, skey, sname, contact_of(r), r.active and sactive, r.source)
            for r, skey, sname, sactive in rows
        ]

    async def signatories(
        self, process_key: str | None = None, *, ids: Iterable[int] | None = None, key: str | None = None
    ) -> list[SignatoryInfo]:
        """Signatories with their number of active contacts (who get reminders)."""
        active_contacts = func.count(ContactRow.id).filter(ContactRow.active.is_(True))
        query = (
            select(SignatoryRow, active_contacts)
            .outerjoin(ContactRow, ContactRow.signatory_id == SignatoryRow.id)
            .group_by(SignatoryRow.id)
            .order_by(SignatoryRow.process_key, SignatoryRow.key)
        )
        if process_key is not None:
            query = query.where(SignatoryRow.process_key == process_key)
        if ids is not None:
            query = query.where(SignatoryRow.id.in_(list(ids)))
        if key is not None:
            query = query.where(SignatoryRow.key == key)
        async with self._read() as session:
            rows = (await session.execute(query)).all()
        return [
            SignatoryInfo(r.process_key, r.key, r.name, int(n), r.active, r.id, r.source) for r, n in rows
        ]

    async def signatory(self, process_key: str, key: str) -> SignatoryInfo | None:
        found = await self.signatories(process_key, key=key)
        return found[0] if found else None

    async def signatory_by_id(self, signatory_id: int) -> SignatoryInfo | None:
        found = await self.signatories(ids=[signatory_id])
        return found[0] if found else None

    async def process_keys(self) -> set[str]:
        """Processes that have signatories or meetings in the database."""
        async with self._read() as session:
            keys = set((await session.execute(select(SignatoryRow.process_key).distinct())).scalars())
            keys.update((await session.execute(select(MeetingRow.process_key).distinct())).scalars())
        return keys

    # --- management from the CLI and chats ----------------------------------------------
    async def add_signatory(self, process_key: str, key: str, name: str, source: str) -> SignatoryInfo:
        """Add a signatory; :class:`DuplicateKey` if the process already has ``key`` (also inactive)."""
        async with self._write() as session:
            statement = (
                self._insert(SignatoryRow)
                .values(process_key=process_key, key=key, name=name, active=True, source=source)
                .on_conflict_do_nothing(index_elements=["process_key", "key"])
                .returning(SignatoryRow.id)
            )
            signatory_id = (await session.execute(statement)).scalar()
        if signatory_id is None:
            raise DuplicateKey("signatory", process_key, key)
        return SignatoryInfo(process_key, key, name, 0, True, signatory_id, source)

    async def remove_signatory(self, process_key: str, key: str) -> int:
        """Delete a CLI/chat signatory with its contacts and their history; returns the contacts removed."""
        async with self._write() as session:
            row = await self._removable(session, SignatoryRow, process_key, key)
            contact_ids = list(
                (
                    await session.execute(select(ContactRow.id).where(ContactRow.signatory_id == row.id))
                ).scalars()
            )
            await delete_contacts(session, contact_ids)
            await session.execute(delete(SignatoryRow).where(SignatoryRow.id == row.id))
        return len(contact_ids)

    async def add_contact(
        self, process_key: str, signatory_key: str, contact: Contact, source: str
    ) -> tuple[StoredContact, bool]:
        """Add a contact to an active signatory; ``(contact, created)``.

        The same person (platform, address, workspace) already under that signatory is not
        added twice: their row is returned (reactivated if needed) with ``created`` False, so
        registering twice is harmless. Another person with the same key is a :class:`DuplicateKey`.
        """
        async with self._write() as session:
            signatory = (
                await session.execute(
                    select(SignatoryRow).where(
                        SignatoryRow.process_key == process_key,
                        SignatoryRow.key == signatory_key,
                        SignatoryRow.active.is_(True),
                    )
                )
            ).scalar()
            if signatory is None:
                raise UnknownSignatory(process_key, signatory_key)
            existing = (
                (
                    await session.execute(
                        select(ContactRow).where(
                            ContactRow.signatory_id == signatory.id,
                            ContactRow.platform == contact.platform,
                            ContactRow.address == contact.address,
                            # a missing workspace matches any (facilitation.meetings.merging.same_person)
                            or_(ContactRow.workspace.is_(None), ContactRow.workspace == contact.workspace)
                            if contact.workspace is not None
                            else true(),
                        )
                    )
                )
                .scalars()
                .first()
            )
            if existing is not None:
                existing.active = True
                stored = StoredContact(
                    existing.id,
                    process_key,
                    signatory.key,
                    signatory.name,
                    contact_of(existing),
                    True,
                    existing.source,
                )
                return stored, False
            statement = (
                self._insert(ContactRow)
                .values(
                    signatory_id=signatory.id,
                    process_key=process_key,
                    key=contact.key,
                    name=contact.name,
                    platform=contact.platform,
                    address=contact.address,
                    workspace=contact.workspace,
                    language=contact.language.value,
                    opted_out=contact.opted_out,
                    active=True,
                    source=source,
                    welcome_pending=welcomed_by_mail(contact),
                )
                .on_conflict_do_nothing(index_elements=["process_key", "key"])
                .returning(ContactRow.id)
            )
            contact_id = (await session.execute(statement)).scalar()
        if contact_id is None:
            raise DuplicateKey("contact", process_key, contact.key)
        return StoredContact(
            contact_id, process_key, signatory.key, signatory.name, contact, True, source
        ), True

    async def remove_contact(self, process_key: str, key: str) -> None:
        """Delete a CLI/chat contact with its RSVPs and reminder history (no tombstone: an admin's act)."""
        async with self._write() as session:
            row = await self._removable(session, ContactRow, process_key, key)
            await delete_contacts(session, [row.id])

    @staticmethod
    async def _removable(
        session: AsyncSession, table: type[_Managed], process_key: str, key: str
    ) -> _Managed:
        """The signatory or contact row to remove: it must exist and not come from the TOML file."""
        row = (
            await session.execute(select(table).where(table.process_key == process_key, table.key == key))
        ).scalar()
        what, unknown = (
            ("signatory", UnknownSignatory) if table is SignatoryRow else ("contact", UnknownContact)
        )
        if row is None:
            raise unknown(process_key, key)
        if row.source == FILE:
            raise ManagedByFile(what, key)
        return row

    # --- the contact's own choices ------------------------------------------------------
    async def opt_out(self, contact_ids: Iterable[int]) -> int:
        """Stop reminders: the contacts are marked and their pending reminders skipped."""
        ids = list(contact_ids)
        if not ids:
            return 0
        async with self._write() as session:
            result = await session.execute(
                update(ContactRow).where(ContactRow.id.in_(ids)).values(opted_out=True)
            )
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.contact_id.in_(ids), DeliveryRow.status.in_([PENDING, FAILED]))
                .values(status=SKIPPED, last_error=OPTED_OUT, retry_at=None)
            )
            return changed(result)

    async def opt_in(self, contact_ids: Iterable[int], now: datetime) -> int:
        """Resume reminders; reminders skipped by the opt-out for meetings still ahead are pending again."""
        ids = list(contact_ids)
        if not ids:
            return 0
        async with self._write() as session:
            result = await session.execute(
                update(ContactRow).where(ContactRow.id.in_(ids)).values(opted_out=False)
            )
            await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.contact_id.in_(ids),
                    DeliveryRow.status == SKIPPED,
                    DeliveryRow.last_error == OPTED_OUT,
                    DeliveryRow.occurrence_at > utc(now),
                )
                .values(status=PENDING, last_error=None)
            )
            return changed(result)

    async def forget_contact(
        self, contact_id: int, tombstone: str | None = None, at: datetime | None = None
    ) -> int:
        """Delete a contact with its RSVPs and deliveries; ``tombstone`` keeps a re-import from re-creating it."""
        async with self._write() as session:
            removed = await delete_contacts(session, [contact_id])
            if tombstone:
                await session.execute(
                    self._insert(ForgottenContactRow)
                    .values(
                        tombstone=tombstone,
                        forgotten_at=utc(at or datetime.now(UTC)),
                    )
                    .on_conflict_do_nothing(index_elements=["tombstone"])
                )
            return removed

    async def welcomes_pending(self) -> list[StoredContact]:
        """Active contacts whose welcome is still to be planned (e-mail contacts just created)."""
        async with self._read() as session:
            ids = list(
                (
                    await session.execute(select(ContactRow.id).where(ContactRow.welcome_pending.is_(True)))
                ).scalars()
            )
        return await self.contacts(ids=ids) if ids else []

    async def welcomes_planned(self, contact_ids: Iterable[int]) -> None:
        """The contacts' welcomes are planned (a delivery row each): no more to plan."""
        ids = list(contact_ids)
        if ids:
            async with self._write() as session:
                await session.execute(
                    update(ContactRow).where(ContactRow.id.in_(ids)).values(welcome_pending=False)
                )

    async def move_contact(self, contact_id: int, address: str) -> None:
        """The contact's chat has a new id (a Telegram group upgraded to a supergroup)."""
        async with self._write() as session:
            await session.execute(
                update(ContactRow).where(ContactRow.id == contact_id).values(address=address)
            )
