"""A statement as PDF (fpdf2): A4 landscape, DejaVu Sans embedded (Turkish letters in any viewer),
on every page a head with dealer, IBAN and period and the table's column titles, and a footer
"Page n / m"; the first page holds the balances and totals, the last one the totals again.

The font files ship in `fonts/` (with their licence), so the Docker image needs no system fonts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

from dashboard.iban import format_iban
from dashboard.statements import rows as row_texts
from dashboard.statements.content import Statement

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
MARGIN = 10.0
ROW_HEIGHT = 4.6
BODY_SIZE = 7.0
_PT_MM = 0.3528

ProgressCallback = Callable[[int, int], None]  # (rows written, rows in all)


class _Document(FPDF):
    def __init__(self, statement: Statement) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.statement = statement
        self.table_columns: list[tuple[str, str, float, bool]] = []
        self._placed: dict[tuple[str, int], tuple[float, str]] = {}
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=14)
        self.alias_nb_pages("{nb}")
        self.set_title(f"{statement.t('Account statement')} {statement.period()}")
        self.set_creator("EnigmaPay console")

    def header(self) -> None:
        s = self.statement
        self.set_font(FONT, "B", 12)
        self.cell(0, 6, s.t("Account statement"), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8)
        head = f"{s.t('Dealer')}: {s.dealer}    {s.t('IBAN')}: {s.iban_text()}    {s.t('Period')}: {s.period()}"
        self.cell(0, 5, head, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        if self.table_columns:
            self.column_titles()

    def footer(self) -> None:
        s = self.statement
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.cell(0, 5, f"{s.t('Generated')}: {s.generated()}", align="L")
        self.set_x(MARGIN)
        self.cell(0, 5, s.t("Page {n} / {m}", n=self.page_no(), m="{nb}"), align="R")

    def column_titles(self) -> None:
        self.set_font(FONT, "B", BODY_SIZE)
        self.set_fill_color(230, 230, 230)
        for _key, title, width, right in self.table_columns:
            self.cell(width, ROW_HEIGHT + 0.6, title, border="B", align="R" if right else "L", fill=True)
        self.ln(ROW_HEIGHT + 0.6)
        self.set_font(FONT, "", BODY_SIZE)

    def text_width(self, text: str) -> float:
        """`text`'s width in mm in the current font (the font's own glyph widths, no layout)."""
        widths = self.current_font.cw
        return sum(widths[ord(c)] for c in text) * self.font_size_pt * 0.001 / self.k

    def fit(self, text: str, width: float) -> str:
        """`text` cut with '…' to fit `width` mm (less the cell's padding on both sides)."""
        room = width - 2 * self.c_margin
        if self.text_width(text) <= room:
            return text
        while text and self.text_width(text + "…") > room:
            text = text[: max(len(text) - max(len(text) // 8, 1), 0)]
        return text + "…"

    def placed(self, value: str, column: int, width: float, right: bool) -> tuple[float, str]:
        """(x offset in the column, the encoded show-text operator) of one cell, cached: types,
        statuses, names and amounts repeat down a statement."""
        key = (value, column)
        found = self._placed.get(key)
        if found is None:
            shown = self.fit(value, width)
            offset = width - self.c_margin - self.text_width(shown) if right else self.c_margin
            found = (offset, self.current_font.encode_text(shown))
            if len(self._placed) > 50_000:
                self._placed.clear()
            self._placed[key] = found
        return found

    def row(self, values: list[str], cells: list[tuple[float, bool]]) -> None:
        """One table row as one text object written straight into the page: what `text()` writes
        per cell, without its per-call checks (measured several times faster on 50k rows)."""
        if self.y + ROW_HEIGHT > self.page_break_trigger:
            self.add_page()  # the header writes the column titles again
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        baseline = (self.h - (self.y + ROW_HEIGHT * 0.72)) * self.k
        x = self.l_margin
        parts = []
        for column, (value, (width, right)) in enumerate(zip(values, cells)):
            if value:
                offset, shown = self.placed(value, column, width, right)
                parts.append(f"BT {(x + offset) * self.k:.2f} {baseline:.2f} Td {shown} ET")
            x += width
        if parts:  # black text whatever fill colour the column titles left set ("g" is the text's colour too)
            self._out("q 0 g " + " ".join(parts) + " Q")
        self.y += ROW_HEIGHT


def _summary(doc: _Document) -> None:
    s = doc.statement
    for label, value in s.summary_lines():
        doc.set_font(FONT, "B", 9)
        doc.cell(45, 5.2, label)
        doc.set_font(FONT, "", 9)
        doc.cell(0, 5.2, value, new_x="LMARGIN", new_y="NEXT")
    if len(s.lines) > 1:
        doc.ln(2)
        widths = (62, 60, 55, 50, 50)
        titles = ("IBAN", "Owner", "Bank", "Opening balance", "Closing balance")
        doc.set_font(FONT, "B", 8)
        for width, title in zip(widths, titles):
            doc.cell(width, 5, s.t(title), border="B")
        doc.ln(5)
        doc.set_font(FONT, "", 8)
        for line in s.lines:
            values = (format_iban(line.iban), line.owner, line.bank, s.balance(line.opening), s.balance(line.closing))
            for width, value in zip(widths, values):
                doc.cell(width, 4.8, doc.fit(value, width))
            doc.ln(4.8)
    doc.ln(3)


def _table(doc: _Document, progress: ProgressCallback | None) -> None:
    s = doc.statement
    columns = row_texts.columns(s)
    fixed = sum(width for _k, _t, width, _r in columns)
    usable = doc.w - 2 * MARGIN
    doc.table_columns = [(k, title, width or usable - fixed, right) for k, title, width, right in columns]
    texts = row_texts.text_columns(s)
    doc.column_titles()
    columns_texts = [texts[key] for key, _t, _w, _r in doc.table_columns]
    cells = [(width, right) for _k, _t, width, right in doc.table_columns]
    total = len(s.rows)
    for row in range(total):
        doc.row([values[row] for values in columns_texts], cells)
        if progress is not None and row % 2000 == 1999:
            progress(row + 1, total)
    if not total:
        doc.cell(0, 6, s.t("No transactions in this period."), new_x="LMARGIN", new_y="NEXT")
    doc.table_columns = []  # the totals below are not a table page


def _totals(doc: _Document) -> None:
    s = doc.statement
    if doc.y + 13 > doc.page_break_trigger:
        doc.add_page()  # the totals and the closing balance stay together
    doc.ln(3)
    doc.set_font(FONT, "B", 9)
    parts = [
        f"{s.t('Transactions')}: {s.totals.count}",
        f"{s.t('Money in')}: {s.money(s.totals.money_in)}",
        f"{s.t('Money out')}: {s.money(s.totals.money_out)}",
        f"{s.t('Commission')}: {s.money(s.totals.commission)}",
    ]
    doc.cell(0, 5, "    ".join(parts), new_x="LMARGIN", new_y="NEXT")
    doc.cell(0, 5, f"{s.t('Closing balance')}: {s.balance(s.closing)}", new_x="LMARGIN", new_y="NEXT")


def statement_pdf(statement: Statement, progress: ProgressCallback | None = None) -> bytes:
    """The PDF bytes of `statement`; `progress(rows written, rows)` every 2,000 rows."""
    doc = _Document(statement)
    doc.add_page()
    _summary(doc)
    _table(doc, progress)
    _totals(doc)
    if progress is not None:
        progress(len(statement.rows), len(statement.rows))
    return bytes(doc.output())
