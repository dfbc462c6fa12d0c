"""One replica's half of "the same payout submitted on two replicas at once" (tests/fleet).

    python tests/fleet/submit_payout.py OPERATION_ID      (environment: a replica's ENIGMAPAY_* settings)

Builds the journal exactly as a replica does (dashboard.services, from the same settings: the same
database, the same API), prints `ready`, waits for a line on stdin (the test releases both
processes together), submits the payout under OPERATION_ID and prints the operation it got back
as one JSON line: {"id", "state", "transaction_id"}.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

from dashboard import services
from dashboard.client.checks import check_send_money

IBAN = "TR330006100519786457841326"


def main(operation_id: str) -> None:
    journal = services.records().journal
    request = check_send_money(
        username="fleet_user", amount=Decimal("777.25"), customer_iban=IBAN, customer_name="Ali Veli"
    )
    print("ready", flush=True)
    sys.stdin.readline()
    operation = journal.submit_payout(operation_id, request, actor="fleet-test")
    print(json.dumps({"id": operation.id, "state": operation.state, "transaction_id": operation.transaction_id}))


if __name__ == "__main__":
    main(sys.argv[1])
