"""Statements (issue 15): a year of one IBAN (50,000 transactions) as a statement -- how long the
content, the PDF, the XLSX and the first-page preview take, against the Transactions page's own
Excel export of the same rows (`export.to_excel_bytes(display_frame(...))`, measured in this run).

The history comes from the sandbox through the console's client and `history.fetch.fetch_history`,
as `load_history` builds it on a cache miss; the statement is the Statements page's path
(`build_statement`, then `statements.desk.statement_files`). Target: the PDF within 3x the plain
Excel export of the same rows (a PDF lays out every page and embeds its font subset).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from bench._common import header, info, verdict

TZ = "Europe/Istanbul"


def year_of_one_iban(transactions: int):
    from dashboard.client import EnigmaPayClient
    from dashboard.history.fetch import fetch_history
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, SandboxConfig, run_in_thread

    srv = run_in_thread(SandboxConfig(transactions=transactions, ibans=1))
    try:
        with EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url) as client:
            accounts = client.list_ibans()
            frame, _, error = fetch_history(client, accounts, None, None, TZ)
            if error is not None:
                raise error
            return frame, accounts
    finally:
        srv.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=50_000)
    args = parser.parse_args()

    from dashboard import export
    from dashboard.history.display import display_frame
    from dashboard.statements import build_statement
    from dashboard.statements.desk import statement_files
    from dashboard.timeutil import now

    header(f"statements: a year of one IBAN, {args.transactions:,} transactions in the sandbox")
    frame, accounts = year_of_one_iban(args.transactions)
    at = now(TZ)
    start = frame["created_at"].min().date()
    end = min(frame["created_at"].max().date(), at.date())

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    statement = build_statement(
        frame, accounts, dealer="Örnek Ödeme Ltd. Şti.", start=start, end=end, tz=TZ, now=at, lang="tr"
    )
    t1 = time.perf_counter()
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())

    files = statement_files(statement, progress)
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu0
    baseline_start = time.perf_counter()
    plain = export.to_excel_bytes(display_frame(statement.rows, "tr"), lang="tr")
    baseline = time.perf_counter() - baseline_start

    pdf_seconds = stages.get("xlsx", t2) - t1  # the PDF is written first, then the XLSX
    xlsx_seconds = t2 - stages.get("xlsx", t2)
    info("rows", f"{files.rows:,} rows ({date.isoformat(start)} .. {date.isoformat(end)}), {files.pages:,} PDF pages")
    info("content", f"{t1 - t0:.2f} s (balances, rows, totals)")
    info("pdf", f"{pdf_seconds:.1f} s, {len(files.pdf) / 2**20:.1f} MiB")
    info("xlsx + preview", f"{xlsx_seconds:.1f} s, {len(files.xlsx) / 2**20:.1f} MiB")
    info("cpu", f"content + PDF + XLSX + preview: {cpu:.1f} s of CPU ({t2 - t0:.1f} s wall; the machine is shared)")
    info("baseline", f"Transactions Excel export of the same rows: {baseline:.1f} s, {len(plain) / 2**20:.1f} MiB")
    verdict("pdf vs plain Excel export", pdf_seconds / baseline, 3.0, "ratio")


if __name__ == "__main__":
    main()
