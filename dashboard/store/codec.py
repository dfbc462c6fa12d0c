"""Python values <-> column values, by the column conventions every table follows.

- `*_at`      an aware datetime, stored as the engine stores times (`sqlite.store_time`).
- `amount`    a `Decimal`, stored as decimal text ("1500.00"), never REAL; `*_kurus` int columns
              serve matching and sums.
- `*_json`    JSON text, exposed without the suffix (`request_json` <-> `request`).
- `status_final` a bool, stored as 0/1.
Floats are refused: money is Decimal or int kuruş.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from dashboard.store import sqlite as dialect

_JSON_KEYS = ("request", "field_errors", "details", "raw", "cells", "problems", "summary", "payload")
_DECIMAL_COLUMNS = frozenset({"amount"})
_BOOL_COLUMNS = frozenset({"status_final"})

time_value = dialect.store_time


def where(filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Optional filters `{"col >= ?": value}` -> one WHERE condition of those with a value ("1 = 1"
    when none has one) and its parameters, times as stored."""
    clauses, params = ["1 = 1"], []
    for clause, value in filters.items():
        if value is not None:
            clauses.append(clause)
            params.append(time_value(value) if isinstance(value, datetime) else value)
    return " AND ".join(clauses), params


def column_name(key: str) -> str:
    """The column a Python-side key is stored in (`request` -> `request_json`)."""
    return f"{key}_json" if key in _JSON_KEYS else key


def encode(row: Mapping[str, Any]) -> dict[str, Any]:
    """Python values -> column values."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in _JSON_KEYS:
            out[column_name(key)] = None if value is None else json.dumps(value, ensure_ascii=False, default=str)
        elif isinstance(value, datetime):
            out[key] = time_value(value)
        elif isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, bool):
            out[key] = int(value)
        elif isinstance(value, float):
            raise TypeError(f"{key}: floats are not stored (money is Decimal or int kuruş)")
        else:
            out[key] = value
    return out


def decode(row: Mapping[str, Any]) -> dict[str, Any]:
    """Column values (a database row) -> Python values."""
    out: dict[str, Any] = {}
    for key in row.keys():
        value = row[key]
        if key.endswith("_json"):
            out[key[:-5]] = None if value is None else json.loads(value)
        elif key.endswith("_at") and isinstance(value, str):
            out[key] = dialect.load_time(value)
        elif key in _DECIMAL_COLUMNS and value is not None:
            out[key] = Decimal(value)
        elif key in _BOOL_COLUMNS:
            out[key] = bool(value)
        else:
            out[key] = value
    return out
