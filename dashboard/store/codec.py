"""Python values <-> column values, by the column conventions every table follows.

- `*_at`      an aware datetime, stored as ISO-8601 text in UTC with microseconds on both engines
              (`store_time`): fixed width, so it sorts and compares as text (also under a
              PostgreSQL collation that ignores punctuation: the punctuation sits at the same places).
- `amount`    a `Decimal`, stored as decimal text ("1500.00"), never REAL; `*_kurus` int columns
              serve matching and sums.
- `*_json`    JSON text, exposed without the suffix (`request_json` <-> `request`).
- `status_final` a bool, stored as 0/1.
Floats are refused: money is Decimal or int kuruş.

The SQL fragments both engines share (`where`, `placeholders`, `insert_into`) are built here too,
with `?` placeholders (the PostgreSQL dialect translates them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

_JSON_KEYS = ("request", "field_errors", "details", "raw", "cells", "problems", "summary", "payload", "answer")
_DECIMAL_COLUMNS = frozenset({"amount"})
_BOOL_COLUMNS = frozenset({"status_final"})


def store_time(value: datetime) -> str:
    """An aware datetime as stored: ISO 8601 text in UTC with microseconds, so it sorts as text."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: the store only takes aware datetimes")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def load_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


time_value = store_time


def where(filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """Optional filters `{"col >= ?": value}` -> one WHERE condition of those with a value ("1 = 1"
    when none has one) and its parameters, times as stored."""
    clauses, params = ["1 = 1"], []
    for clause, value in filters.items():
        if value is not None:
            clauses.append(clause)
            params.append(time_value(value) if isinstance(value, datetime) else value)
    return " AND ".join(clauses), params


def placeholders(values: Sequence[object]) -> str:
    """`?, ?, ?` for the values of an IN list or a VALUES row."""
    return ",".join("?" * len(values))


def set_clause(columns: Sequence[str]) -> str:
    """`a = ?, b = ?` for an UPDATE of these columns."""
    return ", ".join(f"{c} = ?" for c in columns)


def insert_into(table: str, values: Sequence[str]) -> str:
    """`INSERT INTO table (a, b) VALUES (?, ?)` for these columns; callers append ON CONFLICT / RETURNING."""
    columns = ", ".join(f'"{name}"' for name in values)  # quoted: a column may be a reserved word ("user")
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders(values)})"


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
            out[key] = load_time(value)
        elif key in _DECIMAL_COLUMNS and value is not None:
            out[key] = Decimal(value)
        elif key in _BOOL_COLUMNS:
            out[key] = bool(value)
        else:
            out[key] = value
    return out
