"""The forms' checks: what a person types, read and refused in words they can act on.

The rules for each field of a payout or card payment are the client's (`dashboard.client.checks`,
re-exported here); this layer adds what only typed text needs: amounts written the Turkish or the
English way ('1.500,50'), transaction ids as pasted ('#123'), and each input's length limit.
Each `check_*` returns the cleaned value or raises `InputError({field: message})`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from dashboard.client import checks, models
from dashboard.client.checks import (
    CARD_MIN_AMOUNT,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    IBAN_TEXT_MAX,
    MAX_PAYOUT,
    NAME_LENGTH,
    PHONE_TEXT_MAX,
    USERNAME_MAX,
    InputError,
    check_description,
    check_email,
    check_iban,
    check_name,
    check_phone,
    check_username,
    clean_text,
    too_long,
)
from dashboard.client.iban import iban_is_valid, normalize_iban
from dashboard.money import AmountError, parse_amount_input

__all__ = [
    "CARD_MIN_AMOUNT",
    "MAX_CHARS",
    "MAX_PAYOUT",
    "InputError",
    "check_amount",
    "check_card_payment",
    "check_description",
    "check_email",
    "check_iban",
    "check_name",
    "check_phone",
    "check_send_money",
    "check_transaction_id",
    "check_username",
    "iban_is_valid",
    "normalize_iban",
]

# A typed amount: generous for spaces and currency signs ("₺1.000.000,00"), far below anything a
# person means.
AMOUNT_TEXT_MAX = 32

# The longest text each form field takes: the forms give their inputs these as `max_chars`, so an
# input and its check never disagree.
MAX_CHARS = {
    "username": USERNAME_MAX,
    "name": NAME_LENGTH[1],
    "description": DESCRIPTION_MAX,
    "email": EMAIL_MAX,
    "phone": PHONE_TEXT_MAX,
    "amount": AMOUNT_TEXT_MAX,
    "iban": IBAN_TEXT_MAX,
}

Request = TypeVar("Request", models.SendMoneyRequest, models.CardPaymentRequest)


def _read_typed_amount(value: object, field: str) -> object:
    """Typed text -> Decimal ('1.500,50', '1500.5', '₺250 TL'); any other value is the client's to judge."""
    if not isinstance(value, str):
        return value
    text = clean_text(value, field)
    too_long(text, AMOUNT_TEXT_MAX, "An amount has at most {limit} characters (this one has {length}).", field)
    try:
        return parse_amount_input(text)
    except AmountError as exc:
        raise InputError({field: str(exc)}) from None


def check_amount(
    value: str | Decimal | int | float | None,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal = MAX_PAYOUT,
    field: str = "amount",
) -> Decimal:
    """An amount in lira: typed text ('1.500,50', '1500.5') or a number; > 0, kuruş precision, within limits.

    Returns it with exactly two decimals.
    """
    amount = _read_typed_amount(value, field)
    return checks.check_amount(amount, minimum=minimum, maximum=maximum, field=field)  # type: ignore[arg-type]


def _with_typed_amount(build: Callable[..., Request], amount: object, fields: dict[str, object]) -> Request:
    """Build a request with the client's checks after reading a typed amount, all problems at once.

    An amount the forms cannot read goes to the client as missing, so every other field is still
    checked; its own message (why the text is no amount) then replaces the client's "Enter an amount.".
    """
    typed_problem: dict[str, str] = {}
    try:
        amount = _read_typed_amount(amount, "amount")
    except InputError as exc:
        amount, typed_problem = None, exc.errors
    try:
        return build(amount=amount, **fields)
    except InputError as exc:
        raise InputError({**exc.errors, **typed_problem}) from None


def check_send_money(*, amount: str | Decimal | int | float | None, **fields: object) -> models.SendMoneyRequest:
    """A clean payout request from the form (fields as in `checks.check_send_money`), or InputError
    listing every field's problem."""
    return _with_typed_amount(checks.check_send_money, amount, fields)


def check_card_payment(*, amount: str | Decimal | int | float | None, **fields: object) -> models.CardPaymentRequest:
    """A clean card payment request from the form (at least CARD_MIN_AMOUNT), or InputError listing
    every problem."""
    return _with_typed_amount(checks.check_card_payment, amount, fields)


def check_transaction_id(value: object, *, field: str = "transaction_id") -> int:
    """A transaction id as typed or taken from a URL, by the one rule (`models.parse_transaction_id`).

    Only what a person adds around an id is taken off: surrounding spaces (a paste) and one leading
    '#' ("#123"). The caller shows the id it got, so nothing changes without the person seeing it.
    """
    text = clean_text(value, field).removeprefix("#")
    if not text:
        raise InputError({field: "Enter a transaction id."})
    try:
        return models.parse_transaction_id(text)
    except models.TransactionIdError as exc:
        raise InputError({field: str(exc)}) from None
