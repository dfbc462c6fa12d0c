"""The composition root (dashboard/services.py): `reset()` closes the PostgreSQL pools it drops."""

from __future__ import annotations

import os
import time

import psycopg
import pytest

from dashboard import services
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY


@pytest.fixture
def console_on_postgres(make_sandbox, postgres_url, tmp_path, monkeypatch) -> str:
    """Settings for a console on a fresh sandbox whose records are in a PostgreSQL database; its URL."""
    srv = make_sandbox()
    for name in [n for n in list(os.environ) if n.startswith("ENIGMAPAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ENIGMAPAY_BASE_URL", srv.base_url)
    monkeypatch.setenv("ENIGMAPAY_API_KEY", SANDBOX_API_KEY)
    monkeypatch.setenv("ENIGMAPAY_SECRET_KEY", SANDBOX_SECRET_KEY)
    monkeypatch.setenv("ENIGMAPAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENIGMAPAY_DATABASE_URL", postgres_url)
    monkeypatch.chdir(tmp_path)
    services.reset()
    yield postgres_url
    services.reset()


def _console_connections(url: str) -> int:
    """The console's open connections to this database, as the server counts them."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            ("enigmapay-console",),
        ).fetchone()
    return int(row[0])


def _settles_at(url: str, expected: int, timeout: float = 5.0) -> int:
    """The count once it is `expected` (a closed connection leaves pg_stat_activity a moment later)."""
    deadline = time.monotonic() + timeout
    while (count := _console_connections(url)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


def test_reset_closes_the_postgresql_pools_it_drops(console_on_postgres):
    url = console_on_postgres
    assert _console_connections(url) == 0
    for _ in range(2):  # each build and reset: nothing left behind
        store = services.records().store
        assert store.engine.name == "postgresql"
        store.engine.read_one("SELECT 1 AS one")
        services.history_mirror()  # built objects sharing the store are dropped with it
        assert _console_connections(url) >= 1
        services.reset()
        assert _settles_at(url, 0) == 0
