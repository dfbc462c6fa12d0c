"""A statement as XLSX: the head (dealer, IBAN, period, balances, totals; amounts as numbers with a
₺ format), the IBANs' own balances when there are several, then the transactions exactly as the
Transactions export writes them (`history.display_frame`, `export`'s cell rules: text neutralised
against formula injection and written as strings, money and times as numbers), and a totals row.

Streams rows (xlsxwriter's constant_memory), so a year of one IBAN (50k rows) stays light.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import xlsxwriter

from dashboard import export
from dashboard.history.display import display_frame
from dashboard.iban import format_iban
from dashboard.money import from_kurus
from dashboard.statements.content import Balance, Statement

ProgressCallback = Callable[[int, int], None]  # (rows written, rows in all)


def _neutral(value: str) -> str:
    """A head cell as text that can never start a formula (the rule of `export.neutralise_text`)."""
    return "'" + value if value[:1] in export.FORMULA_PREFIXES else value


class _Sheet:
    """The worksheet and its formats; `row` is the next row to write."""

    def __init__(self, workbook: xlsxwriter.Workbook, statement: Statement) -> None:
        self.statement = statement
        self.sheet = workbook.add_worksheet(statement.t("Statement")[:31])
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        lang = statement.lang if statement.lang in export._MONEY_FORMATS else "en"
        self.money = workbook.add_format({"num_format": export._MONEY_FORMATS[lang]})
        self.money_bold = workbook.add_format({"num_format": export._MONEY_FORMATS[lang], "bold": True})
        self.datetime = workbook.add_format({"num_format": export._DATETIME_FORMATS[lang]})
        self.row = 0

    def text(self, column: int, value: str, cell_format=None) -> None:
        if value:
            self.sheet.write_string(self.row, column, _neutral(value), cell_format)

    def amount(self, column: int, kurus: int | None, cell_format=None) -> None:
        if kurus is not None:
            self.sheet.write_number(self.row, column, float(from_kurus(kurus)), cell_format or self.money)

    def balance(self, column: int, balance: Balance) -> None:
        """The amount, and beside it where it comes from (or 'not known' instead of an amount)."""
        s = self.statement
        if balance.kurus is None:
            self.text(column, s.t("not known"))
        else:
            self.amount(column, balance.kurus)
            self.text(column + 1, s.t(balance.source))


def _head(out: _Sheet) -> None:
    s = out.statement
    out.text(0, s.t("Account statement"), out.title)
    out.row += 2
    for label, value in [(s.t("Dealer"), s.dealer), (s.t("IBAN"), s.iban_text()), (s.t("Period"), s.period())]:
        out.text(0, label, out.bold)
        out.text(1, value)
        out.row += 1
    out.text(0, s.t("Time zone"), out.bold)
    out.text(1, s.tz)
    out.row += 1
    for label, balance in [(s.t("Opening balance"), s.opening), (s.t("Closing balance"), s.closing)]:
        out.text(0, label, out.bold)
        out.balance(1, balance)
        out.row += 1
    totals = s.totals
    for label, amount in [
        ("Money in", totals.money_in),
        ("Money out", totals.money_out),
        ("Commission", totals.commission),
    ]:
        out.text(0, s.t(label), out.bold)
        out.sheet.write_number(out.row, 1, float(amount), out.money)
        out.row += 1
    out.text(0, s.t("Transactions"), out.bold)
    out.sheet.write_number(out.row, 1, totals.count)
    out.row += 1
    out.text(0, s.t("Generated"), out.bold)
    out.text(1, s.generated())
    out.row += 2


def _lines(out: _Sheet) -> None:
    s = out.statement
    if len(s.lines) < 2:
        return
    for column, title in enumerate(["IBAN", "Owner", "Bank", "Opening balance", "", "Closing balance"]):
        out.text(column, s.t(title) if title else "", out.bold)
    out.row += 1
    for line in s.lines:
        out.text(0, format_iban(line.iban))
        out.text(1, line.owner)
        out.text(2, line.bank)
        out.balance(3, line.opening)
        out.balance(5, line.closing)
        out.row += 1
    out.row += 1


def _transactions(out: _Sheet, progress: ProgressCallback | None) -> None:
    s = out.statement
    table = display_frame(s.rows, s.lang)
    formats = {"money": out.money, "datetime": out.datetime}
    methods = {"bool": out.sheet.write_boolean, "text": out.sheet.write_string}
    columns = []
    for position in range(table.shape[1]):
        series = table.iloc[:, position]
        kind = export._kind(series)
        header = export._header(table.columns[position], series)
        values = export._excel_column(series, kind)
        out.sheet.set_column(position, position, max(export._width(header, values, kind), 16))
        out.sheet.write_string(out.row, position, header, out.bold)
        columns.append((position, values, methods.get(kind, out.sheet.write_number), formats.get(kind)))
    out.row += 1
    total = len(table)
    for index in range(total):  # constant_memory: whole rows, in order
        for position, values, write, cell_format in columns:
            value = values[index]
            if value is not None and value != "":
                write(out.row, position, value, cell_format)
        out.row += 1
        if progress is not None and index % 5000 == 4999:
            progress(index + 1, total)
    out.row += 1


def statement_xlsx(statement: Statement, progress: ProgressCallback | None = None) -> bytes:
    """The XLSX bytes of `statement`; `progress(rows written, rows)` every 5,000 rows."""
    if len(statement.rows) + 40 > export.EXCEL_MAX_ROWS:
        raise ValueError(f"Excel holds at most {export.EXCEL_MAX_ROWS - 1:,} rows; choose a shorter period.")
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
    out = _Sheet(workbook, statement)
    _head(out)
    _lines(out)
    _transactions(out, progress)
    out.text(0, statement.t("Totals"), out.bold)
    totals = statement.totals
    pairs = [("Money in", totals.money_in), ("Money out", totals.money_out), ("Commission", totals.commission)]
    for column, (label, amount) in enumerate(pairs):
        out.text(1 + 2 * column, statement.t(label), out.bold)
        out.sheet.write_number(out.row, 2 + 2 * column, float(amount), out.money_bold)
    workbook.close()
    if progress is not None:
        progress(len(statement.rows), len(statement.rows))
    return output.getvalue()
