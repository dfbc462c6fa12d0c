"""Fixtures for the browser test: the console started exactly as `make run` starts it, and chromium.

- `console_server` (module): `.venv/bin/streamlit run app.py` as a subprocess in its own process
  group on a free loopback port, with a temporary data folder, a small sandbox history and no API
  key (so the built-in sandbox runs). Its output goes to `artifacts/console-server.log`; the tail
  is printed when a test fails. The whole process group is killed at teardown.
- `fresh_console_server` (function): the same, for a test that needs a server no browser has
  talked to yet (log: `artifacts/console-server-<test>.log`).
- `browser` (module) and `page` (function): Debian's chromium through Playwright (`playwright
  install` cannot download here). A failing test leaves a Playwright trace in `artifacts/`.
- Every context made here follows its pages' script runs (tests/helpers/reruns.py), for the
  `rerun(page)` waits of test_console_browser.py.
- `new_context` (function): more browser contexts (another person, or the same cookie carried
  elsewhere) with the same options as `page`'s; closed at teardown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.chromium import CHROMIUM_ARGS
from tests.helpers.console import REPO, console_env, running_console
from tests.helpers.reruns import track_runs

ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
_RUN_STARTED = time.time()  # each worker imports this while collecting, before any worker runs a test
SERVER_LOG = ARTIFACTS / "console-server.log"

STARTUP_TIMEOUT_S = 60


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("chromium not found: run `make browser-deps` (installs Debian's chromium) or set CHROMIUM=/path")


def _log_tail(log: Path, lines: int = 60) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no server log at {log})"
    return "\n".join(text.splitlines()[-lines:])


@dataclass(frozen=True)
class ConsoleServer:
    url: str
    process: subprocess.Popen
    data_dir: Path
    log: Path

    def log_tail(self, lines: int = 60) -> str:
        return f"--- last lines of {self.log}:\n{_log_tail(self.log, lines)}"


@contextmanager
def run_console(data_dir: Path, log_path: Path) -> Iterator[ConsoleServer]:
    """The console as `make run` starts it, on a free loopback port; healthy on entry, gone on exit."""
    env = console_env(data_dir, 3000)
    with running_console(log_path, env, STARTUP_TIMEOUT_S, health_path="/_stcore/health") as (url, process):
        yield ConsoleServer(url=url, process=process, data_dir=data_dir, log=log_path)


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """One console for the module's tests (they share its sandbox and data folder)."""
    with run_console(tmp_path_factory.mktemp("console-data"), SERVER_LOG) as server:
        yield server


@pytest.fixture
def fresh_console_server(tmp_path: Path, request) -> Iterator[ConsoleServer]:
    """A console no browser has talked to yet (for what only happens on a server's first request)."""
    with run_console(tmp_path / "data", ARTIFACTS / f"console-server-{request.node.name}.log") as server:
        request.node.console_log = server.log
        yield server


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """artifacts/screenshots/ (git-ignored), for `<nn>-<page>.png` files a person looks at.
    Emptied of PNGs older than this run first, so what is there after a run is what this run saw
    (with several test workers, each keeps what the others already took in this run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        if old.stat().st_mtime < _RUN_STARTED:
            old.unlink(missing_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


CONTEXT_OPTIONS = {"viewport": {"width": 1400, "height": 900}, "accept_downloads": True, "locale": "en-US"}


@pytest.fixture
def new_context(browser):
    """`new_context()` -> a fresh BrowserContext (its own cookies), closed when the test ends."""
    made = []

    def make():
        context = track_runs(browser.new_context(**CONTEXT_OPTIONS))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(browser, request):
    context = track_runs(browser.new_context(**CONTEXT_OPTIONS))
    context.tracing.start(screenshots=True, snapshots=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        trace = ARTIFACTS / f"trace-{request.node.name}.zip"
        context.tracing.stop(path=str(trace))
        try:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SCREENSHOTS / f"failure-{request.node.name}.png"), full_page=True)
        except Exception:
            pass
        log = getattr(request.node, "console_log", SERVER_LOG)
        print(f"\n--- Playwright trace: {trace} (`.venv/bin/playwright show-trace {trace}`)")
        print(f"--- last lines of {log}:\n{_log_tail(log)}")
    else:
        context.tracing.stop()
    context.close()
