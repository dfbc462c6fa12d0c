"""The tolerant reader: every assumption about the shape of EnigmaPay's response bodies lives here
and in its helpers (`_envelope`, `_fields`, `_words`, `_pages`), one parser per endpoint.

Accepts English or Turkish status words in any case, numbers as strings or numbers, missing optional
fields (None / ""), unknown fields (kept in `extra`) and Laravel-style paginated bodies. Only a body
that cannot be the described shape at all raises `MalformedResponseError`.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from . import models
from ._envelope import body_data, body_data_dict, body_message, envelope_ok, error_message, field_errors
from ._fields import extra_fields, read_int, read_text, read_transaction_id, require_dict
from ._pages import (
    ARROW_NUMBER_FIELDS,
    ARROW_TEXT_FIELDS,
    TransactionPage,
    arrow_transaction_page,
    read_transaction_page,
)
from ._words import is_active_word as parse_active
from ._words import normalize_word
from .amounts import to_decimal
from .errors import MalformedResponseError
from .iban import normalize_iban
from .times import parse_api_datetime

# The reader's whole surface, so callers (the transport, the client, tests) need this module only.
__all__ = [
    "ARROW_NUMBER_FIELDS",
    "ARROW_TEXT_FIELDS",
    "TRANSACTION_FIELDS",
    "TransactionPage",
    "arrow_transaction_page",
    "envelope_ok",
    "error_message",
    "field_errors",
    "normalize_word",
    "parse_active",
    "parse_card_payment",
    "parse_iban",
    "parse_ibans",
    "parse_settings",
    "parse_status",
    "parse_transaction",
    "parse_transaction_status",
    "parse_transfer",
    "parse_tx_type",
    "read_transaction_page",
]

parse_status = models.Status.parse
parse_tx_type = models.TxType.parse


# --- 1. settings -----------------------------------------------------------------------------------

_CHANNEL_FIELDS = {
    "credit_card": ("status", "commission"),
    "eiban": ("status", "deposit_commission", "withdrawal_commission", "withdrawal_fee"),
    "manual_iban": ("status", "deposit_commission"),
}


def _channel_status(channel: dict[str, Any]) -> dict[str, Any]:
    """A channel's `status` word as the models keep it: on/off, and the word as sent."""
    return {"active": parse_active(channel.get("status")), "status_text": read_text(channel.get("status"))}


def parse_settings(body: dict[str, Any]) -> models.DealerSettings:
    data = body_data_dict(body, "settings data")
    channels: dict[str, dict[str, Any]] = {}
    extra: dict[str, Any] = {}
    for name, known in _CHANNEL_FIELDS.items():
        raw = data.get(name)
        channels[name] = raw if isinstance(raw, dict) else {}
        for key, value in channels[name].items():
            if key not in known:
                extra[f"{name}.{key}"] = value
    extra.update(extra_fields(data, frozenset(_CHANNEL_FIELDS)))
    cc, ei, mi = channels["credit_card"], channels["eiban"], channels["manual_iban"]
    return models.DealerSettings(
        credit_card=models.CreditCardChannel(**_channel_status(cc), commission=to_decimal(cc.get("commission"))),
        eiban=models.EibanChannel(
            **_channel_status(ei),
            deposit_commission=to_decimal(ei.get("deposit_commission")),
            withdrawal_commission=to_decimal(ei.get("withdrawal_commission")),
            withdrawal_fee=to_decimal(ei.get("withdrawal_fee")),
        ),
        manual_iban=models.ManualIbanChannel(
            **_channel_status(mi), deposit_commission=to_decimal(mi.get("deposit_commission"))
        ),
        info=read_text(body.get("info")) or read_text(data.get("info")),
        extra=extra,
    )


# --- 2. ibans ----------------------------------------------------------------------------------------

_ENGLISH_AMOUNT = re.compile(r"^(?:₺\s*)?-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?\s*(?:₺|TL|TRY)?$")
_IBAN_FIELDS = frozenset({"id", "iban", "owner_name", "bank_name", "status", "balance", "formatted_balance"})


def parse_ibans(body: dict[str, Any]) -> list[models.Iban]:
    data = body_data(body)
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise MalformedResponseError(f"expected the IBAN list, got {type(data).__name__}")
    return [parse_iban(require_dict(item, "an IBAN record")) for item in data]


def parse_iban(record: dict[str, Any]) -> models.Iban:
    iban_id = read_int(record.get("id"))
    if iban_id is None:
        # Without an id the IBAN cannot be asked for its transactions: the record is unusable.
        raise MalformedResponseError(f"IBAN record without a numeric id: id={record.get('id')!r}")
    formatted = read_text(record.get("formatted_balance"))
    balance = to_decimal(record.get("balance"))
    if balance is None:
        # Fall back to the formatted balance only in the guide's English style ("125,000.00 ₺"):
        # a Turkish "125.000,00" would read as 125. Then zero, as the model's balance is not optional.
        balance = (to_decimal(formatted) if _ENGLISH_AMOUNT.match(formatted) else None) or Decimal("0")
    return models.Iban(
        id=iban_id,
        iban=normalize_iban(read_text(record.get("iban"))),
        owner_name=read_text(record.get("owner_name")),
        bank_name=read_text(record.get("bank_name")),
        status_text=read_text(record.get("status")),
        active=parse_active(record.get("status")),
        balance=balance,
        formatted_balance=formatted,
        extra=extra_fields(record, _IBAN_FIELDS),
    )


# --- 3. transactions ---------------------------------------------------------------------------------

# A transaction record's documented fields: those the Arrow fast path reads, and the IBAN's id.
TRANSACTION_FIELDS = (*ARROW_NUMBER_FIELDS, *ARROW_TEXT_FIELDS, "iban_id")
_TRANSACTION_FIELDS = frozenset(TRANSACTION_FIELDS)


def parse_transaction(record: dict[str, Any], tz: str | tzinfo, iban_id: int | None = None) -> models.Transaction:
    """One history record; `iban_id` fills in the IBAN asked about when the record does not say."""
    status_raw = record.get("status")
    record_iban_id = read_int(record.get("iban_id"))
    return models.Transaction(
        id=read_transaction_id(record.get("id")),
        type=parse_tx_type(record.get("type")),
        amount=to_decimal(record.get("amount")),
        commission=to_decimal(record.get("commission")),
        status=parse_status(status_raw),
        status_text=read_text(status_raw),
        username=read_text(record.get("username")),
        customer_name=read_text(record.get("customer_name")),
        customer_iban=read_text(record.get("customer_iban")),
        description=read_text(record.get("description")),
        created_at=parse_api_datetime(record.get("created_at"), tz),
        completed_at=parse_api_datetime(record.get("completed_at"), tz),
        iban_id=record_iban_id if record_iban_id is not None else iban_id,
        extra=extra_fields(record, _TRANSACTION_FIELDS),
    )


def _first_transaction_id(data: dict[str, Any], key: str, fallback: str) -> int | None:
    """The transaction id under `key`, else under `fallback` (answers name it either way)."""
    tx_id = read_transaction_id(data.get(key))
    return read_transaction_id(data.get(fallback)) if tx_id is None else tx_id


def _status_words(data: dict[str, Any]) -> dict[str, Any]:
    """An answer's `status` as the models keep it: the parsed Status and the word as sent."""
    return {"status": parse_status(data.get("status")), "status_text": read_text(data.get("status"))}


# --- 4. send-money -----------------------------------------------------------------------------------

_TRANSFER_FIELDS = frozenset({"transaction_id", "id", "status", "message"})


def parse_transfer(body: dict[str, Any]) -> models.TransferResult:
    data = body_data_dict(body, "send-money data")
    return models.TransferResult(
        transaction_id=_first_transaction_id(data, "transaction_id", "id"),
        **_status_words(data),
        message=body_message(body, data),
        extra=extra_fields(data, _TRANSFER_FIELDS),
    )


# --- 5. transaction-status ---------------------------------------------------------------------------

_STATUS_FIELDS = frozenset({"id", "status", "amount", "created_at", "completed_at"})


def parse_transaction_status(body: dict[str, Any], tz: str | tzinfo) -> models.TransactionStatus:
    data = body_data_dict(body, "transaction-status data")
    return models.TransactionStatus(
        id=_first_transaction_id(data, "id", "transaction_id"),
        **_status_words(data),
        amount=to_decimal(data.get("amount")),
        created_at=parse_api_datetime(data.get("created_at"), tz),
        completed_at=parse_api_datetime(data.get("completed_at"), tz),
        extra=extra_fields(data, _STATUS_FIELDS | {"transaction_id"}),
    )


# --- 6. credit-card/payment --------------------------------------------------------------------------

_CARD_FIELDS = frozenset({"payment_url", "order_id", "transaction_id", "amount", "currency", "message"})


def parse_card_payment(body: dict[str, Any]) -> models.CardPayment:
    data = body_data_dict(body, "credit-card payment data")
    return models.CardPayment(
        payment_url=read_text(data.get("payment_url")),
        order_id=read_text(data.get("order_id")),
        transaction_id=read_transaction_id(data.get("transaction_id")),
        amount=to_decimal(data.get("amount")),
        currency=read_text(data.get("currency")) or "TRY",
        message=body_message(body, data),
        extra=extra_fields(data, _CARD_FIELDS),
    )
