"""The console as `make run` starts it (`streamlit run app.py`), for the tests that need the real server:
a free loopback port, a temporary data folder, no API key (so the built-in sandbox runs), healthy on
entry and its whole process group gone on exit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.processes import free_port, stop_group

REPO = Path(__file__).resolve().parents[2]


def streamlit_bin() -> Path:
    streamlit = REPO / ".venv" / "bin" / "streamlit"
    if not streamlit.exists():  # same interpreter, other venv layout (e.g. CI image)
        streamlit = Path(sys.executable).with_name("streamlit")
    assert streamlit.exists(), f"{streamlit} missing: run `make venv`"
    return streamlit


def console_env(data_dir: Path, transactions: int, **extra: str) -> dict[str, str]:
    """This process's environment less every ENIGMAPAY_ / STREAMLIT_ setting, plus the console's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENIGMAPAY_", "STREAMLIT_"))}
    env.update(
        ENIGMAPAY_DATA_DIR=str(data_dir),
        ENIGMAPAY_SANDBOX_TRANSACTIONS=str(transactions),
        # Empty values beat a developer's .env / secrets.toml: no credentials -> the built-in sandbox.
        ENIGMAPAY_API_KEY="",
        ENIGMAPAY_SECRET_KEY="",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2, trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen,
    tail: Callable[[], str],
    timeout_s: float,
    interval: float = 0.3,
) -> None:
    """Poll `condition` until true; fail with the server log's tail if the server exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode} before {what}:\n{tail()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {timeout_s} s:\n{tail()}")
        time.sleep(interval)


def launch(cmd: list[str], env: dict[str, str], output) -> subprocess.Popen:
    """`cmd` from the repository's root in a process group of its own (for stop_group), stdout and
    stderr to `output` (a file, or subprocess.DEVNULL), no stdin."""
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


@contextmanager
def running_console(
    log_path: Path, env: dict[str, str], timeout_s: float, health_path: str = "/healthz"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """(root URL, process) of `streamlit run app.py` with `env`, once `health_path` answers 200."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The command `make run` runs, plus where to listen.
    cmd = [str(streamlit_bin()), "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    with log_path.open("w", encoding="utf-8") as log:
        log.write(f"$ {' '.join(cmd)}\n")
        log.flush()
        process = launch(cmd, env, log)
        try:
            tail = lambda: log_path.read_text(encoding="utf-8", errors="replace")[-3000:]  # noqa: E731
            wait_for(lambda: healthy(url + health_path), "health answer", process, tail, timeout_s, 0.25)
            yield url, process
        finally:
            stop_group(process)
