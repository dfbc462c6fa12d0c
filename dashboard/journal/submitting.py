"""Submitting a payout or card payment exactly once: intent first, then one call, then its outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from dashboard.audit import AuditLog
from dashboard.client.checks import InputError
from dashboard.client.errors import EnigmaPayError, ValidationError
from dashboard.client.models import CardPaymentRequest, SendMoneyRequest
from dashboard.client.protocol import MoneyClient
from dashboard.iban import normalize_iban
from dashboard.journal.records import (
    CONFIRMED,
    DUPLICATE_STATES,
    FAILED_BEFORE_SEND,
    PENDING,
    UNKNOWN,
    ApprovalRequired,
    Operation,
    outcome_state,
    positive_amount,
    status_key,
    transaction_id_or_none,
)
from dashboard.money import to_kurus
from dashboard.store import Store

log = logging.getLogger(__name__)


class Submitting:
    """The half of `Journal` that sends: one call per operation id, never a second."""

    # Set by Journal.__init__ (journal.py); declared here so this half reads on its own.
    _store: Store
    audit: AuditLog
    _clock: Callable[[], datetime]
    approval_threshold: Decimal | None

    # -- submitting ---------------------------------------------------------------------

    def submit_payout(
        self,
        operation_id: str,
        request: SendMoneyRequest,
        *,
        actor: str,
        confirm_duplicate: bool = False,
        client: MoneyClient | None = None,
        approval_id: str | None = None,
    ) -> Operation:
        """Send a payout once per `operation_id`.

        Same id again -> the stored entry, nothing called. Same content as a payout journaled within
        `duplicate_window` -> a `held` entry pointing at it, unless `confirm_duplicate`. `client`, when
        given, is the one this call goes through (the batch sender's, which watches for 429s).
        At or above `approval_threshold` it needs `approval_id`, an approved request (dashboard.approvals)
        of this payout (its reference is `operation_id`, its amount this amount) or of the batch it
        belongs to; else ApprovalRequired, and nothing is journaled. A given `approval_id` is checked
        whatever the amount.
        """
        amount = positive_amount(request.amount)
        self._check_approval(operation_id, amount, approval_id)
        iban = normalize_iban(request.customer_iban)
        row = self._intent_row(
            operation_id,
            "payout",
            actor,
            amount,
            request.username,
            {
                "customer_iban": iban,
                "customer_name": request.customer_name,
                "description": getattr(request, "description", None) or None,
            },
        )
        return self._submit(row, request, confirm_duplicate=confirm_duplicate, client=client)

    def _check_approval(self, operation_id: str, amount: Decimal, approval_id: str | None) -> None:
        if approval_id is None:
            if self.approval_threshold is not None and amount >= self.approval_threshold:
                raise ApprovalRequired("A payout of this amount needs a second person's approval before it is sent.")
            return
        approval = self._store.approvals.get(approval_id)
        if approval is None or approval.state != "approved":
            raise ApprovalRequired("This payout's approval request is not approved; nothing was sent.")
        if approval.kind == "payout" and (
            approval.reference != operation_id or approval.amount_kurus != to_kurus(amount)
        ):
            raise ApprovalRequired("This approval is for another payout; nothing was sent.")

    def submit_card_payment(self, operation_id: str, request: CardPaymentRequest, *, actor: str) -> Operation:
        """Create a card payment link once per `operation_id` (no same-content hold: a link moves no money)."""
        amount = positive_amount(request.amount)
        extra = {k: getattr(request, k, None) for k in ("firstname", "lastname", "email", "phone")}
        row = self._intent_row(
            operation_id,
            "card_payment",
            actor,
            amount,
            request.username,
            {
                "customer_name": " ".join(filter(None, (extra["firstname"], extra["lastname"]))) or None,
                "description": getattr(request, "description", None) or None,
            },
            extra,
        )
        return self._submit(row, request, confirm_duplicate=True)

    def _intent_row(
        self,
        operation_id: str,
        kind: str,
        actor: str,
        amount: Decimal,
        username: str,
        columns: dict[str, Any],
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(operation_id, str) or not 8 <= len(operation_id) <= 64:
            raise ValueError("operation_id: use new_operation_id()")
        if not actor:
            raise ValueError("actor is required")
        now = self._clock()
        request = {"username": username, "amount": str(amount), **columns, **(extra or {})}
        return {
            "id": operation_id,
            "kind": kind,
            "state": PENDING,
            "created_at": now,
            "updated_at": now,
            "actor": actor,
            "amount": amount,
            "amount_kurus": to_kurus(amount),
            "username": username,
            "customer_iban": None,
            "customer_name": None,
            "description": None,
            **columns,
            "request": request,
            "transaction_id": None,
            "status": None,
            "status_text": None,
            "status_final": False,
            "message": None,
            "field_errors": None,
            "duplicate_of": None,
        }

    def _submit(
        self, row: dict[str, Any], request: Any, *, confirm_duplicate: bool, client: MoneyClient | None = None
    ) -> Operation:
        action = "send_money" if row["kind"] == "payout" else "card_payment"
        intent_audit = self.audit.entry(
            action,
            actor=row["actor"],
            outcome="intent",
            amount=row["amount"],
            iban=row["customer_iban"],
            details={"operation_id": row["id"], "username": row["username"]},
        )
        outcome, stored = self._store.operations.claim(
            row,
            duplicate_since=None if confirm_duplicate else self._clock() - self.duplicate_window,
            active_states=DUPLICATE_STATES,
            audit=intent_audit,
        )
        if outcome != "claimed":
            return Operation.from_row(stored)
        # The intent is on disk. Whatever happens from here, the entry will say what we know.
        try:
            client = client or self._client()
        except Exception:
            log.exception("building the EnigmaPay client failed")
            changes = {
                "state": FAILED_BEFORE_SEND,
                "message": "The console could not set up its EnigmaPay "
                "connection (check the settings); nothing was sent.",
            }
            self._finish(row, changes, action)
            return self.get(row["id"])  # type: ignore[return-value]
        with self._calling_lock:
            self._calling.add(row["id"])
        try:
            if row["kind"] == "payout":
                changes = self._payout_result(client.send_money(request))
            else:
                changes = self._card_result(client.create_card_payment(request))
        except BaseException as exc:
            self._finish(row, self._error_changes(exc), action)
            if not isinstance(exc, Exception):
                raise  # KeyboardInterrupt / SystemExit: recorded, then let it go on
        else:
            self._finish(row, changes, action)
        finally:
            with self._calling_lock:
                self._calling.discard(row["id"])
        return self.get(row["id"])  # type: ignore[return-value]

    def awaiting_answer(self) -> tuple[list[Operation], list[Operation]]:
        """Pending entries inside their grace: (this process is waiting for their answer, nobody here is).

        The second kind was sent by a console process that stopped mid-call, or by another process on
        the same store; `unsettled()` lists it once its grace is over.
        """
        since = self._clock() - self.pending_grace  # older pending entries are unsettled(): open
        pending = [Operation.from_row(r) for r in self._store.operations.in_states((PENDING,)) if r.created_at >= since]
        with self._calling_lock:
            calling = set(self._calling)
        return [op for op in pending if op.id in calling], [op for op in pending if op.id not in calling]

    def _payout_result(self, result: Any) -> dict[str, Any]:
        transaction_id = transaction_id_or_none(getattr(result, "transaction_id", None))
        key, final = status_key(getattr(result, "status", None))
        changes: dict[str, Any] = {
            "state": CONFIRMED,
            "transaction_id": transaction_id,
            "status": key,
            "status_final": final,
            "status_text": getattr(result, "status_text", None),
            "message": getattr(result, "message", None),
        }
        if transaction_id is None:
            # Accepted but we cannot tie it to a provider transaction: settle finds it in the history.
            changes.update(state=UNKNOWN, message="EnigmaPay accepted the payout but sent no transaction id.")
        return changes

    def _card_result(self, result: Any) -> dict[str, Any]:
        return {
            "state": CONFIRMED,
            "transaction_id": transaction_id_or_none(getattr(result, "transaction_id", None)),
            "payment_url": getattr(result, "payment_url", None),
            "order_id": getattr(result, "order_id", None),
            "message": getattr(result, "message", None),
        }

    @staticmethod
    def _error_changes(exc: BaseException) -> dict[str, Any]:
        state = outcome_state(exc)
        message = (exc.user_message if isinstance(exc, EnigmaPayError) else None) or (
            "The answer never came: the payout may or may not have been made. Do not resend; it will be settled."
            if state == UNKNOWN
            else "The request failed."
        )
        field_errors: dict[str, Any] | None = None
        if isinstance(exc, ValidationError):
            field_errors = exc.field_errors  # EnigmaPay's 422: field -> messages
        elif isinstance(exc, InputError):
            field_errors = exc.errors  # the client's own checks: field -> message
        changes: dict[str, Any] = {"state": state, "message": str(message)}
        if field_errors:
            changes["field_errors"] = {
                str(k): [str(m) for m in v] if isinstance(v, (list, tuple)) else [str(v)]
                for k, v in field_errors.items()
            }
        log.warning("money action ended %s: %s", state, type(exc).__name__)
        return changes

    def _finish(self, row: dict[str, Any], changes: dict[str, Any], action: str) -> None:
        changes = {**changes, "updated_at": self._clock()}
        audit = self.audit.entry(
            action,
            actor=row["actor"],
            outcome=changes["state"],
            amount=row["amount"],
            iban=row["customer_iban"],
            details={"operation_id": row["id"], "transaction_id": changes.get("transaction_id")},
        )
        # From unknown too: a late real answer beats a settle that gave up on the in-flight call.
        self._store.operations.transition(row["id"], from_states=(PENDING, UNKNOWN), changes=changes, audit=audit)
