"""E-mail-only contacts: a welcome at once, and a stop / forget link in every e-mail.

Against the real SMTP server on loopback (aiosmtpd, STARTTLS and a login, as
tests/test_reminders_email.py) and the pages through aiohttp's test client:

* an e-mail contact created by a file import (or ``dialogbot contacts add --email``) gets the
  next meeting's date and its invitation (``text/calendar; method=REQUEST``) at the next tick,
  exactly once: not again on a re-import, nor with two dispatchers on PostgreSQL;
* every e-mail (welcome, reminder, nudge, update, cancel) carries "Sluta få påminnelser" /
  "Glöm mig" links and the RFC 8058 headers; opening a link only shows a page, its POST (or the
  one-click POST) stops the address's reminders or forgets it; forged, expired and replayed
  links get a clear page in both languages and change nothing.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar
from sqlalchemy import text

from bot.mail.port import EmailPort, SmtpConfig
from bot.mail.web import stop_routes
from config.settings import load_settings
from facilitation.buttons import ButtonCodec
from facilitation.meetings import Contact, ContactKeys, due_time, parse_meetings
from facilitation.meetings.directory import tombstones
from facilitation.meetings.links import RsvpLinks, StopLinks
from facilitation.pseudonym import Pseudonymizer
from storage.meetings_repository import SqlMeetingStore
from storage.replay_guard import ReplayGuard
from tests import test_reminders_email
from tests.conftest import SECRET
from tests.standins.smtp_server import PASSWORD, USER, SmtpStandIn
from tests.test_reminders_dispatch import Clock, _store, local
from tests.test_reminders_email import PUBLIC_URL, SENDER, email_dispatcher

tls = test_reminders_email.tls
smtp = test_reminders_email.smtp

MEETING = local(2027, 3, 9, 10)
BEFORE_ANY_REMINDER = local(2026, 12, 1, 9)
ADDRESSES = ["anna@kommun.example.se", "bo@region.example.se", "cilla@forum.example.se"]
STOP_LINK = re.compile(re.escape(PUBLIC_URL) + r"/sluta/([A-Za-z0-9_.-]+)")


def config(  # type: ignore[no-untyped-def]
    addresses: list[str], place: str = "Residenset, Karlstad", meetings: bool = True, nudges: bool = True
):
    doc: dict[str, Any] = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [
                    {"name": f"Kontakt {i}", "email": a, "language": "en" if i == 1 else "sv"}
                    for i, a in enumerate(addresses)
                ],
            }
        ],
        "meetings": [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "place": place,
                "reminder_offsets": ["7d"],
                "nudge_offsets": ["10d"] if nudges else [],
            }
        ]
        if meetings
        else [],
    }
    return parse_meetings(doc, "test.toml", "varmland-2015", contact_keys=ContactKeys(Pseudonymizer(SECRET)))


def make_port(smtp: SmtpStandIn, client_tls: ssl.SSLContext, clock: Clock, **options: Any) -> EmailPort:
    smtp_config = SmtpConfig(
        host="127.0.0.1",
        port=smtp.port,
        security="starttls",
        sender=SENDER,
        user=USER,
        password=PASSWORD,
        rate=200.0,
        tls_context=client_tls,
        backoff=0.01,
        **options,
    )
    pseudonymizer = Pseudonymizer(SECRET)
    return EmailPort(
        smtp_config,
        links=RsvpLinks(pseudonymizer, ButtonCodec(pseudonymizer)),
        stop_links=StopLinks(pseudonymizer),
        public_url=PUBLIC_URL,
        clock=clock,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    s = await _store(f"sqlite+aiosqlite:///{tmp_path / 'welcome.sqlite3'}")
    yield s
    await s.engine.dispose()


def plain(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def welcomes(smtp: SmtpStandIn) -> dict[str, list[tuple[str, str]]]:
    """Per recipient, in order: ("invitation", METHOD) or ("text", first line)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in smtp.received:
        if r.message["Content-Class"]:
            part = next(p for p in r.message.walk() if p.get_content_type() == "text/calendar")
            entry = ("invitation", str(part.get_param("method")))
        else:
            entry = ("text", plain(r.message).splitlines()[0])
        out.setdefault(r.to, []).append(entry)
    return out


async def tick(store: SqlMeetingStore, smtp: SmtpStandIn, tls: Any, clock: Clock) -> int:
    port = make_port(smtp, tls[1], clock)
    try:
        return (await email_dispatcher(store, port, clock).tick()).sent
    finally:
        await port.aclose()


# --- the welcome -----------------------------------------------------------------------------------
async def test_an_email_contact_of_an_import_is_welcomed_at_once_and_once(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    clock = Clock(BEFORE_ANY_REMINDER)
    await store.import_config(config(ADDRESSES[:2]))
    assert await tick(store, smtp, tls, clock) == 2
    sv = "Välkommen som kontaktperson! Nästa möte: Årligt dialogmöte, tisdag 9 mars 2027 kl. 10.00–13.00"
    en = "Welcome as a contact person! Next meeting: Årligt dialogmöte, Tuesday 9 March 2027"
    got = welcomes(smtp)
    assert got.keys() == set(ADDRESSES[:2])
    assert got[ADDRESSES[0]][0] == ("invitation", "REQUEST") and got[ADDRESSES[0]][1][1].startswith(sv)
    assert got[ADDRESSES[1]][0] == ("invitation", "REQUEST") and got[ADDRESSES[1]][1][1].startswith(en)
    assert [len(v) for v in got.values()] == [2, 2]
    invitation = next(r.message for r in smtp.received if r.message["Content-Class"])
    part = next(p for p in invitation.walk() if p.get_content_type() == "text/calendar")
    (event,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == MEETING and str(event["attendee"]).startswith("mailto:")

    # a re-import (every bot start imports) and later ticks welcome nobody again
    await store.import_config(config(ADDRESSES[:2]))
    assert await tick(store, smtp, tls, clock) == 0
    clock.now += timedelta(days=1)
    assert await tick(store, smtp, tls, clock) == 0
    # a contact added to the file later is welcomed, alone
    await store.import_config(config(ADDRESSES))
    assert await tick(store, smtp, tls, clock) == 1
    assert len(welcomes(smtp)[ADDRESSES[2]]) == 2 and len(smtp.received) == 6
    # as is one added with `dialogbot contacts add --email` (the CLI's source)
    added = Contact("region.dan", "Dan", "email", "dan@kommun.example.se")
    await store.add_contact("varmland-2015", "region", added, "cli")
    assert await tick(store, smtp, tls, clock) == 1
    assert [k for k, _ in welcomes(smtp)["dan@kommun.example.se"]] == ["invitation", "text"]
    assert await tick(store, smtp, tls, clock) == 0


async def test_no_welcome_when_the_first_reminder_is_already_due(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """A contact created when a reminder is due gets that reminder (with its invitation) only."""
    clock = Clock(due_time(MEETING, timedelta(days=7)))
    await store.import_config(config(ADDRESSES[:1], nudges=False))
    assert await tick(store, smtp, tls, clock) == 1
    (invitation, reminder) = welcomes(smtp)[ADDRESSES[0]]
    assert invitation == ("invitation", "REQUEST") and reminder[1].startswith("Påminnelse")


async def test_two_dispatchers_on_postgres_welcome_each_email_contact_once(
    pg_database: str, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """Two processes (own engines, ports and SMTP connections) tick at once, twice, after an
    import: every new e-mail contact gets one invitation and one welcome text."""
    addresses = [f"k{i}@kommun{i}.example.se" for i in range(40)]
    setup = await _store(pg_database, migrate=False)
    await setup.import_config(config(addresses))
    await setup.engine.dispose()
    clock = Clock(BEFORE_ANY_REMINDER)
    stores = [await _store(pg_database, migrate=False) for _ in range(2)]
    with SmtpStandIn("starttls", server_context=tls[0]) as server:
        ports = [make_port(server, tls[1], clock, connections=3) for _ in stores]
        try:
            dispatchers = [
                email_dispatcher(s, p, clock, batch=8, concurrency=4, worker_id=f"worker-{n}")
                for n, (s, p) in enumerate(zip(stores, ports, strict=True))
            ]
            first = await asyncio.gather(*(d.tick() for d in dispatchers))
            again = await asyncio.gather(*(d.tick() for d in dispatchers))
        finally:
            for p in ports:
                await p.aclose()
            for s in stores:
                await s.engine.dispose()
    assert sum(r.sent for r in first) == 40 and sum(r.sent for r in again) == 0
    got = welcomes(server)
    assert {a: [k for k, _ in v] for a, v in got.items()} == {a: ["invitation", "text"] for a in addresses}
    assert all(v[1][1].startswith(("Välkommen", "Welcome")) for v in got.values())


# --- the stop and forget links -----------------------------------------------------------------------
async def test_every_email_carries_stop_and_forget_links_and_one_click_headers(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    clock = Clock(BEFORE_ANY_REMINDER)
    await store.import_config(config(ADDRESSES[:1]))
    assert await tick(store, smtp, tls, clock) == 1  # welcome
    clock.set(due_time(MEETING, timedelta(days=10)))
    assert await tick(store, smtp, tls, clock) == 1  # nudge (nobody answered)
    clock.set(due_time(MEETING, timedelta(days=7)))
    assert await tick(store, smtp, tls, clock) == 1  # reminder
    await store.import_config(config(ADDRESSES[:1], place="Stadshuset, Karlstad"))
    assert await tick(store, smtp, tls, clock) == 1  # update
    await store.import_config(config(ADDRESSES[:1], meetings=False))
    assert await tick(store, smtp, tls, clock) == 1  # cancel
    firsts = [plain(r.message).splitlines()[0] for r in smtp.received if not r.message["Content-Class"]]
    for start in ("Välkommen", "Er organisation har inte svarat", "Påminnelse", "Ändrat", "Inställt"):
        assert any(f.startswith(start) for f in firsts), (start, firsts)
    methods = [
        str(p.get_param("method"))
        for r in smtp.received
        for p in r.message.walk()
        if p.get_content_type() == "text/calendar"
    ]
    assert "REQUEST" in methods and methods[-1] == "CANCEL"
    assert len(smtp.received) == 8  # the nudge has no file; the reminder's file was held already
    for r in smtp.received:
        message = r.message
        header = message["List-Unsubscribe"]
        assert re.fullmatch(rf"<{STOP_LINK.pattern}>", header), header
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = plain(message)
        assert f"Sluta få påminnelser (Stop reminders): {header[1:-1]}" in body
        assert re.search(rf"Glöm mig \(Forget me\): {STOP_LINK.pattern}", body)
        assert ADDRESSES[0] not in header and ADDRESSES[0].split("@")[0] not in header
        if not message["Content-Class"]:
            html = message.get_body(("html",)).get_content()
            assert "Sluta få påminnelser" in html and "Glöm mig" in html


class Pages:
    """The stop page on an aiohttp test server, over the store and a replay guard on its engine."""

    def __init__(self, store: SqlMeetingStore, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self.guard = ReplayGuard(store.engine, clock=clock)

        async def first_use(token: str, expires: Any) -> bool:
            return await self.guard.first_time("stop-link", token, keep=expires - clock())

        app = web.Application()
        app.add_routes(stop_routes(StopLinks(Pseudonymizer(SECRET)), lambda: store, first_use, clock=clock))
        self.client = TestClient(TestServer(app))


@pytest.fixture
async def pages(store: SqlMeetingStore) -> AsyncIterator[Pages]:
    p = Pages(store, Clock(BEFORE_ANY_REMINDER))
    await p.client.start_server()
    try:
        yield p
    finally:
        await p.client.close()
        await p.guard.aclose()


async def links_of(store: SqlMeetingStore, smtp: SmtpStandIn, tls: Any, clock: Clock) -> dict[str, list[str]]:
    """Import the contacts, send their welcomes; per address the stop and forget paths of its e-mail."""
    await store.import_config(config(ADDRESSES[:2]))
    await tick(store, smtp, tls, clock)
    out = {}
    for r in smtp.received:
        found = STOP_LINK.findall(plain(r.message))
        out[r.to] = ["/sluta/" + t for t in found]
    return out


async def contact_rows(store: SqlMeetingStore, address: str) -> list[tuple[bool, bool]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT opted_out, active FROM contacts WHERE address = :a"), {"a": address}
        )
        return [(bool(o), bool(a)) for o, a in rows]


async def test_opening_a_stop_link_shows_a_page_and_its_post_stops_once(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext], pages: Pages
) -> None:
    links = await links_of(store, smtp, tls, pages.clock)
    stop, _forget = links[ADDRESSES[0]]
    client = pages.client

    shown = await client.get(stop)  # a mail scanner or the person: nothing changes
    body = await shown.text()
    assert shown.status == 200 and shown.headers["Cache-Control"] == "no-store"
    assert "Vill du sluta få påminnelser" in body and "Region Värmland" in body and "Glöm mig" in body
    assert '<form method="post"' in body and ADDRESSES[0] not in body
    assert await contact_rows(store, ADDRESSES[0]) == [(False, True)]

    # the mail client's one-click POST (RFC 8058)
    done = await client.post(stop, data={"List-Unsubscribe": "One-Click"})
    assert done.status == 200 and "inga fler påminnelser" in await done.text()
    assert await contact_rows(store, ADDRESSES[0]) == [(True, True)]
    assert await contact_rows(store, ADDRESSES[1]) == [(False, True)]  # the other address is untouched
    sent_before = len(smtp.received)
    pages.clock.set(due_time(MEETING, timedelta(days=7)))
    assert await tick(store, smtp, tls, pages.clock) == 2  # the nudge and the reminder, to the other only
    assert {r.to for r in smtp.received[sent_before:]} == {ADDRESSES[1]}

    # resumed by an organiser, then the used link is replayed: nothing changes
    (contact,) = await store.contacts(platform="email", address=ADDRESSES[0])
    await store.opt_in([contact.id], pages.clock())
    replayed = await client.post(stop)
    page = await replayed.text()
    assert replayed.status == 410 and "redan använts" in page and "already been used" in page
    assert await contact_rows(store, ADDRESSES[0]) == [(False, True)]


async def test_a_forget_link_removes_the_address_as_glom_kontakt_does(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext], pages: Pages
) -> None:
    links = await links_of(store, smtp, tls, pages.clock)
    _stop, forget = links[ADDRESSES[1]]  # the English contact
    shown = await pages.client.get(forget)
    assert shown.status == 200 and "forget you as a contact person" in await shown.text()
    assert await contact_rows(store, ADDRESSES[1]) == [(False, True)]

    done = await pages.client.post(forget)
    assert done.status == 200 and "We have forgotten you" in await done.text()
    assert await contact_rows(store, ADDRESSES[1]) == []
    async with store.engine.connect() as connection:
        stored = (await connection.execute(text("SELECT COUNT(*) FROM forgotten_contacts"))).scalar()
    assert stored == 1
    # a re-import does not bring the address back (the tombstone), and nothing more is sent to it
    await store.import_config(config(ADDRESSES[:2]), tombstone_of=tombstones(Pseudonymizer(SECRET)))
    assert await contact_rows(store, ADDRESSES[1]) == []
    sent_before = len(smtp.received)
    pages.clock.set(due_time(MEETING, timedelta(days=7)))
    await tick(store, smtp, tls, pages.clock)
    assert {r.to for r in smtp.received[sent_before:]} == {ADDRESSES[0]}
    # replayed, even after the address was added again by hand: nothing changes
    await store.add_contact(
        "varmland-2015", "region", Contact("region.bo", "Bo", "email", ADDRESSES[1]), "cli"
    )
    replayed = await pages.client.post(forget)
    assert replayed.status == 410 and "already been used" in await replayed.text()
    assert await contact_rows(store, ADDRESSES[1]) == [(False, True)]


async def test_forged_and_expired_links_get_a_clear_page_and_change_nothing(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext], pages: Pages
) -> None:
    links = await links_of(store, smtp, tls, pages.clock)
    stop, forget = links[ADDRESSES[0]]
    action, who, expires, signature = stop.removeprefix("/sluta/").split(".")
    forged = [
        f"/sluta/{action}.{who}.{expires}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"/sluta/f.{who}.{expires}.{signature}",  # a stop link turned into a forget link
        f"/sluta/{action}.{who}.{int(expires, 16) + 86400:x}.{signature}",  # a longer life
        "/sluta/not-a-token",
    ]
    for path in forged:
        for method in ("GET", "POST"):
            response = await pages.client.request(method, path)
            page = await response.text()
            assert response.status == 404, (path, method)
            assert "Länken är inte giltig" in page and "The link is not valid" in page
            assert "Traceback" not in page
    pages.clock.now += timedelta(days=731)
    for path in (stop, forget):
        response = await pages.client.post(path)
        page = await response.text()
        assert response.status == 410 and "gått ut" in page and "has expired" in page
    assert await contact_rows(store, ADDRESSES[0]) == [(False, True)]
    assert await contact_rows(store, ADDRESSES[1]) == [(False, True)]


async def test_the_app_serves_the_stop_page(tmp_path: Path) -> None:
    from bot.app import App

    settings = load_settings(
        None,
        env={},
        env_file=None,
        data_dir=tmp_path,
        chart_processes=0,
        secret=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=2525,
        smtp_from=SENDER,
        public_url=PUBLIC_URL,
    )
    app = await App.create(settings)
    try:
        port = app.conversation.ports["email"]
        assert isinstance(port, EmailPort) and port.stop_links is not None
        message = port.reminder_message(ADDRESSES[0], "Påminnelse")
        path = "/sluta/" + STOP_LINK.findall(message["List-Unsubscribe"])[0]
        web_app = web.Application()
        app.health.add_routes(web_app)
        async with TestClient(TestServer(web_app)) as client:
            gone = await client.get(path)  # a genuine link of an address the store does not hold
            assert gone.status == 410 and "finns inte längre" in await gone.text()
            forged = await client.post(path[:-2] + "xx")
            assert forged.status == 404 and "inte giltig" in await forged.text()
    finally:
        await app.aclose()


def test_the_stop_token_names_no_address() -> None:
    links = StopLinks(Pseudonymizer(SECRET))
    now = BEFORE_ANY_REMINDER
    token = links.token("s", ADDRESSES[0], now)
    assert ADDRESSES[0] not in token and "anna" not in token and "kommun" not in token
    assert links.read(token, now)[0] == "s"
    assert links.token("s", ADDRESSES[0], now) == token  # stable within a second, per address
    assert links.token("s", ADDRESSES[1], now) != token
