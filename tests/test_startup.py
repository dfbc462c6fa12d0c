"""Start-up of the real server (`streamlit run app.py`): nothing touches Streamlit's caches before
its runtime exists (each such touch logs "No runtime found, using MemoryCacheStorageManager" and
would use a throw-away cache instead of the runtime's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.store import Store, default_path
from tests.helpers.console import console_env, running_console, wait_for

STARTUP_TIMEOUT_S = 60


def _has_balance_snapshot(data_dir: Path) -> bool:
    path = default_path(data_dir / "sandbox")
    if not path.exists():
        return False
    store = Store(path)
    try:
        return bool(store.balances.snapshots())
    finally:
        store.close()


@pytest.mark.slow
def test_start_up_touches_no_streamlit_cache_before_the_runtime_exists(tmp_path):
    data_dir, log_path = tmp_path / "data", tmp_path / "server.log"
    with running_console(log_path, console_env(data_dir, 500), STARTUP_TIMEOUT_S) as (_url, process):
        # The background's first tick has used the cached loaders once the first snapshot is stored.
        tail = lambda: log_path.read_text()[-3000:]  # noqa: E731
        wait_for(lambda: _has_balance_snapshot(data_dir), "balance snapshot", process, tail, STARTUP_TIMEOUT_S)
    output = log_path.read_text()
    assert "No runtime found" not in output, output[-3000:]
