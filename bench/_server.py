"""The console as `make run` starts it (`streamlit run app.py`), on a free port, sandbox mode."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench._common import ROOT, free_port, process, venv_bin

TOKEN = "bench-callback-token-0123456789"


def streamlit_args(script: str, port: int) -> list[str]:
    """`streamlit run SCRIPT` headless on a loopback port, no usage statistics."""
    args = [venv_bin("streamlit"), "run", script, "--server.port", str(port), "--server.headless", "true"]
    return args + ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]


@contextlib.contextmanager
def console_server(log_name: str) -> Iterator[tuple[str, float, Path, object]]:
    """(url, launch time.perf_counter(), data dir, process); stopped and cleaned on exit."""
    port = free_port()
    tmp = tempfile.TemporaryDirectory()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENIGMAPAY_")}
    env.update(ENIGMAPAY_DATA_DIR=tmp.name, ENIGMAPAY_CALLBACK_TOKEN=TOKEN, ENIGMAPAY_AUTH_DISABLED="true")
    args = streamlit_args("app.py", port)
    log_dir = ROOT / "artifacts" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    os.environ.clear()
    os.environ.update(env)
    launched = time.perf_counter()
    try:
        with process(args, log=log_dir / log_name) as proc:
            yield f"http://127.0.0.1:{port}", launched, Path(tmp.name), proc
    finally:
        tmp.cleanup()
