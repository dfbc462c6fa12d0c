"""What a person typed into a page's form -> a clean value or request, or the messages to show.

The checks themselves live in dashboard.validation (the client runs the same ones); this module
turns their InputError into return values, so a page reads as UI: no exception handling for a typo.
Messages are in English; the page translates them where it shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dashboard import validation
from dashboard.client.models import CardPaymentRequest, SendMoneyRequest

MAX_CHARS = validation.MAX_CHARS  # each form field's length limit, given to its input as max_chars
CARD_MIN_AMOUNT = validation.CARD_MIN_AMOUNT
R = TypeVar("R")


def transaction_id(text: str) -> tuple[int | None, str | None]:
    """(the id, None) for a valid transaction id as typed or taken from a URL, else (None, why)."""
    try:
        return validation.check_transaction_id(text), None
    except validation.InputError as exc:
        return None, exc.errors["transaction_id"]


def payout_request(**fields: str) -> tuple[SendMoneyRequest | None, dict[str, str]]:
    """(the payout request, {}) when every field is acceptable, else (None, field -> message);
    fields as `validation.check_send_money` takes them."""
    return _checked(validation.check_send_money, fields)


def card_payment_request(**fields: str) -> tuple[CardPaymentRequest | None, dict[str, str]]:
    """(the card payment request, {}) when every field is acceptable, else (None, field -> message);
    fields as `validation.check_card_payment` takes them."""
    return _checked(validation.check_card_payment, fields)


def _checked(check: Callable[..., R], fields: dict[str, str]) -> tuple[R | None, dict[str, str]]:
    try:
        return check(**fields), {}
    except validation.InputError as exc:
        return None, exc.errors
