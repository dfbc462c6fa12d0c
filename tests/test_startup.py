"""Start-up of the real server (`streamlit run app.py`): nothing touches Streamlit's caches before
its runtime exists (each such touch logs "No runtime found, using MemoryCacheStorageManager" and
would use a throw-away cache instead of the runtime's)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dashboard.store import Store, default_path
from tests.helpers.processes import free_port, stop_group

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 60


def _wait_for(condition, what: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


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
    streamlit = REPO / ".venv" / "bin" / "streamlit"
    if not streamlit.exists():
        streamlit = Path(sys.executable).with_name("streamlit")
    data_dir, log_path, port = tmp_path / "data", tmp_path / "server.log", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENIGMAPAY_", "STREAMLIT_"))}
    env.update(
        ENIGMAPAY_DATA_DIR=str(data_dir),
        ENIGMAPAY_SANDBOX_TRANSACTIONS="500",
        ENIGMAPAY_API_KEY="",
        ENIGMAPAY_SECRET_KEY="",
        PYTHONUNBUFFERED="1",
    )
    cmd = [
        str(streamlit),
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_for(lambda: _healthy(f"http://127.0.0.1:{port}"), "health answer", process, log_path)
            # The background's first tick has used the cached loaders once the first snapshot is stored.
            _wait_for(lambda: _has_balance_snapshot(data_dir), "balance snapshot", process, log_path)
        finally:
            stop_group(process)
    output = log_path.read_text()
    assert "No runtime found" not in output, output[-3000:]
