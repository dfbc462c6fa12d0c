"""Four-eyes approval: who may decide, expiry, audit, and that an approved payout is sent exactly once
(the sandbox's own call counters) while a rejected or expired one never is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard.approvals import ApprovalError, Approvals, totals
from dashboard.audit import AuditLog
from dashboard.auth import Role
from dashboard.client import EnigmaPayClient
from dashboard.client.checks import check_send_money
from dashboard.journal import ApprovalRequired, Journal, new_operation_id
from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY
from dashboard.store import Store

REPO = Path(__file__).resolve().parents[1]
IBAN = "TR330006100519786457841326"
ROLES = {"olga": Role.OPERATOR, "ayse": Role.APPROVER, "adam": Role.ADMIN, "vera": Role.VIEWER}
MASKED = "TR33 **** **** 1326"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def desk(make_sandbox, tmp_path):
    """(approvals, sandbox, store, clock): a desk with a 50,000 TRY threshold over a fresh sandbox."""
    srv = make_sandbox()
    client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url)
    store, clock = Store(tmp_path / "db.sqlite3"), Clock()
    audit = AuditLog(store, clock=clock)
    journal = Journal(store, client, audit=audit, clock=clock, approval_threshold=Decimal("50000"))
    approvals = Approvals(
        store,
        journal,
        role_of=ROLES.get,
        audit=audit,
        threshold=Decimal("50000"),
        expiry=timedelta(hours=2),
        clock=clock,
    )
    yield approvals, srv, store, clock
    client.close()
    store.close()


def payout(amount="75000.00", iban=IBAN):
    return check_send_money(
        username="user42", amount=Decimal(amount), customer_iban=iban, customer_name="Şule Yılmaz", description="çekim"
    )


def sends(srv) -> int:
    return srv.state.call_counts().get("POST /send-money", 0)


def test_a_request_waits_and_one_form_makes_one_request(desk):
    approvals, srv, store, _ = desk
    op_id = new_operation_id()
    first = approvals.request_payout(op_id, payout(), maker="olga", summary={"total": Decimal("75377.50")})
    again = approvals.request_payout(op_id, payout(), maker="olga")  # double click, second tab, rerun
    assert first.id == again.id and first.state == "waiting" and first.count == 1
    assert approvals.state_of(kind="payout", reference=op_id) == "waiting"
    assert approvals.state_of(kind="payout", reference="never-requested") is None
    assert first.summary["customer_iban"] == MASKED
    assert first.summary["total"] == "75377.50"  # exact text, never a float
    assert IBAN not in repr(first) and IBAN not in str(first.summary)
    assert [r.id for r in approvals.waiting()] == [first.id] and [r.id for r in approvals.mine("olga")] == [first.id]
    assert len(store.audit.query(action="approval_request")) == 1
    assert sends(srv) == 0


def test_the_maker_cannot_approve_their_own_request_even_as_admin(desk):
    approvals, srv, _, _ = desk
    mine = approvals.request_payout(new_operation_id(), payout(), maker="adam")
    with pytest.raises(ApprovalError, match="You made this request"):
        approvals.approve(mine.id, approver="adam", note="")
    with pytest.raises(ApprovalError, match="You made this request"):
        approvals.reject(mine.id, approver="adam", note="no")
    assert approvals.get(mine.id).state == "waiting" and sends(srv) == 0


@pytest.mark.parametrize("person", ["olga", "vera", "stranger"])
def test_only_approvers_and_admins_decide(desk, person):
    approvals, srv, _, _ = desk
    req = approvals.request_payout(new_operation_id(), payout(), maker="adam")
    with pytest.raises(ApprovalError, match="Only an approver or an administrator"):
        approvals.approve(req.id, approver=person, note="")
    assert approvals.get(req.id).state == "waiting" and sends(srv) == 0


def test_an_approver_cannot_initiate(desk):
    approvals, _, store, _ = desk
    with pytest.raises(ApprovalError, match="who may move money"):
        approvals.request_payout(new_operation_id(), payout(), maker="ayse")
    assert approvals.waiting() == [] and store.audit.query() == []


def test_approval_sends_the_payout_once_as_the_forms_operation(desk):
    approvals, srv, store, clock = desk
    op_id = new_operation_id()
    req = approvals.request_payout(op_id, payout(), maker="olga")
    clock.now += timedelta(minutes=5)
    approved = approvals.approve(req.id, approver="ayse", note="checked with the customer")
    assert approved.state == "approved" and approved.decided_by == "ayse" and approved.dispatched_at is not None
    op = approvals._journal.get(op_id)
    assert op.state == "confirmed" and op.actor == "olga" and op.amount == Decimal("75000.00")
    assert sends(srv) == 1
    with pytest.raises(ApprovalError, match="approved already"):
        approvals.approve(req.id, approver="adam", note="")
    clock.now += timedelta(hours=1)
    assert approvals.dispatch_approved() == [] and sends(srv) == 1
    line = store.audit.query(action="approval_approve")[0]
    assert (line.actor, line.outcome, line.amount, line.iban_masked) == (
        "ayse",
        "approved",
        Decimal("75000.00"),
        MASKED,
    )
    assert line.details["maker"] == "olga" and line.details["note"] == "checked with the customer"
    assert line.details["requested_at"] == T0.isoformat()
    assert line.details["decided_at"] == (T0 + timedelta(minutes=5)).isoformat()
    assert not any(IBAN in str(e) for e in store.audit.query())


def test_a_rejected_request_sends_nothing_ever(desk):
    approvals, srv, store, clock = desk
    req = approvals.request_payout(new_operation_id(), payout(), maker="olga")
    with pytest.raises(ApprovalError, match="Say why"):
        approvals.reject(req.id, approver="ayse", note="   ")
    rejected = approvals.reject(req.id, approver="ayse", note="IBAN holder differs")
    assert rejected.state == "rejected" and rejected.note == "IBAN holder differs"
    with pytest.raises(ApprovalError, match="rejected already"):
        approvals.approve(req.id, approver="adam", note="")
    clock.now += timedelta(hours=1)
    assert approvals.dispatch_approved() == []
    assert sends(srv) == 0 and approvals._journal.get(req.reference) is None
    assert store.audit.query(action="approval_reject")[0].details["note"] == "IBAN holder differs"


def test_a_request_expires_and_then_nobody_can_approve_it(desk):
    approvals, srv, store, clock = desk
    req = approvals.request_payout(new_operation_id(), payout(), maker="olga")
    clock.now += timedelta(hours=2)
    assert approvals.state_of(kind="payout", reference=req.reference) == "expired"  # before any sweep
    assert approvals.waiting() == [] and approvals.waiting_count("ayse") == 0
    with pytest.raises(ApprovalError, match="has expired"):
        approvals.approve(req.id, approver="ayse", note="")
    assert [r.id for r in approvals.expire_due()] == [] and sends(srv) == 0  # approve's own sweep wrote it down
    (line,) = store.audit.query(action="approval_expire")
    assert line.actor == "system" and line.details["maker"] == "olga"


def test_the_journal_refuses_a_large_payout_without_its_approval(desk):
    approvals, srv, store, _ = desk
    journal = approvals._journal
    with pytest.raises(ApprovalRequired):
        journal.submit_payout(new_operation_id(), payout(), actor="olga")
    other = approvals.request_payout(new_operation_id(), payout("60000"), maker="olga")
    approvals.approve(other.id, approver="ayse", note="")
    with pytest.raises(ApprovalRequired, match="another payout"):  # an approval covers its own payout only
        journal.submit_payout(new_operation_id(), payout(), actor="olga", approval_id=other.id)
    waiting = approvals.request_payout(new_operation_id(), payout(), maker="olga")
    with pytest.raises(ApprovalRequired, match="not approved"):
        journal.submit_payout(waiting.reference, payout(), actor="olga", approval_id=waiting.id)
    assert sends(srv) == 1  # only the approved one
    assert journal.submit_payout(new_operation_id(), payout("49999.99"), actor="olga").state == "confirmed"
    assert sends(srv) == 2


def test_a_crash_between_approval_and_send_is_sent_once_by_the_backstop(desk, monkeypatch):
    approvals, srv, store, clock = desk
    req = approvals.request_payout(new_operation_id(), payout(), maker="olga")

    def crash(self, row):
        raise SystemExit("process died after the approval committed")

    monkeypatch.setattr(Approvals, "_dispatch", crash)
    with pytest.raises(SystemExit):
        approvals.approve(req.id, approver="ayse", note="")
    monkeypatch.undo()
    assert approvals.get(req.id).state == "approved" and sends(srv) == 0
    assert approvals.dispatch_approved() == []  # inside the grace the approver's own send may be running
    clock.now += timedelta(minutes=1)
    # Two replicas run their backstop at the same moment: the journal's claim lets one send.
    replicas = [threading.Thread(target=approvals.dispatch_approved) for _ in range(2)]
    for r in replicas:
        r.start()
    for r in replicas:
        r.join()
    approvals.dispatch_approved()
    assert sends(srv) == 1 and approvals._journal.get(req.reference).state == "confirmed"
    assert approvals.get(req.id).dispatched_at is not None


def test_a_batch_request_is_only_decided_here(desk):
    approvals, srv, _, _ = desk
    batch = approvals.request(
        kind="batch",
        reference="batch-0001",
        maker="olga",
        amount=Decimal("1234.50"),
        count=3,
        summary={"file": "payouts.csv", "first_iban": IBAN},
    )
    assert batch.summary["first_iban"] == MASKED
    assert approvals.waiting_count("ayse") == 1 and approvals.waiting_count("olga") == 0
    approvals.approve(batch.id, approver="adam", note="")
    assert approvals.state_of(kind="batch", reference="batch-0001") == "approved" and sends(srv) == 0
    assert batch.operation_id is None


def test_waiting_count_leaves_out_ones_own_requests_and_totals_are_exact(desk):
    approvals, _, _, _ = desk
    a = approvals.request_payout(new_operation_id(), payout("50000.10"), maker="adam")
    b = approvals.request("batch", "batch-0002", "olga", Decimal("0.20"), 4, {})
    assert approvals.waiting_count("adam") == 1 and approvals.waiting_count("ayse") == 2
    assert approvals.waiting_count("vera") == 0
    assert totals([a, b]) == (Decimal("50000.30"), 5)


def test_bad_input_changes_nothing(desk):
    approvals, _, store, _ = desk
    with pytest.raises(ValueError):
        approvals.request("payroll", "batch-0003", "olga", Decimal("1"), 1, {})
    with pytest.raises(ValueError, match="request_payout"):  # nothing it could send once approved
        approvals.request("payout", "form-0003", "olga", Decimal("1"), 1, {})
    with pytest.raises(ValueError):
        approvals.request("batch", "batch-0003", "olga", Decimal("0"), 1, {})
    with pytest.raises(ValueError):
        approvals.request("batch", "batch-0003", "olga", Decimal("1.005"), 1, {})
    req = approvals.request("batch", "batch-0003", "olga", Decimal("1"), 1, {})
    with pytest.raises(ApprovalError, match="at most 500"):
        approvals.approve(req.id, approver="ayse", note="x" * 501)
    with pytest.raises(ApprovalError, match="no such request"):
        approvals.approve("nope", approver="ayse", note="")
    assert approvals.get(req.id).state == "waiting" and len(store.audit.query()) == 1


def test_two_approvers_at_once_approve_once_and_send_once(desk):
    approvals, srv, _, _ = desk
    req = approvals.request_payout(new_operation_id(), payout(), maker="olga")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def click(person: str) -> None:
        start.wait()
        try:
            outcomes.append(approvals.approve(req.id, approver=person, note="").state)
        except ApprovalError as exc:
            outcomes.append(exc.message)

    clicks = [threading.Thread(target=click, args=(p,)) for p in ("ayse", "adam")]
    for c in clicks:
        c.start()
    for c in clicks:
        c.join()
    assert sorted(outcomes) == ["This request is approved already; nothing was changed.", "approved"]
    assert sends(srv) == 1


def approve_and_die(db, request_id: str, base_url: str, mode: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "tests" / "helpers" / "approval_crash.py"), str(db), request_id, base_url, mode],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.mark.parametrize("mode", ["after-approval", "in-send"])
def test_kill_9_mid_approval_then_restart_never_sends_twice(make_sandbox, tmp_path, mode):
    """A real process killed after the approval committed (before the send) or during the send; then a
    restarted console's backstop: the first is sent once, the second (outcome unknown) never again."""
    srv, db = make_sandbox(), tmp_path / "console.sqlite3"
    client = EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url)
    store = Store(db)
    approvals = Approvals(store, Journal(store, client), role_of=ROLES.get)
    req = approvals.request_payout(new_operation_id(), payout(), maker="olga")

    approve_and_die(db, req.id, srv.base_url, mode)

    restarted = Approvals(Store(db), Journal(Store(db), client), role_of=ROLES.get)  # a fresh process's objects
    assert restarted.get(req.id).state == "approved"
    assert sends(srv) == (1 if mode == "in-send" else 0)
    for _ in range(3):  # every background tick after the restart, in any replica
        restarted.dispatch_approved(grace=timedelta(0))
    assert sends(srv) == 1
    op = restarted._journal.get(req.reference)
    if mode == "in-send":
        assert op.state == "pending"  # unknown outcome: left to settling, which looks and never sends
        awaited, orphaned = restarted._journal.awaiting_answer()
        assert awaited == [] and [o.id for o in orphaned] == [op.id]  # nobody awaits it: settling will look
    else:
        assert op.state == "confirmed" and op.actor == "olga"
    client.close()


def test_the_approver_is_told_of_a_recent_payout_with_the_same_content(desk):
    approvals, srv, _, clock = desk
    sent = approvals._journal.submit_payout(new_operation_id(), payout("1000"), actor="olga")
    first = approvals.request_payout(new_operation_id(), payout("1000"), maker="olga")
    assert first.summary["same_content_as"] == sent.id
    second = approvals.request_payout(new_operation_id(), payout("75000"), maker="olga")
    third = approvals.request_payout(new_operation_id(), payout("75000"), maker="adam")
    assert "same_content_as" not in second.summary and third.summary["same_content_as"] == second.reference
    clock.now += timedelta(minutes=11)  # past the journal's duplicate window
    other = approvals.request_payout(new_operation_id(), payout("1000"), maker="olga")
    assert other.summary.get("same_content_as") == first.reference  # still waiting, so still named
