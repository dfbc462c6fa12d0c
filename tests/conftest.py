"""Shared fixtures: sandboxes serving the dealer API over real HTTP on loopback; a throwaway PostgreSQL
server; the store on both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from dashboard.sandbox import RunningSandbox, SandboxConfig, auth_headers, run_in_thread
from dashboard.store import Store
from tests.helpers.postgres import PostgresServer

if TYPE_CHECKING:
    import httpx

# A fixed anchor keeps the small demo history identical in every run.
SANDBOX_ANCHOR = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Europe/Istanbul"))
SANDBOX_DEFAULTS: dict = dict(
    seed=7, transactions=3_000, anchor=SANDBOX_ANCHOR, processing_after=0.2, settle_after=0.5, callback_backoff=0.05
)


def sandbox_config(**overrides) -> SandboxConfig:
    """The small test dataset, with any field overridden."""
    return SandboxConfig(**{**SANDBOX_DEFAULTS, **overrides})


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """One shared sandbox for read-only tests; tests that change state use `make_sandbox`."""
    srv = run_in_thread(sandbox_config())
    yield srv
    srv.stop()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., RunningSandbox]]:
    """Factory: `make_sandbox(**config_overrides)` starts a fresh sandbox, stopped at teardown."""
    started: list[RunningSandbox] = []

    def make(**overrides) -> RunningSandbox:
        srv = run_in_thread(sandbox_config(**overrides))
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def sandbox_anchor() -> datetime:
    """The newest moment of the fixtures' demo history (2026-11-20 12:00 Europe/Istanbul)."""
    return SANDBOX_ANCHOR


@pytest.fixture
def sandbox_headers() -> dict[str, str]:
    """Correct auth headers for the demo credentials (every sandbox fixture uses them)."""
    return auth_headers()


@pytest.fixture
def http_client() -> Iterator[Callable[..., httpx.Client]]:
    """Factory: `http_client(srv)` -> httpx.Client on srv.base_url with the demo auth headers, closed at teardown."""
    import httpx

    clients: list[httpx.Client] = []

    def make(srv: RunningSandbox, *, headers: dict[str, str] | None = None, **kwargs) -> httpx.Client:
        # trust_env=False: an HTTP(S)_PROXY in the environment must not intercept loopback calls.
        client = httpx.Client(
            base_url=srv.base_url, headers=auth_headers() if headers is None else headers, trust_env=False, **kwargs
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server (Debian's package, run as the `postgres` user) for the run."""
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the test server for this test; its URL."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    return postgres_server.create_database(name)


# -- the store on both engines ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_template(postgres_server: PostgresServer) -> str:
    """A database migrated to the current schema once per run: each store test's database is a copy
    (CREATE DATABASE ... TEMPLATE), not fourteen migrations again. Migrating itself is tested on
    empty databases (`postgres_url`)."""
    name = "t_migrated_template"
    Store.open(postgres_server.create_database(name)).close()
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path) -> str | Path:
    """Where a test's store lives, once per engine: a SQLite file, or a fresh PostgreSQL database
    (a copy of the migrated template)."""
    if request.param == "sqlite":
        return tmp_path / "console.sqlite3"
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("migrated_template")
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    return server.create_database(name, template=template)


@pytest.fixture
def open_store(store_target) -> Iterator[Callable[[], Store]]:
    """Factory: `open_store()` -> a Store on this test's database (each call: another connection to
    it, as another process or replica has); all closed at teardown."""
    opened: list[Store] = []

    def make() -> Store:
        store = Store.open(store_target)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def any_store(open_store) -> Store:
    """The store of store-level tests, on SQLite and on PostgreSQL (the modules' `store` fixtures)."""
    return open_store()
