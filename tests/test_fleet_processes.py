"""Two real consoles (`streamlit run app.py`) on one database: each background job has one leader
among them, and when the leader is killed (SIGKILL, no clean-up) the other takes its jobs over
within the documented bound (dashboard.fleet.TAKEOVER_WITHIN). On SQLite (one data folder) and on
PostgreSQL (ENIGMAPAY_DATABASE_URL)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.background import JOBS
from dashboard.fleet import RENEW_EVERY, TAKEOVER_WITHIN
from dashboard.store import Store, default_path
from tests.helpers.console import console_env, running_console, wait_for

STARTUP_TIMEOUT_S = 60


def _sqlite_holders(data_dir: Path) -> Callable[[], dict[str, int]]:
    def holders() -> dict[str, int]:
        path = default_path(data_dir / "sandbox")  # the built-in sandbox's records
        if not path.exists():
            return {}
        store = Store(path)
        try:
            now = datetime.now(UTC)
            leases = {job: store.fleet.lease(job) for job in JOBS}
            return {job: _pid(lease.holder) for job, lease in leases.items() if lease and lease.expires_at > now}
        finally:
            store.close()

    return holders


def _postgres_holders(url: str) -> Callable[[], dict[str, int]]:
    import psycopg

    def holders() -> dict[str, int]:
        with psycopg.connect(url, autocommit=True) as conn:
            names = conn.execute(
                """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                   WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'lease:%'"""
            ).fetchall()
        found = {}
        for (name,) in names:
            _, job, holder = name.split(":", 2)
            found[job] = _pid(holder)
        return found

    return holders


def _pid(holder: str) -> int:
    return int(holder.split(":")[-2])  # host:pid:suffix


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_consoles_run_each_job_once_and_the_survivor_takes_over_from_a_killed_leader(engine, tmp_path, request):
    data_dir = tmp_path / "data"
    if engine == "sqlite":
        extra, holders = {}, _sqlite_holders(data_dir)
    else:
        url = request.getfixturevalue("postgres_url")
        extra, holders = {"ENIGMAPAY_DATABASE_URL": url}, _postgres_holders(url)
    env = console_env(data_dir, 300, **extra)
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    with (
        running_console(log_a, env, STARTUP_TIMEOUT_S) as (_url_a, a),
        running_console(log_b, env, STARTUP_TIMEOUT_S) as (_url_b, b),
    ):
        tail = lambda: log_a.read_text()[-1500:] + "\n---\n" + log_b.read_text()[-1500:]  # noqa: E731
        wait_for(lambda: set(holders()) == set(JOBS), "a leader for every job", a, tail, STARTUP_TIMEOUT_S)
        time.sleep(RENEW_EVERY + 1)  # both renew at least once: still one leader per job, one of them
        leaders = holders()
        assert set(leaders) == set(JOBS) and set(leaders.values()) <= {a.pid, b.pid}, (leaders, a.pid, b.pid)

        leader = a if leaders["settling"] == a.pid else b
        survivor = b if leader is a else a
        os.killpg(leader.pid, signal.SIGKILL)
        leader.wait(timeout=10)
        killed = time.monotonic()
        wait_for(
            lambda: holders() == {job: survivor.pid for job in JOBS},
            "the survivor leading every job",
            survivor,
            tail,
            TAKEOVER_WITHIN + 15,
            interval=0.5,
        )
        took = time.monotonic() - killed
        bound = TAKEOVER_WITHIN if engine == "sqlite" else RENEW_EVERY + 2  # PostgreSQL: the lock goes at once
        assert took <= bound, f"took over after {took:.1f} s (bound {bound} s)"
