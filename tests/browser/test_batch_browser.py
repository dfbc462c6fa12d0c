"""Batch payouts in a real chromium: a maker and an approver, each in a browser context of their own,
against the console as `make run` starts it, pointed at a sandbox this test runs (so its call counters
and its own memory of payouts are read here).

The maker (demo `operator`) uploads a 200-row file through the page's file uploader, reads the preview's
counts and totals, and submits it; then a small second file. The approver sees both in the queue with
their totals, rejects the second and approves the first with a note; the maker has no enabled Approve
button for either. The approved batch is sent while the maker watches its progress: POST /send-money
is called once per valid, unflagged row, the rejected batch sends nothing, and reloading both pages
sends nothing more.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.sandbox import data as sandbox_data
from tests.browser.conftest import ARTIFACTS, STARTUP_TIMEOUT_S
from tests.browser.test_approvals_browser import person
from tests.browser.test_console_browser import (
    PAYOUT_IBAN,
    UI_TIMEOUT,
    download,
    lira,
    main,
    metric,
    open_page,
    pick,
    rerun,
    screenshot,
    sidebar_of,
    wait_idle,
)
from tests.helpers.console import console_env, running_console

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BAD_IBAN = PAYOUT_IBAN[:-1] + "7"  # check digits wrong
FILE_A, FILE_B = "ödemeler-kasım.csv", "ikinci-dosya.csv"
SEND_TIMEOUT = 60_000  # ms: 177 payouts at the test's rate take a few seconds
# Row index -> why it is not valid (the Send money form's own checks).
INVALID = {
    7: ("customer_iban", BAD_IBAN),
    19: ("amount", "1.500"),  # ambiguous: refused by the form's rule
    31: ("amount", "0"),
    43: ("username", ""),
    55: ("customer_name", ""),
    67: ("customer_iban", "TR33"),
    79: ("amount", "abc"),
    91: ("customer_iban", BAD_IBAN),
    103: ("amount", "12,345"),  # three decimals
    115: ("username", ""),
    127: ("amount", "1.500"),
    139: ("customer_iban", BAD_IBAN),
    151: ("amount", "0,00"),
    163: ("customer_name", ""),
    175: ("customer_iban", "DE89370400440532013000"),  # not a Turkish IBAN
}
REPEATS = {60: 10, 80: 30, 100: 50, 120: 70, 140: 90, 160: 110, 180: 130, 199: 2}  # index -> earlier valid row


def _row(i: int) -> dict[str, str]:
    return {
        "username": f"müşteri{i:03d}",
        "amount": f"{10 + i},{(i * 37) % 100:02d}",
        "customer_iban": PAYOUT_IBAN,
        "customer_name": "Şule Yılmaz",
        "description": f"satır {i + 2}",
    }


def file_200() -> tuple[bytes, list[dict[str, str]]]:
    """200 rows as Excel writes them in a Turkish locale, but UTF-8 with a BOM: `;`-separated, amounts
    `12,37`. Returns the file and the rows that must be sent (valid and not repeating an earlier row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(_row(0)), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    to_send = []
    for i in range(200):
        row = _row(i)
        if i in INVALID:
            field, value = INVALID[i]
            row[field] = value
        elif i in REPEATS:
            earlier = _row(REPEATS[i])
            row.update(username=earlier["username"], amount=earlier["amount"])
        else:
            to_send.append(row)
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig"), to_send


def file_b() -> bytes:
    lines = ["username;amount;customer_iban;customer_name"] + [
        f"ret{i};{500 + i},00;{PAYOUT_IBAN};Ali Veli" for i in range(3)
    ]
    return ("\n".join(lines) + "\n").encode()


def amount_of(row: dict[str, str]) -> Decimal:
    return Decimal(row["amount"].replace(",", "."))


def expected_totals(rows: list[dict[str, str]]) -> dict[str, Decimal]:
    """What the preview must say, computed here from the sandbox's published withdrawal terms (0.50 %,
    half-up to kuruş, plus a fixed fee per payout), not by the console's code."""
    rate = Decimal(sandbox_data.WITHDRAWAL_COMMISSION_BP) / 10_000
    fee = Decimal(sandbox_data.WITHDRAWAL_FEE_KURUS) / 100
    amount = sum((amount_of(r) for r in rows), Decimal("0.00"))
    commission = sum(((amount_of(r) * rate).quantize(Decimal("0.01"), ROUND_HALF_UP) for r in rows), Decimal("0.00"))
    fees = fee * len(rows)
    return {"Amount": amount, "Commission": commission, "Fee": fees, "Total debited": amount + commission + fees}


@pytest.fixture
def batch_console(make_sandbox, tmp_path) -> Iterator[tuple[str, object]]:
    """(console URL, sandbox): the console on a sandbox of this test, sending batches briskly."""
    srv = make_sandbox(anchor=None, transactions=500)
    env = console_env(tmp_path / "data", 500)
    env.update(
        ENIGMAPAY_BASE_URL=srv.base_url,
        ENIGMAPAY_API_KEY=SANDBOX_API_KEY,
        ENIGMAPAY_SECRET_KEY=SANDBOX_SECRET_KEY,
        ENIGMAPAY_BATCH_CONCURRENCY="8",
        ENIGMAPAY_BATCH_RATE="100",
    )
    log = ARTIFACTS / "console-server-batches.log"
    with running_console(log, env, STARTUP_TIMEOUT_S, health_path="/_stcore/health") as (url, _process):
        yield url, srv


# --- helpers ------------------------------------------------------------------------------------------


def upload(page: Page, name: str, data: bytes) -> None:
    """Hand `data` to the page's file uploader as the browser would (the hidden <input type=file>)."""
    chooser = main(page).locator('[data-testid="stFileUploaderDropzoneInput"]')
    expect(chooser).to_have_count(1)
    with rerun(page):  # the file is posted, then the page runs with it
        chooser.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    expect(main(page).get_by_role("button", name=f"Remove {name}")).to_be_visible(timeout=UI_TIMEOUT)


def submit(page: Page, n: int) -> None:
    with rerun(page):
        main(page).get_by_role("button", name=f"Submit {n} payouts for approval").click()
    # Once: a rerun can briefly show the panel of the run before beside the new one.
    expect(main(page).get_by_text("Waiting for approval by a second person (not operator)")).to_have_count(
        1, timeout=UI_TIMEOUT
    )
    expect(main(page).get_by_role("button", name=re.compile("^Remove "))).to_have_count(0)  # a fresh uploader


def card(page: Page, file_name: str) -> Locator:
    """The approval queue's card of the batch made from `file_name`."""
    found = main(page).locator('[class*="st-key-appr_card_"]').filter(has_text=file_name)
    expect(found).to_have_count(1, timeout=UI_TIMEOUT)
    return found


def decide(page: Page, file_name: str, note: str, button: str) -> None:
    box = card(page, file_name)
    note_input = box.locator('[data-testid="stTextInput"] input')
    with rerun(page):
        note_input.fill(note)
        note_input.press("Tab")
    expect(note_input).to_have_value(note)
    with rerun(page):
        box.get_by_role("button", name=button, exact=True).click()
    outcome = "approved." if button == "Approve" else "rejected; nothing of it is sent."
    expect(main(page).get_by_text(re.compile(rf"Request \w+ {re.escape(outcome)}"))).to_be_visible(timeout=UI_TIMEOUT)


def pick_batch(page: Page, file_name: str) -> None:
    select = main(page).locator('[data-testid="stSelectbox"]').filter(has_text="Batch")
    chosen = main(page).locator('[data-testid="stMarkdownContainer"] strong', has_text=file_name)
    pick(page, select, file_name, chosen)  # tried again if the click opened nothing or hit a stale list


# --- the test -------------------------------------------------------------------------------------------


def test_maker_uploads_200_rows_approver_approves_each_valid_row_sent_once(
    browser, batch_console, screenshot_dir: Path
) -> None:
    url, srv = batch_console

    def sends() -> int:
        return srv.state.call_counts().get("POST /send-money", 0)

    def payouts_per_username() -> dict[str, int]:
        """What the provider itself holds: how many payouts it made for each username."""
        with srv.state.lock:
            live = list(srv.state._live.values())
        counts: dict[str, int] = {}
        for tx in live:
            counts[tx.username] = counts.get(tx.username, 0) + 1
        return counts

    data, to_send = file_200()
    want = expected_totals(to_send)
    assert len(to_send) == 200 - len(INVALID) - len(REPEATS) == 177

    # The maker uploads the 200-row file through the page's own uploader: counts and totals.
    maker = person(browser, url, "operator")
    open_page(maker, "Batch payouts")
    upload(maker, FILE_A, data)
    assert metric(maker, "Rows in the file") == "200"
    assert metric(maker, "Rows to send") == "177"
    assert metric(maker, "Not valid") == str(len(INVALID))
    assert metric(maker, "Flagged as repeats") == str(len(REPEATS))
    shown = {label: lira(metric(maker, label)) for label in want}
    assert shown == want, (shown, want)
    expect(main(maker).locator('[data-testid="stDataFrame"]')).to_have_count(1)
    expect(main(maker).get_by_role("checkbox", name=re.compile("Send the flagged rows too"))).not_to_be_checked()
    screenshot(maker, screenshot_dir, "40-batch-preview")
    submit(maker, 177)

    # A second, small batch (to be rejected).
    upload(maker, FILE_B, file_b())
    assert metric(maker, "Rows to send") == "3"
    submit(maker, 3)
    assert sends() == 0

    # The maker (an operator: makes, does not approve) has no enabled Approve button for their batches,
    # and follows both requests as waiting.
    open_page(maker, "Approvals")
    expect(main(maker).get_by_role("heading", name="My requests")).to_be_visible()
    expect(main(maker).get_by_role("button", name="Approve", exact=True, disabled=False)).to_have_count(0)
    mine = main(maker).locator('[data-testid="stDataFrame"]')
    expect(mine.locator('[role="gridcell"]').filter(has_text=re.compile(r"^waiting$"))).to_have_count(2)

    # The approver, in a browser of their own: the sidebar count, the queue with each batch's totals.
    approver = person(browser, url, "approver")
    expect(sidebar_of(approver).get_by_text("2 waiting for your approval")).to_be_visible()
    open_page(approver, "Approvals")
    assert metric(approver, "Requests waiting") == "2"
    assert metric(approver, "Payouts in them") == "180"
    assert lira(metric(approver, "Total amount")) == want["Amount"] + Decimal("1503.00")
    batch_a = card(approver, FILE_A)
    assert lira(metric(approver, "Amount", scope=batch_a)) == want["Amount"]
    for label in ("Amount", "Commission", "Fee", "Total debited"):
        line = batch_a.locator("li").filter(has_text=re.compile(rf"^{label}:"))
        expect(line).to_have_count(1)
        assert lira(line.inner_text().split(":", 1)[1]) == want[label], label
    for line in (
        f"File: {FILE_A}",
        "Rows in the file: 200",
        "Rows to send: 177",
        f"Not valid: {len(INVALID)}",
        f"Flagged as repeats: {len(REPEATS)}",
        "Flagged rows sent too: no",
    ):
        expect(batch_a.locator("li").filter(has_text=re.compile(rf"^{re.escape(line)}$"))).to_have_count(1)
    expect(batch_a.locator("li").filter(has_text=re.compile(r"^Rows: "))).to_have_count(0)  # said once, above
    expect(batch_a.get_by_text("Batch payout", exact=True)).to_have_count(1)
    screenshot(approver, screenshot_dir, "41-batch-approval-queue")

    # Rejected: nothing of the second batch is ever sent. Then the first is approved.
    decide(approver, FILE_B, "wrong file, already paid by hand", "Reject")
    time.sleep(1)
    assert sends() == 0
    decide(approver, FILE_A, "checked against the withdrawal requests", "Approve")
    expect(main(approver).get_by_text("Nothing waits for approval.")).to_be_visible(timeout=UI_TIMEOUT)
    expect(sidebar_of(approver).get_by_text(re.compile("waiting for your approval"))).to_have_count(0)

    # The maker watches the approved batch being sent, to the end.
    open_page(maker, "Batch payouts")
    pick_batch(maker, FILE_A)
    expect(main(maker).get_by_text("177 of 177 sent · 177 accepted", exact=False)).to_be_visible(timeout=SEND_TIMEOUT)
    expect(main(maker).get_by_text("Every row to send has been sent", exact=False)).to_be_visible(timeout=UI_TIMEOUT)
    expect(main(maker).get_by_text("approved by approver", exact=False)).to_be_visible()
    # The list of batches follows the panel (the page reran when the batch moved on): it says done too.
    done_listed = main(maker).locator(f'input[aria-label="Batch"][value^="{FILE_A} · done · "]')
    expect(done_listed.first).to_be_attached(timeout=UI_TIMEOUT)  # .first: a rerun may show two for a moment
    wait_idle(maker)
    expect(main(maker).get_by_role("combobox", name="Batch")).to_have_count(1)
    expect(done_listed).to_have_count(1)
    screenshot(maker, screenshot_dir, "42-batch-finished")

    for name in ("Download results (CSV)", "Download results (Excel)"):  # labels whole, not "Download res…"
        button = main(maker).get_by_role("button", name=name)
        cut = button.evaluate("b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth)")
        assert not cut, f"{name!r} is cut short"

    # Each valid, unflagged row exactly once; the rejected batch never.
    expected = {row["username"]: 1 for row in to_send}
    assert sends() == 177
    assert payouts_per_username() == expected

    # The per-row results file (through the safe export) says the same.
    results_file = download(maker, main(maker).get_by_role("button", name="Download results (CSV)"))
    wait_idle(maker)
    results = list(csv.DictReader(io.StringIO(Path(results_file.path()).read_text(encoding="utf-8-sig"))))
    states = [r["State"] for r in results]
    assert len(results) == 200
    assert (states.count("confirmed"), states.count("invalid"), states.count("skipped")) == (177, 15, 8), states
    assert all(r["Transaction id"] for r in results if r["State"] == "confirmed")
    # A row never sent: its file cells empty (never "None"); on screen the same row says "not sent".
    invalid = [r for r in results if r["State"] == "invalid"]
    assert {r["Transaction id"] for r in invalid} == {""} and {r["Operation"] for r in invalid} == {""}
    assert not any(value in ("None", "nan", "<NA>") for r in results for value in r.values())
    assert any("amount as typed: “abc”" in r["Note"] for r in invalid)

    # The rejected batch, as the maker sees it.
    pick_batch(maker, FILE_B)
    expect(main(maker).get_by_text("The approval was refused or ran out: nothing was sent.")).to_be_visible()
    expect(main(maker).get_by_text("wrong file, already paid by hand", exact=False)).to_be_visible()

    # Reloads of both pages send nothing again.
    for page in (maker, approver):
        with rerun(page):
            page.reload()
    pick_batch(maker, FILE_A)
    expect(main(maker).get_by_text("177 of 177 sent", exact=False)).to_be_visible(timeout=UI_TIMEOUT)
    time.sleep(2)  # a sender that wrongly went again would have called by now (rate 100/s)
    assert sends() == 177
    assert payouts_per_username() == expected
    for page in (maker, approver):
        page.context.close()
