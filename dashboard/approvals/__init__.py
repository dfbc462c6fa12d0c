"""Four-eyes approval: a payout at or above ENIGMAPAY_APPROVAL_THRESHOLD, and every batch, waits for a
second person who holds the `approve` capability (approvers, admins) and is not its maker. No Streamlit.

    approvals = services.records().approvals
    req = approvals.request(kind="batch", reference=batch_id, maker=user, amount=total, count=rows, summary={...})
    approvals.request_payout(operation_id, send_money_request, maker=user)   # a single payout's request
    approvals.state_of(kind="batch", reference=batch_id)   # "waiting" | "approved" | "rejected" | "expired" | None
    approvals.approve(req.id, approver=other_user, note="ok")   # ApprovalError: the maker, a non-approver...
    approvals.reject(req.id, approver=other_user, note="why")   # a note is required; nothing is ever sent
    approvals.waiting(); approvals.mine(user); approvals.waiting_count(user)

A request expires ENIGMAPAY_APPROVAL_EXPIRY_HOURS after it was made (reads say "expired" at once;
`expire_due` writes it down). Every step is audited (maker, approver, times, amount, masked IBAN).
An approved payout is sent through the journal as the entry with the form's operation id, exactly
once (see desk.py); an approved batch is sent by the batch's own code, which passes the request's id
to `Journal.submit_payout(..., approval_id=...)` for rows at or above the threshold.
"""

from dashboard.approvals.desk import DEFAULT_EXPIRY, Approvals
from dashboard.approvals.requests import (
    APPROVED,
    EXPIRED,
    KINDS,
    MAX_NOTE_CHARS,
    REJECTED,
    STATES,
    WAITING,
    ApprovalError,
    ApprovalRequest,
    totals,
)

__all__ = [
    "APPROVED",
    "DEFAULT_EXPIRY",
    "EXPIRED",
    "KINDS",
    "MAX_NOTE_CHARS",
    "REJECTED",
    "STATES",
    "WAITING",
    "ApprovalError",
    "ApprovalRequest",
    "Approvals",
    "totals",
]
