"""The money actions of the forms and desks (Send money, Card payment, Approvals, Operations), through
the journal (exactly once): each drops this process's cached balances and history, and the fleet's,
when money moved. Kept beside `data_access` (the caching module) rather than in it."""

from __future__ import annotations

from dashboard import data_access
from dashboard.approvals import ApprovalRequest
from dashboard.client import models
from dashboard.journal import Operation


def submit_payout(
    operation_id: str, request: models.SendMoneyRequest, *, actor: str, confirm_duplicate: bool = False
) -> Operation:
    """Send a payout once per operation id; see `dashboard.journal` for every outcome."""
    op = data_access.services().journal.submit_payout(
        operation_id, request, actor=actor, confirm_duplicate=confirm_duplicate
    )
    if op.state == "confirmed":
        data_access.after_money_moved()
    return op


def approve_request(request_id: str, *, actor: str, note: str = "") -> ApprovalRequest:
    """Approve as a second person (ApprovalError if refused); an approved payout is sent, once."""
    request = data_access.services().approvals.approve(request_id, approver=actor, note=note)
    if request.operation_id:
        op = operation(request.operation_id)
        if op is not None and op.state == "confirmed":
            data_access.after_money_moved()
    return request


def submit_card_payment(operation_id: str, request: models.CardPaymentRequest, *, actor: str) -> Operation:
    op = data_access.services().journal.submit_card_payment(operation_id, request, actor=actor)
    if op.state == "confirmed":
        data_access.after_money_moved()
    return op


def operation(operation_id: str) -> Operation | None:
    return data_access.services().journal.get(operation_id)


def last_outcome(actor: str, kind: str) -> Operation | None:
    """`actor`'s latest payout / card payment ('payout' / 'card_payment') until they dismiss it."""
    return data_access.services().journal.last_outcome(actor, kind)


def dismiss_outcome(actor: str, operation_id: str) -> None:
    data_access.services().journal.dismiss_outcome(actor, operation_id)


def refresh_operation_status(operation_id: str) -> Operation:
    """Ask transaction-status for a confirmed operation's current state (the live status on the result)."""
    return data_access.services().journal.refresh_status(operation_id)


def settle_operation(operation_id: str, actor: str) -> Operation:
    """'Check now': one settle pass for this entry (transaction history, callbacks, transaction-status).
    Never sends anything. Raises EnigmaPayError when the API cannot be asked."""
    before = data_access.services().journal.get(operation_id)
    op = data_access.services().journal.settle(operation_id, actor=actor)
    if before is not None and before.state != op.state and op.state == "confirmed":
        data_access.after_money_moved()  # the balances and history now include a payout we did not know about
    return op


def mark_operation_resolved(
    operation_id: str, *, actor: str, note: str, transaction_id: int | None = None
) -> Operation:
    """An operator's verdict: not sent (no `transaction_id`) or confirmed as that transaction.
    ValueError when the note is empty or the entry cannot be resolved (see Journal.mark_resolved)."""
    op = data_access.services().journal.mark_resolved(
        operation_id, actor=actor, note=note, transaction_id=transaction_id
    )
    if op.state == "confirmed":
        data_access.after_money_moved()
    return op
