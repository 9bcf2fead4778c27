"""Results arrive whole on every platform: long texts in several messages, captions within
Telegram's 1024 characters, answer keyboards of at most 8 buttons a row.

Through the real python-telegram-bot and slack_sdk clients against the stand-ins, which refuse a
text over 4096 characters, a caption over 1024, a row of more than 8 buttons, a Slack section
over 3000 characters, more than 50 blocks and blocks whose texts exceed 12,000 characters.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from bot.slack.port import SlackLimits, SlackPort
from bot.telegram.port import MAX_CAPTION, TelegramPort
from facilitation.exercises import Post
from facilitation.model import Language, RoundKind, Sector
from facilitation.ports import ChatRef
from tests.harness import until
from tests.rooms_rig import (  # the rig's fixture; this module overrides rooms_settings and rooms_speed
    SLACK_TOKEN,
    TG_GROUP,
    TG_TOKEN,
    Rooms,
    rooms,  # noqa: F401
)
from tests.standins.slack_api import SlackStandIn
from tests.standins.telegram_api import TelegramStandIn

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

STATEMENTS = 30
PRINCIPLES = 14


def long_process(directory: Path) -> Path:
    """A process with 30 statements of about 130 characters and 14 principles with long names."""
    directory.mkdir()
    lines = [
        "[process]",
        'key = "lang"',
        'name = "Lång process"',
        'region = "Testlän"',
        "scale_steps = 5",
        "",
    ]
    for n in range(1, PRINCIPLES + 1):
        lines += [
            "[[principles]]",
            f'key = "p{n}"',
            f'name = "Princip {n:02d}: långsiktiga villkor och dialog mellan sektorerna i länet"',
            "",
        ]
    for n in range(1, STATEMENTS + 1):
        text = (
            f"Påstående {n:02d}: överenskommelsen följs upp varje år i kommunerna, med dialog, insyn och "
            f"långsiktiga villkor för de idéburna i länet"
        )
        assert 125 <= len(text) <= 135
        lines += ["[[statements]]", f'key = "s{n}"', f'text = "{text}"', ""]
    (directory / "lang.toml").write_text("\n".join(lines), encoding="utf-8")
    return directory


@pytest.fixture
def rooms_settings(tmp_path: Path) -> dict[str, object]:
    """The rig runs the long process."""
    return {"processes_dir": long_process(tmp_path / "processes")}


@pytest.fixture
def rooms_speed() -> float:
    """Thirty statements are thirty messages: the platforms' pacing, twenty times faster."""
    return 20.0


async def _answer_everything(rig: Rooms, code: str) -> None:
    """Twelve people (six per sector, above the minimum group size) answer the open round."""
    service = rig.app.service
    workshop = await service.workshop_by_code(code)
    round_ = await service.open_round_of(workshop.id)
    assert round_ is not None
    for person in range(12):
        key = f"person-{person}"
        await service.join(workshop.id, key, sector=Sector.IDEBUREN if person % 2 else Sector.OFFENTLIG)
        if round_.kind == RoundKind.BAROMETER:
            for item in round_.items:
                await service.answer(round_.id, item.id, key, 1 + (person + item.position) % 5)
        else:
            order = sorted(round_.items, key=lambda i: (i.position * 7 + person) % len(round_.items))
            await service.submit_ballot(round_.id, key, {item.id: rank for rank, item in enumerate(order, 1)})


async def _expected_lines(rig: Rooms, code: str) -> list[str]:
    """Every line of the closed round's result texts, as the exercise writes them."""
    workshop = await rig.app.service.workshop_by_code(code)
    round_ = max(await rig.app.store.rounds(workshop.id), key=lambda r: r.id)
    outputs = await rig.app.conversation.exercises[round_.kind].results(
        rig.app.conversation, round_, Language.SV
    )
    return [
        line
        for output in outputs
        if isinstance(output, Post)
        for line in output.text.split("\n")
        if line.strip()
    ]


def _slack_text(rig: Rooms, channel: str) -> str:
    sections = [
        b["text"]["text"]
        for m in rig.slack.messages_in(channel)
        for b in m.blocks or []
        if b["type"] == "section"
    ]
    return html.unescape("\n".join(sections))


@pytest.mark.parametrize("command", ["/barometer", "/rangordna"])
async def test_long_results_arrive_whole_in_telegram_and_slack(rooms: Rooms, command: str) -> None:  # noqa: F811
    await rooms.tg_command("/workshop lang Lång workshop", chat_title="Karlstad")
    code = next(t for t in rooms.tg_texts() if "Anslutningskod" in t).split("Anslutningskod: ")[1][:6]
    await rooms.join_slack(code, "C1")
    await rooms.tg_command(command)
    await _answer_everything(rooms, code)

    await rooms.tg_command("/stang")
    await until(lambda: [f for f in rooms.slack.uploaded_files.values() if f.completed])

    expected = await _expected_lines(rooms, code)
    assert sum(map(len, expected)) > 4096 or command == "/rangordna"
    telegram = "\n".join(rooms.tg_texts())
    slack = _slack_text(rooms, "C1")
    for line in expected:
        assert line in telegram, line
        assert line in slack, line
    refused = [c for c in rooms.tg.calls if c.status != 200] + [c for c in rooms.slack.calls if not c.ok]
    assert refused == []


async def test_eleven_steps_wrap_into_rows_of_at_most_eight(rooms: Rooms) -> None:  # noqa: F811
    await rooms.tg_command("/workshop lang Skala", chat_title="Karlstad")
    await rooms.tg_command("/barometer 1 steg=11")
    statement = next(
        m for m in rooms.tg.sent_messages(TG_GROUP) if m.text and m.text.startswith("1. Påstående")
    )
    rows = statement.reply_markup["inline_keyboard"]  # type: ignore[index]
    assert [len(row) for row in rows] == [6, 5]
    assert [b["text"].split()[0] for row in rows for b in row] == [str(v) for v in range(1, 12)]


@pytest.fixture
async def telegram_port() -> AsyncIterator[tuple[TelegramStandIn, TelegramPort]]:
    async with TelegramStandIn(token=TG_TOKEN) as api, Bot(TG_TOKEN, base_url=api.base_url) as bot:
        yield api, TelegramPort(bot)


async def test_a_long_chart_caption_keeps_whole_lines_and_the_rest_follows_as_text(
    telegram_port: tuple[TelegramStandIn, TelegramPort],
) -> None:
    api, port = telegram_port
    caption = "\n".join(f"Rad {n}: " + "ä" * 90 for n in range(1, 21))  # 20 lines, ~2000 characters
    await port.send_image(ChatRef("telegram", str(TG_GROUP)), b"\x89PNG", caption, "chart.png")
    photo, rest = api.sent_messages(TG_GROUP)
    assert photo.kind == "photo" and len(photo.caption or "") <= MAX_CAPTION
    assert photo.caption and photo.caption.endswith("ä")  # whole lines only
    assert f"{photo.caption}\n{rest.text}" == caption


async def test_a_slack_text_too_long_for_one_message_is_posted_as_several() -> None:
    async with SlackStandIn(bot_token=SLACK_TOKEN, rate_limiting=False) as api:
        port = SlackPort(
            AsyncWebClient(token=SLACK_TOKEN, base_url=api.base_url), limits=SlackLimits().faster(20)
        )
        lines = [f"{n}. " + "<&>" * 40 + "ö" * 200 for n in range(1, 120)]  # ~40,000 characters escaped
        message = await port.send_text(ChatRef("slack", "C1"), "\n".join(lines))
        posted = api.messages_in("C1")
        assert len(posted) > 3 and message.message_id == posted[-1].ts
        texts = [b["text"]["text"] for m in posted for b in m.blocks or [] if b["type"] == "section"]
        assert html.unescape("\n".join(texts)).split("\n") == lines
        assert all(c.ok for c in api.calls)
