"""Crash helper for tests/batches/test_sending.py: send an approved batch until killed.

    python tests/helpers/batch_crash.py DB_PATH BASE_URL BATCH_ID

Runs a real BatchSender against the sandbox at BASE_URL; the test kills this process with SIGKILL
mid-batch (no finally blocks, no atexit, no flush), then resumes the batch in its own process.
Claims last one second here, so the test need not wait long before they count as abandoned.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from dashboard.approvals import Approvals
from dashboard.audit import AuditLog
from dashboard.batches import BatchDesk, BatchSender
from dashboard.client import EnigmaPayClient
from dashboard.journal import Journal
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.store import Store


def main(db_path: str, base_url: str, batch_id: str) -> None:
    store = Store(db_path)
    client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=base_url)
    audit = AuditLog(store)
    journal = Journal(store, client, audit=audit)
    approvals = Approvals(store, journal, role_of=lambda name: None, audit=audit)  # reads the parent's approval
    desk = BatchDesk(store, audit, lambda: approvals)
    sender = BatchSender(desk, store, journal, lambda: client, concurrency=2, rate=1000, claim_ttl=timedelta(seconds=1))
    print("sending", flush=True)
    sender.run_once()
    sys.exit("the batch finished: the kill came too late")


if __name__ == "__main__":
    main(*sys.argv[1:4])
