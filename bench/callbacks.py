"""Target 5 (callback intake): sustained callbacks/s persisted by the running server on loopback,
p50/p99 latency, and a count proving none were lost.

How: `streamlit run app.py` (sandbox mode, known ENIGMAPAY_CALLBACK_TOKEN, fresh data folder);
16 client threads POST distinct callbacks (unique transaction_id) for `--seconds`, each timing
its request; every 200 must be a stored row. Afterwards the store
(`<data_dir>/sandbox/console.sqlite3`, callback_events) is counted: stored == acknowledged.
Baseline: the same clients against the server's `/healthz` (no storage), for the same time: how
much of the rate is the HTTP stack and how much the intake.
"""

from __future__ import annotations

import argparse
import sqlite3
import threading
import time

import httpx

from bench._common import header, info, percentile, quiet, verdict, wait_http
from bench._server import TOKEN, console_server


def _hammer(url: str, seconds: float, clients: int, body_for) -> tuple[int, int, list[float]]:
    ok, bad, lat = [0], [0], []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    def worker() -> None:
        mine: list[float] = []
        with httpx.Client(trust_env=False, timeout=30) as client:
            while time.perf_counter() < stop:
                with lock:
                    n = next(counter)
                t0 = time.perf_counter()
                try:
                    r = client.post(url, content=body_for(n)) if body_for else client.get(url)
                    good = r.status_code == 200
                except httpx.HTTPError:
                    good = False
                mine.append(time.perf_counter() - t0)
                with lock:
                    (ok if good else bad)[0] += 1
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok[0], bad[0], lat


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench callbacks")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--clients", type=int, default=16)
    args = p.parse_args(argv)
    quiet()
    header(f"callbacks: {args.clients} clients for {args.seconds:g} s against streamlit run app.py")
    import orjson

    base_id = 900_000_000

    def body(n: int) -> bytes:
        return orjson.dumps(
            {
                "transaction_id": base_id + n,
                "status": "Completed",
                "amount": "150.00",
                "username": "bench",
                "description": "bench",
            }
        )

    with console_server("callbacks-server.log") as (url, _launched, data_dir, proc):
        wait_http(url + "/healthz", 120, proc=proc)
        httpx.post(url + f"/callbacks/{TOKEN}", content=body(10**8), trust_env=False, timeout=30)  # opens services
        h_ok, _, h_lat = _hammer(url + "/healthz", args.seconds / 2, args.clients, None)
        ok, bad, lat = _hammer(url + f"/callbacks/{TOKEN}", args.seconds, args.clients, body)
        time.sleep(0.5)
        db = data_dir / "sandbox" / "console.sqlite3"
        with sqlite3.connect(db) as con:
            stored = con.execute(
                "SELECT count(*) FROM callback_events WHERE transaction_id >= ? AND transaction_id < ?",
                (base_id, base_id + 10**8),
            ).fetchone()[0]
    rate, health_rate = ok / args.seconds, h_ok / (args.seconds / 2)
    print(
        f"  callbacks: {ok} acknowledged ({rate:,.0f}/s), {bad} refused/failed; "
        f"p50 {percentile(lat, 50) * 1000:.1f} ms, p99 {percentile(lat, 99) * 1000:.1f} ms"
    )
    print(
        f"  baseline /healthz with the same clients: {health_rate:,.0f}/s, p50 {percentile(h_lat, 50) * 1000:.1f} ms, "
        f"p99 {percentile(h_lat, 99) * 1000:.1f} ms; intake rate / healthz rate = {rate / health_rate:.2f}"
    )
    print(f"  stored rows {stored} vs acknowledged {ok}")
    info("callbacks", f"{rate:,.0f} callbacks/s persisted (synchronous=FULL SQLite commits)")
    verdict("callbacks lost", float(ok - stored), 0.0, "acknowledged but not stored")
    verdict("callbacks failed", float(bad), 0.0, "requests not acknowledged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
