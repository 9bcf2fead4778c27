"""Text as Slack really handles it: typed text arrives escaped, and what the bot sends is read for
``<…>`` control sequences (mentions, links). Plain text is stored; Slack sees it escaped, Telegram
as typed; ``<!channel>`` in a title never becomes a mention. A command in a channel the bot is not
in is answered through its response_url, with how to add the bot.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from facilitation.ports import ChatRef
from tests.harness import until
from tests.rooms_rig import (
    SLACK_FACILITATOR,
    SLACK_SECRET,
    TG_GROUP,
    Rooms,
    statements,
    tg_statement,
    with_process,
)
from tests.rooms_rig import rooms as rooms  # the rig's fixtures
from tests.rooms_rig import rooms_speed as rooms_speed
from tests.standins.slack_api import displayed, sign

TYPED_TITLE = "A & B <x> <!channel>"
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
REGION = "Väst & Norr <!here>"
STATEMENT = "Vi & de <@U0BOSS> ska samarbeta <https://example.org|här> > 3"
PRINCIPLE = "Öppenhet & <insyn>"
PROCESS = f'''
[process]
key = "tecken"
name = "Tecken & <!everyone>"
region = "{REGION}"
scale_steps = 5

[[principles]]
key = "oppenhet"
name = "{PRINCIPLE}"

[[principles]]
key = "dialog"
name = "Dialog"

[[statements]]
key = "samarbete"
text = "{STATEMENT}"
'''


@pytest.fixture
def rooms_settings(tmp_path: Path) -> dict[str, Any]:
    return with_process(tmp_path, "tecken.toml", PROCESS, min_group_size=2)


async def _slack(rooms: Rooms, text: str, channel: str, user: str = SLACK_FACILITATOR) -> None:
    await rooms.slack_command(text, channel, user)


def _slack_seen(rooms: Rooms, channel: str) -> str:
    """Everything a user sees in ``channel`` (message texts and blocks, decoded as Slack shows them)."""
    seen = []
    for message in rooms.slack.messages_in(channel):
        seen.append(displayed(message.text or ""))
        for block in message.blocks or []:
            if block["type"] == "section":
                seen.append(displayed(block["text"]["text"]))
            for element in block.get("elements", []):
                seen.append(displayed(element["text"]["text"]))
    return "\n".join(seen)


async def test_typed_text_round_trips_and_no_title_becomes_a_mention(rooms: Rooms) -> None:
    slack = rooms.slack
    # Typed in Slack (the stand-in escapes it as Slack does), stored as typed.
    await _slack(rooms, f"workshop tecken {TYPED_TITLE}", "C1")
    created = await until(lambda: [m for m in slack.messages_in("C1") if "Anslutningskod" in (m.text or "")])
    code = displayed(created[0].text or "").split("Anslutningskod: ")[1][:6]
    workshop = await rooms.app.service.workshop_by_code(code)
    assert workshop.title == TYPED_TITLE
    assert TYPED_TITLE in _slack_seen(rooms, "C1")

    # The Telegram room of the same workshop shows it as typed (no entities).
    await rooms.tg_command(f"/delta {code}")
    await until(lambda: any(TYPED_TITLE in t for t in rooms.tg_texts()))
    assert not any("&amp;" in t or "&lt;" in t for t in rooms.tg_texts())

    # A round whose title and statement carry control characters, in both rooms.
    await _slack(rooms, "barometer", "C1")
    await until(lambda: statements(slack.messages_in("C1")) and rooms.tg_texts())
    await until(lambda: any(STATEMENT in t for t in rooms.tg_texts()))
    assert STATEMENT in _slack_seen(rooms, "C1") and f"Åsiktsbarometer – {REGION}" in _slack_seen(rooms, "C1")
    message, data = tg_statement(rooms, TG_GROUP)
    for person in range(6):
        await rooms.tg_update(rooms.tg.callback_update(300 + person, TG_GROUP, message.message_id, data))

    # App Home of a Slack participant.
    await _slack(rooms, f"delta {code}", "DU5", user="U5")
    await until(lambda: TYPED_TITLE in _slack_seen(rooms, "DU5"))
    await rooms.slack_adapter.app.async_dispatch(_home_opened(rooms, "U5"))
    home = await until(lambda: slack.published_views.get("U5"))
    assert TYPED_TITLE in "\n".join(displayed(b["text"]["text"]) for b in home["blocks"] if "text" in b)

    # An ephemeral answer quoting what was typed.
    await _slack(rooms, "delta <!here>&x", "C1", user="U6")
    refusal = await until(lambda: [r for r in slack.responses if "<!here>&x" in displayed(r.get("text", ""))])
    assert refusal[0]["response_type"] == "ephemeral"

    # Results with charts and an export: captions, file titles and descriptions.
    await _slack(rooms, "stang", "C1")
    await until(lambda: [f for f in slack.uploaded_files.values() if f.completed and f.channel == "C1"])
    await _slack(rooms, "export", "C1")
    await until(
        lambda: [f for f in slack.uploaded_files.values() if f.completed and f.filename.endswith(".xlsx")]
    )
    charts = [f for f in slack.uploaded_files.values() if f.completed and f.filename.endswith(".png")]
    assert any(f"Åsiktsbarometer – {REGION}" in displayed(f.initial_comment or "") for f in charts)
    # each chart's alt_txt is its one-line summary in words (issue 17), not a copy of the caption
    assert all(f.alt_txt and "\n" not in f.alt_txt for f in charts)
    assert all(displayed(f.alt_txt or "").startswith(("Staplar:", "Påståenden där")) for f in charts)

    # Nothing the bot sent anywhere was a mention or a link: every < > & was escaped.
    assert slack.mentions == []


async def test_a_principle_with_control_characters_on_a_button(rooms: Rooms) -> None:
    await _slack(rooms, "workshop tecken Knappar", "C1")
    await until(lambda: any("Anslutningskod" in (m.text or "") for m in rooms.slack.messages_in("C1")))
    await _slack(rooms, "markera", "C1")
    labels = await until(
        lambda: [
            displayed(e["text"]["text"])
            for m in rooms.slack.messages_in("C1")
            for b in m.blocks or []
            if b["type"] == "actions"
            for e in b["elements"]
            if e["value"].startswith("pa.")
        ]
    )
    assert any(PRINCIPLE in label for label in labels), labels
    assert rooms.slack.mentions == []


async def test_a_command_in_a_channel_the_bot_is_not_in_is_answered_privately(rooms: Rooms) -> None:
    slack = rooms.slack
    slack.remove_bot("C9")
    await _slack(rooms, "hjalp", "C9")
    [answer] = await until(
        lambda: [r for r in slack.responses if "inte med i den här kanalen" in r.get("text", "")]
    )
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].endswith(
        "Lägg till mig med /invite @dialogbot i kanalen och skicka kommandot igen."
    )
    assert slack.messages_in("C9") == []
    assert not [c for c in slack.calls if c.method == "chat.postEphemeral" and c.ok]


@pytest.mark.parametrize("lost", ["remove_bot", "delete_channel"])  # a public / a private channel
async def test_a_workshop_started_where_the_bot_is_not_leaves_no_room_and_says_how_to_finish(
    rooms: Rooms, lost: str
) -> None:
    """The workshop exists (its code is in the private answer) but the channel is not bound to it:
    nothing will be posted where nobody can see it. Once the bot is added, /dialog delta binds it."""
    slack = rooms.slack
    getattr(slack, lost)("G9")
    await _slack(rooms, "workshop tecken Utanför & inne", "G9")
    [answer] = await until(lambda: [r for r in slack.responses if "Utanför" in r.get("text", "")])
    code = answer["text"].split("(kod ")[1][:6]
    workshop = await rooms.app.service.workshop_by_code(code)
    assert answer["response_type"] == "ephemeral"
    assert displayed(answer["text"]) == (
        f"Workshopen Utanför & inne finns (kod {code}), men jag är inte med i den här kanalen och kan inte "
        f"skriva här, så kanalen är inte med i workshopen. När jag är med: skriv /dialog delta {code} här, så "
        "blir den workshopens rum. Lägg till mig med /invite @dialogbot i kanalen."
    )
    assert await rooms.room_keys(code) == []
    chat_key = rooms.app.conversation.pseudonymizer.chat_key("slack", "G9")
    assert await rooms.app.store.bound_workshop(chat_key) is None
    assert slack.messages_in("G9") == []

    slack.lost_channels.pop("G9")  # /invite @dialogbot
    await _slack(rooms, f"delta {code}", "G9")
    await until(lambda: any("Välkommen till" in t for t in rooms.slack_texts("G9")))
    assert await rooms.room_keys(code) == [("slack", "G9")]
    assert await rooms.app.store.bound_workshop(chat_key) == workshop.id
    assert len(slack.responses) == 1  # no warning this time


async def test_a_room_whose_channel_was_archived_is_unbound_by_its_next_command(rooms: Rooms) -> None:
    await _slack(rooms, "workshop tecken Gemensam", "C1")
    created = await until(lambda: [t for t in rooms.slack_texts("C1") if "Anslutningskod" in t])
    code = created[0].split("Anslutningskod: ")[1][:6]
    await rooms.join_slack(code, "C2")
    rooms.slack.archive_channel("C1")
    await _slack(rooms, "hjalp", "C1", "U5")  # anyone; the bot cannot answer in the room
    [answer] = await until(lambda: [r for r in rooms.slack.responses if "arkiverad" in r.get("text", "")])
    assert answer["text"] == (
        f"Workshopen Gemensam finns (kod {code}), men jag kan inte skriva här (kanalen är "
        "arkiverad), så det här rummet är inte med i workshopen."
    )
    assert await rooms.room_keys(code) == [("slack", "C2")]


def _home_opened(rooms: Rooms, user: str) -> AsyncBoltRequest:
    body = rooms.slack.event_body(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": f"D{user}",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
    )
    return AsyncBoltRequest(body=body, headers=sign(SLACK_SECRET, body))


async def test_a_used_up_response_url_falls_back_to_an_ephemeral_post(rooms: Rooms) -> None:
    """Slack takes five answers on one response_url (within 30 minutes); the sixth goes another way."""
    slack, port = rooms.slack, rooms.slack_adapter.port
    url = slack.response_url()
    chat = ChatRef("slack", "C1", workspace=slack.team_id)
    for n in range(6):
        await port.tell(chat, "U7", f"svar {n} <!channel>", url)
    assert [r["text"] for r in slack.responses] == [f"svar {n} &lt;!channel&gt;" for n in range(5)]
    assert [c.error for c in slack.calls_to("respond")][-1] == "used_url"
    [ephemeral] = slack.ephemerals
    assert ephemeral["user"] == "U7" and displayed(ephemeral["text"]) == "svar 5 <!channel>"
    assert slack.mentions == []
