"""Alerts in a real chromium, against the console as `make run` starts it on a sandbox this test runs:
a balance threshold set before the start, the background leader's first evaluation fires the alert,
the sidebar counts it, the Alerts page shows it and an operator acknowledges it (screenshots)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.audit import AuditLog
from dashboard.client import EnigmaPayClient
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.store import Store
from tests.browser.conftest import ARTIFACTS, STARTUP_TIMEOUT_S
from tests.browser.test_approvals_browser import person
from tests.browser.test_console_browser import UI_TIMEOUT, main, open_page, rerun, screenshot, sidebar_of
from tests.helpers.console import console_env, running_console

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRE_WITHIN_MS = (
    120_000  # the leader evaluates at once when it takes the lease (then every 45 s); slack for a loaded host
)


@pytest.fixture
def alerting_console(make_sandbox, tmp_path) -> Iterator[tuple[str, Store]]:
    """(console URL, its store): a threshold above the first IBAN's balance is stored before the start."""
    srv = make_sandbox(anchor=None, transactions=300)
    iban = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url).list_ibans()[0]
    store = Store.in_dir(tmp_path / "data" / "sandbox")  # sandbox credentials: records apart (services.open_store)
    audit = AuditLog(store).entry("alert_threshold", actor="admin", outcome="set", iban=iban.iban)
    row = {"iban_id": iban.id, "threshold_kurus": 99_999_999_900, "margin_kurus": None}
    store.alerts.set_threshold({**row, "updated_at": datetime.now(UTC), "updated_by": "admin"}, audit=audit)
    env = console_env(tmp_path / "data", 300)
    env.update(
        ENIGMAPAY_BASE_URL=srv.base_url, ENIGMAPAY_API_KEY=SANDBOX_API_KEY, ENIGMAPAY_SECRET_KEY=SANDBOX_SECRET_KEY
    )
    log = ARTIFACTS / "console-server-alerts.log"
    with running_console(log, env, STARTUP_TIMEOUT_S, health_path="/_stcore/health") as (url, _process):
        yield url, store


def test_a_firing_alert_is_counted_shown_and_acknowledged(browser, alerting_console, screenshot_dir: Path) -> None:
    url, store = alerting_console
    page = person(browser, url, "operator")
    indicator = sidebar_of(page).get_by_role("link", name="Alerts firing: 1")
    deadline = datetime.now(UTC).timestamp() + FIRE_WITHIN_MS / 1000
    while not indicator.count() and datetime.now(UTC).timestamp() < deadline:
        page.wait_for_timeout(2_000)  # the leader's evaluation is on its own clock: look again now and then
        with rerun(page):
            page.reload()
    expect(indicator).to_be_visible()

    open_page(page, "Alerts")
    card = main(page).locator('[data-testid="stAlert"]').filter(has_text="Balance below threshold")
    expect(card).to_be_visible()
    expect(card).to_contain_text("**** ****")  # the IBAN masked
    expect(main(page).get_by_text("recovers above")).to_be_visible()
    screenshot(page, screenshot_dir, "60-alerts-firing")

    with rerun(page):
        main(page).get_by_role("button", name="Acknowledge").click()
    expect(main(page).get_by_text("Acknowledged by")).to_be_visible(timeout=UI_TIMEOUT)
    expect(main(page).get_by_role("button", name="Acknowledge")).to_have_count(0)
    screenshot(page, screenshot_dir, "61-alerts-acknowledged")

    [alert] = store.alerts.states(state="firing")
    assert alert.acknowledged_by == "operator"
    assert [e.state for e in store.alerts.events()] == ["firing"]  # fired once, however many evaluations
    assert [line.actor for line in store.audit.query(action="alert_acknowledge")] == ["operator"]
