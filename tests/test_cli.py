"""The command line's answers to an administrator: clear errors, and looking never changes anything."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def dialogbot(
    *args: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path / "data"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def test_db_current_does_not_create_the_database(tmp_path: Path) -> None:
    result = dialogbot("db", "current", tmp_path=tmp_path)
    assert result.returncode == 1 and "empty" in result.stdout
    assert not (tmp_path / "data" / "dialogbot.sqlite3").exists()
    upgraded = dialogbot("db", "upgrade", tmp_path=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    current = dialogbot("db", "current", tmp_path=tmp_path)
    assert current.returncode == 0 and "newest" in current.stdout


def test_bad_settings_are_reported_without_a_traceback(tmp_path: Path) -> None:
    result = dialogbot("config", "check", tmp_path=tmp_path, env={"DIALOGBOT_DATABASE_URL": "mysql://x/y"})
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "database_url" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
def test_unmigrated_postgres_is_a_clear_error(tmp_path: Path, pg_server: str) -> None:
    import asyncpg

    from tests.conftest import _plain, in_thread

    name = f"dialogbot_cli_{uuid.uuid4().hex[:10]}"

    async def sql(statement: str) -> None:
        connection = await asyncpg.connect(_plain(pg_server))
        await connection.execute(statement)
        await connection.close()

    in_thread(lambda: sql(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{pg_server.rsplit('/', 1)[0]}/{name}"
        result = dialogbot("--database-url", url, "run", "--script", os.devnull, tmp_path=tmp_path)
        assert result.returncode == 2 and "dialogbot db upgrade" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        in_thread(lambda: sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize(
    ("env", "settings"),
    [
        ({"DIALOGBOT_SLACK_BOT_TOKEN": "xoxb-1"}, ["slack_signing_secret"]),
        (
            {"DIALOGBOT_TELEGRAM_TOKEN": "1:x", "DIALOGBOT_TELEGRAM_MODE": "webhook"},
            ["telegram_webhook_secret"],
        ),
        (
            {
                "DIALOGBOT_SLACK_BOT_TOKEN": "xoxb-1",
                "DIALOGBOT_TELEGRAM_TOKEN": "1:x",
                "DIALOGBOT_TELEGRAM_MODE": "webhook",
            },
            ["telegram_webhook_secret", "slack_signing_secret"],
        ),
    ],
)
def test_config_check_names_a_missing_platform_secret(
    tmp_path: Path, env: dict[str, str], settings: list[str]
) -> None:
    result = dialogbot("config", "check", tmp_path=tmp_path, env=env)
    assert result.returncode == 2 and "settings ok" not in result.stdout
    assert [line.split(": ")[2] for line in result.stderr.splitlines()] == settings
    assert "Traceback" not in result.stderr


def test_config_check_accepts_the_modes_that_need_no_secret(tmp_path: Path) -> None:
    socket_mode = {
        "DIALOGBOT_SLACK_BOT_TOKEN": "xoxb-1",
        "DIALOGBOT_SLACK_APP_TOKEN": "xapp-1",
        "DIALOGBOT_TELEGRAM_TOKEN": "1:x",
    }  # Socket Mode and polling reach out, nobody calls in
    result = dialogbot("config", "check", tmp_path=tmp_path, env=socket_mode)
    assert result.returncode == 0 and "settings ok" in result.stdout, result.stderr


def test_run_refuses_slack_over_http_without_a_signing_secret(tmp_path: Path) -> None:
    result = dialogbot("run", tmp_path=tmp_path, env={"DIALOGBOT_SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [paragraph] = result.stderr.splitlines()
    assert paragraph.startswith("configuration error: settings: slack_signing_secret: ")
    assert "Signing Secret" in paragraph and "slack_app_token" in paragraph
    assert not (tmp_path / "data" / "dialogbot.sqlite3").exists()  # refused before the database was opened


UNOPENABLE = """
[process]
key = "dubbel"
name = "Två principer med samma namn"

[[principles]]
key = "dialog"
name = "Dialog"

[[principles]]
key = "dialog2"
name = "Dialog "
"""


def test_a_process_file_that_could_never_open_a_round_is_refused(tmp_path: Path) -> None:
    """It loaded, was listed as fine, and every prioritisation of it failed (two equal items)."""
    folder = tmp_path / "processer"
    folder.mkdir()
    (folder / "dubbel.toml").write_text(UNOPENABLE, encoding="utf-8")
    checked = dialogbot("processes", str(folder / "dubbel.toml"), tmp_path=tmp_path)
    in_config = dialogbot("config", "check", tmp_path=tmp_path, env={"DIALOGBOT_PROCESSES_DIR": str(folder)})
    for result in (checked, in_config):
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "dubbel.toml: principles: two have the same name 'Dialog'" in result.stderr, result.stderr
        assert "settings ok" not in result.stdout


def test_a_guessable_webhook_secret_is_refused_with_the_minimum_and_why(tmp_path: Path) -> None:
    env = {
        "DIALOGBOT_TELEGRAM_TOKEN": "1:x",
        "DIALOGBOT_TELEGRAM_MODE": "webhook",
        "DIALOGBOT_TELEGRAM_WEBHOOK_SECRET": "x",
    }
    for command in (["config", "check"], ["run"]):
        result = dialogbot(*command, tmp_path=tmp_path, env=env)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "telegram_webhook_secret" in result.stderr and "16 to 256 characters" in result.stderr
        assert "a short secret can be guessed" in result.stderr and "'x'" not in result.stderr  # never echoed
    assert not (tmp_path / "data" / "dialogbot.sqlite3").exists()
