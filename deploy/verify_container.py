"""Build the container image and run it as an operator would, checking what only a container shows.

Usage: python deploy/verify_container.py [--engine podman] [--base IMAGE]
                                         [--build-args "…"] [--run-args "…"]
                                         [--database-url postgresql+asyncpg://postgres@127.0.0.1/postgres]

Steps, each printed with what it found:

1. The base image: ``--base`` (``python:3.11-slim`` where a registry can be reached), or, without
   it, a local stand-in built with debootstrap (as root, from Debian's package mirror): Debian 12
   with its Python 3.11, ``python`` on the PATH as in the official image, and this machine's CA
   bundle (where traffic to PyPI passes a TLS-inspecting proxy, pip inside the build needs it).
2. ``build``: the Dockerfile as it is, with ``--build-arg PYTHON_IMAGE=`` the base; its pip step
   installs the pinned packages from the package index and runs ``pip check``.
3. The image's metadata: the user (not root), the health check, the ports, the entry point.
4. ``dialogbot db upgrade`` in a container against a fresh database on the host's PostgreSQL.
5. ``dialogbot run`` in a container, host network, Telegram in polling mode against the loopback
   Bot API stand-in of the tests: ``/healthz`` and ``/readyz`` answer 200, ``/metrics`` is
   Prometheus text, the process runs as uid 10001, the data folder is 0700, the image's own
   health check passes (podman), and a ``/start`` sent by a person is answered.
6. ``stop``: the bot ends on SIGTERM within the engine's grace period with exit code 0, and
   every log line is a JSON object holding neither the token nor the secret.

Not done here: ``docker compose up`` (its PostgreSQL image needs a registry), and the image of
``--base`` itself. Everything is removed afterwards (containers, the database); the images stay.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.standins.telegram_api import TelegramStandIn  # noqa: E402

IMAGE = "localhost/dialogbot:verify"
LOCAL_BASE = "localhost/debian-python:3.11"
TOKEN = "123456:CONTAINER-verify-token"
SECRET = "container-verify-secret-0123456789"
PERSON = 4242
HEALTH_PORT = 8080  # the image's DIALOGBOT_HEALTH_PORT, which its HEALTHCHECK asks


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run(command: list[str], *, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if not quiet:
        print(f"$ {shlex.join(command)}  [{time.monotonic() - started:.1f} s, exit {done.returncode}]")
    if check and done.returncode != 0:
        sys.exit(f"failed: {shlex.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def local_base(engine: str) -> str:
    """Debian 12 with Python 3.11 in the official image's layout, imported as ``LOCAL_BASE``."""
    if shutil.which("debootstrap") is None or os.geteuid() != 0:
        sys.exit(
            "no --base given, and a local base needs debootstrap run as root (apt-get install debootstrap)"
        )
    with tempfile.TemporaryDirectory() as folder:
        rootfs = Path(folder) / "rootfs"
        run(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=python3,python3-venv,ca-certificates",
                "bookworm",
                str(rootfs),
                "http://deb.debian.org/debian",
            ]
        )
        (rootfs / "usr/local/bin/python").symlink_to("/usr/bin/python3")
        shutil.copyfile("/etc/ssl/certs/ca-certificates.crt", rootfs / "etc/ssl/certs/ca-certificates.crt")
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (rootfs / cache).glob("*"):
                if item.is_file():
                    item.unlink()
        archive = Path(folder) / "rootfs.tar"
        run(["tar", "-C", str(rootfs), "-cf", str(archive), "."])
        run(
            [
                engine,
                "import",
                "--change",
                "ENV LANG=C.UTF-8",
                "--change",
                "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
                "--change",
                'CMD ["python3"]',
                str(archive),
                LOCAL_BASE,
            ]
        )
    return LOCAL_BASE


def get(path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{HEALTH_PORT}{path}", timeout=3) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()
    except OSError as error:
        return 0, str(error)


def wait_for(what: str, probe: Callable[[], Any], within: float) -> Any:
    started = time.monotonic()
    while time.monotonic() - started < within:
        found = probe()
        if found:
            print(f"   {what}: after {time.monotonic() - started:.1f} s")
            return found
        time.sleep(0.2)
    sys.exit(f"{what}: not within {within:.0f} s")


async def _database(url: str, name: str, *, create: bool) -> None:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            if create:
                await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            else:
                await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def _tables(url: str) -> list[str]:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            version = (await connection.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar()
            count = (
                await connection.execute(
                    sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
                )
            ).scalar()
            return [str(version), str(count)]
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="podman", help="podman or docker")
    parser.add_argument("--base", help="the Python 3.11 base image (default: a local one, see above)")
    parser.add_argument("--build-args", default="", help="more arguments for the engine's build")
    parser.add_argument("--run-args", default="", help="more arguments for the engine's run")
    parser.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1/postgres")
    args = parser.parse_args()
    engine, run_args = args.engine, shlex.split(args.run_args)

    step("1. base image")
    base = args.base or local_base(engine)
    print(f"   {base}: {run([engine, 'run', '--rm', *run_args, base, 'python', '--version']).stdout.strip()}")

    step("2. build")
    run(
        [
            *(engine, "build", "--format", "docker", *shlex.split(args.build_args), "--network", "host"),
            *("--build-arg", f"PYTHON_IMAGE={base}", "-t", IMAGE, str(ROOT)),
        ]
    )
    size = run([engine, "image", "inspect", IMAGE, "--format", "{{.Size}}"], quiet=True).stdout.strip()
    print(f"   {IMAGE}: {int(size) / 2**20:.0f} MiB")

    step("3. the image's metadata")
    [meta] = json.loads(run([engine, "image", "inspect", IMAGE], quiet=True).stdout)
    config = meta["Config"]
    print(
        f"   user {config.get('User')!r}, entry point {config.get('Entrypoint')}, command {config.get('Cmd')}"
    )
    print(f"   ports {sorted(config.get('ExposedPorts', {}))}, volumes {sorted(config.get('Volumes') or {})}")
    print(f"   health check {(config.get('Healthcheck') or meta.get('Healthcheck') or {}).get('Test')}")
    assert config.get("User", "").split(":")[0] not in ("", "root", "0"), "the image runs as root"

    name = f"dialogbot_container_{uuid.uuid4().hex[:8]}"
    base_url, _, _ = args.database_url.rpartition("/")
    url = f"{base_url}/{name}"
    asyncio.run(_database(args.database_url, name, create=True))
    container = f"dialogbot-verify-{uuid.uuid4().hex[:6]}"
    api = TelegramStandIn(token=TOKEN).start_in_thread()
    env = {
        "DIALOGBOT_DATABASE_URL": url,
        "DIALOGBOT_SECRET": SECRET,
        "DIALOGBOT_TELEGRAM_TOKEN": TOKEN,
        "DIALOGBOT_TELEGRAM_API_BASE_URL": api.root_url,
    }
    flags = [part for key, value in env.items() for part in ("-e", f"{key}={value}")]
    try:
        step("4. dialogbot db upgrade, in a container")
        run([engine, "run", "--rm", "--network", "host", *run_args, *flags, IMAGE, "db", "upgrade"])
        version, tables = asyncio.run(_tables(url))
        print(f"   the database is at migration {version}, {tables} tables")

        step("5. dialogbot run, in a container")
        run([engine, "run", "-d", "--name", container, "--network", "host", *run_args, *flags, IMAGE])
        wait_for("/healthz 200", lambda: get("/healthz")[0] == 200, 60)
        status, body = wait_for("/readyz 200", lambda: (r := get("/readyz"))[0] == 200 and r, 60)
        print(f"   /readyz: {body.strip()[:300]}")
        status, metrics = get("/metrics")
        families = sorted(
            {line.split()[2] for line in metrics.splitlines() if line.startswith("# TYPE dialogbot_")}
            - {
                line.split()[2]
                for line in metrics.splitlines()
                if line.startswith("# TYPE") and "_created " in line
            }
        )
        print(f"   /metrics {status}: {len(families)} dialogbot_ metric families: {', '.join(families)}")
        uid = run([engine, "exec", container, "id", "-u"], quiet=True).stdout.strip()
        data = run(
            [engine, "exec", container, "stat", "-c", "%a %U", "/var/lib/dialogbot"], quiet=True
        ).stdout.strip()
        print(f"   the bot runs as uid {uid}; /var/lib/dialogbot is {data}")
        assert uid == "10001" and data == "700 dialogbot", (uid, data)
        if engine == "podman":
            checked = run([engine, "healthcheck", "run", container], check=False)
            print(
                f"   the image's HEALTHCHECK: {'healthy' if checked.returncode == 0 else checked.stderr.strip()}"
            )
        api.message_update(PERSON, PERSON, "/start", language_code="sv", push=True)
        answer = wait_for("an answer to /start", lambda: api.last_text(PERSON), 30)
        print(f"   the bot answered: {answer.splitlines()[0][:100]!r}")

        step("6. stop")
        started = time.monotonic()
        run([engine, "stop", "-t", "30", container])
        code = run(
            [engine, "inspect", container, "--format", "{{.State.ExitCode}}"], quiet=True
        ).stdout.strip()
        print(f"   stopped in {time.monotonic() - started:.1f} s with exit code {code}")
        logs = run([engine, "logs", container], quiet=True)
        lines = [line for line in (logs.stdout + logs.stderr).splitlines() if line.strip()]
        parsed = [json.loads(line) for line in lines]
        leaks = [line for line in lines if TOKEN.split(":")[1] in line or SECRET in line]
        print(
            f"   {len(parsed)} log lines, every one a JSON object; lines holding the token or the secret: {len(leaks)}"
        )
        print(f"   first: {lines[0][:160]}")
        assert code == "0" and not leaks
    finally:
        run([engine, "rm", "-f", container], check=False, quiet=True)
        api.stop_thread()
        asyncio.run(_database(args.database_url, name, create=False))
    print("\nverified: every step above")


if __name__ == "__main__":
    main()
