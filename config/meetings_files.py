"""The meetings files: ``[[signatories]]``/``[[meetings]]`` tables in TOML, read and checked.

Where they are (``meetings_dir``, default the packaged examples in ``config/meetings/``, and the
process files) and how a malformed one is reported (a :class:`ConfigError` naming the file, the
key and the problem). Parsing is the domain's (:func:`facilitation.meetings.parse_meetings`).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from pathlib import Path

from config.catalogue import load_processes
from config.errors import ConfigError
from config.settings import Settings
from config.tomlfile import read_toml
from facilitation.meetings import ContactKeys, MeetingsConfig, MeetingsConfigError, parse_meetings
from facilitation.pseudonym import Pseudonymizer

PACKAGED_MEETINGS = Path(__file__).resolve().parent / "meetings"


def load_meetings_configs(
    paths: Iterable[Path], pseudonymizer: Pseudonymizer | None, known_processes: Collection[str] | None = None
) -> list[MeetingsConfig]:
    """Every ``[[signatories]]``/``[[meetings]]`` in the TOML files or directories, merged per process.

    ``pseudonymizer`` is the installation's: derived contact keys are keyed hashes under its
    secret (None only to check files without importing them; see :class:`ContactKeys`).
    A malformed file, or one naming a process not in ``known_processes`` (when given: a misspelt
    key would otherwise import meetings nobody runs), is a :class:`ConfigError` naming the file,
    the key and the problem.
    """
    contact_keys = ContactKeys(pseudonymizer)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.exists():
            files.append(path)
    merged: dict[str, MeetingsConfig] = {}
    for file in files:
        document = read_toml(file)
        if "signatories" not in document and "meetings" not in document:
            continue
        try:
            config = parse_meetings(document, str(file), contact_keys=contact_keys)
        except MeetingsConfigError as exc:
            raise ConfigError(exc.file, exc.key_path, exc.problem) from exc
        if known_processes is not None and config.process_key not in known_processes:
            raise ConfigError(str(file), "process.key", unknown_process(config.process_key, known_processes))
        if config.process_key in merged:
            earlier = merged[config.process_key]
            config = MeetingsConfig(
                config.process_key,
                earlier.signatories + config.signatories,
                earlier.meetings + config.meetings,
            )
        merged[config.process_key] = config
    return list(merged.values())


def unknown_process(key: str, known: Collection[str]) -> str:
    """The problem with a process key that no process file defines, with the likely meant one."""
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"no process {key!r} is defined; {hint}the processes are: {', '.join(sorted(known)) or 'none'} "
        "(correct the key, or add the process file to processes_dir)"
    )


def meetings_paths(settings: Settings) -> list[Path]:
    """The meetings directory (``meetings_dir``, default the packaged examples) and the process files."""
    return [
        Path(settings.meetings_dir) if settings.meetings_dir else PACKAGED_MEETINGS,
        Path(settings.processes_dir),
    ]


def configured_meetings(settings: Settings, pseudonymizer: Pseudonymizer | None) -> list[MeetingsConfig]:
    """The meetings configuration the bot imports on start, checked against the process files."""
    return load_meetings_configs(
        meetings_paths(settings), pseudonymizer, set(load_processes(settings.processes_dir))
    )
