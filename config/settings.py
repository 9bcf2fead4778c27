"""Runtime settings from defaults, a TOML file, a ``.env`` file and the environment (in that order).

Every key can be set as an environment variable ``DIALOGBOT_<KEY>`` (upper case); the TOML file
is ``dialogbot.toml`` in the working directory or the path in ``DIALOGBOT_CONFIG``. The secret
comes from ``secret`` or the file ``secret_file`` (kept apart from the data, in production); if
neither is set it is generated once and kept in the data directory, so pseudonymous keys stay stable.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, field_validator

from config.errors import ConfigError
from config.private_files import private_dir
from config.tomlfile import read_toml, validate
from facilitation.model import Language

PACKAGED_PROCESSES = Path(__file__).parent / "processes"
ENV_PREFIX = "DIALOGBOT_"
LOCAL_FACILITATOR = "facilitator"  # who speaks first in the local terminal mode
MIN_SECRET_LENGTH = 16
SUPPORTED_DATABASES = ("sqlite+aiosqlite:///", "postgresql+asyncpg://")


class Settings(BaseModel):
    """What an administrator configures; see README "Configuration"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Path("./dialogbot-data")
    database_url: str = ""
    language: Language = Language.SV
    timezone: str = "Europe/Stockholm"
    secret: str = ""
    secret_file: Path | None = None  # the secret read from a file (systemd credential, Docker secret)
    min_group_size: int = Field(default=5, ge=2, le=100)
    processes_dir: Path = PACKAGED_PROCESSES
    meetings_dir: Path | None = None  # signatories and meetings TOML; None: the packaged examples
    facilitators: dict[str, list[str]] = Field(default_factory=dict)
    group_admins_are_facilitators: bool = False
    chart_processes: int = Field(default=1, ge=0, le=16)

    telegram_token: str = ""
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_api_base_url: str = ""

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_base_url: str = ""
    slack_listen: str = "127.0.0.1"
    slack_port: int = 3000

    @field_validator("secret")
    @classmethod
    def _long_enough_secret(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters (or left out to be generated)")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _guessable_webhook_secret(cls, value: str) -> str:
        """The webhook secret is all that tells Telegram's updates from forged ones: long enough not
        to be guessed, in the alphabet Telegram's setWebhook accepts (1-256 of A-Z a-z 0-9 _ -)."""
        if value and not (MIN_SECRET_LENGTH <= len(value) <= 256 and re.fullmatch(r"[A-Za-z0-9_-]+", value)):
            raise ValueError(f"must be {MIN_SECRET_LENGTH} to 256 characters of A-Z, a-z, 0-9, _ and - "
                             "(a short secret can be guessed; Telegram accepts no other characters)")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value and not value.startswith(SUPPORTED_DATABASES):
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg:// "
                             "(e.g. postgresql+asyncpg://dialogbot@127.0.0.1/dialogbot)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("facilitators", mode="before")
    @classmethod
    def _parse_facilitators(cls, value: Any) -> Any:
        """Accept ``"telegram:123,slack:U1"`` from the environment as well as a TOML table."""
        if isinstance(value, str):
            parsed: dict[str, list[str]] = {}
            for entry in filter(None, (v.strip() for v in value.split(","))):
                platform, sep, user = entry.partition(":")
                if not sep or not user:
                    raise ValueError(f"expected platform:user_id, got {entry!r}")
                parsed.setdefault(platform.strip(), []).append(user.strip())
            return parsed
        if isinstance(value, dict):
            return {k: [str(u) for u in (v if isinstance(v, list) else [v])] for k, v in value.items()}
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'dialogbot.sqlite3').resolve()}"

    def is_facilitator(self, platform: str, user_id: str) -> bool:
        """Configured ids; in the local mode, without a ``local`` entry, the terminal's own speaker.

        Only the person at the terminal can speak on the local platform, so the default speaker
        leads the workshop there unless ``facilitators.local`` says otherwise.
        """
        ids = self.facilitators.get(platform)
        if ids is None and platform == "local":
            ids = [LOCAL_FACILITATOR]
        return str(user_id) in (ids or [])

    @property
    def has_telegram(self) -> bool:
        return bool(self.telegram_token)

    @property
    def has_slack(self) -> bool:
        return bool(self.slack_bot_token)

    def missing_secrets(self) -> list[ConfigError]:
        """The platform modes configured to take requests from the internet without their secret.

        Telegram's webhook and Slack's HTTP mode accept requests from anyone who finds the URL;
        only the secret tells a real update from a forged vote, so neither may start without it.
        """
        problems = []
        if self.has_telegram and self.telegram_mode == "webhook" and not self.telegram_webhook_secret:
            problems.append(ConfigError("settings", "telegram_webhook_secret", (
                'telegram_mode = "webhook" needs telegram_webhook_secret: without it anyone who finds '
                "the webhook URL can send the bot forged updates and votes. Set telegram_webhook_secret "
                "(or DIALOGBOT_TELEGRAM_WEBHOOK_SECRET) to a random string of letters, digits, _ and - "
                '(the bot registers it with Telegram), or use telegram_mode = "polling".')))
        if self.has_slack and not self.slack_app_token and not self.slack_signing_secret:
            problems.append(ConfigError("settings", "slack_signing_secret", (
                "Slack over HTTP (slack_bot_token without slack_app_token) needs slack_signing_secret: "
                "without it the bot cannot tell Slack's requests from forged commands and votes. Set "
                "slack_signing_secret (or DIALOGBOT_SLACK_SIGNING_SECRET) to the Signing Secret on your "
                "Slack app's Basic Information page, or set slack_app_token to use Socket Mode.")))
        return problems

    def require_secrets(self, platform: str = "") -> None:
        """Raise the first of :meth:`missing_secrets` (of ``platform``'s settings, if given)."""
        problems = [p for p in self.missing_secrets() if p.where.startswith(platform)]
        if problems:
            raise problems[0]


def load_settings(
    config_file: Path | None = None,
    env: dict[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    **overrides: Any,
) -> Settings:
    """Settings merged from defaults < TOML file < ``.env`` < environment < ``overrides``."""
    environ = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    path = config_file or (Path(environ[f"{ENV_PREFIX}CONFIG"]) if f"{ENV_PREFIX}CONFIG" in environ else None)
    if path is None and Path("dialogbot.toml").exists():
        path = Path("dialogbot.toml")
    if path is not None:
        document = read_toml(path)
        table = document.get("dialogbot", document)
        if not isinstance(table, dict):
            raise ConfigError(str(path), "dialogbot", "must be a table ([dialogbot] followed by key = value lines)")
        values.update(table)
    source = str(path) if path else "settings"
    if env_file is not None and env_file.exists():
        values.update(_prefixed({k: v for k, v in dotenv_values(env_file).items() if v is not None}))
        source = f"{source} / {env_file}"
    from_env = _prefixed(environ)
    if from_env:
        source = f"{source} / environment"
    values.update(from_env)
    values.update(overrides)
    settings = validate(Settings, values, source)
    if settings.secret_file is not None:
        if settings.secret:
            raise ConfigError(source, "secret_file", "set either secret or secret_file, not both")
        settings = settings.model_copy(update={"secret": _secret_from_file(settings.secret_file)})
    elif not settings.secret:
        settings = settings.model_copy(update={"secret": _stored_secret(settings.data_dir)})
    return settings


def _prefixed(environ: dict[str, str]) -> dict[str, str]:
    fields = Settings.model_fields
    out = {}
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX) and name != f"{ENV_PREFIX}CONFIG":
            key = name[len(ENV_PREFIX) :].lower()
            if key in fields:
                out[key] = value
    return out


def _secret_from_file(path: Path) -> str:
    """The secret kept apart from the data (``secret_file``): a copy of the data directory
    then holds nothing that links a pseudonymous key to a platform id."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(str(path), "secret_file", f"cannot read the secret ({exc.strerror})") from exc
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(str(path), "secret_file", f"the secret is shorter than {MIN_SECRET_LENGTH} characters")
    return value


def _stored_secret(data_dir: Path) -> str:
    """The data directory's secret, created on first use with owner-only permissions."""
    path = data_dir / "secret.key"
    try:
        if path.exists():
            stored = path.read_text(encoding="utf-8").strip()
            if len(stored) < MIN_SECRET_LENGTH:
                raise ConfigError(str(path), "", f"the stored secret is shorter than {MIN_SECRET_LENGTH} characters; "
                                  "restore it from a backup (pseudonymous keys depend on it)")
            return stored
        private_dir(data_dir)
        value = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)
        return value
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read or create the secret ({exc.strerror})") from exc
