"""Typed rows: what the repositories return, one frozen dataclass per table.

Money is `Decimal` (`*_kurus` columns are int kuruş), times are aware datetimes, `*_json` columns
are decoded and named without the suffix (`request`, `field_errors`, `details`, `raw`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def from_record(cls: type[T], record: dict[str, Any]) -> T:
    """A row from a decoded record (`codec.decode`); columns the row type does not name are ignored."""
    return cls(**{f.name: record[f.name] for f in fields(cls) if f.name in record})  # type: ignore[arg-type]


@dataclass(frozen=True)
class OperationRow:
    """One journal entry (table `operations`); `dashboard.journal.Operation` is built from it."""

    id: str
    kind: str
    state: str
    created_at: datetime
    updated_at: datetime
    actor: str
    amount: Decimal
    amount_kurus: int
    username: str
    request: dict[str, Any]
    customer_iban: str | None = None
    customer_name: str | None = None
    description: str | None = None
    transaction_id: int | None = None
    status: str | None = None
    status_text: str | None = None
    status_final: bool = False
    message: str | None = None
    field_errors: dict[str, list[str]] | None = None
    duplicate_of: str | None = None
    payment_url: str | None = None
    order_id: str | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None
    settle_attempts: int = 0
    next_settle_at: datetime | None = None
    settle_stopped_at: datetime | None = None
    settle_outcome: str | None = None


@dataclass(frozen=True)
class AuditRow:
    """One audit log line (table `audit_log`, append-only); `dashboard.audit.AuditEntry` is this type."""

    id: int
    at: datetime
    actor: str
    action: str
    outcome: str
    amount: Decimal | None = None
    iban_masked: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallbackEventRow:
    """One callback delivery (table `callback_events`), with the journal entry of its transaction."""

    id: int
    transaction_id: int
    status: str
    status_text: str
    raw: dict[str, Any]
    received_at: datetime
    amount: Decimal | None = None
    amount_kurus: int | None = None
    username: str | None = None
    description: str | None = None
    completed_at_text: str | None = None
    source_ip: str | None = None
    delivery_count: int = 1
    last_received_at: datetime | None = None
    verification: str = "pending"
    verified_at: datetime | None = None
    api_status_text: str | None = None
    verify_claimed_by: str | None = None
    verify_claim_expires_at: datetime | None = None
    operation_id: str | None = None  # joined, not a column


@dataclass(frozen=True)
class StatusCheckRow:
    """One transaction-status answer (table `status_checks`)."""

    id: int
    transaction_id: int
    checked_at: datetime
    source: str
    status: str
    status_final: bool
    status_text: str | None = None
    amount: Decimal | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class CurrentStatusRow:
    """A transaction's derived current status (table `transaction_status`); source 'callback' | 'api'."""

    transaction_id: int
    status: str
    status_final: bool
    source: str
    updated_at: datetime
    status_text: str | None = None


@dataclass(frozen=True)
class SnapshotRow:
    """One IBAN's balance at one time (table `balance_snapshots`)."""

    iban_id: int
    taken_at: datetime
    balance_kurus: int


@dataclass(frozen=True)
class SessionRow:
    """A sign-in session (table `auth_sessions`); `id` is the SHA-256 of the cookie token."""

    id: str
    user: str
    role: str
    password_tag: str = field(repr=False)  # ties the session to the password (or SSO identity) it signed in with
    created_at: datetime
    last_seen_at: datetime
    method: str = "password"  # or "sso"
    source: str | None = None  # the browser's address at sign-in
    identity_expires_at: datetime | None = None  # ends then at the latest (the SSO ID token's expiry)


@dataclass(frozen=True)
class ThrottleRow:
    """Failed sign-in attempts against one key (table `auth_throttle`)."""

    key: str
    failures: int
    last_failure_at: datetime
    locked_until_at: datetime | None = None


@dataclass(frozen=True)
class TwoFactorRow:
    """A user's TOTP factor (table `two_factor`); `secret_box` is the encrypted secret."""

    user_name: str
    secret_box: str = field(repr=False)
    created_at: datetime
    confirmed_at: datetime | None = None  # None: enrolment started, waiting for its first code
    last_step: int | None = None  # the newest TOTP time step accepted (no code is accepted twice)


@dataclass(frozen=True)
class BatchRow:
    """A payout batch from a file (table `payout_batches`); `summary` holds its preview totals."""

    id: str
    created_at: datetime
    updated_at: datetime
    maker: str
    file_name: str
    state: str
    rows_in_file: int
    to_send: int
    amount: Decimal
    amount_kurus: int
    include_flagged: int
    summary: dict[str, Any]
    state_by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class BatchItemRow:
    """One row of a batch's file (table `payout_batch_items`), with its journal entry's outcome joined."""

    batch_id: str
    row_no: int
    state: str
    cells: dict[str, str]
    updated_at: datetime
    problems: dict[str, str] | None = None
    details: dict[str, Any] | None = None
    username: str | None = None
    amount: Decimal | None = None
    amount_kurus: int | None = None
    customer_iban: str | None = None
    customer_name: str | None = None
    description: str | None = None
    confirm_duplicate: int = 0
    attempt: int = 1
    operation_id: str | None = None
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None
    op_state: str | None = None  # joined: the journal entry's state, transaction id, status, message
    transaction_id: int | None = None
    op_status: str | None = None
    op_message: str | None = None


@dataclass(frozen=True)
class ApprovalRow:
    """A request waiting for (or decided by) a second person (table `approval_requests`)."""

    id: str
    kind: str  # "payout" | "batch"
    reference: str  # the payout form's operation id, or the batch's id
    state: str
    maker: str
    amount: Decimal
    amount_kurus: int
    item_count: int
    summary: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    payload: dict[str, Any] | None = field(default=None, repr=False)  # a payout's request, full IBAN
    decided_at: datetime | None = None
    decided_by: str | None = None
    note: str | None = None
    dispatched_at: datetime | None = None


@dataclass(frozen=True)
class LeaseRow:
    """Which process runs a background job until when (table `leases`)."""

    name: str
    holder: str
    expires_at: datetime


@dataclass(frozen=True)
class SharedAnswerRow:
    """One upstream answer shared by the fleet and the slot deciding who asks next (table `shared_answers`).

    `answer` (JSON) and `fetched_at` (when the provider answered) are None until the first answer;
    the answer is stale when `fetched_epoch` != `epoch` (money moved since it was asked for)."""

    name: str
    epoch: int
    answer: Any = None
    fetched_at: datetime | None = None
    fetched_epoch: int | None = None
    asked_by: str | None = None  # who holds the slot; None after a failed ask
    asked_at: datetime | None = None
    next_ask_at: datetime | None = None


@dataclass(frozen=True)
class NotificationRow:
    """One message of the outbox (table `notifications`); `id` is its idempotency key."""

    id: str
    kind: str
    subject: str
    body: str
    payload: dict[str, Any]
    created_at: datetime
    html: str | None = None


@dataclass(frozen=True)
class DeliveryRow:
    """One message on one channel (table `notification_deliveries`): pending, sending (claimed),
    sent, skipped (channel not configured) or failed (gave up after its retries)."""

    notification_id: str
    channel: str
    state: str
    attempts: int
    next_attempt_at: datetime
    updated_at: datetime
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    kind: str | None = None  # of the message, when read with it
    subject: str | None = None


@dataclass(frozen=True)
class AlertStateRow:
    """One alert: a condition about one subject, firing or ok (table `alert_states`); `version`
    counts its transitions (the compare-and-set token)."""

    alert_key: str
    kind: str
    subject: str
    state: str  # "firing" | "ok"
    version: int
    changed_at: datetime
    title: str
    detail: str
    details: dict[str, Any] | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class AlertEventRow:
    """One transition of an alert, kept as its history (table `alert_events`)."""

    id: int
    alert_key: str
    kind: str
    subject: str
    state: str
    version: int
    changed_at: datetime
    title: str
    detail: str
    details: dict[str, Any] | None = None
    handed_at: datetime | None = None  # when `notify` took it; None: not yet (or it failed)
    claimed_until_at: datetime | None = None


@dataclass(frozen=True)
class AlertThresholdRow:
    """The balance below which an IBAN's alert fires, and its own hysteresis margin (table `alert_thresholds`)."""

    iban_id: int
    threshold_kurus: int
    updated_at: datetime
    updated_by: str
    margin_kurus: int | None = None  # None: the configured margin


@dataclass(frozen=True)
class UpstreamHealthRow:
    """The API as the background jobs' calls saw it (table `upstream_health`)."""

    name: str
    last_ok_at: datetime | None = None
    failing_since_at: datetime | None = None  # None: the last call succeeded
    last_failed_at: datetime | None = None
    last_error: str | None = None
