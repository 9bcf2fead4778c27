"""Data at rest: the data directory is the bot's alone, and the secret can live elsewhere.

The modes are checked on what the real ``dialogbot run`` process writes under the usual umask
of 022 (which left the database, its write-ahead log and the charts world-readable).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import load_settings
from storage.database import create_engine
from tests.waiting import eventually_sync

ROOT = Path(__file__).resolve().parent.parent
SECRET = "a-secret-kept-apart-0123456789"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_running_bot_keeps_its_data_directory_and_files_to_itself(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = tmp_path / "script.txt"
    script.write_text(
        "/workshop varmland-2015 Filer\n/barometer 1\n:sim 12\n/stang\n/export\n:vänta 60\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
    env.update(DIALOGBOT_DATA_DIR=str(data), DIALOGBOT_CHART_PROCESSES="0", PYTHONPATH=str(ROOT))
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--script", str(script)],
        cwd=tmp_path,
        env=env,
        umask=0o022,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        charts = data / "charts"

        def exported() -> bool:  # the export is the script's last output
            assert bot.poll() is None, bot.stderr.read().decode() if bot.stderr else ""
            return bool(list(charts.glob("*.xlsx")))

        eventually_sync(exported, within=60, what="the export to be written")
        database = data / "dialogbot.sqlite3"
        written = [
            database,
            data / "dialogbot.sqlite3-wal",
            data / "dialogbot.sqlite3-shm",
            data / "secret.key",
            *charts.iterdir(),
        ]
        assert len(written) >= 4 + 3 + 2  # database, WAL, shared memory, secret; 3 charts, CSV and XLSX
        assert {path.name: oct(mode(path)) for path in written} == {path.name: "0o600" for path in written}
        assert oct(mode(data)) == oct(mode(charts)) == "0o700"
    finally:
        bot.terminate()
        bot.wait(30)


async def test_an_older_world_readable_database_and_its_wal_are_made_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    old_umask = os.umask(0o022)
    try:  # as an earlier version left them: 0644, with the write-ahead log still there
        older = sqlite3.connect(database)
        older.execute("PRAGMA journal_mode=WAL")
        older.execute("CREATE TABLE t (x)")
        older.execute("INSERT INTO t VALUES (1)")
        older.commit()
    finally:
        os.umask(old_umask)
    wal, shm = tmp_path / "old.sqlite3-wal", tmp_path / "old.sqlite3-shm"
    assert mode(database) == mode(wal) == mode(shm) == 0o644
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        assert mode(database) == mode(wal) == mode(shm) == 0o600
    finally:
        await engine.dispose()
        older.close()


def test_a_new_database_directory_is_owner_only(tmp_path: Path) -> None:
    create_engine(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'deeper' / 'bot.sqlite3'}")
    assert mode(tmp_path / "new" / "deeper") == 0o700


def test_the_secret_can_be_kept_apart_from_the_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    secret_file = tmp_path / "credentials" / "dialogbot-secret"
    secret_file.parent.mkdir()
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    env = {"DIALOGBOT_DATA_DIR": str(data)}

    from_file = load_settings(None, env={**env, "DIALOGBOT_SECRET_FILE": str(secret_file)}, env_file=None)
    from_env = load_settings(None, env={**env, "DIALOGBOT_SECRET": SECRET}, env_file=None)
    assert from_file.secret == from_env.secret == SECRET
    assert not (data / "secret.key").exists()  # nothing in the data directory links keys to people

    with pytest.raises(ConfigError, match="either secret or secret_file"):
        load_settings(
            None,
            env={**env, "DIALOGBOT_SECRET": SECRET, "DIALOGBOT_SECRET_FILE": str(secret_file)},
            env_file=None,
        )
    with pytest.raises(ConfigError, match=r"missing-secret: secret_file: cannot read the secret"):
        load_settings(
            None, env={**env, "DIALOGBOT_SECRET_FILE": str(tmp_path / "missing-secret")}, env_file=None
        )
    secret_file.write_text("short\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="shorter than 16 characters"):
        load_settings(None, env={**env, "DIALOGBOT_SECRET_FILE": str(secret_file)}, env_file=None)
    assert not data.exists()
