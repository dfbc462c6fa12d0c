"""Sending approved batches: once per row (the sandbox's own counters say so), never before approval,
across reruns, two senders and a kill -9 mid-batch; pause, cancel, and 429s slowing the batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard.approvals import ApprovalError
from dashboard.batches import BatchError, operation_id
from dashboard.batches.frames import progress_counts, results_frame
from dashboard.sandbox.faults import Faults
from tests.batches.conftest import IBAN, payout_csv

REPO = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_nothing_is_sent_while_waiting_and_a_rejected_batch_sends_nothing(desk):
    batch_id = desk.submit(payout_csv(5))
    request = desk.approvals.by_reference("batch", batch_id)
    assert (request.state, request.count, request.maker, request.amount) == ("waiting", 5, "ayse", Decimal("50.00"))
    with pytest.raises(ApprovalError):  # the maker cannot approve their own batch
        desk.approve(batch_id, approver="ayse")
    sender = desk.sender()
    assert sender.run_once() == 0 and desk.desk.get(batch_id).state == "awaiting_approval"
    desk.reject(batch_id)
    assert sender.run_once() == 0
    assert desk.desk.get(batch_id).state == "rejected"
    assert set(desk.desk.counts(batch_id)) == {"cancelled"}
    with pytest.raises(ApprovalError):  # a rejected batch stays rejected
        desk.approve(batch_id)
    assert sender.run_once() == 0 and desk.sends() == 0


def test_an_approved_batch_sends_each_valid_row_once_and_reruns_send_nothing(desk):
    data = payout_csv(12) + f"bad;abc;{IBAN};Ali Veli;x\nuser3;10,00;{IBAN};Ali Veli;again\n".encode()
    batch_id = desk.submit(data)
    desk.approve(batch_id)
    assert desk.desk.sync(batch_id) == "sending"
    assert desk.sender().run_once() == 12
    assert desk.sends() == 12
    assert desk.payouts_per_username() == {f"user{i}": 1 for i in range(12)}
    batch = desk.desk.get(batch_id)
    assert batch.state == "done" and batch.finished_at is not None
    counts = desk.desk.counts(batch_id)
    assert counts == {"done:confirmed": 12, "invalid": 1, "skipped": 1}
    assert progress_counts(counts)["confirmed"] == 12
    items = desk.desk.items(batch_id)
    assert (
        items[0].operation_id == operation_id(batch_id, 2) and desk.journal.get(items[0].operation_id).actor == "ayse"
    )
    frame = results_frame(items)
    assert list(frame["State"][:2]) == ["confirmed", "confirmed"] and frame["Transaction id"].notna().sum() == 12
    for _ in range(3):  # reruns, reloads, another sender: the rows are done
        assert desk.sender().run_once() == 0
    assert desk.sends() == 12


def test_two_senders_on_the_same_database_send_each_row_once(desk, tmp_path):
    from dashboard.audit import AuditLog
    from dashboard.batches import BatchDesk
    from dashboard.journal import Journal
    from dashboard.store import Store

    desk.sandbox.state.set_faults(Faults(latency_ms=20))
    batch_id = desk.submit(payout_csv(40))
    desk.approve(batch_id)
    other_store = Store(desk.db)  # a second "replica": its own connection, journal and sender
    other_audit = AuditLog(other_store)
    other = desk.sender()
    other.desk = BatchDesk(other_store, other_audit, lambda: desk.approvals)
    other._store, other._journal = other_store, Journal(other_store, desk.journal._client(), audit=other_audit)
    threads = [threading.Thread(target=s.run_once) for s in (desk.sender(), other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert desk.sends() == 40
    assert desk.payouts_per_username() == {f"user{i}": 1 for i in range(40)}


def test_pause_holds_the_rows_not_yet_sent_and_resume_goes_on(desk):
    desk.sandbox.state.set_faults(Faults(latency_ms=50))
    batch_id = desk.submit(payout_csv(60))
    desk.approve(batch_id)
    sender = desk.sender(concurrency=2)
    sender.wake()
    try:
        wait_for(lambda: desk.sends() >= 5)
        assert desk.desk.pause(batch_id, actor="mehmet")
        wait_for(lambda: not desk.desk.counts(batch_id).get("sending"))
        held = desk.sends()
        time.sleep(0.5)
        assert desk.sends() == held < 60  # nothing more while paused
        assert desk.desk.get(batch_id).state == "paused"
        assert desk.desk.resume(batch_id, actor="mehmet")
        sender.wake()
        wait_for(lambda: desk.desk.get(batch_id).state == "done")
    finally:
        sender.stop()
    assert desk.sends() == 60 and set(desk.payouts_per_username().values()) == {1}


def test_cancel_drops_the_rows_not_yet_sent(desk):
    desk.sandbox.state.set_faults(Faults(latency_ms=50))
    batch_id = desk.submit(payout_csv(60))
    desk.approve(batch_id)
    sender = desk.sender(concurrency=2)
    sender.wake()
    try:
        wait_for(lambda: desk.sends() >= 5)
        assert desk.desk.cancel(batch_id, actor="mehmet")
        wait_for(lambda: not desk.desk.counts(batch_id).get("sending"))
        time.sleep(0.3)
    finally:
        sender.stop()
    counts = desk.desk.counts(batch_id)
    sent = counts.get("done:confirmed", 0)
    assert desk.sends() == sent < 60
    assert counts.get("cancelled", 0) + sent == 60
    assert desk.desk.get(batch_id).state == "cancelled"
    assert not desk.desk.resume(batch_id, actor="mehmet")  # a cancelled batch stays cancelled
    assert desk.sends() == sent


def test_resume_needs_the_approval(desk):
    batch_id = desk.submit(payout_csv(3))
    with pytest.raises(BatchError, match="not approved"):
        desk.desk.resume(batch_id, actor="mehmet")


def test_a_429_slows_the_batch_and_the_row_is_sent_later_once(desk):
    desk.sandbox.state.set_faults(Faults(rate_limit_every=4, retry_after_seconds=0, paths=("/send-money",)))
    batch_id = desk.submit(payout_csv(15))
    desk.approve(batch_id)
    sender = desk.sender(concurrency=2, rate=200.0)
    sender.run_once()
    assert desk.payouts_per_username() == {f"user{i}": 1 for i in range(15)}
    assert desk.desk.counts(batch_id) == {"done:confirmed": 15}
    assert desk.sends() > 15  # the 429s were calls too
    assert sender.rate.rate < 200.0  # slowed down
    retried = [i for i in desk.desk.items(batch_id) if i.attempt > 1]
    assert retried and all(i.operation_id == operation_id(batch_id, i.row_no, i.attempt) for i in retried)
    first_try = desk.journal.get(operation_id(batch_id, retried[0].row_no))
    assert first_try.state == "rejected"  # the journal keeps the refused attempt, truthfully


def test_kill_9_mid_batch_then_resume_sends_no_row_twice(desk):
    desk.sandbox.state.set_faults(Faults(latency_ms=150, paths=("/send-money",)))
    batch_id = desk.submit(payout_csv(30))
    desk.approve(batch_id)
    desk.desk.sync(batch_id)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, str(REPO / "tests/helpers/batch_crash.py"), str(desk.db), desk.sandbox.base_url, batch_id],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: desk.sends() >= 8)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    before = desk.sends()
    assert before < 30
    in_flight = desk.desk.counts(batch_id).get("sending", 0)
    time.sleep(1.1)  # the child's claims expire
    desk.sender().run_once()
    per_row = desk.payouts_per_username()
    assert max(per_row.values()) == 1  # the provider made no payout twice
    outcomes = desk.desk.counts(batch_id)
    confirmed, pending = outcomes.get("done:confirmed", 0), outcomes.get("done:pending", 0)
    assert confirmed + pending == 30 and len(per_row) >= confirmed
    # At most one call per row: the sandbox counted every call, also those the kill cut off.
    assert confirmed <= desk.sends() <= 30
    # Rows the kill left mid-call keep their pending journal entry (settled as payouts are), never resent.
    assert pending <= in_flight
    for item in desk.desk.items(batch_id):
        if item.op_state == "confirmed":
            assert per_row.get(item.username) == 1
    assert desk.desk.get(batch_id).state == "done"
