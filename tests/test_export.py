"""dashboard.export: CSV / Excel of exactly the rows shown, numbers kept, formula injection neutralised."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboard import export, history

IBAN = "TR330006100519786457841326"


def records():
    base = {"username": "dealer1", "customer_iban": IBAN, "description": "", "status": "Tamamlandı"}
    return [
        {
            **base,
            "id": 1,
            "type": "yatırım",
            "amount": "1234.50",
            "commission": "12.35",
            "customer_name": "Şule Yılmaz",
            "created_at": "2025-11-26 14:30:00",
            "completed_at": "2025-11-26 14:31:05",
        },
        {
            **base,
            "id": 2,
            "type": "çekim",
            "amount": "1234.50",
            "commission": "0",
            "customer_name": '=HYPERLINK("http://evil","click")',
            "description": "-2+3",
            "created_at": "2025-11-26T21:00:00Z",
            "completed_at": None,
        },
        {
            **base,
            "id": 3,
            "type": "deposit",
            "amount": 0.1,
            "commission": 0.2,
            "customer_name": "@SUM(A1)",
            "description": 'line1\nline2, "quoted"',
            "username": "+90 555",
            "created_at": "2025-11-25 08:00:00",
            "completed_at": "2025-11-25 08:00:00",
        },
        {
            **base,
            "id": 4,
            "type": "withdrawal",
            "amount": "5",
            "customer_name": "\tTabbed",
            "description": "\rCR",
            "created_at": None,
            "completed_at": None,
            "status": "Beklemede",
        },
    ]


@pytest.fixture
def table() -> pd.DataFrame:
    return history.display_frame(history.records_to_frame(records(), iban_id=1, iban=IBAN))


def read_csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(export.BOM)
    return list(csv.reader(io.StringIO(data[len(export.BOM) :].decode("utf-8"), newline="")))


# --- neutralise -----------------------------------------------------------------------------


def test_neutralise_text_prefixes_only_risky_cells_and_keeps_missing():
    s = pd.Series(["=1+1", "+1", "-1", "@x", "\tx", "\rx", "ok", "a=b", "", None, " =x"], name="c", index=range(5, 16))
    out = export.neutralise_text(s)
    assert out.tolist()[:9] == ["'=1+1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", "a=b", ""]
    assert pd.isna(out.iloc[9])
    assert out.iloc[10] == " =x"
    assert out.name == "c" and out.index.tolist() == list(range(5, 16))


def test_neutralise_text_on_sliced_and_chunked_arrow_columns():
    s = pd.Series(["ok", None, "=a", "", "-b", "ş=", "@c"], dtype="string[pyarrow]")
    expected = ["ok", None, "'=a", "", "'-b", "ş=", "'@c"]
    assert [None if pd.isna(v) else v for v in export.neutralise_text(s.iloc[2:])] == expected[2:]
    chunked = pd.concat([s.iloc[3:], s.iloc[:3]], ignore_index=True)
    assert [None if pd.isna(v) else v for v in export.neutralise_text(chunked)] == expected[3:] + expected[:3]
    assert export.neutralise_text(pd.Series([], dtype="string[pyarrow]")).tolist() == []
    assert export.neutralise_text(pd.Series(["", ""], dtype="string[pyarrow]")).tolist() == ["", ""]


def test_neutralise_text_on_categoricals_rewrites_categories():
    s = pd.Series(pd.Categorical(["=a", "b", "=a"]))
    out = export.neutralise_text(s)
    assert isinstance(out.dtype, pd.CategoricalDtype)
    assert out.tolist() == ["'=a", "b", "'=a"]
    # categories that would collide after the prefix: becomes plain strings, still correct
    clash = export.neutralise_text(pd.Series(pd.Categorical(["=a", "'=a"])))
    assert clash.tolist() == ["'=a", "'=a"]


def test_neutralise_text_accepts_object_columns():
    assert export.neutralise_text(pd.Series(["-x", 5, None], dtype=object)).tolist()[:2] == ["'-x", "5"]


# The header row both exports write (English labels, times in Europe/Istanbul).
HEADER = [
    "ID",
    "Date (Europe/Istanbul)",
    "IBAN",
    "Type",
    "Status",
    "Amount (TRY)",
    "Commission (TRY)",
    "Username",
    "Customer",
    "Customer IBAN",
    "Description",
    "Completed at (Europe/Istanbul)",
]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_has_bom_header_and_exactly_the_rows(table):
    rows = read_csv_rows(export.to_csv_bytes(table))
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == len(table) == 4
    assert [r[0] for r in body] == [str(i) for i in table["ID"]]
    by_id = {r[0]: r for r in body}
    assert by_id["1"][1:7] == [
        "2025-11-26 14:30:00",
        "TR33 0006 1005 1978 6457 8413 26",
        "Deposit",
        "Completed",
        "1234.50",
        "12.35",
    ]
    assert by_id["1"][8] == "Şule Yılmaz" and by_id["1"][11] == "2025-11-26 14:31:05"
    # 21:00 UTC is midnight in Istanbul; local wall time is written
    assert by_id["2"][1] == "2025-11-27 00:00:00" and by_id["2"][11] == ""
    assert by_id["3"][5:7] == ["0.10", "0.20"]
    assert by_id["3"][10] == 'line1\nline2, "quoted"'
    assert by_id["4"][1] == ""


def test_csv_neutralises_text_but_negative_amounts_stay_numbers(table):
    data = export.to_csv_bytes(table)
    by_id = {r[0]: r for r in read_csv_rows(data)[1:]}
    assert by_id["2"][8] == '\'=HYPERLINK("http://evil","click")'
    assert by_id["2"][10] == "'-2+3"
    assert by_id["3"][7] == "'+90 555" and by_id["3"][8] == "'@SUM(A1)"
    assert by_id["4"][8] == "'\tTabbed" and by_id["4"][10] == "'\rCR"
    assert by_id["2"][5] == "-1234.50" and by_id["4"][5] == "-5.00"
    # unquoted in the raw bytes: a spreadsheet reads them as numbers
    text = data.decode("utf-8-sig")
    assert ",-1234.50," in text and '"-1234.50"' not in text and "'-1234.50" not in text


def test_csv_reads_back_with_pandas_as_numbers(table):
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(table)), encoding="utf-8-sig", keep_default_na=False)
    assert back["Amount (TRY)"].dtype == np.float64
    assert back["Amount (TRY)"].tolist() == [float(x) for x in table["Amount (TRY)"]]
    assert back["ID"].tolist() == table["ID"].tolist()
    assert back["Type"].tolist() == table["Type"].astype(str).tolist()


def test_csv_of_filtered_rows_and_chosen_columns_only(table):
    subset = table[table["ID"].isin([1, 3])][["ID", "Amount (TRY)", "Customer"]]
    rows = read_csv_rows(export.to_csv_bytes(subset))
    assert rows == [["ID", "Amount (TRY)", "Customer"], ["1", "1234.50", "Şule Yılmaz"], ["3", "0.10", "'@SUM(A1)"]]


def test_csv_of_an_empty_table_has_just_the_header():
    empty = history.display_frame(history.empty_frame())
    rows = read_csv_rows(export.to_csv_bytes(empty))
    assert len(rows) == 1 and rows[0][0] == "ID"


def test_csv_plain_pandas_columns():
    df = pd.DataFrame(
        {"n": [1, -2], "f": [1.5, None], "s": ["=x", "y"], "when": pd.to_datetime(["2025-01-01 10:00:00.9", None])}
    )
    rows = read_csv_rows(export.to_csv_bytes(df))
    assert rows == [["n", "f", "s", "when"], ["1", "1.5", "'=x", "2025-01-01 10:00:00"], ["-2", "", "y", ""]]


# --- Excel ----------------------------------------------------------------------------------


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_excel_reads_back_with_numbers_dates_and_neutralised_text(table):
    ws = load(export.to_excel_bytes(table))
    header = [c.value for c in ws[1]]
    assert header == HEADER
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 5
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {1, 2, 3, 4}
    assert rows[1][1] == datetime(2025, 11, 26, 14, 30)
    assert rows[2][1] == datetime(2025, 11, 27, 0, 0)
    assert rows[1][5] == 1234.5 and isinstance(rows[1][5], float)
    assert rows[2][5] == -1234.5
    assert rows[3][5] == pytest.approx(0.1) and Decimal(repr(rows[3][5])) == Decimal("0.1")
    assert rows[2][8] == '\'=HYPERLINK("http://evil","click")'
    assert rows[2][10] == "'-2+3" and rows[3][8] == "'@SUM(A1)" and rows[4][8] == "'\tTabbed"
    assert rows[1][8] == "Şule Yılmaz"
    assert rows[4][1] is None and rows[2][11] is None


def test_excel_cell_types_and_formats(table):
    ws = load(export.to_excel_bytes(table))
    amount = ws.cell(row=2, column=6)
    assert amount.data_type == "n" and "₺" in amount.number_format
    assert ws.cell(row=2, column=2).is_date
    assert ws.cell(row=2, column=2).number_format == "yyyy-mm-dd hh:mm:ss"
    # no cell anywhere became a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.column_dimensions["I"].width >= len("Customer")
    tr = load(
        export.to_excel_bytes(history.display_frame(history.records_to_frame(records(), iban_id=1), "tr"), lang="tr")
    )
    assert tr.cell(row=1, column=6).value == "Tutar (TL)"
    assert tr.cell(row=2, column=6).number_format.endswith('" ₺"')
    assert tr.cell(row=2, column=2).number_format == "dd.mm.yyyy hh:mm:ss"


def test_excel_of_an_empty_table_and_the_row_limit(monkeypatch):
    empty = history.display_frame(history.empty_frame())
    ws = load(export.to_excel_bytes(empty))
    assert ws.max_row == 1 and ws.cell(row=1, column=1).value == "ID"
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="at most"):
        export.to_excel_bytes(pd.DataFrame({"a": [1, 2, 3]}))


def test_excel_handles_many_rows():
    n = 20_000
    df = history.records_to_frame(
        [
            {
                "id": i,
                "type": "deposit",
                "amount": f"{i}.25",
                "status": "Completed",
                "customer_name": f"-c{i}",
                "created_at": "2025-11-26 14:30:00",
            }
            for i in range(n)
        ],
        iban_id=1,
    )
    ws = load(export.to_excel_bytes(history.display_frame(df)))
    assert ws.max_row == n + 1
    assert ws.cell(row=n + 1, column=6).value == 0.25 and ws.cell(row=n + 1, column=9).value == "'-c0"


def test_csv_of_a_table_written_in_two_halves_is_one_csv_with_one_header(monkeypatch):
    n = 9_001
    df = history.records_to_frame(
        [
            {
                "id": i,
                "type": "deposit" if i % 2 else "çekim",
                "amount": f"{i}.25",
                "status": "Completed",
                "customer_name": f"=c{i}" if i % 3 == 0 else f"c{i}",
                "created_at": f"2025-11-{1 + i % 28:02d} 14:30:00",
                "completed_at": None if i % 5 else "2025-03-30 03:30:00",
            }
            for i in range(n)
        ],
        iban_id=1,
        iban=IBAN,
    )
    table = history.display_frame(df)
    types = table["Type"].astype(object).tolist()
    types[0], types[1] = "=bad", None
    table["Type"] = pd.Categorical(types)
    assert len(table) >= export.CSV_SPLIT_ROWS * 2
    data = export.to_csv_bytes(table)
    rows = read_csv_rows(data)
    assert data.count(b"ID") == 1 and len(rows) == n + 1
    monkeypatch.setattr(export, "CSV_SPLIT_ROWS", 10**9)  # one piece: the same bytes
    assert export.to_csv_bytes(table) == data
    by_id = {int(r[0]): r for r in rows[1:]}
    assert by_id[3][8] == "'=c3" and by_id[4][8] == "c4" and by_id[9_000][8] == "'=c9000"  # both halves
    first, second = rows[1], rows[2]
    assert first[3] == "'=bad" and second[3] == ""  # categories neutralised, missing stays empty
    assert {r[11] for r in rows[1:]} == {"", "2025-03-30 03:30:00"}  # local wall time, zone in the header
    assert rows[0][11] == "Completed at (Europe/Istanbul)"


def _missing_of_every_kind() -> pd.DataFrame:
    """One row with a value in every kind of column the pages export, one row with each value missing."""
    import pyarrow as pa

    return pd.DataFrame(
        {
            "row": [1, 2],
            "text": pd.array(["a", None], dtype="string"),
            "object": pd.Series(["b", None], dtype=object),
            "object nan": pd.Series(["c", np.nan], dtype=object),
            "all missing": pd.Series([None, None], dtype=object),
            "category": pd.Categorical(["d", None]),
            "int": pd.array([7, None], dtype="Int64"),
            "float": [1.5, np.nan],
            "money": pd.arrays.ArrowExtensionArray(pa.array([Decimal("1.00"), None], type=pa.decimal128(18, 2))),
            "time": pd.to_datetime(["2025-11-26 14:30", None]).tz_localize("Europe/Istanbul"),
            "flag": pd.array([True, None], dtype="boolean"),
        }
    )


def test_a_missing_cell_of_any_kind_is_empty_in_both_files():
    """Never the text "None", "nan", "<NA>" or "NaT" where a table had nothing (tables draw "—")."""
    frame = _missing_of_every_kind()
    rows = list(csv.reader(io.StringIO(export.to_csv_bytes(frame).decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[2] == ["2"] + [""] * (len(frame.columns) - 1)
    assert "" not in rows[1][:4] and rows[1][-3:] == ["1.00", "2025-11-26 14:30:00", "true"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_excel_bytes(frame))).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[1] == [2] + [None] * (len(frame.columns) - 1)  # empty cells, not a text
    assert values[0][1] == "a" and values[0][6] == 7
