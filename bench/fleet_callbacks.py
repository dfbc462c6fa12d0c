"""Fleet target (issue 12): callback intake on PostgreSQL with one replica and with two, against SQLite
in the same run: rate, p50/p99, and none lost (every acknowledged event stored exactly once).

How: for each set-up in turn -- SQLite (one replica, the data folder's file), PostgreSQL one replica,
PostgreSQL two replicas (one throwaway Debian server, `tests/helpers/postgres.py`, a fresh database
per set-up) -- the replicas are `streamlit run app.py` processes (`make run`'s command, built-in
sandbox, known ENIGMAPAY_CALLBACK_TOKEN). 16 client threads POST distinct callbacks (unique
transaction ids) for `--seconds`, client i to replica i mod n, timing each and keeping the ids
acknowledged with 200. Afterwards the store is read through the console's own code (same settings,
`services.records()`): every acknowledged id must be stored, and no id more than once.

Baseline: SQLite's rate in the same run (the figure bench/callbacks.py tracks). The clients share the
2 cores with the servers (and PostgreSQL), so every rate is client-bound as much as server-bound.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from bench._common import ROOT, free_port, header, info, percentile, process, quiet, verdict, wait_http
from bench._server import TOKEN, streamlit_args

SETUPS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2))


@dataclass
class Result:
    name: str
    seconds: float
    acked: set[int] = field(default_factory=set)
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    stored: int = 0
    lost: int = 0
    duplicated: int = 0

    @property
    def rate(self) -> float:
        return len(self.acked) / self.seconds


def _env(data_dir: str, url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENIGMAPAY_")}
    env.update(
        ENIGMAPAY_DATA_DIR=data_dir,
        ENIGMAPAY_CALLBACK_TOKEN=TOKEN,
        ENIGMAPAY_AUTH_DISABLED="true",
        ENIGMAPAY_SANDBOX_TRANSACTIONS="2000",  # the built-in sandbox is not what is measured
    )
    if url:
        env["ENIGMAPAY_DATABASE_URL"] = url
    return env


@contextlib.contextmanager
def replicas(count: int, env: dict[str, str]) -> Iterator[list[str]]:
    log_dir = ROOT / "artifacts" / "bench"
    with contextlib.ExitStack() as stack:
        urls = []
        for n in range(count):
            port = free_port()
            proc = stack.enter_context(
                process(streamlit_args("app.py", port), env=env, log=log_dir / f"fleet-callbacks-{n}.log")
            )
            urls.append((f"http://127.0.0.1:{port}", proc))
        for url, proc in urls:
            wait_http(url + "/healthz", 120, proc=proc, interval=0.05)
        yield [url for url, _ in urls]


def hammer(urls: list[str], seconds: float, clients: int, first_id: int, result: Result) -> None:
    import orjson

    lock = threading.Lock()
    counter = iter(range(first_id, first_id + 10**8))
    stop = time.perf_counter() + seconds

    def worker(n: int) -> None:
        url = urls[n % len(urls)] + f"/callbacks/{TOKEN}"
        acked, lat, failed = [], [], 0
        with httpx.Client(trust_env=False, timeout=30) as client:
            while time.perf_counter() < stop:
                with lock:
                    tx = next(counter)
                body = orjson.dumps({"transaction_id": tx, "status": "Completed", "amount": "150.00", "username": "b"})
                t0 = time.perf_counter()
                try:
                    good = client.post(url, content=body).status_code == 200
                except httpx.HTTPError:
                    good = False
                lat.append(time.perf_counter() - t0)
                if good:
                    acked.append(tx)
                else:
                    failed += 1
        with lock:
            result.acked.update(acked)
            result.latencies.extend(lat)
            result.failed += failed

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def count_stored(env: dict[str, str], first_id: int, result: Result) -> None:
    """Read the store as the replicas wrote it (same settings, the console's own store code)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    from dashboard import services

    services.reset()
    store = services.records().store
    rows = store.engine.read(
        "SELECT transaction_id, count(*) AS n FROM callback_events WHERE transaction_id >= ? GROUP BY transaction_id",
        (first_id,),
    )
    counts = {r["transaction_id"]: r["n"] for r in rows}
    result.stored = sum(counts.values())
    result.lost = len(result.acked - counts.keys())
    result.duplicated = sum(n - 1 for n in counts.values())
    backend = services.backend()
    store.close()
    backend.close()
    services.reset()
    os.environ.clear()
    os.environ.update(saved)


@contextlib.contextmanager
def postgres() -> Iterator[object]:
    from tests.helpers.postgres import PostgresServer

    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


def measure(engine: str, count: int, server, seconds: float, clients: int, first_id: int) -> Result:
    name = f"{engine}, {count} replica{'s' if count > 1 else ''}"
    with tempfile.TemporaryDirectory() as data_dir:
        url = server.create_database(f"intake_{engine}_{count}") if engine == "postgresql" else None
        env = _env(data_dir, url)
        with replicas(count, env) as urls:
            with httpx.Client(trust_env=False, timeout=30) as client:
                for base in urls:  # opens each replica's services before the clock starts
                    client.post(base + f"/callbacks/{TOKEN}", json={"transaction_id": 1, "status": "Completed"})
            result = Result(name, seconds)
            hammer(urls, seconds, clients, first_id, result)
        time.sleep(0.2)
        count_stored(env, first_id, result)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench fleet_callbacks")
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--clients", type=int, default=16)
    args = p.parse_args(argv)
    quiet()
    header(f"fleet callbacks: {args.clients} clients for {args.seconds:g} s per set-up, SQLite vs PostgreSQL")
    results: list[Result] = []
    with postgres() as server:
        for n, (engine, count) in enumerate(SETUPS):
            results.append(measure(engine, count, server, args.seconds, args.clients, 900_000_000 + n * 10**8))
    base = results[0]
    for r in results:
        print(
            f"  {r.name}: {len(r.acked)} acknowledged ({r.rate:,.0f}/s, {r.rate / base.rate:.2f}x SQLite), "
            f"{r.failed} refused/failed; p50 {percentile(r.latencies, 50) * 1000:.1f} ms, "
            f"p99 {percentile(r.latencies, 99) * 1000:.1f} ms; stored {r.stored}, lost {r.lost}, "
            f"duplicated {r.duplicated}"
        )
    for r in results:
        verdict(f"callbacks lost ({r.name})", float(r.lost + r.duplicated), 0.0, "acknowledged not stored exactly once")
    for r in results[1:]:
        info("fleet_callbacks", f"{r.name}: {r.rate / base.rate:.2f}x SQLite's rate in the same run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
