"""Target 1 (upstream economy): 20 browser sessions on Balances and Overview for 3 minutes make
<= 1 call to /ibans per minute per process, and far fewer to /settings.

How: one sandbox; 20 threads, each its own AppTest session of console.py (one process, like one
server), alternating Overview and Balances runs back to back (a busy operator clicking around;
Balances' own st.fragment refresh is a subset of that). The sandbox counts every call
(`state.call_counts()`); we print calls per minute per endpoint against page runs per minute.
`--minutes` shortens the run; bench/README.md records the 3-minute figure.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

from bench._common import ROOT, header, info, quiet, use_sandbox, verdict


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench upstream")
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--minutes", type=float, default=3.0)
    args = p.parse_args(argv)
    quiet()
    header(f"upstream: {args.sessions} sessions on Balances/Overview for {args.minutes:g} min")

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.sandbox import SandboxConfig, run_in_thread

    srv = run_in_thread(SandboxConfig())
    tmp = tempfile.TemporaryDirectory()
    runs = [0] * args.sessions
    errors: list[str] = []
    stop = threading.Event()
    try:
        use_sandbox(srv.base_url, tmp.name)
        srv.state.reset_stats()

        def session(n: int) -> None:
            at = AppTest.from_file(str(ROOT / "console.py"), default_timeout=120)
            pages = ("pages/overview.py", "pages/balances.py")
            k = n  # sessions start on different pages
            while not stop.is_set():
                try:
                    at.switch_page(pages[k % 2])
                    at.run()
                    if at.exception:
                        errors.append(str(at.exception[0].message)[:200])
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                runs[n] += 1
                k += 1

        threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in range(args.sessions)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for t in threads:
            t.join(120)
        minutes = (time.perf_counter() - t0) / 60
        calls = srv.state.call_counts()
    finally:
        stop.set()
        st.cache_resource.clear()
        st.cache_data.clear()
        srv.stop()
        tmp.cleanup()

    total_runs = sum(runs)
    print(
        f"  {total_runs} page runs in {minutes:.2f} min ({total_runs / minutes:.0f} runs/min, "
        f"{len(errors)} with errors)"
    )
    for key in sorted(calls):
        print(
            f"  {key}: {calls[key]} calls = {calls[key] / minutes:.2f}/min "
            f"({calls[key] / max(total_runs, 1):.4f} per page run)"
        )
    if errors:
        info("upstream", f"first error: {errors[0]}")
    ibans = calls.get("GET /ibans", 0) / minutes
    settings = calls.get("GET /settings", 0) / minutes
    # A 60 s TTL can refetch at t=0 and t=60+, so a run of m minutes allows ceil(m)+1 fetches at most.
    verdict("upstream /ibans", ibans, 1.0 + 1.0 / minutes, "/ibans calls per minute (one process)")
    verdict("upstream /settings", settings, 0.5 + 1.0 / minutes, "/settings calls per minute")
    verdict("upstream errors", float(len(errors)), 0.0, "page runs with errors")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
