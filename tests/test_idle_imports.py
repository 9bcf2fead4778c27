"""An idle Telegram bot on SQLite does not load libraries it only needs once something happens.

Issue 19's idle-memory target (< 100 MiB, ``bench/round_close.py``): calendar files (icalendar,
dateutil), Slack's SDK, the projector's QR code (segno), PostgreSQL's SQL dialect and
cryptography (sealed addresses; python-telegram-bot's optional Passport support) are loaded
where they are first used, not at start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NOT_AT_START = (
    "icalendar",
    "dateutil",
    "slack_sdk",
    "slack_bolt",
    "segno",
    "cryptography",
    "sqlalchemy.dialects.postgresql",
    "matplotlib",
)


def _run(script: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
    out = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_started_telegram_bot_on_sqlite_has_not_loaded_what_it_does_not_use_yet(tmp_path: Path) -> None:
    """What a Telegram bot imports (its runner, the app with its web pages, metrics and meetings)
    and what starting the app on SQLite loads, on a restart (the first start migrates the database
    with Alembic, which loads every dialect); then sealing an address loads cryptography."""
    script = f"""
import asyncio, sys
from pathlib import Path
import bot.runner, bot.telegram.runner, bot.web.server, bot.metrics, bot.meetings_cli, facilitation.meetings
from tests.harness import LocalHarness

async def main(folder):
    h = await LocalHarness.start(folder)
    await h.run("/workshop varmland-2015 Tomgång", "/hjalp")
    loaded = [m for m in {NOT_AT_START!r} if m in sys.modules]
    from telegram._passport.credentials import CRYPTO_INSTALLED
    from facilitation.people.reach import Address, Sealer
    sealer = Sealer("s" * 40)
    tag = sealer.tag("key")
    opened = sealer.open(sealer.seal(Address("telegram", "1", "2"), 7, tag), 7, tag)
    await h.close()
    print(loaded, CRYPTO_INSTALLED, opened is not None and opened.chat_id == "2", "cryptography" in sys.modules)

asyncio.run(main(Path(sys.argv[1])))
"""
    _run(script, str(tmp_path))  # creates the database
    assert _run(script, str(tmp_path)) == "[] False True True"


def test_a_calendar_file_and_a_rule_still_load_their_libraries_when_used() -> None:
    script = """
import sys
from datetime import UTC, datetime, timedelta
from facilitation.meetings import Meeting, meeting_ics, next_occurrence
meeting = Meeting(process_key="p", key="m", title="Dialogmöte", start=datetime(2027, 3, 4, 12, tzinfo=UTC),
                  duration=timedelta(hours=2), rrule="FREQ=YEARLY")
before = "icalendar" in sys.modules or "dateutil" in sys.modules
nxt = next_occurrence(meeting, datetime(2027, 3, 5, tzinfo=UTC))
ics = meeting_ics(meeting, meeting.start)
print(before, nxt.year, b"BEGIN:VEVENT" in ics)
"""
    assert _run(script) == "False 2028 True"
