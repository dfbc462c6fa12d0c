"""Load test of the callback route on the real server, started as `make run` starts it.

`streamlit run app.py` (st.App: Streamlit plus our /healthz and /callbacks/{token} routes) runs as a
subprocess on a free loopback port, with a temporary data folder, a known callback token and the
built-in sandbox. Then many concurrent callback POSTs -- distinct (transaction_id, status) pairs
plus deliberate duplicate deliveries -- bounded in time; then the SQLite store is opened and every
acknowledged event must be stored exactly once (a duplicate as one row with its deliveries
counted), and nothing may be missing unless every delivery of it was refused.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dashboard.journal import status_key
from dashboard.store import Store
from tests.helpers.console import console_env, running_console

TOKEN = "load-test-callback-token-0123456789"
THREADS = 16
TRANSACTIONS = 500  # x 2 statuses = 1,000 distinct events
STATUSES = ("Processing", "Completed")
DUPLICATE_EVERY = 10  # every 10th event is delivered a second time: 100 duplicates
FIRST_ID = 50_000_001  # far beyond the sandbox's history: the server's verification flags them, never drops them
STARTUP_TIMEOUT_S = 45
LOAD_DEADLINE_S = 60


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The console on a free port; yields (root URL, data folder); the process group dies at teardown."""
    data_dir = tmp_path / "data"
    env = console_env(data_dir, 500, ENIGMAPAY_CALLBACK_TOKEN=TOKEN)
    with running_console(tmp_path / "server.log", env, STARTUP_TIMEOUT_S) as (url, _process):
        yield url, data_dir


def _deliveries() -> list[dict]:
    events = [
        {
            "transaction_id": FIRST_ID + i,
            "status": status,
            "amount": f"{100 + i}.{i % 100:02d}",
            "username": f"load{i % 37}",
            "description": "load test",
            "completed_at": None,
        }
        for i in range(TRANSACTIONS)
        for status in STATUSES
    ]
    duplicates = [dict(e) for e in events[::DUPLICATE_EVERY]]
    deliveries = events + duplicates
    random.Random(7).shuffle(deliveries)
    return deliveries


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_concurrent_callbacks_to_the_running_server_are_stored_exactly_once(server):
    url, data_dir = server
    endpoint = f"{url}/callbacks/{TOKEN}"
    deliveries = _deliveries()
    local = threading.local()
    clients: list[httpx.Client] = []
    clients_lock = threading.Lock()
    stop_at = time.monotonic() + LOAD_DEADLINE_S

    def post(body: dict) -> tuple[tuple[int, str], int | str, float]:
        pair = (body["transaction_id"], status_key(body["status"])[0])
        if time.monotonic() > stop_at:
            return pair, "not sent (deadline)", 0.0
        client = getattr(local, "client", None)
        if client is None:  # one keep-alive connection per worker thread
            client = local.client = httpx.Client(trust_env=False, timeout=10)
            with clients_lock:
                clients.append(client)
        started = time.perf_counter()
        try:
            answer = client.post(endpoint, json=body)
            outcome: int | str = answer.status_code
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        return pair, outcome, time.perf_counter() - started

    # The first callback opens the store and the sandbox's client: not part of the measurement.
    warm = post({"transaction_id": FIRST_ID - 1, "status": "Pending"})
    assert warm[1] == 200, warm
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(post, deliveries))
    finally:
        for client in clients:
            client.close()
    elapsed = time.perf_counter() - started

    outcomes = Counter(outcome for _, outcome, _ in results)
    acked = Counter(pair for pair, outcome, _ in results if outcome == 200)
    sent = Counter(pair for pair, outcome, _ in results if outcome != "not sent (deadline)")
    latencies = sorted(seconds for _, outcome, seconds in results if outcome == 200)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(
        f"\ncallback load: {len(results)} POSTs ({len(set(sent))} distinct events, "
        f"{len(results) - len(set(sent))} duplicates) from {THREADS} threads in {elapsed:.2f} s = "
        f"{len(results) / elapsed:.0f} events/s; p50 {p50:.1f} ms, p99 {p99:.1f} ms; answers {dict(outcomes)}"
    )

    store = Store.in_dir(data_dir / "sandbox")  # sandbox mode keeps its records in a subfolder
    try:
        rows = [r for r in store.callbacks.events(limit=1_000_000) if r.transaction_id >= FIRST_ID]
    finally:
        store.close()
    stored = Counter((r.transaction_id, r.status) for r in rows)
    deliveries_counted = {(r.transaction_id, r.status): r.delivery_count for r in rows}

    assert outcomes[200] == len(results), f"every POST should be acknowledged on loopback: {dict(outcomes)}"
    assert elapsed < LOAD_DEADLINE_S
    # Every acknowledged event is stored exactly once; a duplicate is one row with both deliveries counted.
    assert all(stored[pair] == 1 for pair in acked), [p for p in acked if stored[p] != 1][:5]
    assert all(deliveries_counted[pair] == n for pair, n in acked.items())
    assert sum(1 for n in acked.values() if n == 2) == TRANSACTIONS * len(STATUSES) // DUPLICATE_EVERY
    # Nothing is missing unless every delivery of it was refused, and nothing appears that was not sent.
    missing = set(sent) - set(stored)
    assert all(acked[pair] == 0 for pair in missing)
    assert set(stored) <= set(sent)
    assert len(stored) == TRANSACTIONS * len(STATUSES)
