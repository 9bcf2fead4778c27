"""The web pages across processes and restarts, and a browser told of new and closed rounds (issue 18).

Before, every web chat lived in one process's memory: with two bot processes on one PostgreSQL
database (a load balancer in front) a screen connected to process A never saw the turnout of
votes that landed at process B until A's own ten-second poll, and after a restart a browser
participant's page was blank. Now a page derives the round's state and turnout from the
database (counts, never who) and its event stream wakes when that state changes.

Two Apps (each with its own web server) share one database and one secret, as two processes of
one installation do; a phone's cookies are sent to both (one host), as behind a load balancer.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.harness import LocalHarness, free_port
from tests.test_web_security import FIRST_STATEMENT, new_workshop, vote_form
from tests.waiting import eventually
from tests.web_client import Phone, forms_of, path_of, text_of

SECRET = "one-installation-two-processes"


@asynccontextmanager
async def process(tmp_path: Path, name: str, port: int, **settings: Any) -> AsyncIterator[LocalHarness]:
    """One bot process: an App with its web pages served on ``port``."""
    h = await LocalHarness.start(
        tmp_path / name, secret=SECRET, public_url=f"http://127.0.0.1:{port}", **settings
    )
    web_app = web.Application()
    h.app.health.add_routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield h
    finally:
        await runner.cleanup()
        await h.close()


@asynccontextmanager
async def two_processes(
    tmp_path: Path, pg_database: str
) -> AsyncIterator[tuple[LocalHarness, LocalHarness, int, int]]:
    """Processes A and B of one installation on one database: (a, b, A's port, B's port)."""
    port_a, port_b = free_port(), free_port()
    async with (
        process(tmp_path, "a", port_a, database_url=pg_database) as a,
        process(tmp_path, "b", port_b, database_url=pg_database) as b,
    ):
        yield a, b, port_a, port_b


class Events:
    """A page's event stream read in the background: the times its events arrived."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.times: list[float] = []
        self._task = asyncio.create_task(self._read(session, url))

    async def _read(self, session: aiohttp.ClientSession, url: str) -> None:
        async with session.get(url) as response:
            assert response.status == 200
            async for line in response.content:
                if line.startswith(b"data:"):
                    self.times.append(time.monotonic())

    def after(self, started: float) -> list[float]:
        return [at - started for at in self.times if at >= started]

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def join_at(phone: Phone, screen_page: str) -> None:
    await phone.join(path_of(re.search(r'id="qr" href="([^"]+)"', screen_page).group(1)))  # type: ignore[union-attr]


@pytest.mark.postgres
async def test_screen_on_one_process_follows_votes_at_another_within_a_second(
    tmp_path: Path, pg_database: str
) -> None:
    async with two_processes(tmp_path, pg_database) as (a, b, port_a, port_b):
        _, link = await new_workshop(a, "Två processer")
        screen = Phone(f"http://127.0.0.1:{port_a}")
        phones = [Phone(f"http://127.0.0.1:{port_b}") for _ in range(3)]
        events = None
        try:
            page = await screen.open(path_of(link))
            feed = path_of(link) + "/innehall"
            assert "0 har svarat" in text_of((await screen.get(feed))[1])
            events = Events(screen.session, screen.base + path_of(link) + "/handelser")
            await eventually(lambda: events.times, within=5, what="the stream's first event")
            for n, phone in enumerate(phones, start=1):
                await join_at(phone, page)  # at B: the join link is signed with the shared secret
                await phone.press("Visa den öppna omgången")
                started = time.monotonic()
                status, _ = await phone.post("/mina/tryck", vote_form(phone, "4"))
                assert status == 200 and "Ditt svar" in phone.page, text_of(phone.page)[:300]

                async def shown(n: int = n) -> bool:
                    return f"{n} har svarat" in text_of((await screen.get(feed))[1])

                await eventually(shown, within=1.0, what=f"A's screen showing B's vote {n}")
                await eventually(lambda s=started: events.after(s), within=1.0, what="an event on A's stream")
            # Closed at B: A's screen says so within the second too (its figure fixed at close).
            started = time.monotonic()
            await b.run(":rum", "/stang")

            async def closed() -> bool:
                return "är stängd. 3 svarade" in text_of((await screen.get(feed))[1])

            await eventually(closed, within=1.0, what="A's screen showing the close at B")
        finally:
            if events is not None:
                await events.close()
            for p in [screen, *phones]:
                await p.close()


@pytest.mark.postgres
async def test_a_round_closed_at_another_process_shows_its_charts_on_this_screen_once(
    tmp_path: Path, pg_database: str
) -> None:
    """The screen's messages live in the memory of the process serving it: the round closed at B
    showed "closed" on A's screen and no result. A now posts the results there itself, from the
    frozen answers; B, which closed it and posted them, does not post them a second time."""
    async with two_processes(tmp_path, pg_database) as (a, b, port_a, port_b):
        _, link = await new_workshop(a, "Resultat på väggen")
        screen_a, screen_b = Phone(f"http://127.0.0.1:{port_a}"), Phone(f"http://127.0.0.1:{port_b}")
        phones = [Phone(f"http://127.0.0.1:{port_b}") for _ in range(6)]
        try:
            page = await screen_a.open(path_of(link))
            await screen_b.open(path_of(link))
            feed = path_of(link) + "/innehall"
            for n, phone in enumerate(phones):
                await join_at(phone, page)
                await phone.press("Visa den öppna omgången")
                status, _ = await phone.post("/mina/tryck", vote_form(phone, "4" if n % 2 else "2"))
                assert status == 200 and "Ditt svar" in phone.page, text_of(phone.page)[:300]
            await b.run(":rum", "/stang")

            async def charts_on(screen: Phone) -> str:
                return (await screen.get(feed))[1]

            async def shown_at_a() -> bool:
                return "<img" in await charts_on(screen_a)

            await eventually(shown_at_a, within=20, what="the charts of B's close on A's screen")
            at_a, at_b = await charts_on(screen_a), await charts_on(screen_b)
            assert at_a.count("Här är resultatet") == 1 and at_b.count("Här är resultatet") == 1
            assert "n = 6" in text_of(at_a) and "n = 6" in text_of(at_b)
            # The same charts: the figures of the closed round, drawn from its frozen answers.
            assert at_a.count("<img") == at_b.count("<img") >= 1
            await asyncio.sleep(1.0)  # more looks at both screens post nothing more
            assert (await charts_on(screen_a)).count("Här är resultatet") == 1
            assert (await charts_on(screen_b)).count("Här är resultatet") == 1
        finally:
            for p in [screen_a, screen_b, *phones]:
                await p.close()


@pytest.mark.postgres
async def test_a_step_at_another_process_reaches_this_screen_and_phone(
    tmp_path: Path, pg_database: str
) -> None:
    """Step mode driven from B (``/nasta``): A's screen shows the new statement in large type and
    a phone served by A is woken and shown it, as at B, once."""
    async with two_processes(tmp_path, pg_database) as (a, b, port_a, _):
        _, link = await new_workshop(a, "Steg på väggen")
        screen = Phone(f"http://127.0.0.1:{port_a}")
        phone = Phone(f"http://127.0.0.1:{port_a}")
        events = None
        try:
            page = await screen.open(path_of(link))
            feed = path_of(link) + "/innehall"
            await join_at(phone, page)
            await phone.press("Visa den öppna omgången")
            events = Events(phone.session, phone.base + "/mina/handelser")
            await eventually(lambda: events.times, within=5, what="the phone's first event")
            for position, statement in ((1, "1. Min organisation"), (2, "2. Vi har redan")):
                started = time.monotonic()
                await b.run(":rum", "/nasta")
                head = f"Påstående {position} ({position} av 7):"

                async def on_screen(head: str = head) -> bool:
                    return head in text_of((await screen.get(feed))[1])

                await eventually(on_screen, within=2.0, what=f"A's screen showing B's step {position}")
                shown = text_of((await screen.get(feed))[1])
                assert statement in shown and shown.count(head) == 1
                await eventually(lambda s=started: events.after(s), within=2.0, what="the phone woken")
                mine = text_of(await phone.open("/mina"))
                assert "Nästa påstående i omgång" in mine and statement in mine, mine[-600:]
            await asyncio.sleep(1.0)  # more looks post nothing more
            assert text_of((await screen.get(feed))[1]).count("Påstående 2 (2 av 7):") == 1
        finally:
            if events is not None:
                await events.close()
            for p in [screen, phone]:
                await p.close()


@pytest.mark.postgres
async def test_a_restarted_process_serves_the_browsers_page_and_takes_a_changed_vote(
    tmp_path: Path, pg_database: str
) -> None:
    port_a, port_b = free_port(), free_port()
    async with process(tmp_path, "a", port_a, database_url=pg_database) as a:
        code, link = await new_workshop(a, "Omstart")
        phone = Phone(f"http://127.0.0.1:{port_b}")
        try:
            async with process(tmp_path, "b", port_b, database_url=pg_database):
                await join_at(phone, await Phone.open(phone, path_of(link)))
                await phone.press("Visa den öppna omgången")
                status, _ = await phone.post("/mina/tryck", vote_form(phone, "4"))
                assert status == 200 and "Ditt svar" in phone.page
            workshop = await a.app.service.workshop_by_code(code)
            round_ = await a.app.service.open_round_of(workshop.id)
            assert round_ is not None
            assert [r.value for r in await a.app.store.responses(round_.id)] == [4]
            old_form = vote_form(phone, "5 👍")
            async with process(tmp_path, "b2", port_b, database_url=pg_database):  # B restarted
                page = await phone.open("/mina")
                assert FIRST_STATEMENT in page, text_of(page)[:400]  # the open round, not a blank page
                status, _ = await phone.post("/mina/tryck", vote_form(phone, "2"))
                assert status == 200 and "Ditt svar" in phone.page, text_of(phone.page)[:300]
                assert [r.value for r in await a.app.store.responses(round_.id)] == [2]
                # A form the process before the restart rendered is taken as the bot offered it.
                status, _ = await phone.post("/mina/tryck", old_form)
                assert status == 200 and "Ditt svar" in phone.page, text_of(phone.page)[:300]
                assert [r.value for r in await a.app.store.responses(round_.id)] == [5]
        finally:
            await phone.close()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, str]]:
    port = free_port()
    async with process(tmp_path, "one", port) as h:
        yield h, f"http://127.0.0.1:{port}"


async def test_an_open_page_is_told_of_a_new_round_and_of_its_close(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    await h.run(":rum", "/workshop varmland-2015 Nya omgångar")
    code = re.search(
        r"Anslutningskod: (\w+)", h.port.messages[h.last_message_with("Nya omgångar")].text
    ).group(1)  # type: ignore[union-attr]
    out = await h.run(":privat", f"/delta {code}", "/skarm", ":rum")
    link = re.findall(r"(http://\S+/skarm/\S+)", "\n".join(out))[-1]
    phone = Phone(base)
    events = None
    try:
        await join_at(phone, await phone.open(path_of(link)))
        page = await phone.open("/mina")
        # No round yet: the page says it waits and, without JavaScript, reloads itself.
        assert "Ingen omgång är öppen" in text_of(page)
        assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page)
        assert any(f.label.strip() == "Uppdatera" for f in forms_of(page)) or ">Uppdatera</a>" in page
        events = Events(phone.session, base + "/mina/handelser")
        await eventually(lambda: events.times, within=5, what="the stream's first event")

        started = time.monotonic()
        await h.run("/barometer")
        await eventually(lambda: events.after(started), within=1.5, what="the phone told of the new round")
        page = await phone.open("/mina")
        assert "Omgång #1 har öppnat" in text_of(page), text_of(page)[:400]
        assert FIRST_STATEMENT in page and "Ingen omgång är öppen" not in text_of(page)
        assert "http-equiv" not in page  # an open round's page does not reload under the participant
        status, _ = await phone.post("/mina/tryck", vote_form(phone, "3"))
        assert status == 200 and "Ditt svar" in phone.page

        started = time.monotonic()
        await h.run("/stang")
        await eventually(lambda: events.after(started), within=1.5, what="the phone told of the close")
        page = await phone.open("/mina")
        assert "Omgång #1 är stängd" in text_of(page), text_of(page)[:400]
        assert "Ingen omgång är öppen" in text_of(page) and "http-equiv" in page  # waiting again
    finally:
        if events is not None:
            await events.close()
        await phone.close()


async def test_the_language_switch_turns_pages_and_answers_to_english(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code, _ = await new_workshop(h, "Språkval")
    phone = Phone(base)
    try:
        page = await phone.open("/delta")
        assert '<html lang="sv"' in page and "Gå med i en workshop" in text_of(page)
        status, page = await phone.press("English")
        assert status == 200 and '<html lang="en"' in page and "Join a workshop" in text_of(page)
        form = phone.form("Join")
        status, page = await phone.post(form.action, {**form.fields, "kod": code})
        assert status == 200 and '<html lang="en"' in page, text_of(page)[:300]
        assert "Show the open round" in text_of(page) and "Choose your sector" in text_of(page), text_of(page)
        status, page = await phone.press("Svenska")
        assert status == 200 and '<html lang="sv"' in page and "Visa den öppna omgången" in text_of(page)
        # Without a choice, a browser asking for English gets English pages; a choice wins over it.
        other = Phone(base)
        try:
            async with other.session.get(base + "/delta", headers={"Accept-Language": "en-GB,en"}) as r:
                assert "Join a workshop" in text_of(await r.text())
            other.session.cookie_jar.update_cookies({"dialogbot_sprak": "sv"})
            async with other.session.get(base + "/delta", headers={"Accept-Language": "en-GB,en"}) as r:
                assert "Gå med i en workshop" in text_of(await r.text())
        finally:
            await other.close()
    finally:
        await phone.close()
