"""Two-factor sign-in in a real chromium, against the app as `make run` starts it, with a configured
operator account (configured accounts, unlike the sandbox's demo ones, must use a second factor).

The operator opens a shared link, signs in with the password and is sent to set up a second factor
before anything else; the test reads the key shown for manual entry and computes the code as an
authenticator app would (pyotp), confirms, sees the recovery codes, then lands on the linked page.
Signed out, the operator signs in again from another link: the password, a wrong code (refused),
then the next code -- and lands on that page.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import Page, expect

from dashboard.auth import Role, User, hash_password, totp, write_users_file
from tests.browser.conftest import ARTIFACTS, run_console
from tests.browser.test_console_browser import (
    COOKIE,
    UI_TIMEOUT,
    main,
    menu,
    page_not_found_dialog,
    screenshot,
    sidebar_of,
    text_input,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME, PASSWORD = "olga", "olga-operator-pass"


@pytest.fixture
def server(tmp_path: Path, request):
    data = tmp_path / "data"
    write_users_file(data / "users.toml", {NAME: User(NAME, Role.OPERATOR, hash_password(PASSWORD))})
    log = ARTIFACTS / f"console-server-{request.node.name}.log"
    with run_console(data, log) as running:
        request.node.console_log = running.log
        yield running


def heading(page: Page, name: str):
    return main(page).get_by_role("heading", name=name, level=1)


def password_step(page: Page) -> None:
    expect(heading(page, "Sign in")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page_not_found_dialog(page)
    form = main(page).locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="User name", exact=True).fill(NAME)
    form.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in", exact=True).click()


def submit_code(page: Page, label: str, button: str, code: str) -> None:
    text_input(page, label).fill(code)
    main(page).get_by_role("button", name=button, exact=True).click()


def test_operator_enrolls_then_signs_in_with_a_code(server, page: Page, screenshot_dir: Path) -> None:
    # A shared link, signed out: the password signs in, and the second factor comes before anything.
    page.goto(server.url + "/transactions")
    with page.expect_response(lambda r: urlsplit(r.url).path == "/auth/complete", timeout=UI_TIMEOUT) as done:
        password_step(page)
    assert done.value.status == 303
    expect(heading(page, "Two-factor sign-in")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert urlsplit(page.url).path == "/transactions"  # the link keeps its address
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)  # no menu: nothing else
    expect(main(page).locator('[data-testid="stImage"] img')).to_be_visible()  # the QR code
    secret = main(page).locator('[data-testid="stCode"]').first.inner_text().replace(" ", "").strip()
    assert len(secret) == 32, secret
    screenshot(page, screenshot_dir, "30-two-factor-enrolment")

    enrolment_step = totp.time_step(datetime.now(UTC))
    submit_code(page, "6-digit code from the app", "Confirm", pyotp.TOTP(secret).now())
    expect(main(page).get_by_text("They are not shown again.", exact=False)).to_be_visible(timeout=UI_TIMEOUT)
    wait_idle(page)
    recovery = main(page).locator('[data-testid="stCode"]').first.inner_text().split()
    assert len(recovery) == 10, recovery
    screenshot(page, screenshot_dir, "31-two-factor-recovery-codes")
    main(page).get_by_role("button", name="I have saved them: continue").click()
    expect(heading(page, "Transactions")).to_be_visible(timeout=30_000)  # the link that was opened
    expect(sidebar_of(page).get_by_text(f"Signed in as {NAME} (operator)", exact=True)).to_be_visible()
    wait_idle(page)
    assert menu(page)[-2:] == ["Two-factor sign-in", "Sessions"]

    # Sign out, then in again from another link: now the code is asked for after the password.
    sidebar_of(page).get_by_role("button", name="Sign out").click()
    expect(heading(page, "Sign in")).to_be_visible(timeout=30_000)
    assert not any(c["name"] == COOKIE for c in page.context.cookies())
    page.goto(server.url + "/balances")
    password_step(page)
    expect(main(page).get_by_text("Enter the 6-digit code from your authenticator app")).to_be_visible(
        timeout=UI_TIMEOUT
    )
    wait_idle(page)
    assert not any(c["name"] == COOKIE for c in page.context.cookies())  # no session before the code
    right = pyotp.TOTP(secret).now()
    submit_code(page, "Code", "Verify", "000000" if right != "000000" else "111111")
    expect(main(page).get_by_text("Wrong code, or a code that was already used")).to_be_visible(timeout=UI_TIMEOUT)
    screenshot(page, screenshot_dir, "32-two-factor-wrong-code")

    while totp.time_step(datetime.now(UTC)) <= enrolment_step:  # the enrolment's code is used up
        time.sleep(1)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/auth/complete", timeout=UI_TIMEOUT) as done:
        submit_code(page, "Code", "Verify", pyotp.TOTP(secret).now())
    assert done.value.status == 303
    assert any(c["name"] == COOKIE for c in page.context.cookies())
    expect(heading(page, "Balances")).to_be_visible(timeout=30_000)
    expect(sidebar_of(page).get_by_text(f"Signed in as {NAME} (operator)", exact=True)).to_be_visible()
    assert urlsplit(page.url).path == "/balances"
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, server.log_tail()
