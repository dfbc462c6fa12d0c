"""The journal's vocabulary: operation states, the `Operation` record, and how an error or a
provider status maps onto them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from dashboard.client.checks import InputError
from dashboard.client.errors import (
    APIConnectionError,
    APIStatusError,
    MalformedResponseError,
    OutcomeUnknownError,
    ServerError,
)
from dashboard.client.models import Status, TransactionIdError, parse_transaction_id
from dashboard.i18n import translate
from dashboard.iban import mask_iban
from dashboard.money import to_decimal, to_kurus
from dashboard.store import OperationRow

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
DUPLICATE_STATES = (PENDING, CONFIRMED, UNKNOWN)
# What a table shows for an entry without a transaction id, by state (a missing cell reads as a bug).
NO_TRANSACTION_ID = {
    HELD: "not sent yet",  # waiting for a second person's approval
    PENDING: "not known yet",
    UNKNOWN: "not known yet",
    REJECTED: "none (refused)",
    FAILED_BEFORE_SEND: "not sent",
    NOT_SENT: "not sent",
}


def transaction_id_text(transaction_id: int | None, state: str | None, lang: str = "en") -> str:
    """An entry's transaction id as text, or in words why it has none (its state), in `lang`."""
    if transaction_id is not None:
        return str(transaction_id)
    return translate(NO_TRANSACTION_ID.get(state or "", "not known yet"), lang)


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


class ApprovalRequired(ValueError):
    """A payout at or above the approval threshold submitted without an approved request: nothing was
    journaled and nothing sent. `message` is for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
            id=row.id,
            kind=row.kind,
            state=row.state,
            created_at=row.created_at,
            updated_at=row.updated_at,
            actor=row.actor,
            amount=row.amount,
            username=row.username,
            customer_iban=row.customer_iban,
            customer_name=row.customer_name,
            description=row.description,
            firstname=request.get("firstname"),
            lastname=request.get("lastname"),
            email=request.get("email"),
            phone=request.get("phone"),
            transaction_id=row.transaction_id,
            status=row.status,
            status_text=row.status_text,
            status_final=row.status_final,
            message=row.message,
            field_errors=row.field_errors or {},
            duplicate_of=row.duplicate_of,
            payment_url=row.payment_url,
            order_id=row.order_id,
            resolved_by=row.resolved_by,
            resolution_note=row.resolution_note,
            settle_attempts=row.settle_attempts,
            next_settle_at=row.next_settle_at,
            settle_stopped_at=row.settle_stopped_at,
            settle_outcome=row.settle_outcome,
        )


def positive_amount(value: Any) -> Decimal:
    amount = value if isinstance(value, Decimal) else to_decimal(value)
    if amount is None or amount <= 0:
        raise ValueError("amount must be a positive Decimal")
    to_kurus(amount)  # refuses sub-kuruş amounts before anything is journaled
    return amount


def decimal_or_none(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else to_decimal(value)


def transaction_id_or_none(value: Any) -> int | None:
    """The provider's id by the one rule; anything else (a float, "٩٩٩٨", " 0123 ") is no id: settle finds it."""
    try:
        return parse_transaction_id(value)
    except TransactionIdError:
        return None
