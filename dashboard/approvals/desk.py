"""`Approvals`: the four-eyes desk. Requests wait for a second person who holds `approve` and is not
their maker; an approved payout is sent through the journal exactly once.

Exactly once, across reruns, two tabs, a crash and several replicas: a payout's request is made once
per form (kind, reference = the form's operation id; a second submit returns the first request), and
once approved it is sent as the journal entry with that same operation id. The journal claims an id
atomically, so whoever sends first (the approver's click, or `dispatch_approved` in any replica's
background after a crash between the approval and the send) sends; everyone else finds the entry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from dashboard.approvals.requests import (
    APPROVED,
    EXPIRED,
    KINDS,
    MAX_NOTE_CHARS,
    REJECTED,
    SYSTEM,
    WAITING,
    ApprovalError,
    ApprovalRequest,
    already_message,
)
from dashboard.audit import AuditLog, scrub
from dashboard.auth.roles import APPROVE, MOVE_MONEY, Role, can
from dashboard.client.checks import check_send_money
from dashboard.client.models import SendMoneyRequest
from dashboard.iban import mask_iban, normalize_iban
from dashboard.journal import Journal, Operation
from dashboard.journal.records import DUPLICATE_STATES, positive_amount
from dashboard.money import to_kurus
from dashboard.store import ApprovalRow, Store

log = logging.getLogger(__name__)

DEFAULT_EXPIRY = timedelta(hours=24)
DISPATCH_GRACE = timedelta(seconds=30)  # the approver's own click normally sends; the sweep is the backstop


class Approvals:
    """Requests, decisions, expiry and the sending of approved payouts. Thread-safe (the store is)."""

    def __init__(
        self,
        store: Store,
        journal: Journal,
        *,
        role_of: Callable[[str], Role | None],
        audit: AuditLog | None = None,
        threshold: Decimal | None = None,
        expiry: timedelta = DEFAULT_EXPIRY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`role_of(name)` is a person's role now (None: no such account); `threshold`: a payout of
        at least this amount needs approval (None: none does; batches always do)."""
        self._store = store
        self._journal = journal
        self._role_of = role_of
        self._clock = clock or (lambda: datetime.now(UTC))
        self.audit = audit or AuditLog(store, clock=self._clock)
        self.threshold = threshold
        self.expiry = expiry

    # -- rules ----------------------------------------------------------------------------------

    def needs_approval(self, amount: Decimal) -> bool:
        """Whether a single payout of `amount` waits for a second person."""
        return self.threshold is not None and amount >= self.threshold

    def refusal_reason(self, request: ApprovalRequest, person: str) -> str | None:
        """Why `person` may not decide `request` now, or None when they may (the pages grey buttons out
        with it; `approve`/`reject` check it again)."""
        if not can(self._role_of(person), APPROVE):
            return "Only an approver or an administrator can approve or reject a request."
        if person == request.maker:
            return "You made this request: a second person must approve or reject it."
        if request.state != WAITING:
            return already_message(request.state)
        return None

    # -- making a request -----------------------------------------------------------------------

    def request(
        self,
        kind: str,
        reference: str,
        maker: str,
        amount: Decimal,
        count: int,
        summary: Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
    ) -> ApprovalRequest:
        """A new request in state "waiting" -- or, for a (kind, reference) already requested, that
        request as it is (a second submit of one form or batch never makes a second request).

        `summary` is what approvers see (scrubbed: full IBANs masked, secret-looking keys dropped);
        `payload` is what a payout sends once approved (kept, never shown)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if kind == "payout" and not payload:
            raise ValueError("a payout's request carries what it sends: use request_payout")
        if not isinstance(reference, str) or not 8 <= len(reference) <= 64:
            raise ValueError("reference: 8 to 64 characters (an operation id or a batch id)")
        if not can(self._role_of(maker), MOVE_MONEY):
            raise ApprovalError("Only a person who may move money can ask for a payout's approval.")
        amount = positive_amount(amount)
        if not isinstance(count, int) or count < 1:
            raise ValueError("count: the number of rows, at least 1")
        now = self._clock()
        shown = scrub(dict(summary))
        row = {
            "id": uuid.uuid4().hex,
            "kind": kind,
            "reference": reference,
            "state": WAITING,
            "maker": maker,
            "amount": amount,
            "amount_kurus": to_kurus(amount),
            "item_count": count,
            "summary": shown,
            "payload": dict(payload) if payload is not None else None,
            "created_at": now,
            "expires_at": now + self.expiry,
        }
        iban = payload.get("customer_iban") if payload else None
        audit = self._audit("approval_request", maker, WAITING, row, iban, {"expires_at": row["expires_at"]})
        _new, stored = self._store.approvals.insert(row, audit=audit)
        return ApprovalRequest.from_row(stored, now=self._clock())

    def request_payout(
        self, operation_id: str, request: SendMoneyRequest, *, maker: str, summary: Mapping[str, Any] | None = None
    ) -> ApprovalRequest:
        """Ask for approval of one payout (the form's `operation_id` becomes its journal entry once
        approved). `summary` adds what the form showed (costs, bank) to what approvers see."""
        iban = normalize_iban(request.customer_iban)
        payload = {
            "username": request.username,
            "amount": str(request.amount),
            "customer_iban": iban,
            "customer_name": request.customer_name,
            "description": request.description or "",
        }
        shown = {
            "username": request.username,
            "customer_iban": mask_iban(iban),
            "customer_name": request.customer_name,
            "description": request.description or "",
            **(summary or {}),
        }
        same = self._same_content(operation_id, payload)
        if same is not None:
            # The approved payout is sent without the journal's same-content hold: the approver is told here.
            shown["same_content_as"] = same
        return self.request("payout", operation_id, maker, request.amount, 1, shown, payload=payload)

    def _same_content(self, reference: str, payload: Mapping[str, Any]) -> str | None:
        """The id of a recent payout (journal entry, or a request waiting) with this IBAN, amount and username."""
        key = (payload["customer_iban"], Decimal(payload["amount"]), payload["username"])
        since = self._clock() - self._journal.duplicate_window
        for op in self._journal.recent(200):
            if (
                op.kind == "payout"
                and op.id != reference
                and op.created_at >= since
                and op.state in DUPLICATE_STATES
                and (op.customer_iban, op.amount, op.username) == key
            ):
                return op.id
        for row in self._store.approvals.in_state(WAITING):
            sent = row.payload or {}
            if row.kind == "payout" and row.reference != reference and sent.get("amount") is not None:
                if (sent.get("customer_iban"), Decimal(sent["amount"]), sent.get("username")) == key:
                    return row.reference
        return None

    # -- deciding -------------------------------------------------------------------------------

    def approve(self, request_id: str, *, approver: str, note: str = "") -> ApprovalRequest:
        """Approve a waiting request (ApprovalError says why not, and nothing changes). An approved
        payout is then sent through the journal, once; an approved batch is the batch's to send."""
        decided = self._decide(request_id, approver, note, APPROVED)
        if decided.kind == "payout":
            row = self._store.approvals.get(decided.id)
            if row is not None:
                self._dispatch(row)
        return self.get(decided.id)  # type: ignore[return-value]

    def reject(self, request_id: str, *, approver: str, note: str) -> ApprovalRequest:
        """Reject a waiting request with a reason (required): nothing of it is ever sent."""
        if not (note or "").strip():
            raise ApprovalError("Say why the request is rejected: the maker reads the note.")
        return self._decide(request_id, approver, note, REJECTED)

    def _decide(self, request_id: str, person: str, note: str, state: str) -> ApprovalRequest:
        note = (note or "").strip()
        if len(note) > MAX_NOTE_CHARS:
            raise ApprovalError(f"A note has at most {MAX_NOTE_CHARS} characters.")
        self.expire_due()
        current = self.get(request_id)
        if current is None:
            raise ApprovalError("There is no such request.")
        reason = self.refusal_reason(current, person)
        if reason is not None:
            raise ApprovalError(reason)
        now = self._clock()
        row = self._store.approvals.get(request_id)
        changes = {"state": state, "decided_at": now, "decided_by": person, "note": note or None}
        extra = {"note": note or None, "decided_at": now}
        audit = self._audit(f"approval_{'approve' if state == APPROVED else 'reject'}", person, state, row, None, extra)
        if not self._store.approvals.decide(request_id, changes, unexpired_at=now, audit=audit):
            # Someone else decided it, or its time ran out, between the check and the write.
            latest = self.get(request_id)
            raise ApprovalError(already_message(latest.state if latest else EXPIRED))
        return self.get(request_id)  # type: ignore[return-value]

    def expire_due(self) -> list[ApprovalRequest]:
        """Write down (and audit, once) every waiting request whose time ran out; returns them."""
        now = self._clock()
        expired = []
        for row in self._store.approvals.expiring(now):
            changes = {"state": EXPIRED, "decided_at": now, "decided_by": SYSTEM}
            audit = self._audit("approval_expire", SYSTEM, EXPIRED, row, None, {"expired_at": row.expires_at})
            if self._store.approvals.decide(row.id, changes, audit=audit):
                expired.append(self.get(row.id))
        return expired  # type: ignore[return-value]

    # -- sending approved payouts ---------------------------------------------------------------

    def _dispatch(self, row: ApprovalRow) -> Operation:
        """Send an approved payout as the journal entry `row.reference` (a second call finds the entry)."""
        fields = dict(row.payload or {})
        fields["amount"] = Decimal(str(fields.get("amount")))
        request = check_send_money(**fields)
        # confirm_duplicate: a second person looked at this payout; a same-content hold would strand it.
        op = self._journal.submit_payout(
            row.reference, request, actor=row.maker, confirm_duplicate=True, approval_id=row.id
        )
        self._store.approvals.mark_dispatched(row.id, at=self._clock())
        return op

    def dispatch_approved(self, grace: timedelta = DISPATCH_GRACE) -> list[Operation]:
        """The backstop (background, every replica): approved payouts not sent yet because the process
        stopped between the approval and the send. A payout whose entry exists is not sent again."""
        sent = []
        for row in self._store.approvals.undispatched("payout", decided_before=self._clock() - grace):
            try:
                sent.append(self._dispatch(row))
            except Exception:
                log.exception("sending approved payout %s failed; retried on the next run", row.id)
        return sent

    # -- reading --------------------------------------------------------------------------------

    def get(self, request_id: str) -> ApprovalRequest | None:
        row = self._store.approvals.get(request_id)
        return ApprovalRequest.from_row(row, now=self._clock()) if row else None

    def by_reference(self, kind: str, reference: str) -> ApprovalRequest | None:
        row = self._store.approvals.by_reference(kind, reference)
        return ApprovalRequest.from_row(row, now=self._clock()) if row else None

    def state_of(self, kind: str, reference: str) -> str | None:
        """ "waiting" | "approved" | "rejected" | "expired" for this batch or payout form; None if never requested."""
        found = self.by_reference(kind, reference)
        return found.state if found else None

    def waiting(self) -> list[ApprovalRequest]:
        """Requests waiting for a decision (not expired), oldest first."""
        now = self._clock()
        rows = self._store.approvals.in_state(WAITING)
        return [r for r in (ApprovalRequest.from_row(row, now=now) for row in rows) if r.state == WAITING]

    def mine(self, maker: str, limit: int = 100) -> list[ApprovalRequest]:
        """`maker`'s requests in every state, newest first."""
        now = self._clock()
        return [ApprovalRequest.from_row(row, now=now) for row in self._store.approvals.by_maker(maker, limit=limit)]

    def waiting_count(self, person: str) -> int:
        """How many waiting requests `person` could decide (0 for someone who cannot approve)."""
        if not can(self._role_of(person), APPROVE):
            return 0
        return self._store.approvals.count_waiting(at=self._clock(), except_maker=person)

    # -- audit ----------------------------------------------------------------------------------

    def _audit(
        self, action: str, actor: str, outcome: str, row: Any, iban: str | None, extra: Mapping[str, Any]
    ) -> dict[str, Any]:
        get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
        if iban is None and get("kind") == "payout":
            iban = (get("payload") or {}).get("customer_iban")
        details = {
            "request_id": get("id"),
            "kind": get("kind"),
            "reference": get("reference"),
            "maker": get("maker"),
            "count": get("item_count"),
            "requested_at": get("created_at"),
            **extra,
        }
        return self.audit.entry(action, actor=actor, outcome=outcome, amount=get("amount"), iban=iban, details=details)
