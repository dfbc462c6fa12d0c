"""Statements (issue 15): what a statement says, read back from its PDF (text) and XLSX (openpyxl),
its first page rendered to PNG (saved under artifacts/statements/ for a person to look at), and the
audit line of a download.

The history below is chosen so every balance can be worked out by hand (see `HISTORY`).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pypdfium2
import pytest
from PIL import Image

from dashboard.audit import AuditLog
from dashboard.client.models import Iban
from dashboard.history.assemble import combine
from dashboard.history.ingest import records_to_frame
from dashboard.i18n import is_translated
from dashboard.statements import build_statement, content
from dashboard.statements.desk import record_download, statement_files
from dashboard.statements.pdf import statement_pdf
from dashboard.statements.preview import page_png
from dashboard.statements.xlsx import statement_xlsx
from dashboard.store import SnapshotRow, Store

IST = ZoneInfo("Europe/Istanbul")
TZ = "Europe/Istanbul"
IBAN_A = "TR330006100519786457841326"
IBAN_B = "TR320010009999901234567890"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=IST)
DEALER = "Örnek Ödeme Ltd. Şti."
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "statements"


def rec(id_, created, amount, *, type_="deposit", status="Completed", commission="0", completed=None, **extra):
    return {
        "id": id_,
        "type": type_,
        "amount": amount,
        "commission": commission,
        "status": status,
        "username": extra.get("username", f"user{id_}"),
        "customer_name": extra.get("customer_name", "İsmail Çağlar"),
        "customer_iban": IBAN_B,
        "description": extra.get("description", ""),
        "created_at": created,
        "completed_at": completed or created,
    }


# February 2026 of IBAN A, today's balance 10,000.00 (at NOW, 10 March):
#   1  created 31 Jan, completed 1 Feb 00:10: +1000 - 10 -> +990 inside February, not a February row
#   2  1 Feb 00:00:00 exactly: +500 - 5 -> +495, a February row
#   3  14 Feb withdrawal 200 + 2 -> -202
#   4  20 Feb deposit 300 Failed -> no effect, but a row
#   5  28 Feb 23:59:59 +1000 (a customer name that is a formula)
#   6  1 Mar 00:00:00 +50 -> after February
#   7  5 Mar withdrawal 100 + 1 -> -101, after February
# Closing (before 1 Mar) = 10000 - 50 + 101 = 10051.00; opening = 10051 - (990 + 495 - 202 + 1000) = 7768.00
HISTORY = [
    rec(1, "2026-01-31 23:30:00", "1000.00", commission="10.00", completed="2026-02-01 00:10:00"),
    rec(2, "2026-02-01 00:00:00", "500.00", commission="5.00"),
    rec(
        3,
        "2026-02-14 10:00:00",
        "200.00",
        type_="withdrawal",
        commission="2.00",
        customer_name="Şule Yılmaz",
        description="Ödeme ğüşıöç İĞÜŞÖÇ",
    ),  # fmt: skip
    rec(4, "2026-02-20 09:00:00", "300.00", status="Failed"),
    rec(5, "2026-02-28 23:59:59", "1000.00", customer_name='=HYPERLINK("http://evil.example","x")'),
    rec(6, "2026-03-01 00:00:00", "50.00"),
    rec(7, "2026-03-05 10:00:00", "100.00", type_="withdrawal", commission="1.00"),
]


def iban(id_: int, number: str, balance: str) -> Iban:
    return Iban(id_, number, "Gökçe Ünal", "Türkiye İş Bankası", "Aktif", True, Decimal(balance), balance)


A = iban(1, IBAN_A, "10000.00")
B = iban(2, IBAN_B, "500.00")


def history(records=HISTORY):
    return records_to_frame(records, iban_id=1, iban=IBAN_A, tz=TZ)


def february(ibans=(A,), lang="tr", **kwargs):
    return build_statement(
        kwargs.pop("frame", history()), list(ibans), dealer=DEALER, start=date(2026, 2, 1), end=date(2026, 2, 28),
        tz=TZ, now=NOW, lang=lang, covered_from=datetime(2026, 1, 25, tzinfo=IST), **kwargs,
    )  # fmt: skip


def pdf_pages(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


# --- content -----------------------------------------------------------------------------------


def test_balances_walk_back_from_todays_balance_and_totals_are_exact():
    s = february()
    assert s.opening == content.Balance(776800, content.RECONSTRUCTED)
    assert s.closing == content.Balance(1005100, content.RECONSTRUCTED)
    assert list(s.rows["id"]) == [2, 3, 4, 5]  # created in February, local days, both ends
    assert (s.totals.count, s.totals.money_in, s.totals.money_out, s.totals.commission) == (
        4, Decimal("1500.00"), Decimal("200.00"), Decimal("7.00"),
    )  # fmt: skip


def test_a_recorded_snapshot_in_the_period_is_the_anchor():
    # The provider's balance drifted from what the history explains: the statement follows the record.
    snapshot = SnapshotRow(1, datetime(2026, 2, 28, 12, 0, tzinfo=IST), 900000)
    s = february(snapshots=[snapshot])
    assert s.closing == content.Balance(1000000, content.RECORDED)  # 9000 + 1000 (id 5, after the snapshot)
    assert s.opening == content.Balance(771700, content.RECORDED)  # 9000 - (990 + 495 - 202)


def test_without_todays_balance_or_a_snapshot_the_balances_are_not_known():
    s = february(current_known=False)
    assert s.opening.kurus is None and s.closing.kurus is None
    assert s.balance(s.closing) == "bilinmiyor"
    assert s.totals.count == 4  # the transactions are still there


def test_all_ibans_sum_their_balances_and_one_unknown_makes_the_sum_unknown():
    s = february(ibans=(A, B))
    assert [line.closing.kurus for line in s.lines] == [1005100, 50000]
    assert s.closing.kurus == 1055100 and s.opening.kurus == 826800
    assert s.iban_text() == "Tüm IBAN'lar (2)"
    snapshot_only_for_a = SnapshotRow(1, datetime(2026, 2, 28, 12, 0, tzinfo=IST), 900000)
    partial = february(ibans=(A, B), current_known=False, snapshots=[snapshot_only_for_a])
    assert partial.lines[0].closing.kurus == 1000000 and partial.lines[1].closing.kurus is None
    assert partial.closing == content.Balance(None, content.UNKNOWN)


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        build_statement(history(), [A], dealer=DEALER, start=date(2026, 2, 2), end=date(2026, 2, 1), tz=TZ, now=NOW)


def test_every_text_of_a_statement_has_turkish(monkeypatch):
    asked: list[str] = []
    original = content.translate

    def recording(text, lang="en", /, **values):
        asked.append(text)
        return original(text, lang, **values)

    monkeypatch.setattr(content, "translate", recording)
    for ibans in [(A,), (A, B)]:
        s = february(ibans=ibans, current_known=len(ibans) == 1)
        statement_pdf(s)
        statement_xlsx(s)
    empty = february(frame=history(HISTORY[-1:]))
    statement_pdf(empty)
    assert asked and [text for text in set(asked) if not is_translated(text)] == []


# --- PDF ---------------------------------------------------------------------------------------


def test_the_pdf_reads_back_in_turkish_with_balances_totals_and_page_numbers():
    pages = pdf_pages(statement_pdf(february()))
    text = "\n".join(pages)
    for expected in [
        DEALER, "TR33 0006 1005 1978 6457 8413 26", "01.02.2026 – 28.02.2026", "Hesap ekstresi",
        "Açılış bakiyesi", "7.768,00 ₺ (hesaplanan)", "Kapanış bakiyesi", "10.051,00 ₺ (hesaplanan)",
        "Giren para", "1.500,00 ₺", "Çıkan para", "200,00 ₺", "Komisyon", "7,00 ₺", "Şule Yılmaz",
        "-200,00 ₺", "Başarısız", "Ödeme ğüşıöç İĞÜŞÖÇ",
    ]:  # fmt: skip
        assert expected in text, expected
    assert set("şğıİçöüŞĞÇÖÜ") <= set(text)
    assert "=HYPERLINK" in text  # shown as it was sent: a PDF runs no formulas
    assert [re.search(r"Sayfa (\d+) / (\d+)", page).groups() for page in pages] == [("1", "1")]


def test_a_long_statement_numbers_every_page_n_of_m_and_says_the_totals_at_the_end():
    records = [rec(100 + i, f"2026-02-{1 + i % 28:02d} 12:{i % 60:02d}:00", "10.00") for i in range(300)]
    s = february(frame=history(records), lang="en")
    pages = pdf_pages(statement_pdf(s))
    assert len(pages) > 3
    numbers = [re.search(r"Page (\d+) / (\d+)", page).groups() for page in pages]
    assert numbers == [(str(n), str(len(pages))) for n in range(1, len(pages) + 1)]
    assert all("Date" in page and "Amount" in page for page in pages)  # the column titles on every page
    assert "Transactions: 300" in pages[-1] and "Money in: ₺3,000.00" in pages[-1]
    assert "Account statement" in pages[0] and "Dealer" in pages[0]


def test_the_first_page_renders_to_png_for_a_person_to_look_at():
    files = statement_files(february(ibans=(A, B)))
    assert files.preview_png.startswith(b"\x89PNG\r\n\x1a\n") and files.pages == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "statement_tr_page1.png").write_bytes(files.preview_png)
    long = february(frame=history([rec(100 + i, "2026-02-10 12:00:00", "10.00") for i in range(120)]), lang="en")
    second = page_png(statement_pdf(long), page=1)
    (ARTIFACTS / "statement_en_page2.png").write_bytes(second)
    # The table's rows are printed black, not in the grey of the column titles' background.
    image = Image.open(io.BytesIO(second)).convert("L")
    body = image.crop((0, image.height // 4, image.width, image.height * 3 // 4))
    assert sum(body.histogram()[:80]) > 0.01 * body.width * body.height


# --- XLSX --------------------------------------------------------------------------------------


def _cells(data: bytes) -> list[tuple]:
    path_free = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(row) for row in path_free.active.iter_rows(values_only=True)]


def test_the_xlsx_reads_back_with_numbers_and_neutralised_text():
    rows = _cells(statement_xlsx(february()))
    head = {row[0]: row[1:3] for row in rows[:14] if row[0]}
    assert head["Bayi"][0] == DEALER
    assert head["IBAN"][0] == "TR33 0006 1005 1978 6457 8413 26"
    assert head["Dönem"][0] == "01.02.2026 – 28.02.2026"
    assert head["Açılış bakiyesi"] == (7768, "hesaplanan") and head["Kapanış bakiyesi"] == (10051, "hesaplanan")
    assert (head["Giren para"][0], head["Çıkan para"][0], head["Komisyon"][0], head["İşlemler"][0]) == (1500, 200, 7, 4)
    titles = next(i for i, row in enumerate(rows) if row[0] == "No")
    table = rows[titles + 1 : titles + 5]
    assert [row[0] for row in table] == [2, 3, 4, 5]
    assert [row[5] for row in table] == [500, -200, 300, 1000]  # amounts stay numbers, withdrawals negative
    assert table[3][8] == '\'=HYPERLINK("http://evil.example","x")'  # a formula arrives as text
    assert table[1][8] == "Şule Yılmaz"
    assert rows[-1][:3] == ("Toplamlar", "Giren para", 1500)


def test_the_xlsx_of_all_ibans_lists_each_ibans_balances_and_says_not_known():
    rows = _cells(statement_xlsx(february(ibans=(A, B), current_known=False, lang="en")))
    lines = {
        row[0]: row
        for row in rows
        if row[0] in ("TR33 0006 1005 1978 6457 8413 26", "TR32 0010 0099 9990 1234 5678 90")
    }
    assert [row[3] for row in lines.values()] == ["not known", "not known"]
    head = {row[0]: row[1] for row in rows[:14] if row[0]}
    assert head["IBAN"] == "All IBANs (2)" and head["Opening balance"] == "not known"


# --- audit -------------------------------------------------------------------------------------


def test_a_download_is_audited_with_rows_and_a_masked_iban(tmp_path):
    audit = AuditLog(Store(tmp_path / "db.sqlite3"))
    s = february()
    files = statement_files(s)
    data = record_download(audit, s, files, "pdf", actor="ayse")
    assert data == files.pdf
    (entry,) = audit.query()
    assert (entry.actor, entry.action, entry.outcome) == ("ayse", "export", "downloaded")
    assert entry.details["dataset"] == "statement" and entry.details["format"] == "pdf"
    assert entry.details["rows"] == 4 and entry.details["bytes"] == len(files.pdf)
    assert "2026-02-01..2026-02-28" in entry.details["filter"]
    assert entry.iban_masked and IBAN_A not in repr(entry) and IBAN_A[-4:] in entry.iban_masked


def test_several_ibans_frames_combine_into_one_statement():
    both = combine(
        [history(), records_to_frame([rec(50, "2026-02-10 10:00:00", "70.00")], iban_id=2, iban=IBAN_B, tz=TZ)]
    )
    s = february(ibans=(A, B), frame=both)
    assert sorted(s.rows["id"]) == [2, 3, 4, 5, 50]
    assert s.lines[1].opening.kurus == 50000 - 7000
    assert "…567890" in "\n".join(pdf_pages(statement_pdf(s)))  # the IBAN column of a statement of several


def test_snapshots_are_read_between_two_moments_on_either_engine(any_store):
    t0 = datetime(2026, 2, 28, 23, 57, tzinfo=IST)
    rows = [{"iban_id": i, "taken_at": t0 + timedelta(minutes=m), "balance_kurus": m} for i in (1, 2) for m in range(4)]
    any_store.balances.add(rows)
    between = any_store.balances.snapshots(since=rows[1]["taken_at"], until=rows[2]["taken_at"])
    assert sorted((r.iban_id, r.balance_kurus) for r in between) == [(1, 1), (1, 2), (2, 1), (2, 2)]  # both ends in
    assert len(any_store.balances.snapshots(until=rows[0]["taken_at"], iban_id=2)) == 1


def test_the_dealer_name_is_a_setting_shown_as_not_set_when_empty(tmp_path):
    from dashboard.config import describe_settings, load_settings

    def dealer_row(settings):
        return next(r["value"] for r in describe_settings(settings) if r["setting"] == "ENIGMAPAY_DEALER_NAME")

    named = load_settings({"ENIGMAPAY_DEALER_NAME": "  Örnek Ödeme Ltd. Şti. "}, None, None)
    assert named.dealer_name == DEALER and dealer_row(named) == DEALER
    unnamed = load_settings({}, None, None)
    assert unnamed.dealer_name == "" and dealer_row(unnamed) == "not set"


def test_a_statement_beyond_the_most_rows_is_refused_before_anything_is_written(monkeypatch, tmp_path):
    from dashboard.statements import desk

    monkeypatch.setattr(desk, "MAX_ROWS", 3)
    written = []
    monkeypatch.setattr(desk, "statement_pdf", lambda *a, **k: written.append("pdf"))
    with pytest.raises(desk.StatementTooLarge, match="4 transactions; one holds at most 3") as refused:
        desk.statement_files(february())
    assert refused.value.rows == 4 and written == []
    assert is_translated(desk.StatementTooLarge.MESSAGE)
