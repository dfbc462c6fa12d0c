"""One operator's walk through the console in a real chromium, against the app as `make run` starts it.

Overview -> Balances -> Transactions (filter, download the CSV, check it against the screen) ->
Send money (review, confirm, transaction id) -> Card payment (link, order id, transaction id) ->
Lookup via its shareable `?transaction_id=` link. Every page is screenshotted to
`artifacts/screenshots/<nn>-<page>.png` for a person to look at.

Streamlit reruns the script on every widget change, so after each action the test waits for the
app to be idle (the `stApp` script state and the status widget) and for the text it expects,
never for a fixed time.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UI_TIMEOUT = 20_000  # ms; one rerun on the sandbox takes well under a second
PAYOUT_IBAN = "TR330006100519786457841326"  # valid mod-97, bank code 00061
expect.set_options(timeout=10_000)


# --- Streamlit helpers ---------------------------------------------------------------------------


def wait_idle(page: Page, timeout: float = UI_TIMEOUT) -> None:
    """Wait until no script run is in progress (callers also wait for the text they expect)."""
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=timeout)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout)


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


def open_page(page: Page, title: str) -> None:
    """Click the page's link in the sidebar navigation and wait for its title."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    expect(main(page).get_by_role("heading", name=title, level=1)).to_be_visible(timeout=UI_TIMEOUT)
    wait_idle(page)


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
    field.fill(value)
    field.press("Tab")
    wait_idle(page)
    expect(field).to_have_value(value)


def choose(page: Page, label: str, option: str) -> None:
    """Pick one option of a multiselect."""
    widget = main(page).locator('[data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    )
    widget.locator("input").click()
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)
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


def grid_headers(frame: Locator) -> list[str]:
    """Column headers of an st.dataframe, from the grid's accessibility table (drawn after load)."""
    headers = frame.locator('[role="columnheader"]')  # the table is visually hidden: CSS, not get_by_role
    expect(headers.first).to_be_attached()
    return [h.strip() for h in headers.all_text_contents()]


# --- the walk ------------------------------------------------------------------------------------


def test_operator_walk(page: Page, console_server, screenshot_dir: Path) -> None:
    def shoot(name: str) -> None:
        screenshot(page, screenshot_dir, name)

    # What the operator is told but does not match the data: collected, so the walk goes on and
    # every such problem is reported at the end.
    problems: list[str] = []

    # Overview: the address `make run` prints, the default page.
    page.goto(console_server.url + "/")
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
    table = main(page).locator('[data-testid="stDataFrame"]')
    expect(table).to_have_count(1)
    assert grid_headers(table)[:4] == ["IBAN", "Owner", "Bank", "Status"]
    iban_count = int(ibans_on_overview.split(" / ")[1].split()[0])
    assert int(metric(page, "IBANs")) == iban_count
    expect(table.locator('[role="gridcell"]').filter(has_text=re.compile(r"^TR\d\d( \d{4}){5} \d\d$"))).to_have_count(iban_count)
    assert lira(metric(page, "Total balance")) == total_on_overview
    charts = main(page).locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2, timeout=UI_TIMEOUT)  # balance per bank, balance over time
    for chart, marks in zip(charts.all(), ("g.trace.bars g.point path", "g.trace.scatter path.js-line")):
        chart.scroll_into_view_if_needed()
        expect(chart.locator(marks)).not_to_have_count(0)  # bars / lines actually drawn
    shoot("02-balances")

    # Transactions: filter, then check the downloaded CSV against what the page shows.
    open_page(page, "Transactions")
    period = main(page).get_by_role("radiogroup", name="Period")
    period.get_by_role("radio", name="30 days", exact=True).click()
    wait_idle(page)
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
    shoot("03-transactions")

    with page.expect_download(timeout=UI_TIMEOUT) as download_info:
        main(page).get_by_role("button", name="Download CSV").click()
    download = download_info.value
    named = re.fullmatch(r"transactions_(\d{4}-\d\d-\d\d)_(\d{4}-\d\d-\d\d)\.csv", download.suggested_filename)
    assert named, download.suggested_filename
    start, end = date.fromisoformat(named[1]), date.fromisoformat(named[2])
    assert (end - start).days == 29, "the 30 days preset should export 30 days"
    # The disabled date-range box: one ISO date input for each end of the range.
    range_box = main(page).locator('[data-testid="stDateInput"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text("From – to", exact=True))
    ends = range_box.locator('input[type="date"]')
    shown_range = f"{ends.nth(0).input_value()} – {ends.nth(1).input_value()}"
    if shown_range != f"{start} – {end}":
        problems.append(f"'From – to' shows {shown_range!r} but the data (and export) cover {start} – {end}")
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM (Excel and Turkish letters)"
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = records[0], records[1:]
    assert body, "the CSV has no rows"
    assert len(body) == shown_count, f"CSV has {len(body)} rows, the page says {shown_count}"
    # Same columns as the table, in order; date-times carry their zone in the CSV header.
    assert len(header) >= len(headers_shown)
    for shown, written in zip(headers_shown, header):
        assert written == shown or written.startswith(f"{shown} ("), (headers_shown, header)
    col = {name.split(" (")[0] if name.startswith(("Date (", "Completed at (")) else name: i for i, name in enumerate(header)}
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
    type_into(page, "Customer username", "browser_test_user")
    type_into(page, "Amount (₺)", "1250,50")
    type_into(page, "Customer IBAN", PAYOUT_IBAN)
    type_into(page, "Account holder name", "Ayşe Yılmaz")
    type_into(page, "Description (optional)", "browser test payout")
    expect(main(page).get_by_role("heading", name="Preview")).to_be_visible()
    receiving_bank = metric(page, "Receiving bank")  # bank code 00061 is not in dashboard/banks.py: "—"
    payout_commission, payout_fee = lira(metric(page, "Commission")), lira(metric(page, "Fee"))
    assert payout_commission == (Decimal("1250.50") * withdrawal_rate / 100).quantize(Decimal("0.01")), payout_commission
    assert payout_fee == withdrawal_fee
    assert lira(metric(page, "Total debited")) == Decimal("1250.50") + payout_commission + payout_fee
    shoot("04-send-money")
    main(page).get_by_role("button", name="Review payout").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT)
    expect(dialog).to_contain_text("Confirm payout")
    for label, value in (
        ("Customer username", "browser_test_user"),
        ("Amount", "₺1,250.50"),
        ("Customer IBAN", "TR33 0006 1005 1978 6457 8413 26"),
        ("Receiving bank", "unknown bank code" if receiving_bank == "—" else receiving_bank),
        ("Account holder", "Ayşe Yılmaz"),
        ("Description", "browser test payout"),
        ("Commission", f"₺{payout_commission:,.2f}"),
        ("Fee", f"₺{payout_fee:,.2f}"),
    ):
        expect(dialog.get_by_role("listitem").filter(has_text=f"{label}:")).to_have_text(f"{label}: {value}")
    shoot("05-send-money-confirm")
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
    type_into(page, "Customer username", "browser_card_user")
    type_into(page, "First name", "Mehmet")
    type_into(page, "Last name", "Öztürk")
    type_into(page, "Email", "mehmet@example.com")
    type_into(page, "Phone", "+90 532 123 45 67")
    type_into(page, "Amount (₺, at least 200)", "450")
    shoot("07-card-payment")
    main(page).get_by_role("button", name="Review card payment").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=UI_TIMEOUT)
    for value in ("browser_card_user", "Mehmet Öztürk", "mehmet@example.com", "₺450.00"):
        expect(dialog).to_contain_text(value)
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
    expect(status).to_have_text(re.compile(r"^\S+ (Pending|Processing|Completed|Failed|Cancelled|Rejected)$"), timeout=UI_TIMEOUT)
    assert lira(metric(page, "Amount")) == Decimal("1250.50")
    created = datetime.strptime(metric(page, "Created"), "%Y-%m-%d %H:%M:%S")
    if abs((created - operation_time).total_seconds()) > 120:
        problems.append(
            f"the payout's operation line says {operation_time} but Lookup says it was created {created}: "
            "one of them is not in the dealer's time zone"
        )
    expect(sidebar.locator(".stMarkdownBadge", has_text="SANDBOX").filter(visible=True)).to_be_visible()
    shoot("09-lookup")

    assert not problems, "the pages show things that contradict the data:\n- " + "\n- ".join(problems)


def test_shared_link_opens_the_console_on_a_fresh_server(fresh_console_server, page: Page, screenshot_dir: Path) -> None:
    """The first thing a restarted console serves may be a shared Lookup link: it must be the console
    (its sidebar, and whatever checks console.py makes before any page runs), not pages/lookup.py run
    on its own by Streamlit's legacy `pages/` folder mode (app.py turns that mode off)."""
    page.goto(f"{fresh_console_server.url}/lookup?transaction_id=1")
    expect(main(page).get_by_role("heading", name="Lookup", level=1)).to_be_visible(timeout=30_000)
    wait_idle(page)
    screenshot(page, screenshot_dir, "10-lookup-link-on-fresh-server")
    expect(text_input(page, "Transaction id")).to_have_value("1")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Send money", exact=True)).to_be_visible()
    expect(sidebar.locator(".stMarkdownBadge", has_text="SANDBOX").filter(visible=True)).to_be_visible()
