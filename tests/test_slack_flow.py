"""Whole Slack flows through the real Bolt AsyncApp and slack_sdk client against the loopback stand-in.

Requests are signed like Slack signs them and fed either to ``AsyncApp.async_dispatch`` or, once per
flow that needs it, through Bolt's real aiohttp web app over HTTP. Listeners run after ``ack()``, so
every assertion on follow-up API calls waits for the stand-in to record them.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import App
from bot.slack.runner import LAUNCH_CALLBACK, SlackAdapter
from config.settings import load_settings
from facilitation.model import RoundKind, RoundStatus, Sector
from facilitation.ports import UserRef
from storage.replay_guard import ReplayGuard
from tests.standins.slack_api import RateLimit, SlackStandIn, StoredMessage, sign
from tests.waiting import running_tasks, settled

TOKEN = "xoxb-flow-test"
SECRET = "flow-signing-secret"
FACILITATOR = "UFAC"
CHANNEL = "C1"


@dataclass
class SlackRig:
    """The production wiring (App + SlackAdapter) against a Slack stand-in."""

    api: SlackStandIn
    app: App
    adapter: SlackAdapter
    acks: list[float] = field(default_factory=list)

    async def dispatch(
        self, body: str, *, timestamp: int | None = None, secret: str = SECRET
    ) -> BoltResponse:
        started = time.monotonic()
        response = await self.adapter.app.async_dispatch(
            AsyncBoltRequest(body=body, headers=sign(secret, body, timestamp))
        )
        self.acks.append(time.monotonic() - started)
        return response

    async def command(self, text: str, user: str = FACILITATOR, channel: str = CHANNEL) -> BoltResponse:
        response = await self.dispatch(self.api.slash_command_body("/dialog", text, user, channel))
        assert response.status == 200, response.body
        return response

    async def press(
        self,
        user: str,
        message: StoredMessage,
        value: str,
        *,
        action_id: str | None = None,
        response_url: str | None = None,
    ) -> BoltResponse:
        element = _button_with(message, value)
        kwargs: dict[str, Any] = {"message_ts": message.ts}
        if response_url is not None:
            kwargs["response_url"] = response_url
        body = self.api.block_actions_body(
            user, message.channel, action_id or element["action_id"], value, **kwargs
        )
        response = await self.dispatch(body)
        assert response.status == 200, response.body
        return response

    def message_with(self, needle: str, channel: str = CHANNEL) -> StoredMessage:
        return message_with(self.api, needle, channel)

    async def wait_message(self, needle: str, channel: str = CHANNEL, within: float = 30.0) -> StoredMessage:
        return await wait_for(lambda: message_with(self.api, needle, channel), within)

    async def wait_responses(self, count: int, within: float = 30.0) -> list[dict[str, Any]]:
        await self.api.wait_for_calls("respond", count, within)
        return self.api.responses


class ChatRig(Protocol):
    """What the workshop helpers below need of a rig (this module's, or one over several processes)."""

    api: SlackStandIn

    async def command(self, text: str, user: str = FACILITATOR, channel: str = CHANNEL) -> Any: ...

    async def wait_message(
        self, needle: str, channel: str = CHANNEL, within: float = 30.0
    ) -> StoredMessage: ...


def message_with(api: SlackStandIn, needle: str, channel: str = CHANNEL) -> StoredMessage:
    """The newest message in ``channel`` whose text contains ``needle``."""
    found = [m for m in api.messages_in(channel) if needle in (m.text or "")]
    assert found, f"no message with {needle!r}: {[m.text for m in api.messages_in(channel)]}"
    return found[-1]


def buttons(message: StoredMessage) -> list[dict[str, Any]]:
    return [
        element
        for block in message.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def _button_with(message: StoredMessage, value: str) -> dict[str, Any]:
    for element in buttons(message):
        if element["value"] == value:
            return element
    return {"action_id": "dlg-0-0", "value": value}  # a forged value: no such button was posted


async def wait_for(probe: Callable[[], Any], within: float = 30.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        try:
            return probe()
        except (AssertionError, LookupError):
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.02)


async def settle(api: SlackStandIn, quiet: float = 1.5, within: float = 30.0) -> None:
    """Wait until the stand-in saw no call for ``quiet`` seconds (the listeners are done)."""
    deadline = time.monotonic() + within
    seen, since = len(api.calls), time.monotonic()
    while time.monotonic() - since < quiet:
        await asyncio.sleep(0.05)
        if len(api.calls) != seen:
            seen, since = len(api.calls), time.monotonic()
        assert time.monotonic() < deadline, "the stand-in kept getting calls"


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[SlackRig]:
    async with slack_rig(tmp_path) as running:
        yield running


@asynccontextmanager
async def slack_rig(tmp_path: Path, **extra: Any) -> AsyncIterator[SlackRig]:
    """The Slack adapter over HTTP with a whole App against the stand-in (``extra``: more settings)."""
    async with SlackStandIn(bot_token=TOKEN) as api:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"slack": [FACILITATOR]},
            chart_processes=0,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_base_url=api.base_url,
            **extra,
        )
        app = await App.create(settings)
        adapter = SlackAdapter.build(
            app.conversation, TOKEN, SECRET, base_url=api.base_url, replay_guard=ReplayGuard(app.engine)
        )
        rig = SlackRig(api, app, adapter)
        try:
            yield rig
        finally:
            await adapter.aclose()
            await app.aclose()
        # Every request was acknowledged well within Slack's three seconds.
        assert not rig.acks or max(rig.acks) < 3.0, max(rig.acks)


async def start_workshop(rig: ChatRig, title: str = "Test") -> tuple[StoredMessage, str]:
    await rig.command(f"workshop varmland-2015 {title}")
    created = await rig.wait_message("Anslutningskod")
    code = created.text.split("Anslutningskod: ")[1][:6]  # type: ignore[union-attr]
    await rig.wait_message(f"/delta {code}")
    return created, code


async def launch_barometer(rig: SlackRig, args: str = "", count: int = 7) -> list[StoredMessage]:
    await rig.command(f"barometer {args}".strip())
    await wait_for(lambda: len(statement_messages(rig.api)) == count or _fail("statements not posted yet"))
    return statement_messages(rig.api)


def statement_messages(api: SlackStandIn) -> list[StoredMessage]:
    """The barometer statements posted in the channel (the messages with statement buttons)."""
    return [m for m in api.messages_in(CHANNEL) if any(b["value"].startswith("b.") for b in buttons(m))]


def _fail(reason: str) -> None:
    raise AssertionError(reason)


def ephemerals_to(rig: SlackRig, url: str) -> list[str]:
    return [r.get("text", "") for r in rig.api.responses if r["url"] == url]


# ------------------------------------------------------------------------------------------- 1. a barometer


async def test_barometer_round_with_fifty_participants(rig: SlackRig) -> None:
    created, code = await start_workshop(rig)
    sector_values = [b["value"] for b in buttons(created)]
    assert len(sector_values) == 3
    statements = await launch_barometer(rig)
    assert len(statements) == 7
    tally = rig.message_with("Åsiktsbarometer #")
    workshop = await rig.app.service.workshop_by_code(code)
    round_ = await rig.app.service.open_round_of(workshop.id)
    assert round_ is not None

    rng = random.Random(2015)
    users = [f"U{n:03d}" for n in range(50)]
    expected: dict[str, dict[int, int]] = {u: {} for u in users}
    sectors = {u: rng.randrange(3) for u in users}
    presses: list[tuple[str, StoredMessage, str]] = [(u, created, sector_values[sectors[u]]) for u in users]
    for u in users:
        for position, message in enumerate(statements):
            values = [b["value"] for b in buttons(message)]
            choice = rng.randrange(len(values))
            presses.append((u, message, values[choice]))
            expected[u][position] = choice + 1
    changes = []
    for u in users[::5]:  # ten of them change their mind on statement 1 (and one twice)
        message = statements[0]
        values = [b["value"] for b in buttons(message)]
        choice = expected[u][0] % 5
        changes.append((u, message, values[choice]))
        expected[u][0] = choice + 1
    changes.append((users[0], statements[0], buttons(statements[0])[0]["value"]))
    expected[users[0]][0] = 1

    rig.api.reset()
    before = len(rig.api.responses)
    for start in range(0, len(presses), 40):  # a busy room: 40 presses at once
        await asyncio.gather(*(rig.press(u, m, v) for u, m, v in presses[start : start + 40]))
    for change in changes:  # a change of mind comes after the first answer
        await rig.press(*change)
    total = len(presses) + len(changes)
    await rig.wait_responses(before + total)
    assert all(ack < 3.0 for ack in rig.acks), max(rig.acks)

    # What is stored matches what was pressed, keyed by pseudonym, never by Slack user id.
    keys = {rig.app.pseudonymizer.participant_key("slack", u, workshop.id): u for u in users}
    participants = {p.key: p for p in await rig.app.store.participants(workshop.id)}
    sector_list = (Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN)
    assert {keys[k]: p.sector for k, p in participants.items() if k in keys} == {
        u: sector_list[sectors[u]] for u in users
    }
    item_position = {item.id: item.position for item in round_.items}
    stored: dict[str, dict[int, int]] = {u: {} for u in users}
    for response in await rig.app.store.responses(round_.id):
        assert response.participant_key not in users
        stored[keys[response.participant_key]][item_position[response.item_id]] = response.value
    assert stored == expected
    assert await rig.app.service.turnout(round_.id) == 50
    answers = [r["text"] for r in rig.api.responses[before:]]
    assert all(r.get("response_type") == "ephemeral" for r in rig.api.responses[before:])
    assert sum(a.startswith("Ditt svar:") for a in answers) == len(presses) - 50 + len(changes)
    assert sum(a.startswith("Tack! Du är med i Test") for a in answers) == 50

    # The live tally is coalesced: a few chat.update calls, not one per press.
    await wait_for(lambda: _assert_in("50 har svarat", rig.api.messages[(CHANNEL, tally.ts)].text))
    updates = [c for c in rig.api.calls_to("chat.update") if c.ok]
    assert 1 <= len(updates) <= total // 20, len(updates)
    print(
        f"\n{total} presses: {len(updates)} chat.update calls, slowest ack {max(rig.acks) * 1000:.0f} ms, "
        f"429s so far {rig.api.count_429}"
    )

    # Closing closes the round, gives the tally its final text and posts the results.
    await rig.command("stang")
    await rig.wait_message("är stängd")
    closed = await rig.app.store.round(round_.id)
    assert closed is not None and closed.status == RoundStatus.CLOSED
    await wait_for(lambda: _assert_in("stängd", rig.api.messages[(CHANNEL, tally.ts)].text))

    # A vote after closing changes nothing and is told so.
    url = rig.api.response_url()
    await rig.press(users[1], statements[1], buttons(statements[1])[4]["value"], response_url=url)
    await wait_for(lambda: _assert_in("stängd", " ".join(ephemerals_to(rig, url))))
    assert {
        r.value
        for r in await rig.app.store.responses(round_.id)
        if r.participant_key == rig.app.pseudonymizer.participant_key("slack", users[1], workshop.id)
        and item_position[r.item_id] == 1
    } == {expected[users[1]][1]}

    # The charts go up with files_upload_v2 (getUploadURLExternal, upload, completeUploadExternal).
    await rig.api.wait_for_calls("files.completeUploadExternal", 2, within=60)
    await settle(rig.api, within=60)
    assert "n = 50" in (rig.message_with("n = 50").text or "")
    uploads = [f for f in rig.api.uploaded_files.values() if f.completed]
    assert len(uploads) >= 2
    for upload in uploads:
        assert upload.channel == CHANNEL and upload.filename.endswith(".png")
        assert upload.data is not None and upload.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(rig.api.calls_to("upload")) == len(rig.api.calls_to("files.getUploadURLExternal"))
    assert rig.api.count_429 == 0, [(c.method, c.at) for c in rig.api.calls if c.status == 429]
    assert all(c.ok for c in rig.api.calls), [(c.method, c.error) for c in rig.api.calls if not c.ok]


def _assert_in(needle: str, text: str | None) -> None:
    assert needle in (text or ""), text


# ----------------------------------------------------------------------------- 2. signatures and replays


async def test_bad_signature_and_replay_are_refused(rig: SlackRig) -> None:
    created, _ = await start_workshop(rig)
    await settle(rig.api)
    calls = len(rig.api.calls)
    before = running_tasks()
    body = rig.api.slash_command_body("/dialog", "barometer", FACILITATOR, CHANNEL)
    assert (await rig.dispatch(body, secret="not-the-secret")).status == 401
    old = int(time.time()) - 6 * 60
    assert (await rig.dispatch(body, timestamp=old)).status == 401
    vote = rig.api.block_actions_body(
        "U9", CHANNEL, "dlg-0-0", buttons(created)[0]["value"], message_ts=created.ts
    )
    assert (await rig.dispatch(vote, timestamp=old)).status == 401
    tampered = vote.replace("U9", "U8")
    headers = sign(SECRET, vote)
    response = await rig.adapter.app.async_dispatch(AsyncBoltRequest(body=tampered, headers=headers))
    assert response.status == 401
    await settled(before)  # nothing the refused requests started is still running
    assert len(rig.api.calls) == calls and rig.api.responses == []
    workshop = await rig.app.service.workshops_of(rig.app.conversation.key_in(UserRef("slack", FACILITATOR)))
    assert workshop == [] or all(not await rig.app.store.rounds(w) for w in workshop)
    for user in ("U9", "U8"):
        assert not await rig.app.service.workshops_of(rig.app.conversation.key_in(UserRef("slack", user)))


# --------------------------------------------------------------------------------------- 3. forged values


async def test_forged_button_values_are_refused_in_swedish(rig: SlackRig) -> None:
    await start_workshop(rig)
    statements = await launch_barometer(rig, "1,2", 2)
    good = buttons(statements[0])[0]["value"]
    forged = [
        good.replace(".1~", ".4~"),  # another answer under the old signature
        good.rsplit("~", 1)[0] + "~" + "0" * len(good.rsplit("~", 1)[1]),  # a made-up signature
        "b.1.1.3",  # no signature at all
        "s.1.0~" + good.rsplit("~", 1)[1],  # a sector press signed as something else
        "x" * 300,  # far too long
    ]
    for value in forged:
        url = rig.api.response_url()
        await rig.press("U5", statements[0], value, response_url=url)
        texts = await wait_for(lambda url=url: ephemerals_to(rig, url) or _fail("no answer yet"))
        assert texts == ["Den här knappen är ogiltig eller gammal. Inget ändrades."]
    assert all(
        r["response_type"] == "ephemeral" and r.get("replace_original") is False for r in rig.api.responses
    )
    rounds = await rig.app.store.rounds(1)
    assert await rig.app.store.responses(rounds[0].id) == []
    assert await rig.app.store.participant(1, rig.app.pseudonymizer.participant_key("slack", "U5", 1)) is None


# ----------------------------------------------------------------------------------- 4. non-facilitators


async def test_non_facilitator_is_refused_politely(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    await rig.command("barometer", user="U7")
    refusal = await wait_for(lambda: _refusal(rig, "U7"))
    assert "bara för processledare" in refusal
    await rig.command("ny", user="U7")
    await wait_for(lambda: len(_refusals(rig, "U7")) == 2 or _fail("second refusal missing"))
    await rig.command("stang", user="U7")
    await wait_for(lambda: len(_refusals(rig, "U7")) == 3 or _fail("third refusal missing"))
    await rig.command("workshop varmland-2015 Kupp", user="U7")
    await wait_for(lambda: len(_refusals(rig, "U7")) == 4 or _fail("fourth refusal missing"))
    await settle(rig.api)
    assert rig.api.opened_views == []
    assert await rig.app.store.rounds(1) == []
    assert await rig.app.store.workshop(2) is None
    assert not [m for m in rig.api.messages_in(CHANNEL) if "Kupp" in (m.text or "")]


def _refusals(rig: SlackRig, user: str) -> list[str]:
    """Refusals shown to ``user`` alone (ephemeral messages or answers on a response_url)."""
    texts = [e["text"] for e in rig.api.ephemerals if e["user"] == user]
    texts += [r.get("text", "") for r in rig.api.responses if r.get("response_type") == "ephemeral"]
    assert not [
        m.text
        for m in rig.api.messages_in(CHANNEL)
        if "processledare" in (m.text or "") or "facilitators only" in (m.text or "")
    ]
    return [text for text in texts if "processledare" in text or "facilitators only" in text]


def _refusal(rig: SlackRig, user: str) -> str:
    found = _refusals(rig, user)
    assert found, "no refusal yet"
    return found[-1]


# --------------------------------------------------------------------------------------- 5. launch modal


async def _open_modal(rig: SlackRig) -> dict[str, Any]:
    await rig.command("ny")
    [call] = await rig.api.wait_for_calls("views.open")
    assert call.ok, call.error
    return rig.api.opened_views[-1]


def _submission(
    rig: SlackRig,
    view: dict[str, Any],
    kind: str,
    *,
    statements: list[str] = (),  # type: ignore[assignment]
    principles: list[str] = (),
    typed: str | None = None,
    user: str = FACILITATOR,
    deadline: str | None = None,
) -> str:  # type: ignore[assignment]
    """A view_submission of the launch modal as Slack sends it (options picked by value; an empty
    optional text field is sent as ``value: null``, as Slack does)."""
    blocks = {b["block_id"]: b for b in view["blocks"]}

    def picked(block_id: str, values: list[str]) -> dict[str, Any]:
        element = blocks[block_id]["element"]
        return {
            block_id: {
                "type": element["type"],
                "selected_options": [o for o in element["options"] if o["value"] in values],
            }
        }

    kind_option = next(o for o in blocks["kind"]["element"]["options"] if o["value"] == kind)
    return rig.api.view_submission_body(
        user,
        LAUNCH_CALLBACK,
        {
            "kind": {"kind": {"type": "static_select", "selected_option": kind_option}},
            "statements": picked("statements", list(statements)),
            "principles": picked("principles", list(principles)),
            "typed": {"typed": {"type": "plain_text_input", "value": typed}},
            "deadline": {"deadline": {"type": "plain_text_input", "value": deadline}},
        },
        private_metadata=view["private_metadata"],
    )


async def _errors_of(rig: SlackRig, body: str) -> dict[str, str]:
    response = await rig.dispatch(body)
    assert response.status == 200 and response.body, response.body
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors", answer
    return answer["errors"]


async def test_launch_modal_offers_statements_and_principles_apart(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    view = await _open_modal(rig)
    assert view["type"] == "modal" and view["callback_id"] == LAUNCH_CALLBACK
    assert view["title"]["text"] == "Starta omgång"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == ["kind", "statements", "principles", "typed", "deadline"]
    process = rig.app.processes["varmland-2015"]
    assert [o["value"] for o in blocks["statements"]["element"]["options"]] == [
        s.key for s in process.statements
    ]
    assert [o["value"] for o in blocks["principles"]["element"]["options"]] == [
        p.key for p in process.principles
    ]
    assert blocks["principles"]["element"]["type"] == "multi_static_select"  # 14 principles: more than 10
    assert blocks["kind"]["element"]["initial_option"]["value"] == RoundKind.BAROMETER.value


async def test_launch_modal_refuses_items_of_the_wrong_kind_in_the_open_modal(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    view = await _open_modal(rig)
    barometer, ranking = RoundKind.BAROMETER.value, RoundKind.RANKING.value

    # Principles for a barometer, statements for a ranking, nothing at all: a field error each, in Swedish.
    errors = await _errors_of(rig, _submission(rig, view, barometer, principles=["dialog", "kvalitet"]))
    assert errors == {
        "principles": "En åsiktsbarometer använder påståenden, inte principer. "
        "Välj påståenden eller byt övning."
    }
    errors = await _errors_of(
        rig, _submission(rig, view, ranking, statements=["tillfora"], principles=["dialog"])
    )
    assert list(errors) == ["statements"] and "använder principer, inte påståenden" in errors["statements"]
    errors = await _errors_of(rig, _submission(rig, view, barometer))
    assert errors == {"statements": "Välj minst en punkt i listan eller skriv egna."}
    # A refusal from the core (a typed duplicate) also stays in the modal.
    errors = await _errors_of(rig, _submission(rig, view, barometer, typed="Samma\nSamma"))
    assert list(errors) == ["kind"] and errors["kind"]
    # Typed items with characters nobody sees (a NUL byte failed on PostgreSQL with HTTP 500, a
    # right-to-left override reads backwards in the room): refused under the typed field.
    for typed in ("Tema ett\x00\nTema två", "\u202eavt ameT", "Tema\u200b tre"):
        errors = await _errors_of(rig, _submission(rig, view, barometer, typed=typed))
        assert errors == {
            "typed": "Texten innehåller tecken som inte syns (styrtecken, nollbreddstecken eller "
            "tecken som vänder skrivriktningen). Skriv den utan dem. Inget ändrades."
        }
    # Someone who is not a facilitator submitting (a forwarded view): refused in the modal.
    errors = await _errors_of(rig, _submission(rig, view, barometer, statements=["tillfora"], user="U7"))
    assert "bara för processledare" in errors["kind"]
    # In English for a user who chose English.
    await rig.command("sprak en")
    errors = await _errors_of(rig, _submission(rig, view, barometer, principles=["dialog"]))
    assert errors == {
        "principles": "An opinion barometer uses statements, not principles. "
        "Choose statements or another exercise."
    }
    await settle(rig.api, quiet=0.5)
    assert await rig.app.store.rounds(1) == []
    assert not statement_messages(rig.api)


@pytest.mark.postgres
async def test_characters_nobody_sees_are_refused_on_postgres_not_an_http_500(
    pg_database: str, tmp_path: Path
) -> None:
    """A NUL byte in a title or a typed item reached PostgreSQL (which refuses it in text) and the
    modal's submission was answered HTTP 500; now it is refused before anything is stored."""
    async with slack_rig(tmp_path, database_url=pg_database) as rig:
        await rig.command("workshop varmland-2015 Dialog\x00möte")
        refused = str(await wait_for(lambda: rig.api.responses[-1]))
        assert "tecken som inte syns" in refused and "Inget ändrades" in refused, refused
        assert await rig.app.store.workshop(1) is None
        await start_workshop(rig, "Dialogmöte")
        await settle(rig.api)
        view = await _open_modal(rig)
        for typed in ("Tema ett\x00\nTema två", "\u202eavt ameT"):
            errors = await _errors_of(rig, _submission(rig, view, RoundKind.BAROMETER.value, typed=typed))
            assert list(errors) == ["typed"] and "tecken som inte syns" in errors["typed"]
        workshop = await rig.app.store.workshop(1)
        assert workshop is not None and workshop.title == "Dialogmöte"
        assert await rig.app.store.rounds(workshop.id) == []


async def test_launch_modal_submission_launches_the_chosen_round(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    view = await _open_modal(rig)
    body = _submission(
        rig,
        view,
        RoundKind.BAROMETER.value,
        statements=["tillfora", "kostnad"],
        typed="Vi möts oftare än förr\n\n",
    )
    response = await rig.dispatch(body)
    assert response.status == 200 and not response.body
    await wait_for(lambda: len(statement_messages(rig.api)) == 3 or _fail("statements not posted yet"))
    [round_] = await rig.app.store.rounds(1)
    assert round_.status == RoundStatus.OPEN and round_.kind == RoundKind.BAROMETER
    process = rig.app.processes["varmland-2015"]
    texts = {s.key: s.text for s in process.statements}
    assert [(i.text, i.ref_key) for i in round_.items] == [
        (texts["tillfora"], "tillfora"),
        (texts["kostnad"], "kostnad"),
        ("Vi möts oftare än förr", "egen-1"),
    ]
    # While it is open, a second launch is refused in the modal, not after it closed.
    errors = await _errors_of(rig, _submission(rig, view, RoundKind.RANKING.value, principles=["dialog"]))
    assert list(errors) == ["kind"]
    assert len(await rig.app.store.rounds(1)) == 1


async def test_launch_modal_submission_launches_a_ranking_of_chosen_principles(rig: SlackRig) -> None:
    await start_workshop(rig)
    await settle(rig.api)
    view = await _open_modal(rig)
    body = _submission(rig, view, RoundKind.RANKING.value, principles=["dialog", "kvalitet", "mangfald"])
    posted = len(rig.api.calls_to("chat.postMessage"))
    assert not (await rig.dispatch(body)).body
    await wait_for(
        lambda: len(rig.api.calls_to("chat.postMessage")) > posted or _fail("round not posted yet")
    )
    await settle(rig.api, quiet=0.5)
    [round_] = await rig.app.store.rounds(1)
    assert round_.kind == RoundKind.RANKING and round_.status == RoundStatus.OPEN
    assert [i.ref_key for i in round_.items] == ["dialog", "kvalitet", "mangfald"]
    assert round_.settings.get("top_k") == 3


async def test_launch_modal_for_an_unbound_channel_explains(rig: SlackRig) -> None:
    await rig.command("ny", channel="C2")
    found = await wait_for(lambda: rig.api.responses or _fail("no ephemeral answer yet"))
    assert found[0]["response_type"] == "ephemeral" and "inte kopplad" in found[0]["text"]
    assert rig.api.opened_views == [] and rig.api.messages_in("C2") == []


# ------------------------------------------------------------------------------------------ 6. App Home


async def test_app_home_shows_the_users_workshops_open_rounds_and_meetings(rig: SlackRig) -> None:
    from facilitation.meetings import parse_meetings
    from facilitation.meetings.chat import installed_store

    created, _ = await start_workshop(rig, "Höstträff")
    await launch_barometer(rig, "1", 1)
    await rig.press("U3", created, buttons(created)[1]["value"])
    await rig.wait_responses(1)
    meetings = installed_store(rig.app.conversation)
    assert meetings is not None
    await meetings.import_config(
        parse_meetings(
            {
                "signatories": [
                    {
                        "key": "region",
                        "name": "Region Värmland",
                        "contacts": [{"key": "kontakt", "name": "Kontakt", "slack": "U3"}],
                    }
                ],
                "meetings": [
                    {
                        "key": "dialogmote",
                        "title": "Årligt dialogmöte",
                        "start": "2031-03-11T10:00",
                        "place": "Karlstad",
                    }
                ],
            },
            "test.toml",
            "varmland-2015",
        )
    )

    async def home_of(user: str) -> dict[str, Any]:
        before = len(rig.api.calls_to("views.publish"))
        body = rig.api.event_body(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user}",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
        )
        assert (await rig.dispatch(body)).status == 200
        await rig.api.wait_for_calls("views.publish", before + 1)
        assert rig.api.calls_to("views.publish")[-1].ok
        return rig.api.published_views[user]

    view = await home_of("U3")
    assert view["type"] == "home"
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] in ("section", "header")]
    assert texts[:2] == ["Dialogbot", "*Dina workshoppar*"]
    assert texts[2] == (
        "*Höstträff*\n• Öppen: Åsiktsbarometer #1 – Åsiktsbarometer – Värmland (0 har svarat)"
    )
    assert texts[3].startswith("*Kommande dialogmöten*\n• Årligt dialogmöte: ")
    assert texts[3].endswith("tisdag 11 mars 2031 kl. 10.00–13.00")
    assert "U3" not in json.dumps(view)  # nothing in it names anybody

    # Someone who joined nothing and is nobody's contact: a plain note, no meetings.
    view = await home_of("U4")
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert texts == ["*Dina workshoppar*", "Du är inte med i någon workshop ännu."]

    # In English for a user who chose English; a closed round is no longer listed as open.
    await rig.command("sprak en", user="U3")
    await rig.command("stang")
    await rig.wait_message("är stängd")
    view = await home_of("U3")
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert texts[0] == "*Your workshops*" and texts[1] == "*Höstträff*\nNo open round right now."
    assert texts[2].startswith("*Upcoming dialogue meetings*\n• Årligt dialogmöte: ")


# --------------------------------------------------------------------------------------------- 7. English


async def test_english_user_gets_english_refusals(rig: SlackRig) -> None:
    await start_workshop(rig)
    statements = await launch_barometer(rig, "1", 1)
    await rig.command("sprak en", user="U6")
    await wait_for(lambda: _any_text(rig, "English"))
    await rig.command("stang", user="U6")
    await wait_for(lambda: _refusal(rig, "U6"))
    assert "facilitators only" in _refusal(rig, "U6")
    url = rig.api.response_url()
    forged = buttons(statements[0])[0]["value"].replace(".1~", ".2~")
    await rig.press("U6", statements[0], forged, response_url=url)
    texts = await wait_for(lambda: ephemerals_to(rig, url) or _fail("no answer yet"))
    assert "invalid" in texts[0].lower() or "old" in texts[0].lower(), texts


def _any_text(rig: SlackRig, needle: str) -> bool:
    texts = (
        [m.text or "" for m in rig.api.messages_in(CHANNEL)]
        + [e["text"] for e in rig.api.ephemerals]
        + [r.get("text", "") for r in rig.api.responses]
    )
    assert any(needle in text for text in texts), texts
    return True


async def test_direct_message_text_gets_the_participant_help(rig: SlackRig) -> None:
    body = rig.api.event_body(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "U2",
            "text": "hej",
            "ts": "1700000001.000100",
        }
    )
    assert (await rig.dispatch(body)).status == 200
    message = await wait_for(lambda: rig.api.messages_in("D1")[0])
    assert "/delta" in (message.text or "")
    own = rig.api.event_body(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "UBOT",
            "bot_id": "BBOT",
            "text": "svar",
            "ts": "1700000002.000100",
        }
    )
    before = running_tasks()
    await rig.dispatch(own)
    await settled(before)  # its handling is over: the bot's own message got no answer
    assert len(rig.api.messages_in("D1")) == 1


# ------------------------------------------------------------------------------------------ file uploads


async def test_port_uploads_charts_and_exports_with_files_upload_v2(rig: SlackRig) -> None:
    from facilitation.ports import Attachment, ChatRef

    chat = ChatRef("slack", CHANNEL)
    png = await rig.app.conversation.renderer.render(_heavy_chart)
    ref = await rig.adapter.port.send_image(chat, png, "Åsiktsbarometer – alla svar", "barometer.png")
    csv = Attachment("svar.csv", "påstående;värde\n1;5\n".encode(), "text/csv", "Export")
    await rig.adapter.port.send_file(chat, csv)
    assert [c.method for c in rig.api.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ] * 2
    image, export = rig.api.uploaded_files.values()
    assert ref.message_id == image.file_id
    assert (image.filename, image.data, image.channel, image.completed) == (
        "barometer.png",
        png,
        CHANNEL,
        True,
    )
    assert image.initial_comment == "Åsiktsbarometer – alla svar"
    assert export.data == csv.data and export.channel == CHANNEL


async def test_the_workshop_report_goes_up_as_a_pdf_with_files_upload_v2(rig: SlackRig) -> None:
    """The report (/rapport) of a real workshop through the port: one PDF upload, whole."""
    from bench.report import demo_workshop
    from facilitation.model import Language
    from facilitation.ports import ChatRef
    from facilitation.report.command import report_pdf

    conv, workshop = await demo_workshop(rig.app.conversation.renderer, rounds=1, people=12)
    report = await report_pdf(conv, conv.exercises, workshop, Language.SV)
    await rig.adapter.port.send_file(ChatRef("slack", CHANNEL), report)
    [upload] = rig.api.uploaded_files.values()
    assert (upload.filename, upload.data, upload.channel, upload.completed) == (
        f"rapport-{workshop.id}.pdf",
        report.data,
        CHANNEL,
        True,
    )
    assert upload.data is not None and upload.data.startswith(b"%PDF")


async def test_a_429_is_retried_and_nothing_is_lost(tmp_path: Path) -> None:
    """Slack's workspace-wide limits can still answer 429: the client's retry handler waits it out."""
    tight = {"chat.postMessage": RateLimit(1, 1.0, burst=1)}
    async with SlackStandIn(bot_token=TOKEN, rate_limits=tight, retry_after=1) as api:
        settings = load_settings(
            None,
            env={},
            env_file=None,
            data_dir=tmp_path,
            facilitators={"slack": [FACILITATOR]},
            chart_processes=0,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_base_url=api.base_url,
        )
        app = await App.create(settings)
        try:
            adapter = SlackAdapter.build(app.conversation, TOKEN, SECRET, base_url=api.base_url)
            from facilitation.ports import ChatRef

            sent = await asyncio.gather(
                *(adapter.port.send_text(ChatRef("slack", f"C{n}"), f"hej {n}") for n in range(3))
            )
            assert api.count_429 >= 1
            assert sorted(m.text for m in api.messages.values()) == ["hej 0", "hej 1", "hej 2"]
            assert len({ref.message_id for ref in sent}) == 3
        finally:
            await app.aclose()


async def test_a_429_on_chat_update_and_uploads_is_waited_out(rig: SlackRig) -> None:
    """chat.update and files.* answered 429 with Retry-After: the port's call waits, retries, succeeds once."""
    from facilitation.ports import Attachment, ChatRef, MessageRef

    chat = ChatRef("slack", CHANNEL)
    message = await rig.adapter.port.send_text(chat, "Åsiktsbarometer: 0 har svarat")
    rig.api.throttle_next("chat.update", retry_after=1)
    await rig.adapter.port.edit_message(MessageRef(chat, message.message_id), "Åsiktsbarometer: 1 har svarat")
    updates = rig.api.calls_to("chat.update")
    assert [c.status for c in updates] == [429, 200] and updates[1].at - updates[0].at >= 1.0
    stored = rig.api.messages[(CHANNEL, message.message_id)]
    assert (stored.text, stored.edits) == ("Åsiktsbarometer: 1 har svarat", 1)

    rig.api.throttle_next("files.completeUploadExternal", retry_after=1)
    await rig.adapter.port.send_file(chat, Attachment("svar.csv", b"a;b\n1;2\n", "text/csv", "Export"))
    assert [c.status for c in rig.api.calls_to("files.completeUploadExternal")] == [429, 200]
    [upload] = rig.api.uploaded_files.values()
    assert upload.completed and upload.channel == CHANNEL and upload.data == b"a;b\n1;2\n"


async def test_answers_to_presses_reuse_one_http_session(rig: SlackRig) -> None:
    """Every API call and response_url answer goes through one keep-alive session, not one per vote."""
    created, _ = await start_workshop(rig)
    await settle(rig.api, quiet=0.5)
    for n in range(12):
        await rig.press(f"UR{n:02d}", created, buttons(created)[n % 3]["value"])
        await rig.wait_responses(n + 1)
    connections = {c.connection for c in rig.api.calls}
    assert None not in connections
    assert len({c.connection for c in rig.api.calls_to("respond")}) == 1
    assert len(connections) <= 3, len(connections)  # a few pooled connections for everything


# ------------------------------------------------------------------------------------- HTTP and ack times


@pytest.fixture
async def http(rig: SlackRig) -> AsyncIterator[Callable[[str], Awaitable[tuple[int, float]]]]:
    runner = web.AppRunner(rig.adapter.app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    async with aiohttp.ClientSession() as session:

        async def post(body: str, timestamp: int | None = None) -> tuple[int, float]:
            started = time.monotonic()
            async with session.post(
                url, data=body.encode(), headers=sign(SECRET, body, timestamp)
            ) as response:
                await response.read()
                return response.status, time.monotonic() - started

        yield post
    await runner.cleanup()


async def test_http_path_acks_votes_within_three_seconds_while_charts_render(
    rig: SlackRig, http: Callable[[str], Awaitable[tuple[int, float]]]
) -> None:
    status, _ = await http(
        rig.api.slash_command_body("/dialog", "workshop varmland-2015 Http", FACILITATOR, CHANNEL)
    )
    assert status == 200
    created = await rig.wait_message("Anslutningskod")
    code = created.text.split("Anslutningskod: ")[1][:6]  # type: ignore[union-attr]
    statements = await launch_barometer(rig)
    users = [f"UH{n:02d}" for n in range(12)]
    for u in users:
        status, _ = await http(
            rig.api.block_actions_body(
                u, CHANNEL, "dlg-0-0", buttons(created)[0]["value"], message_ts=created.ts
            )
        )
        assert status == 200
        for message in statements:
            value = random.choice(buttons(message))["value"]
            status, _ = await http(
                rig.api.block_actions_body(u, CHANNEL, "dlg-0-1", value, message_ts=message.ts)
            )
            assert status == 200
    await rig.wait_responses(len(users) * 8)

    # Bad signature and replay over HTTP as well.
    body = rig.api.slash_command_body("/dialog", "stang", FACILITATOR, CHANNEL)
    assert (await http(body, int(time.time()) - 301))[0] == 401

    # Votes while charts render: the renderer's worker is busy, the event loop acking votes is not.
    rendering: list[tuple[float, float]] = []

    async def render() -> None:
        for _ in range(3):
            started = time.monotonic()
            png = await rig.app.conversation.renderer.render(_heavy_chart)
            rendering.append((started, time.monotonic()))
            assert png[:4] == b"\x89PNG"

    renders = asyncio.create_task(render())
    during: list[tuple[float, float]] = []
    voters = iter(f"UV{n:03d}" for n in range(1000))
    while not renders.done():
        sent = time.monotonic()
        status, took = await http(
            rig.api.block_actions_body(
                next(voters),
                CHANNEL,
                "dlg-0-0",
                buttons(statements[0])[2]["value"],
                message_ts=statements[0].ts,
            )
        )
        assert status == 200
        during.append((sent, took))
        await asyncio.sleep(0.02)
    await renders
    overlapping = sorted(
        took for sent, took in during if any(start <= sent and sent + took <= end for start, end in rendering)
    )
    assert len(overlapping) >= 3, (rendering, during)
    assert max(took for _, took in during) < 3.0
    print(
        f"\nHTTP vote acks while charts rendered: n={len(overlapping)} max={overlapping[-1] * 1000:.0f} ms "
        f"median={overlapping[len(overlapping) // 2] * 1000:.0f} ms; "
        f"renders {[round(end - start, 2) for start, end in rendering]} s"
    )
    await rig.wait_responses(len(users) * 8 + len(during))
    await settle(rig.api)
    workshop = await rig.app.service.workshop_by_code(code)
    round_ = await rig.app.service.open_round_of(workshop.id)
    assert round_ is not None
    assert await rig.app.service.turnout(round_.id) == len(users) + len(during)


def _heavy_chart() -> Any:
    """A chart about as heavy as a results chart with sector splits (module level: picklable)."""
    from facilitation.charting import new_figure

    fig = new_figure(16, 10, dpi=150)
    rng = random.Random(1)
    for index in range(6):
        ax = fig.add_subplot(2, 3, index + 1)
        ax.barh([f"Påstående {i} – åäö" for i in range(20)], [rng.random() for _ in range(20)])
        ax.set_title("Åsiktsbarometer")
    return fig
