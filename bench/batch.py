"""Issue 14 (batch payouts): a 1,000-row file against the sandbox at 50 ms latency.

- validate + preview: the file read (CSV: Windows-1254, `;`, Turkish headers, as Excel writes it in a
  Turkish locale; and the same rows as XLSX) and every row through the form's checks, costs, bank,
  repeats and the journal comparison (`dashboard.batches.read_payout_file` + `build_preview`, with a
  real store). Best of 3. Baseline in the same run: `csv.reader` over the same text (reading only).
- sending: the approved batch drained by the console's `BatchSender` (the journal, the store's row
  claims, the adaptive rate set high enough not to bind) against `Faults(latency_ms=50)` on
  `/send-money`. The floor is rows x latency / concurrency; the ratio is printed, and also against
  rows x (one measured send-money call) / concurrency. The sandbox's own counters must show each row
  once.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

from bench._common import best_of, header, info, ms, quiet, verdict

IBAN = "TR330006100519786457841326"


def payout_rows(rows: int) -> list[list[str]]:
    return [[f"müşteri{i}", f"{10 + i % 90},{i % 100:02d}", IBAN, "Şule Yılmaz", f"iade {i}"] for i in range(rows)]


def as_csv(rows: list[list[str]]) -> bytes:
    lines = ["Kullanıcı Adı;Tutar;Müşteri IBAN;Müşteri Adı;Açıklama", *(";".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1254")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kullanıcı_adı", "tutar", "müşteri_iban", "müşteri_adı", "açıklama"])
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench batch")
    p.add_argument("--rows", type=int, default=1_000)
    p.add_argument("--latency-ms", type=float, default=50)
    p.add_argument("--concurrency", type=int, default=4)
    args = p.parse_args(argv)
    quiet()
    header(f"batch: {args.rows:,} rows, {args.latency_ms:g} ms send-money latency, concurrency {args.concurrency}")

    from dashboard.approvals import Approvals
    from dashboard.audit import AuditLog
    from dashboard.auth import Role
    from dashboard.batches import BatchDesk, BatchSender, build_preview, read_payout_file
    from dashboard.client import EnigmaPayClient
    from dashboard.client.models import EibanChannel, SendMoneyRequest
    from dashboard.journal import Journal
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, Faults, SandboxConfig, run_in_thread
    from dashboard.store import Store

    eiban = EibanChannel(True, "Aktif", Decimal("1"), Decimal("0.50"), Decimal("2.50"))
    rows = payout_rows(args.rows)
    srv = run_in_thread(
        SandboxConfig(transactions=5_000, faults=Faults(latency_ms=args.latency_ms, paths=("/send-money",)))
    )
    tmp = tempfile.TemporaryDirectory()
    try:
        store = Store(f"{tmp.name}/console.sqlite3")
        audit = AuditLog(store)
        client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url)
        journal = Journal(store, client, audit=audit)
        roles = {"bench": Role.OPERATOR, "checker": Role.APPROVER}
        approvals = Approvals(store, journal, role_of=roles.get, audit=audit)
        desk = BatchDesk(store, audit, lambda: approvals)
        since = journal._clock() - timedelta(hours=24)

        def preview_of(name: str, data: bytes):
            parsed = read_payout_file(name, data, max_rows=args.rows)
            return build_preview(name, parsed.rows, eiban, lambda keys: desk.recent_matches(keys, since=since))

        text = as_csv(rows)
        workbook = as_xlsx(rows)
        bare, _ = best_of(lambda: sum(1 for _ in csv.reader(io.StringIO(text.decode("cp1254")), delimiter=";")), 3)
        took_csv, preview = best_of(lambda: preview_of("p.csv", text), 3)
        took_xlsx, _ = best_of(lambda: preview_of("p.xlsx", workbook), 3)
        assert preview.totals().to_send == args.rows, preview.totals()
        print(
            f"  validate + preview, CSV ({len(text) / 1024:,.0f} KB): {ms(took_csv)} "
            f"({took_csv / args.rows * 1e6:,.0f} µs/row); csv.reader alone {ms(bare)} ({took_csv / bare:,.0f}x)"
        )
        print(f"  validate + preview, XLSX ({len(workbook) / 1024:,.0f} KB): {ms(took_xlsx)}")
        info("batch", f"validate + preview of {args.rows:,} rows: CSV {ms(took_csv)}, XLSX {ms(took_xlsx)}")

        one, _ = best_of(
            lambda: client.send_money(SendMoneyRequest("warmup", Decimal("1.00"), IBAN, "Şule Yılmaz", "")), 3
        )
        batch_id = desk.submit(preview, maker="bench").id
        approvals.approve(approvals.by_reference("batch", batch_id).id, approver="checker")
        desk.sync(batch_id)
        srv.state.reset_stats()
        sender = BatchSender(desk, store, journal, lambda: client, concurrency=args.concurrency, rate=100_000.0)
        t0 = time.perf_counter()
        sender.run_once()
        took = time.perf_counter() - t0
        sends = srv.state.call_counts().get("POST /send-money", 0)
        counts = desk.counts(batch_id)
        floor = args.rows * args.latency_ms / 1000 / args.concurrency
        call_floor = args.rows * one / args.concurrency
        print(
            f"  sending: {counts} in {took:.2f} s = {args.rows / took:,.1f} rows/s; floor rows x latency / "
            f"concurrency = {floor:.2f} s -> ratio {took / floor:.2f}; one send-money call {ms(one)} -> "
            f"rows x call / concurrency = {call_floor:.2f} s -> ratio {took / call_floor:.2f}"
        )
        info("batch", f"sending / (rows x latency / concurrency) = {took / floor:.2f} ({took:.2f} s vs {floor:.2f} s)")
        verdict("batch", float(sends - args.rows), 0.0, "send-money calls beyond one per row")
    finally:
        srv.stop()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
