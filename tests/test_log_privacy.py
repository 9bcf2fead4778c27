"""The privacy rule holds in both log formats: no id, name, address or token in any line.

A Telegram workshop runs through the real adapter (polling the Bot API stand-in) with our loggers
at INFO and the bot's own handler set up as ``dialogbot run`` sets it (``configure_logging``),
once as text and once as JSON lines. People with recognisable ids, names and usernames join
and vote, and a library error quoting the bot token is logged; nothing of it reaches either log.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from bot.cli import configure_logging
from bot.redaction import log_formatter
from bot.telegram.runner import telegram_running
from tests.harness import running_app
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _deep_link, _markups, _until

TOKEN = "7654321098:AAH-logprivacy-token-secret-part-xyz"
FACILITATOR = 610000001
PARTICIPANT = 620000002
GROUP = -1006300000003
NAMES = ("Gunilla", "Hemligsson", "gunilla_h", "Facilitatorn", "Ledarsson")

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")


@pytest.mark.parametrize("kind", ["text", "json"])
async def test_no_id_name_or_token_in_either_log_format(kind: str, tmp_path: Path) -> None:
    configure_logging(verbose=True)  # our loggers at INFO, chatty libraries at WARNING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter(kind))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with (
            TelegramStandIn(token=TOKEN) as api,
            running_app(
                tmp_path,
                telegram_token=TOKEN,
                telegram_api_base_url=api.root_url,
                facilitators={"telegram": [str(FACILITATOR)]},
            ) as app,
            telegram_running(app),
        ):
            api.message_update(
                FACILITATOR,
                GROUP,
                "/workshop varmland-2015 Logg",
                first_name="Facilitatorn",
                last_name="Ledarsson",
                chat_title="Gruppen",
                push=True,
            )
            link = await _until(api, lambda: _deep_link(api, GROUP))
            code = link.rsplit("=", 1)[-1]
            api.message_update(
                PARTICIPANT,
                PARTICIPANT,
                f"/start {code}",
                first_name="Gunilla",
                last_name="Hemligsson",
                username="gunilla_h",
                push=True,
            )
            api.message_update(FACILITATOR, GROUP, "/barometer 1", first_name="Facilitatorn", push=True)
            _message, buttons = (await _until(api, lambda: _markups(api, GROUP, "b")))[0]
            api.push_update(
                api.callback_update(
                    PARTICIPANT, GROUP, _message, buttons[0], first_name="Gunilla", username="gunilla_h"
                )
            )
            api.message_update(PARTICIPANT, GROUP, "/stang", first_name="Gunilla", push=True)  # refused
            await _until(api, lambda: len([c for c in api.calls_to("answerCallbackQuery")]) >= 1)
            await _until(
                api,
                lambda: (
                    any(
                        "rocessledare" in (m.text or "")
                        for m in api.sent_messages(GROUP)
                        if m.text and "/stang" not in m.text
                    )
                    or None
                ),
            )
            try:
                raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
            except ConnectionError:
                logging.getLogger("bot.telegram.runner").exception("a library quoting its URL")
    finally:
        root.removeHandler(handler)
    output = stream.getvalue()
    assert "Telegram adapter running" in output  # the log was written (INFO lines of ours)
    forbidden = [
        str(FACILITATOR),
        str(PARTICIPANT),
        str(GROUP),
        str(GROUP)[4:],
        TOKEN,
        TOKEN.split(":")[1],
        *NAMES,
    ]
    assert [word for word in forbidden if word in output] == []
    if kind == "json":
        entries = [json.loads(line) for line in output.splitlines()]
        assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
        assert any("exception" in e and "[hidden]" in e["exception"] for e in entries)
    else:
        assert "[hidden]" in output and not output.lstrip().startswith("{")
