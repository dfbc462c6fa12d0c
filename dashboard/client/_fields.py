"""Tolerant readers for single fields of a response body: text, whole numbers, transaction ids.

A value that is missing or unreadable becomes None (or "") so the record is kept; only a value that
must be an object and is not raises `MalformedResponseError`.
"""

from __future__ import annotations

from typing import Any

from . import models
from .errors import MalformedResponseError


def read_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def read_int(value: object) -> int | None:
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


def read_transaction_id(value: object) -> int | None:
    """A transaction id by the one rule (models.parse_transaction_id); anything else is no id at all."""
    if isinstance(value, float) and value.is_integer():  # 123.0 from a PHP float
        value = int(value)
    try:
        return models.parse_transaction_id(value)
    except models.TransactionIdError:
        return None


def extra_fields(record: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in known}


def require_dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedResponseError(f"expected {what} to be a JSON object, got {type(value).__name__}")
    return value
