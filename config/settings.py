"""Runtime settings from defaults, a TOML file, a ``.env`` file and the environment (in that order).

Every key can be set as an environment variable ``DIALOGBOT_<KEY>`` (upper case); the TOML file
is ``dialogbot.toml`` in the working directory or the path in ``DIALOGBOT_CONFIG``. The secret
comes from ``secret`` or the file ``secret_file`` (kept apart from the data, in production); if
neither is set it is generated once and kept in the data directory, so pseudonymous keys stay stable.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any, Literal

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
# DIALOGBOT_* variables that are not settings: the settings file's path, and the test suite's own.
NOT_SETTINGS = frozenset({"CONFIG", "TEST_PG_URL", "REQUIRE_PG"})
# Settings that no longer exist, still accepted (with a warning) so an older configuration loads.
RETIRED_SETTINGS = {"timezone": "meetings and reminders always use Europe/Stockholm"}
INTEGER_SETTINGS = (
    "min_group_size",
    "chart_processes",
    "telegram_webhook_port",
    "slack_port",
    "health_port",
    "smtp_port",
)
SMTP_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# One plain address for the From header and the SMTP envelope (no display name here).
_MAIL_ADDRESS = re.compile(r"[^@\s<>\"(),;:]{1,64}@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:.]{2,}")
_WHOLE_NUMBER = re.compile(r"^\s*[+-]?\d+\s*$")

log = logging.getLogger(__name__)
MAX_DEFAULT_CHART_PROCESSES = 4  # each worker holds matplotlib (~70 MiB); more rarely pays on a small server


def default_chart_processes() -> int:
    """One chart worker per core this process may run on (at most 4): the rooms of a round that
    closes together get their charts side by side rather than one room after another."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_CHART_PROCESSES))


class Settings(BaseModel):
    """What an administrator configures; see README "Configuration"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Path("./dialogbot-data")
    database_url: str = ""
    language: Language = Language.SV
    secret: str = ""
    secret_file: Path | None = None  # the secret read from a file (systemd credential, Docker secret)
    min_group_size: int = Field(default=5, ge=2, le=100)
    processes_dir: Path = PACKAGED_PROCESSES
    meetings_dir: Path | None = None  # signatories and meetings TOML; None: the packaged examples
    facilitators: dict[str, list[str]] = Field(default_factory=dict)
    group_admins_are_facilitators: bool = False
    chart_processes: int = Field(default_factory=default_chart_processes, ge=0, le=16)
    database_timeout: float = Field(default=5.0, gt=0, le=300)  # seconds; see storage.database.create_engine

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

    # /healthz, /readyz and /metrics on a server of their own (0: none; the webhook servers serve them anyway)
    health_listen: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535)
    log_format: Literal["text", "json"] = "text"
    # Where people's browsers reach this process's web pages (the projector screen, browser voting,
    # e-mail RSVP links, meeting details), e.g. "https://dialog.region.se"; the pages are served on
    # the same HTTP server as /healthz. Empty: no web links are given out.
    public_url: str = ""

    # E-mail as a delivery channel for meeting reminders (none when smtp_host is empty).
    smtp_host: str = ""
    smtp_port: int = Field(default=0, ge=0, le=65535)  # 0: 587 (starttls), 465 (ssl) or 25 (none)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_password_file: Path | None = (
        None  # the password read from a file (systemd credential, Docker secret)
    )
    smtp_from: str = ""  # the sender address, e.g. "dialogbot@region.se"
    smtp_from_name: str = "Dialogbot"
    smtp_rate: float = Field(default=5.0, gt=0, le=1000)  # messages per second to the SMTP server

    @field_validator(*INTEGER_SETTINGS, mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        """``true`` or ``2.5`` is a mistake, not 1 or 2: only whole numbers (or their digits) are taken."""
        if (
            isinstance(value, bool)
            or (isinstance(value, str) and not _WHOLE_NUMBER.match(value))
            or (not isinstance(value, int | str))
        ):
            raise ValueError(f"must be a whole number, got {value!r}")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        """Links built from it are opened by other people's browsers: an absolute http(s) address
        with no query or fragment, kept without its trailing slash."""
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be an absolute address such as https://dialog.example.se (no ? or #)")
        return value.rstrip("/")

    @field_validator("smtp_host")
    @classmethod
    def _smtp_host(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[A-Za-z0-9.:\[\]_-]+", value):
            raise ValueError("must be a host name or IP address such as smtp.example.se (no scheme, no port)")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _smtp_from(cls, value: str) -> str:
        value = value.strip()
        if value and not _MAIL_ADDRESS.fullmatch(value):
            raise ValueError("must be one e-mail address such as dialogbot@region.se (no name, no <>)")
        return value

    @field_validator("smtp_from_name")
    @classmethod
    def _smtp_from_name(cls, value: str) -> str:
        if any(c in value for c in "\r\n") or len(value) > 100:
            raise ValueError("must be one line of at most 100 characters")
        return value.strip()

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
            raise ValueError(
                f"must be {MIN_SECRET_LENGTH} to 256 characters of A-Z, a-z, 0-9, _ and - "
                "(a short secret can be guessed; Telegram accepts no other characters)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value and not value.startswith(SUPPORTED_DATABASES):
            raise ValueError(
                "must start with sqlite+aiosqlite:/// or postgresql+asyncpg:// "
                "(e.g. postgresql+asyncpg://dialogbot@127.0.0.1/dialogbot)"
            )
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

    @property
    def has_email(self) -> bool:
        return bool(self.smtp_host)

    @property
    def effective_smtp_port(self) -> int:
        return self.smtp_port or SMTP_DEFAULT_PORTS[self.smtp_security]

    def smtp_problems(self) -> list[tuple[str, str]]:
        """What is wrong with the e-mail settings taken together, as (setting, problem)."""
        if not self.smtp_host:
            others = ("smtp_user", "smtp_password", "smtp_password_file", "smtp_from")
            return [
                (name, "is set but smtp_host is not: set smtp_host too")
                for name in others
                if getattr(self, name)
            ][:1]
        problems = []
        if not self.smtp_from:
            problems.append(("smtp_from", "is required with smtp_host: the address reminders are sent from"))
        if self.smtp_password and self.smtp_password_file is not None:
            problems.append(
                ("smtp_password_file", "set either smtp_password or smtp_password_file, not both")
            )
        has_password = bool(self.smtp_password or self.smtp_password_file)
        if self.smtp_user and not has_password:
            problems.append(("smtp_password", "is required with smtp_user (or give smtp_password_file)"))
        if has_password and not self.smtp_user:
            problems.append(("smtp_user", "is required with a password: the name to log in with"))
        loopback = self.smtp_host in ("localhost", "127.0.0.1", "::1", "[::1]")
        if self.smtp_user and self.smtp_security == "none" and not loopback:
            problems.append(
                (
                    "smtp_security",
                    '"none" would send the password unencrypted to a server that is not on this machine: '
                    'use "starttls" or "ssl"',
                )
            )
        return problems

    def smtp_password_value(self) -> str:
        """The SMTP password: ``smtp_password`` itself, or read from ``smtp_password_file``."""
        if self.smtp_password_file is None:
            return self.smtp_password
        try:
            return self.smtp_password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                str(self.smtp_password_file),
                "smtp_password_file",
                f"cannot read the password ({exc.strerror})",
            ) from exc

    def missing_secrets(self) -> list[ConfigError]:
        """The platform modes configured to take requests from the internet without their secret.

        Telegram's webhook and Slack's HTTP mode accept requests from anyone who finds the URL;
        only the secret tells a real update from a forged vote, so neither may start without it.
        """
        problems = []
        if self.has_telegram and self.telegram_mode == "webhook" and not self.telegram_webhook_secret:
            problems.append(
                ConfigError(
                    "settings",
                    "telegram_webhook_secret",
                    (
                        'telegram_mode = "webhook" needs telegram_webhook_secret: without it anyone who finds '
                        "the webhook URL can send the bot forged updates and votes. Set telegram_webhook_secret "
                        "(or DIALOGBOT_TELEGRAM_WEBHOOK_SECRET) to a random string of letters, digits, _ and - "
                        '(the bot registers it with Telegram), or use telegram_mode = "polling".'
                    ),
                )
            )
        if self.has_slack and not self.slack_app_token and not self.slack_signing_secret:
            problems.append(
                ConfigError(
                    "settings",
                    "slack_signing_secret",
                    (
                        "Slack over HTTP (slack_bot_token without slack_app_token) needs slack_signing_secret: "
                        "without it the bot cannot tell Slack's requests from forged commands and votes. Set "
                        "slack_signing_secret (or DIALOGBOT_SLACK_SIGNING_SECRET) to the Signing Secret on your "
                        "Slack app's Basic Information page, or set slack_app_token to use Socket Mode."
                    ),
                )
            )
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
    *,
    create_secret: bool = True,
    **overrides: Any,
) -> Settings:
    """Settings merged from defaults < TOML file < ``.env`` < environment < ``overrides``.

    A refused value is a :class:`ConfigError` naming where it came from (the file, or the
    environment variable). Without ``create_secret`` nothing is written: a secret not yet stored
    in the data directory stays empty (read-only commands; :func:`with_stored_secret` makes it).
    """
    environ = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    path = config_file or (Path(environ[f"{ENV_PREFIX}CONFIG"]) if f"{ENV_PREFIX}CONFIG" in environ else None)
    if path is None and Path("dialogbot.toml").exists():
        path = Path("dialogbot.toml")
    if path is not None:
        document = read_toml(path)
        table = document.get("dialogbot", document)
        if not isinstance(table, dict):
            raise ConfigError(
                str(path), "dialogbot", "must be a table ([dialogbot] followed by key = value lines)"
            )
        _merge(values, origins, table, lambda _key: str(path))
    if env_file is not None and env_file.exists():
        dotenv = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        _merge(
            values,
            origins,
            _prefixed(dotenv, str(env_file)),
            lambda key: f"{env_file} ({ENV_PREFIX}{key.upper()})",
        )
    _merge(
        values,
        origins,
        _prefixed(environ, "the environment"),
        lambda key: f"environment variable {ENV_PREFIX}{key.upper()}",
    )
    _merge(values, origins, overrides, lambda _key: "the command line")
    for key, why in RETIRED_SETTINGS.items():
        if key in values:
            del values[key]
            log.warning("ignoring %s in %s: the setting is no longer used (%s)", key, origins[key], why)
    try:
        settings = validate(Settings, values, str(path) if path else "settings")
    except ConfigError as exc:
        origin = origins.get(exc.where.split(".")[0].split("[")[0])
        if origin is None:
            raise
        raise ConfigError(origin, exc.where, exc.problem) from exc
    if settings.secret_file is not None and settings.secret:
        raise ConfigError(
            origins.get("secret", "settings"), "secret_file", "set either secret or secret_file, not both"
        )
    for name, problem in settings.smtp_problems():
        raise ConfigError(origins.get(name, "settings"), name, problem)
    return with_stored_secret(settings, create=create_secret)


def _merge(values: dict[str, Any], origins: dict[str, str], new: dict[str, Any], origin: Any) -> None:
    values.update(new)
    origins.update({key: origin(key) for key in new})


def _prefixed(environ: dict[str, str], where: str) -> dict[str, str]:
    """The settings among ``DIALOGBOT_*`` variables; an unknown name is warned about (a typo is
    otherwise silently ignored), with the setting it most likely meant."""
    fields = Settings.model_fields
    out = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name[len(ENV_PREFIX) :] in NOT_SETTINGS:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key in fields:
            out[key] = value
            continue
        close = difflib.get_close_matches(key, list(fields), n=1)
        hint = f"; did you mean {ENV_PREFIX}{close[0].upper()}?" if close else ""
        log.warning("ignoring %s in %s: no setting is called %s%s", name, where, key, hint)
    return out


def _secret_from_file(path: Path) -> str:
    """The secret kept apart from the data (``secret_file``): a copy of the data directory
    then holds nothing that links a pseudonymous key to a platform id."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(str(path), "secret_file", f"cannot read the secret ({exc.strerror})") from exc
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(
            str(path), "secret_file", f"the secret is shorter than {MIN_SECRET_LENGTH} characters"
        )
    return value


def with_stored_secret(settings: Settings, *, create: bool = True) -> Settings:
    """``settings`` with its secret: ``secret`` itself, else read from ``secret_file``, else the data
    directory's (made now if ``create``)."""
    if settings.secret:
        return settings
    if settings.secret_file is not None:
        return settings.model_copy(update={"secret": _secret_from_file(settings.secret_file)})
    stored = _stored_secret(settings.data_dir, create=create)
    return settings.model_copy(update={"secret": stored}) if stored else settings


def _stored_secret(data_dir: Path, *, create: bool = True) -> str:
    """The data directory's secret, created on first use with owner-only permissions ("" if
    there is none yet and ``create`` is false)."""
    path = data_dir / "secret.key"
    try:
        if not path.exists() and not create:
            return ""
        if path.exists():
            stored = path.read_text(encoding="utf-8").strip()
            if len(stored) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    str(path),
                    "",
                    f"the stored secret is shorter than {MIN_SECRET_LENGTH} characters; "
                    "restore it from a backup (pseudonymous keys depend on it)",
                )
            return stored
        private_dir(data_dir)
        value = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)
        return value
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read or create the secret ({exc.strerror})") from exc
