"""Statements page: build a statement of the sandbox's history, download PDF and XLSX (audited), see
the PDF's first page."""

from __future__ import annotations

import io

import openpyxl
import pypdfium2

from dashboard.money import format_try

PAGE = "statements"


def pdf_text(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def images(at) -> list:
    return at.get("image")


def test_a_statement_of_one_iban_this_month_is_built_downloaded_and_audited(console):
    at = console.open(PAGE)
    assert not at.exception and not at.error
    assert not images(at)  # nothing built yet
    account = console.sandbox.state.ibans()[0]
    at.multiselect(key="statement_ibans").select(account["id"]).run()
    at.button(key="statement_build").click().run()
    assert not at.exception and not at.error
    assert at.success and "transactions" in at.success[0].value
    assert len(images(at)) == 1  # the preview of the first page

    pages = pdf_text(console.download(".pdf"))
    first = pages[0]
    compact = account["iban"].replace(" ", "")
    assert " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)) in first
    # This month's statement closes today: with today's balance, to the kuruş.
    closing = format_try(__import__("decimal").Decimal(str(account["balance"])))
    assert f"Closing balance {closing} (reconstructed)" in first
    assert f"Page 1 / {len(pages)}" in first and f"Page {len(pages)} / {len(pages)}" in pages[-1]

    book = openpyxl.load_workbook(io.BytesIO(console.download(".xlsx")))
    head = {row[0]: row[1] for row in book.active.iter_rows(max_row=14, values_only=True) if row[0]}
    assert head["Closing balance"] == float(account["balance"])

    exports = [e for e in console.store().audit.query(action="export") if e.details.get("dataset") == "statement"]
    assert sorted(e.details["format"] for e in exports) == ["pdf", "xlsx"]
    assert all(e.actor == "admin" and e.iban_masked and compact not in repr(e) for e in exports)


def test_all_ibans_in_turkish(console):
    at = console.open(PAGE, lang="tr")
    assert at.title[0].value == "Ekstreler"
    at.segmented_control(key="statement_lang").set_value("tr").run()
    at.button(key="statement_build").click().run()
    assert not at.exception and not at.error
    first = pdf_text(console.download(".pdf"))[0]
    assert f"Tüm IBAN'lar ({len(console.sandbox.state.ibans())})" in first
    assert "Kapanış bakiyesi" in first and "Sayfa 1 / " in first


def test_a_month_before_this_one_and_english_from_a_turkish_console(console):
    at = console.open(PAGE, lang="tr")
    months = at.selectbox(key="statement_month").options
    at.selectbox(key="statement_month").select_index(1).run()
    at.segmented_control(key="statement_lang").set_value("en").run()
    at.button(key="statement_build").click().run()
    assert not at.exception and not at.error
    first = pdf_text(console.download(".pdf"))[0]
    assert "Account statement" in first and "Opening balance" in first
    assert len(months) == 24
