"""One console replica for the fleet benchmark (`bench/fleet_upstream.py`), run as its own process:

    python -m bench._replica --sessions 10 --report out.json      (settings from the environment)

It runs what a `streamlit run app.py` process runs, minus the HTTP server: app.py's lifespan (the
background work: balance snapshots, settling, callback verification, and whatever else the
lifespan starts) and `--sessions` AppTest sessions of console.py alternating Overview and Balances,
all sharing this process's caches and services as a server's browser sessions do.

Protocol with the driver: prints "ready" once every session has rendered once, waits for a line
on stdin ("go"), runs for `--minutes`, then writes `--report` (JSON) and exits. The report counts
what this replica did that must not be done twice in a fleet: each scheduled settle check as
(operation id, its attempt number), each callback verification status check as its transaction id,
and where its `/ibans` calls came from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
import traceback
from collections import Counter

from bench._common import ROOT, quiet

_local = threading.local()


def _instrument(report: dict) -> None:
    """Count, in this process, the work the fleet must not duplicate (wrapping, not changing, it)."""
    from dashboard.callbacks.verifying import Verifying
    from dashboard.client import EnigmaPayClient
    from dashboard.journal.settling import Settling

    lock = threading.Lock()
    ibans: Counter[str] = Counter()
    report["ibans_by"] = ibans
    scheduled_settle, verify_one, history = (
        Settling._scheduled_settle,
        Verifying._verify_transaction,
        Settling._history,
    )
    list_ibans = EnigmaPayClient.list_ibans

    def settle_wrapper(self, op):
        with lock:
            report["settles"].append([op.id, op.settle_attempts])
        return scheduled_settle(self, op)

    def verify_wrapper(self, client, transaction_id, group, stop):
        with lock:
            report["verifications"].append(transaction_id)
        return verify_one(self, client, transaction_id, group, stop)

    def history_wrapper(self, client, start):
        _local.settling = True
        try:
            yield from history(self, client, start)
        finally:
            _local.settling = False

    def list_ibans_wrapper(self, *args, **kwargs):
        with lock:
            ibans["settling" if getattr(_local, "settling", False) else "pages and snapshots"] += 1
        return list_ibans(self, *args, **kwargs)

    Settling._scheduled_settle = settle_wrapper
    Verifying._verify_transaction = verify_wrapper
    Settling._history = history_wrapper
    EnigmaPayClient.list_ibans = list_ibans_wrapper


def _apptest_in_threads() -> None:
    """AppTest is made for one test at a time: each run installs a mock Runtime singleton and sets it
    back to None when done, so with sessions in threads one session's end pulls the Runtime from
    under another's start ("Runtime hasn't been created!", and that session hangs). Keep answering
    with the last Runtime seen. AppTest also turns Streamlit's legacy pages/ folder mode back on
    every run; the server (app.py) turns it off, so do the same (as tests/pages/conftest.py does)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.pages_manager import PagesManager

    last: list = []

    def instance(cls):
        current = cls._instance
        if current is not None:
            last[:] = [current]
            return current
        if last:
            return last[0]
        raise RuntimeError("Runtime hasn't been created!")

    Runtime.instance = classmethod(instance)
    original_init = PagesManager.__init__

    def without_legacy_pages_mode(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = without_legacy_pages_mode


def _sessions(count: int, stop: threading.Event, runs: list[int], errors: list[str], think: float) -> list:
    from streamlit.testing.v1 import AppTest

    pages = ("pages/overview.py", "pages/balances.py")
    warmed = threading.Barrier(count + 1)

    def session(n: int) -> None:
        at = AppTest.from_file(str(ROOT / "console.py"), default_timeout=120)
        k, first = n, True
        while first or not stop.is_set():
            try:
                at.switch_page(pages[k % 2])
                at.run()
                if at.exception:
                    errors.append(str(at.exception[0].message)[:200])
            except Exception as exc:
                # AppTest itself (not the console) sometimes fails to read the previous run's widget
                # states when sessions run in threads beside the background work (KeyError on a
                # widget's format_func); the session is then stuck, so open a new one, as a browser
                # reload would.
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                at = AppTest.from_file(str(ROOT / "console.py"), default_timeout=120)
            if first:
                first = False
                warmed.wait()
            else:
                runs[n] += 1
            k += 1
            time.sleep(think)

    threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in range(count)]
    for t in threads:
        t.start()
    warmed.wait()
    return threads


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench._replica")
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--think", type=float, default=0.0, help="seconds between one session's page runs")
    p.add_argument("--report", required=True)
    args = p.parse_args(argv)
    quiet()
    report: dict = {"settles": [], "verifications": [], "runs": 0, "errors": []}
    _instrument(report)
    _apptest_in_threads()

    import importlib

    app_module = importlib.import_module("app")  # the server's module: its lifespan is the background work
    stop = threading.Event()
    runs = [0] * args.sessions
    errors: list[str] = []
    loop = asyncio.new_event_loop()
    background_done = threading.Event()

    async def serve() -> None:
        async with app_module.lifespan(None):
            while not stop.is_set():
                await asyncio.sleep(0.2)
        background_done.set()

    bg = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    try:
        bg.start()
        threads = _sessions(args.sessions, stop, runs, errors, args.think)
        print("ready", flush=True)
        sys.stdin.readline()  # the driver says go once every replica is ready
        for key in ("settles", "verifications"):
            report[key].clear()  # count the measured minutes only, not the warm-up
        report["ibans_by"].clear()
        report["started"] = time.time()
        time.sleep(args.minutes * 60)
        stop.set()
        for t in threads:
            t.join(120)
        background_done.wait(30)
        report["stopped"] = time.time()
    except Exception:
        report["errors"].append(traceback.format_exc()[-2000:])
        stop.set()
    report["runs"] = sum(runs)
    report["errors"] += errors[:20]
    report["error_count"] = len(errors)
    report["ibans_by"] = dict(report["ibans_by"])
    with open(args.report, "w") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
