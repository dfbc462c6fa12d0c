"""A database that cannot be reached, seen from the HTTP routes and the background (no pages):
the callback route answers 503 with Retry-After and stores nothing, the sign-in routes a clear 503
and change nothing, /healthz stays 200 and says so, the loops warn once per outage, and nothing
built while the database was down keeps the console broken afterwards.

The outage here is simulated (tests/helpers/outage.py); tests/test_outage_postgres.py stops a real
PostgreSQL server."""

from __future__ import annotations

import asyncio
import importlib
import logging

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from dashboard import background, services
from dashboard.auth import COOKIE_NAME, demo_accounts
from dashboard.auth.routes import auth_routes
from dashboard.callbacks import RETRY_AFTER_SECONDS
from dashboard.outage import OutageLog
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.store import Store, StoreUnavailable
from tests.helpers.outage import StoreSwitch

TOKEN = "outage-test-callback-token-0123456789"


@pytest.fixture
def console_env(make_sandbox, tmp_path, monkeypatch):
    """Settings for a console on a fresh sandbox with a known callback token; services rebuilt."""
    srv = make_sandbox()
    for name in [n for n in list(__import__("os").environ) if n.startswith("ENIGMAPAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ENIGMAPAY_BASE_URL", srv.base_url)
    monkeypatch.setenv("ENIGMAPAY_API_KEY", SANDBOX_API_KEY)
    monkeypatch.setenv("ENIGMAPAY_SECRET_KEY", SANDBOX_SECRET_KEY)
    monkeypatch.setenv("ENIGMAPAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENIGMAPAY_CALLBACK_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    services.reset()
    yield tmp_path / "data"
    services.reset()


@pytest.fixture
def routes(console_env) -> TestClient:
    """app.py's own routes (/healthz, the callback route, the sign-in routes) without Streamlit."""
    app_module = importlib.import_module("app")
    app = Starlette(
        routes=[
            Route("/healthz", app_module.health, methods=["GET"]),
            Route("/callbacks/{token}", app_module.callback, methods=["POST"]),
            *auth_routes(services.authenticator),
        ]
    )
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def store(monkeypatch) -> StoreSwitch:
    return StoreSwitch(monkeypatch)


def _events(transaction_id: int) -> int:
    rows = services.records().store.engine.read(
        "SELECT count(*) AS n FROM callback_events WHERE transaction_id = ?", (transaction_id,)
    )
    return rows[0]["n"]


BODY = {"transaction_id": 7001, "status": "Completed", "amount": "150.00", "username": "u1"}


def test_callback_is_refused_with_503_and_retry_after_then_stored_once_when_the_database_is_back(routes, store):
    assert routes.post(f"/callbacks/{TOKEN}", json={**BODY, "transaction_id": 7000}).status_code == 200
    store.down()
    refused = routes.post(f"/callbacks/{TOKEN}", json=BODY)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert refused.json() == {"success": False, "message": "temporarily unavailable"}
    store.up()
    assert _events(7001) == 0  # nothing of it was stored
    accepted = routes.post(f"/callbacks/{TOKEN}", json=BODY)  # the provider's retry
    assert accepted.status_code == 200 and accepted.json() == {"success": True}
    assert routes.post(f"/callbacks/{TOKEN}", json=BODY).status_code == 200  # and a repeated delivery
    assert _events(7001) == 1


def test_callback_gets_503_when_the_store_cannot_even_be_opened(routes, store):
    store.down()  # nothing opened yet: services.records() itself fails
    refused = routes.post(f"/callbacks/{TOKEN}", json=BODY)
    assert refused.status_code == 503 and refused.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    store.up()
    assert routes.post(f"/callbacks/{TOKEN}", json=BODY).status_code == 200  # no failed build was kept
    assert _events(7001) == 1


def test_a_flood_of_refused_callbacks_logs_one_warning_and_no_traceback(routes, store, caplog):
    routes.post(f"/callbacks/{TOKEN}", json={**BODY, "transaction_id": 7000})
    store.down()
    with caplog.at_level(logging.INFO, logger="dashboard"):
        for n in range(20):
            assert routes.post(f"/callbacks/{TOKEN}", json={**BODY, "transaction_id": 7100 + n}).status_code == 503
        store.up()
        assert routes.post(f"/callbacks/{TOKEN}", json=BODY).status_code == 200
    records = [r for r in caplog.records if r.name.startswith("dashboard.callbacks")]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]  # outage starts, outage ends
    assert all(r.exc_info is None for r in records)
    assert "StoreUnavailable" in records[0].getMessage() and TOKEN not in caplog.text


def test_healthz_stays_200_and_says_whether_the_database_answers(routes, store):
    assert routes.get("/healthz").json() == {"status": "ok", "database": "ok"}
    store.down()
    down = routes.get("/healthz")
    assert down.status_code == 200 and down.json() == {"status": "ok", "database": "unreachable"}
    store.up()
    assert routes.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_healthz_does_not_wait_long_for_a_database_that_does_not_answer(routes, monkeypatch):
    import time

    app_module = importlib.import_module("app")
    monkeypatch.setattr(app_module, "HEALTH_DATABASE_TIMEOUT", 0.2)
    monkeypatch.setattr(Store, "ping", lambda self: time.sleep(2))
    started = time.monotonic()
    answer = routes.get("/healthz")
    assert answer.status_code == 200 and answer.json()["database"] == "unreachable"
    assert time.monotonic() - started < 1.5


def _ticket() -> str:
    auth = services.authenticator()
    password = next(a.password for a in demo_accounts() if a.name == "admin")
    return auth.issue_ticket(auth.sign_in("admin", password))


def test_sign_in_completion_answers_503_and_keeps_the_ticket_for_when_the_database_is_back(routes, store):
    ticket = _ticket()
    store.down()
    refused = routes.get("/auth/complete", params={"ticket": ticket, "next": "/balances"})
    assert refused.status_code == 503 and refused.headers["retry-after"]
    assert "database cannot be reached" in refused.text
    assert COOKIE_NAME not in refused.headers.get("set-cookie", "")
    store.up()
    done = routes.get("/auth/complete", params={"ticket": ticket, "next": "/balances"})
    assert done.status_code == 303 and done.headers["location"] == "/balances"
    assert COOKIE_NAME in done.headers["set-cookie"]


def test_sign_out_answers_503_and_keeps_the_session(routes, store):
    done = routes.get("/auth/complete", params={"ticket": _ticket()})
    cookie = done.cookies[COOKIE_NAME]
    auth = services.authenticator()
    session = auth.resolve(cookie)
    url = auth.sign_out_url(session)
    store.down()
    refused = routes.get(url)  # the client carries the cookie /auth/complete set
    assert refused.status_code == 503 and "set-cookie" not in refused.headers
    store.up()
    assert auth.resolve(cookie) is not None  # still signed in: nothing was half done
    assert routes.get(url).status_code == 303
    assert auth.resolve(cookie) is None


def test_nothing_built_while_the_database_was_down_is_kept(console_env, store):
    store.down()
    with pytest.raises(StoreUnavailable):
        services.records()
    with pytest.raises(StoreUnavailable):
        services.authenticator()
    store.up()
    assert services.records().store is not None
    assert services.authenticator() is not None


# --- background loops ------------------------------------------------------------------------------


class _Done(BaseException):
    """Ends a loop under test (a BaseException, as cancellation is)."""


def _steps(*outcomes):
    """A background step that fails or succeeds as `outcomes` say, then ends the loop."""
    pending = list(outcomes)

    def step() -> None:
        if not pending:
            raise _Done
        outcome = pending.pop(0)
        if outcome is not None:
            raise outcome

    return step


class _Always:
    """A leased job that is always due (this process leads)."""

    def due(self) -> bool:
        return True


class _Leading:
    def leading(self, name: str) -> bool:
        return True


@pytest.fixture
def quiet_loops(monkeypatch):
    """The background's loops with no waits and a fresh outage log."""
    monkeypatch.setattr(background, "JOB_TICK", 0)
    monkeypatch.setattr(background, "outage", OutageLog(logging.getLogger("dashboard.background"), "work"))


def test_a_background_loop_warns_once_per_outage_and_carries_on(quiet_loops, caplog):
    down = StoreUnavailable("connection refused")
    step = _steps(down, down, down, None, down)
    with caplog.at_level(logging.INFO, logger="dashboard.background"), pytest.raises(_Done):
        asyncio.run(background._every(_Always(), step))  # ran on after each failure until _Done
    assert [r.levelname for r in caplog.records] == ["WARNING"]  # one line, not one per tick
    assert all(r.exc_info is None for r in caplog.records)  # no traceback per tick
    assert background.outage.outages == 1


class _FlakyLease:
    """A lease whose database is down for the first `down` renewals."""

    def __init__(self, name: str, down: int) -> None:
        self.name, self.down = name, down

    def hold(self) -> bool:
        if self.down > 0:
            self.down -= 1
            raise StoreUnavailable("connection refused")
        return True

    def release(self) -> None:
        pass


def test_lease_renewals_say_an_outage_once_and_its_end(caplog):
    from dashboard.fleet import LeaseKeeper

    keeper = LeaseKeeper([_FlakyLease("settling", 3), _FlakyLease("verification", 3)])
    keeper.outage = OutageLog(logging.getLogger("dashboard.background"), "work")
    with caplog.at_level(logging.INFO):
        for _ in range(5):  # three rounds down, then two that reach the database
            keeper.renew()
    lines = [(r.name, r.levelname) for r in caplog.records if r.name.startswith("dashboard")]
    assert [level for name, level in lines if name == "dashboard.background"] == ["WARNING", "INFO"]
    assert not [r for r in caplog.records if "renewal failed" in r.getMessage()]  # not one per lease per round
    assert keeper.leading("settling") and keeper.leading("verification")


def test_verification_loop_backs_off_during_an_outage(quiet_loops, monkeypatch, caplog):
    waits: list[float] = []

    async def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            raise _Done

    answers = [StoreUnavailable("down"), {"verified": 0}, {"verified": 0}]

    def verify_callbacks_now():
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    monkeypatch.setattr(background.records, "verify_callbacks_now", verify_callbacks_now)
    monkeypatch.setattr(background.asyncio, "sleep", sleep)
    with caplog.at_level(logging.INFO, logger="dashboard.background"), pytest.raises(_Done):
        asyncio.run(background._verify_continuously(_Leading()))
    assert waits[0] == background.VERIFY_RETRY_WAIT
    assert [r.levelname for r in caplog.records] == ["WARNING"] and caplog.records[0].exc_info is None


def test_other_failures_still_log_their_traceback(quiet_loops, caplog):
    with caplog.at_level(logging.INFO, logger="dashboard.background"), pytest.raises(_Done):
        asyncio.run(background._every(_Always(), _steps(RuntimeError("a bug"))))
    assert caplog.records[0].exc_info is not None  # a bug is not an outage
    assert background.outage.outages == 0


def test_settling_stops_its_pass_when_the_database_goes_away(tmp_path, monkeypatch, caplog):
    """Before: each entry's failed check was logged (and its schedule write failed) every tick."""
    from tests.test_journal import Clock, make, unknown_payout

    store_ = Store(tmp_path / "console.sqlite3")
    journal, client = make(store_, Clock())
    op = unknown_payout(journal, client)
    client.history = {1: []}

    def unreachable(**kwargs):
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(store_.callbacks, "unlinked_candidates", unreachable)
    caplog.clear()
    with caplog.at_level(logging.INFO), pytest.raises(StoreUnavailable):
        journal.settle_all()
    assert not [r for r in caplog.records if r.name.startswith("dashboard.journal")]
    assert store_.operations.get(op.id).settle_attempts == 0  # nothing half-recorded


def test_the_outage_warning_carries_no_secret(caplog):
    log = OutageLog(logging.getLogger("dashboard.test"), "work")
    with caplog.at_level(logging.INFO, logger="dashboard.test"):
        log.failed(StoreUnavailable("connection to postgresql://console:s3cret@db/console failed"))
    assert "s3cret" not in caplog.text and "StoreUnavailable" in caplog.text
