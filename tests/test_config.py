"""Settings and process files: good files load, malformed ones name the file, place and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.catalogue import load_process, load_processes
from config.errors import ConfigError
from config.settings import PACKAGED_PROCESSES, load_settings
from facilitation.model import Language

GOOD = """
[process]
key = "test"
name = "Testprocess"

[[principles]]
key = "dialog"
name = "Dialog"

[[statements]]
key = "s1"
text = "Vi samverkar redan tillräckligt!"
"""


def write(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_processes_match_the_seeds() -> None:
    processes = load_processes(PACKAGED_PROCESSES)
    varmland = processes["varmland-2015"]
    assert [s.text for s in varmland.statements][:2] == [
        "Min organisation har något att tillföra till Värmlands utveckling!",
        "Vi har redan tillräckligt bra samverkan mellan offentligt och idéburet i länet!",
    ]
    assert len(varmland.statements) == 7
    national = [p.name for p in varmland.principles if not p.local]
    assert national[0] == "Självständighet och oberoende" and len(national) == 6
    assert [p.name for p in varmland.principles if p.local] == [
        "Demokrati",
        "Utveckling",
        "Integritet",
        "Samhällsutveckling",
        "Mångfald (individ)",
        "Samverkan",
        "Förnyelse",
        "Tillgänglighet",
    ]
    assert len(processes["halland"].principles) == 6


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (GOOD.replace('name = "Dialog"', 'name = "Dialog'), "line 8, column 15", "invalid TOML"),
        (
            GOOD.replace('key = "dialog"\nname = "Dialog"', 'key = "dialog"'),
            "principles[0].name",
            "required key is missing",
        ),
        (GOOD.replace('key = "s1"', 'key = "S 1"'), "statements[0].key", "pattern"),
        (GOOD + '\n[[statements]]\nkey = "s1"\ntext = "igen"\n', "statements", "duplicate key 's1'"),
        (
            GOOD.replace('name = "Testprocess"', 'name = "Testprocess"\nscale_steps = 2'),
            "process.scale_steps",
            "greater than or equal to 3",
        ),
        (GOOD.replace('text = "Vi', 'tekst = "x"\ntext = "Vi'), "statements[0].tekst", "unknown key"),
        ("[process]\nkey='x'\nname='y'\n", "", "at least one principle or statement"),
        (GOOD + '\n[[statment]]\nkey = "s2"\ntext = "Stavfel"\n', "statment", "unknown key"),
        # Files that load but could never open a round (issue 14): every prioritisation round holds
        # all principles, and a round refuses two equal items or text nobody can see.
        (
            GOOD + '\n[[principles]]\nkey = "dialog2"\nname = "Dialog "\n',
            "principles",
            "two have the same name 'Dialog'",
        ),
        (
            GOOD.replace('name = "Dialog"', 'name = "Dialog"\nname_en = "Talk"')
            + '\n[[principles]]\nkey = "samtal"\nname = "Samtal"\nname_en = "Talk"\n',
            "principles",
            "same name_en 'Talk'",
        ),
        (
            GOOD + '\n[[statements]]\nkey = "s2"\ntext = "Vi samverkar redan tillräckligt!"\n',
            "statements",
            "could never open",
        ),
        (GOOD.replace('name = "Dialog"', 'name = "   "'), "principles[0].name", "only blank space"),
        (GOOD.replace('name = "Dialog"', 'name = "Dia\\u200blog"'), "principles[0].name", "nobody can see"),
        (GOOD.replace('text = "Vi', 'text = "\\u202eVi'), "statements[0].text", "nobody can see"),
        (
            GOOD.replace('text = "Vi', 'text_en = "We\\u0000"\ntext = "Vi'),
            "statements[0].text_en",
            "nobody can see",
        ),
    ],
)
def test_malformed_process_files_are_explained(tmp_path: Path, text: str, where: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_process(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert where in message and problem in message


def test_duplicate_process_keys_across_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(ConfigError, match=r"b\.toml: process\.key: 'test' is already defined"):
        load_processes(tmp_path)


def test_the_retired_timezone_setting_still_loads(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """``timezone`` was never used (meetings are in Europe/Stockholm): an older file that sets it
    still loads, with a warning instead of the refusal an unknown key gets."""
    config = write(tmp_path, '[dialogbot]\ntimezone = "Europe/Karlstad"\n', "dialogbot.toml")
    env = {"DIALOGBOT_DATA_DIR": str(tmp_path / "data"), "DIALOGBOT_TIMEZONE": "Europe/Karlstad"}
    with caplog.at_level("WARNING", logger="config.settings"):
        settings = load_settings(config, env=env, env_file=None)
    assert not hasattr(settings, "timezone")
    warnings = [r.getMessage() for r in caplog.records]
    assert any("timezone" in w and "dialogbot.toml" in w and "no longer used" in w for w in warnings)
    assert any("DIALOGBOT_TIMEZONE" in w for w in warnings)


def test_settings_precedence_and_errors(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        '[dialogbot]\nlanguage = "en"\nmin_group_size = 4\nfacilitators = { telegram = [111, "222"] }\n',
        "dialogbot.toml",
    )
    env = {"DIALOGBOT_MIN_GROUP_SIZE": "7", "DIALOGBOT_DATA_DIR": str(tmp_path / "data")}
    settings = load_settings(config, env=env, env_file=None)
    assert settings.language == Language.EN and settings.min_group_size == 7
    assert settings.is_facilitator("telegram", "111") and not settings.is_facilitator("slack", "111")
    assert len(settings.secret) >= 32
    assert load_settings(config, env=env, env_file=None).secret == settings.secret  # kept in data_dir
    assert (tmp_path / "data" / "secret.key").stat().st_mode & 0o077 == 0
    env_facilitators = load_settings(
        None, env={**env, "DIALOGBOT_FACILITATORS": "slack:U1, local:facilitator"}, env_file=None
    )
    assert env_facilitators.facilitators == {"slack": ["U1"], "local": ["facilitator"]}
    # The local terminal's default speaker leads unless local facilitators are configured.
    assert settings.is_facilitator("local", "facilitator") and not settings.is_facilitator("local", "anna")
    local_anna = load_settings(None, env={**env, "DIALOGBOT_FACILITATORS": "local:anna"}, env_file=None)
    assert local_anna.is_facilitator("local", "anna") and not local_anna.is_facilitator(
        "local", "facilitator"
    )
    assert not settings.is_facilitator("telegram", "facilitator")
    with pytest.raises(ConfigError, match=r"dialogbot.toml.*min_group_size"):
        load_settings(
            write(tmp_path, "[dialogbot]\nmin_group_size = 1\n", "dialogbot.toml"),
            env={"DIALOGBOT_DATA_DIR": str(tmp_path)},
            env_file=None,
        )
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings(
            write(tmp_path, "[dialogbot]\nlangauge = 'sv'\n", "dialogbot.toml"),
            env={"DIALOGBOT_DATA_DIR": str(tmp_path)},
            env_file=None,
        )


@pytest.mark.parametrize(
    ("toml", "env", "where", "problem"),
    [
        ('dialogbot = "x"\n', {}, "dialogbot", "must be a table"),
        ('[dialogbot]\nsecret = "kort"\n', {}, "secret", "at least 16 characters"),
        (
            '[dialogbot]\ntelegram_webhook_secret = "x"\n',
            {},
            "telegram_webhook_secret",
            "16 to 256 characters",
        ),
        (
            "",
            {"DIALOGBOT_TELEGRAM_WEBHOOK_SECRET": "långt nog men med å och mellanslag"},
            "telegram_webhook_secret",
            "A-Z, a-z, 0-9, _ and -",
        ),
        ("", {"DIALOGBOT_DATABASE_URL": "mysql://db"}, "database_url", "postgresql+asyncpg://"),
        ("", {"DIALOGBOT_DATABASE_URL": "postgresql://u@h/db"}, "database_url", "postgresql+asyncpg://"),
    ],
)
def test_bad_settings_are_configuration_errors(
    tmp_path: Path, toml: str, env: dict[str, str], where: str, problem: str
) -> None:
    config = write(tmp_path, toml, "dialogbot.toml")
    with pytest.raises(ConfigError) as err:
        load_settings(config, env={"DIALOGBOT_DATA_DIR": str(tmp_path / "data"), **env}, env_file=None)
    assert where in str(err.value) and problem in str(err.value)


def test_a_damaged_stored_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"secret\.key.*shorter than 16"):
        load_settings(None, env={"DIALOGBOT_DATA_DIR": str(tmp_path)}, env_file=None)
