"""Reconciliation in a real chromium: the console (as `make run` starts it, background task included)
on a sandbox this test runs, whose demo history ended two hours ago. The background stores the
balances; a drift made with the page's sandbox control shows as a difference of exactly its amount.
Screenshots: artifacts/screenshots/40-reconciliation-*.png (look at them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.store import Store
from tests.browser.conftest import ARTIFACTS, STARTUP_TIMEOUT_S
from tests.browser.test_approvals_browser import person
from tests.browser.test_console_browser import UI_TIMEOUT, main, open_page, rerun, screenshot, type_into
from tests.helpers.console import console_env, running_console

pytestmark = [pytest.mark.browser, pytest.mark.slow]
IST = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def recon_console(make_sandbox, tmp_path) -> Iterator[tuple[str, object, Path]]:
    """(console URL, sandbox, data folder)."""
    anchor = datetime.now(IST).replace(second=0, microsecond=0) - timedelta(hours=2)
    srv = make_sandbox(anchor=anchor, transactions=600, ibans=3)
    env = console_env(tmp_path / "data", 600)
    env.update(
        ENIGMAPAY_BASE_URL=srv.base_url, ENIGMAPAY_API_KEY=SANDBOX_API_KEY, ENIGMAPAY_SECRET_KEY=SANDBOX_SECRET_KEY
    )
    log = ARTIFACTS / "console-server-reconciliation.log"
    with running_console(log, env, STARTUP_TIMEOUT_S, health_path="/_stcore/health") as (url, _process):
        yield url, srv, tmp_path / "data"


def _wait_for_snapshots(data_dir: Path, timeout: float = 30.0) -> None:
    """Until the background task has stored the balances once (it does at start, then every minute)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (data_dir / "sandbox").exists():
            store = Store.in_dir(data_dir / "sandbox")
            try:
                if store.balances.snapshots():
                    return
            finally:
                store.close()
        time.sleep(0.5)
    pytest.fail("the background task stored no balance snapshot")


def test_a_drift_shows_as_a_difference_of_its_amount(browser, recon_console, screenshot_dir: Path) -> None:
    url, srv, data_dir = recon_console
    admin = person(browser, url, "admin")
    _wait_for_snapshots(data_dir)
    open_page(admin, "Reconciliation")
    expect(main(admin).get_by_text("Per IBAN and day")).to_be_visible()
    expect(main(admin).get_by_text("differs by")).to_have_count(0)
    screenshot(admin, screenshot_dir, "40-reconciliation-before")

    main(admin).get_by_text("Sandbox: drift a balance").click()
    type_into(admin, "Amount (₺, may be negative)", "-150,25")
    with rerun(admin):
        main(admin).get_by_role("button", name="Drift the balance").click()
    message = main(admin).get_by_text("the provider's balance differs by -₺150.25.")
    expect(message).to_be_visible(timeout=UI_TIMEOUT)
    expect(message).to_have_count(1)
    assert srv.state.drifts() == {1: -15025}
    today = datetime.now(IST).date().isoformat()
    expect(message).to_contain_text(today)
    screenshot(admin, screenshot_dir, "41-reconciliation-difference")
    admin.context.close()
