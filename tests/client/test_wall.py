"""The client is a self-contained SDK: nothing under dashboard/client/ imports the rest of dashboard."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "dashboard" / "client"


def _imported_modules(path: Path) -> list[str]:
    """Every absolute module an `import` or `from ... import` in the file names (relative ones stay inside)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_client_module_imports_the_rest_of_dashboard():
    files = sorted(CLIENT.rglob("*.py"))
    assert len(files) > 5
    outside = {
        f"{path.relative_to(CLIENT)}: {name}"
        for path in files
        for name in _imported_modules(path)
        if (name == "dashboard" or name.startswith("dashboard."))
        and not (name == "dashboard.client" or name.startswith("dashboard.client."))
    }
    assert not outside


def test_importing_the_client_loads_no_other_dashboard_module():
    code = (
        "import sys, dashboard.client, dashboard.client.checks, dashboard.client.times; "
        "print(sorted(m for m in sys.modules if m.startswith('dashboard.') and not m.startswith('dashboard.client')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
