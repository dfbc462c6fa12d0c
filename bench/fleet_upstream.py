"""Fleet target (issue 12): two replicas with 10 sessions each for 3 minutes call `/ibans` at most once a
minute for the whole fleet, and never do the same verification or settle check twice.

How: ONE standalone sandbox (`python -m dashboard.sandbox`) is the upstream of both replicas; its call
counters (`/__sandbox__/stats`) are the fleet's calls. One PostgreSQL database (a throwaway Debian
server, `tests/helpers/postgres.py`; `--engine sqlite`: one shared SQLite file instead) holds the
store. Each replica is a `bench._replica` process: app.py's lifespan (the background work) plus 10
AppTest sessions of console.py alternating Overview and Balances. Before the start the store gets
`--events` callback events, `--events` more every 20 s (the verification loop checks them); at the
start of the measured minutes `--operations` payouts whose outcome is unknown (the settle loop
checks them at once, then backs off: 30 s, 1 min, 2 min).

Figures: `/ibans` calls per minute for the fleet (target <= 1; the baseline printed beside it is one
replica's budget, 1/min, so two replicas without fleet work make ~2/min), and duplicates: the same
(operation, attempt) settle check done by both replicas, the same callback transaction status-checked
twice (target 0 each). Each replica also says where its `/ibans` calls came from (settling's history
search asks `/ibans` directly, pages and snapshots through the 60 s cache).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from bench._common import PYTHON, ROOT, free_port, header, info, process, quiet, verdict, wait_http

TOKEN = "bench-fleet-callback-token-0123456789"
EVENT_IDS = 5_000_000_000  # callback transaction ids start here (unknown to the sandbox: checked, then flagged)


@contextlib.contextmanager
def database(engine: str, data_dir: str) -> Iterator[str | None]:
    """The shared database's URL (PostgreSQL), or None (SQLite in the shared data folder)."""
    if engine == "sqlite":
        yield None
        return
    from tests.helpers.postgres import PostgresServer

    server = PostgresServer.start()
    try:
        yield server.create_database("fleet_bench")
    finally:
        server.stop()


@contextlib.contextmanager
def sandbox(log_dir: Path) -> Iterator[str]:
    """A standalone sandbox process; its root URL."""
    port = free_port()
    args = [PYTHON, "-m", "dashboard.sandbox", "--port", str(port), "--transactions", "30000"]
    with process(args, log=log_dir / "fleet-sandbox.log") as proc:
        root = f"http://127.0.0.1:{port}"
        wait_http(root + "/__sandbox__/health", 120, proc=proc, interval=0.1)
        yield root


def replica_env(sandbox_root: str, data_dir: str, url: str | None) -> dict[str, str]:
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENIGMAPAY_")}
    env.update(
        ENIGMAPAY_BASE_URL=sandbox_root + "/api/dealer",
        ENIGMAPAY_API_KEY=SANDBOX_API_KEY,
        ENIGMAPAY_SECRET_KEY=SANDBOX_SECRET_KEY,
        ENIGMAPAY_AUTH_DISABLED="true",
        ENIGMAPAY_DATA_DIR=data_dir,
        ENIGMAPAY_CALLBACK_TOKEN=TOKEN,
        PYTHONUNBUFFERED="1",
    )
    if url:
        env["ENIGMAPAY_DATABASE_URL"] = url
    return env


class _UnknownOutcome:
    """A client whose payouts are sent but never answered: the journal records them as unknown."""

    def send_money(self, request):
        from dashboard.client.errors import OutcomeUnknownError

        raise OutcomeUnknownError("bench: the answer never came", operation="send-money")


def open_records(env: dict[str, str]) -> object:
    """The replicas' records, opened in this process with the same settings."""
    os.environ.clear()
    os.environ.update(env)
    from dashboard import services

    services.reset()
    return services.records()


def add_unknown_payouts(records, count: int) -> None:
    """`count` payouts whose answer never came: each replica's settle loop finds them due at once."""
    from dashboard import services
    from dashboard.client import models
    from dashboard.journal import Journal, new_operation_id

    journal = Journal(records.store, lambda: _UnknownOutcome(), audit=records.audit, tz=services.settings().timezone)
    for n in range(count):
        request = models.SendMoneyRequest(
            username=f"fleet{n}",
            amount=Decimal("1234.56") + n,
            customer_iban="TR330006100519786457841326",
            customer_name="Fleet Bench",
            description="",
        )
        journal.submit_payout(new_operation_id(), request, actor="bench", confirm_duplicate=True)


def add_events(records, start: int, count: int) -> None:
    for n in range(start, start + count):
        records.callbacks.accept(
            {"transaction_id": EVENT_IDS + n, "status_text": "Completed", "amount": "10.00", "username": "fleet"}
        )


def run_fleet(env: dict[str, str], args, log_dir: Path, records, sandbox_root: str) -> tuple[list[dict], dict, float]:
    reports = [Path(tempfile.mkstemp(suffix=".json")[1]) for _ in range(args.replicas)]
    procs = []
    try:
        for n, report in enumerate(reports):
            cmd = [PYTHON, "-m", "bench._replica", "--sessions", str(args.sessions), "--minutes", str(args.minutes)]
            procs.append(
                subprocess.Popen(
                    [*cmd, "--report", str(report)],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=open(log_dir / f"fleet-replica-{n}.log", "wb"),
                    start_new_session=True,
                    text=True,
                )
            )
        for proc in procs:
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"a replica did not start (see {log_dir}/fleet-replica-*.log)")
        with httpx.Client(trust_env=False, timeout=10) as client:
            client.post(sandbox_root + "/__sandbox__/stats/reset")
            t0 = time.perf_counter()
            for proc in procs:
                proc.stdin.write("go\n")
                proc.stdin.flush()
            add_unknown_payouts(records, args.operations)  # after the go: their first checks are measured
            sent, done = args.events, threading.Event()

            def more_events() -> None:
                nonlocal sent
                while not done.wait(20):
                    add_events(records, sent, args.events)
                    sent += args.events

            feeder = threading.Thread(target=more_events, daemon=True)
            feeder.start()
            for proc in procs:
                proc.wait(args.minutes * 60 + 240)
            done.set()
            minutes = (time.perf_counter() - t0) / 60
            calls = client.get(sandbox_root + "/__sandbox__/stats").json()["calls"]
        return [json.loads(r.read_text()) for r in reports], calls, minutes
    finally:
        from bench._common import stop_group

        for proc in procs:
            stop_group(proc)
        for r in reports:
            r.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench fleet_upstream")
    p.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--sessions", type=int, default=10, help="per replica")
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--operations", type=int, default=3, help="unknown payouts for the settle loop")
    p.add_argument("--events", type=int, default=100, help="callback events at the start and every 20 s")
    args = p.parse_args(argv)
    quiet()
    header(
        f"fleet upstream: {args.replicas} replicas x {args.sessions} sessions for {args.minutes:g} min "
        f"on {args.engine}, one sandbox"
    )
    log_dir = ROOT / "artifacts" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir, database(args.engine, data_dir) as url, sandbox(log_dir) as root:
        env = replica_env(root, data_dir, url)
        records = open_records(env)
        add_events(records, 0, args.events)
        reports, calls, minutes = run_fleet(env, args, log_dir, records, root)
        records.store.close()

    settles = Counter(tuple(s) for r in reports for s in r["settles"])
    verifications = Counter(t for r in reports for t in r["verifications"])
    for n, r in enumerate(reports):
        print(
            f"  replica {n}: {r['runs']} page runs ({r['error_count']} with errors), {len(r['settles'])} settle checks, "
            f"{len(r['verifications'])} verification checks, /ibans asked by {r['ibans_by']}"
        )
        for e in r["errors"][:3]:
            print(f"    error: {e.splitlines()[-1] if e else e}")
    print(f"  sandbox calls in {minutes:.2f} min: " + ", ".join(f"{k} {v}" for k, v in sorted(calls.items())))
    ibans_per_minute = calls.get("GET /ibans", 0) / minutes
    print(
        f"  /ibans for the fleet: {calls.get('GET /ibans', 0)} calls = {ibans_per_minute:.2f}/min "
        f"(one replica's budget: 1/min; {args.replicas} replicas each on their own: ~{args.replicas}/min)"
    )
    by_origin = Counter()
    for r in reports:
        by_origin.update(r["ibans_by"])
    print(
        "  /ibans by origin, as the replicas counted them: "
        + ", ".join(f"{k} {v} ({v / minutes:.2f}/min)" for k, v in sorted(by_origin.items()))
    )
    settle_dups = sum(c - 1 for c in settles.values())
    verify_dups = sum(c - 1 for c in verifications.values())
    print(
        f"  settle checks {sum(settles.values())} ({len(settles)} distinct operation/attempt), "
        f"verification checks {sum(verifications.values())} ({len(verifications)} distinct transactions)"
    )
    info("fleet_upstream", f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    verdict("fleet /ibans per minute", ibans_per_minute, 1.0, "calls per minute, whole fleet")
    verdict("duplicate settle checks", float(settle_dups), 0.0, "same operation and attempt by two replicas")
    verdict("duplicate verifications", float(verify_dups), 0.0, "same callback transaction checked twice")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
