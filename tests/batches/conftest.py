"""A batch desk and sender against a real sandbox over HTTP, with the real approvals desk (dashboard.approvals):
"ayse" makes batches, "mehmet" approves or rejects them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard.approvals import Approvals
from dashboard.audit import AuditLog
from dashboard.auth import Role
from dashboard.batches import BatchDesk, BatchSender, build_preview, read_payout_file
from dashboard.client import EnigmaPayClient
from dashboard.client.models import EibanChannel
from dashboard.journal import Journal
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, RunningSandbox
from dashboard.store import Store

IBAN = "TR330006100519786457841326"
EIBAN = EibanChannel(True, "Aktif", Decimal("1"), Decimal("0.50"), Decimal("2.50"))


ROLES = {"ayse": Role.OPERATOR, "mehmet": Role.APPROVER}


def payout_csv(rows: int, *, start: int = 0, amount: str = "10,00") -> bytes:
    lines = ["username;amount;customer_iban;customer_name;description"]
    lines += [f"user{i};{amount};{IBAN};Ali Veli;row {i}" for i in range(start, start + rows)]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Desk:
    sandbox: RunningSandbox
    db: Path
    approvals: Approvals
    store: Store
    journal: Journal
    desk: BatchDesk

    def submit(self, data: bytes, *, maker: str = "ayse", include_flagged: bool = False) -> str:
        parsed = read_payout_file("p.csv", data)
        preview = build_preview("p.csv", parsed.rows, EIBAN)
        return self.desk.submit(preview, maker=maker, include_flagged=include_flagged).id

    def approve(self, batch_id: str, approver: str = "mehmet") -> None:
        self.approvals.approve(self.approvals.by_reference("batch", batch_id).id, approver=approver)

    def reject(self, batch_id: str, approver: str = "mehmet") -> None:
        request = self.approvals.by_reference("batch", batch_id)
        self.approvals.reject(request.id, approver=approver, note="wrong file")

    def sender(self, **kwargs) -> BatchSender:
        client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=self.sandbox.base_url)
        options = dict(concurrency=4, rate=1000.0, claim_ttl=timedelta(minutes=5), idle_wait=0.05)
        return BatchSender(self.desk, self.store, self.journal, lambda: client, **{**options, **kwargs})

    def sends(self) -> int:
        return self.sandbox.state.call_counts().get("POST /send-money", 0)

    def payouts_per_username(self) -> dict[str, int]:
        """What the provider holds: how many payouts it made for each username (its own memory)."""
        state = self.sandbox.state
        with state.lock:
            live = list(state._live.values())
        counts: dict[str, int] = {}
        for tx in live:
            counts[tx.username] = counts.get(tx.username, 0) + 1
        return counts


@pytest.fixture
def desk(make_sandbox, tmp_path) -> Desk:
    srv = make_sandbox()
    db = tmp_path / "console.sqlite3"
    store = Store(db)
    audit = AuditLog(store)
    client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url)
    journal = Journal(store, client, audit=audit)
    approvals = Approvals(store, journal, role_of=ROLES.get, audit=audit)
    return Desk(srv, db, approvals, store, journal, BatchDesk(store, audit, lambda: approvals))
