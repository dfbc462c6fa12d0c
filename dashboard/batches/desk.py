"""The batch desk: a previewed file becomes a stored batch waiting for approval; approval, rejection,
expiry, pause, resume and cancel move it along; nothing here sends (that is `sender.py`).

Batch states:
    awaiting_approval  stored with every row of its file; an approval request is open. Nothing is sent.
    sending            approved (by a second person, `dashboard.approvals`); the sender works through it.
    paused             a person paused it: rows not yet sent wait; rows in flight finish.
    done               every row to send has been sent (each with its own journal outcome).
    cancelled          a person cancelled it: rows not yet sent are never sent.
    rejected, expired  the approval was refused or ran out: nothing was sent.
Row states: invalid (failed the form's checks), skipped (flagged, left out), queued, sending (claimed
by one process), done (its journal entry holds the outcome), cancelled (never sent).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from dashboard.audit import AuditLog
from dashboard.batches.preview import ContentKey, Preview, PreviewRow, Totals
from dashboard.journal.records import DUPLICATE_STATES
from dashboard.money import to_kurus
from dashboard.store import BatchItemRow, BatchRow, Store

KIND = "batch"  # the approval kind of a payout batch
AWAITING, SENDING, PAUSED, DONE, CANCELLED, REJECTED, EXPIRED = (
    "awaiting_approval",
    "sending",
    "paused",
    "done",
    "cancelled",
    "rejected",
    "expired",
)
BATCH_STATES = (AWAITING, SENDING, PAUSED, DONE, CANCELLED, REJECTED, EXPIRED)
OPEN_STATES = (AWAITING, SENDING, PAUSED)
UNSENT_ROWS = ("queued",)  # rows a pause holds back and a cancel or refusal drops


class Approvals(Protocol):
    """What the batch desk needs of `dashboard.approvals` (services.records().approvals)."""

    def request(
        self, *, kind: str, reference: str, maker: str, amount: Decimal, count: int, summary: dict[str, Any]
    ) -> Any: ...

    def state_of(self, *, kind: str, reference: str) -> str | None: ...

    def by_reference(self, kind: str, reference: str) -> Any: ...  # the request (.id, .state) or None


class BatchError(ValueError):
    """A batch action that cannot be done; the message says why (English; each has a Turkish entry)."""


def new_batch_id() -> str:
    """A batch's id, made when its file is previewed (so submitting it twice stores it once)."""
    return "b" + uuid.uuid4().hex


def operation_id(batch_id: str, row_no: int, attempt: int = 1) -> str:
    """The journal operation of a batch row: the same for every process, every rerun, every restart
    (a new attempt only after EnigmaPay refused the row with a 429, proving it was not sent)."""
    return f"{batch_id}-{row_no}" if attempt == 1 else f"{batch_id}-{row_no}-{attempt}"


class BatchDesk:
    """Stores batches and moves them between states; every change is audited with its cause."""

    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        approvals: Callable[[], Approvals | None],
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._store = store
        self._audit = audit
        self._approvals = approvals
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def approvals_available(self) -> bool:
        return self._approvals() is not None

    def recent_matches(self, keys: Iterable[ContentKey], *, since: datetime) -> dict[ContentKey, str]:
        """Which of these (IBAN, kuruş, username) a journal payout since `since` already had (its id)."""
        wanted = set(keys)
        found: dict[ContentKey, str] = {}
        for r in self._store.batches.recent_payouts(since, DUPLICATE_STATES):
            key = (r["customer_iban"], r["amount_kurus"], r["username"])
            if key in wanted:
                found.setdefault(key, r["id"])
        # Rows another batch will still send count too, named by the operation they will be sent as.
        for r in self._store.batches.unsent_rows_of_open_batches(OPEN_STATES):
            key = (r["customer_iban"], r["amount_kurus"], r["username"])
            if key in wanted:
                found.setdefault(key, operation_id(r["batch_id"], r["row_no"]))
        return found

    # -- submitting ------------------------------------------------------------------------

    def submit(
        self, preview: Preview, *, maker: str, include_flagged: bool = False, batch_id: str | None = None
    ) -> BatchRow:
        """Store the previewed batch and ask a second person to approve it. Nothing is sent here.

        `batch_id` (from `new_batch_id()`, made with the preview) makes a repeated submit -- a double
        click, a rerun -- return the batch the first one stored."""
        approvals = self._approvals()
        if approvals is None:
            raise BatchError("Approvals are not available on this console, so a batch cannot be submitted.")
        if not maker:
            raise BatchError("A batch needs a maker.")
        totals = preview.totals(include_flagged)
        if totals.to_send == 0:
            raise BatchError("No row of this file can be sent: correct the file and upload it again.")
        if totals.total is None:
            raise BatchError("The commission and fee are unknown, so the batch's total cannot be shown.")
        now, batch_id = self._clock(), batch_id or new_batch_id()
        if (existing := self._store.batches.get(batch_id)) is not None:
            return existing
        summary = _summary(preview.file_name, totals, include_flagged)
        confirm = preview.confirm_duplicate(include_flagged)
        batch = {
            "id": batch_id,
            "created_at": now,
            "updated_at": now,
            "maker": maker,
            "file_name": preview.file_name,
            "state": AWAITING,
            "rows_in_file": totals.rows,
            "to_send": totals.to_send,
            "amount": totals.amount,
            "amount_kurus": to_kurus(totals.amount),
            "include_flagged": int(include_flagged),
            "summary": summary,
        }
        items = [_item(batch_id, r, include_flagged, r.number in confirm, now) for r in preview.rows]
        audit = self._audit.entry(
            "batch", actor=maker, outcome="submitted", amount=totals.amount, details={"batch_id": batch_id, **summary}
        )
        if not self._store.batches.create(batch, items, audit):
            return self._store.batches.get(batch_id)  # type: ignore[return-value]  # the same submit, twice
        try:
            approvals.request(
                kind=KIND, reference=batch_id, maker=maker, amount=totals.amount, count=totals.to_send, summary=summary
            )
        except Exception:
            self._move(batch_id, (AWAITING,), CANCELLED, actor="system", outcome="approval_request_failed")
            raise
        return self._store.batches.get(batch_id)  # type: ignore[return-value]

    # -- moving along ------------------------------------------------------------------------

    def sync(self, batch_id: str) -> str | None:
        """Take up the approval's verdict for a batch awaiting it; returns the batch's state now."""
        batch = self._store.batches.get(batch_id)
        if batch is None:
            return None
        if batch.state != AWAITING:
            return batch.state
        approvals = self._approvals()
        verdict = approvals.state_of(kind=KIND, reference=batch_id) if approvals else None
        if verdict == "approved":
            self._move(batch_id, (AWAITING,), SENDING, actor="system", outcome="approved", started=True)
        elif verdict in ("rejected", "expired"):
            self._move(batch_id, (AWAITING,), verdict, actor="system", outcome=verdict)
        return self._store.batches.get(batch_id).state  # type: ignore[union-attr]

    def approved(self, batch_id: str) -> bool:
        """The approval says approved (asked each time: a batch is never sent on anything else)."""
        return self.approval_id(batch_id) is not None

    def approval_id(self, batch_id: str) -> str | None:
        """The id of the batch's approved request (the journal checks it on every row), else None."""
        approvals = self._approvals()
        found = approvals.by_reference(KIND, batch_id) if approvals is not None else None
        return found.id if found is not None and found.state == "approved" else None

    def pause(self, batch_id: str, *, actor: str) -> bool:
        return self._move(batch_id, (SENDING,), PAUSED, actor=actor, outcome="paused")

    def resume(self, batch_id: str, *, actor: str) -> bool:
        if not self.approved(batch_id):
            raise BatchError("This batch is not approved, so it cannot be sent.")
        return self._move(batch_id, (PAUSED,), SENDING, actor=actor, outcome="resumed")

    def cancel(self, batch_id: str, *, actor: str) -> bool:
        """Rows not yet sent are never sent; rows in flight finish and keep their outcome."""
        return self._move(batch_id, OPEN_STATES, CANCELLED, actor=actor, outcome="cancelled")

    def finish_if_done(self, batch_id: str) -> bool:
        """A sending batch with no row left to send is done."""
        counts = self._store.batches.counts(batch_id)
        if counts.get("queued") or counts.get("sending"):
            return False
        return self._move(batch_id, (SENDING,), DONE, actor="system", outcome="done", finished=True)

    def _move(
        self,
        batch_id: str,
        from_states: tuple[str, ...],
        to_state: str,
        *,
        actor: str,
        outcome: str,
        started: bool = False,
        finished: bool = False,
    ) -> bool:
        batch = self._store.batches.get(batch_id)
        if batch is None:
            raise BatchError("No such batch.")
        now = self._clock()
        changes: dict[str, Any] = {"state": to_state, "updated_at": now, "state_by": actor}
        if started:
            changes["started_at"] = now
        if finished or to_state in (CANCELLED, REJECTED, EXPIRED):
            changes["finished_at"] = now
        drops = to_state in (CANCELLED, REJECTED, EXPIRED)
        audit = self._audit.entry(
            "batch",
            actor=actor,
            outcome=outcome,
            amount=batch.amount,
            details={"batch_id": batch_id, "from": batch.state, "to": to_state, "maker": batch.maker},
        )
        return self._store.batches.set_state(
            batch_id,
            from_states=from_states,
            changes=changes,
            items=(UNSENT_ROWS, "cancelled") if drops else None,
            audit=audit,
        )

    # -- reading -----------------------------------------------------------------------------

    def get(self, batch_id: str) -> BatchRow | None:
        return self._store.batches.get(batch_id)

    def recent(self, *, maker: str | None = None, limit: int = 50) -> list[BatchRow]:
        return self._store.batches.recent(maker=maker, limit=limit)

    def open_batches(self) -> list[BatchRow]:
        return self._store.batches.recent(states=(AWAITING, SENDING), limit=500)

    def items(self, batch_id: str) -> list[BatchItemRow]:
        return self._store.batches.items(batch_id)

    def counts(self, batch_id: str) -> dict[str, int]:
        return self._store.batches.counts(batch_id)


def _summary(file_name: str, totals: Totals, include_flagged: bool) -> dict[str, Any]:
    """What the approver sees of the batch beside its amount and count (exact amounts as text)."""
    return {
        "file_name": file_name,
        "rows": totals.rows,
        "to_send": totals.to_send,
        "invalid": totals.invalid,
        "flagged": totals.flagged,
        "include_flagged": include_flagged,
        "amount": str(totals.amount),
        "commission": str(totals.commission),
        "fee": str(totals.fee),
        "total": str(totals.total),
    }


def _item(batch_id: str, row: PreviewRow, include_flagged: bool, confirm: bool, now: datetime) -> dict[str, Any]:
    request = row.request
    if request is None:
        state = "invalid"
    else:
        state = "queued" if row.included(include_flagged) else "skipped"
    costs = row.costs
    return {
        "batch_id": batch_id,
        "row_no": row.number,
        "state": state,
        "cells": row.cells,
        "problems": row.problems or None,
        "details": {
            "bank_name": row.bank_name,
            "bank_code": row.bank_code,
            "commission": str(costs.commission) if costs else None,
            "fee": str(costs.fee) if costs else None,
            "repeat_of": row.repeat_of,
            "recent_operation": row.recent_operation,
        },
        "username": request.username if request else None,
        "amount": request.amount if request else None,
        "amount_kurus": to_kurus(request.amount) if request else None,
        "customer_iban": request.customer_iban if request else None,
        "customer_name": request.customer_name if request else None,
        "description": (request.description or None) if request else None,
        "confirm_duplicate": int(confirm),
        "attempt": 1,
        "updated_at": now,
    }
