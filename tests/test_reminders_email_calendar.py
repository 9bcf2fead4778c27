"""Calendar changes, nudges and welcomes reach e-mail contacts (issue 16: the e-mail channel joined
with the calendar updates).

Through the real dispatcher and EmailPort (aiosmtplib) against the loopback SMTP server (aiosmtpd,
STARTTLS + login), on SQLite and PostgreSQL: a contact who got the reminder's invitation gets,
when the meeting moves, one more invitation (``text/calendar; method=REQUEST``, same UID, higher
SEQUENCE) and, when it is cancelled, one ``method=CANCEL`` with ``STATUS:CANCELLED`` — each exactly
once with two dispatchers ticking at the same time. The received calendar parts are applied in
order by an RFC 5546 calendar client (tests/calendar_client.py). The nudge's and the welcome's
answer buttons become links the link page accepts.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar

from facilitation.buttons import ButtonCodec
from facilitation.meetings import ContactKeys, Rsvp, due_time, parse_meetings
from facilitation.meetings.calendar_sync import plan_welcome
from facilitation.meetings.links import RsvpLinks
from facilitation.meetings.messages import RSVP_ORDER
from facilitation.pseudonym import Pseudonymizer
from tests import test_reminders_email
from tests.calendar_client import CalendarClient
from tests.conftest import SECRET
from tests.standins.smtp_server import SmtpStandIn
from tests.test_reminders_dispatch import Clock, _store, local
from tests.test_reminders_email import LINK, SENDER, email_dispatcher, make_port

PROCESS = "varmland-2015"
DAY = timedelta(days=1)
REGION = ["anna@region.example.se", "bo@region.example.se"]
FORUM = ["cilla@forum.example.se"]
LATE = "dan@forum.example.se"
UID = f"{PROCESS}-dialogmote-0@dialogbot"

# the loopback SMTP server (STARTTLS, login) and its certificates, as in tests/test_reminders_email.py
tls = test_reminders_email.tls
smtp = test_reminders_email.smtp


def doc(meetings: list[dict[str, object]], late: bool = False):  # type: ignore[no-untyped-def]
    forum = [{"name": "Cilla", "email": FORUM[0]}] + ([{"name": "Dan", "email": LATE}] if late else [])
    return parse_meetings(
        {
            "signatories": [
                {
                    "key": "region",
                    "name": "Region Värmland",
                    "contacts": [
                        {"name": "Anna", "email": REGION[0]},
                        {"name": "Bo", "email": REGION[1], "language": "en"},
                    ],
                },
                {"key": "forum", "name": "Idéburna forum", "contacts": forum},
            ],
            "meetings": meetings,
        },
        "test.toml",
        PROCESS,
        contact_keys=ContactKeys(Pseudonymizer(SECRET)),
    )


def meeting(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "dialogmote",
        "title": "Årligt dialogmöte",
        "start": "2027-03-09T10:00",
        "place": "Residenset, Karlstad",
        "reminder_offsets": ["30d", "1d"],
        "nudge_offsets": ["10d"],
    }
    base.update(changes)
    return base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'meetings.sqlite3'}"
    else:
        yield request.getfixturevalue("pg_database")


def calendar_part(message: EmailMessage) -> EmailMessage | None:
    return next((p for p in message.walk() if p.get_content_type() == "text/calendar"), None)  # type: ignore[misc]


def invitations(smtp: SmtpStandIn) -> dict[str, list[EmailMessage]]:
    """Per recipient, in order: the calendar parts received."""
    out: dict[str, list[EmailMessage]] = defaultdict(list)
    for r in smtp.received:
        part = calendar_part(r.message)
        if part is not None:
            out[r.to].append(part)
    return out


def texts(smtp: SmtpStandIn) -> dict[str, list[str]]:
    """Per recipient, in order: the plain text of every message without a calendar part."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in smtp.received:
        if calendar_part(r.message) is None:
            out[r.to].append(r.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    return out


def event_of(part: EmailMessage) -> tuple[str, Calendar]:
    ics = Calendar.from_ical(part.get_content())
    (event,) = ics.walk("VEVENT")
    return str(ics["method"]), event


def entries(smtp: SmtpStandIn, address: str) -> CalendarClient:
    client = CalendarClient()
    for part in invitations(smtp)[address]:
        client.apply(part.get_content().encode("utf-8"))
    return client


async def test_an_email_contact_gets_the_update_and_the_cancel_once(
    database: str, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    store = await _store(database)
    other = await _store(database, migrate=False)  # a second dispatcher process with its own engine
    everyone = REGION + FORUM
    try:
        await store.import_config(doc([meeting()]))
        clock = Clock(due_time(local(2027, 3, 9, 10), 30 * DAY))
        ports = [make_port(smtp, tls[1], clock) for _ in range(2)]
        first, second = (
            email_dispatcher(s, port, clock, worker_id=f"w{n}")
            for n, (s, port) in enumerate(zip((store, other), ports, strict=True))
        )
        try:
            # The 30-day reminder: its invitation, SEQUENCE 0.
            assert (await first.tick()).sent == 3
            for address in everyone:
                (part,) = invitations(smtp)[address]
                assert part.get_param("method") == "REQUEST"
                method, event = event_of(part)
                assert method == "REQUEST" and str(event["uid"]) == UID and int(event["sequence"]) == 0

            # The meeting moves: one more invitation each, same UID, SEQUENCE 1, the new time and
            # place, the sender as ORGANIZER and the contact as ATTENDEE; plus the "Ändrat" text.
            await store.import_config(doc([meeting(start="2027-03-10T13:00", place="Kristinehamn")]))
            clock.set(clock.now + timedelta(hours=1))
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 3 and sum(r.failed for r in results) == 0, results
            for address in everyone:
                _held, update = invitations(smtp)[address]
                assert update.get_param("method") == "REQUEST"
                method, event = event_of(update)
                assert method == "REQUEST" and str(event["uid"]) == UID and int(event["sequence"]) == 1
                assert event.decoded("dtstart").astimezone(UTC) == local(2027, 3, 10, 13).astimezone(UTC)
                assert str(event["location"]) == "Kristinehamn"
                assert str(event["organizer"]) == f"mailto:{SENDER}"
                assert str(event["attendee"]) == f"mailto:{address}"
                assert event["attendee"].params["RSVP"] == "TRUE"
                (entry,) = entries(smtp, address).entries()  # one entry, moved
                assert entry.sequence == 1 and entry.location == "Kristinehamn"
            assert texts(smtp)[REGION[0]][-1].startswith(
                "Ändrat: Årligt dialogmöte är nu onsdag 10 mars 2027 kl. 13.00"
            )
            assert texts(smtp)[REGION[1]][-1].startswith("Changed: Årligt dialogmöte is now Wednesday")
            received = len(smtp.received)
            results = await asyncio.gather(first.tick(), second.tick())  # nothing twice
            assert sum(r.sent for r in results) == 0 and len(smtp.received) == received

            # The 10-day nudge of the new date: only the organisation that has not answered (the
            # forum), with answer links the link page takes, all four of them.
            (stored,) = await store.meetings()
            region_contact = next(c for c in await store.contacts() if c.signatory_key == "region")
            await store.set_rsvp(stored.id, local(2027, 3, 10, 13), region_contact.id, Rsvp.KOMMER, clock())
            # The new date's 30-day reminder: a text only, they hold the current invitation.
            clock.set(due_time(local(2027, 3, 10, 13), 30 * DAY))
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 3, results
            assert all(len(invitations(smtp)[a]) == 2 for a in everyone)
            clock.set(due_time(local(2027, 3, 10, 13), 10 * DAY))
            results = await asyncio.gather(first.tick(), second.tick())
            # one nudge sent; the region's two and the old date's three skipped
            assert sum(r.sent for r in results) == 1 and sum(r.skipped for r in results) == 5, results
            nudge = texts(smtp)[FORUM[0]][-1]
            assert nudge.startswith("Er organisation har inte svarat om Årligt dialogmöte")
            tokens = LINK.findall(nudge)
            assert len(tokens) == len(RSVP_ORDER) == 4
            pseudonymizer = Pseudonymizer(SECRET)
            links = RsvpLinks(pseudonymizer, ButtonCodec(pseudonymizer))
            shown = [(await links.look_up(store, token, clock()))[0].answer for token in tokens]
            assert shown == list(RSVP_ORDER)
            assert [len(texts(smtp)[a]) for a in REGION] == [3, 3]  # 2 reminders + the update, no nudge

            # The meeting is cancelled (gone from the file): method=CANCEL, STATUS:CANCELLED, the
            # same UID, a higher SEQUENCE, once per holder, also to nobody who never held it.
            await store.import_config(doc([], late=True))
            clock.set(clock.now + timedelta(hours=1))
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent for r in results) == 3 and sum(r.failed for r in results) == 0, results
            for address in everyone:
                parts = invitations(smtp)[address]
                assert len(parts) == 3
                assert parts[-1].get_param("method") == "CANCEL"
                method, event = event_of(parts[-1])
                assert method == "CANCEL" and str(event["status"]) == "CANCELLED"
                assert str(event["uid"]) == UID and int(event["sequence"]) == 2
                assert str(event["organizer"]) == f"mailto:{SENDER}"
                assert str(event["attendee"]) == f"mailto:{address}"
                assert entries(smtp, address).entries() == []
            assert texts(smtp)[REGION[0]][-1].startswith("Inställt: Årligt dialogmöte")
            assert LATE not in invitations(smtp)  # imported after: never held it, gets no CANCEL
            received = len(smtp.received)
            results = await asyncio.gather(first.tick(), second.tick())
            assert sum(r.sent + r.failed for r in results) == 0 and len(smtp.received) == received
        finally:
            for port in ports:
                await port.aclose()
    finally:
        await store.engine.dispose()
        await other.engine.dispose()


async def test_a_welcome_to_an_email_contact_is_an_invitation_with_answer_links(
    tmp_path: Path, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """A welcome to an e-mail contact (planned by the dispatcher for every e-mail contact a file
    import creates) goes out as an invitation (method=REQUEST) and a text whose four answer links
    work; planning it again (as a chat registration would) adds nothing."""
    store = await _store(f"sqlite+aiosqlite:///{tmp_path / 'welcome.sqlite3'}")
    try:
        await store.import_config(doc([meeting()]))
        clock = Clock(local(2027, 1, 4, 9))  # before any reminder is due
        port = make_port(smtp, tls[1], clock)
        dispatcher = email_dispatcher(store, port, clock)
        try:
            contact = next(c for c in await store.contacts() if c.signatory_key == "forum")
            assert (await dispatcher.tick()).sent == 3  # one welcome per e-mail contact of the file
            assert await plan_welcome(store, contact, clock()) == 0  # again: nothing new
            assert (await dispatcher.tick()).sent == 0
        finally:
            await port.aclose()
        (part,) = invitations(smtp)[FORUM[0]]
        method, event = event_of(part)
        assert (
            method == "REQUEST"
            and str(event["uid"]) == UID
            and str(event["attendee"]) == f"mailto:{FORUM[0]}"
        )
        (text,) = texts(smtp)[FORUM[0]]
        tokens = LINK.findall(text)
        assert len(tokens) == 4
        pseudonymizer = Pseudonymizer(SECRET)
        links = RsvpLinks(pseudonymizer, ButtonCodec(pseudonymizer))
        answered = await links.answer(store, tokens[3], clock())  # "Skickar ersättare"
        assert answered.answer == RSVP_ORDER[3]
        assert len([r for r in smtp.received if r.to == FORUM[0]]) == 2
    finally:
        await store.engine.dispose()
