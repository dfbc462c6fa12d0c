"""What the console keeps of a callback (`CallbackEvent`) and a transaction's timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from dashboard.callbacks.parsing import KNOWN_FIELDS
from dashboard.store import CallbackEventRow, Store


@dataclass(frozen=True)
class CallbackEvent:
    """One stored event (a repeated delivery of the same transaction_id + status counts, not repeats)."""

    id: int
    transaction_id: int
    status: str
    status_text: str
    amount: Decimal | None
    username: str | None
    description: str | None
    completed_at_text: str | None
    received_at: datetime
    last_received_at: datetime | None
    delivery_count: int
    verification: str
    api_status_text: str | None
    source_ip: str | None
    operation_id: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: CallbackEventRow) -> CallbackEvent:
        raw = row.raw or {}
        return cls(
            id=row.id,
            transaction_id=row.transaction_id,
            status=row.status,
            status_text=row.status_text,
            amount=row.amount,
            username=row.username,
            description=row.description,
            completed_at_text=row.completed_at_text,
            received_at=row.received_at,
            last_received_at=row.last_received_at,
            delivery_count=row.delivery_count,
            verification=row.verification,
            api_status_text=row.api_status_text,
            source_ip=row.source_ip,
            operation_id=row.operation_id,
            extra={k: v for k, v in raw.items() if k not in KNOWN_FIELDS},
        )


# -- timeline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    source: str  # "journal" | "callback" | "status_check"
    title: str
    status_text: str | None = None
    detail: str = ""


def timeline(store: Store, transaction_id: int) -> list[TimelineItem]:
    """Everything known about one provider transaction -- journal, callbacks, status checks -- by time."""
    items: list[TimelineItem] = []
    for op in store.operations.by_transaction(transaction_id):
        who = f"by {op.actor}, operation {op.id[:8]}"
        items.append(TimelineItem(op.created_at, "journal", f"{op.kind} submitted", None, who))
        items.append(TimelineItem(op.updated_at, "journal", f"{op.kind} {op.state}", op.status_text, op.message or ""))
    for e in store.callbacks.events(limit=10_000, transaction_id=transaction_id, oldest_first=True):
        repeats = f", delivered {e.delivery_count}x" if e.delivery_count > 1 else ""
        items.append(
            TimelineItem(
                e.received_at,
                "callback",
                "callback received",
                e.status_text,
                f"verification: {e.verification}{repeats}",
            )
        )
    for c in store.callbacks.status_checks(transaction_id):
        items.append(
            TimelineItem(
                c.checked_at, "status_check", "status checked", c.status_text or c.status, f"source: {c.source}"
            )
        )
    return sorted(items, key=lambda item: item.at)
