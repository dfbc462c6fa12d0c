"""The console in a real chromium, against the app as `make run` starts it (sandbox, sign-in on).

- An operator signs in through the real form (the one-time ticket, `/auth/complete` and its
  HttpOnly cookie), stays signed in across a reload and in a second tab, then walks Overview ->
  Balances -> Transactions (filter, download the CSV, check it against the screen) -> Send money
  (review, confirm, transaction id) -> Card payment (link, order id, transaction id) -> Lookup via
  its shareable `?transaction_id=` link.
- A viewer sees only Overview, Balances, Transactions; payout pages opened by URL say "not allowed".
- Sign out ends the session everywhere: this tab, another tab, another browser holding the cookie.
- A freshly started server answers a deep link, signed out, with the sign-in page and nothing else.
- A viewer builds this month's statement of every IBAN, sees the PDF's first page and downloads the PDF.

Every page is screenshotted to `artifacts/screenshots/<nn>-<page>.png` for a person to look at.

Streamlit reruns the script on every widget change, so after each action the test waits for the
app to be idle (the `stApp` script state and the status widget) and for the text it expects,
never for a fixed time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.helpers.reruns import runs_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UI_TIMEOUT = 20_000  # ms; one rerun on the sandbox takes well under a second (seconds on a loaded machine)
RUN_TIMEOUT = 2 * UI_TIMEOUT  # ms; a whole script run asked for by a click, a page's first load included
# ms; chromium drawing a page's widgets (their code loads lazily; a skeleton stands in meanwhile) in a
# tab that has not drawn them yet: under load (2 CPU burners) 8-10 s for Transactions in a second
# tab, and over 30 s seen, long after the script run had finished.
RENDER_TIMEOUT = 60_000
PAYOUT_IBAN = "TR330006100519786457841326"  # valid mod-97, bank code 00061
COOKIE = "enigmapay_session"
NOT_ALLOWED = "Not allowed: your role cannot open this page."
# Sandbox-only demo accounts (listed on the sign-in page there).
DEMO = {
    "viewer": "viewer-demo-pass",
    "operator": "operator-demo-pass",
    "approver": "approver-demo-pass",
    "admin": "admin-demo-pass",
}
# Each role's menu is the role below's plus its own pages, in menu order; the Account section last.
# An approver is a viewer who approves.
MONITOR_MENU = ["Overview", "Balances", "Transactions", "Search", "Customer", "Reconciliation", "Alerts", "Statements"]
ACT_MENU = MONITOR_MENU + [
    "Send money",
    "Batch payouts",
    "Card payment",
    "Lookup",
    "Operations",
    "Approvals",
    "Callbacks",
]
ACCOUNT_MENU = ["Two-factor sign-in", "Sessions"]
VIEWER_MENU = MONITOR_MENU + ACCOUNT_MENU
OPERATOR_MENU = ACT_MENU + ACCOUNT_MENU
MENU = {
    "viewer": VIEWER_MENU,
    "operator": OPERATOR_MENU,
    "approver": MONITOR_MENU + ["Batch payouts", "Approvals"] + ACCOUNT_MENU,
    "admin": ACT_MENU + ["Audit log", "Settings"] + ACCOUNT_MENU,
}
# Every browser module imports this one: the default patience of expect() for all of them. CI runs
# them beside PostgreSQL, nginx and streamlit replicas on 2 cores: 10 s was short there.
expect.set_options(timeout=UI_TIMEOUT)


# --- Streamlit helpers ---------------------------------------------------------------------------


def wait_idle(page: Page, timeout: float = UI_TIMEOUT) -> None:
    """Wait until no script run is in progress and every element is drawn (callers also wait for
    the text they expect). After a click use `rerun(page)`: right after it this can pass too soon."""
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=timeout
    )
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=timeout)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=max(timeout, RENDER_TIMEOUT))


def main(page: Page) -> Locator:
    return page.locator('[data-testid="stMain"]')


def screenshot(page: Page, folder: Path, name: str) -> None:
    """Full-page screenshot to `folder`/<name>.png, once the page is idle.

    Streamlit scrolls inside `stMain` (the document itself is one viewport high), so Playwright's
    full_page alone would capture one screen: the viewport is stretched to the content for the shot.
    """
    wait_idle(page)
    viewport = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
              .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], min(height, 8000))})
    try:
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    finally:
        page.set_viewport_size(viewport)


@contextmanager
def rerun(page: Page, timeout: float = RUN_TIMEOUT, asked_within: float | None = None) -> Iterator[None]:
    """Around an action that makes Streamlit run the script again (a click, a committed value, a page
    link): on leaving, a run asked for inside has finished and the page is idle.

    `wait_idle` alone right after a click can pass before the server has even started the run (the
    page says "notRunning" until the server tells it otherwise: seconds on a loaded machine), and the
    next read then sees the page of before the click. The run is followed on the WebSocket itself
    (tests/helpers/reruns.py). `asked_within` (ms): give up sooner if the action asked for no run."""
    runs = runs_of(page)
    mark = runs.mark()
    yield
    runs.wait_since(mark, timeout, asked_within)
    wait_idle(page, timeout)


def open_page(page: Page, title: str) -> None:
    """Click the page's link in the sidebar navigation and wait for its run and its title."""
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    expect(main(page).get_by_role("heading", name=title, level=1)).to_be_visible(timeout=UI_TIMEOUT)


def pick(page: Page, select: Locator, option: str, shown: Locator, attempts: int = 4) -> None:
    """Pick `option` in the selectbox `select`, until `shown` (what the choice shows) is visible.

    Under load a click can open nothing (chromium hands the focus back to the page first, after a
    download) or land on an option list a rerun is replacing: the whole pick is tried again."""
    for _ in range(attempts):
        wait_idle(page)
        if shown.count():  # chosen already (picking the option shown would not run the page again)
            return
        try:
            select.click()
            expect(page.get_by_role("listbox")).to_have_count(1, timeout=5_000)
            with rerun(page, asked_within=5_000):
                page.get_by_role("option").filter(has_text=option).first.click(timeout=5_000)
            expect(shown).to_be_visible(timeout=UI_TIMEOUT // 2)
            return
        except (AssertionError, PlaywrightTimeoutError):
            page.keyboard.press("Escape")
    expect(shown).to_be_visible(timeout=UI_TIMEOUT)


def text_input(page: Page, label: str, scope: Locator | None = None) -> Locator:
    scope = scope or main(page)
    widget = scope.locator('[data-testid="stTextInput"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    )
    expect(widget).to_have_count(1)
    return widget.locator("input")


def type_into(page: Page, label: str, value: str) -> None:
    """Fill a text input and hand the value to Streamlit (it commits on blur/Enter)."""
    field = text_input(page, label)
    in_form = field.locator("xpath=ancestor::*[@data-testid='stForm']").count() > 0
    if in_form or field.input_value() == value:  # a form's field, or the same value: no run
        field.fill(value)
        field.press("Tab")
    else:
        with rerun(page):
            field.fill(value)
            field.press("Tab")
    expect(field).to_have_value(value)


def fill_in(page: Page, values: dict[str, str]) -> None:
    """`type_into` for several fields of one page (no form) with one wait: each value is committed
    (Tab) at once, and the wait is for the run after the last one (a newer value stops a run that is
    under way), so a form of six fields costs one run on a loaded machine, not six in a row."""
    fields = {label: text_input(page, label) for label in values}
    with rerun(page):
        for label, field in fields.items():
            field.fill(values[label])
            field.press("Tab")
    for label, field in fields.items():
        expect(field).to_have_value(values[label])


def download(page: Page, button: Locator, timeout: float = RUN_TIMEOUT):
    """Click a download button and return the Download. The file is made on the server when clicked
    (deferred download, audited): on a loaded machine that can take long; if nothing came, the
    failure says what the button showed (Streamlit shows a download's error under it for 5 s)."""
    try:
        with page.expect_download(timeout=timeout) as info:
            button.click()
        return info.value
    except PlaywrightTimeoutError as exc:
        shown = page.locator('[data-testid="stDownloadButtonError"]').all_inner_texts()
        raise AssertionError(
            f"no download {timeout / 1000:.0f} s after clicking {button}; errors shown: {shown}"
        ) from exc


def choose(page: Page, label: str, option: str) -> None:
    """Pick one option of a multiselect."""
    widget = (
        main(page)
        .locator('[data-testid="stMultiSelect"]')
        .filter(has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True))
    )
    widget.locator("input").click()
    with rerun(page):
        page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    expect(widget).to_contain_text(option)


def metric(page: Page, label: str, scope: Locator | None = None) -> str:
    scope = scope or main(page)
    box = scope.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True)
    )
    expect(box).to_have_count(1)
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def lira(text: str) -> Decimal:
    """'₺1,234.50' / '-₺12.00' (English formatting) -> Decimal."""
    cleaned = text.replace("₺", "").replace(",", "").replace("\u2212", "-").strip()
    return Decimal(cleaned)


def expect_no_builtin_table_download(page: Page) -> None:
    """Every table on the page, hovered, shows its toolbar (search, fullscreen) but no "Download as
    CSV": downloads go only through the page's safe, audited export (dashboard/export.py)."""
    tables = main(page).locator('[data-testid="stDataFrame"]')
    expect(tables.first).to_be_visible(timeout=UI_TIMEOUT)
    for table in tables.all():
        table.scroll_into_view_if_needed()
        table.hover()
        buttons = table.locator('[data-testid="stElementToolbar"] [data-testid="stElementToolbarButton"]')
        expect(buttons.first).to_be_visible()  # the toolbar did open
        expect(
            table.locator('[data-testid="stElementToolbar"]').get_by_role("button", name=re.compile("download", re.I))
        ).to_have_count(0)
    page.mouse.move(0, 0)


def grid_headers(frame: Locator) -> list[str]:
    """Column headers of an st.dataframe, from the grid's accessibility table (drawn after load)."""
    headers = frame.locator('[role="columnheader"]')  # the table is visually hidden: CSS, not get_by_role
    expect(headers.first).to_be_attached()
    return [h.strip() for h in headers.all_text_contents()]


# --- sign-in helpers ------------------------------------------------------------------------------


def sidebar_of(page: Page) -> Locator:
    return page.locator('[data-testid="stSidebar"]')


def menu(page: Page) -> list[str]:
    """The page titles in the sidebar menu, in order (each link's last line: the icon comes first)."""
    links = page.locator('[data-testid="stSidebarNav"]').get_by_role("link")
    return [text.strip().splitlines()[-1].strip() for text in links.all_inner_texts()]


def session_cookie(context: BrowserContext) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def expect_sign_in_page(page: Page, timeout: float = 30_000) -> None:
    """The sign-in page and nothing else: the form, no sidebar, no menu, no page of the console."""
    expect(main(page).get_by_role("heading", name="Sign in", level=1)).to_be_visible(timeout=timeout)
    wait_idle(page)
    form = main(page).locator('[data-testid="stForm"]')
    expect(form.get_by_role("textbox", name="User name", exact=True)).to_be_visible()
    expect(form.get_by_role("textbox", name="Password", exact=True)).to_be_visible()
    expect(form.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(main(page).get_by_role("heading", level=1)).to_have_count(1)  # no other page's title
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    # No sidebar, or (in a tab that was signed in a moment ago) its empty shell: no SANDBOX badge,
    # no data age, no Sign out, nothing.
    content = sidebar_of(page).locator('[data-testid="stSidebarUserContent"]')
    if content.count():
        expect(content).to_have_text("")
    for data in ("stMetric", "stDataFrame", "stPlotlyChart"):
        expect(main(page).locator(f'[data-testid="{data}"]')).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def page_not_found_dialog(page: Page) -> bool:
    """Streamlit's own "Page not found" modal (shown when the URL names no registered page). It makes
    the form behind it inert; closed here so the form can be used, and reported to the caller."""
    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count() == 0:
        return False
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    return True


def sign_in(page: Page, user: str, password: str | None = None) -> Response:
    """Sign in through the real form; returns the `/auth/complete` response (ticket -> cookie -> 303).

    The form sends the browser to `/auth/complete?ticket=...&next=<path>`, which sets the cookie and
    redirects to `next`; this waits for that response, then for the console to show who is signed in.
    """
    form = main(page).locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="User name", exact=True).fill(user)
    form.get_by_role("textbox", name="Password", exact=True).fill(DEMO[user] if password is None else password)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/auth/complete", timeout=UI_TIMEOUT) as completed:
        form.get_by_role("button", name="Sign in", exact=True).click()
    response = completed.value
    assert response.status == 303, f"/auth/complete answered {response.status}"
    set_cookie = response.header_value("set-cookie") or ""
    assert set_cookie.startswith(f"{COOKIE}="), set_cookie
    assert "HttpOnly" in set_cookie and "samesite=lax" in set_cookie.lower(), set_cookie
    expect_signed_in(page, user)
    return response


def expect_signed_in(page: Page, user: str, timeout: float = 30_000) -> None:
    role = user  # the demo accounts are named after their roles
    expect(sidebar_of(page).get_by_text(f"Signed in as {user} ({role})", exact=True)).to_be_visible(timeout=timeout)
    # The sidebar's widgets come after its text (their code loads lazily: on a loaded machine, in a new
    # tab, tens of seconds).
    expect(sidebar_of(page).get_by_role("button", name="Sign out")).to_be_visible(timeout=max(timeout, RENDER_TIMEOUT))
    wait_idle(page)
    assert menu(page) == MENU[role], menu(page)


# --- the walk ------------------------------------------------------------------------------------


def test_operator_walk(page: Page, console_server, screenshot_dir: Path) -> None:
    def shoot(name: str) -> None:
        screenshot(page, screenshot_dir, name)

    # What the operator is told but does not match the data: collected, so the walk goes on and
    # every such problem is reported at the end.
    problems: list[str] = []

    # Signed out, the address `make run` prints shows the sign-in form and nothing else.
    page.goto(console_server.url + "/")
    expect_sign_in_page(page)
    expect(main(page).get_by_text("Sandbox demo accounts")).to_be_visible()
    assert session_cookie(page.context) is None
    shoot("00-sign-in")

    # Sign in through the form: ticket -> /auth/complete sets the HttpOnly cookie -> back to "/".
    completed = sign_in(page, "operator")
    assert completed.header_value("location") == "/", completed.header_value("location")
    cookie = session_cookie(page.context)
    assert cookie is not None and cookie["httpOnly"] and cookie["path"] == "/", cookie
    # The ticket was for one use only: the same link again signs nobody in.
    replay = page.request.get(completed.url, max_redirects=0)
    assert replay.status == 400, f"a used sign-in ticket answered {replay.status}"
    assert COOKIE not in (replay.headers.get("set-cookie") or "")

    # Still signed in after a reload, and in a second tab of the same browser.
    page.reload()
    expect_signed_in(page, "operator")
    second_tab = page.context.new_page()
    second_tab.goto(console_server.url + "/transactions")
    expect(main(second_tab).get_by_role("heading", name="Transactions", level=1)).to_be_visible(timeout=30_000)
    expect_signed_in(second_tab, "operator")
    second_tab.close()

    # Overview: the default page.
    expect(main(page).get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.locator(".stMarkdownBadge", has_text="SANDBOX").filter(visible=True)).to_be_visible()
    expect(main(page).get_by_text("Connection successful")).to_be_visible()
    for section in ("Credit card", "E-IBAN", "Manual IBAN"):
        expect(main(page).get_by_role("heading", name=section)).to_be_visible()
    for label in ("Commission", "Withdrawal commission"):
        assert re.fullmatch(r"\d+\.\d{2}%", metric(page, label)), label
    withdrawal_rate = Decimal(metric(page, "Withdrawal commission").rstrip("%"))
    withdrawal_fee = lira(metric(page, "Withdrawal fee"))
    total_on_overview = lira(metric(page, "Total balance"))
    ibans_on_overview = metric(page, "IBANs")
    assert re.fullmatch(r"(\d+) / \1 active", ibans_on_overview), ibans_on_overview
    expect(sidebar.get_by_text(re.compile(r"Data fetched \d{4}-\d\d-\d\d"))).to_be_visible()
    shoot("01-overview")

    # Balances: the IBAN table, its totals and the charts.
    open_page(page, "Balances")
    tables = main(page).locator('[data-testid="stDataFrame"]')
    expect(tables).to_have_count(2)  # the IBANs, then the history mirror per IBAN (last synced, rows held)
    table = tables.first
    assert grid_headers(table)[:4] == ["IBAN", "Owner", "Bank", "Status"]
    assert grid_headers(tables.last)[:3] == ["IBAN", "Last synced", "Rows held"], grid_headers(tables.last)
    iban_count = int(ibans_on_overview.split(" / ")[1].split()[0])
    assert int(metric(page, "IBANs")) == iban_count
    expect(table.locator('[role="gridcell"]').filter(has_text=re.compile(r"^TR\d\d( \d{4}){5} \d\d$"))).to_have_count(
        iban_count
    )
    assert lira(metric(page, "Total balance")) == total_on_overview
    charts = main(page).locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2, timeout=UI_TIMEOUT)  # balance per bank, balance over time
    for chart, marks in zip(charts.all(), ("g.trace.bars g.point path", "g.trace.scatter path.js-line")):
        chart.scroll_into_view_if_needed()
        expect(chart.locator(marks)).not_to_have_count(0)  # bars / lines actually drawn
    expect_no_builtin_table_download(page)
    shoot("02-balances")

    # Transactions: filter, then check the downloaded CSV against what the page shows.
    open_page(page, "Transactions")
    period = main(page).get_by_role("radiogroup", name="Period")
    with rerun(page):
        period.get_by_role("radio", name="30 days", exact=True).click()
    expect(period.get_by_role("radio", name="30 days", exact=True)).to_have_attribute("aria-checked", "true")
    choose(page, "Status", "Completed")
    choose(page, "Type", "Withdrawal")
    type_into(page, "Min ₺", "100")
    expect(main(page).locator('[data-testid="stAlert"]')).to_have_count(0)  # no error from the filters
    shown_count = int(metric(page, "Transactions").replace(",", ""))
    money_out = lira(metric(page, "Money out"))
    commission = lira(metric(page, "Commission"))
    money_in = lira(metric(page, "Money in"))
    assert shown_count > 0, "the sandbox should have completed withdrawals of 100 ₺+ in 30 days"
    tx_table = main(page).locator('[data-testid="stDataFrame"]')
    expect(tx_table).to_have_count(1)
    headers_shown = grid_headers(tx_table)
    assert headers_shown, "the transactions table shows no column headers"
    expect(main(page).locator('[data-testid="stPlotlyChart"]')).to_have_count(1)  # daily volume
    expect_no_builtin_table_download(page)
    shoot("03-transactions")

    exported = download(page, main(page).get_by_role("button", name="Download CSV"))
    named = re.fullmatch(r"transactions_(\d{4}-\d\d-\d\d)_(\d{4}-\d\d-\d\d)\.csv", exported.suggested_filename)
    assert named, exported.suggested_filename
    start, end = date.fromisoformat(named[1]), date.fromisoformat(named[2])
    assert (end - start).days == 29, "the 30 days preset should export 30 days"
    # The disabled date-range box: one ISO date input for each end of the range.
    range_box = (
        main(page)
        .locator('[data-testid="stDateInput"]')
        .filter(has=page.locator('[data-testid="stWidgetLabel"]').get_by_text("From – to", exact=True))
    )
    ends = range_box.locator('input[type="date"]')
    shown_range = f"{ends.nth(0).input_value()} – {ends.nth(1).input_value()}"
    if shown_range != f"{start} – {end}":
        problems.append(f"'From – to' shows {shown_range!r} but the data (and export) cover {start} – {end}")
    raw = exported.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM (Excel and Turkish letters)"
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = records[0], records[1:]
    assert body, "the CSV has no rows"
    assert len(body) == shown_count, f"CSV has {len(body)} rows, the page says {shown_count}"
    # Same columns as the table, in order; date-times carry their zone in the CSV header.
    assert len(header) >= len(headers_shown)
    for shown, written in zip(headers_shown, header):
        assert written == shown or written.startswith(f"{shown} ("), (headers_shown, header)
    col = {
        name.split(" (")[0] if name.startswith(("Date (", "Completed at (")) else name: i
        for i, name in enumerate(header)
    }
    date_col = next(i for name, i in col.items() if name == "Date")
    out_total = Decimal(0)
    commission_total = Decimal(0)
    ids = set()
    for row in body:
        assert len(row) == len(header), row
        assert row[col["Status"]] == "Completed", row
        assert row[col["Type"]] == "Withdrawal", row
        amount = Decimal(row[col["Amount (TRY)"]])
        assert amount <= Decimal("-100"), row  # withdrawals are shown negative; |amount| >= Min ₺
        assert start <= datetime.strptime(row[date_col], "%Y-%m-%d %H:%M:%S").date() <= end, row
        ids.add(row[col["ID"]])
        out_total += -amount
        commission_total += Decimal(row[col["Commission (TRY)"]] or "0")
    assert len(ids) == len(body), "duplicate transaction ids in the export"
    assert out_total == money_out, f"CSV withdrawals sum to {out_total}, the page says {money_out}"
    assert commission_total == commission, f"CSV commission sums to {commission_total}, the page says {commission}"
    assert money_in == 0  # only withdrawals selected

    # Send money: form -> review dialog -> send -> transaction id.
    open_page(page, "Send money")
    fill_in(
        page,
        {
            "Customer username": "browser_test_user",
            "Amount (₺)": "1250,50",
            "Customer IBAN": PAYOUT_IBAN,
            "Account holder name": "Ayşe Yılmaz",
            "Description (optional)": "browser test payout",
        },
    )
    expect(main(page).get_by_role("heading", name="Preview")).to_be_visible()
    receiving_bank = (
        main(page).locator(".st-key-send_receiving_bank [data-testid='stMarkdownContainer']").last.inner_text()
    )
    receiving_bank = receiving_bank.replace("\u2060", "").strip()  # as a person reads it (no word joiners)
    # 00061, the guide's sample bank code, is in no bank registry: the code is named, no bank guessed.
    assert receiving_bank == "Bank code 00061 (not in the bank registry)", receiving_bank
    payout_commission, payout_fee = lira(metric(page, "Commission")), lira(metric(page, "Fee"))
    assert payout_commission == (Decimal("1250.50") * withdrawal_rate / 100).quantize(Decimal("0.01")), (
        payout_commission
    )
    assert payout_fee == withdrawal_fee
    assert lira(metric(page, "Total debited")) == Decimal("1250.50") + payout_commission + payout_fee
    shoot("04-send-money")
    with rerun(page):
        main(page).get_by_role("button", name="Review payout").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT)
    expect(dialog).to_contain_text("Confirm payout")
    for label, value in (
        ("Customer username", "browser_test_user"),
        ("Amount", "₺1,250.50"),
        ("Customer IBAN", "TR33 0006 1005 1978 6457 8413 26"),
        ("Receiving bank", receiving_bank),
        ("Account holder", "Ayşe Yılmaz"),
        ("Description", "browser test payout"),
        ("Commission", f"₺{payout_commission:,.2f}"),
        ("Fee", f"₺{payout_fee:,.2f}"),
    ):
        expect(dialog.get_by_role("listitem").filter(has_text=f"{label}:")).to_have_text(f"{label}: {value}")
    shoot("05-send-money-confirm")
    with rerun(page):
        dialog.get_by_role("button", name="Send ₺1,250.50").click()
    expect(dialog).to_have_count(0, timeout=UI_TIMEOUT)
    accepted = main(page).get_by_text(re.compile(r"Transaction id: \d+"))
    expect(accepted).to_be_visible(timeout=UI_TIMEOUT)
    payout_id = int(re.search(r"Transaction id: (\d+)", accepted.inner_text()).group(1))
    expect(main(page).get_by_role("button", name="New payout")).to_be_visible()
    operation_line = main(page).get_by_text(re.compile(r"^Operation \w+ · confirmed · "))
    expect(operation_line).to_be_visible()
    operation_time = datetime.strptime(operation_line.inner_text().rsplit(" · ", 1)[1].strip(), "%Y-%m-%d %H:%M:%S")
    shoot("06-send-money-sent")

    # Card payment: form -> review dialog -> create -> link, order id, transaction id.
    open_page(page, "Card payment")
    fill_in(
        page,
        {
            "Customer username": "browser_card_user",
            "First name": "Mehmet",
            "Last name": "Öztürk",
            "Email": "mehmet@example.com",
            "Phone": "+90 532 123 45 67",
            "Amount (₺, at least 200)": "450",
        },
    )
    shoot("07-card-payment")
    with rerun(page):
        main(page).get_by_role("button", name="Review card payment").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT)
    expect(dialog).to_contain_text("browser_card_user")
    # What a person reads: ui.literal's invisible word joiner keeps the email from becoming a link.
    shown_in_dialog = dialog.inner_text().replace("\u2060", "")
    for value in ("browser_card_user", "Mehmet Öztürk", "mehmet@example.com", "₺450.00"):
        assert value in shown_in_dialog, (value, shown_in_dialog)
    expect(dialog.locator("a")).to_have_count(0)
    with rerun(page):
        dialog.get_by_role("button", name="Create payment link").click()
    expect(dialog).to_have_count(0, timeout=UI_TIMEOUT)
    accepted = main(page).get_by_text(re.compile(r"Transaction id: \d+"))
    expect(accepted).to_be_visible(timeout=UI_TIMEOUT)
    card_id = int(re.search(r"Transaction id: (\d+)", accepted.inner_text()).group(1))
    assert card_id != payout_id
    payment_url = main(page).locator('[data-testid="stCode"]').inner_text().strip()
    assert re.match(r"https?://\S+$", payment_url), payment_url
    expect(main(page).get_by_role("link", name="Open payment page")).to_have_attribute("href", payment_url)
    order_id = metric(page, "Order id")
    assert order_id and order_id != "—"
    assert metric(page, "Transaction id") == str(card_id)
    shoot("08-card-payment-link")

    # Lookup: the shareable link of the payout just sent.
    page.goto(f"{console_server.url}/lookup?transaction_id={payout_id}")
    expect(main(page).get_by_role("heading", name="Lookup", level=1)).to_be_visible(timeout=UI_TIMEOUT)
    wait_idle(page)
    expect(text_input(page, "Transaction id")).to_have_value(str(payout_id))
    status = main(page).locator(".stMarkdownBadge").filter(visible=True)
    expect(status).to_have_text(
        re.compile(r"^\S+ (Pending|Processing|Completed|Failed|Cancelled|Rejected)$"), timeout=UI_TIMEOUT
    )
    assert lira(metric(page, "Amount")) == Decimal("1250.50")
    created = datetime.strptime(metric(page, "Created"), "%Y-%m-%d %H:%M:%S")
    if abs((created - operation_time).total_seconds()) > 120:
        problems.append(
            f"the payout's operation line says {operation_time} but Lookup says it was created {created}: "
            "one of them is not in the dealer's time zone"
        )
    expect(sidebar.locator(".stMarkdownBadge", has_text="SANDBOX").filter(visible=True)).to_be_visible()
    shoot("09-lookup")

    # Operations and Callbacks: their tables (the payout and card payment above, their callbacks)
    # offer no built-in download either.
    for title in ("Operations", "Callbacks"):
        open_page(page, title)
        expect_no_builtin_table_download(page)

    # An operator is not an admin: the admin pages are not in the menu and refuse a typed URL.
    page.goto(f"{console_server.url}/audit-log")
    expect_not_allowed(page)
    expect_signed_in(page, "operator")

    assert not problems, "the pages show things that contradict the data:\n- " + "\n- ".join(problems)


def expect_not_allowed(page: Page) -> None:
    """The "not allowed" answer and nothing else: no title, no form field, no button, no data."""
    expect(main(page).get_by_text(NOT_ALLOWED, exact=True)).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(main(page).locator('[data-testid="stAlert"]')).to_have_count(1)
    expect(main(page).get_by_role("heading")).to_have_count(0)
    expect(main(page).locator("input, textarea, select, button")).to_have_count(0)
    for data in ("stMetric", "stDataFrame", "stPlotlyChart", "stForm", "stCode"):
        expect(main(page).locator(f'[data-testid="{data}"]')).to_have_count(0)


def test_viewer_cannot_reach_payouts(page: Page, console_server, screenshot_dir: Path) -> None:
    """A viewer's menu has the three Monitor pages only; payout pages opened by URL say "not allowed"."""
    page.goto(console_server.url + "/")
    expect_sign_in_page(page)
    # A wrong password first: refused, still signed out, no cookie.
    form = main(page).locator('[data-testid="stForm"]')
    form.get_by_role("textbox", name="User name", exact=True).fill("viewer")
    form.get_by_role("textbox", name="Password", exact=True).fill("operator-demo-pass")
    with rerun(page):
        form.get_by_role("button", name="Sign in", exact=True).click()
    expect(main(page).get_by_text("Wrong user name or password.")).to_be_visible(timeout=UI_TIMEOUT)
    assert session_cookie(page.context) is None
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)

    sign_in(page, "viewer")  # also checks the menu: exactly the Monitor pages and the Account ones
    expect(main(page).get_by_role("heading", name="Overview", level=1)).to_be_visible()
    screenshot(page, screenshot_dir, "11-viewer-overview")

    page.goto(console_server.url + "/send-money")
    expect_not_allowed(page)
    expect_signed_in(page, "viewer")  # still signed in, still the viewer's menu
    assert urlsplit(page.url).path == "/send-money", page.url  # the page said no; not another page
    expect(page.get_by_role("dialog")).to_have_count(0)
    screenshot(page, screenshot_dir, "12-viewer-send-money-not-allowed")

    for path in ("/card-payment", "/lookup?transaction_id=1", "/settings"):
        page.goto(console_server.url + path)
        expect_not_allowed(page)


def test_sign_out_ends_the_session_everywhere(page: Page, console_server, new_context, screenshot_dir: Path) -> None:
    """Sign out in one tab: that tab, another tab of the same browser and another browser carrying
    the same cookie are all signed out (the server ends the session, not just this tab's cookie)."""
    page.goto(console_server.url + "/")
    expect_sign_in_page(page)
    sign_in(page, "operator")
    cookie = session_cookie(page.context)

    other_tab = page.context.new_page()
    other_tab.goto(console_server.url + "/balances")
    expect(main(other_tab).get_by_role("heading", name="Balances", level=1)).to_be_visible(timeout=30_000)
    expect_signed_in(other_tab, "operator")

    elsewhere = new_context().new_page()  # another browser that got hold of the same cookie
    elsewhere.context.add_cookies([cookie])
    elsewhere.goto(console_server.url + "/transactions")
    expect(main(elsewhere).get_by_role("heading", name="Transactions", level=1)).to_be_visible(timeout=30_000)
    expect_signed_in(elsewhere, "operator")

    with page.expect_response(lambda r: urlsplit(r.url).path == "/auth/sign-out", timeout=UI_TIMEOUT) as signed_out:
        sidebar_of(page).get_by_role("button", name="Sign out").click()
    assert signed_out.value.status == 303, signed_out.value.status
    assert signed_out.value.header_value("location") == "/"
    expect_sign_in_page(page)
    assert session_cookie(page.context) is None, "the sign-out route should clear the cookie"
    screenshot(page, screenshot_dir, "13-signed-out")
    page.reload()
    expect_sign_in_page(page)
    page.goto(console_server.url + "/send-money")
    expect_sign_in_page(page)
    page_not_found_dialog(page)

    # The other tab, still open on Balances: its next click finds the session gone, as does a reload.
    sidebar_of(other_tab).get_by_role("button", name="Refresh").click()
    expect_sign_in_page(other_tab)
    other_tab.reload()
    expect_sign_in_page(other_tab)

    # The other browser still holds the cookie, but the session behind it has ended.
    assert session_cookie(elsewhere.context) == cookie
    elsewhere.reload()
    expect_sign_in_page(elsewhere)
    screenshot(elsewhere, screenshot_dir, "14-signed-out-elsewhere")


def open_signed_out(page: Page, url: str, shot: tuple[Path, str] | None = None) -> bool:
    """Open `url` with no cookie; expect only the sign-in page. True if Streamlit also showed its
    "Page not found" modal over it (closed here so the form can be used, after the screenshot
    `shot` = (folder, name), so the picture shows what a person sees)."""
    assert session_cookie(page.context) is None
    page.goto(url)
    expect_sign_in_page(page)
    if shot is not None:
        screenshot(page, *shot)
    return page_not_found_dialog(page)


def test_deep_link_signed_out_on_a_fresh_server_shows_only_sign_in(
    fresh_console_server, page: Page, screenshot_dir: Path
) -> None:
    """The first things a restarted console serves may be shared deep links, opened by someone not
    signed in: the sign-in page and nothing else, however the URL was reached (console.py's gate
    runs from the first request: app.py turns Streamlit's legacy `pages/` folder mode off)."""
    url = fresh_console_server.url
    open_signed_out(
        page, f"{url}/lookup?transaction_id=1", (screenshot_dir, "10-lookup-link-signed-out-on-fresh-server")
    )
    open_signed_out(page, f"{url}/send-money")
    for path in ("/callbacks", "/settings"):
        open_signed_out(page, url + path)
    # The sign-in page's own address is a page, not "Page not found".
    assert not open_signed_out(page, f"{url}/sign-in"), "/sign-in opened a 'Page not found' dialog"
    # Nothing failed on the server behind those sign-in pages.
    log = fresh_console_server.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, fresh_console_server.log_tail()

    # Signing in from there opens the console as the operator.
    open_signed_out(page, f"{url}/send-money")
    sign_in(page, "operator")
    expect(main(page).get_by_role("heading", level=1)).to_have_count(1)
    # Signed in, an old /sign-in bookmark opens Overview.
    page.goto(f"{url}/sign-in")
    expect(main(page).get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=30_000)
    assert not page_not_found_dialog(page), "/sign-in signed in opened a 'Page not found' dialog"
    # The Overview's own address (typed, bookmarked) opens it too, at "/" (Streamlit serves the default
    # page only there).
    page.goto(f"{url}/overview")
    expect(main(page).get_by_role("heading", name="Overview", level=1)).to_be_visible(timeout=30_000)
    expect(page).to_have_url(f"{url}/", timeout=UI_TIMEOUT)
    assert not page_not_found_dialog(page), "/overview signed in opened a 'Page not found' dialog"


def test_sign_in_from_a_deep_link_lands_on_the_requested_page(
    fresh_console_server, page: Page, screenshot_dir: Path
) -> None:
    """Signed out on a fresh server, a shared Lookup link: after signing in the operator should be on
    that Lookup, with the transaction id of the link, and should not be told the page does not exist."""
    problems: list[str] = []
    if open_signed_out(page, f"{fresh_console_server.url}/lookup?transaction_id=1"):
        problems.append("a 'Page not found' modal covers the sign-in form (the form is inert until it is closed)")
    shown = urlsplit(page.url)
    if shown.path != "/lookup":
        problems.append(f"the address bar was rewritten to {shown.path}?{shown.query} before signing in")
    completed = sign_in(page, "operator")
    next_path = parse_qs(urlsplit(completed.url).query).get("next", [""])[0]
    if next_path != "/lookup?transaction_id=1":
        problems.append(f"/auth/complete got next={next_path!r}, not '/lookup?transaction_id=1'")
    landed = urlsplit(page.url)
    screenshot(page, screenshot_dir, "15-signed-in-from-a-lookup-link")
    if landed.path != "/lookup":
        problems.append(
            f"signed in, the browser landed on {landed.path!r} ({main(page).get_by_role('heading', level=1).first.inner_text()}), not /lookup"
        )
    elif text_input(page, "Transaction id").input_value() != "1":
        problems.append("signed in on Lookup, but the link's transaction id is gone")
    assert not problems, "sign-in from a shared link:\n- " + "\n- ".join(problems)


# Markdown an operator might type (or the API might send): each is shown as typed, never rendered.
MARKDOWN_USERNAME = "**ali** :red[x] $x^2$ <b>x</b>"
MARKDOWN_DESCRIPTION = "![t](http://127.0.0.1:9/x.png) [click](http://127.0.0.1:9/)"


def test_admin_tables_and_a_confirm_dialog_show_nothing_but_literal_text(
    page: Page, console_server, screenshot_dir: Path
) -> None:
    """Audit log and Settings offer no built-in table download; a payout confirm dialog shows what was
    typed literally: no bold, no colour, no KaTeX, no image (fetched from the URL), no link."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "127.0.0.1:9/" in request.url else None)
    page.goto(console_server.url + "/")
    expect_sign_in_page(page)
    sign_in(page, "admin")
    for title in ("Audit log", "Settings"):
        open_page(page, title)
        expect_no_builtin_table_download(page)

    open_page(page, "Send money")
    fill_in(
        page,
        {
            "Customer username": MARKDOWN_USERNAME,
            "Amount (₺)": "100",
            "Customer IBAN": PAYOUT_IBAN,
            "Account holder name": "Ayşe Yılmaz",
            "Description (optional)": MARKDOWN_DESCRIPTION,
        },
    )
    with rerun(page):
        main(page).get_by_role("button", name="Review payout").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT)
    # What a person reads (ui.literal's invisible word joiners, which keep URLs from becoming links, aside).
    rows = [row.strip().replace("\u2060", "") for row in dialog.get_by_role("listitem").all_inner_texts()]
    assert f"Customer username: {MARKDOWN_USERNAME}" in rows, rows
    assert f"Description: {MARKDOWN_DESCRIPTION}" in rows, rows
    for rendered in ("img", "a", "strong:has-text('ali')", ".katex", "b"):
        expect(dialog.locator(rendered)).to_have_count(0)
    screenshot(page, screenshot_dir, "16-send-money-confirm-markdown-payloads")
    with rerun(page):
        dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0, timeout=UI_TIMEOUT)
    assert fetched == [], f"the browser fetched what an operator typed: {fetched}"


def test_viewer_builds_a_statement_and_sees_its_first_page(page: Page, console_server, screenshot_dir: Path) -> None:
    """Statements: build this month's statement of every IBAN; the PDF's first page is shown as an
    image (rendered on the server from the very PDF offered), and the PDF downloads."""
    page.goto(console_server.url + "/")
    expect_sign_in_page(page)
    sign_in(page, "viewer")
    open_page(page, "Statements")
    with rerun(page, timeout=90_000):  # the PDF and its preview: the slowest run of the console
        main(page).get_by_role("button", name="Build statement").click()
    expect(main(page).get_by_text(re.compile(r"^Statement for All IBANs"))).to_be_visible()
    preview = main(page).locator('[data-testid="stImage"] img')
    expect(preview).to_have_count(1)
    expect(main(page).get_by_text("First page of the PDF")).to_be_visible()
    size = preview.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size[0] >= 1000 and size[0] > size[1], size  # an A4 landscape page, readable
    screenshot(page, screenshot_dir, "17-statements-preview")
    pdf = download(page, main(page).get_by_role("button", name="Download PDF"))
    assert pdf.suggested_filename.endswith(".pdf"), pdf.suggested_filename
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF-")


def test_search_from_the_sidebar_opens_the_customer_view(page: Page, console_server, screenshot_dir: Path) -> None:
    """Issue 13: rows of two IBANs a year apart in the server's mirror and an unknown payout in its
    journal; a viewer searches from the sidebar box, follows the customer link, and the customer's
    page says where the withdrawals are."""
    import time
    from datetime import UTC

    from dashboard.history.ingest import records_to_frame
    from dashboard.store import Store

    store = Store.in_dir(console_server.data_dir / "sandbox")
    synced = datetime.now(UTC)
    for (iban_id, iban), day, rows in (
        (
            (901, PAYOUT_IBAN),
            date(2024, 4, 1),
            [(9101, "deposit", "1000.00", "Completed"), (9102, "withdrawal", "250.00", "Completed")],
        ),
        ((902, "TR560001000000000000000001"), date(2025, 3, 1), [(9201, "withdrawal", "300.00", "Pending")]),
    ):
        records = [
            {
                "id": i,
                "type": t,
                "amount": a,
                "status": s,
                "username": "ayse_k",
                "customer_name": "Ayşe Kaya",
                "customer_iban": "TR120001001234567890123456",
                "created_at": f"{day} 10:00:00",
            }
            for i, t, a, s in rows
        ]
        frame = records_to_frame(records, iban_id=iban_id, iban=iban, tz="Europe/Istanbul")
        store.mirror.write_days(iban_id, iban, day, day, frame, synced, tz="Europe/Istanbul")
    store.operations.claim(
        {
            "id": "browser-lost",
            "kind": "payout",
            "state": "unknown",
            "created_at": synced,
            "updated_at": synced,
            "actor": "operator",
            "amount": Decimal("120.00"),
            "amount_kurus": 12000,
            "username": "ayse_k",
            "customer_iban": "TR120001001234567890123456",
            "request": {},
        },
        duplicate_since=None,
        active_states=(),
    )
    store.close()
    seeded = time.monotonic()

    page.goto(console_server.url + "/")
    sign_in(page, "viewer")
    box = sidebar_of(page).get_by_role("textbox", name="Search all time")
    with rerun(page):
        box.fill("AYSE KAYA")
        box.press("Enter")
    expect(main(page).get_by_role("heading", name="Search", level=1)).to_be_visible(timeout=UI_TIMEOUT)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["AYSE KAYA"]}, page.url
    # The server's index looks for newly synced days at most every 10 s, refreshing in the background:
    # a search may first meet the index from before the seeding; the same search (its link) run again
    # later finds the rows. Each try is a whole run of the page, followed to its end.
    found = main(page).get_by_text("3 transactions found.")
    while not found.count() and time.monotonic() < seeded + 90:
        with rerun(page):
            page.reload()
    expect(found).to_be_visible()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["AYSE KAYA"]}, page.url
    screenshot(page, screenshot_dir, "17-search-all-time")

    # Searching again from the sidebar, on the Search page (whose own box is bound to ?q=): the new
    # query is searched (this once stopped the page with Streamlit's redacted error).
    with rerun(page):
        box.fill("ayse_k")
        box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=ayse_k$"))
    expect(text_input(page, "Search all time")).to_have_value("ayse_k")
    expect(main(page).get_by_text("This app has encountered an error", exact=False)).to_have_count(0)
    expect(found).to_be_visible()  # the customer's three transactions, found by the username

    # The username in the table's first column is the link (drawn on the grid's canvas): it opens
    # the customer in a new tab.
    table = main(page).locator('[data-testid="stDataFrame"]')
    expect(table.locator('[role="gridcell"]').filter(has_text="/customer?username=ayse_k")).to_have_count(3)
    box = table.bounding_box()
    with page.context.expect_page(timeout=UI_TIMEOUT) as opened:
        page.mouse.move(box["x"] + 22, box["y"] + 35 + 17)  # first row under the header, on "ayse_k"
        page.mouse.click(box["x"] + 22, box["y"] + 35 + 17)
    page = opened.value
    # A new tab draws its widgets late under load (skeletons for 20-30 s were seen): wait as wait_idle does.
    expect(main(page).get_by_role("heading", name="Customer", level=1)).to_be_visible(timeout=60_000)
    assert parse_qs(urlsplit(page.url).query) == {"username": ["ayse_k"]}, page.url
    alerts = main(page).locator('[data-testid="stAlert"]')  # the open withdrawals, above their table
    expect(alerts.filter(has_text="Do not send it again")).to_have_count(1, timeout=UI_TIMEOUT)
    expect(alerts.filter(has_text="In progress at EnigmaPay")).to_have_count(1)
    screenshot(page, screenshot_dir, "18-customer-view")
