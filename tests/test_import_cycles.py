"""No two modules of the project import each other, directly or through others, when loaded.

`lint-imports` (pyproject.toml) checks which app may import which; it has no contract for
cycles between single modules that ignores imports inside function bodies, and those are the
ones that are allowed: a task imports the service it calls inside the task body, so the
service can import the tasks module to queue it.
"""

import ast
from functools import cache
from pathlib import Path

import grimp

PACKAGES = ("peermentor", "accounts", "profiles", "matching", "contracts", "checkins")
REPO_ROOT = Path(__file__).resolve().parents[1]


def _source_file(module: str) -> Path:
    path = REPO_ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@cache
def _lines_inside_functions(module: str) -> frozenset[int]:
    tree = ast.parse(_source_file(module).read_text())
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return frozenset(lines)


def _import_time_graph() -> grimp.ImportGraph:
    """The project's import graph without the imports that run only when a function is called."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            details = graph.get_import_details(importer=importer, imported=imported)
            inside = _lines_inside_functions(importer)
            if details and all(detail["line_number"] in inside for detail in details):
                graph.remove_import(importer=importer, imported=imported)
    return graph


def _cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    cycles = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.add(tuple(sorted(back)))  # the chain starts and ends the circle
    return sorted(cycles)


def test_no_module_imports_itself_back_through_other_modules():
    graph = _import_time_graph()
    assert {"accounts.tasks", "checkins.services.meetings", "matching.engine"} <= graph.modules

    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_circle_of_three_modules():
    graph = grimp.ImportGraph()
    for importer, imported in [("app.a", "app.b"), ("app.b", "app.c"), ("app.c", "app.a")]:
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="app.c", imported="app.d")

    assert _cycles(graph) == [("app.a", "app.b", "app.c")]
