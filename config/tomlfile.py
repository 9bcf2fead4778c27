"""Reading TOML files so that every failure names the file, the line or key, and the problem."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from config.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
# pydantic prefixes the message of a ValueError raised in a validator; the operator needs only ours.
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed document, or a :class:`ConfigError` with the line of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", "not UTF-8 text") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE.search(str(exc))
        where = f"line {match.group(1)}, column {match.group(2)}" if match else ""
        problem = _LINE.sub("", str(exc)).strip() or "invalid TOML"
        raise ConfigError(str(path), where, f"invalid TOML: {problem}") from exc


def key_path(loc: Sequence[str | int]) -> str:
    """``("principles", 2, "name")`` as ``principles[2].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validate(model: type[M], data: dict[str, Any], source: str) -> M:
    """``data`` validated as ``model``; the first problem becomes a :class:`ConfigError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        message = first["msg"]
        for prefix in _PYDANTIC_PREFIXES:
            message = message.removeprefix(prefix)
        if first["type"] == "extra_forbidden":
            message = "unknown key" + _suggestion(model, loc)
        elif first["type"] == "missing":
            message = "required key is missing"
        raise ConfigError(source, key_path(loc), message) from exc


def _suggestion(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """``; did you mean language?`` for a misspelt top-level key, else nothing."""
    if len(loc) != 1 or not isinstance(loc[0], str):
        return ""
    close = difflib.get_close_matches(loc[0], list(model.model_fields), n=1)
    return f"; did you mean {close[0]}?" if close else ""
