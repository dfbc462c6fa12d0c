"""Four-eyes approval in a real chromium: a maker and an approver, each in a browser context of their own,
against the console as `make run` starts it, pointed at a sandbox this test runs (so its call counters
are read here): the maker cannot approve their own request, the approver approves, the payout is sent once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from tests.browser.conftest import ARTIFACTS, CONTEXT_OPTIONS, STARTUP_TIMEOUT_S
from tests.browser.test_console_browser import (
    PAYOUT_IBAN,
    UI_TIMEOUT,
    fill_in,
    main,
    open_page,
    rerun,
    screenshot,
    sidebar_of,
    sign_in,
    type_into,
)
from tests.helpers.console import console_env, running_console
from tests.helpers.reruns import track_runs

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def four_eyes_console(make_sandbox, tmp_path) -> Iterator[tuple[str, object]]:
    """(console URL, sandbox): the console with a 1,000 TRY approval threshold, on a sandbox of this test."""
    srv = make_sandbox(anchor=None, transactions=500)
    env = console_env(tmp_path / "data", 500)
    env.update(
        ENIGMAPAY_BASE_URL=srv.base_url,
        ENIGMAPAY_API_KEY=SANDBOX_API_KEY,
        ENIGMAPAY_SECRET_KEY=SANDBOX_SECRET_KEY,
        ENIGMAPAY_APPROVAL_THRESHOLD="1000",
    )
    log = ARTIFACTS / "console-server-approvals.log"
    with running_console(log, env, STARTUP_TIMEOUT_S, health_path="/_stcore/health") as (url, _process):
        yield url, srv


def person(browser, url: str, user: str) -> Page:
    """A browser context of its own (its own cookie), signed in as `user` through the real form."""
    page = track_runs(browser.new_context(**CONTEXT_OPTIONS)).new_page()
    page.set_default_timeout(UI_TIMEOUT)
    page.goto(url + "/")
    sign_in(page, user)
    return page


def test_maker_cannot_approve_own_request_and_the_approver_sends_it_once(
    browser, four_eyes_console, screenshot_dir: Path
) -> None:
    url, srv = four_eyes_console

    def sends() -> int:
        return srv.state.call_counts().get("POST /send-money", 0)

    # The maker (an admin: they hold approve too) fills Send money above the threshold.
    maker = person(browser, url, "admin")
    open_page(maker, "Send money")
    fill_in(
        maker,
        {
            "Customer username": "four_eyes_user",
            "Amount (₺)": "1500,50",
            "Customer IBAN": PAYOUT_IBAN,
            "Account holder name": "Ayşe Yılmaz",
        },
    )
    with rerun(maker):
        main(maker).get_by_role("button", name="Review payout").click()
    dialog = maker.get_by_role("dialog")
    expect(dialog).to_contain_text("waits for a second person's approval", timeout=UI_TIMEOUT)
    expect(dialog.get_by_role("button", name=re.compile(r"^Send "))).to_have_count(0)
    with rerun(maker):
        dialog.get_by_role("button", name="Request approval").click()
    expect(dialog).to_have_count(0, timeout=UI_TIMEOUT)
    expect(main(maker).get_by_text("Waiting for a second person's approval")).to_be_visible(timeout=UI_TIMEOUT)
    assert sends() == 0

    # The maker's own request in the queue: both buttons off, and why.
    open_page(maker, "Approvals")
    expect(main(maker).get_by_text("You made this request", exact=False)).to_be_visible()
    expect(main(maker).get_by_role("button", name="Approve")).to_be_disabled()
    expect(main(maker).get_by_role("button", name="Reject")).to_be_disabled()
    expect(sidebar_of(maker).get_by_text("waiting for your approval")).to_have_count(0)
    screenshot(maker, screenshot_dir, "30-approvals-maker")
    assert sends() == 0

    # The approver, in another browser: the sidebar count, the queue with the total, Approve.
    approver = person(browser, url, "approver")
    expect(sidebar_of(approver).get_by_text("1 waiting for your approval")).to_be_visible()
    open_page(approver, "Approvals")
    expect(main(approver).get_by_text("TR33 **** **** 1326")).to_be_visible()
    type_into(approver, "Note (required to reject)", "checked with the customer")
    with rerun(approver):
        main(approver).get_by_role("button", name="Approve").click()
    expect(main(approver).get_by_text(re.compile(r"Request \w+ approved\."))).to_be_visible(timeout=UI_TIMEOUT)
    expect(main(approver).get_by_text(re.compile(r"Transaction id: \d+"))).to_be_visible(timeout=UI_TIMEOUT)
    screenshot(approver, screenshot_dir, "31-approvals-approved")
    assert sends() == 1

    # Reloads in both browsers, and the maker's form following its request: nothing is sent again.
    with rerun(approver):
        approver.reload()
    expect(main(approver).get_by_text("Nothing waits for approval.")).to_be_visible(timeout=UI_TIMEOUT)
    open_page(maker, "Send money")
    expect(main(maker).get_by_text(re.compile(r"Transaction id: \d+"))).to_be_visible(timeout=UI_TIMEOUT)
    with rerun(maker):
        maker.reload()
    assert sends() == 1
    for page in (maker, approver):
        page.context.close()
