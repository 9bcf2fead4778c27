"""The domain stays platform- and database-free, so it can be tested with plain objects."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = (
    "telegram",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "aiohttp",
    "alembic",
    "bot",
    "storage",
    "apscheduler",
)
DOMAIN = Path(__file__).resolve().parent.parent / "facilitation"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_platform_or_database_library() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) > 20
    offenders = {str(f.relative_to(DOMAIN)): sorted(_imports(f) & set(FORBIDDEN)) for f in files}
    assert {f: bad for f, bad in offenders.items() if bad} == {}


def test_every_swedish_text_has_an_english_one() -> None:
    import facilitation.barometer
    import facilitation.barometer.flow
    import facilitation.meetings
    import facilitation.prioritisation
    import facilitation.prioritisation.flow
    import facilitation.texts  # noqa: F401
    from facilitation.i18n import keys
    from facilitation.model import Language

    missing = keys(Language.SV) - keys(Language.EN)
    assert missing == set()


ROOT = DOMAIN.parent
#: Modules that must sit in no import cycle (counting imports under TYPE_CHECKING and inside
#: functions): the exercises receive a declared context instead of importing the conversation,
#: the service gets the exercises' round rules from the registry, and the simulation drives the
#: local mode's session through a protocol instead of importing it back; the e-mail wiring reads
#: the running bot through its ``EmailHost`` protocol instead of naming ``bot.app.App``.
ACYCLIC = (
    "facilitation.exercises",
    "facilitation.barometer",
    "facilitation.prioritisation",
    "facilitation.service",
    "facilitation.conversation",
    "bot.local",
    "bot.simulation",
    "bot.slack.modal",
    "bot.mail",
)


def _module_graph() -> dict[str, set[str]]:
    """Every module of the project with the project modules it imports anywhere in its file."""
    files = {
        ".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): f
        for package in ("bot", "config", "facilitation", "storage")
        for f in (ROOT / package).rglob("*.py")
    }

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        named: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                named.add(node.module)
                named.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[module] = {m for m in map(known, named) if m and m != module}
    return graph


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    return seen


def test_exercises_service_conversation_and_local_mode_sit_in_no_import_cycle() -> None:
    graph = _module_graph()
    watched = [m for m in graph if m.startswith(ACYCLIC)]
    assert len(watched) > 20
    assert {m: "imports itself back" for m in watched if m in _reaches(graph, m)} == {}
