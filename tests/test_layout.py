"""The layout's own rules (ARCHITECTURE.md), checked so they stay walls rather than habits.

Import rules are import-linter contracts in pyproject.toml (run by `make test`); these tests keep
those contracts complete and the rooms small.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
CATALOGUES = {ROOT / "dashboard/i18n/tr.py"}  # translations: one long dict by nature


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_no_module_under_dashboard_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _python_files("dashboard")
        if p not in CATALOGUES
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these (at most {MAX_MODULE_LINES} lines): {long}"


def test_no_function_is_over_60_lines():
    files = [*_python_files("dashboard", "pages"), ROOT / "app.py", ROOT / "console.py"]
    long = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert not long, f"split these (at most {MAX_FUNCTION_LINES} lines): {long}"


def _contract(name_start: str) -> dict:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_start))


def _top_level_modules() -> set[str]:
    found = set()
    for path in (ROOT / "dashboard").iterdir():
        if path.name.startswith("_"):
            continue
        if path.suffix == ".py" or (path / "__init__.py").exists():
            found.add(f"dashboard.{path.stem}")
    return found


def test_import_contracts_name_every_room():
    """A new module under dashboard/ must be placed in the walls, or they would not cover it."""
    rooms = _top_level_modules()
    client_may_not = set(_contract("The client is an SDK")["forbidden_modules"])
    assert rooms - {"dashboard.client"} <= client_may_not, rooms - client_may_not
    streamlit_free = set(_contract("Only dashboard/ui")["source_modules"])
    assert rooms - {"dashboard.ui", "dashboard.data_access"} <= streamlit_free, rooms - streamlit_free
    pages_may_not = set(_contract("Pages import only")["forbidden_modules"])
    assert rooms - {"dashboard.ui", "dashboard.data_access", "dashboard.client"} <= pages_may_not
