"""The tolerant reader: every assumption about the shape of EnigmaPay's response bodies lives here.

Accepts English or Turkish status words in any case, numbers as strings or numbers, missing optional
fields (None / ""), unknown fields (kept in `extra`) and Laravel-style paginated bodies. Only a body
that cannot be the described shape at all raises `MalformedResponseError`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from dashboard.iban import normalize_iban
from dashboard.money import to_decimal
from dashboard.timeutil import parse_api_datetime

from . import models
from .errors import MalformedResponseError
from .models import Status, TxType

_MISSING = object()


def normalize_word(text: object) -> str:
    """Casefold and drop combining marks so 'İPTAL EDİLDİ', 'iptal_edildi' and 'Iptal Edildi' compare equal.

    'İ'.lower() is 'i' + COMBINING DOT ABOVE, and Turkish dotless 'ı' has no casefold to 'i'; both are
    flattened here, as are ç/ğ/ö/ş/ü, so ASCII spellings ('Basarili', 'cekim') match too.
    """
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    flat = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("ı", "i")
    return " ".join(flat.replace("_", " ").replace("-", " ").split())


def _table(words: dict[object, tuple[str, ...]]) -> dict[str, Any]:
    return {normalize_word(word): value for value, variants in words.items() for word in variants}


_STATUS_WORDS = _table(
    {
        Status.PENDING: ("Pending", "Beklemede", "Bekliyor", "Onay Bekliyor", "Waiting"),
        Status.PROCESSING: ("Processing", "İşleniyor", "İşlemde", "In Progress"),
        Status.COMPLETED: ("Completed", "Complete", "Tamamlandı", "Başarılı", "Success", "Successful"),
        Status.FAILED: ("Failed", "Başarısız", "Hata", "Error"),
        Status.CANCELLED: ("Cancelled", "Canceled", "İptal", "İptal Edildi"),
        Status.REJECTED: ("Rejected", "Reddedildi", "Declined"),
    }
)
_TYPE_WORDS = _table(
    {
        TxType.DEPOSIT: ("deposit", "yatırım", "para yatırma"),
        TxType.WITHDRAWAL: ("withdrawal", "withdraw", "çekim", "para çekme", "payout"),
    }
)
_ACTIVE_WORDS = frozenset(normalize_word(w) for w in ("Aktif", "Active", "Enabled", "Etkin", "Açık", "On", "True", "1", "Yes", "Evet"))


@functools.lru_cache(maxsize=256)
def _status_from_word(text: str) -> Status:
    return _STATUS_WORDS.get(normalize_word(text), Status.UNKNOWN)


def parse_status(value: object) -> Status:
    if isinstance(value, Status):
        return value
    if value is None or isinstance(value, (dict, list)):
        return Status.UNKNOWN
    return _status_from_word(str(value))


def parse_tx_type(value: object) -> TxType:
    if isinstance(value, TxType):
        return value
    if value is None or isinstance(value, (dict, list)):
        return TxType.UNKNOWN
    return _TYPE_WORDS.get(normalize_word(value), TxType.UNKNOWN)


def parse_active(value: object) -> bool:
    """'Aktif'/'Active'/true/1 -> True; 'Pasif'/'Inactive'/anything else -> False."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return normalize_word(value) in _ACTIVE_WORDS


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def _int(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = value.strip() if isinstance(value, str) else ""
    # ASCII 0-9 only: int() reads "٣" as 3, and raises ValueError past 4300 digits.
    if text.isascii() and text.isdigit() and len(text) <= 19:
        return int(text)
    return None


def _transaction_id(value: object) -> int | None:
    """A transaction id by the one rule (models.parse_transaction_id); anything else is no id at all."""
    if isinstance(value, float) and value.is_integer():  # 123.0 from a PHP float
        value = int(value)
    try:
        return models.parse_transaction_id(value)
    except models.TransactionIdError:
        return None


def _decimal(value: object) -> Decimal | None:
    return to_decimal(value)


def _extra(record: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in known}


def _require_dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedResponseError(f"expected {what} to be a JSON object, got {type(value).__name__}")
    return value


# --- envelope -------------------------------------------------------------------------------------


def envelope_ok(body: object) -> bool:
    """True for `success: true`, False for `success: false`; a body that is no envelope is malformed.

    A body without `success` but with `data` (a bare Laravel paginator) is accepted as a success.
    """
    body = _require_dict(body, "the response body")
    success = body.get("success", _MISSING)
    if success is _MISSING:
        if "data" in body:
            return True
        raise MalformedResponseError("response body has neither 'success' nor 'data'")
    if success in (True, 1, "true", "1"):
        return True
    if success in (False, 0, "false", "0", None):
        return False
    raise MalformedResponseError(f"response 'success' is {success!r}, expected true or false")


def error_message(body: object) -> str | None:
    """The provider's own `message` (or `error`) text in an error body, if any."""
    if not isinstance(body, dict):
        return None
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def field_errors(body: object) -> dict[str, list[str]]:
    """Laravel's `errors: {field: [msg, ...]}` (a bare string per field is accepted too)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    result: dict[str, list[str]] = {}
    for name, messages in errors.items():
        if isinstance(messages, (list, tuple)):
            result[str(name)] = [_text(m) for m in messages if _text(m)]
        elif _text(messages):
            result[str(name)] = [_text(messages)]
    return result


def _data(body: dict[str, Any]) -> object:
    return body.get("data")


def _data_dict(body: dict[str, Any], what: str) -> dict[str, Any]:
    data = _data(body)
    return {} if data is None else _require_dict(data, what)


def _message(body: dict[str, Any], data: dict[str, Any]) -> str:
    return _text(body.get("message")) or _text(data.get("message"))


# --- 1. settings -----------------------------------------------------------------------------------

_CHANNEL_FIELDS = {
    "credit_card": ("status", "commission"),
    "eiban": ("status", "deposit_commission", "withdrawal_commission", "withdrawal_fee"),
    "manual_iban": ("status", "deposit_commission"),
}


def parse_settings(body: dict[str, Any]) -> models.DealerSettings:
    data = _data_dict(body, "settings data")
    channels: dict[str, dict[str, Any]] = {}
    extra: dict[str, Any] = {}
    for name, known in _CHANNEL_FIELDS.items():
        raw = data.get(name)
        channels[name] = raw if isinstance(raw, dict) else {}
        for key, value in channels[name].items():
            if key not in known:
                extra[f"{name}.{key}"] = value
    extra.update(_extra(data, frozenset(_CHANNEL_FIELDS)))
    cc, ei, mi = channels["credit_card"], channels["eiban"], channels["manual_iban"]
    return models.DealerSettings(
        credit_card=models.CreditCardChannel(
            active=parse_active(cc.get("status")),
            status_text=_text(cc.get("status")),
            commission=_decimal(cc.get("commission")),
        ),
        eiban=models.EibanChannel(
            active=parse_active(ei.get("status")),
            status_text=_text(ei.get("status")),
            deposit_commission=_decimal(ei.get("deposit_commission")),
            withdrawal_commission=_decimal(ei.get("withdrawal_commission")),
            withdrawal_fee=_decimal(ei.get("withdrawal_fee")),
        ),
        manual_iban=models.ManualIbanChannel(
            active=parse_active(mi.get("status")),
            status_text=_text(mi.get("status")),
            deposit_commission=_decimal(mi.get("deposit_commission")),
        ),
        info=_text(body.get("info")) or _text(data.get("info")),
        extra=extra,
    )


# --- 2. ibans ----------------------------------------------------------------------------------------

_ENGLISH_AMOUNT = re.compile(r"^(?:₺\s*)?-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?\s*(?:₺|TL|TRY)?$")
_IBAN_FIELDS = frozenset({"id", "iban", "owner_name", "bank_name", "status", "balance", "formatted_balance"})


def parse_ibans(body: dict[str, Any]) -> list[models.Iban]:
    data = _data(body)
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise MalformedResponseError(f"expected the IBAN list, got {type(data).__name__}")
    return [parse_iban(_require_dict(item, "an IBAN record")) for item in data]


def parse_iban(record: dict[str, Any]) -> models.Iban:
    iban_id = _int(record.get("id"))
    if iban_id is None:
        # Without an id the IBAN cannot be asked for its transactions: the record is unusable.
        raise MalformedResponseError(f"IBAN record without a numeric id: id={record.get('id')!r}")
    formatted = _text(record.get("formatted_balance"))
    balance = _decimal(record.get("balance"))
    if balance is None:
        # Fall back to the formatted balance only in the guide's English style ("125,000.00 ₺"):
        # a Turkish "125.000,00" would read as 125. Then zero, as the model's balance is not optional.
        balance = (_decimal(formatted) if _ENGLISH_AMOUNT.match(formatted) else None) or Decimal("0")
    return models.Iban(
        id=iban_id,
        iban=normalize_iban(_text(record.get("iban"))),
        owner_name=_text(record.get("owner_name")),
        bank_name=_text(record.get("bank_name")),
        status_text=_text(record.get("status")),
        active=parse_active(record.get("status")),
        balance=balance,
        formatted_balance=formatted,
        extra=_extra(record, _IBAN_FIELDS),
    )


# --- 3. transactions ---------------------------------------------------------------------------------

_TRANSACTION_FIELDS = frozenset(
    {
        "id", "type", "amount", "commission", "status", "username", "customer_name", "customer_iban",
        "description", "created_at", "completed_at", "iban_id",
    }
)


@dataclass(frozen=True, slots=True)
class TransactionPage:
    """One page of transaction records with whatever pagination hints the body carried.

    `records` is a list of dicts, or (from `arrow_transaction_page`) a pyarrow StructArray.
    """

    records: Any
    current_page: int | None = None
    last_page: int | None = None
    next_page_url: str | None = None


def read_transaction_page(body: dict[str, Any]) -> TransactionPage:
    """`data: [...]`, a paginated body (`data` beside `current_page`/`last_page`/`next_page_url`),
    the nested form `data: {data: [...], current_page, ...}`, or an API-resource form with
    `meta.current_page` and `links.next`."""
    data = _data(body)
    records: list[Any]
    meta: dict[str, Any]
    if data is None:
        records, meta = [], body
    elif isinstance(data, list):
        records, meta = data, body
    elif isinstance(data, dict) and isinstance(data.get("data"), list):
        records, meta = data["data"], data
    else:
        raise MalformedResponseError(f"expected a list of transactions, got {type(data).__name__}")
    inner_meta = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
    links = meta.get("links") if isinstance(meta.get("links"), dict) else {}
    next_url = meta.get("next_page_url", links.get("next"))
    return TransactionPage(
        # A record that is not an object cannot be shown; it is dropped rather than failing the history.
        records=[r for r in records if isinstance(r, dict)],
        current_page=_int(meta.get("current_page", inner_meta.get("current_page"))),
        last_page=_int(meta.get("last_page", inner_meta.get("last_page"))),
        next_page_url=next_url.strip() if isinstance(next_url, str) and next_url.strip() else None,
    )


# Record fields as the Arrow fast path reads them: numbers as JSON numbers, text as JSON strings.
ARROW_NUMBER_FIELDS = ("id", "amount", "commission")
ARROW_TEXT_FIELDS = ("type", "status", "username", "customer_name", "customer_iban", "description",
                     "created_at", "completed_at")


@functools.cache
def _arrow_page_options():
    import pyarrow as pa
    import pyarrow.json as pajson

    text = pa.large_string()
    record = pa.struct([("id", pa.int64()), ("amount", pa.float64()), ("commission", pa.float64()),
                        *((name, text) for name in ARROW_TEXT_FIELDS)])
    schema = pa.schema([("success", pa.bool_()), ("data", pa.list_(record)), ("current_page", pa.int64()),
                        ("last_page", pa.int64()), ("next_page_url", text), ("meta", pa.null()), ("links", pa.null())])
    return (pajson.ReadOptions(use_threads=False, block_size=1 << 30),
            pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"))


def arrow_transaction_page(content: bytes) -> TransactionPage | None:
    """The common page shape read straight from the JSON bytes into Arrow (no Python dicts, GIL released).

    Only for the plain Laravel shape the sandbox and the API send: `success: true`, `data: [records]`
    with numbers as numbers and text as text, and `current_page`/`last_page` or `next_page_url`.
    Anything else (a type that differs, a record that is not an object, `meta`/`links`, nested data,
    no pagination hints...) returns None and the caller reads the body with orjson and
    `read_transaction_page`, so the tolerant reader still decides every odd case.
    """
    import pyarrow as pa
    import pyarrow.json as pajson

    if not content or content[:1] != b"{" or b"\n" in content:  # one object on one line, as orjson/PHP write it
        return None
    read_options, parse_options = _arrow_page_options()
    try:
        table = pajson.read_json(pa.BufferReader(content), read_options=read_options, parse_options=parse_options)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != 1:
        return None
    row = {name: table.column(name)[0] for name in ("success", "data", "current_page", "last_page", "next_page_url")}
    meta = {name: value.as_py() for name, value in row.items() if name != "data"}
    paginated = meta["next_page_url"] is not None or (meta["current_page"] is not None and meta["last_page"] is not None)
    if meta["success"] is not True or not row["data"].is_valid or not paginated:
        return None
    records = row["data"].values  # StructArray of this page's records
    if records.null_count:
        return None  # a null among the records: the tolerant reader drops it
    next_url = meta["next_page_url"]
    return TransactionPage(
        records=records,
        current_page=meta["current_page"],
        last_page=meta["last_page"],
        next_page_url=next_url.strip() if next_url and next_url.strip() else None,
    )


def parse_transaction(record: dict[str, Any], tz: str | tzinfo, iban_id: int | None = None) -> models.Transaction:
    """One history record; `iban_id` fills in the IBAN asked about when the record does not say."""
    status_raw = record.get("status")
    record_iban_id = _int(record.get("iban_id"))
    return models.Transaction(
        id=_transaction_id(record.get("id")),
        type=parse_tx_type(record.get("type")),
        amount=_decimal(record.get("amount")),
        commission=_decimal(record.get("commission")),
        status=parse_status(status_raw),
        status_text=_text(status_raw),
        username=_text(record.get("username")),
        customer_name=_text(record.get("customer_name")),
        customer_iban=_text(record.get("customer_iban")),
        description=_text(record.get("description")),
        created_at=parse_api_datetime(record.get("created_at"), tz),
        completed_at=parse_api_datetime(record.get("completed_at"), tz),
        iban_id=record_iban_id if record_iban_id is not None else iban_id,
        extra=_extra(record, _TRANSACTION_FIELDS),
    )


# --- 4. send-money -----------------------------------------------------------------------------------

_TRANSFER_FIELDS = frozenset({"transaction_id", "id", "status", "message"})


def parse_transfer(body: dict[str, Any]) -> models.TransferResult:
    data = _data_dict(body, "send-money data")
    tx_id = _transaction_id(data.get("transaction_id"))
    if tx_id is None:
        tx_id = _transaction_id(data.get("id"))
    return models.TransferResult(
        transaction_id=tx_id,
        status=parse_status(data.get("status")),
        status_text=_text(data.get("status")),
        message=_message(body, data),
        extra=_extra(data, _TRANSFER_FIELDS),
    )


# --- 5. transaction-status ---------------------------------------------------------------------------

_STATUS_FIELDS = frozenset({"id", "status", "amount", "created_at", "completed_at"})


def parse_transaction_status(body: dict[str, Any], tz: str | tzinfo) -> models.TransactionStatus:
    data = _data_dict(body, "transaction-status data")
    tx_id = _transaction_id(data.get("id"))
    if tx_id is None:
        tx_id = _transaction_id(data.get("transaction_id"))
    return models.TransactionStatus(
        id=tx_id,
        status=parse_status(data.get("status")),
        status_text=_text(data.get("status")),
        amount=_decimal(data.get("amount")),
        created_at=parse_api_datetime(data.get("created_at"), tz),
        completed_at=parse_api_datetime(data.get("completed_at"), tz),
        extra=_extra(data, _STATUS_FIELDS | {"transaction_id"}),
    )


# --- 6. credit-card/payment --------------------------------------------------------------------------

_CARD_FIELDS = frozenset({"payment_url", "order_id", "transaction_id", "amount", "currency", "message"})


def parse_card_payment(body: dict[str, Any]) -> models.CardPayment:
    data = _data_dict(body, "credit-card payment data")
    return models.CardPayment(
        payment_url=_text(data.get("payment_url")),
        order_id=_text(data.get("order_id")),
        transaction_id=_transaction_id(data.get("transaction_id")),
        amount=_decimal(data.get("amount")),
        currency=_text(data.get("currency")) or "TRY",
        message=_message(body, data),
        extra=_extra(data, _CARD_FIELDS),
    )
