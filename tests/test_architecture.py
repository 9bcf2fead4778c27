"""The domain stays platform- and database-free, so it can be tested with plain objects."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = ("telegram", "slack_bolt", "slack_sdk", "sqlalchemy", "aiohttp", "alembic", "bot", "storage",
             "apscheduler")
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
    import facilitation.exercises.barometer
    import facilitation.exercises.prioritisation
    import facilitation.meetings
    import facilitation.prioritisation
    import facilitation.texts  # noqa: F401
    from facilitation.i18n import keys
    from facilitation.model import Language

    missing = keys(Language.SV) - keys(Language.EN)
    assert missing == set()
