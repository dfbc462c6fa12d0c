"""A real outage: the console on its own throwaway PostgreSQL server, stopped and started again.

While the server is down the callback route answers 503 with Retry-After and stores nothing, the page
shows the outage notice (no traceback), /healthz says the database is unreachable; once it is back
the same callback is accepted and stored once and the page works again -- nothing restarted.
(Its own server: the session's shared one must never be paused under other tests.)
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from dashboard import services
from dashboard.callbacks import RETRY_AFTER_SECONDS
from dashboard.ui import access, outage
from tests.helpers.postgres import PostgresServer
from tests.pages.conftest import CONSOLE, TIMEOUT

pytestmark = pytest.mark.slow

TOKEN = "outage-postgres-callback-token-0123456789"
BODY = {"transaction_id": 8001, "status": "Completed", "amount": "150.00", "username": "u1"}


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def pg_console(console, own_server):
    """The `console` fixture's console, its store on the own server (a fresh database)."""
    console.monkeypatch.setenv("ENIGMAPAY_DATABASE_URL", own_server.create_database("outage"))
    console.monkeypatch.setenv("ENIGMAPAY_CALLBACK_TOKEN", TOKEN)
    services.reset()
    assert services.records().store.engine.name == "postgresql"
    return console


@pytest.fixture
def routes(pg_console) -> Iterator[TestClient]:
    app_module = importlib.import_module("app")
    app = Starlette(
        routes=[
            Route("/healthz", app_module.health, methods=["GET"]),
            Route("/callbacks/{token}", app_module.callback, methods=["POST"]),
        ]
    )
    with TestClient(app) as client:
        yield client


def _stored(transaction_id: int) -> int:
    rows = services.records().store.engine.read(
        "SELECT count(*) AS n FROM callback_events WHERE transaction_id = ?", (transaction_id,)
    )
    return rows[0]["n"]


def test_postgres_stopped_and_started_again(pg_console, routes, own_server):
    at = pg_console.open("callbacks")
    assert not at.exception and at.title
    assert routes.post(f"/callbacks/{TOKEN}", json={**BODY, "transaction_id": 8000}).status_code == 200

    own_server.pause()
    try:
        started = time.monotonic()
        refused = routes.post(f"/callbacks/{TOKEN}", json=BODY)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert time.monotonic() - started < 15  # bounded: the pool's wait, not a hang
        assert routes.get("/healthz").json() == {"status": "ok", "database": "unreachable"}
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(outage.UNAVAILABLE in e.value for e in at.error)
        assert not at.title and not at.dataframe
    finally:
        own_server.resume()

    assert routes.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert _stored(8001) == 0  # nothing of the refused delivery
    assert routes.post(f"/callbacks/{TOKEN}", json=BODY).status_code == 200  # the provider's retry
    assert routes.post(f"/callbacks/{TOKEN}", json=BODY).status_code == 200  # and a repeated one
    assert _stored(8001) == 1
    at.run()
    assert not at.exception and at.title and not any(outage.UNAVAILABLE in e.value for e in at.error)


def test_the_console_starts_while_postgres_is_down_and_opens_when_it_is_back(pg_console, routes, own_server):
    services.reset()  # nothing opened yet
    own_server.pause()
    try:
        refused = routes.post(f"/callbacks/{TOKEN}", json=BODY)
        assert refused.status_code == 503 and refused.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        pg_console.monkeypatch.setattr(access, "request_cookies", dict)  # a browser with no cookie
        at = AppTest.from_file(CONSOLE, default_timeout=TIMEOUT).run()
        assert not at.exception
        assert any(outage.UNAVAILABLE in e.value for e in at.error)
    finally:
        own_server.resume()
    assert routes.post(f"/callbacks/{TOKEN}", json=BODY).status_code == 200
    at.run()
    assert not at.exception and at.title[0].value == "Sign in"
