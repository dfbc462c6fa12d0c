"""Crash helper for tests/test_approvals.py: approve a waiting payout request, then die (SIGKILL).

    python tests/helpers/approval_crash.py DB_PATH REQUEST_ID SANDBOX_BASE_URL MODE

MODE "after-approval": killed right after the approval committed, before the payout's journal entry
exists. MODE "in-send": killed right after the sandbox received the payout, before its answer is
recorded (the journal entry stays pending: the outcome is unknown). No finally blocks, no atexit,
no flush: what `kill -9` leaves behind.
"""

from __future__ import annotations

import os
import signal
import sys

from dashboard.approvals import Approvals
from dashboard.auth import Role
from dashboard.client import EnigmaPayClient
from dashboard.journal import Journal
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.store import Store


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class DyingAfterSend:
    """The real client; the process dies once the sandbox has taken the payout."""

    def __init__(self, client: EnigmaPayClient) -> None:
        self._client = client

    def send_money(self, request):
        self._client.send_money(request)
        die()


def main(db_path: str, request_id: str, base_url: str, mode: str) -> None:
    client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=base_url)
    store = Store(db_path)
    journal = Journal(store, DyingAfterSend(client) if mode == "in-send" else client)
    roles = {"olga": Role.OPERATOR, "ayse": Role.APPROVER}
    approvals = Approvals(store, journal, role_of=roles.get)
    if mode == "after-approval":
        Approvals._dispatch = lambda self, row: die()  # the approval is committed; the send never starts
    approvals.approve(request_id, approver="ayse", note="")
    sys.exit("approve returned: the crash did not happen")


if __name__ == "__main__":
    main(*sys.argv[1:5])
