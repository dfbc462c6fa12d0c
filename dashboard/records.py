"""The console's own records, for the Operations, Callbacks, Approvals, Audit log and Batch payouts pages
(through data_access): journal entries whose outcome is open, callback events and their verification,
requests waiting for a second person, the audit log, payout batches.

No Streamlit and no caching: each read goes to the store, which is the truth shared by every session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from dashboard import services
from dashboard.approvals import ApprovalRequest
from dashboard.audit import AuditEntry
from dashboard.batches import RECENT_WINDOW, PayoutFile, Preview, build_preview, read_payout_file
from dashboard.batches.desk import AWAITING, SENDING, new_batch_id  # noqa: F401 -- new_batch_id: for the page
from dashboard.callbacks import CallbackEvent, TimelineItem, verification_plan
from dashboard.callbacks import timeline as callback_timeline
from dashboard.client.models import EibanChannel, SendMoneyRequest
from dashboard.journal import Operation
from dashboard.store import BatchItemRow, BatchRow, CurrentStatusRow
from dashboard.timeutil import now


def open_operations() -> list[Operation]:
    """Journal entries needing attention: `unknown` ones and `pending` ones past their grace (the
    process died mid-call), oldest first."""
    return services.records().journal.unsettled()


def operations_awaiting_answer() -> tuple[list[Operation], list[Operation]]:
    """`pending` entries inside their grace: (awaited by this console, sent by a process that stopped
    or by another console on the same data)."""
    return services.records().journal.awaiting_answer()


def first_check_of(ops: Sequence[Operation]) -> datetime:
    """When the earliest of these pending entries is first checked automatically (its grace is over)."""
    return min(op.created_at for op in ops) + services.records().journal.pending_grace


def recent_operations(limit: int = 200, states: Sequence[str] | None = None) -> list[Operation]:
    """The newest journal entries, optionally only those in `states`."""
    ops = services.records().journal.recent(limit)
    return [op for op in ops if op.state in states] if states else ops


def callbacks_configured() -> bool:
    """False on the live API without ENIGMAPAY_CALLBACK_TOKEN: the callback route answers 404."""
    return services.records().callbacks is not None


def callback_path_masked() -> str | None:
    """The callback path with all but the token's last 4 characters hidden (`/callbacks/••••abcd`)."""
    intake = services.records().callbacks
    if intake is None:
        return None
    token = intake.callback_path().rsplit("/", 1)[1]
    return f"/callbacks/••••{token[-4:]}"


def recent_callback_events(limit: int = 100) -> list[CallbackEvent]:
    """Newest first (an empty list when callbacks are not configured)."""
    intake = services.records().callbacks
    return intake.recent_events(limit=limit) if intake is not None else []


def verify_callbacks_now() -> dict[str, int]:
    """Verify one batch of pending callback events, oldest first, at ENIGMAPAY_VERIFY_RATE (the
    background does this continuously); returns counts per verification outcome, `errors` when the
    API could not be asked, {} when callbacks are not configured."""
    intake = services.records().callbacks
    if intake is None:
        return {}
    rate = services.settings().verify_rate
    batch, workers = verification_plan(rate)
    return intake.verify_pending(
        services.backend().client, limit=batch, limiter=services.verify_limiter(), workers=workers
    )


def callback_backlog() -> tuple[int, datetime | None]:
    """(callback events waiting for verification, when the oldest arrived); (0, None) if not configured."""
    intake = services.records().callbacks
    return intake.backlog() if intake is not None else (0, None)


def transaction_timeline(transaction_id: int) -> list[TimelineItem]:
    """Journal entries, callbacks and status checks of one provider transaction, by time."""
    return callback_timeline(services.records().store, int(transaction_id))


def transaction_current_status(transaction_id: int) -> CurrentStatusRow | None:
    """What the console believes now (status, status_final, source 'callback'|'api', updated_at)."""
    return services.records().store.callbacks.current_status(int(transaction_id))


AUDIT_LIMIT = 5_000


def audit_entries(
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    actor: str | None = None,
    action: str | None = None,
    limit: int = AUDIT_LIMIT,
) -> list[AuditEntry]:
    """Audit entries, newest first; `since` inclusive, `until` exclusive."""
    return services.records().audit.query(since=since, until=until, actor=actor, action=action, limit=limit)


# -- payout batches (the Batch payouts page) ------------------------------------------------------


def batch_limits() -> tuple[int, int]:
    """(most payout rows, largest file in bytes) a batch file may have (ENIGMAPAY_BATCH_MAX_*)."""
    s = services.settings()
    return s.batch_max_rows, s.batch_max_kb * 1024


def read_batch_file(name: str, data: bytes) -> PayoutFile:
    """The rows of an uploaded payout file; BatchFileError (nothing stored) when it is refused."""
    max_rows, max_bytes = batch_limits()
    return read_payout_file(name, data, max_rows=max_rows, max_bytes=max_bytes)


def preview_batch(payout_file: PayoutFile, eiban: EibanChannel | None) -> Preview:
    """Every row checked as the Send money form checks it, with costs; repeats and recent payouts flagged."""
    desk = services.records().batches
    since = now() - RECENT_WINDOW
    return build_preview(payout_file.name, payout_file.rows, eiban, lambda keys: desk.recent_matches(keys, since=since))


def batches_can_be_approved() -> bool:
    """Whether this console has the approvals a batch needs (dashboard.approvals)."""
    return services.records().batches.approvals_available


def submit_batch(preview: Preview, *, maker: str, include_flagged: bool, batch_id: str) -> BatchRow:
    """Store the batch and ask for its approval (BatchError when it cannot be); nothing is sent. The
    same `batch_id` again (a double click) returns the batch stored the first time."""
    return services.records().batches.submit(preview, maker=maker, include_flagged=include_flagged, batch_id=batch_id)


def batch(batch_id: str) -> BatchRow | None:
    """The batch, after taking up its approval's verdict (the sender then starts on an approved one)."""
    desk = services.records().batches
    before = desk.get(batch_id)
    if before is not None and before.state == AWAITING and desk.sync(batch_id) == SENDING:
        services.batch_sender().wake()
    return desk.get(batch_id)


def batch_approval(batch_id: str) -> ApprovalRequest | None:
    """The batch's request for approval: who decided, when, their note (None before it is submitted)."""
    return services.records().approvals.by_reference("batch", batch_id)


def recent_batches(limit: int = 50) -> list[BatchRow]:
    return services.records().batches.recent(limit=limit)


def batch_items(batch_id: str) -> list[BatchItemRow]:
    return services.records().batches.items(batch_id)


def batch_counts(batch_id: str) -> dict[str, int]:
    return services.records().batches.counts(batch_id)


def change_batch(batch_id: str, action: str, *, actor: str) -> bool:
    """'pause', 'resume' or 'cancel' (audited); BatchError when it cannot be done."""
    desk = services.records().batches
    changed = {"pause": desk.pause, "resume": desk.resume, "cancel": desk.cancel}[action](batch_id, actor=actor)
    if changed and action == "resume":
        services.batch_sender().wake()
    return changed


def keep_batches_moving() -> None:
    """Make sure this process's batch sender runs (the server's background does it too)."""
    services.batch_sender().wake()


# --- four-eyes approval (dashboard.approvals) ------------------------------------------------------


def approval_threshold() -> Decimal | None:
    """A payout of at least this amount waits for a second person; None: no single payout does."""
    return services.records().approvals.threshold


def needs_approval(amount: Decimal) -> bool:
    return services.records().approvals.needs_approval(amount)


def request_payout_approval(
    operation_id: str, request: SendMoneyRequest, *, actor: str, summary: Mapping[str, Any] | None = None
) -> ApprovalRequest:
    """Ask a second person to approve this payout form's payout (one request per form); ApprovalError if refused."""
    return services.records().approvals.request_payout(operation_id, request, maker=actor, summary=summary)


def approval(request_id: str) -> ApprovalRequest | None:
    return services.records().approvals.get(request_id)


def approvals_waiting() -> list[ApprovalRequest]:
    """Requests waiting for a decision, oldest first (expired ones written down first)."""
    desk = services.records().approvals
    desk.expire_due()
    return desk.waiting()


def my_approval_requests(actor: str) -> list[ApprovalRequest]:
    """`actor`'s requests in every state, newest first."""
    return services.records().approvals.mine(actor)


def approvals_waiting_count(actor: str) -> int:
    """How many waiting requests `actor` could decide (the sidebar's count; 0 for non-approvers)."""
    return services.records().approvals.waiting_count(actor)


def approval_refusal(request: ApprovalRequest, actor: str) -> str | None:
    """Why `actor` may not decide `request`, or None."""
    return services.records().approvals.refusal_reason(request, actor)


def reject_request(request_id: str, *, actor: str, note: str) -> ApprovalRequest:
    """Reject with a reason (required): nothing of the request is sent. ApprovalError if refused."""
    return services.records().approvals.reject(request_id, approver=actor, note=note)
