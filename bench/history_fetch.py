"""Issue 13, fetching: a cold year of 1M transactions over 20 IBANs, sandbox pages with 20 ms latency,
to the cached frame in <= 2x a bare httpx client fetching the same pages with the same concurrency
plus `orjson.loads`; a warm refresh and the first view after a restart in <= IBANs x the look-back's
pages and <= 0.2x the cold time.

How: one standalone sandbox process (`python -m dashboard.sandbox`, `--transactions` over `--ibans`,
`--latency-ms` on every request; its own process, as the API is another machine: it does not share
the measured process's GIL), the console pointed at it in bare mode (`use_sandbox`, data in a
temporary folder).
- Cold: `data_access.load_history` of the last 365 days (the Transactions page's year), caches empty,
  `ENIGMAPAY_PAGE_CONCURRENCY` pages in flight for the whole client. Baseline: a bare `httpx.Client`
  with the same headers, one thread per IBAN asking page 1, then pages 2..last on `concurrency`
  threads per IBAN, every request under one semaphore of `concurrency` (what the console does: the
  bound is per client, first pages included), `orjson.loads` of every body and nothing else. The console once
  (with the mirror a second run would not be cold), the baseline best of `--repeat`.
- With the mirror, the cold load's writes into it are waited for (and timed) before the warm part.
- Warm refresh: `data_access.refresh_all()` (the sidebar's Refresh) then the same load.
- The warm refresh's own mirror writes (its look-back days, started once its frame is served) are
  waited for (and timed) before the restarts: a restarted process starts after the old one ended.
- First view after a restart, `--restarts` times (3): each a new process (`python -m
  bench.history_fetch --restarted`) on the same data folder and sandbox loads the same year; it reports
  its own load time, process CPU and the loader's step timings (`MirrorSync.last_steps`), and ends
  after its own mirror writes (a process exiting waits for its writer threads), so the next one starts
  on a settled mirror. Every run is printed; the verdicts take the slowest one.
Requests are the sandbox's count of `GET /transactions` (`/__sandbox__/stats`). The look-back's pages: per IBAN,
ceil(rows of today and the `--look-back-days` (ENIGMAPAY_MIRROR_LOOKBACK_DAYS) days before it / page
size), at least one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bench._common import (
    PYTHON,
    ROOT,
    best_of,
    free_port,
    header,
    info,
    ms,
    process,
    quiet,
    use_sandbox,
    verdict,
    wait_http,
)

PER_PAGE = 1000  # the sandbox's default page size, as the API's


def year(tz: str):
    from dashboard.timeutil import now

    today = now(tz).date()
    return today - timedelta(days=364), today


def bare_fetch(base_url: str, ibans, start, end, concurrency: int) -> tuple[int, int]:
    """(records, requests): every page of every IBAN, pages 2..last of each asked for concurrently,
    `concurrency` requests in flight at most for the whole client (first pages too), each body
    through `orjson.loads`, nothing kept."""
    import httpx
    import orjson

    from dashboard.client._base import x_hash
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

    headers = {"X-API-Key": SANDBOX_API_KEY, "X-Hash": x_hash(SANDBOX_API_KEY, SANDBOX_SECRET_KEY)}
    counts = {"records": 0, "requests": 0}
    lock = threading.Lock()
    in_flight = threading.BoundedSemaphore(concurrency)  # per client, as ENIGMAPAY_PAGE_CONCURRENCY

    with httpx.Client(base_url=base_url, headers=headers, trust_env=False, timeout=60) as http:

        def page(iban_id: int, number: int) -> dict:
            params = {"iban_id": iban_id, "start_date": str(start), "end_date": str(end), "page": number}
            with in_flight:
                content = http.get("/transactions", params=params).raise_for_status().content
            body = orjson.loads(content)
            with lock:
                counts["records"] += len(body["data"])
                counts["requests"] += 1
            return body

        def one(iban_id: int) -> None:
            last = page(iban_id, 1)["last_page"]
            if last > 1:
                with ThreadPoolExecutor(max_workers=concurrency) as pool:
                    for _ in pool.map(lambda n: page(iban_id, n) and None, range(2, last + 1)):
                        pass

        with ThreadPoolExecutor(max_workers=len(ibans)) as pool:
            list(pool.map(one, [i.id for i in ibans]))
    return counts["records"], counts["requests"]


def look_back_pages(frame, tz: str, days: int) -> int:
    from dashboard.timeutil import now

    since = now(tz).date() - timedelta(days=days)  # today, and the look-back's days before it
    recent = frame.loc[frame["created_at"].dt.date >= since]
    per_iban = recent.groupby("iban_id", observed=True).size()
    return sum(max(1, math.ceil(per_iban.get(i, 0) / PER_PAGE)) for i in frame["iban_id"].unique())


def restarted() -> int:
    """The child: a fresh process on the same data folder loads the year once and says how long it took."""
    quiet()
    from dashboard import data_access

    ibans = data_access.load_ibans().value
    start, end = year(data_access.settings().timezone)
    t0, cpu = time.perf_counter(), time.process_time()
    loaded = data_access.load_history(ibans, start, end)
    took, cpu = time.perf_counter() - t0, time.process_time() - cpu
    rows = len(loaded.value) if loaded.value is not None else -1
    error = str(loaded.error) if loaded.error else None
    print(json.dumps({"seconds": took, "cpu": cpu, "rows": rows, "error": error, "steps": _steps()}))
    return 0


def _steps() -> dict[str, float]:
    """The mirror loader's step timings of its latest load (empty without a mirror)."""
    from dashboard import services

    mirror = getattr(services, "history_mirror", lambda: None)()
    return {k: round(v, 3) for k, v in getattr(mirror, "last_steps", {}).items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench history_fetch")
    p.add_argument("--transactions", type=int, default=1_000_000)
    p.add_argument("--ibans", type=int, default=20)
    p.add_argument("--latency-ms", type=float, default=20)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument(
        "--look-back-days", type=int, default=3, help="unless the console has ENIGMAPAY_MIRROR_LOOKBACK_DAYS"
    )
    p.add_argument("--sequential", action="store_true", help="also time fetch_history with 1 page in flight")
    p.add_argument("--restarts", type=int, default=3, help="first views after a restart, each a new process")
    p.add_argument("--restarted", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.restarted:
        return restarted()
    quiet()
    header(
        f"history_fetch: {args.transactions:,} transactions, {args.ibans} IBANs, "
        f"{args.latency_ms:g} ms latency per page"
    )
    import httpx
    import streamlit as st

    from dashboard import data_access

    t0, port = time.perf_counter(), free_port()
    root = f"http://127.0.0.1:{port}"
    sandbox = [PYTHON, "-m", "dashboard.sandbox", "--port", str(port), "--ibans", str(args.ibans)]
    sandbox += ["--transactions", str(args.transactions), "--latency-ms", str(args.latency_ms)]
    log = ROOT / "artifacts" / "bench" / "history_fetch-sandbox.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory()
    with process(sandbox, log=log) as proc, httpx.Client(trust_env=False) as admin:
        wait_http(root + "/__sandbox__/health", 300, proc=proc, interval=0.2)
        use_sandbox(root + "/api/dealer", tmp.name)

        def requests() -> int:
            return admin.get(root + "/__sandbox__/stats").json()["calls"].get("GET /transactions", 0)

        try:
            return measure(args, data_access, root + "/api/dealer", requests, t0)
        finally:
            st.cache_resource.clear()
            st.cache_data.clear()
            tmp.cleanup()


def measure(args, data_access, base_url: str, requests, t0: float) -> int:
    client = data_access.backend().client
    ibans = data_access.load_ibans().value
    tz = data_access.settings().timezone
    start, end = year(tz)
    concurrency = client.page_concurrency
    info("history_fetch", f"sandbox of {args.transactions:,} rows up in {time.perf_counter() - t0:.1f} s")

    def cold():
        data_access.refresh_all()
        loaded = data_access.load_history(ibans, start, end)
        assert loaded.ok, loaded.error
        return loaded.value

    before = requests()
    console, frame = best_of(cold, 1)  # once: with the mirror a second run is no longer cold
    cold_requests = requests() - before
    bare, (records, bare_requests) = best_of(lambda: bare_fetch(base_url, ibans, start, end, concurrency), args.repeat)
    print(f"  cold year: {len(frame):,} rows, {cold_requests} requests, console {ms(console)} to the cached frame")
    print(
        f"  bare httpx + orjson.loads, {concurrency} pages in flight per client: {records:,} records, "
        f"{bare_requests} requests, {ms(bare)}"
    )
    verdict("history_fetch cold", console / bare, 2.0, "console / bare client")
    if args.sequential:  # the fetch alone (history.fetch, no cache, no mirror), with and without the fan-out
        from dashboard.history.fetch import fetch_history

        fanned, _ = best_of(lambda: fetch_history(client, ibans, start, end, tz)[0] is None, 1)
        client.page_concurrency = 1  # the walk along next_page_url, as before issue 13
        sequential, _ = best_of(lambda: fetch_history(client, ibans, start, end, tz)[0] is None, 1)
        client.page_concurrency = concurrency
        info(
            "history_fetch",
            f"fetch_history alone: {concurrency} pages in flight per client {ms(fanned)}, "
            f"one page after another (page_concurrency=1) {ms(sequential)}",
        )
    days = getattr(data_access.settings(), "mirror_lookback_days", None) or args.look_back_days
    allowed = look_back_pages(frame, tz, days)
    del frame
    settled(ibans, (start, end), tz)
    warm_refresh(data_access, ibans, (start, end), requests, allowed, console)
    settled_after_warm()
    restarts(args.restarts, requests, allowed, console)
    return 0


def settled(ibans, dates, tz: str) -> None:
    """With the mirror: wait for the cold load's writes (a refresh would wait for them first), say how
    long they ran on, and what the planner would fetch now."""
    from dashboard import services

    mirror = getattr(services, "history_mirror", lambda: None)()
    if mirror is None:
        info("history_fetch", "no history mirror: every load fetches the whole range")
        return
    t0 = time.perf_counter()
    mirror.wait_for_writes(timeout=900)
    info("history_fetch", f"the cold year's mirror writes ran on {time.perf_counter() - t0:.1f} s after its frame")
    plans = mirror.plans(ibans, *dates, tz)
    days = sum((last - first).days + 1 for ranges in plans.values() for first, last in ranges)
    ranges = sum(len(r) for r in plans.values())
    info("history_fetch", f"the planner would now fetch {ranges} ranges, {days} days, over {len(plans)} IBANs")


def warm_refresh(data_access, ibans, dates, requests, allowed: int, cold: float) -> None:
    """The sidebar's Refresh, then the same year again."""
    data_access.refresh_all()
    before, t1, cpu = requests(), time.perf_counter(), time.process_time()
    loaded = data_access.load_history(ibans, *dates)
    warm, warm_requests, cpu = time.perf_counter() - t1, requests() - before, time.process_time() - cpu
    assert loaded.ok, loaded.error
    print(
        f"  warm refresh: {len(loaded.value):,} rows, {warm_requests} requests, {ms(warm)} (process CPU {cpu:.1f} s); "
        f"look-back pages {allowed}"
    )
    info("history_fetch", f"warm refresh steps (s): {_steps()}")
    verdict("history_fetch warm requests", warm_requests / allowed, 1.0, "requests / (look-back pages)")
    verdict("history_fetch warm time", warm / cold, 0.2, "warm refresh / cold")


def settled_after_warm() -> None:
    """The warm refresh's own mirror writes (its look-back days) start once its frame is served. A
    restarted process starts after the old one ended, so after those writes: the benchmark waits for
    them before the first restart (without the wait the new process would race them for the CPU and
    SQLite's write lock, which a real restart never does)."""
    from dashboard import services

    mirror = getattr(services, "history_mirror", lambda: None)()
    if mirror is not None:
        t0 = time.perf_counter()
        mirror.wait_for_writes(timeout=900)
        info(
            "history_fetch", f"the warm refresh's mirror writes ran on {time.perf_counter() - t0:.1f} s after its frame"
        )


def restarts(count: int, requests, allowed: int, cold: float) -> None:
    """`count` first views after a restart, one after another, each a new process on the same data
    folder (each ends after its own mirror writes, as a process exiting waits for its writer threads).
    Every run is printed; the verdicts take the slowest run and the most requests."""
    runs = []
    for n in range(1, max(1, count) + 1):
        before = requests()
        child = subprocess.run(
            [PYTHON, "-m", "bench.history_fetch", "--restarted"],
            cwd=ROOT,
            env=dict(os.environ),
            capture_output=True,
            timeout=600,
            check=True,
        )
        result = json.loads(child.stdout.decode().strip().splitlines()[-1])
        result["requests"] = requests() - before
        runs.append(result)
        print(
            f"  first view after a restart #{n}: {result['rows']:,} rows, {result['requests']} requests, "
            f"{ms(result['seconds'])} = {result['seconds'] / cold:.2f}x cold, process CPU {result['cpu']:.1f} s "
            f"(error: {result['error']}); "
            f"steps (s) {result['steps']}",
            flush=True,
        )
    slowest = max(r["seconds"] for r in runs)
    verdict(
        "history_fetch restart requests",
        max(r["requests"] for r in runs) / allowed,
        1.0,
        "requests / (look-back pages)",
    )
    verdict(
        "history_fetch restart time", slowest / cold, 0.2, f"slowest of {len(runs)} first views after restart / cold"
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
