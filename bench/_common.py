"""Shared helpers: timing, same-run baselines, verdict lines, memory probes, sandbox/server set-up.

Every benchmark prints its own figures, the baseline measured in the same run, the ratio, and
PASS/MISS against the issue's target. These machines are noisy, so a figure is the best (minimum)
of a few repeats unless said otherwise, and the baseline is repeated the same way.
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
RESULTS: list[tuple[str, bool | None, str]] = []
SHARED: dict = {}  # objects handed from a benchmark to the scripts it runs under AppTest


def best_of(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """(min seconds, last result) over `repeat` runs, collecting garbage between runs."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def verdict(name: str, value: float, limit: float, what: str) -> bool:
    """Print and remember one target line: `value` (a ratio or a rate) must be <= `limit`."""
    ok = value <= limit
    line = f"  [{'PASS' if ok else 'MISS'}] {name}: {what} = {value:.2f} (target <= {limit:g})"
    print(line, flush=True)
    RESULTS.append((name, ok, line))
    return ok


def info(name: str, text: str) -> None:
    print(f"  [INFO] {name}: {text}", flush=True)
    RESULTS.append((name, None, text))


def header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


# --- memory (Linux): peak resident set, resettable -------------------------------------------------


def rss_mib() -> float:
    return _status_kib("VmRSS") / 1024


def reset_peak() -> None:
    """Reset VmHWM (peak RSS) to the current RSS: `echo 5 > /proc/self/clear_refs` (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_mib() -> float:
    return _status_kib("VmHWM") / 1024


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


# --- processes and ports ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def process(
    args: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT, log: Path | None = None
) -> Iterator[subprocess.Popen]:
    """A child process in its own process group, terminated (then killed) on exit."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        args, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield proc
    finally:
        stop_group(proc)
        if log:
            out.close()


def stop_group(proc: subprocess.Popen) -> None:
    """End a child started with start_new_session=True and everything it started: TERM, then KILL."""
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(5)


def wait_http(url: str, timeout: float, *, proc: subprocess.Popen | None = None, interval: float = 0.01) -> float:
    """Seconds until GET `url` answers 200 (polling every `interval`); raises after `timeout`."""
    import httpx

    t0 = time.perf_counter()
    with httpx.Client(trust_env=False, timeout=2) as client:
        while True:
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                pass
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"{url} did not answer within {timeout} s")
            time.sleep(interval)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def use_sandbox(base_url: str, data_dir: str) -> None:
    """Point this process's console settings at the sandbox on `base_url`: every other ENIGMAPAY_ setting
    cleared, the sandbox's keys, sign-in off, data in `data_dir`."""
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

    for name in [n for n in os.environ if n.startswith("ENIGMAPAY_")]:
        del os.environ[name]
    os.environ.update(
        ENIGMAPAY_BASE_URL=base_url,
        ENIGMAPAY_API_KEY=SANDBOX_API_KEY,
        ENIGMAPAY_SECRET_KEY=SANDBOX_SECRET_KEY,
        ENIGMAPAY_AUTH_DISABLED="true",
        ENIGMAPAY_DATA_DIR=data_dir,
    )


def venv_bin(name: str) -> str:
    return str(Path(PYTHON).parent / name)


def quiet() -> None:
    """Keep benchmark output to the figures: no access logs, no Streamlit bare-mode warnings."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "httpx", "dashboard", "streamlit"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from streamlit import logger as st_logger

        st_logger.set_log_level("error")
    except Exception:
        pass
