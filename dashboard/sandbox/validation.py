"""Laravel-style request validation: per-field messages worded as Laravel words them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from dashboard.iban import iban_problem, normalize_iban
from dashboard.money import to_decimal, to_kurus

_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{10,20}$")


def label(field: str) -> str:
    return field.replace("_", " ")


class Errors(dict[str, list[str]]):
    """field -> messages, in the order fields were checked."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def summary(self) -> str:
        """Laravel's top-level message: the first error, plus '(and N more errors)'."""
        messages = [m for ms in self.values() for m in ms]
        rest = len(messages) - 1
        if rest <= 0:
            return messages[0]
        return f"{messages[0]} (and {rest} more error{'s' if rest > 1 else ''})"


def string(
    data: dict, field: str, errors: Errors, *, required: bool = True, min_len: int = 0, max_len: int = 255
) -> str | None:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, f"The {label(field)} field is required.")
        return None
    if not isinstance(value, str):
        errors.add(field, f"The {label(field)} field must be a string.")
        return None
    value = value.strip()
    if len(value) < min_len:
        errors.add(field, f"The {label(field)} field must be at least {min_len} characters.")
    if len(value) > max_len:
        errors.add(field, f"The {label(field)} field must not be greater than {max_len} characters.")
    return value


def amount(data: dict, field: str, errors: Errors, *, minimum: Decimal | None = None) -> Decimal | None:
    """Required decimal > 0 (or >= minimum) with at most two decimals; number or numeric string, read exactly."""
    value = data.get(field)
    if value is None or value == "":
        errors.add(field, f"The {label(field)} field is required.")
        return None
    parsed: Decimal | None = None
    if isinstance(value, str) and _NUMERIC.match(value):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            parsed = None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parsed = to_decimal(value)  # floats through their shortest repr: 500.1 -> Decimal("500.1")
    if parsed is None or not parsed.is_finite():
        errors.add(field, f"The {label(field)} field must be a number.")
        return None
    failed = False
    if minimum is not None and parsed < minimum:
        errors.add(field, f"The {label(field)} field must be at least {minimum}.")
        failed = True
    elif parsed <= 0:
        errors.add(field, f"The {label(field)} field must be greater than 0.")
        failed = True
    try:
        to_kurus(parsed)
    except ValueError:  # more than two decimals
        errors.add(field, f"The {label(field)} field must have 0-2 decimal places.")
        failed = True
    if parsed > Decimal("10000000"):
        errors.add(field, f"The {label(field)} field must not be greater than 10000000.")
        failed = True
    return None if failed else parsed


def iban(data: dict, field: str, errors: Errors) -> str | None:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(field, f"The {label(field)} field is required.")
        return None
    if not isinstance(value, str):
        errors.add(field, f"The {label(field)} field must be a string.")
        return None
    problem = iban_problem(value)
    if problem:
        errors.add(field, f"The {label(field)} field must be a valid Turkish IBAN. {problem}")
        return None
    return normalize_iban(value)


def email(data: dict, field: str, errors: Errors) -> str | None:
    value = string(data, field, errors, max_len=255)
    if value is not None and not _EMAIL.match(value):
        errors.add(field, f"The {label(field)} field must be a valid email address.")
    return value


def phone(data: dict, field: str, errors: Errors) -> str | None:
    value = data.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # Laravel's string rule would refuse it; a lenient provider keeps it
    value = string({field: value}, field, errors, max_len=20)
    if value is not None and not _PHONE.match(value):
        errors.add(field, f"The {label(field)} field format is invalid.")
    return value


def integer_param(
    params: Any,
    field: str,
    errors: Errors,
    *,
    required: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Query-string integer with Laravel's messages (required, integer, min, max)."""
    raw = params.get(field)
    if raw is None or raw.strip() == "":
        if required:
            errors.add(field, f"The {label(field)} field is required.")
        return None
    if not _INTEGER.match(raw):
        errors.add(field, f"The {label(field)} field must be an integer.")
        return None
    value = int(raw)
    if minimum is not None and value < minimum:
        errors.add(field, f"The {label(field)} field must be at least {minimum}.")
        return None
    if maximum is not None and value > maximum:
        errors.add(field, f"The {label(field)} field must not be greater than {maximum}.")
        return None
    return value


def date_param(params: Any, field: str, errors: Errors) -> date | None:
    """Optional 'Y-m-d' query date; a wrong format or an impossible date is an error."""
    raw = params.get(field)
    if raw is None or raw == "":
        return None
    if not _DATE.match(raw):
        errors.add(field, f"The {label(field)} field must match the format Y-m-d.")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(field, f"The {label(field)} field must be a valid date.")
        return None
