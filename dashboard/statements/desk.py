"""A statement's files (PDF, XLSX, a preview of the PDF's first page) and their audit record.

A download is audited like an export (`data_access.export_rows`): who, which format, how many rows,
the period and the IBAN (masked by the audit log), never a secret. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dashboard.audit import AuditLog
from dashboard.iban import mask_iban
from dashboard.statements.content import Statement
from dashboard.statements.pdf import statement_pdf
from dashboard.statements.preview import page_count, page_png
from dashboard.statements.xlsx import statement_xlsx

MAX_ROWS = 100_000  # twice the year of one IBAN that bench/statements.py measures (50k rows: 1,390 pages, ~21 s CPU)
StageCallback = Callable[[str, int, int], None]  # (stage "pdf" / "xlsx", rows written, rows in all)
MIME = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class StatementTooLarge(ValueError):
    """More rows than one statement holds; the message is fit to show a person (translated by the page)."""

    MESSAGE = "This statement would have {rows} transactions; one holds at most {most}. Choose a shorter period or fewer IBANs."

    def __init__(self, rows: int) -> None:
        super().__init__(self.MESSAGE.format(rows=rows, most=MAX_ROWS))
        self.rows = rows


@dataclass(frozen=True)
class StatementFiles:
    pdf: bytes
    xlsx: bytes
    preview_png: bytes  # the PDF's first page
    pages: int
    rows: int
    stem: str  # file name without extension

    def data(self, fmt: str) -> bytes:
        return self.pdf if fmt == "pdf" else self.xlsx


def file_stem(statement: Statement) -> str:
    which = statement.lines[0].iban[-4:] if len(statement.lines) == 1 else "all"
    return f"statement_{which}_{statement.start:%Y%m%d}-{statement.end:%Y%m%d}_{statement.lang}"


def statement_files(statement: Statement, progress: StageCallback | None = None) -> StatementFiles:
    """Both files and the preview; `progress(stage, done, total)` while the rows are written.
    StatementTooLarge (nothing written) beyond `MAX_ROWS` rows."""
    if len(statement.rows) > MAX_ROWS:
        raise StatementTooLarge(len(statement.rows))
    pdf = statement_pdf(statement, (lambda done, total: progress("pdf", done, total)) if progress else None)
    xlsx = statement_xlsx(statement, (lambda done, total: progress("xlsx", done, total)) if progress else None)
    return StatementFiles(
        pdf=pdf,
        xlsx=xlsx,
        preview_png=page_png(pdf),
        pages=page_count(pdf),
        rows=len(statement.rows),
        stem=file_stem(statement),
    )


def describe(statement: Statement) -> str:
    """The audit line's filter: period, language, the IBANs masked."""
    ibans = ",".join(mask_iban(line.iban) for line in statement.lines)
    return f"period={statement.start.isoformat()}..{statement.end.isoformat()} lang={statement.lang} ibans={ibans}"


def record_download(audit: AuditLog, statement: Statement, files: StatementFiles, fmt: str, *, actor: str) -> bytes:
    """Record that `actor` downloaded the statement as `fmt` ("pdf" / "xlsx"); returns its bytes."""
    data = files.data(fmt)
    audit.record(
        "export",
        actor=actor,
        outcome="downloaded",
        iban=statement.lines[0].iban if len(statement.lines) == 1 else None,
        details={
            "dataset": "statement",
            "format": fmt,
            "rows": files.rows,
            "ibans": len(statement.lines),
            "filter": describe(statement),
            "bytes": len(data),
        },
    )
    return data
