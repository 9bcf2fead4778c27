"""Errors an operator must fix: each is one paragraph naming the setting, file or line and the fix.

They are raised where the problem is found (settings, files, the database, a platform at start-up)
and translated once, by the command line (:func:`bot.cli.main`), into ``<label>: <message>`` on
stderr and the error's exit code: 2 for something to correct in the settings, files or command,
3 for a service (the database, a chat platform) that could not be reached.
"""

from __future__ import annotations

CORRECT_AND_RETRY = 2
SERVICE_UNREACHABLE = 3


class OperatorError(Exception):
    """A failure the operator can fix; ``str()`` is the whole paragraph they are shown."""

    label = "error"

    def __init__(self, message: str, *, exit_code: int = CORRECT_AND_RETRY) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class ConfigError(OperatorError):
    """A configuration file could not be used; ``str()`` reads ``file: where: problem``."""

    label = "configuration error"

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source = source
        self.where = where
        self.problem = problem
        super().__init__(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")
