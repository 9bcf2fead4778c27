"""The settings of a command-line run, shared by :mod:`bot.cli` and :mod:`bot.meetings_cli`.

A module of its own so that the two command modules do not import each other.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.redaction import remember_secrets
from config.settings import Settings, load_settings


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings; nothing is written (a secret not yet stored is made by the first write)."""
    overrides = {}
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    settings = load_settings(Path(args.config) if args.config else None, create_secret=False, **overrides)
    remember_secrets(
        settings.secret,
        settings.telegram_token,
        settings.telegram_webhook_secret,
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.smtp_password,
    )
    return settings
