"""What a browser may not do (issue 18): forge or replay a post, use an expired link or form,
post faster than the limits, reach another workshop. Each refusal is a clear sentence in the
user's language and changes nothing that is stored.

Over real HTTP on loopback against the App's own routes, with the votes read back from the store.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.web.limits import Buckets
from bot.web.server import FORM_REUSE_SECONDS
from bot.web.signing import Signer
from tests.harness import LocalHarness, free_port
from tests.web_client import Phone, forms_of, path_of, text_of

FIRST_STATEMENT = "1. Min organisation"


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[LocalHarness, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    h = await LocalHarness.start(tmp_path, public_url=base)
    web_app = web.Application()
    h.app.health.add_routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield h, base
    await runner.cleanup()
    await h.close()


async def new_workshop(h: LocalHarness, title: str) -> tuple[str, str]:
    """A workshop with an open barometer and the facilitator's screen link: (code, screen link)."""
    await h.run(":rum", f"/workshop varmland-2015 {title}")
    code = re.search(r"Anslutningskod: (\w+)", h.port.messages[h.last_message_with(title)].text).group(1)  # type: ignore[union-attr]
    out = await h.run(":privat", f"/delta {code}", "/skarm", ":rum", "/barometer")
    return code, re.findall(r"(http://\S+/skarm/\S+)", "\n".join(out))[-1]


async def joined_phone(base: str, screen: str) -> Phone:
    phone = Phone(base)
    page = await phone.open(path_of(screen))
    await phone.join(path_of(re.search(r'id="qr" href="([^"]+)"', page).group(1)))  # type: ignore[union-attr]
    await phone.press("Visa den öppna omgången")
    return phone


def vote_form(phone: Phone, label: str = "4") -> dict[str, str]:
    """The form of button ``label`` under the first statement on the phone's page."""
    forms = forms_of(phone.page)
    start = phone.page.rindex(FIRST_STATEMENT)
    after = forms_of(phone.page[start:])
    form = next(f for f in after if f.label.strip() == label)
    assert form in forms
    return dict(form.fields)


async def votes(h: LocalHarness, code: str) -> list[int]:
    workshop = await h.app.service.workshop_by_code(code)
    round_ = await h.app.service.open_round_of(workshop.id)
    assert round_ is not None
    return sorted(r.value for r in await h.app.store.responses(round_.id))


async def test_csrf_token_is_required_and_bound_to_the_device(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code, screen = await new_workshop(h, "CSRF")
    phone, other = await joined_phone(base, screen), await joined_phone(base, screen)
    try:
        form = vote_form(phone)
        # Without the token, with a made-up one, and with the other device's token: refused.
        for csrf in ("", "x" * 24, vote_form(other)["csrf"]):
            status, page = await phone.post("/mina/tryck", {**form, "csrf": csrf})
            assert status == 403 and "kunde inte kontrolleras" in text_of(page)
        # A post from another site (its Origin) is refused even with the right fields.
        async with phone.session.post(
            base + "/mina/tryck", data=form, headers={"Origin": "https://evil.example"}
        ) as response:
            assert response.status == 403
        # The other device cannot send this device's form (the form names its device).
        status, _ = await other.post("/mina/tryck", {**form, "csrf": vote_form(other)["csrf"]})
        assert status == 403
        assert await votes(h, code) == []
        # The genuine post counts.
        status, page = await phone.post("/mina/tryck", form)
        assert status == 200 and "Ditt svar: 4" in text_of(page)
        assert await votes(h, code) == [4]
    finally:
        await phone.close()
        await other.close()


async def test_a_form_posted_again_is_refused_and_changes_nothing(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code, screen = await new_workshop(h, "Replay")
    phone = await joined_phone(base, screen)
    try:
        four = vote_form(phone, "4")
        status, _ = await phone.post("/mina/tryck", four)
        assert status == 200
        status, _ = await phone.post("/mina/tryck", vote_form(phone, "2"))  # a change of mind
        assert status == 200 and await votes(h, code) == [2]
        status, page = await phone.post("/mina/tryck", four)  # the old "4" again
        assert status == 409 and "redan skickat" in text_of(page)
        assert await votes(h, code) == [2]
        # A form whose token was altered (another message, another button) is forged.
        token = four["form"]
        payload, expiry, mac = token.rsplit(".", 2)
        device, message, index, nonce, data = payload.split(":", 4)  # data: the button's, signed with it
        altered = f"{device}:{int(message) + 1}:{index}:{nonce}:{data}.{expiry}.{mac}"
        status, page = await phone.post("/mina/tryck", {**four, "form": altered})
        assert status == 403 and await votes(h, code) == [2]
        altered = f"{device}:{message}:{index}:{nonce}:{data[:-1]}9.{expiry}.{mac}"  # another button's data
        status, page = await phone.post("/mina/tryck", {**four, "form": altered})
        assert status == 403 and await votes(h, code) == [2]
    finally:
        await phone.close()


def form_tokens(page: str) -> dict[str, list[str]]:
    """The press tokens on a phone's page, per statement (its text) in page order."""
    tokens: dict[str, list[str]] = {}
    for section in page.split("<section>")[1:]:
        statement = text_of(section.split("</p>", 1)[0])
        tokens[statement] = [f.fields["form"] for f in forms_of(section) if "form" in f.fields]
    return tokens


async def test_a_page_shows_unspent_forms_again_and_never_a_posted_one(
    site: tuple[LocalHarness, str],
) -> None:
    """A phone's page is rendered after every press; its unchanged messages' forms are shown
    again while unspent (no signing of every button on every load: the vote's CPU time), but a
    message whose form was posted gets new forms, and the posted one stays refused."""
    h, base = site
    code, screen = await new_workshop(h, "Sidor")
    phone = await joined_phone(base, screen)
    try:
        first = form_tokens(phone.page)
        statements = [s for s in first if first[s] and s[:1].isdigit()]  # the barometer's statements
        assert len(statements) >= 2 and statements[0].startswith(FIRST_STATEMENT), statements
        assert form_tokens(await phone.open("/mina")) == first  # nothing changed, nothing re-signed
        four = vote_form(phone, "4")
        status, page = await phone.post("/mina/tryck", four)
        assert status == 200 and "Ditt svar: 4" in text_of(page)
        after = form_tokens(page)
        # The pressed statement's forms are all new; the others' are the same, still good.
        assert not set(after[statements[0]]) & set(first[statements[0]])
        assert all(after[s] == first[s] for s in statements[1:])
        status, _ = await phone.post("/mina/tryck", four)
        assert status == 409 and await votes(h, code) == [4]
        await phone.open("/mina")
        status, page = await phone.post("/mina/tryck", vote_form(phone, "4"))  # the same answer again
        assert status == 200 and "Ditt svar: 4" in text_of(page) and await votes(h, code) == [4]
        status, page = await phone.post("/mina/tryck", vote_form(phone, "2"))  # a change of mind
        assert status == 200 and await votes(h, code) == [2]
        # Forms are shown again only for a while, so every form served stays good long enough.
        assert h.app.web is not None
        h.app.web.clock = lambda: time.time() + FORM_REUSE_SECONDS + 1
        later = form_tokens(await phone.open("/mina"))
        assert all(not set(later[s]) & set(first[s]) for s in statements[1:])
        status, page = await phone.post("/mina/tryck", vote_form(phone, "3"))
        assert status == 200 and await votes(h, code) == [3]
    finally:
        await phone.close()


async def test_expired_links_forms_and_codes_are_refused(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code, screen = await new_workshop(h, "Utgång")
    past = Signer(h.app.settings.secret, clock=lambda: time.time() - 100 * 3600)
    phone = await joined_phone(base, screen)
    try:
        workshop = await h.app.service.workshop_by_code(code)
        # A screen link and a join link signed long ago have run out.
        for path in (
            f"/skarm/{past.sign('screen', str(workshop.id), 12 * 3600)}",
            f"/delta/{past.sign('join', code, 12 * 3600)}",
        ):
            status, page = await phone.get(path)
            assert status == 403 and "gått ut" in text_of(page), path
        # The screen's own link works, and so does its feed; the expired one's feed does not.
        assert (await phone.get(path_of(screen) + "/innehall"))[0] == 200
        # A form rendered long ago has run out.
        form = vote_form(phone)
        payload, _, _ = form["form"].rsplit(".", 2)
        old = past.sign("press", payload, 2 * 3600)
        status, page = await phone.post("/mina/tryck", {**form, "form": old})
        assert status == 403 and "gått ut" in text_of(page)
        assert await votes(h, code) == []
        # A typed code joins only a workshop created within join_code_hours.
        assert h.app.web is not None
        h.app.web.clock = lambda: time.time() + 25 * 3600
        late = Phone(base)
        try:
            await late.open("/delta")
            fields = late.form("Gå med").fields
            status, page = await late.post("/delta", {**fields, "kod": code})
            assert status == 403 and "Koden har gått ut" in text_of(page)
        finally:
            await late.close()
    finally:
        await phone.close()


async def test_rate_limits_per_device_and_per_address(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code, screen = await new_workshop(h, "Takt")
    assert h.app.web is not None
    phone = await joined_phone(base, screen)
    try:
        h.app.web.device_limits = Buckets(rate=0.5, burst=3)
        statuses = []
        for _ in range(6):
            await phone.open("/mina")
            statuses.append((await phone.post("/mina/tryck", vote_form(phone)))[0])
        assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses
        assert "För många försök" in text_of(phone.page)
        # Another device behind the same address is limited by the address's own budget.
        h.app.web.device_limits = Buckets(rate=100, burst=100)
        h.app.web.ip_limits = Buckets(rate=0.5, burst=2)
        other = Phone(base)
        try:
            await other.open("/delta")
            fields = other.form("Gå med").fields
            results = [(await other.post("/delta", {**fields, "kod": code}))[0] for _ in range(3)]
            assert results[-1] == 429, results
        finally:
            await other.close()
        assert await votes(h, code) == [4]  # the same answer, pressed again, counted once
    finally:
        await phone.close()


async def test_nothing_a_browser_sends_reaches_another_workshop(site: tuple[LocalHarness, str]) -> None:
    h, base = site
    code_a, screen_a = await new_workshop(h, "Alfa")
    code_b, screen_b = await new_workshop(h, "Beta")
    phone = await joined_phone(base, screen_a)
    try:
        # Workshop A's screen link altered to workshop B's id: forged.
        token = path_of(screen_a).rsplit("/", 1)[1]
        workshop_a = await h.app.service.workshop_by_code(code_a)
        workshop_b = await h.app.service.workshop_by_code(code_b)
        assert token.startswith(f"{workshop_a.id}.")
        forged = f"{workshop_b.id}{token[len(str(workshop_a.id)) :]}"
        status, page = await phone.get(f"/skarm/{forged}")
        assert status == 403 and "Beta" not in page
        # B's screen messages are not reachable with A's link.
        _, feed_b = await phone.get(path_of(screen_b) + "/innehall")
        for message_id in re.findall(r'id="m(\d+)"', feed_b):
            status, _ = await phone.get(f"{path_of(screen_a)}/bild/{message_id}")
            assert status == 404
        # Only the browser commands exist: no facilitator command, no command of the browser's choice.
        fields = phone.form("Visa den öppna omgången").fields
        for name in ("stang", "workshop", "skarm", "delta"):
            status, _ = await phone.post("/mina/kommando", {**fields, "namn": name})
            assert status == 400
        # A press names a button of the browser's own page only: B's round gets nothing.
        await phone.open("/mina")
        status, _ = await phone.post("/mina/tryck", vote_form(phone))
        assert status == 200
        assert await votes(h, code_a) == [4] and await votes(h, code_b) == []
    finally:
        await phone.close()


async def test_pages_ask_for_no_personal_data_and_load_nothing_from_elsewhere(
    site: tuple[LocalHarness, str],
) -> None:
    h, base = site
    _, screen = await new_workshop(h, "Integritet")
    phone = await joined_phone(base, screen)
    try:
        for path in ("/delta", "/mina", path_of(screen)):
            page = await phone.open(path)
            inputs = re.findall(r"<input[^>]*>", page)
            assert all('type="hidden"' in i or 'name="kod"' in i for i in inputs), inputs
            assert not re.search(r"(src|href)=\"https?://(?!127\.0\.0\.1|t\.me)", page)
        async with phone.session.get(base + "/mina") as response:
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        cookie = next(iter(phone.session.cookie_jar))
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
    finally:
        await phone.close()
