"""The batch results table with rows in every state (pure: BatchItemRow in, frames out): on screen no
cell Streamlit would draw as a grey "None" where the console knows why it is empty; in the file
(CSV / Excel) every missing cell empty, never the text "None", "nan" or "<NA>"."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pandas as pd

from dashboard.batches.frames import results_frame, results_on_screen
from dashboard.export import to_csv_bytes, to_excel_bytes
from dashboard.store import BatchItemRow

IBAN = "TR330006100519786457841326"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _row(row_no: int, state: str, **fields) -> BatchItemRow:
    cells = {"username": f"u{row_no}", "amount": "10,00", "customer_iban": IBAN, "customer_name": "Ali Veli"}
    cells.update(fields.pop("cells", {}))
    sent = {"username": cells["username"], "amount": Decimal("10.00"), "customer_iban": IBAN, "customer_name": "Ali"}
    if state != "invalid":
        fields = {**sent, **fields}
    return BatchItemRow("b1", row_no, state, cells, NOW, **fields)


ROWS = [
    _row(2, "done", operation_id="b1-2", op_state="confirmed", transaction_id=9001),
    _row(3, "invalid", cells={"amount": "12,5,0"}, problems={"amount": "Enter an amount like 1500,50."}),
    _row(4, "invalid", cells={"customer_iban": "", "customer_name": ""}, problems={"customer_iban": "Required."}),
    _row(5, "skipped", details={"repeat_of": 2}),
    _row(6, "cancelled"),
    _row(7, "queued"),
    _row(8, "sending", operation_id="b1-8"),
    _row(9, "done", operation_id="b1-9", op_state="rejected", op_message="The IBAN is closed."),
    _row(10, "done", operation_id="b1-10", op_state="unknown"),
]


def test_on_screen_a_row_without_a_transaction_id_says_why_in_words():
    frame = results_on_screen(ROWS)
    ids = dict(zip(frame["Row"], frame["Transaction id"]))
    assert ids == {
        2: "9001",
        3: "not sent",
        4: "not sent",
        5: "not sent",
        6: "not sent",
        7: "not sent yet",
        8: "not known yet",
        9: "none (refused)",
        10: "not known yet",
    }
    operations = dict(zip(frame["Row"], frame["Operation"]))
    assert operations[2] == "b1-2" and operations[3] == "not sent" and operations[7] == "not sent yet"
    for label in ("Row", "State", "Transaction id", "Note", "Operation"):
        assert frame[label].notna().all(), label
    # Only what the file itself left empty, or an amount never read, is missing (the page's placeholder).
    missing = {label for label in frame if frame[label].isna().any()}
    assert missing == {"Amount (₺)", "IBAN (masked)"}  # an empty holder cell stays "" (blank, not "None")
    assert isinstance(frame["Amount (₺)"].dtype, pd.ArrowDtype)  # still exact decimals, sorts by value


def test_an_invalid_row_shows_what_was_typed():
    frame = results_on_screen(ROWS).set_index("Row")
    assert pd.isna(frame.loc[3, "Amount (₺)"])
    assert frame.loc[3, "Note"] == "Amount: Enter an amount like 1500,50.; amount as typed: “12,5,0”"
    assert frame.loc[3, "IBAN (masked)"] == "TR33 **** **** 1326"  # the typed IBAN, masked like the others
    assert frame.loc[3, "Customer username"] == "u3"
    assert frame.loc[4, "Note"] == "Customer IBAN: Required.; amount as typed: “10,00”"


def test_turkish_words():
    frame = results_on_screen(ROWS, "tr")
    assert list(frame["İşlem numarası"][1:4]) == ["gönderilmedi"] * 3
    assert "yazılan tutar: “12,5,0”" in frame["Not"].iloc[1]


def test_the_results_file_keeps_missing_cells_empty():
    frame = results_frame(ROWS)
    assert frame["Transaction id"].isna().sum() == 8  # the file: a number or nothing, no words
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    cells = [cell for row in body for cell in row]
    assert not {"None", "nan", "NaN", "<NA>", "NaT"} & set(cells)
    assert body[1][header.index("Amount (₺)")] == "" and body[1][header.index("Transaction id")] == ""
    assert body[0][header.index("Transaction id")] == "9001" and body[0][header.index("Amount (₺)")] == "10.00"
    sheet = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(frame))).active
    values = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row]
    assert not {"None", "nan", "NaN", "<NA>", "NaT"} & {v for v in values if isinstance(v, str)}
    header = [c.value for c in sheet[1]]
    assert sheet.cell(3, header.index("Amount (₺)") + 1).value is None  # an empty cell, not a text
