"""Claims of a dispatcher process that died on this host are taken over at once by another
process there, not after their 10-minute lease; a live one's claims are left alone."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path

import pytest

from bot.meetings_runner import Dispatcher
from facilitation.meetings import due_time
from tests.test_reminders_dispatch import Clock, RecordingPort, _store, config
from tests.test_reminders_lease import DAY, MEETING, ONE_REMINDER
from tests.waiting import eventually

CLAIMER = textwrap.dedent("""
    import asyncio, sys
    from datetime import datetime
    from bot.meetings_runner import new_worker_id
    from storage.database import create_engine
    from storage.meetings_repository import SqlMeetingStore

    async def main():
        store = SqlMeetingStore(create_engine(sys.argv[1]))
        rows = await store.claim(new_worker_id(), datetime.fromisoformat(sys.argv[2]), 100)
        print(len(rows), flush=True)
        await asyncio.Event().wait()  # a dispatcher busy sending, until it is killed

    asyncio.run(main())
""")


ROOT = Path(__file__).resolve().parent.parent


def has_ended(pid: int) -> bool:
    """Whether the child ``pid`` has ended, without reaping it (it stays a zombie, as the
    dispatcher must handle: the pid is still there, the process is not)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def start_claimer(url: str, now: str) -> subprocess.Popen[str]:
    """Another bot process on this host that claims every due reminder and then hangs."""
    return subprocess.Popen(
        [sys.executable, "-c", CLAIMER, url, now], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


@pytest.fixture
async def url(tmp_path: Path) -> AsyncIterator[str]:
    address = f"sqlite+aiosqlite:///{tmp_path / 'takeover.sqlite3'}"
    store = await _store(address)
    await store.import_config(config(contacts=20, meetings=ONE_REMINDER))
    await store.engine.dispose()
    yield address


async def test_claims_of_a_killed_process_on_this_host_are_taken_over_at_once(url: str) -> None:
    store = await _store(url, migrate=False)
    clock = Clock(due_time(MEETING, DAY).astimezone(UTC))
    port = RecordingPort(clock=clock)
    dispatcher = Dispatcher(store, {"local": port}, None, clock=clock)
    await dispatcher.plan(clock())
    other = start_claimer(url, clock().isoformat())
    try:
        assert other.stdout is not None
        assert (await asyncio.to_thread(other.stdout.readline)).strip() == "20"
        assert (await dispatcher.tick()).sent == 0  # a live process's claims: left alone
        other.send_signal(signal.SIGKILL)  # not reaped yet: a zombie has ended too
        await eventually(lambda: has_ended(other.pid), what="the killed claimer to end")
        result = await dispatcher.tick()  # the same minute: long before the lease runs out
        assert result.sent == 20 and len(port.per_chat()) == 20
    finally:
        other.kill()
        other.wait()
        await store.engine.dispose()
