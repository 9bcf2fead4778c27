"""Process files re-read while the bot runs: on a change (a timer compares the files' mtimes),
on SIGHUP, or after ``dialogbot processes reload``.

Each file is read as at start-up (:func:`config.catalogue.load_process`, with the same precise
``file: where: problem`` errors). A file that does not read keeps the process it defined last
time (a broken file never removes a working process), and so does a file that was deleted (a
workshop of it may be running: it goes at the next restart). A new file adds its process; a
changed one replaces its process — in place, in the one ``processes`` mapping the service and
conversation read, so every part of the bot sees the new version at once.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from config.catalogue import load_process
from config.errors import ConfigError
from facilitation.model import Process

log = logging.getLogger(__name__)

Snapshot = dict[str, tuple[int, int]]


def snapshot(directory: Path) -> Snapshot:
    """Every ``*.toml`` file of ``directory`` with its mtime (ns) and size; a change of either is a change."""
    files: Snapshot = {}
    try:
        paths = sorted(directory.glob("*.toml"))
    except OSError:
        return files
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        files[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return files


@dataclass
class Reloaded:
    """What one reload did: process keys added and replaced, and each problem as one sentence."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ProcessReloader:
    """Keeps ``processes`` (the mapping the running bot reads) in step with ``directory``."""

    def __init__(self, directory: Path, processes: MutableMapping[str, Process]) -> None:
        self.directory = directory
        self.processes = processes
        self.seen: Snapshot = snapshot(directory)
        #: Which file defines which process (learnt as files are read).
        self.origin: dict[str, str] = {}
        for path in self.seen:
            try:
                self.origin[load_process(Path(path)).key] = path
            except ConfigError:
                pass

    def changed(self) -> bool:
        return snapshot(self.directory) != self.seen

    def check(self) -> Reloaded | None:
        """Reload if a file changed since the last look (None: nothing changed)."""
        return self.reload() if self.changed() else None

    def reload(self, *, everything: bool = False) -> Reloaded:
        """Read the changed files again (``everything``: every file, also one whose time and size
        did not change, as a reload asked for by the operator does: a file copied with its time
        kept looks unchanged); a problem is logged as one line and keeps the process it had."""
        now = snapshot(self.directory)
        outcome = Reloaded()
        if not self.directory.is_dir():
            outcome.problems.append(
                f"{self.directory}: the processes directory does not exist any more; every process is kept"
            )
        for path in sorted(now):
            unchanged = self.seen.get(path) == now[path] and any(p == path for p in self.origin.values())
            if unchanged and not everything:
                continue  # unchanged and read before
            try:
                process = load_process(Path(path))
            except ConfigError as error:
                kept = [key for key, origin in self.origin.items() if origin == path]
                outcome.problems.append(
                    f"{error} (the file was not loaded; "
                    + (f"process {kept[0]!r} keeps its earlier version)" if kept else "no process was added)")
                )
                continue
            elsewhere = self.origin.get(process.key)
            if elsewhere is not None and elsewhere != path and elsewhere in now:
                outcome.problems.append(
                    f"{path}: process.key: {process.key!r} is already defined in {elsewhere} "
                    "(the file was not loaded)"
                )
                continue
            if process.key in self.processes:
                if self.processes[process.key] != process:
                    outcome.replaced.append(process.key)
            else:
                outcome.added.append(process.key)
            self.processes[process.key] = process
            self.origin[process.key] = path
        self.seen = now
        for problem in outcome.problems:
            log.error("process files: %s", problem)
        if outcome.added or outcome.replaced:
            log.warning(
                "process files re-read: added %s; replaced %s",
                ", ".join(outcome.added) or "none",
                ", ".join(outcome.replaced) or "none",
            )
        return outcome
