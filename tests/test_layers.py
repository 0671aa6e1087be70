"""The house rules that keep the code easy to change: layers as declared in pyproject.toml, no import
circles, modules of a readable size, and Textual's private parts touched only in `textual_compat`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui_app"
LONGEST_MODULE = 450


def test_the_layer_contracts_in_pyproject_are_kept() -> None:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--config", str(ROOT / "pyproject.toml")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def import_circles() -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (type-only imports too)."""
    graph = grimp.build_graph("tui_app")
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return circles


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert import_circles() == []


def test_no_module_is_longer_than_a_few_hundred_lines() -> None:
    long = {str(path.relative_to(ROOT)): lines for path in PACKAGE.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE}
    assert long == {}


def private_textual_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found += [name for name in names if name.startswith("textual") and any(
            part.startswith("_") for part in name.split("."))]
    return found


def test_only_textual_compat_imports_textuals_private_modules() -> None:
    outside = {str(path.relative_to(ROOT)): names for path in PACKAGE.rglob("*.py")
               if "textual_compat" not in path.parts and (names := private_textual_imports(path))}
    assert outside == {}


def test_every_package_is_installed() -> None:
    """A package missing from pyproject's list works in a checkout and is left out of a real install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "tui_app").rglob("__init__.py")}
    assert found - listed == set()
