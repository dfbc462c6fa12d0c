"""Batch payouts page (AppTest, the console against a real sandbox): a 200-row file with errors and
repeats previewed correctly, bad files refused with nothing stored, submit for approval, nothing sent
before it, then each valid row sent once, with results on the page, in Operations and as a file."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pandas as pd
import pytest

from dashboard import services
from dashboard.approvals import ApprovalError
from dashboard.client.models import SendMoneyRequest
from tests.helpers.markdown import shown

PAGE = "batch_payouts"
IBAN = "TR330006100519786457841326"
BAD_IBAN = "TR330006100519786457841327"  # check digits wrong
HEADER = "Kullanıcı Adı;Tutar;Müşteri IBAN;Müşteri Adı;Açıklama"
REPEATS = {55: 10, 75: 30, 95: 50, 115: 70, 146: 100, 165: 120}  # index -> the earlier (valid) row it repeats


@pytest.fixture
def approvals(console):
    """The console's own approvals desk (dashboard.approvals): the demo "approver" decides."""
    console.open(PAGE)  # builds the console's records
    return services.records().approvals


def file_200() -> tuple[bytes, dict]:
    """200 payout rows (spreadsheet rows 2..201): 12 not valid, 6 repeating an earlier row, 1 matching a
    payout the journal made minutes ago; cp1254 with `;` as Excel writes it in a Turkish locale."""
    lines, expect = [HEADER], {"invalid": {}, "repeats": {}}
    for i in range(200):
        row = i + 2
        username, amount, iban, name = f"müşteri{i}", f"{10 + i},50", IBAN, "Şule Yılmaz"
        if i % 17 == 5:
            iban = BAD_IBAN
            expect["invalid"][row] = "check digits"
        elif i % 17 == 9:
            amount = "1.500"  # ambiguous: refused by the form's rule
            expect["invalid"][row] = "1.500"
        elif i in REPEATS:
            username, amount = f"müşteri{REPEATS[i]}", f"{10 + REPEATS[i]},50"
            expect["repeats"][row] = REPEATS[i] + 2
        lines.append(f"{username};{amount};{iban};{name};satır {row}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1254"), expect


def upload(at, name: str, data: bytes):
    at.file_uploader[0].set_value((name, data, "text/csv"))
    return at.run()


def column(at, index: int, label: str) -> list:
    return list(at.dataframe[index].value[label])


def test_200_row_file_with_errors_and_repeats_is_previewed_correctly(console, approvals):
    # A payout made by hand a few minutes ago, the same as the file's row 13 (müşteri11, 21,50).
    services.records().journal.submit_payout(
        "manual-0001", SendMoneyRequest("müşteri11", Decimal("21.50"), IBAN, "Şule Yılmaz", ""), actor="operator"
    )
    sent_before = console.calls("POST /send-money")
    data, expect = file_200()
    at = upload(console.open(PAGE), "ödemeler.csv", data)
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    invalid = len(expect["invalid"])
    flagged = len(expect["repeats"]) + 1
    assert metrics["Rows in the file"] == "200" and metrics["Not valid"] == str(invalid)
    assert metrics["Flagged as repeats"] == str(flagged)
    assert metrics["Rows to send"] == str(200 - invalid - flagged)
    rows = column(at, 0, "Row")
    checks = dict(zip(rows, column(at, 0, "Check")))
    why = dict(zip(rows, column(at, 0, "Why")))
    assert len(rows) == 200 and rows[0] == 2 and rows[-1] == 201
    for row, words in expect["invalid"].items():
        assert checks[row] == "❌ not valid" and words in why[row], (row, why[row])
    for row, earlier in expect["repeats"].items():
        assert checks[row] == "⚠️ left out" and why[row] == f"repeats row {earlier}"
    assert checks[13] == "⚠️ left out" and why[13] == "same as recent payout manual-0001"
    assert checks[2] == "✅ to send" and why[2] == ""
    amounts = dict(zip(rows, column(at, 0, "Amount")))
    assert amounts[2] == "₺10.50" and amounts[201] == "₺209.50"
    assert "müşteri0" in column(at, 0, "Customer username")  # Windows-1254 read as Turkish
    assert column(at, 0, "Commission")[0] == "₺0.05" and column(at, 0, "Fee")[0] == "₺2.50"
    # A not valid row has no bank or costs: drawn as "—" (the placeholder), its Why says why; never "None".
    banks = dict(zip(rows, column(at, 0, "Receiving bank")))
    assert all(pd.isna(banks[row]) for row in expect["invalid"]) and at.dataframe[0].proto.placeholder == "—"
    # Including the flagged rows changes the count to send; nothing is sent, nothing stored.
    at.checkbox(key="batch_include").check().run()
    assert {m.label: m.value for m in at.metric}["Rows to send"] == str(200 - invalid)
    assert console.calls("POST /send-money") == sent_before
    assert console.store().batches.recent() == []


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("p.csv", b"username;amount;iban\nu;1;x\n", "Unknown column(s): iban"),
        ("p.csv", f"{HEADER}\nu;=1+1;{IBAN};Ali Veli;x\n".encode(), "formula"),
        ("p.xlsx", b"not a workbook", "not a readable XLSX"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(console, approvals, name, data, words):
    at = upload(console.open(PAGE), name, data)
    assert not at.exception
    assert words in at.error[0].value and at.error[0].value.startswith("The file was not accepted")
    assert not any(b.key == "batch_submit" for b in at.button)
    assert console.store().batches.recent() == []


def test_submit_then_nothing_before_approval_then_each_valid_row_once(console, approvals):
    lines = [HEADER] + [f"kişi{i};{i + 1},00;{IBAN};Ali Veli;satır" for i in range(8)] + [f"x;0;{IBAN};Ali Veli;"]
    at = upload(console.open(PAGE, user="operator"), "p.csv", ("\n".join(lines) + "\n").encode())
    at.button(key="batch_submit").click().run()
    assert not at.exception
    [batch] = console.store().batches.recent()
    assert batch.state == "awaiting_approval" and batch.maker == "operator" and batch.to_send == 8
    request = approvals.by_reference("batch", batch.id)
    assert (request.state, request.maker, request.count, request.amount) == ("waiting", "operator", 8, Decimal("36.00"))
    assert "Waiting for approval by a second person" in shown(at.info[-1].value)
    assert console.calls("POST /send-money") == 0
    assert not at.file_uploader[0].value  # a fresh uploader for the next file
    assert at.selectbox[0].options[0].startswith("p.csv · awaiting approval · ")  # words, not the stored key

    with pytest.raises(ApprovalError):  # the maker cannot approve their own batch
        approvals.approve(request.id, approver="operator")
    approvals.approve(request.id, approver="approver")
    deadline = time.monotonic() + 30
    while console.store().batches.get(batch.id).state != "done":
        at = console.open(PAGE, user="operator")  # the page takes up the approval; the sender runs
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert console.calls("POST /send-money") == 8
    at = console.open(PAGE, user="operator")
    results = at.dataframe[0].value
    assert list(results["State"]) == ["confirmed"] * 8 + ["invalid"]
    # The invalid row (never sent) says so where Streamlit would draw a grey "None"; its amount ("0") is
    # in its note, the empty amount cell drawn as the table's placeholder.
    assert results["Transaction id"].str.isdigit().sum() == 8 and results["Transaction id"].iloc[8] == "not sent"
    assert results["Operation"].iloc[8] == "not sent" and "amount as typed: “0”" in results["Note"].iloc[8]
    assert at.dataframe[0].proto.placeholder == "—"
    amount_format = json.loads(at.dataframe[0].proto.columns)["Amount (₺)"]
    assert amount_format["type_config"]["format"] == "%,.2f"  # shown "1.00", not "1"
    assert "Every row to send has been sent" in at.success[0].value
    assert at.selectbox[0].options[0].startswith("p.csv · done · ")

    csv = console.download("_results.csv").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith('"Row","State"') and csv.count("confirmed") == 8
    assert "not sent" not in csv and "None" not in csv and "<NA>" not in csv  # the file: missing stays empty
    exports = [e for e in console.store().audit.query(action="export") if e.details.get("dataset") == "batch_results"]
    assert exports and exports[0].actor == "operator"
    # In Operations: each row is a journal entry of its own.
    ops = console.open("operations", user="operator").dataframe[0].value
    assert sum(str(op).startswith(batch.id) for op in ops["Operation"]) == 8


def test_the_page_in_turkish(console, approvals):
    at = console.open(PAGE, user="operator")
    at.session_state["lang"] = "tr"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Toplu ödeme"


def test_a_rejected_batch_sends_nothing_and_the_maker_reads_why(console, approvals):
    lines = [HEADER] + [f"kişi{i};{i + 1},00;{IBAN};Ali Veli;satır" for i in range(3)]
    at = upload(console.open(PAGE, user="operator"), "p.csv", ("\n".join(lines) + "\n").encode())
    at.button(key="batch_submit").click().run()
    [batch] = console.store().batches.recent()
    approvals.reject(approvals.by_reference("batch", batch.id).id, approver="approver", note="wrong month")
    at = console.open(PAGE, user="operator")
    assert not at.exception
    assert console.store().batches.get(batch.id).state == "rejected"
    assert "nothing was sent" in at.error[0].value
    assert any("rejected by approver" in shown(c.value) and "wrong month" in c.value for c in at.caption)
    assert list(at.dataframe[0].value["State"]) == ["cancelled"] * 3
    time.sleep(0.5)
    assert console.calls("POST /send-money") == 0


def test_an_approver_sees_every_row_of_a_batch_and_changes_nothing(console, approvals):
    lines = [HEADER] + [f"kişi{i};{i + 1},00;{IBAN};Ali Veli;satır" for i in range(3)] + [f"x;abc;{IBAN};Ali Veli;"]
    at = upload(console.open(PAGE, user="operator"), "p.csv", ("\n".join(lines) + "\n").encode())
    at.button(key="batch_submit").click().run()
    at = console.open(PAGE, user="approver")
    assert not at.exception
    assert not at.file_uploader and not any(b.key in ("batch_cancel", "batch_submit") for b in at.button)
    assert "approve or reject them on the Approvals page" in at.info[0].value
    rows = at.dataframe[0].value
    assert list(rows["State"]) == ["queued"] * 3 + ["invalid"] and "Ali Veli" in list(rows["Account holder"])
