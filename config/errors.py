"""The one error type for malformed configuration: it names the file, the place and the problem."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration file could not be used; ``str()`` reads ``file: where: problem``."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source = source
        self.where = where
        self.problem = problem
        super().__init__(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")
