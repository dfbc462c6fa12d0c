"""Reading payout files: both encodings, both separators, BOM, both header languages, XLSX; and every
kind of bad file refused with its own message (nothing else happens: parsing stores nothing)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from dashboard.batches import BatchFileError, read_payout_file
from dashboard.i18n import is_translated

IBAN = "TR330006100519786457841326"
EN_HEADER = "username,amount,customer_iban,customer_name,description"
TR_HEADER = "Kullanıcı Adı;Tutar;Müşteri IBAN;Müşteri Adı;Açıklama"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(name: str, data: bytes, **limits) -> str:
    with pytest.raises(BatchFileError) as caught:
        read_payout_file(name, data, **limits)
    message = str(caught.value)
    assert is_translated(message), message  # every refusal reads in Turkish too
    return message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1254"])
def test_turkish_semicolon_file_in_each_encoding(encoding):
    text = f"{TR_HEADER}\r\nşükrü;1500,50;{IBAN};Şükrü Öğüt;İade ödemesi\r\n"
    parsed = read_payout_file("odemeler.csv", text.encode(encoding))
    assert parsed.kind == "csv" and parsed.separator == ";" and parsed.encoding == encoding
    (row,) = parsed.rows
    assert row.number == 2
    assert row.cells == {
        "username": "şükrü",
        "amount": "1500,50",
        "customer_iban": IBAN,
        "customer_name": "Şükrü Öğüt",
        "description": "İade ödemesi",
    }


def test_english_comma_file_with_quoted_turkish_amount():
    text = f'{EN_HEADER}\nu1,"1500,50",{IBAN},Ali Veli,\nu2,1500.50,{IBAN},Ayşe Kaya,note\n'
    parsed = read_payout_file("p.csv", text.encode())
    assert parsed.separator == ","
    assert [r.cells["amount"] for r in parsed.rows] == ["1500,50", "1500.50"]
    assert parsed.rows[0].cells["description"] == ""


@pytest.mark.parametrize(
    "header",
    [
        "USERNAME;AMOUNT;CUSTOMER IBAN;Customer-Name",
        "kullanici_adi;TUTAR;musteri iban;MÜŞTERİ ADI",
        "KULLANICI ADI;tutar;Müşteri_Iban;musteri-adi",
    ],
)
def test_header_variants_case_spacing_diacritics_and_no_description(header):
    parsed = read_payout_file("p.csv", f"{header}\nu1;10;{IBAN};Ali Veli\n".encode())
    assert parsed.rows[0].cells["customer_name"] == "Ali Veli"
    assert parsed.columns == ("username", "amount", "customer_iban", "customer_name")


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    text = f"{EN_HEADER}\n\nu1,10,{IBAN},Ali Veli,\n,,,,\nu2,20,{IBAN},Ali Veli,\n"
    assert [r.number for r in read_payout_file("p.csv", text.encode()).rows] == [3, 5]


def test_xlsx_with_turkish_headers_number_cells_and_trailing_blanks():
    data = xlsx(
        [
            ["kullanıcı_adı", "tutar", "müşteri_iban", "müşteri_adı", "açıklama"],
            ["u1", 1500.5, IBAN, "Ali Veli", None],
            [12345, 250, IBAN, "Ayşe Kaya", "maaş"],
            [None, None, None, None, None],
        ]
    )
    parsed = read_payout_file("odemeler.xlsx", data)
    assert parsed.kind == "xlsx"
    assert [r.cells["amount"] for r in parsed.rows] == ["1500.5", "250"]  # exact text, never a float
    assert parsed.rows[1].cells["username"] == "12345"
    assert parsed.rows[1].number == 3


def test_empty_file():
    assert "empty" in refused("p.csv", b"")
    assert "empty" in refused("p.csv", b"\n\n  \n")


def test_header_without_rows():
    assert "no payout rows" in refused("p.csv", (EN_HEADER + "\n").encode())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("p.pdf", b"%PDF-1.7 ..."),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        ("renamed.csv", b"\x00\x01\x02binary"),
    ],
)
def test_not_csv_or_xlsx(name, data):
    assert "Only CSV or XLSX" in refused(name, data)


def test_xlsx_that_is_not_a_workbook():
    assert "not a readable XLSX" in refused("p.xlsx", b"username,amount\n")
    assert "not a readable XLSX" in refused("p.xlsx", b"PK\x03\x04broken zip")


def test_unknown_column_is_named():
    message = refused("p.csv", f"{EN_HEADER},amout\nu1,10,{IBAN},Ali Veli,,x\n".encode())
    assert "Unknown column(s): amout" in message and "kullanıcı_adı" in message


def test_missing_columns_are_named():
    assert "Missing column(s): amount, customer_name" in refused(
        "p.csv", f"username,customer_iban\nu1,{IBAN}\n".encode()
    )


def test_repeated_column():
    assert "appears twice" in refused(
        "p.csv", f"username,amount,tutar,customer_iban,customer_name\nu,1,1,{IBAN},Ali\n".encode()
    )


def test_value_under_no_header():
    assert "Row 2 has a value in a column without a header" in refused(
        "p.csv", f"{EN_HEADER},\nu1,10,{IBAN},Ali Veli,,oops\n".encode()
    )


def test_over_the_row_limit():
    rows = "".join(f"u{i},10,{IBAN},Ali Veli,\n" for i in range(4))
    assert "more than 3 payout rows" in refused("p.csv", (EN_HEADER + "\n" + rows).encode(), max_rows=3)
    assert len(read_payout_file("p.csv", (EN_HEADER + "\n" + rows).encode(), max_rows=4).rows) == 4


def test_over_the_row_limit_xlsx():
    data = xlsx(
        [["username", "amount", "customer_iban", "customer_name"], *[[f"u{i}", 1, IBAN, "Ali"] for i in range(6)]]
    )
    assert "more than 5 payout rows" in refused("p.xlsx", data, max_rows=5)


def test_over_the_size_limit():
    data = (EN_HEADER + "\n" + f"u1,10,{IBAN},Ali Veli,{'x' * 3000}\n").encode()
    assert "at most 2 KB" in refused("p.csv", data, max_bytes=2048)


@pytest.mark.parametrize("cell", ["=HYPERLINK('x')", "+90 555", "-100", "@SUM(A1)", "  =1+1"])
def test_formula_text_refuses_the_whole_file(cell):
    text = f'{EN_HEADER}\nu1,10,{IBAN},Ali Veli,\nu2,10,{IBAN},"{cell}",\n'
    message = refused("p.csv", text.encode())
    assert "formula" in message and "row 3, customer_name" in message


def test_formula_cell_in_xlsx_is_refused():
    data = xlsx([["username", "amount", "customer_iban", "customer_name"], ["u1", "=5*2", IBAN, "Ali Veli"]])
    assert "row 2, amount" in refused("p.xlsx", data)


def test_utf16_is_refused_with_a_fix():
    assert "UTF-16" in refused("p.csv", EN_HEADER.encode("utf-16"))


def test_broken_quotes_name_the_line():
    assert "cannot be read near line" in refused("p.csv", f'{EN_HEADER}\nu1,"10,{IBAN},Ali,\n'.encode())
