"""The projector screen and voting from a browser, over real HTTP on loopback (issue 18).

A facilitator in the local room creates a workshop and asks for the screen with /skarm; browser
participants join with the screen's join link and vote with the forms of their page; chat
participants vote in the room. The screen shows turnout only while the round is open, and the
results and charts once it closes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import event

from bot.web.pages import screen_feed
from bot.web.port import WebMessage
from tests.harness import LocalHarness, free_port
from tests.waiting import eventually
from tests.web_client import Phone, forms_of, path_of, text_of

FORGET_YES = "Ja, glöm mig"


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    h = await LocalHarness.start(tmp_path, public_url=base)
    assert h.app.web is not None
    web_app = web.Application()
    h.app.health.add_routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield h, base
    await runner.cleanup()
    await h.close()


async def screen_link(h: LocalHarness, code: str) -> str:
    """The facilitator's /skarm answer in their private chat (joined with /delta): the screen's link."""
    out = await h.run(":privat", f"/delta {code}", "/skarm", ":rum")
    links = re.findall(r"(http://\S+/skarm/\S+)", "\n".join(out))
    assert links, out
    return links[-1]


async def workshop(h: LocalHarness) -> str:
    out = await h.run("/workshop varmland-2015 Workshop i Karlstad")
    code = re.search(r"\b([A-Z0-9]{4,8})\b", h.port.messages[h.last_message_with("Workshop i Karlstad")].text)
    assert code, out
    return code.group(1)


async def test_screen_shows_turnout_then_results_and_browsers_vote(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code = await workshop(h)
    link = await screen_link(h, code)
    screen = Phone(base)
    try:
        page = await screen.open(path_of(link))
        assert "Workshop i Karlstad" in page and "<svg" in page  # title and the QR code
        join_path = path_of(re.search(r'id="qr" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]

        await h.run("/barometer")
        feed = path_of(link) + "/innehall"
        status, html = await screen.get(feed)
        assert "0 har svarat" in text_of(html), text_of(html)

        phones = [Phone(base) for _ in range(6)]
        try:
            for phone in phones:
                await phone.join(join_path)
                await phone.press("Visa den öppna omgången")
                status, _ = await phone.press("4")  # the first statement's "4"
                assert status == 200 and "Ditt svar" in phone.page, text_of(phone.page)

            async def all_six() -> bool:
                return "6 har svarat" in text_of((await screen.get(feed))[1])

            await eventually(all_six, within=2, what="the screen's turnout")
            # No result on the screen before close: no mean, no chart.
            _, html = await screen.get(feed)
            assert "<img" not in html
            await h.run("/stang")

            async def charts() -> bool:
                return "<img" in (await screen.get(feed))[1]

            await eventually(charts, within=30, what="the charts on the screen")
            _, html = await screen.get(feed)
            image = re.search(r'src="([^"]+)"', html).group(1)  # type: ignore[union-attr]
            async with screen.session.get(base + image) as response:
                assert response.status == 200 and (await response.read())[:4] == b"\x89PNG"
            # A press after close is refused clearly and changes nothing.
            status, _ = await phones[0].press("5 👍")
            assert status == 200 and "stängd" in text_of(phones[0].page).lower(), text_of(phones[0].page)
        finally:
            for phone in phones:
                await phone.close()
    finally:
        await screen.close()


async def test_forget_me_from_a_browser(site: tuple[LocalHarness, str]) -> None:
    """/glom's browser equivalent: "Glöm mig", then the confirmation, removes the browser's answers."""
    h, base = site
    code = await workshop(h)
    link = await screen_link(h, code)
    await h.run("/barometer")
    phone = Phone(base)
    try:
        page = await phone.open(path_of(link))
        await phone.join(path_of(re.search(r'id="qr" href="([^"]+)"', page).group(1)))  # type: ignore[union-attr]
        await phone.press("Visa den öppna omgången")
        await phone.press("4")
        workshop_ = await h.app.service.workshop_by_code(code)
        round_ = await h.app.service.open_round_of(workshop_.id)
        assert round_ is not None and len(await h.app.store.responses(round_.id)) == 1
        await phone.press("Glöm mig")
        confirm = [f.label.strip() for f in forms_of(phone.page)]
        status, _ = await phone.press(FORGET_YES)
        assert status == 200, confirm
        assert await h.app.store.responses(round_.id) == []
        assert "borttaget" in text_of(phone.page), text_of(phone.page)[:300]
    finally:
        await phone.close()


async def test_points_from_a_browser_count_only_when_all_are_given(site: tuple[LocalHarness, str]) -> None:
    """The prioritisation rules hold in the browser as in chat: each press adds its points to the
    browser's ballot, and the page says it is not counted until all 100 points are given."""
    h, base = site
    code = await workshop(h)
    link = await screen_link(h, code)
    await h.run("/poang")
    phone = Phone(base)
    try:
        page = await phone.open(path_of(link))
        await phone.join(path_of(re.search(r'id="qr" href="([^"]+)"', page).group(1)))  # type: ignore[union-attr]
        await phone.press("Visa den öppna omgången")
        workshop_ = await h.app.service.workshop_by_code(code)
        round_ = await h.app.service.open_round_of(workshop_.id)
        assert round_ is not None
        for press in range(10):
            await phone.open("/mina")
            status, _ = await phone.press("2. Dialog +10")
            assert status == 200
            if press < 9:
                assert "Räknas inte förrän alla 100 poäng" in text_of(phone.page), text_of(phone.page)[:300]
            given = sum(r.value for r in await h.app.store.responses(round_.id))
            assert given == 10 * (press + 1)
        assert "Räknas inte" not in text_of(phone.page).split("Senaste besked")[1][:200]
    finally:
        await phone.close()


async def test_ten_screens_fetching_at_once_wait_for_the_database_once(
    site: tuple[LocalHarness, str],
) -> None:
    """Every connected screen fetches the feed at each tally edit; their workshop is read once,
    not once per screen (under a burst of votes those reads queued behind the votes' writes)."""
    h, base = site
    code = await workshop(h)
    link = await screen_link(h, code)
    await h.run("/barometer")
    feed = base + path_of(link) + "/innehall"
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM workshops" in statement:
            reads.append(statement)

    engine = h.app.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with aiohttp.ClientSession() as screens:

            async def fetch() -> str:
                async with screens.get(feed) as response:
                    assert response.status == 200
                    return await response.text()

            pages = await asyncio.gather(*(fetch() for _ in range(10)))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(reads) <= 1, reads
    assert len(set(pages)) == 1 and "0 har svarat" in text_of(pages[0])


def test_a_result_text_shows_the_closes_heading_on_top_and_only_that() -> None:
    """A close posts one message, "Omgången … är stängd. Här är resultatet:" and its result text;
    the screen shows the heading as a heading of its own and the text (long) below it. Another
    text with a short first paragraph is not cut."""
    heading = "Omgången Barometer är stängd. Här är resultatet:"
    lines = "\n".join(f"{n}. Ett påstående – n = 12, medel 3,{n}" for n in range(1, 20))
    closed = WebMessage(7, f"{heading}\n\n{lines}")
    other = WebMessage(8, f"Kort rad\n\n{lines}")

    def cut(text: str) -> int:
        return len(heading) + 2 if text.startswith(heading + "\n\n") else 0

    html = screen_feed([closed], str, "sv", lambda text: False, cut)
    assert f'<p class="msg head" id="m7">{heading}</p><p class="msg head long">1. Ett' in html
    html = screen_feed([other], str, "sv", lambda text: False, cut)
    assert '<p class="msg head long" id="m8">Kort rad' in html
