"""docs/architecture.md is the map of the code: its tables of apps (what each builds on) and of
the ticket event hook's handlers are checked here against the code, so the page cannot drift."""

import ast
import re
from pathlib import Path

from django.apps import apps

from deskside.tickets import hooks

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text()
PACKAGE = ROOT / "deskside"


def _table(heading: str) -> list[list[str]]:
    """The rows of the first table under `heading` (cells stripped, header and rule dropped)."""
    section = DOC.split(f"## {heading}", 1)[1]
    table: list[list[str]] = []
    for line in section.splitlines():
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip("|").split("|")])
        elif table:
            break
    del table[:2]  # the header and its rule
    return table


def _deskside_apps() -> list[str]:
    return sorted(
        config.name.split(".", 1)[1]
        for config in apps.get_app_configs()
        if config.name.startswith("deskside.")
    )


def _imported_apps(app: str, known: set[str]) -> set[str]:
    found = set()
    for path in (PACKAGE / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "deskside" and len(parts) > 1 and parts[1] in known:
                    found.add(parts[1])
    found.discard(app)
    return found


def test_the_apps_table_lists_every_app_and_what_it_builds_on():
    table = {row[0]: row[1] for row in _table("The apps and who may import whom")}
    assert sorted(table) == _deskside_apps()
    known = set(table)
    for app, builds_on in table.items():
        documented = set() if builds_on == "-" else {a.strip() for a in builds_on.split(",")}
        assert _imported_apps(app, known) == documented, app


def test_no_import_cycle_between_apps():
    known = set(_deskside_apps())
    graph = {app: _imported_apps(app, known) for app in known}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    assert [app for app in known if reaches(app, app, {app})] == []
    assert graph["core"] == set()


def test_the_hook_table_is_every_registered_handler_and_its_kinds():
    documented = {
        row[0]: (row[1], {kind.strip() for kind in row[2].split(",")})
        for row in _table("Cross-app reactions: the ticket event hook")
    }
    registered = {
        r.name: (f"{r.handler.__module__}.{r.handler.__qualname__}", {str(k) for k in r.kinds})
        for r in hooks.registrations()
    }
    assert registered == documented


def test_only_core_looks_at_the_database_vendor():
    users = sorted(
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and re.search(r"connection\.vendor|\.vendor\s*==", path.read_text())
    )
    assert users and all(path.startswith("deskside/core/") for path in users), users
    for path in users:
        assert f"`core.{Path(path).stem}`" in DOC
