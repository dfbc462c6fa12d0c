"""The console as a fleet, all on loopback: ONE standalone sandbox (`python -m dashboard.sandbox`,
its call counters show what reached "EnigmaPay"), two `streamlit run app.py` replicas with the same
database and settings, and Debian's nginx in front (deploy/nginx.conf, sticky by a routing cookie).

The database: PostgreSQL (`ENIGMAPAY_DATABASE_URL`, a fresh database on the session's throwaway
server), each replica with a data folder of its own (nothing is shared through files); with
FLEET_ENGINE=sqlite, one SQLite data folder shared by both replicas.

Logs: artifacts/fleet/ (replica-a.log, replica-b.log, sandbox.log, nginx/...); screenshots:
artifacts/fleet/screenshots/.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.services import SANDBOX_SCHEMA
from tests.helpers.chromium import CHROMIUM_ARGS
from tests.helpers.console import REPO, console_env, healthy, launch, streamlit_bin, wait_for
from tests.helpers.nginx import Nginx, running_nginx
from tests.helpers.processes import free_port, stop_group
from tests.helpers.reruns import track_runs

ARTIFACTS = REPO / "artifacts" / "fleet"
SCREENSHOTS = ARTIFACTS / "screenshots"
STARTUP_TIMEOUT_S = 90  # two consoles and a sandbox starting at once on a shared 2-core machine
SANDBOX_TRANSACTIONS = 3000
VERIFY_RATE = 50  # status checks per second: the flood's events verified in seconds, not minutes
# PostgreSQL, as several hosts would run it; FLEET_ENGINE=sqlite runs the same test on one SQLite
# data folder shared by both replicas (several processes on one host).
USES_POSTGRES = os.environ.get("FLEET_ENGINE", "postgresql") != "sqlite"


@dataclass
class Replica:
    name: str
    url: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str] = field(repr=False)

    @property
    def address(self) -> str:
        return self.url.removeprefix("http://")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return f"--- {self.log}:\n" + "\n".join(text)

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no finally, what a crash leaves behind."""
        os.killpg(self.process.pid, 9)
        self.process.wait(timeout=10)


@dataclass
class Fleet:
    sandbox_url: str  # root of the standalone sandbox (its API under /api/dealer)
    replicas: list[Replica]
    nginx: Nginx
    database_url: str | None  # PostgreSQL; None: SQLite in `sqlite_path`
    sqlite_path: Path | None
    callback_token: str = field(repr=False)
    started_at: float = 0.0  # time.monotonic() before the replicas started (the sandbox had no calls yet)

    @property
    def url(self) -> str:
        """Where a person's browser goes: nginx."""
        return self.nginx.url

    def sandbox_calls(self) -> dict[str, int]:
        answer = httpx.get(f"{self.sandbox_url}/__sandbox__/stats", trust_env=False, timeout=5)
        answer.raise_for_status()
        return answer.json()["calls"]

    def set_sandbox_faults(self, **faults) -> None:
        httpx.put(f"{self.sandbox_url}/__sandbox__/faults", json=faults, trust_env=False, timeout=5).raise_for_status()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows from the fleet's database (SQL both engines read alike; `?` placeholders)."""
        if self.database_url is not None:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as conn:
                conn.execute(f"SET search_path TO {SANDBOX_SCHEMA}")  # the demo keys: the sandbox's records
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        conn = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def replica_of(self, claimant: str) -> Replica | None:
        """The replica whose process holds a verification claim (`<pid>-<random>`), if it is one of ours."""
        return next((r for r in self.replicas if claimant.split("-")[0] == str(r.process.pid)), None)

    def diagnostics(self) -> str:
        return "\n".join([*(r.log_tail() for r in self.replicas), self.nginx.log_tail()])


def _start_sandbox(log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "dashboard.sandbox", "--port", str(port), "--seed", "7"]
    cmd += ["--transactions", str(SANDBOX_TRANSACTIONS), "--processing-after", "0.2", "--settle-after", "0.5"]
    with log.open("w", encoding="utf-8") as out:
        process = launch(cmd, os.environ.copy(), out)
    return process, f"http://127.0.0.1:{port}"


def _start_replica(name: str, env: dict[str, str]) -> Replica:
    port = free_port()
    log = ARTIFACTS / f"{name}.log"
    # The command `make run` runs, plus where to listen.
    cmd = [str(streamlit_bin()), "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    with log.open("w", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        process = launch(cmd, env, out)
    return Replica(name=name, url=f"http://127.0.0.1:{port}", process=process, log=log, env=env)


def _replica_env(data_dir: Path, shared: dict[str, str]) -> dict[str, str]:
    env = console_env(data_dir, SANDBOX_TRANSACTIONS)
    env.update(shared)
    return env


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Fleet]:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    root = tmp_path_factory.mktemp("fleet")
    database_url = request.getfixturevalue("postgres_server").create_database("fleet") if USES_POSTGRES else None
    with ExitStack() as stack:
        sandbox, sandbox_url = _start_sandbox(ARTIFACTS / "sandbox.log")
        stack.callback(stop_group, sandbox)
        sandbox_log = lambda: (ARTIFACTS / "sandbox.log").read_text(errors="replace")[-2000:]  # noqa: E731
        wait_for(lambda: healthy(sandbox_url + "/__sandbox__/health"), "sandbox health", sandbox, sandbox_log, 60)

        started_at = time.monotonic()
        token = secrets.token_urlsafe(24)
        shared = {
            "ENIGMAPAY_BASE_URL": sandbox_url + "/api/dealer",
            # The sandbox's public demo pair: the console shows SANDBOX and offers the demo accounts.
            "ENIGMAPAY_API_KEY": SANDBOX_API_KEY,
            "ENIGMAPAY_SECRET_KEY": SANDBOX_SECRET_KEY,
            "ENIGMAPAY_CALLBACK_TOKEN": token,
            "ENIGMAPAY_SESSION_SECRET": secrets.token_urlsafe(48),
            "ENIGMAPAY_VERIFY_RATE": str(VERIFY_RATE),
        }
        if database_url is not None:
            shared["ENIGMAPAY_DATABASE_URL"] = database_url
            dirs = [root / "data-a", root / "data-b"]  # nothing shared through the file system
        else:
            dirs = [root / "data", root / "data"]  # the one SQLite database both replicas open
        replicas = []
        for name, data_dir in zip(("replica-a", "replica-b"), dirs):
            replica = _start_replica(name, _replica_env(data_dir, shared))
            stack.callback(stop_group, replica.process)
            replicas.append(replica)
        for replica in replicas:
            wait_for(
                lambda r=replica: healthy(r.url + "/healthz"),
                f"{replica.name} health",
                replica.process,
                replica.log_tail,
                STARTUP_TIMEOUT_S,
            )
        proxy = stack.enter_context(running_nginx([r.address for r in replicas], ARTIFACTS / "nginx"))
        yield Fleet(
            sandbox_url=sandbox_url,
            replicas=replicas,
            nginx=proxy,
            database_url=database_url,
            sqlite_path=None if database_url else dirs[0] / "sandbox" / "console.sqlite3",
            callback_token=token,
            started_at=started_at,
        )


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("chromium not found: run `make browser-deps` (installs Debian's chromium) or set CHROMIUM=/path")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


CONTEXT_OPTIONS = {"viewport": {"width": 1400, "height": 900}, "locale": "en-US"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def browser_on(browser, fleet: Fleet, request: pytest.FixtureRequest):
    """`browser_on(replica)` -> a new page in its own browser context (own cookies) whose routing
    cookie makes nginx send it to `replica`; contexts are closed when the test ends."""
    routes = fleet.nginx.routes_to([r.address for r in fleet.replicas])
    made = []

    def make(replica: Replica):
        context = track_runs(browser.new_context(**CONTEXT_OPTIONS))
        made.append(context)
        context.add_cookies([{"name": "console_route", "value": routes[replica.address], "url": fleet.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, context in enumerate(made):
        if failed:  # what each browser showed when the test failed, and the servers' last lines
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(SCREENSHOTS / f"failure-{request.node.name}-{number}.png"))
        context.close()
    if failed:
        print(fleet.diagnostics())


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
