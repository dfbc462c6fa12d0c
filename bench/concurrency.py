"""Target 4 (concurrency): the history of 20 IBANs with 200 ms added latency per request in <= 2x
the time of one request, with progress shown.

How: a sandbox of 20 IBANs with `Faults(latency_ms=200)` on every endpoint; the console's own
`data_access.load_history` (bare mode: its caches work without a Streamlit runtime) fetches the
Transactions page's default range (7 days: one page per IBAN) with a progress callback that counts
calls. Baseline: one `/transactions` request of one IBAN through the same client. A one-year range
(several pages per IBAN) is reported too: pages of one IBAN follow each other's `next_page_url`,
so that figure is (pages per IBAN) x latency at best.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta

from bench._common import best_of, header, info, ms, quiet, use_sandbox, verdict


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench concurrency")
    p.add_argument("--ibans", type=int, default=20)
    p.add_argument("--latency-ms", type=float, default=200)
    p.add_argument("--transactions", type=int, default=30_000)
    args = p.parse_args(argv)
    quiet()
    header(f"concurrency: {args.ibans} IBANs, {args.latency_ms:g} ms latency per request")

    import streamlit as st

    from dashboard import data_access
    from dashboard.sandbox import Faults, SandboxConfig, run_in_thread
    from dashboard.timeutil import now

    srv = run_in_thread(
        SandboxConfig(transactions=args.transactions, ibans=args.ibans, faults=Faults(latency_ms=args.latency_ms))
    )
    tmp = tempfile.TemporaryDirectory()
    try:
        use_sandbox(srv.base_url, tmp.name)
        client = data_access.backend().client
        ibans = client.list_ibans()
        today = now(data_access.settings().timezone).date()
        one, _ = best_of(lambda: list(client.iter_transaction_pages(ibans[0].id, today - timedelta(days=6), today)), 3)

        for label, days in (("7 days (the page's default)", 7), ("1 year", 365)):
            calls: list[tuple[int, int]] = []
            data_access.refresh_all()
            before = srv.state.call_counts().get("GET /transactions", 0)
            t0 = time.perf_counter()
            loaded = data_access.load_history(
                ibans,
                today - timedelta(days=days - 1),
                today,
                lambda done, total, _iban, calls=calls: calls.append((done, total)),
            )
            took = time.perf_counter() - t0
            requests = srv.state.call_counts().get("GET /transactions", 0) - before
            assert loaded.ok, loaded.error
            progress = sum(1 for done, _ in calls if done > 0)
            print(
                f"  {label}: {len(loaded.value):,} rows, {requests} requests, {ms(took)} vs one request {ms(one)}"
                f" ({took / one:.2f}x); progress calls with an IBAN done: {progress} of {len(ibans)}"
            )
            if days == 7:
                verdict("concurrency", took / one, 2.0, "20-IBAN fetch / one request")
                verdict("progress", 0.0 if progress == len(ibans) else 1.0, 0.0, "IBANs without a progress call")
            else:
                pages = requests / len(ibans)
                info(
                    "concurrency",
                    f"1 year: {pages:.1f} pages per IBAN, each page waits for the previous one's "
                    f"next_page_url: floor ~{pages * one:.1f} s, measured {took:.1f} s",
                )
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
        srv.stop()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
