"""Process files re-read without a restart: on a change (the running bot's timer), on
``dialogbot processes reload``, with start-up's precise errors; a broken file never removes a
working process."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path

import pytest

from bot.people_runner import _watch, people_running, timers_for
from config.catalogue import load_processes
from config.process_reload import ProcessReloader
from tests.harness import LocalHarness, until

SOURCE = Path(__file__).resolve().parents[1] / "config" / "processes" / "varmland-2015.toml"
KEY = "varmland-2015"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(SOURCE, folder / "varmland.toml")
    return folder


def _rename(path: Path, name: str) -> None:
    """Give the process another name (and move the file's mtime on, as an editor's save does)."""
    text = path.read_text(encoding="utf-8")
    start = text.index('name = "', text.index("[process]")) + len('name = "')
    path.write_text(text[:start] + name + text[text.index('"', start) :], encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_change_replaces_a_broken_file_keeps_a_new_file_adds(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    processes = load_processes(folder)
    reloader = ProcessReloader(folder, processes)
    assert reloader.check() is None  # nothing changed
    _rename(folder / "varmland.toml", "Värmland, andra upplagan")
    done = reloader.check()
    assert done is not None and done.replaced == [KEY] and not done.problems
    assert processes[KEY].name == "Värmland, andra upplagan"
    # A broken file: the same precise error as at start-up, and the working process stays.
    good = processes[KEY]
    (folder / "varmland.toml").write_text("[process\nkey = 1\n", encoding="utf-8")
    done = reloader.check()
    assert done is not None and processes[KEY] is good
    [problem] = done.problems
    assert (
        problem.startswith(f"{folder / 'varmland.toml'}: line 1") and "keeps its earlier version" in problem
    )
    # A file defining a key another file has: refused, the first stays.
    shutil.copy(SOURCE, folder / "copy.toml")
    done = reloader.check()
    assert done is not None and any("is already defined in" in p for p in done.problems)
    # A new process is added.
    (folder / "copy.toml").write_text(
        SOURCE.read_text(encoding="utf-8").replace(f'key = "{KEY}"', 'key = "kalmar-2026"', 1),
        encoding="utf-8",
    )
    done = reloader.check()
    assert done is not None and done.added == ["kalmar-2026"] and set(processes) == {KEY, "kalmar-2026"}
    # A deleted file keeps its process until the next start (a workshop of it may be running).
    (folder / "copy.toml").unlink()
    reloader.check()
    assert "kalmar-2026" in processes


async def test_a_running_bot_picks_up_a_change_and_logs_a_broken_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder(tmp_path)
    h = await LocalHarness.start(tmp_path / "bot", processes_dir=folder)
    try:
        async with people_running(h.app, interval=0.1):
            _rename(folder / "varmland.toml", "Nytt namn")
            await until(lambda: h.app.service.processes[KEY].name == "Nytt namn", within=10)
            assert h.app.conversation.processes[KEY].name == "Nytt namn"
            with caplog.at_level(logging.ERROR, logger="config.process_reload"):
                (folder / "varmland.toml").write_text("[process]\nkey = 'varmland-2015'\n", encoding="utf-8")
                await until(
                    lambda: any("process files:" in r.getMessage() for r in caplog.records), within=10
                )
            [line] = [r.getMessage() for r in caplog.records if "process files:" in r.getMessage()]
            assert "varmland.toml" in line and "process.name" in line and "keeps its earlier version" in line
            assert h.app.service.processes[KEY].name == "Nytt namn"  # the bot goes on with the working one
            # The administrators (configured facilitators) are told in their private chat, in one sentence.
            await until(
                lambda: any("En processfil kunde inte läsas om" in line for line in h.output), within=10
            )
            [told] = [line for line in h.output if "En processfil kunde inte läsas om" in line]
            assert "varmland.toml" in told and "process.name" in told
            out = await h.run("/workshop varmland-2015 Efter omladdning")
            assert any("Anslutningskod" in line for line in out)
    finally:
        await h.close()


def test_the_cli_checks_every_file_and_tells_the_running_bots(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path)
    monkeypatch.setenv("DIALOGBOT_PROCESSES_DIR", str(folder))
    code, out, err = cli("processes", "reload")
    assert code == 0 and f"{folder / 'varmland.toml'}: ok – {KEY}" in out and not err
    marker = tmp_path / "data" / "processes.reload"
    assert marker.exists()
    (folder / "broken.toml").write_text("[process]\nkey = 'x'\nname = 'X'\n", encoding="utf-8")
    code, out, err = cli("processes", "reload")
    assert code == 2
    assert f"{folder / 'broken.toml'}" in err and "a process needs at least one principle or statement" in err
    assert "Traceback" not in err


RENAMED = "Överenskommelsen Värmland – regionalt arbete"


def _same_size_and_time(path: Path, old: str, new: str) -> None:
    """Change ``old`` to ``new`` (as long) in ``path`` and keep its mtime and size, as a tool
    copying files with their times does: this host's file watch cannot see that change."""
    assert len(old.encode()) == len(new.encode())
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.postgres
async def test_a_reload_asked_on_one_host_reaches_every_process_on_the_database(
    tmp_path: Path, pg_database: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bot processes on one PostgreSQL, as on two hosts: each its own data directory and its
    own copy of the process files. ``dialogbot processes reload`` on host A makes host B re-read
    its files too, and a broken file found by both is told to the facilitators once."""
    hosts = {name: tmp_path / name for name in ("a", "b")}
    for host in hosts.values():
        host.mkdir()
    folders = {name: _folder(host) for name, host in hosts.items()}
    bots = [
        await LocalHarness.start(host / "data", processes_dir=folders[name], database_url=pg_database)
        for name, host in hosts.items()
    ]
    try:
        timers = [timers_for(bot.app) for bot in bots]
        for timer in timers:
            await timer.prime()
        assert [await timer.poll() for timer in timers] == [None, None]
        for folder in folders.values():
            _same_size_and_time(folder / "varmland.toml", "– regional process", "– regionalt arbete")
        assert [await timer.poll() for timer in timers] == [None, None]  # no host saw a change

        monkeypatch.setenv("DIALOGBOT_PROCESSES_DIR", str(folders["a"]))
        monkeypatch.setenv("DIALOGBOT_DATABASE_URL", pg_database)
        code, out, err = await asyncio.to_thread(cli, "processes", "reload")  # a command, no event loop
        assert code == 0 and "every host sharing the database" in out, err
        outcomes = [await timer.poll() for timer in timers]
        assert all(o is not None and o.replaced == [KEY] for o in outcomes), outcomes
        assert [bot.app.service.processes[KEY].name for bot in bots] == [RENAMED] * 2
        assert [await timer.poll() for timer in timers] == [None, None]  # once per request

        for folder in folders.values():  # broken on both hosts, unseen by their file watch
            _same_size_and_time(folder / "varmland.toml", "[[principles]]", "[[principlez]]")
        code, _, err = await asyncio.to_thread(cli, "processes", "reload")
        assert code == 2 and "varmland.toml" in err
        for bot, timer in zip(bots, timers, strict=True):
            await _watch(timer, bot.app)
        told = [[line for line in bot.output if "En processfil kunde inte läsas om" in line] for bot in bots]
        assert sorted(len(lines) for lines in told) == [0, 1], told  # one process tells, once
        assert [bot.app.service.processes[KEY].name for bot in bots] == [RENAMED] * 2  # kept
    finally:
        for bot in bots:
            await bot.close()
