"""An operator never sees a traceback: the real ``dialogbot`` command, driven as a subprocess.

Every refusal is one paragraph on stderr that names the setting, file or line and the fix, the
exit code is non-zero, and nothing is created or changed. Read-only commands create nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import free_port
from tests.standins.slack_api import SlackStandIn
from tests.standins.telegram_api import TelegramStandIn

ROOT = Path(__file__).resolve().parent.parent
DIALOGBOT = Path(sys.executable).with_name("dialogbot")  # the console script pip installed
MEETINGS = ROOT / "config" / "meetings" / "varmland-2015.toml"


def dialogbot(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``dialogbot ARGS`` in ``cwd`` with no DIALOGBOT_* variables but ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
    return subprocess.run(
        [str(DIALOGBOT), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**environ, **(env or {})},
        input=stdin,
        timeout=timeout,
    )


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The one-paragraph refusal on stderr, after checking the exit code and the needles."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    message = result.stderr.strip()
    assert message and "\n\n" not in message and len(message.splitlines()) <= 3, message
    for needle in needles:
        assert needle in message, message
    assert "settings ok" not in result.stdout
    return message


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


# --- the database ---------------------------------------------------------------------------------
def test_unreachable_postgres_is_one_paragraph_for_every_command(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://dialogbot:pw-never-shown@127.0.0.1:{free_port()}/dialogbot"
    for args in (
        ["run", "--script", os.devnull],
        ["config", "check"],
        ["db", "current"],
        ["db", "upgrade"],
        ["meetings", "list"],
        ["reminders", "status"],
        ["signatories", "list"],
    ):
        result = dialogbot(*args, cwd=tmp_path, env={"DIALOGBOT_DATABASE_URL": url})
        message = refused(result, "database_url", "127.0.0.1", "PostgreSQL")
        assert "pw-never-shown" not in message
    assert files_under(tmp_path) == []


@pytest.mark.postgres
def test_a_missing_postgres_role_or_database_says_how_to_create_it(tmp_path: Path, pg_server: str) -> None:
    host = pg_server.split("@", 1)[1].rsplit("/", 1)[0]
    role = f"dialogbot_nobody_{uuid.uuid4().hex[:8]}"
    result = dialogbot(
        "run",
        "--script",
        os.devnull,
        cwd=tmp_path,
        env={"DIALOGBOT_DATABASE_URL": f"postgresql+asyncpg://{role}@{host}/dialogbot"},
    )
    refused(result, "database_url", f'role "{role}" does not exist', "createuser")
    database = f"dialogbot_missing_{uuid.uuid4().hex[:8]}"
    result = dialogbot(
        "config",
        "check",
        cwd=tmp_path,
        env={"DIALOGBOT_DATABASE_URL": f"postgresql+asyncpg://postgres@{host}/{database}"},
    )
    refused(result, "database_url", f'database "{database}" does not exist', "createdb")
    assert files_under(tmp_path) == []


@pytest.mark.postgres
def test_config_check_connects_and_says_settings_ok_only_then(tmp_path: Path, pg_database: str) -> None:
    result = dialogbot("config", "check", cwd=tmp_path, env={"DIALOGBOT_DATABASE_URL": pg_database})
    assert result.returncode == 0 and "settings ok" in result.stdout, result.stderr
    assert "connected" in result.stdout


def test_an_unwritable_sqlite_path_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "not-a-dir").write_text("a file where a directory should be", encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'not-a-dir' / 'db' / 'dialogbot.sqlite3'}"
    for args in (
        ["run", "--script", os.devnull],
        ["config", "check"],
        ["db", "upgrade"],
        ["reminders", "import", str(MEETINGS)],
    ):
        result = dialogbot(
            "--data-dir", str(tmp_path / "data"), *args, cwd=tmp_path, env={"DIALOGBOT_DATABASE_URL": url}
        )
        refused(result, "database_url", "not-a-dir")
    assert files_under(tmp_path) == ["not-a-dir"]


# --- the meetings files ---------------------------------------------------------------------------
def _meetings_dir(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "meetings"
    folder.mkdir()
    (folder / "m.toml").write_text(MEETINGS.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return folder


def test_an_impossible_rrule_is_refused_by_check_list_and_run(tmp_path: Path) -> None:
    folder = _meetings_dir(tmp_path, "BYMONTH=3", "BYMONTH=13")
    env = {"DIALOGBOT_MEETINGS_DIR": str(folder)}
    work = tmp_path / "work"
    work.mkdir()
    for args in (["config", "check"], ["meetings", "list"], ["run", "--script", os.devnull]):
        refused(dialogbot(*args, cwd=work, env=env), "m.toml", "[[meetings]][0].rrule", "BYMONTH=13")
    assert files_under(work) == []


def test_a_meeting_for_an_unknown_process_is_refused_at_check_and_import(tmp_path: Path) -> None:
    folder = _meetings_dir(tmp_path, 'key = "varmland-2015"', 'key = "varmland-2051"')
    work = tmp_path / "work"
    work.mkdir()
    result = dialogbot("reminders", "import", str(folder / "m.toml"), cwd=work)
    refused(result, "m.toml", "process.key", "varmland-2051", "varmland-2015")
    assert files_under(work) == []
    for args in (["config", "check"], ["run", "--script", os.devnull]):
        refused(
            dialogbot(*args, cwd=work, env={"DIALOGBOT_MEETINGS_DIR": str(folder)}), "m.toml", "varmland-2051"
        )
    assert files_under(work) == []


# --- the local mode -------------------------------------------------------------------------------
def test_bad_local_mode_lines_get_a_usage_line_and_the_session_goes_on(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text(
        ":sim abc\n:\n:vänta x\n:sim -3\n/workshop varmland-2015 Efter felen\n", encoding="utf-8"
    )
    result = dialogbot("--data-dir", str(tmp_path / "data"), "run", "--script", str(script), cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.count("Användning: :sim N") == 2
    assert "Användning: :vänta S" in result.stdout
    assert "Anslutningskod" in result.stdout  # the line after the mistakes still ran


def test_a_missing_script_or_an_unwritable_out_folder_is_refused_before_starting(tmp_path: Path) -> None:
    refused(
        dialogbot("--data-dir", "data", "run", "--script", "nope.txt", cwd=tmp_path), "--script", "nope.txt"
    )
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    script = tmp_path / "s.txt"
    script.write_text("/workshop varmland-2015 X\n/barometer\n:sim 10\n/stang\n", encoding="utf-8")
    result = dialogbot(
        "--data-dir", "data", "run", "--script", str(script), "--out", "a-file/charts", cwd=tmp_path
    )
    refused(result, "--out", "a-file/charts")
    assert files_under(tmp_path) == ["a-file", "s.txt"]


# --- Telegram start-up ----------------------------------------------------------------------------
@pytest.fixture
def telegram_api() -> Iterator[TelegramStandIn]:
    api = TelegramStandIn(token="123456:THE-RIGHT-token").start_in_thread()
    try:
        yield api
    finally:
        api.stop_thread()


WRONG_TOKEN = "654321:AAH-wrong-token-that-must-never-be-printed"


def test_a_refused_telegram_token_is_named_and_never_printed(
    tmp_path: Path, telegram_api: TelegramStandIn
) -> None:
    env = {"DIALOGBOT_TELEGRAM_TOKEN": WRONG_TOKEN, "DIALOGBOT_TELEGRAM_API_BASE_URL": telegram_api.root_url}
    result = dialogbot("--data-dir", "data", "-v", "run", cwd=tmp_path, env=env)
    message = refused(result, "telegram_token", "401")
    assert WRONG_TOKEN not in result.stdout + result.stderr and "wrong-token" not in message
    assert telegram_api.calls_to("getMe")  # it really asked Telegram


def test_an_unreachable_telegram_api_is_one_paragraph_without_the_token(tmp_path: Path) -> None:
    env = {
        "DIALOGBOT_TELEGRAM_TOKEN": WRONG_TOKEN,
        "DIALOGBOT_TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}",
    }
    result = dialogbot("--data-dir", "data", "-v", "run", cwd=tmp_path, env=env)
    refused(result, "Telegram", "127.0.0.1")
    assert "wrong-token" not in result.stdout + result.stderr


# --- Slack start-up -------------------------------------------------------------------------------
@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    api = SlackStandIn(bot_token="xoxb-the-right-token")
    api.start_in_thread()
    try:
        yield api
    finally:
        api.stop_thread()


WRONG_SLACK_TOKEN = "xoxb-wrong-slack-token-that-must-never-be-printed"


def _slack_env(api_url: str) -> dict[str, str]:
    return {
        "DIALOGBOT_SLACK_BOT_TOKEN": WRONG_SLACK_TOKEN,
        "DIALOGBOT_SLACK_SIGNING_SECRET": "signing-never-shown",
        "DIALOGBOT_SLACK_API_BASE_URL": api_url,
        "DIALOGBOT_SLACK_PORT": str(free_port()),
    }


def test_a_refused_slack_bot_token_is_named_and_never_printed(
    tmp_path: Path, slack_api: SlackStandIn
) -> None:
    result = dialogbot("--data-dir", "data", "-v", "run", cwd=tmp_path, env=_slack_env(slack_api.base_url))
    refused(result, "slack_bot_token", "invalid_auth", "xoxb-", "OAuth & Permissions")
    assert result.returncode == 2
    assert "wrong-slack-token" not in result.stdout + result.stderr and "never-shown" not in result.stderr
    assert [c.error for c in slack_api.calls] == ["invalid_auth"]  # it really asked Slack (auth.test)


def test_an_unreachable_slack_api_is_one_paragraph_without_the_token(tmp_path: Path) -> None:
    result = dialogbot(
        "--data-dir",
        "data",
        "-v",
        "run",
        cwd=tmp_path,
        env=_slack_env(f"http://127.0.0.1:{free_port()}/api/"),
    )
    refused(result, "Slack", "127.0.0.1", "slack_api_base_url")
    assert result.returncode == 3
    assert "wrong-slack-token" not in result.stdout + result.stderr


# --- read-only commands ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["processes"],
        ["config", "check"],
        ["db", "current"],
        ["meetings", "list"],
        ["reminders", "status"],
        ["signatories", "list"],
        ["contacts", "list"],
    ],
)
def test_read_only_commands_create_nothing(tmp_path: Path, args: list[str]) -> None:
    result = dialogbot(*args, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert files_under(tmp_path) == []


def test_meetings_list_shows_the_files_meetings_before_the_first_start(tmp_path: Path) -> None:
    result = dialogbot("meetings", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "varmland-2015\tdialogmote" in result.stdout and "not imported yet" in result.stdout


# --- settings -------------------------------------------------------------------------------------
def test_a_misspelt_environment_variable_is_warned_about(tmp_path: Path) -> None:
    result = dialogbot("config", "check", cwd=tmp_path, env={"DIALOGBOT_LANGAUGE": "en"})
    assert result.returncode == 0, result.stderr
    assert "DIALOGBOT_LANGAUGE" in result.stderr and "DIALOGBOT_LANGUAGE" in result.stderr


def test_a_boolean_chart_processes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dialogbot.toml").write_text("[dialogbot]\nchart_processes = true\n", encoding="utf-8")
    refused(dialogbot("config", "check", cwd=tmp_path), "dialogbot.toml", "chart_processes", "whole number")


def test_pydantic_value_error_prefix_never_reaches_the_operator(tmp_path: Path) -> None:
    message = refused(
        dialogbot("config", "check", cwd=tmp_path, env={"DIALOGBOT_DATABASE_URL": "mysql://db"}),
        "DIALOGBOT_DATABASE_URL",
        "must start with sqlite+aiosqlite:///",
    )
    assert "Value error" not in message


# --- one bot process per SQLite file --------------------------------------------------------------
def test_a_second_bot_process_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    first = subprocess.Popen(
        [str(DIALOGBOT), "--data-dir", "data", "run", "--local"],
        cwd=tmp_path,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")},
    )
    try:
        assert first.stdin is not None and first.stdout is not None
        first.stdin.write(":rum\n")
        first.stdin.flush()
        assert first.stdout.readline().startswith("> :rum")  # it reads input: it has started
        second = dialogbot("--data-dir", "data", "run", "--script", os.devnull, cwd=tmp_path)
        refused(second, "another dialogbot process", str(first.pid), "dialogbot.sqlite3", "PostgreSQL")
    finally:
        _out, err = first.communicate(":slut\n", timeout=60)
    assert first.returncode == 0 and "Traceback" not in err, err
    third = dialogbot("--data-dir", "data", "run", "--script", os.devnull, cwd=tmp_path)
    assert third.returncode == 0, third.stderr  # the lock went with the first process


# --- the command line itself ----------------------------------------------------------------------
def test_version_is_printed(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = dialogbot("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"dialogbot {version('dialogbot')}"


def _commands(parser) -> Iterator[tuple[list[str], object]]:  # type: ignore[no-untyped-def]
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield [name], sub
                for rest, subsub in _commands(sub):
                    yield [name, *rest], subsub


def test_every_command_has_a_description_in_its_help(tmp_path: Path) -> None:
    from bot.cli import build_parser

    commands = list(_commands(build_parser()))
    assert len(commands) >= 15
    for words, _ in commands:
        result = dialogbot(*words, "--help", cwd=tmp_path)
        assert result.returncode == 0, (words, result.stderr)
        lines = result.stdout.split("\n\n")
        assert len(lines) >= 2 and not lines[1].startswith(("positional", "options")), (words, result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["reminders", "status", "extra"],
        ["config", "check", "extra"],
        ["db", "current", "extra"],
        ["meetings", "list", "extra"],
        ["signatories", "list", "extra"],
        ["run", "extra"],
    ],
)
def test_extra_arguments_are_refused(tmp_path: Path, args: list[str]) -> None:
    result = dialogbot(*args, cwd=tmp_path)
    assert result.returncode == 2 and "unrecognized arguments: extra" in result.stderr, result.stderr
    assert files_under(tmp_path) == []
