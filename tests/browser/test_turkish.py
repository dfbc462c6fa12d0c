"""The console once in Turkish, in a real browser: the operators' own language end to end."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard.i18n import translate
from tests.browser.test_console_browser import main, metric, pick, rerun, screenshot, sidebar_of, sign_in

pytestmark = pytest.mark.browser

TURKISH_MONEY = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2} ₺$")  # 125.000,00 ₺


def tr(text: str) -> str:
    return translate(text, "tr")


def choose_language(page: Page, name: str, title: str) -> None:
    """Pick the language `name` in the sidebar; the page's title `title` shows in it."""
    box = sidebar_of(page).locator('[data-testid="stSelectbox"]')
    pick(page, box, name, main(page).get_by_role("heading", name=title, level=1))


def test_the_console_in_turkish(page: Page, console_server, screenshot_dir: Path) -> None:
    page.goto(console_server.url)
    sign_in(page, "operator")
    choose_language(page, "Türkçe", tr("Overview"))

    total = metric(page, tr("Total balance"))
    assert TURKISH_MONEY.match(total), total
    nav = sidebar_of(page).locator('[data-testid="stSidebarNav"]')
    for title in ("Overview", "Balances", "Transactions", "Send money"):
        expect(nav.get_by_role("link", name=tr(title), exact=True)).to_be_visible()
    screenshot(page, screenshot_dir, "20-turkish-overview")

    # Balances: the table draws Turkish numbers (131.690,66) although this browser's locale is en-US
    # (on the canvas: see the screenshot; tests/pages checks the text sent), and sorts them as numbers:
    # its header (the last column) clicked once, the grid's accessible cells (raw values) are in ascending numeric order.
    with rerun(page):
        nav.get_by_role("link", name=tr("Balances"), exact=True).click()
    expect(main(page).get_by_role("heading", name=tr("Balances"), level=1)).to_be_visible()
    table = main(page).locator('[data-testid="stDataFrame"]').first  # the balances; the mirror's table may follow
    balances = table.locator('[role="gridcell"]').filter(has_text=re.compile(r"^\s*-?\d+\.\d+\s*$"))
    ibans = int(metric(page, tr("IBANs")))
    expect(balances).to_have_count(ibans)
    screenshot(page, screenshot_dir, "22-turkish-balances")
    numeric_order = sorted((text.strip() for text in balances.all_text_contents()), key=Decimal)
    box = table.bounding_box()  # the header is drawn on a canvas: click where Balance (the last column) is
    page.mouse.click(box["x"] + box["width"] - 40, box["y"] + 17)
    expect(balances).to_have_text(numeric_order)  # 16081.37 before 107570.35: numbers, not text
    screenshot(page, screenshot_dir, "23-turkish-balances-sorted")

    with rerun(page):
        nav.get_by_role("link", name=tr("Transactions"), exact=True).click()
    expect(main(page).get_by_role("heading", name=tr("Transactions"), level=1)).to_be_visible()
    assert TURKISH_MONEY.match(metric(page, tr("Money in")))
    expect(main(page).get_by_role("button", name=tr("Download CSV"))).to_be_visible()
    screenshot(page, screenshot_dir, "21-turkish-transactions")

    # The choice is the user's: a reload (a new Streamlit session) keeps Turkish.
    page.reload()
    expect(main(page).get_by_role("heading", name=tr("Transactions"), level=1)).to_be_visible(timeout=30_000)
