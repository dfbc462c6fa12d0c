"""The approvals desk's vocabulary: request states, `ApprovalRequest`, and the error a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from dashboard.store import ApprovalRow

WAITING = "waiting"
APPROVED = "approved"
REJECTED = "rejected"
EXPIRED = "expired"
STATES = (WAITING, APPROVED, REJECTED, EXPIRED)
KINDS = ("payout", "batch")
SYSTEM = "system"  # who expires a request
MAX_NOTE_CHARS = 500


class ApprovalError(ValueError):
    """A request, approval or rejection that is refused; `message` is for a person (translated where
    shown) and nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def already_message(state: str) -> str:
    """Why a decided (or expired) request cannot be decided again."""
    if state == APPROVED:
        return "This request is approved already; nothing was changed."
    if state == REJECTED:
        return "This request is rejected already; nothing was changed."
    return "This request has expired; nothing was changed."


@dataclass(frozen=True)
class ApprovalRequest:
    """One request as people see it: amounts exact, IBANs in `summary` masked, no payload."""

    id: str
    kind: str  # "payout" | "batch"
    reference: str  # a payout's operation id (the journal entry it becomes), or the batch's id
    state: str  # waiting | approved | rejected | expired
    maker: str
    amount: Decimal  # the payout amount, or the batch's total
    count: int  # rows it covers (1 for a payout)
    summary: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    expires_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    note: str | None = None
    dispatched_at: datetime | None = None

    @property
    def operation_id(self) -> str | None:
        """The journal entry an approved payout is sent as (its operation id is the reference)."""
        return self.reference if self.kind == "payout" else None

    @classmethod
    def from_row(cls, row: ApprovalRow, *, now: datetime) -> ApprovalRequest:
        """The request at `now`: a waiting one whose time ran out reads as expired even before the
        sweep (`Approvals.expire_due`) has written that down."""
        state = EXPIRED if row.state == WAITING and row.expires_at <= now else row.state
        return cls(
            id=row.id,
            kind=row.kind,
            reference=row.reference,
            state=state,
            maker=row.maker,
            amount=row.amount,
            count=row.item_count,
            summary=dict(row.summary or {}),
            created_at=row.created_at,
            expires_at=row.expires_at,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            note=row.note,
            dispatched_at=row.dispatched_at,
        )


def totals(requests: list[ApprovalRequest]) -> tuple[Decimal, int]:
    """(sum of the amounts, sum of the rows) of these requests, exact."""
    return sum((r.amount for r in requests), Decimal("0.00")), sum(r.count for r in requests)
