"""Reading a callback body: size, JSON shape, fields, and amounts that cannot be real."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from dashboard.client.models import TransactionIdError, parse_transaction_id
from dashboard.money import to_decimal

MAX_BODY = 64 * 1024
# Verification state of an event whose amount cannot be real (see read_amount): never trusted.
INVALID_AMOUNT = "invalid_amount"
MIN_TOKEN_LENGTH = 16
_STRING_LIMITS = {"username": 255, "description": 255, "completed_at": 64}
# Starlette's answer for an unknown path: a wrong token must look exactly like it.
NOT_FOUND = ("Not Found", 404)
# A claim outlives the slowest batch (a status call may take its timeout and retries) plus slack;
# after that another process may take the events over.


class CallbackRejected(ValueError):
    """A body that is not a callback; the message goes back in the 400 answer."""


KNOWN_FIELDS = ("transaction_id", "status", "amount", "username", "description", "completed_at")


def parse_callback(body: bytes) -> dict[str, Any]:
    """Validate a callback body; returns the typed fields plus `raw_json` (the body, extras kept).

    A body that is not a callback raises CallbackRejected (answered 400). A numeric `amount` that
    cannot be real does not: the event is kept with `amount` None and `amount_problem` saying why
    (`read_amount` says why it is not refused).
    """
    data, text = _read_json(body)
    if not isinstance(data, dict):
        raise CallbackRejected("body is not a JSON object")
    tx = data.get("transaction_id")
    if tx is None:
        raise CallbackRejected("transaction_id is missing")
    try:
        tx = parse_transaction_id(tx)  # the one rule lookup and the journal use too
    except TransactionIdError as exc:
        raise CallbackRejected(f"transaction_id: {exc}") from None
    status = data.get("status")
    if status is None:
        raise CallbackRejected("status is missing")
    if not isinstance(status, str) or not status.strip() or len(status) > 64:
        raise CallbackRejected("status must be a non-empty string of at most 64 characters")
    amount, problem = read_amount(data.get("amount"))
    strings = {}
    for name, limit in _STRING_LIMITS.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise CallbackRejected(f"{name} must be a string of at most {limit} characters")
        strings[name] = value
    # The body text itself is kept (unknown fields included) rather than a re-encoding of it.
    return {
        "transaction_id": tx,
        "status_text": status.strip(),
        "amount": amount,
        "amount_problem": problem,
        **strings,
        "raw_json": text,
    }


def _read_json(body: bytes) -> tuple[Any, str]:
    """UTF-8 JSON text -> (value, text); anything that could never be stored is CallbackRejected."""
    try:
        text = body.decode("utf-8")
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):  # ValueError: not JSON, NaN/Infinity, an int of > 4300 digits
        raise CallbackRejected("body is not JSON") from None
    except RecursionError:  # "[[[[..." 30,000 deep: Python's parser gives up, the body is not a callback
        raise CallbackRejected("body is nested too deeply") from None
    if _has_lone_surrogate(data):
        # "\ud83d" alone is valid JSON but no UTF-8 text: SQLite (and the page showing it) would fail on it.
        raise CallbackRejected("body has a string that is not valid Unicode (a lone surrogate)")
    return data, text


def _has_lone_surrogate(value: Any) -> bool:
    """True when any key or string anywhere in a parsed JSON value cannot be encoded as UTF-8."""
    stack = [value]  # a loop, not recursion: the value may be nested as deep as the parser allowed
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


# More lira than any real transaction (and more kuruş than SQLite's INTEGER holds).
_AMOUNT_LIMIT = Decimal(10) ** 13


def read_amount(value: object) -> tuple[Decimal | None, str | None]:
    """A callback's `amount` -> (amount, None), (None, None) when absent, or (None, why it cannot be real).

    Decision (README "Callbacks"): the amount is optional. One that is no number at all is a body
    of the wrong shape, refused like any other field (CallbackRejected, 400). A number that cannot
    be a real amount (zero, negative, more than two decimals, too large) does not refuse the event:
    a 400 would make the provider retry a body that can never pass and lose the status change it
    reports. The event is stored without an amount and marked `invalid_amount`: never trusted,
    never verified, never matched to a payout, never moves the transaction's status.
    """
    if value is None:
        return None, None
    amount = None if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)) else to_decimal(value)
    if amount is None:  # also "NaN" / "Infinity" as text: to_decimal takes only finite numbers
        raise CallbackRejected("amount must be a number")
    if amount <= 0:
        return None, "amount is not positive"
    if amount >= _AMOUNT_LIMIT:
        return None, "amount is too large to be real"
    if amount != amount.quantize(Decimal("0.01")):
        return None, "amount has more than two decimals"
    return amount, None


def _refuse_constant(name: str) -> None:
    raise ValueError(name)  # NaN / Infinity are not JSON
