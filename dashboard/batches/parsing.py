"""A payout file -> its rows as text, or one clear reason why the file is refused (nothing else happens).

Accepted: CSV (UTF-8 with or without BOM, Windows-1254 tolerated; `,` or `;` separated, as Excel
writes it in a Turkish locale) and XLSX (the first sheet). The header row names the columns in
English or Turkish, in any case, with spaces, hyphens or underscores, with or without Turkish
letters ("Kullanıcı Adı", "kullanici_adi", "USERNAME"). `description` may be left out; every other
column is required and an unknown column refuses the file (a typo must not drop a column silently).

Formula text: a cell starting with = + - or @ (after spaces) refuses the *whole file*, naming the
cells. Such a cell is either a spreadsheet formula -- the file then holds something other than what
the person saw on screen, so no row of it can be trusted to be what they meant -- or an injection
attempt meant to run when the results file is opened. Dropping only those rows would send a batch
the maker never reviewed as a whole; the file is fixed at its source instead (a negative amount,
"-100", is refused the same way: it could never be sent anyway).

Blank rows (every cell empty, as Excel leaves at the end of a sheet) are skipped. Rows are numbered
as a spreadsheet shows them: the header is row 1, the first payout row 2.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

COLUMNS = ("username", "amount", "customer_iban", "customer_name", "description")
REQUIRED = ("username", "amount", "customer_iban", "customer_name")
# The Turkish header of each column (the README and the page name them); folded for matching.
TURKISH_HEADERS = {
    "username": "kullanıcı_adı",
    "amount": "tutar",
    "customer_iban": "müşteri_iban",
    "customer_name": "müşteri_adı",
    "description": "açıklama",
}
FORMULA_STARTS = ("=", "+", "-", "@")
EXTENSIONS = (".csv", ".txt", ".xlsx")
DEFAULT_MAX_ROWS = 1_000
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_SHOWN_CELLS = 5  # a refusal names this many formula cells at most
_UTF8_BOM = b"\xef\xbb\xbf"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_FOLD = str.maketrans({"ı": "i", "İ": "i", "ş": "s", "Ş": "s", "ğ": "g", "Ğ": "g", "ü": "u", "Ü": "u",
                       "ö": "o", "Ö": "o", "ç": "c", "Ç": "c", "â": "a", "î": "i", "û": "u"})  # fmt: skip


class BatchFileError(ValueError):
    """The file is refused; `str(error)` says why in words a person can act on (English, translated
    where shown: each message has a Turkish entry)."""

    def __init__(self, message: str, **values: object) -> None:
        self.template = message
        self.values = values
        super().__init__(message.format(**values) if values else message)


@dataclass(frozen=True)
class FileRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: dict[str, str]  # column -> text exactly as in the file ("" when empty)


@dataclass(frozen=True)
class PayoutFile:
    name: str
    kind: str  # "csv" | "xlsx"
    rows: tuple[FileRow, ...]
    encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig" or "cp1254"
    separator: str | None = None  # CSV only
    columns: tuple[str, ...] = field(default=COLUMNS)


def fold_header(text: str) -> str:
    """A header as matched: Turkish letters folded, lower case, spaces/hyphens/dots as one underscore."""
    folded = str(text).replace("\ufeff", "").strip().translate(_FOLD).casefold().translate(_FOLD)
    for ch in " -.\t/":
        folded = folded.replace(ch, "_")
    return "_".join(part for part in folded.split("_") if part)


_HEADERS: dict[str, str] = {fold_header(c): c for c in COLUMNS} | {
    fold_header(tr): c for c, tr in TURKISH_HEADERS.items()
}


def read_payout_file(
    name: str, data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES
) -> PayoutFile:
    """The rows of an uploaded file, or BatchFileError saying why it is refused."""
    if not data:
        raise BatchFileError("The file is empty.")
    if len(data) > max_bytes:
        raise BatchFileError(
            "The file is {size} KB; at most {limit} KB is accepted. Split it into smaller files.",
            size=-(-len(data) // 1024),
            limit=max_bytes // 1024,
        )
    lower = name.lower()
    if not lower.endswith(EXTENSIONS) or data.startswith(_OLE2):
        raise BatchFileError("Only CSV or XLSX files are accepted (save the sheet as .xlsx or .csv).")
    if data.startswith(_ZIP):
        header, rows = _xlsx_rows(data, max_rows)
        payout_file = PayoutFile(name, "xlsx", ())
    elif lower.endswith(".xlsx"):
        raise BatchFileError("This file is not a readable XLSX workbook.")
    else:
        text, encoding = _decode(data)
        separator = _separator(text)
        header, rows = _csv_rows(text, separator, max_rows)
        payout_file = PayoutFile(name, "csv", (), encoding, separator)
    columns = _columns(header)
    file_rows = tuple(_file_row(number, cells, columns) for number, cells in rows)
    if not file_rows:
        raise BatchFileError("The file has a header but no payout rows.")
    _refuse_formulas(file_rows)
    present = tuple(c for c in COLUMNS if c in columns.values())
    return PayoutFile(
        payout_file.name, payout_file.kind, file_rows, payout_file.encoding, payout_file.separator, present
    )


# --- CSV -------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BatchFileError("The file is saved as UTF-16; save it as CSV UTF-8 (or Windows Turkish) instead.")
    if b"\x00" in data:
        raise BatchFileError("Only CSV or XLSX files are accepted (save the sheet as .xlsx or .csv).")
    if data.startswith(_UTF8_BOM):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            raise BatchFileError("The file says it is UTF-8 but is not; save it again as CSV UTF-8.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1254"), "cp1254"  # Excel's "CSV" in a Turkish Windows locale
    except UnicodeDecodeError:
        raise BatchFileError("The file's text encoding is not readable; save it as CSV UTF-8.") from None


def _separator(text: str) -> str:
    """`;` or `,`: the one that splits the header into more known columns (then: the one it has more of)."""
    first = text.lstrip("\r\n").split("\n", 1)[0]

    def known(sep: str) -> int:
        cells = next(csv.reader([first], delimiter=sep), [])
        return sum(fold_header(c) in _HEADERS for c in cells)

    return max((";", ","), key=lambda sep: (known(sep), first.count(sep)))


def _csv_rows(text: str, separator: str, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for cells in reader:
            if header is None:
                if any(c.strip() for c in cells):
                    header = cells
                    header_line = reader.line_num
                continue
            if any(c.strip() for c in cells):
                rows.append((reader.line_num - header_line + 1, cells))
                _check_count(len(rows), max_rows)
    except csv.Error as exc:
        raise BatchFileError("The CSV cannot be read near line {line}: {why}.", line=reader.line_num, why=exc) from None
    if header is None:
        raise BatchFileError("The file is empty.")
    return header, rows


def _check_count(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise BatchFileError(
            "The file has more than {limit} payout rows; split it into files of at most {limit} rows.", limit=max_rows
        )


# --- XLSX ------------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook  # only when a workbook arrives

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise BatchFileError("This file is not a readable XLSX workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header, header_number = cells, number
                continue
            rows.append((number - header_number + 1, cells))
            _check_count(len(rows), max_rows)
    finally:
        workbook.close()
    if header is None:
        raise BatchFileError("The file is empty.")
    return header, rows


def _cell_text(value: object) -> str:
    """A workbook cell as text. A number cell keeps its exact shortest form ("1500.5"), which the
    amount check reads like typed text: a float never becomes money on its own."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


# --- columns and cells -----------------------------------------------------------------------------


def _columns(header: list[str]) -> dict[int, str]:
    """Header cell position -> column; refuses unknown, repeated and missing columns."""
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for position, cell in enumerate(header):
        if not cell.strip():
            continue  # an unnamed column is only accepted empty (checked per row)
        column = _HEADERS.get(fold_header(cell))
        if column is None:
            unknown.append(cell.strip())
        elif column in columns.values():
            raise BatchFileError("The column {column} appears twice in the header.", column=cell.strip())
        else:
            columns[position] = column
    if unknown:
        raise BatchFileError(
            "Unknown column(s): {names}. The columns are {expected} (or in Turkish: {turkish}).",
            names=", ".join(unknown),
            expected=", ".join(COLUMNS),
            turkish=", ".join(TURKISH_HEADERS.values()),
        )
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise BatchFileError(
            "Missing column(s): {names}. The columns are {expected} (or in Turkish: {turkish}).",
            names=", ".join(missing),
            expected=", ".join(COLUMNS),
            turkish=", ".join(TURKISH_HEADERS.values()),
        )
    return columns


def _file_row(number: int, cells: list[str], columns: dict[int, str]) -> FileRow:
    extra = [c for position, c in enumerate(cells) if position not in columns and c.strip()]
    if extra:
        raise BatchFileError("Row {row} has a value in a column without a header.", row=number)
    values = {column: (cells[position] if position < len(cells) else "") for position, column in columns.items()}
    return FileRow(number, {c: values.get(c, "") for c in COLUMNS})


def _refuse_formulas(rows: tuple[FileRow, ...]) -> None:
    found = [
        (row.number, column, text)
        for row in rows
        for column, text in row.cells.items()
        if text.lstrip()[:1] in FORMULA_STARTS
    ]
    if found:
        shown = "; ".join(f"row {n}, {c}: {t.strip()[:20]!r}" for n, c, t in found[:_SHOWN_CELLS])
        raise BatchFileError(
            "{count} cell(s) start with = + - or @ (formula text), e.g. {cells}. Formulas are refused: "
            "enter plain values (and positive amounts) and upload the file again.",
            count=len(found),
            cells=shown,
        )
