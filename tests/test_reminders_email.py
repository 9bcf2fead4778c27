"""E-mail reminders through aiosmtplib against a real SMTP server on loopback (aiosmtpd).

STARTTLS and implicit TLS with a certificate made here and a login; the reminder in plain text
and HTML with one-click RSVP links; the calendar file as an invitation (method=REQUEST, the
contact as ATTENDEE); 4xx answers retried with back-off, 5xx stopped, recorded and told to the
facilitator; a server dropping the connection mid-message: no duplicates, no losses; the link
page (GET shows, POST records); addresses in no log, key or stored error, and gone when forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar
from sqlalchemy import inspect, select, text

from bot.mail.port import EmailPort, SmtpConfig
from bot.mail.web import rsvp_routes
from bot.meetings_runner import Dispatcher
from config.errors import ConfigError
from config.settings import load_settings
from facilitation.buttons import ButtonCodec
from facilitation.meetings import ContactKeys, due_time, parse_meetings
from facilitation.meetings.attendance import attendance, tally_of
from facilitation.meetings.directory import tombstones
from facilitation.meetings.importing import MeetingsConfigError
from facilitation.meetings.links import RsvpLinks
from facilitation.pseudonym import Pseudonymizer
from storage.meetings_models import DeliveryRow
from storage.meetings_repository import SqlMeetingStore
from tests.conftest import SECRET
from tests.standins.smtp_server import PASSWORD, USER, SmtpStandIn
from tests.test_reminders_dispatch import Clock, RecordingPort, _store, local

MEETING = local(2027, 3, 9, 10)
PUBLIC_URL = "https://dialog.example.se"
SENDER = "dialogbot@region.example.se"
ADDRESSES = [f"kontakt.{i}@kommun{i}.example.se" for i in range(6)]
LINK = re.compile(re.escape(PUBLIC_URL) + r"/osa/([A-Za-z0-9_.-]+)")


@pytest.fixture(scope="module")
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context) for a certificate of 127.0.0.1 made by a CA of the test."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlMeetingStore]:
    s = await _store(f"sqlite+aiosqlite:///{tmp_path / 'email.sqlite3'}")
    yield s
    await s.engine.dispose()


@pytest.fixture
def smtp(request: pytest.FixtureRequest, tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> Iterator[SmtpStandIn]:
    security = getattr(request, "param", "starttls")
    with SmtpStandIn(security, server_context=tls[0]) as server:
        yield server


def email_config(addresses: list[str], languages: list[str] | None = None, offsets: list[str] | None = None):  # type: ignore[no-untyped-def]
    languages = languages or ["sv"] * len(addresses)
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [
                    {"name": f"Kontakt {i}", "email": a, "language": lang}
                    for i, (a, lang) in enumerate(zip(addresses, languages, strict=True))
                ],
            }
        ],
        "meetings": [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "place": "Residenset, Karlstad",
                "reminder_offsets": offsets or ["7d", "1d"],
            }
        ],
    }
    return parse_meetings(doc, "test.toml", "varmland-2015", contact_keys=ContactKeys(Pseudonymizer(SECRET)))


def make_port(
    smtp: SmtpStandIn,
    client_tls: ssl.SSLContext | None,
    clock: Clock,
    security: str = "starttls",
    **options: Any,
) -> EmailPort:
    config = SmtpConfig(
        host="127.0.0.1",
        port=smtp.port,
        security=security,
        sender=SENDER,
        user=USER,
        password=PASSWORD,
        rate=options.pop("rate", 200.0),
        tls_context=client_tls,
        backoff=options.pop("backoff", 0.01),
        timeout=options.pop("timeout", 10.0),
        **options,
    )
    pseudonymizer = Pseudonymizer(SECRET)
    links = RsvpLinks(pseudonymizer, ButtonCodec(pseudonymizer))
    return EmailPort(config, links=links, public_url=PUBLIC_URL, clock=clock)


def email_dispatcher(store: SqlMeetingStore, port: EmailPort, clock: Clock, **options: Any) -> Dispatcher:
    codec = ButtonCodec(Pseudonymizer(SECRET))
    return Dispatcher(store, {"email": port}, codec, clock=clock, progress_every=0.0, **options)


def kinds(smtp: SmtpStandIn) -> dict[str, list[str]]:
    """Per recipient: "invitation" / "reminder" for each message received, in order."""
    out: dict[str, list[str]] = {}
    for r in smtp.received:
        kind = "invitation" if r.message["Content-Class"] else "reminder"
        out.setdefault(r.to, []).append(kind)
    return out


async def test_reminder_and_invitation_over_starttls_with_login(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    await store.import_config(email_config(ADDRESSES[:2], ["sv", "en"]))
    clock = Clock(due_time(MEETING, timedelta(days=7)))
    port = make_port(smtp, tls[1], clock)
    result = await email_dispatcher(store, port, clock).tick()
    await port.aclose()
    assert (result.sent, result.failed) == (2, 0)
    assert kinds(smtp) == {a: ["invitation", "reminder"] for a in ADDRESSES[:2]}
    assert smtp.handler.logins >= 1

    by_to = {(r.to, bool(r.message["Content-Class"])): r.message for r in smtp.received}
    invitation = by_to[(ADDRESSES[0], True)]
    calendar_part = next(p for p in invitation.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    ics = Calendar.from_ical(calendar_part.get_content())
    assert str(ics["method"]) == "REQUEST"
    (event,) = ics.walk("VEVENT")
    assert str(event["organizer"]) == f"mailto:{SENDER}"
    assert str(event["attendee"]) == f"mailto:{ADDRESSES[0]}"
    assert (
        event["attendee"].params["RSVP"] == "TRUE" and event["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
    )
    assert str(event["summary"]) == "Årligt dialogmöte"
    assert any(p.get_filename() == "dialogmote-2027-03-09.ics" for p in invitation.walk())

    for address, labels, question in (
        (ADDRESSES[0], ["Kommer", "Kommer inte", "Kanske", "Skickar ersättare"], "Kommer du?"),
        (ADDRESSES[1], ["Coming", "Not coming", "Maybe", "Sending a substitute"], "Are you coming?"),
    ):
        reminder = by_to[(address, False)]
        assert reminder["Subject"].startswith(
            ("Påminnelse: Årligt dialogmöte", "Reminder: Årligt dialogmöte")
        )
        plain = reminder.get_body(("plain",)).get_content()
        html = reminder.get_body(("html",)).get_content()
        assert question in plain and "Residenset, Karlstad" in html
        for label in labels:
            assert re.search(rf"^{re.escape(label)}: {re.escape(PUBLIC_URL)}/osa/\S+\r?$", plain, re.M), plain
            assert f">{label}</a>" in html
        assert len(LINK.findall(plain)) == 4 and len(set(LINK.findall(html))) == 4
        assert reminder["Message-ID"] and reminder["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize("smtp", ["ssl"], indirect=True)
async def test_implicit_tls(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    await store.import_config(email_config(ADDRESSES[:1], offsets=["1d"]))
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    port = make_port(smtp, tls[1], clock, security="ssl")
    result = await email_dispatcher(store, port, clock).tick()
    await port.aclose()
    assert result.sent == 1 and kinds(smtp) == {ADDRESSES[0]: ["invitation", "reminder"]}


async def test_an_untrusted_certificate_is_refused_and_nothing_is_lost(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    await store.import_config(email_config(ADDRESSES[:1], offsets=["1d"]))
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    port = make_port(smtp, ssl.create_default_context(), clock, retries=0)  # the system CAs only
    result = await email_dispatcher(store, port, clock).tick()
    assert (result.sent, result.failed) == (0, 1) and smtp.received == []
    (row,) = await store.deliveries()
    assert row.status == "failed" and row.attempts == 1  # retried later, not given up
    clock.set(clock() + timedelta(minutes=6))
    good = make_port(smtp, tls[1], clock)
    assert (await email_dispatcher(store, good, clock).tick()).sent == 1
    await good.aclose()
    assert kinds(smtp) == {ADDRESSES[0]: ["invitation", "reminder"]}


async def test_4xx_retried_5xx_stopped_recorded_and_told(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    boss = "processledare@region.example.se"
    await store.import_config(email_config(ADDRESSES[:5], offsets=["1d"]))
    smtp.handler.faults = {
        ADDRESSES[0]: ["450", "451"],  # greylisted at RCPT, then "try again" after the data: retried here
        ADDRESSES[1]: ["550"],  # no such user: permanent
        ADDRESSES[2]: ["554"],  # the message refused for good
        ADDRESSES[3]: ["451"] * 3,  # more 4xx than the port's retries: the dispatcher retries later
    }
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    port = make_port(smtp, tls[1], clock, retries=2)
    dispatcher = email_dispatcher(store, port, clock, organisers={"email": [boss]})
    result = await dispatcher.tick()
    assert (result.sent, result.failed) == (2, 3)
    got = kinds(smtp)
    assert got[ADDRESSES[0]] == got[ADDRESSES[4]] == ["invitation", "reminder"]
    assert ADDRESSES[1] not in got and ADDRESSES[2] not in got and ADDRESSES[3] not in got
    # the facilitator was told once per unreachable contact, naming contact and organisation
    told = [r.message.get_body(("plain",)).get_content() for r in smtp.received if r.to == boss]
    assert len(told) == 2 and all("Region Värmland" in t for t in told)
    assert sorted("tar inte emot adressen" in t for t in told) == [False, True]  # one address, one message
    assert any("vägrade ta emot meddelandet" in t for t in told)
    rows = {r.contact_id: r for r in await store.deliveries()}
    contacts = {c.contact.address: c.id for c in await store.contacts()}
    assert rows[contacts[ADDRESSES[1]]].status == "failed"
    unreachable = {u.contact.contact.address for u in await store.unreachable()}
    assert unreachable == {ADDRESSES[1], ADDRESSES[2]}

    # Later: the 4xx one goes out, the permanent ones are never tried again, nothing twice.
    clock.set(clock() + timedelta(minutes=10))
    again = await dispatcher.tick()
    assert (again.sent, again.failed) == (1, 0)
    await port.aclose()
    got = kinds(smtp)
    assert {a: got.get(a) for a in ADDRESSES[:5]} == {
        ADDRESSES[0]: ["invitation", "reminder"],
        ADDRESSES[1]: None,
        ADDRESSES[2]: None,
        ADDRESSES[3]: ["invitation", "reminder"],
        ADDRESSES[4]: ["invitation", "reminder"],
    }
    assert len([r for r in smtp.received if r.to == boss]) == 2


async def test_connection_dropped_mid_message_no_duplicate_no_loss(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    await store.import_config(email_config(ADDRESSES, offsets=["1d"]))
    # invitations of two, reminders of two (their second message), dropped once or twice
    smtp.handler.faults = {
        ADDRESSES[0]: ["drop"],
        ADDRESSES[1]: ["drop", "drop"],
        ADDRESSES[2]: [],
    }
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    port = make_port(smtp, tls[1], clock, connections=3)
    dispatcher = email_dispatcher(store, port, clock, concurrency=4)

    original = smtp.handler.handle_DATA
    seen: dict[str, int] = {}

    async def drop_the_reminder_of(address_index: int, server: Any, session: Any, envelope: Any) -> str:
        return await original(server, session, envelope)

    async def handle_data(server: Any, session: Any, envelope: Any) -> str:
        to = envelope.rcpt_tos[0]
        seen[to] = seen.get(to, 0) + 1
        if to in (ADDRESSES[4], ADDRESSES[5]) and seen[to] == 2:  # the reminder, after its invitation
            smtp.handler.faults.setdefault(to, []).append("drop")
        return await original(server, session, envelope)

    smtp.handler.handle_DATA = handle_data  # type: ignore[method-assign]
    result = await dispatcher.tick()
    await port.aclose()
    assert smtp.handler.dropped == 5
    assert (result.sent, result.failed) == (6, 0)
    assert kinds(smtp) == {a: ["invitation", "reminder"] for a in ADDRESSES}
    assert {r.status for r in await store.deliveries()} == {"sent"}
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert len(ids) == len(set(ids)) == 12


async def test_rsvp_link_get_shows_post_records(
    store: SqlMeetingStore, smtp: SmtpStandIn, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    await store.import_config(email_config(ADDRESSES[:2], ["sv", "en"], offsets=["7d"]))
    clock = Clock(due_time(MEETING, timedelta(days=7)))
    port = make_port(smtp, tls[1], clock)
    await email_dispatcher(store, port, clock).tick()
    await port.aclose()
    reminder = next(
        r.message for r in smtp.received if r.to == ADDRESSES[0] and not r.message["Content-Class"]
    )
    yes, no, _maybe, deputy = LINK.findall(reminder.get_body(("plain",)).get_content())
    pseudonymizer = Pseudonymizer(SECRET)
    links = RsvpLinks(pseudonymizer, ButtonCodec(pseudonymizer))
    app = web.Application()
    app.router.add_routes(rsvp_routes(links, lambda: store, clock=clock))
    (meeting,) = await store.meetings()

    async def tally() -> tuple[int, int, int]:  # organisations' answers (RSVP per organisation)
        t = tally_of(await attendance(store, meeting.id, MEETING))
        return t.yes, t.no, t.maybe

    async with TestClient(TestServer(app)) as client:
        for _ in range(2):  # a mail scanner opening the link, then the person: nothing recorded
            page = await client.get(f"/osa/{yes}")
            body = await page.text()
            assert (
                page.status == 200
                and "Kommer" in body
                and "Region Värmland" in body
                and 'method="post"' in body
            )
            assert (
                page.headers["Cache-Control"] == "no-store"
                and page.headers["Referrer-Policy"] == "no-referrer"
            )
            assert ADDRESSES[0] not in body and "Kontakt 0" not in body
        assert await tally() == (0, 0, 0)
        page = await client.get(f"/osa/{deputy}")  # the fourth answer's link works too
        assert page.status == 200 and "Skickar ersättare" in await page.text()
        for _ in range(2):  # the button, pressed twice: one answer
            saved = await client.post(f"/osa/{yes}")
            assert saved.status == 200 and "sparat" in await saved.text()
        assert await tally() == (1, 0, 0)
        assert (await client.post(f"/osa/{no}")).status == 200  # changed their mind
        assert await tally() == (0, 1, 0)

        forged = yes[:-3] + ("AAA" if not yes.endswith("AAA") else "BBB")
        bad = await client.post(f"/osa/{forged}")
        assert bad.status == 404 and "inte giltig" in await bad.text()
        assert (await client.get("/osa/nonsense")).status == 404
        assert await tally() == (0, 1, 0)

        clock.set(MEETING + timedelta(minutes=1))  # the meeting has started
        closed = await client.post(f"/osa/{yes}")
        assert closed.status == 410 and await tally() == (0, 1, 0)
        clock.set(clock() + timedelta(days=90))  # long after: expired
        expired = await client.get(f"/osa/{yes}")
        assert expired.status == 410 and "gått ut" in await expired.text()

    english = next(
        r.message for r in smtp.received if r.to == ADDRESSES[1] and not r.message["Content-Class"]
    )
    clock.set(due_time(MEETING, timedelta(days=7)))
    (en_yes, *_rest) = LINK.findall(english.get_body(("plain",)).get_content())
    async with TestClient(TestServer(app)) as client:
        page = await (await client.get(f"/osa/{en_yes}")).text()
        assert "Coming" in page and "Send the answer" in page


async def test_addresses_in_no_log_key_or_stored_error_and_forgotten(
    store: SqlMeetingStore,
    smtp: SmtpStandIn,
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = email_config(ADDRESSES[:4], offsets=["1d"])
    pseudonymizer = Pseudonymizer(SECRET)
    await store.import_config(cfg, tombstone_of=tombstones(pseudonymizer))
    for name in (
        None,
        "bot",
        "facilitation",
        "storage",
        "aiosmtplib",
        "mail.log",
    ):  # every record from now on
        caplog.set_level(logging.DEBUG, logger=name)
    smtp.handler.faults = {ADDRESSES[0]: ["550"], ADDRESSES[1]: ["451"] * 5, ADDRESSES[2]: ["drop"]}
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    port = make_port(smtp, tls[1], clock, retries=1)
    await email_dispatcher(store, port, clock).tick()
    await port.aclose()

    def leaks(value: object) -> list[str]:
        return [a for a in ADDRESSES if a in str(value) or a.split("@")[0] in str(value)]

    assert smtp.handler.refused["550"] == 1 and smtp.handler.refused["451"] >= 2 and smtp.handler.dropped == 1
    logged = [
        r.getMessage() + (r.exc_text or "") for r in caplog.records if not r.name.startswith("mail.log")
    ]
    assert any("e-mail" in line for line in logged)
    assert [line for line in logged if leaks(line)] == []
    assert [c.key for c in cfg.contacts if leaks(c.key)] == []
    async with store._read() as session:
        rows = (await session.execute(select(DeliveryRow.delivery_key, DeliveryRow.last_error))).all()
    assert {error for _key, error in rows} >= {"ChatGone (address_refused)", "TemporaryFailure"}
    assert [row for row in rows if leaks(row)] == []

    # forgetting (what /glom_kontakt does) leaves the address in no table
    for contact in await store.contacts():
        await store.forget_contact(contact.id, tombstones(pseudonymizer)(contact.contact), clock())
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        dump = [
            row for table in tables for row in (await conn.execute(text(f'SELECT * FROM "{table}"'))).all()
        ]
    assert [row for row in dump if leaks(row)] == []
    result = await store.import_config(cfg, tombstone_of=tombstones(pseudonymizer))
    assert result.skipped_forgotten == 4 and await store.contacts(active_only=False) == []


def test_email_addresses_in_the_meetings_file() -> None:
    cfg = email_config(["Anna.Andersson+dialog@Region.Example.SE"])
    (contact,) = cfg.contacts
    assert contact.platform == "email" and contact.address == "Anna.Andersson+dialog@region.example.se"
    assert "anna" not in contact.key.lower()
    for bad in (
        "anna",
        "anna@",
        "@example.se",
        "anna@example",
        "anna..b@example.se",
        "Anna <a@b.se>",
        "a@b.se, c@d.se",
    ):
        with pytest.raises(MeetingsConfigError, match="not an e-mail address"):
            email_config([bad])
    long_local = "a" * 64 + "@" + ".".join(["d" * 60] * 3) + ".se"
    assert len(email_config([long_local]).contacts[0].address) > 64


async def test_a_long_address_fits_the_database(store: SqlMeetingStore) -> None:
    address = "a" * 64 + "@" + ".".join(["d" * 60] * 3) + ".se"
    await store.import_config(email_config([address]))
    (contact,) = await store.contacts()
    assert contact.contact.address == address


@pytest.mark.parametrize(
    ("env", "where", "problem"),
    [
        ({"SMTP_HOST": "smtp.example.se"}, "smtp_from", "is required with smtp_host"),
        ({"SMTP_FROM": SENDER}, "smtp_from", "smtp_host is not"),
        (
            {"SMTP_HOST": "smtp.example.se", "SMTP_FROM": "Dialogbot <a@b.se>"},
            "smtp_from",
            "one e-mail address",
        ),
        ({"SMTP_HOST": "smtp://x", "SMTP_FROM": SENDER}, "smtp_host", "host name"),
        (
            {"SMTP_HOST": "smtp.example.se", "SMTP_FROM": SENDER, "SMTP_USER": "u"},
            "smtp_password",
            "required",
        ),
        (
            {"SMTP_HOST": "smtp.example.se", "SMTP_FROM": SENDER, "SMTP_PASSWORD": "p" * 20},
            "smtp_user",
            "required",
        ),
        (
            {"SMTP_HOST": "smtp.example.se", "SMTP_FROM": SENDER, "SMTP_SECURITY": "tls"},
            "smtp_security",
            "starttls",
        ),
        (
            {"SMTP_HOST": "smtp.example.se", "SMTP_FROM": SENDER, "SMTP_RATE": "0"},
            "smtp_rate",
            "greater than 0",
        ),
        ({"SMTP_HOST": "smtp.example.se", "SMTP_FROM": SENDER, "SMTP_PORT": "70000"}, "smtp_port", "65535"),
        (
            {
                "SMTP_HOST": "smtp.example.se",
                "SMTP_FROM": SENDER,
                "SMTP_USER": "u",
                "SMTP_PASSWORD": "secret-pw-1234",
                "SMTP_SECURITY": "none",
            },
            "smtp_security",
            "unencrypted",
        ),
    ],
)
def test_smtp_settings_are_checked(env: dict[str, str], where: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(env={f"DIALOGBOT_{k}": v for k, v in env.items()}, env_file=None, create_secret=False)
    assert refused.value.where == where and problem in str(refused.value)
    assert "secret-pw-1234" not in str(refused.value)


def test_smtp_settings_defaults_and_password_never_printed(tmp_path: Path) -> None:
    password_file = tmp_path / "smtp-password"
    password_file.write_text("file-password-5678\n")
    env = {
        "DIALOGBOT_SMTP_HOST": "smtp.example.se",
        "DIALOGBOT_SMTP_FROM": SENDER,
        "DIALOGBOT_SMTP_USER": "dialogbot",
        "DIALOGBOT_SMTP_PASSWORD_FILE": str(password_file),
        "DIALOGBOT_SMTP_SECURITY": "ssl",
    }
    settings = load_settings(env=env, env_file=None, create_secret=False)
    assert settings.has_email and settings.effective_smtp_port == 465
    assert settings.smtp_password_value() == "file-password-5678"
    with_password = load_settings(
        env={
            **{k: v for k, v in env.items() if "FILE" not in k},
            "DIALOGBOT_SMTP_PASSWORD": "inline-pw-9999",
        },
        env_file=None,
        create_secret=False,
    )
    assert "inline-pw-9999" not in repr(with_password) and "inline-pw-9999" not in str(with_password)
    config = SmtpConfig("smtp.example.se", 465, "ssl", SENDER, user="dialogbot", password="inline-pw-9999")
    assert "inline-pw-9999" not in repr(config) and "dialogbot" not in repr(config).replace(
        "smtp.example.se", ""
    )
    both = {**env, "DIALOGBOT_SMTP_PASSWORD": "inline-pw-9999"}
    with pytest.raises(ConfigError, match="either smtp_password or smtp_password_file"):
        load_settings(env=both, env_file=None, create_secret=False)


async def test_pacing_keeps_to_the_rate(
    store: SqlMeetingStore, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """A server that refuses more than 10 messages a second never has to: the port paces to 10/s."""
    with SmtpStandIn("starttls", server_context=tls[0], rate=10) as smtp:
        addresses = [f"k{i}@example.se" for i in range(15)]
        await store.import_config(email_config(addresses, offsets=["1d"]))
        clock = Clock(due_time(MEETING, timedelta(days=1)))
        port = make_port(smtp, tls[1], clock, rate=10.0, connections=4)
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = await email_dispatcher(store, port, clock, ics="none").tick()
        elapsed = loop.time() - started
        await port.aclose()
    assert result.sent == 15 and smtp.handler.refused["rate"] == 0
    assert elapsed >= 1.0  # 15 messages at 10/s need more than one second
    assert sorted(smtp.recipients().values()) == [1] * 15


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_send_each_email_once(
    pg_database: str, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """Two processes (separate engines, ports and SMTP connections) fan out 120 e-mail reminders
    from one PostgreSQL while the server drops some connections mid-message: each contact gets
    its invitation and its reminder exactly once."""
    addresses = [f"k{i}@kommun.example.se" for i in range(120)]
    setup = await _store(pg_database, migrate=False)
    await setup.import_config(email_config(addresses, offsets=["1d"]))
    await setup.engine.dispose()
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    stores = [await _store(pg_database, migrate=False) for _ in range(2)]
    with SmtpStandIn("starttls", server_context=tls[0]) as smtp:
        smtp.handler.faults = {a: ["drop"] for a in addresses[::10]}
        ports = [make_port(smtp, tls[1], clock, connections=3) for _ in stores]
        try:
            dispatchers = [
                email_dispatcher(s, port, clock, batch=10, concurrency=6, worker_id=f"worker-{n}")
                for n, (s, port) in enumerate(zip(stores, ports, strict=True))
            ]
            results = await asyncio.gather(*(d.tick() for d in dispatchers))
        finally:
            for port in ports:
                await port.aclose()
            for s in stores:
                await s.engine.dispose()
    assert sum(r.sent for r in results) == 120 and all(r.sent > 0 for r in results)
    assert smtp.handler.dropped == 12
    assert kinds(smtp) == {a: ["invitation", "reminder"] for a in addresses}


async def test_the_app_wires_the_email_port_and_the_rsvp_page(tmp_path: Path) -> None:
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
        assert isinstance(port, EmailPort) and port.config.port == 2525 and port.public_url == PUBLIC_URL
        web_app = web.Application()
        app.health.add_routes(web_app)
        async with TestClient(TestServer(web_app)) as client:
            page = await client.get("/osa/not-a-token")
            assert page.status == 404 and "inte giltig" in await page.text()
            assert (await client.get("/healthz")).status == 200
    finally:
        await app.aclose()


def test_a_message_sent_again_has_the_same_message_id(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    """A process that dies between the server's answer and the record sends again: the copy has the
    first's Message-ID (also when another process renders the calendar file at another DTSTAMP)."""
    from datetime import UTC, datetime

    from facilitation.meetings.ics import meeting_ics
    from facilitation.ports import Attachment, Button

    meeting = email_config(ADDRESSES[:1]).meetings[0]
    clock = Clock(MEETING - timedelta(days=7))
    ports = [make_port(_NoServer(), None, clock) for _ in range(2)]  # builds messages only
    files = [
        meeting_ics(meeting, MEETING, stamp=datetime(2027, 3, 1, 9, minute, tzinfo=UTC)) for minute in (0, 1)
    ]
    assert files[0] != files[1]
    ids = {
        p.invitation_message(ADDRESSES[0], Attachment("m.ics", f, "text/calendar", caption="Möte"))[
            "Message-ID"
        ]
        for p, f in zip(ports, files, strict=True)
    }
    assert len(ids) == 1
    buttons = [[Button("Kommer", "rv.7.0~abcdefgh"), Button("Kanske", "rv.7.2~abcdefgh")]]
    texts = {p.reminder_message(ADDRESSES[0], "Påminnelse", buttons)["Message-ID"] for p in ports}
    other = ports[0].reminder_message(ADDRESSES[0], "Påminnelse", [[Button("Kommer", "rv.8.0~abcdefgh")]])
    assert len(texts) == 1 and other["Message-ID"] not in texts and ids.isdisjoint(texts)


class _NoServer:
    port = 1


class PacedPort(RecordingPort):
    """A chat platform taking one message at a time, ``gap`` seconds each (its rate limit),
    noting when it accepted each (``time.monotonic``)."""

    def __init__(self, gap: float) -> None:
        super().__init__("telegram")
        self.gap = gap
        self.turn = asyncio.Lock()
        self.accepted_at: list[float] = []

    async def send_text(self, chat, text, buttons=None):  # type: ignore[no-untyped-def]
        async with self.turn:
            await asyncio.sleep(self.gap)
            message = await super().send_text(chat, text, buttons)
            self.accepted_at.append(time.monotonic())
            return message


async def test_a_slow_platform_does_not_hold_back_another_platforms_reminders(
    store: SqlMeetingStore, tls: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    """Each platform has its own queue and workers. With one queue for all, the workers all ended
    up waiting on the slow platform's rows, and the reminders of the others behind them waited
    too (in bench/reminders.py, Telegram went at e-mail's pace)."""
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region Värmland",
                "contacts": [
                    {"name": f"Kontakt {i}", "email": f"k{i}@example.se"}
                    if i % 2 == 0
                    else {"key": f"c{i}", "name": f"Kontakt {i}", "telegram": f"{i + 1}"}
                    for i in range(40)
                ],
            }
        ],
        "meetings": [
            {"key": "m", "title": "Dialogmöte", "start": "2027-03-09T10:00", "reminder_offsets": ["1d"]}
        ],
    }
    await store.import_config(
        parse_meetings(doc, "test.toml", "varmland-2015", contact_keys=ContactKeys(Pseudonymizer(SECRET)))
    )
    clock = Clock(due_time(MEETING, timedelta(days=1)))
    chat = PacedPort(gap=0.1)  # 20 messages: 2 s
    with SmtpStandIn("starttls", server_context=tls[0]) as smtp:
        mail = make_port(smtp, tls[1], clock, connections=2)
        ports = {"email": mail, "telegram": chat}
        dispatcher = Dispatcher(store, ports, None, clock=clock, ics="none", concurrency=4)  # type: ignore[arg-type]
        await dispatcher.plan(clock())
        async with store.engine.connect() as connection:
            order = await connection.execute(
                text(
                    "SELECT c.platform FROM deliveries d JOIN contacts c ON c.id = d.contact_id"
                    " ORDER BY d.due_at, d.id"
                )
            )
            assert [platform for (platform,) in order][:20] == ["telegram"] * 20  # the slow one's first
        started = time.monotonic()
        result = await dispatcher.tick()
        await mail.aclose()
    assert result.sent == 40 and len(chat.accepted_at) == 20 and len(smtp.received) == 20
    chat_done = max(chat.accepted_at) - started
    assert chat_done >= 1.9
    assert max(r.at for r in smtp.received) - started < 0.3 * chat_done  # the e-mails did not wait
