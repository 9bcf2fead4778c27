"""The container image and the systemd unit install and run the bot as the project does.

Building and running the image takes a container engine and minutes (``deploy/verify_container.py``
does it by hand, see the README), so here the Dockerfile and compose file are checked for what
must hold: the same constraints as everywhere, every package the distribution ships, a non-root
user, the probes' port where the health check asks, and the migrations run before the bot on
PostgreSQL.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "compose.yaml").read_text(encoding="utf-8")
UNIT = (ROOT / "deploy" / "dialogbot.service").read_text(encoding="utf-8")


def test_the_image_installs_the_pinned_packages_as_a_non_root_user() -> None:
    assert re.findall(r"^ARG PYTHON_IMAGE=(\S+)", DOCKERFILE, re.MULTILINE) == ["python:3.11-slim"]
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE) == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]
    assert "pip install --no-cache-dir -c constraints.txt ." in DOCKERFILE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    shipped = {p.rstrip("*") for p in packages["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE, re.MULTILINE))
    assert shipped == copied


def test_the_health_check_asks_the_port_the_probes_are_served_on() -> None:
    port = re.search(r"DIALOGBOT_HEALTH_PORT=(\d+)", DOCKERFILE)
    assert port and f"127.0.0.1:{port.group(1)}/healthz" in DOCKERFILE
    assert f"127.0.0.1:{port.group(1)}:{port.group(1)}" in COMPOSE
    assert "DIALOGBOT_HEALTH_PORT=" in UNIT


def test_compose_migrates_before_the_bot_starts() -> None:
    assert 'command: ["db", "upgrade"]' in COMPOSE
    assert "service_completed_successfully" in COMPOSE
    assert "postgresql+asyncpg://" in COMPOSE and "DIALOGBOT_SECRET_FILE: /run/secrets/" in COMPOSE


def test_the_unit_keeps_the_secret_apart_and_runs_unprivileged() -> None:
    assert "User=dialogbot" in UNIT and "NoNewPrivileges=yes" in UNIT
    assert "LoadCredential=dialogbot-secret:" in UNIT and "DIALOGBOT_SECRET_FILE=%d/dialogbot-secret" in UNIT
    assert "RestartPreventExitStatus=2" in UNIT  # a configuration error is not retried forever


def test_systemd_reads_the_unit_without_a_complaint(tmp_path: Path) -> None:
    """``systemd-analyze verify`` knows every directive of the running systemd: a misspelt or
    too-new key is only a warning when the unit starts, so any word from it fails here."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (Debian: the systemd package)")
    unit = tmp_path / "dialogbot.service"
    unit.write_text(
        UNIT.replace("/opt/dialogbot/bin/dialogbot", str(Path(sys.executable).with_name("dialogbot"))),
        encoding="utf-8",
    )
    verified = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, check=False)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
