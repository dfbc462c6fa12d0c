"""Exactly-once money actions: every payout and card payment goes through this journal.

The provider has no idempotency key, so the journal is our equivalent (see STYLE.md): each form
gets an `operation_id` when rendered, the intent is committed *before* the API call, and a second
submit of the same id -- double click, Streamlit rerun, two browser tabs -- returns the first entry
and calls nothing.

Operation states:
    held                same content as a recent payout; nothing sent. The UI asks "send a second
                        payout?"; submitting again with confirm_duplicate=True proceeds.
    pending             intent committed, call in flight -- or the process died before the answer
                        (then, after `pending_grace`, it is listed by `unsettled()`).
    confirmed           the provider accepted; transaction_id known. `status`/`status_final` track
                        the provider's transaction status (refresh_status / status checks).
    rejected            the provider answered with a refusal (401/403/404/422/429/other 4xx,
                        success:false): nothing happened upstream.
    failed_before_send  proven not sent (input refused by our checks, connection never made).
    unknown             the request may have reached the provider and no answer came. Never resent
                        automatically; `settle` looks for it, an operator may resolve it.
    not_sent            an operator checked with the provider and declared it not sent.

Settling an unknown payout (no transaction id: the answer never came). The provider offers no
lookup by our reference, so `settle` searches, in order:
 1. the transaction history of every dealer IBAN from the intent's day: a withdrawal with the same
    customer IBAN, amount and username, created no earlier than the intent (minus clock slack),
    not already tied to another entry. Exactly one -> confirmed. Several -> stays unknown
    ("ambiguous"; an operator picks via mark_resolved(transaction_id=...)).
 2. callback events with the same username and amount received since the intent, whose
    transaction is tied to no entry and is not in the history we just read with other details
    (e.g. a deposit). Exactly one, and transaction-status confirms it exists with that amount ->
    confirmed. Callbacks carry no IBAN or type, so this only fills the gap while history lags.
 3. otherwise it stays unknown. After `settle_after` the message tells the operator to check with
    EnigmaPay and mark it resolved: only a person may declare money not sent.
An unknown *card payment* moves no money by itself (the customer pays through the link we never
received), so settle leaves it for an operator.

The scheduled run (`settle_all`) backs off per entry: an entry is checked 30 s after its last
check, then 1, 2, 4 ... minutes, at most every `settle_max_wait`; `settle_horizon` after the
attempt it stops and leaves the entry to a person (`needs_person`). It logs when an entry's
outcome changes, not per check. "Check now" (`settle`) ignores the schedule: a person asked.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast

from dashboard.audit import AuditLog
from dashboard.client.checks import InputError
from dashboard.client.errors import (
    APIConnectionError,
    APIStatusError,
    EnigmaPayError,
    MalformedResponseError,
    OutcomeUnknownError,
    ServerError,
    ValidationError,
)
from dashboard.client.models import (
    CardPaymentRequest,
    SendMoneyRequest,
    Status,
    TransactionIdError,
    parse_transaction_id,
)
from dashboard.client.protocol import MoneyClient
from dashboard.iban import mask_iban, normalize_iban
from dashboard.money import to_decimal, to_kurus
from dashboard.store import OperationRow, Store
from dashboard.timeutil import DEFAULT_TZ, zone

log = logging.getLogger(__name__)

HELD = "held"
PENDING = "pending"
CONFIRMED = "confirmed"
REJECTED = "rejected"
FAILED_BEFORE_SEND = "failed_before_send"
UNKNOWN = "unknown"
NOT_SENT = "not_sent"
STATES = (HELD, PENDING, CONFIRMED, REJECTED, FAILED_BEFORE_SEND, UNKNOWN, NOT_SENT)
NEEDS_PERSON = (
    "Needs a person: the console has stopped checking this entry automatically. Check with EnigmaPay, "
    "then mark it resolved."
)
# States in which an earlier payout may have moved money: a same-content submit is held.
_DUPLICATE_STATES = (PENDING, CONFIRMED, UNKNOWN)

# Error -> state, by class, first match wins (subclasses before their bases). Anything not listed is
# UNKNOWN: when in doubt, money may have moved.
_ERROR_STATES: tuple[tuple[type[BaseException], str], ...] = (
    (OutcomeUnknownError, UNKNOWN),  # POST sent, answer never came
    (InputError, FAILED_BEFORE_SEND),  # the client's checks refused it before any request
    # Connect-phase failures; once a POST body may have left, the client raises OutcomeUnknownError.
    (APIConnectionError, FAILED_BEFORE_SEND),
    (MalformedResponseError, UNKNOWN),  # an answer came but was unreadable: the provider may have acted
    (ServerError, UNKNOWN),  # 5xx: may fail after processing
    (APIStatusError, REJECTED),  # 4xx and success:false -- refused (another 5xx handled below)
)


def new_operation_id() -> str:
    """A fresh id for a money form, made when the form is rendered."""
    return uuid.uuid4().hex


def outcome_state(exc: BaseException) -> str:
    """The journal state an exception from send_money / create_card_payment leads to."""
    for error_class, state in _ERROR_STATES:
        if isinstance(exc, error_class):
            if isinstance(exc, APIStatusError) and (exc.status_code or 0) >= 500:
                return UNKNOWN
            return state
    return UNKNOWN


# -- statuses -----------------------------------------------------------------------------------

_FOLD = str.maketrans("ıİşŞğĞüÜöÖçÇ", "iissgguuoocc")


def status_key(value: Any) -> tuple[str, bool]:
    """A provider status (client `Status` or text) -> (normalised lower-case key, is_final).

    Unrecognised text keeps its own folded key so two different unknown statuses stay distinct.
    """
    if value is None:
        return "unknown", False
    if hasattr(value, "is_final") and hasattr(value, "name"):
        return str(value.name).lower(), bool(value.is_final)
    text = str(value).strip()
    folded = text.translate(_FOLD).lower()
    parsed = Status.parse(text)
    key = parsed.name.lower()
    return (folded, False) if key == "unknown" else (key, bool(parsed.is_final))


# -- the Operation record -------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One journal entry, as the UI shows it."""

    id: str
    kind: str  # "payout" | "card_payment"
    state: str
    created_at: datetime
    updated_at: datetime
    actor: str
    amount: Decimal
    username: str
    customer_iban: str | None = None
    customer_name: str | None = None
    description: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    phone: str | None = None
    transaction_id: int | None = None
    status: str | None = None
    status_text: str | None = None
    status_final: bool = False
    message: str | None = None
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    duplicate_of: str | None = None
    payment_url: str | None = None
    order_id: str | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None
    settle_attempts: int = 0  # scheduled checks so far (backoff)
    next_settle_at: datetime | None = None
    settle_stopped_at: datetime | None = None  # the horizon passed: no more automatic checks
    settle_outcome: str | None = None  # the last outcome logged, so a repeat is not logged again

    @property
    def needs_person(self) -> bool:
        """Automatic checks gave up on this entry: only a person can find its outcome now."""
        return self.settle_stopped_at is not None

    @property
    def masked_iban(self) -> str | None:
        return mask_iban(self.customer_iban) if self.customer_iban else None

    @property
    def is_open(self) -> bool:
        """Outcome not known yet: show it until settled or resolved."""
        return self.state in (PENDING, UNKNOWN)

    @classmethod
    def from_row(cls, row: OperationRow) -> Operation:
        request = row.request or {}
        return cls(
            id=row.id, kind=row.kind, state=row.state, created_at=row.created_at,
            updated_at=row.updated_at, actor=row.actor, amount=row.amount, username=row.username,
            customer_iban=row.customer_iban, customer_name=row.customer_name,
            description=row.description, firstname=request.get("firstname"),
            lastname=request.get("lastname"), email=request.get("email"), phone=request.get("phone"),
            transaction_id=row.transaction_id, status=row.status,
            status_text=row.status_text, status_final=row.status_final,
            message=row.message, field_errors=row.field_errors or {},
            duplicate_of=row.duplicate_of, payment_url=row.payment_url,
            order_id=row.order_id, resolved_by=row.resolved_by,
            resolution_note=row.resolution_note, settle_attempts=row.settle_attempts,
            next_settle_at=row.next_settle_at, settle_stopped_at=row.settle_stopped_at,
            settle_outcome=row.settle_outcome,
        )  # fmt: skip


class Journal:
    """Submits money actions exactly once and settles the ones whose outcome is unknown."""

    def __init__(
        self,
        store: Store,
        client: MoneyClient | Callable[[], MoneyClient],
        *,
        audit: AuditLog | None = None,
        clock: Callable[[], datetime] | None = None,
        duplicate_window: timedelta = timedelta(minutes=10),
        pending_grace: timedelta = timedelta(minutes=5),
        settle_after: timedelta = timedelta(minutes=15),
        match_slack: timedelta = timedelta(minutes=2),
        settle_first_wait: timedelta = timedelta(seconds=30),
        settle_max_wait: timedelta = timedelta(minutes=30),
        settle_horizon: timedelta = timedelta(hours=24),
        tz: str = DEFAULT_TZ,
    ) -> None:
        """`client` is an EnigmaPayClient or a zero-argument factory returning one (resolved per call,
        so a cached client that is rebuilt after a settings change is picked up).

        `pending_grace` must exceed the client's longest request time: a pending entry younger than
        that may still be in flight in another thread.
        """
        self._store = store
        self._client_or_factory = client
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.audit = audit or AuditLog(store, clock=self._clock)
        self.duplicate_window = duplicate_window
        self.pending_grace = pending_grace
        self.settle_after = settle_after
        self.match_slack = match_slack
        self.settle_first_wait = settle_first_wait
        self.settle_max_wait = settle_max_wait
        self.settle_horizon = settle_horizon
        self._tz = zone(tz)
        # Operations this process is calling right now. A pending entry not in here was sent by a
        # process that stopped (or by another console on the same store): nothing here awaits it.
        self._calling: set[str] = set()
        self._calling_lock = threading.Lock()

    def _client(self) -> MoneyClient:
        c = self._client_or_factory
        if hasattr(c, "send_money"):
            return cast(MoneyClient, c)
        return cast(Callable[[], MoneyClient], c)()

    # -- submitting ---------------------------------------------------------------------

    def submit_payout(
        self, operation_id: str, request: SendMoneyRequest, *, actor: str, confirm_duplicate: bool = False
    ) -> Operation:
        """Send a payout once per `operation_id`.

        Same id again -> the stored entry, nothing called. Same content as a payout journaled within
        `duplicate_window` -> a `held` entry pointing at it, unless `confirm_duplicate`.
        """
        amount = _amount(request.amount)
        iban = normalize_iban(request.customer_iban)
        row = self._intent_row(operation_id, "payout", actor, amount, request.username, {
            "customer_iban": iban,
            "customer_name": request.customer_name,
            "description": getattr(request, "description", None) or None,
        })  # fmt: skip
        return self._submit(row, request, confirm_duplicate=confirm_duplicate)

    def submit_card_payment(self, operation_id: str, request: CardPaymentRequest, *, actor: str) -> Operation:
        """Create a card payment link once per `operation_id` (no same-content hold: a link moves no money)."""
        amount = _amount(request.amount)
        extra = {k: getattr(request, k, None) for k in ("firstname", "lastname", "email", "phone")}
        row = self._intent_row(operation_id, "card_payment", actor, amount, request.username, {
            "customer_name": " ".join(filter(None, (extra["firstname"], extra["lastname"]))) or None,
            "description": getattr(request, "description", None) or None,
        }, extra)  # fmt: skip
        return self._submit(row, request, confirm_duplicate=True)

    def _intent_row(
        self, operation_id: str, kind: str, actor: str, amount: Decimal, username: str,
        columns: dict[str, Any], extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        if not isinstance(operation_id, str) or not 8 <= len(operation_id) <= 64:
            raise ValueError("operation_id: use new_operation_id()")
        if not actor:
            raise ValueError("actor is required")
        now = self._clock()
        request = {"username": username, "amount": str(amount), **columns, **(extra or {})}
        return {
            "id": operation_id, "kind": kind, "state": PENDING, "created_at": now, "updated_at": now,
            "actor": actor, "amount": amount, "amount_kurus": to_kurus(amount), "username": username,
            "customer_iban": None, "customer_name": None, "description": None, **columns,
            "request": request, "transaction_id": None, "status": None, "status_text": None,
            "status_final": False, "message": None, "field_errors": None, "duplicate_of": None,
        }  # fmt: skip

    def _submit(self, row: dict[str, Any], request: Any, *, confirm_duplicate: bool) -> Operation:
        action = "send_money" if row["kind"] == "payout" else "card_payment"
        intent_audit = self.audit.entry(
            action, actor=row["actor"], outcome="intent", amount=row["amount"], iban=row["customer_iban"],
            details={"operation_id": row["id"], "username": row["username"]},
        )  # fmt: skip
        outcome, stored = self._store.operations.claim(
            row,
            duplicate_since=None if confirm_duplicate else self._clock() - self.duplicate_window,
            active_states=_DUPLICATE_STATES,
            audit=intent_audit,
        )
        if outcome != "claimed":
            return Operation.from_row(stored)
        # The intent is on disk. Whatever happens from here, the entry will say what we know.
        try:
            client = self._client()
        except Exception:
            log.exception("building the EnigmaPay client failed")
            changes = {"state": FAILED_BEFORE_SEND, "message": "The console could not set up its EnigmaPay "
                       "connection (check the settings); nothing was sent."}  # fmt: skip
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
        stale = {op.id for op in self.unsettled()}
        pending = [op for op in self.recent(200) if op.state == PENDING and op.id not in stale]
        with self._calling_lock:
            calling = set(self._calling)
        return [op for op in pending if op.id in calling], [op for op in pending if op.id not in calling]

    def _payout_result(self, result: Any) -> dict[str, Any]:
        transaction_id = _transaction_id_or_none(getattr(result, "transaction_id", None))
        key, final = status_key(getattr(result, "status", None))
        changes: dict[str, Any] = {
            "state": CONFIRMED, "transaction_id": transaction_id, "status": key, "status_final": final,
            "status_text": getattr(result, "status_text", None), "message": getattr(result, "message", None),
        }  # fmt: skip
        if transaction_id is None:
            # Accepted but we cannot tie it to a provider transaction: settle finds it in the history.
            changes.update(state=UNKNOWN, message="EnigmaPay accepted the payout but sent no transaction id.")
        return changes

    def _card_result(self, result: Any) -> dict[str, Any]:
        return {
            "state": CONFIRMED,
            "transaction_id": _transaction_id_or_none(getattr(result, "transaction_id", None)),
            "payment_url": getattr(result, "payment_url", None),
            "order_id": getattr(result, "order_id", None),
            "message": getattr(result, "message", None),
        }

    @staticmethod
    def _error_changes(exc: BaseException) -> dict[str, Any]:
        state = outcome_state(exc)
        message = (exc.user_message if isinstance(exc, EnigmaPayError) else None) or (
            "The answer never came: the payout may or may not have been made. Do not resend; "
            "it will be settled." if state == UNKNOWN else "The request failed."
        )  # fmt: skip
        field_errors: dict[str, Any] | None = None
        if isinstance(exc, ValidationError):
            field_errors = exc.field_errors  # EnigmaPay's 422: field -> messages
        elif isinstance(exc, InputError):
            field_errors = exc.errors  # the client's own checks: field -> message
        changes: dict[str, Any] = {"state": state, "message": str(message)}
        if field_errors:
            changes["field_errors"] = {str(k): [str(m) for m in v] if isinstance(v, (list, tuple)) else [str(v)]
                                       for k, v in field_errors.items()}  # fmt: skip
        log.warning("money action ended %s: %s", state, type(exc).__name__)
        return changes

    def _finish(self, row: dict[str, Any], changes: dict[str, Any], action: str) -> None:
        changes = {**changes, "updated_at": self._clock()}
        audit = self.audit.entry(
            action, actor=row["actor"], outcome=changes["state"], amount=row["amount"],
            iban=row["customer_iban"],
            details={"operation_id": row["id"], "transaction_id": changes.get("transaction_id")},
        )  # fmt: skip
        # From unknown too: a late real answer beats a settle that gave up on the in-flight call.
        self._store.operations.transition(row["id"], from_states=(PENDING, UNKNOWN), changes=changes, audit=audit)

    # -- reading ------------------------------------------------------------------------

    def get(self, operation_id: str) -> Operation | None:
        row = self._store.operations.get(operation_id)
        return Operation.from_row(row) if row else None

    def recent(self, limit: int = 50) -> list[Operation]:
        return [Operation.from_row(r) for r in self._store.operations.recent(limit)]

    def last_outcome(self, actor: str, kind: str) -> Operation | None:
        """`actor`'s newest `kind` entry that reached a send (a held one did not), unless they dismissed it.

        The forms show it again after a reload, so an operator never loses what became of a send.
        """
        row = self._store.operations.latest_of(actor, kind, except_states=(HELD,))
        if row is None:
            return None
        # A dismissal covers its entry and every older one (it may be a held entry, newer than `row`).
        dismissed_id = self._store.operations.dismissed_outcome(actor, kind)
        dismissed = self._store.operations.get(dismissed_id) if dismissed_id else None
        if dismissed is not None and row.created_at <= dismissed.created_at:
            return None
        return Operation.from_row(row)

    def dismiss_outcome(self, actor: str, operation_id: str) -> None:
        """`actor` has seen this outcome: a reload no longer shows it (a newer one still shows)."""
        op = self.get(operation_id)
        if op is not None:
            self._store.operations.set_dismissed_outcome(actor, op.kind, op.id, at=self._clock())

    def find_by_transaction(self, transaction_id: int) -> Operation | None:
        rows = self._store.operations.by_transaction(int(transaction_id))
        return Operation.from_row(rows[0]) if rows else None

    def unsettled(self) -> list[Operation]:
        """Unknown entries, and pending ones older than `pending_grace` (the process died mid-call)."""
        stale = self._store.operations.in_states((PENDING,), created_before=self._clock() - self.pending_grace)
        unknown = self._store.operations.in_states((UNKNOWN,))
        rows = sorted([*stale, *unknown], key=lambda r: r.created_at)
        return [Operation.from_row(r) for r in rows]

    # -- settling -----------------------------------------------------------------------

    def settle(self, operation_id: str, *, actor: str = "system") -> Operation:
        """Try to learn the outcome of an unsettled entry (see the module docstring for the policy);
        for a confirmed one whose status is not final, refresh its status. `actor` is who asked
        (an operator's button, or "system" for the scheduled run), for the audit log."""
        problems: list[str] = []
        op = self._settle(operation_id, actor, problems)
        for problem in problems:
            log.warning("settle %s: %s", operation_id, problem)
        return op

    def _settle(self, operation_id: str, actor: str, problems: list[str]) -> Operation:
        """`settle`; checks that failed without deciding anything are added to `problems`."""
        op = self.get(operation_id)
        if op is None:
            raise KeyError(operation_id)
        if op.state == CONFIRMED:
            return self.refresh_status(operation_id) if op.transaction_id and not op.status_final else op
        if op.state == PENDING:
            if op.created_at > self._clock() - self.pending_grace:
                return op  # may still be in flight
            self._store.operations.transition(op.id, from_states=(PENDING,), changes={
                "state": UNKNOWN, "updated_at": self._clock(),
                "message": "The console stopped before EnigmaPay's answer arrived.",
            })  # fmt: skip
            op = self.get(operation_id)  # type: ignore[assignment]
        if op.state != UNKNOWN:
            return op  # type: ignore[return-value]
        if op.transaction_id is not None:
            status = self._client().get_transaction_status(op.transaction_id)
            self._record_check(op.transaction_id, status, "settle")
            return self._confirm(op, op.transaction_id, "status check", status, actor)
        if op.kind != "payout":
            return op
        return self._match_payout(op, actor, problems)

    def settle_all(self) -> list[Operation]:
        """The scheduled run: settle the unsettled entries and refresh non-final confirmed ones that
        are due (see the module docstring for the backoff and the horizon); returns those settled.
        One failure (API down) does not stop the others; they are retried when next due."""
        now = self._clock()
        entries = self.unsettled() + [Operation.from_row(r) for r in self._store.operations.confirmed_without_final_status()]
        results = []
        for op in entries:
            if op.needs_person:
                continue
            if now - op.created_at >= self.settle_horizon:
                self._leave_to_a_person(op)
            elif op.next_settle_at is None or op.next_settle_at <= now:
                settled = self._scheduled_settle(op)
                if settled is not None:
                    results.append(settled)
        return results

    def settle_wait(self, attempts: int) -> timedelta:
        """How long after its `attempts`-th scheduled check an entry is checked again."""
        return min(self.settle_first_wait * 2 ** min(attempts - 1, 30), self.settle_max_wait)

    def _scheduled_settle(self, op: Operation) -> Operation | None:
        """One scheduled check of `op` and its next due time; None if the check failed."""
        problems: list[str] = []
        settled: Operation | None = None
        try:
            settled = self._settle(op.id, "system", problems)
        except Exception as exc:  # noqa: BLE001 -- recorded below; the schedule retries
            problems.append(f"check failed ({type(exc).__name__})")
            outcome = "; ".join(problems)
        else:
            outcome = _outcome_text(settled, problems)
        if outcome != op.settle_outcome:  # once per change, not once per check
            log.log(logging.WARNING if problems else logging.INFO, "settle %s: %s", op.id, outcome)
        attempts = op.settle_attempts + 1
        self._store.operations.schedule_settle(op.id, {
            "settle_attempts": attempts, "next_settle_at": self._clock() + self.settle_wait(attempts),
            "settle_outcome": outcome,
        })  # fmt: skip
        return settled

    def _leave_to_a_person(self, op: Operation) -> None:
        hours = round(self.settle_horizon.total_seconds() / 3600, 1)
        log.warning("settle %s: no outcome %s h after the attempt; left to a person", op.id, hours)
        now = self._clock()
        audit = self.audit.entry(
            "settle", actor="system", outcome="needs_person", amount=op.amount, iban=op.customer_iban,
            details={"operation_id": op.id, "checks": op.settle_attempts, "horizon_hours": hours},
        )  # fmt: skip
        self._store.operations.transition(
            op.id, from_states=(op.state,), changes={"message": NEEDS_PERSON, "updated_at": now}, audit=audit
        )
        self._store.operations.schedule_settle(op.id, {"settle_stopped_at": now, "settle_outcome": "needs a person"})

    def refresh_status(self, operation_id: str) -> Operation:
        """Ask transaction-status about a confirmed entry and store the answer."""
        op = self.get(operation_id)
        if op is None:
            raise KeyError(operation_id)
        if op.transaction_id is None:
            raise ValueError(f"{operation_id} has no transaction id to ask about")
        self._record_check(op.transaction_id, self._client().get_transaction_status(op.transaction_id), "journal")
        return self.get(operation_id)  # type: ignore[return-value]

    def _record_check(self, transaction_id: int, status: Any, source: str) -> None:
        key, final = status_key(getattr(status, "status", None))
        self._store.callbacks.record_status_check({
            "transaction_id": transaction_id, "checked_at": self._clock(), "source": source,
            "status": key, "status_text": getattr(status, "status_text", None), "status_final": final,
            "amount": _decimal_or_none(getattr(status, "amount", None)),
            "created_at": getattr(status, "created_at", None), "completed_at": getattr(status, "completed_at", None),
        })  # fmt: skip

    def _match_payout(self, op: Operation, actor: str, problems: list[str]) -> Operation:
        client = self._client()
        since = op.created_at - self.match_slack
        history_ids: set[int] = set()
        matches: dict[int, Any] = {}
        try:
            for tx in self._history(client, op.created_at):
                tx_id = _transaction_id_or_none(getattr(tx, "id", None))
                if tx_id is None:
                    continue
                history_ids.add(tx_id)
                if _is_same_payout(tx, op, since):
                    matches[tx_id] = tx
        except Exception as exc:  # noqa: BLE001 -- history unavailable: try callbacks, keep unknown otherwise
            problems.append(f"history search failed ({type(exc).__name__})")
        for tx_id in self._store.operations.linked_transaction_ids(matches):
            matches.pop(tx_id, None)
        if len(matches) == 1:
            tx_id, tx = next(iter(matches.items()))
            return self._confirm(op, tx_id, "transaction history", tx, actor)
        if len(matches) > 1:
            count, ids = len(matches), ", ".join(map(str, sorted(matches)))
            return self._note(op, f"{count} matching payouts found ({ids}): an operator must pick the right one.")

        candidates = {
            e.transaction_id: e
            for e in self._store.callbacks.unlinked_candidates(
                username=op.username, amount_kurus=to_kurus(op.amount), since=since
            )
            if e.transaction_id not in history_ids
            and (not op.description or not e.description or e.description == op.description)
        }
        if len(candidates) == 1:
            tx_id = next(iter(candidates))
            try:
                status = client.get_transaction_status(tx_id)
            except Exception as exc:  # noqa: BLE001 -- NotFound = forged hint; others: retry next run
                problems.append(f"checking callback candidate {tx_id} failed ({type(exc).__name__})")
            else:
                if _decimal_or_none(getattr(status, "amount", None)) in (None, op.amount):
                    self._record_check(tx_id, status, "settle")
                    return self._confirm(op, tx_id, "callback", status, actor)
        elif len(candidates) > 1:
            return self._note(op, "Several callbacks could belong to this payout: an operator must pick one.")

        if self._clock() - op.created_at >= self.settle_after:
            minutes = int(self.settle_after.total_seconds() // 60)
            return self._note(op, f"No matching payout found {minutes}+ minutes after the attempt. Check with "
                                  "EnigmaPay, then mark it resolved.")  # fmt: skip
        return op

    def _history(self, client: MoneyClient, start: datetime) -> Iterable[Any]:
        """Every dealer IBAN's transactions from the intent's day to today (the debited IBAN is not known)."""
        first: date = start.astimezone(self._tz).date()
        last: date = max(self._clock().astimezone(self._tz).date(), first)
        for iban in client.list_ibans():
            yield from client.list_transactions(iban.id, start_date=first, end_date=last)

    def _confirm(self, op: Operation, transaction_id: int, found_in: str, source: Any, actor: str) -> Operation:
        key, final = status_key(getattr(source, "status", None))
        changes = {
            "state": CONFIRMED, "transaction_id": transaction_id, "status": key, "status_final": final,
            "status_text": getattr(source, "status_text", None) or key,
            "message": f"Settled: found in the {found_in}.", "updated_at": self._clock(),
        }  # fmt: skip
        audit = self.audit.entry(
            "settle", actor=actor, outcome=CONFIRMED, amount=op.amount, iban=op.customer_iban,
            details={"operation_id": op.id, "transaction_id": transaction_id, "found_in": found_in},
        )  # fmt: skip
        self._store.operations.transition(op.id, from_states=(UNKNOWN,), changes=changes, audit=audit)
        return self.get(op.id)  # type: ignore[return-value]

    def _note(self, op: Operation, message: str) -> Operation:
        if op.message != message:
            self._store.operations.transition(
                op.id, from_states=(UNKNOWN,), changes={"message": message, "updated_at": self._clock()}
            )
        return self.get(op.id)  # type: ignore[return-value]

    def mark_resolved(
        self, operation_id: str, *, actor: str, note: str, transaction_id: int | None = None
    ) -> Operation:
        """An operator's verdict on an unknown (or stale pending) entry: with `transaction_id` it is
        confirmed as that provider transaction, without it declared `not_sent`."""
        if not note or not note.strip():
            raise ValueError("say how it was resolved")
        op = self.get(operation_id)
        if op is None:
            raise KeyError(operation_id)
        if op.state == PENDING and op.created_at > self._clock() - self.pending_grace:
            raise ValueError("this entry may still be in flight; wait for its answer")
        allowed = (UNKNOWN, PENDING)
        if op.state not in allowed:
            raise ValueError(f"an entry in state {op.state!r} cannot be resolved by hand")
        if transaction_id is not None:
            transaction_id = parse_transaction_id(transaction_id)  # TransactionIdError (a ValueError) says why
        state = CONFIRMED if transaction_id is not None else NOT_SENT
        changes = {"state": state, "transaction_id": transaction_id, "resolved_by": actor,
                   "resolution_note": note.strip(), "updated_at": self._clock()}  # fmt: skip
        audit = self.audit.entry(
            "mark_resolved", actor=actor, outcome=state, amount=op.amount, iban=op.customer_iban,
            details={"operation_id": op.id, "transaction_id": transaction_id, "note": note.strip()},
        )  # fmt: skip
        if not self._store.operations.transition(op.id, from_states=allowed, changes=changes, audit=audit):
            raise ValueError("the entry changed meanwhile; reload it")
        return self.get(operation_id)  # type: ignore[return-value]


def _outcome_text(op: Operation, problems: list[str]) -> str:
    """What a scheduled check found, in words: logged only when it differs from the last one."""
    text = op.state + (f", status {op.status}" if op.state == CONFIRMED and op.status else "")
    text += f": {op.message}" if op.state == UNKNOWN and op.message else ""
    return "; ".join([text, *problems])


def _is_same_payout(tx: Any, op: Operation, since: datetime) -> bool:
    type_ = getattr(tx, "type", None)
    type_name = str(getattr(type_, "name", type_) or "").lower()
    if type_name in ("deposit", "yatirim", "yatırım"):
        return False
    if normalize_iban(getattr(tx, "customer_iban", None) or "") != op.customer_iban:
        return False
    if _decimal_or_none(getattr(tx, "amount", None)) != op.amount:
        return False
    username = getattr(tx, "username", None)
    if username and username != op.username:
        return False
    created = getattr(tx, "created_at", None)
    return not (isinstance(created, datetime) and created < since)


def _amount(value: Any) -> Decimal:
    amount = value if isinstance(value, Decimal) else to_decimal(value)
    if amount is None or amount <= 0:
        raise ValueError("amount must be a positive Decimal")
    to_kurus(amount)  # refuses sub-kuruş amounts before anything is journaled
    return amount


def _decimal_or_none(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else to_decimal(value)


def _transaction_id_or_none(value: Any) -> int | None:
    """The provider's id by the one rule; anything else (a float, "٩٩٩٨", " 0123 ") is no id: settle finds it."""
    try:
        return parse_transaction_id(value)
    except TransactionIdError:
        return None
