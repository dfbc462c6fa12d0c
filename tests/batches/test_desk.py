"""The batch desk: a submit arriving twice stores one batch, a file repeating an open batch's rows is
flagged, rows a stopped process left claimed in a cancelled batch are closed truthfully."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dashboard.batches import build_preview, operation_id, read_payout_file
from dashboard.batches.desk import new_batch_id
from dashboard.client.models import SendMoneyRequest
from tests.batches.conftest import EIBAN, IBAN, payout_csv


def preview(desk, data: bytes):
    parsed = read_payout_file("p.csv", data)
    since = datetime.now(UTC) - timedelta(hours=24)
    return build_preview("p.csv", parsed.rows, EIBAN, lambda keys: desk.desk.recent_matches(keys, since=since))


def test_the_same_submit_twice_stores_one_batch_and_one_request(desk):
    batch_id, checked = new_batch_id(), preview(desk, payout_csv(3))
    first = desk.desk.submit(checked, maker="ayse", batch_id=batch_id)
    second = desk.desk.submit(checked, maker="ayse", batch_id=batch_id)
    assert first.id == second.id == batch_id
    assert [b.id for b in desk.store.batches.recent()] == [batch_id]
    assert len(desk.desk.items(batch_id)) == 3
    assert [e.outcome for e in desk.store.audit.query(action="batch")] == ["submitted"]
    assert len(desk.approvals.mine("ayse")) == 1


def test_a_file_repeating_rows_an_open_batch_will_send_is_flagged(desk):
    batch_id = desk.submit(payout_csv(3))  # awaiting approval: nothing sent yet
    again = preview(desk, payout_csv(4))  # the same three rows, and one more
    flagged = {r.number: r.recent_operation for r in again.rows}
    assert flagged == {
        2: operation_id(batch_id, 2),
        3: operation_id(batch_id, 3),
        4: operation_id(batch_id, 4),
        5: None,
    }
    assert again.totals().to_send == 1
    desk.desk.cancel(batch_id, actor="ayse")  # a cancelled batch sends nothing more: no longer a repeat
    assert preview(desk, payout_csv(4)).totals().to_send == 4


def test_rows_left_claimed_in_a_cancelled_batch_are_closed_by_what_the_journal_knows(desk):
    batch_id = desk.submit(payout_csv(4))
    desk.approve(batch_id)
    desk.desk.sync(batch_id)
    past = datetime.now(UTC) - timedelta(minutes=10)
    claimed = desk.store.batches.claim(
        batch_id, claimant="dead", now=past, until=past + timedelta(seconds=1), limit=2,
        operation_id=lambda row, attempt: operation_id(batch_id, row, attempt),
    )  # fmt: skip
    assert [i.row_no for i in claimed] == [2, 3]
    # The dead process had journaled row 2 (the call's answer never came); row 3 it never reached.
    desk.journal.submit_payout(
        operation_id(batch_id, 2),
        SendMoneyRequest("user0", Decimal("10.00"), IBAN, "Ali Veli", "row 0"),
        actor="ayse",
        approval_id=desk.approvals.by_reference("batch", batch_id).id,
    )
    desk.desk.cancel(batch_id, actor="ayse")
    desk.sender().run_once()
    states = {i.row_no: (i.state, i.op_state) for i in desk.desk.items(batch_id)}
    assert states == {2: ("done", "confirmed"), 3: ("cancelled", None), 4: ("cancelled", None), 5: ("cancelled", None)}
    assert desk.sends() == 1
