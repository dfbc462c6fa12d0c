"""Typed values the client returns and the request objects it sends.

Money is `Decimal`, times are aware datetimes. Response fields the contract does not name are kept
in `extra`. Building these from response bodies is `_reader.py`'s job; writing request bodies is
done here, strictly.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from . import _words
from .amounts import quantize

# The largest id SQLite's INTEGER holds: the journal and the callback receiver store ids there.
MAX_TRANSACTION_ID = 2**63 - 1

_ID_NOT_DIGITS = "A transaction id is a whole number written with the digits 0-9, e.g. 123456."
_ID_LEADING_ZERO = "A transaction id does not start with 0: check that the id is complete."
_ID_NOT_POSITIVE = "A transaction id is 1 or more."
_ID_TOO_LARGE = "A transaction id is at most 9223372036854775807."


class TransactionIdError(ValueError):
    """A value that is not a transaction id; the message is fit for a person (and translated)."""


def parse_transaction_id(value: object) -> int:
    """THE rule for what a transaction id is: lookup, the callback receiver, the journal and the client use it.

    An int (not a bool), or a string of the ASCII digits 0-9 with no sign, no spaces and no leading
    zero, from 1 to MAX_TRANSACTION_ID. Anything else is refused rather than read as some other
    number: int() would quietly turn Arabic-Indic "٩٩٩٨" into 9998 and " 0123 " into 123.
    Callers that take typed input (a form, a URL) strip the surrounding spaces first and show the id.
    """
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():  # str.isdigit alone accepts "٩" and "²"
            raise TransactionIdError(_ID_NOT_DIGITS)
        if len(value) > 1 and value.startswith("0"):
            raise TransactionIdError(_ID_LEADING_ZERO)
        if len(value) > len(str(MAX_TRANSACTION_ID)):  # before int(): Python refuses > 4300 digits
            raise TransactionIdError(_ID_TOO_LARGE)
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TransactionIdError(_ID_NOT_DIGITS)
    if value < 1:
        raise TransactionIdError(_ID_NOT_POSITIVE)
    if value > MAX_TRANSACTION_ID:
        raise TransactionIdError(_ID_TOO_LARGE)
    return value


class Status(enum.Enum):
    """A transaction's lifecycle state."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """True when the transaction will not change any more (UNKNOWN is not final: ask again)."""
        return self in _FINAL

    @classmethod
    def parse(cls, text: object) -> Status:
        """English or Turkish status word in any case ('Tamamlandı', 'İPTAL', 'completed') -> Status."""
        if isinstance(text, Status):
            return text
        if text is None or isinstance(text, (dict, list)):
            return Status.UNKNOWN
        return _STATUS_BY_VALUE[_words.status_value(str(text))]


_FINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.REJECTED})
# Enum lookup by value without Enum.__call__'s overhead: statuses are parsed once per history record.
_STATUS_BY_VALUE = {status.value: status for status in Status}


class TxType(enum.Enum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: object) -> TxType:
        """'deposit'/'yatırım' -> DEPOSIT, 'withdrawal'/'çekim' -> WITHDRAWAL, anything else UNKNOWN."""
        if isinstance(text, TxType):
            return text
        if text is None or isinstance(text, (dict, list)):
            return TxType.UNKNOWN
        return TxType(_words.type_value(text))


@dataclass(frozen=True, slots=True)
class CreditCardChannel:
    active: bool
    status_text: str
    commission: Decimal | None


@dataclass(frozen=True, slots=True)
class EibanChannel:
    active: bool
    status_text: str
    deposit_commission: Decimal | None
    withdrawal_commission: Decimal | None
    withdrawal_fee: Decimal | None


@dataclass(frozen=True, slots=True)
class ManualIbanChannel:
    active: bool
    status_text: str
    deposit_commission: Decimal | None


@dataclass(frozen=True, slots=True)
class DealerSettings:
    credit_card: CreditCardChannel
    eiban: EibanChannel
    manual_iban: ManualIbanChannel
    info: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Iban:
    id: int
    iban: str
    owner_name: str
    bank_name: str
    status_text: str
    active: bool
    balance: Decimal
    formatted_balance: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transaction:
    id: int | None
    type: TxType
    amount: Decimal | None
    commission: Decimal | None
    status: Status
    status_text: str
    username: str
    customer_name: str
    customer_iban: str
    description: str
    created_at: datetime | None
    completed_at: datetime | None
    iban_id: int | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TransferResult:
    transaction_id: int | None
    status: Status
    status_text: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    id: int | None
    status: Status
    status_text: str
    amount: Decimal | None
    created_at: datetime | None
    completed_at: datetime | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CardPayment:
    payment_url: str
    order_id: str
    transaction_id: int | None
    amount: Decimal | None
    currency: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


def _json_body(request: Any) -> bytes:
    """A request's POST body: its fields in declaration order, an empty description left out.

    Written by hand so a Decimal amount becomes a number token with exactly two decimals without
    passing through float."""
    parts = []
    for f in fields(request):
        value = getattr(request, f.name)
        if f.name == "description" and not value:
            continue
        token = _amount_token(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{json.dumps(f.name)}:{token}")
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def _amount_token(amount: Decimal) -> str:
    if not amount.is_finite() or quantize(amount) != amount:
        raise ValueError("amount must be a finite number with at most two decimals")
    return f"{quantize(amount):.2f}"


@dataclass(frozen=True, slots=True)
class SendMoneyRequest:
    """A payout to a customer IBAN. Build it with `checks.check_send_money` to get clean fields."""

    username: str
    amount: Decimal
    customer_iban: str
    customer_name: str
    description: str = ""

    def to_json(self) -> bytes:
        """The POST body: fields in this order, amount as a JSON number with exactly two decimals;
        an empty description left out."""
        return _json_body(self)


@dataclass(frozen=True, slots=True)
class CardPaymentRequest:
    """A card payment link request. Build it with `checks.check_card_payment`."""

    username: str
    firstname: str
    lastname: str
    email: str
    phone: str
    amount: Decimal
    description: str = ""

    def to_json(self) -> bytes:
        """The POST body: fields in this order, amount as a JSON number with exactly two decimals;
        an empty description left out."""
        return _json_body(self)
