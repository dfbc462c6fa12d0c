"""No table of the console draws a missing cell as Streamlit's grey "None" (it reads as a bug): every
st.dataframe call of the pages and of dashboard/ui passes `placeholder` (ui.MISSING, "—", or a word of
its own). Columns where "nothing" has a meaning say it in words in their frames (tested with them:
tests/batches/test_frames.py, tests/test_audit_view.py, the page tests)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dataframe_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text())
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dataframe"
    ]


def test_every_table_says_what_a_missing_cell_is():
    files = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/ui/*.py")])
    calls, without = 0, []
    for path in files:
        name = str(path.relative_to(ROOT))
        for call in dataframe_calls(path):
            calls += 1
            if not any(kw.arg == "placeholder" for kw in call.keywords):
                without.append(f"{name}:{call.lineno}")
    assert calls >= 22  # the scan sees the tables
    assert not without, f"st.dataframe without placeholder= (Streamlit would show a grey 'None'): {without}"
