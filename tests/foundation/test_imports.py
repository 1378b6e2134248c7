"""Imports run one way, at the top of each module (docs/design.md "Architecture contracts").

import-linter sees only the graph; an import moved inside a function hides a cycle from a reader
but not from Python, and is how cycles crept in before. Only Django's ``AppConfig.ready`` may
import project modules late (its documented place to connect signals).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "exports", "notices", "privacy", "control", "public", "api", "demo")


def _late_imports(source: str) -> list[tuple[int, str]]:
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(node.lineno, n) for n in names if n.split(".")[0] in PACKAGES]
    return found


def test_the_check_finds_an_import_inside_a_function():
    source = "import os\n\ndef f():\n    from exports.tasks import run_export\n    return os\n"
    assert _late_imports(source) == [(4, "exports.tasks")]
    assert (
        _late_imports("class A:\n    def ready(self):\n        from portal import signals\n") == []
    )


def test_no_project_module_is_imported_inside_a_function():
    late = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for line, name in _late_imports(path.read_text())
    ]
    assert late == []
