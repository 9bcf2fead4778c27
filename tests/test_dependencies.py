"""What is installed is what the code uses, pinned once.

An operator installs ``-c constraints.txt``: every package it pins must be one the bot (or its
tests) really pulls in, at the version the tests ran with, and every dependency declared in
pyproject.toml must be used by the code — an unused extra (python-telegram-bot's ``webhooks``
pulled in tornado, ``rate-limiter`` aiolimiter) is attack surface and upgrade work for nothing.
Private modules of a library (``telegram._utils``) may change in any patch release, so the code
imports none.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("bot", "facilitation", "storage", "config")
# Drivers SQLAlchemy loads by the name in the database URL, never by an import of ours.
URL_DRIVERS = {"aiosqlite": "sqlite+aiosqlite", "asyncpg": "postgresql+asyncpg"}
# Packages an extra adds that the library itself imports for the part of it we use.
LIBRARY_RUNTIME = {"greenlet": "SQLAlchemy's asyncio layer (create_async_engine) runs on greenlets"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _code_files() -> list[Path]:
    return [f for d in CODE_DIRS for f in sorted((ROOT / d).rglob("*.py"))]


def _imported_modules(files: list[Path]) -> set[str]:
    """Every absolute module path imported in ``files`` (``a.b.c`` for ``from a.b import c`` too)."""
    names: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def _top_modules(dist: str) -> set[str]:
    """The importable top-level names a distribution installs."""
    return {
        module
        for module, dists in md.packages_distributions().items()
        if any(canonicalize_name(d) == canonicalize_name(dist) for d in dists)
    }


def _requirements(dist: str, extras: set[str]) -> list[Requirement]:
    """``dist``'s requirements that apply here with ``extras`` requested."""
    out = []
    for text in md.requires(dist) or []:
        req = Requirement(text)
        envs = [{"extra": e} for e in extras] or [{"extra": ""}]
        if req.marker is None or any(req.marker.evaluate(env) for env in envs):
            out.append(req)
    return out


def _closure(roots: list[Requirement]) -> set[str]:
    """Canonical names of everything ``roots`` pull in, transitively, on this interpreter."""
    seen: set[str] = set()
    queue = list(roots)
    while queue:
        req = queue.pop()
        key = canonicalize_name(req.name) + "[" + ",".join(sorted(req.extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        queue.extend(_requirements(req.name, set(req.extras)))
    return {k.split("[")[0] for k in seen}


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    project = _pyproject()["project"]
    return [Requirement(r) for r in project["dependencies"]]


def test_every_declared_dependency_is_used_by_the_code() -> None:
    imported = _imported_modules(_code_files())
    roots = {m.split(".")[0] for m in imported}
    source = "\n".join(f.read_text(encoding="utf-8") for f in _code_files())
    unused = []
    for req in _declared():
        name = canonicalize_name(req.name)
        if name in URL_DRIVERS:
            if URL_DRIVERS[name] not in source:
                unused.append(req.name)
        elif not _top_modules(req.name) & roots:
            unused.append(req.name)
    assert unused == []


def test_no_extra_pulls_in_a_package_the_code_never_imports() -> None:
    """An extra's own additions (beyond the package's plain requirements) must each be imported,
    or be what the library itself needs for the way we use it (``LIBRARY_RUNTIME``)."""
    roots = {m.split(".")[0] for m in _imported_modules(_code_files())}
    unused = {}
    for req in _declared():
        if not req.extras:
            continue
        plain = {canonicalize_name(r.name) for r in _requirements(req.name, set())}
        added = {canonicalize_name(r.name) for r in _requirements(req.name, set(req.extras))} - plain
        idle = sorted(d for d in added if not _top_modules(d) & roots and d not in LIBRARY_RUNTIME)
        if idle:
            unused[f"{req.name}[{','.join(sorted(req.extras))}]"] = idle
    assert unused == {}


def test_constraints_pin_exactly_what_is_installed_with_the_tests() -> None:
    """constraints.txt = the closure of ``dialogbot[test]``, each at the version installed here."""
    project = _pyproject()["project"]
    roots = _declared() + [Requirement(r) for r in project["optional-dependencies"]["test"]]
    closure = _closure(roots)
    pins = _pins()
    assert sorted(closure - set(pins)) == [], "required but not pinned"
    assert sorted(set(pins) - closure) == [], "pinned but required by nothing"
    wrong = {name: (pin, md.version(name)) for name, pin in pins.items() if md.version(name) != pin}
    assert wrong == {}


def test_the_code_imports_no_private_module_of_a_library() -> None:
    own = set(CODE_DIRS) | {"tests", "bench"}
    files = _code_files() + sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))
    private = sorted(
        m
        for m in _imported_modules(files)
        if m.split(".")[0] not in own and any(re.match(r"_[a-z]", part) for part in m.split(".")[1:])
    )
    assert private == []


def test_the_license_file_is_the_license_the_metadata_names() -> None:
    declared = _pyproject()["project"]["license"]["text"]
    first_line = (ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()[0]
    assert declared == "MIT"
    assert first_line == "MIT License"
