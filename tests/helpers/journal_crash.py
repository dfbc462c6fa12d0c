"""Crash helper for tests/test_journal.py: journal a payout, then die inside send_money.

    python tests/helpers/journal_crash.py DB_PATH OPERATION_ID INTENT_TIME_ISO

The client's send_money kills the process with os._exit right after the journal committed the
intent -- no finally blocks, no atexit, no flush: what a SIGKILL or power cut leaves behind.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dashboard.journal import Journal
from dashboard.store import Store

EXIT_CODE = 17
IBAN = "TR330006100519786457841326"


@dataclass(frozen=True)
class Request:
    username: str
    amount: Decimal
    customer_iban: str
    customer_name: str
    description: str = ""


class DyingClient:
    def send_money(self, request: Request) -> None:
        os._exit(EXIT_CODE)


def main(db_path: str, operation_id: str, intent_at: str) -> None:
    when = datetime.fromisoformat(intent_at)
    journal = Journal(Store(db_path), DyingClient(), clock=lambda: when)
    request = Request(username="user7", amount=Decimal("2500.00"), customer_iban=IBAN, customer_name="Ali Veli")
    journal.submit_payout(operation_id, request, actor="ayse")
    sys.exit("send_money returned: the crash did not happen")


if __name__ == "__main__":
    main(*sys.argv[1:4])
