"""The checks the client runs on a payout or card payment before any request: every field cleaned,
every problem said in words a person can act on (the console translates them).

Each `check_*` returns the cleaned value or raises `InputError({field: message})`; the two request
builders collect the problems of all fields at once. `dashboard.validation` builds the forms' checks
(typed amounts, transaction ids) on these.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from . import models
from .amounts import format_lira, quantize, to_decimal
from .iban import iban_problem, normalize_iban

# Assumed typo guard, not a provider limit: no single payout or card payment above one million lira.
MAX_PAYOUT = Decimal("1000000.00")
# The provider's guide: card payments start at 200 TL.
CARD_MIN_AMOUNT = Decimal("200")

NAME_LENGTH = (2, 100)
USERNAME_MAX = 64
DESCRIPTION_MAX = 255
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
# Text as typed: generous for spaces and signs ("+90 (532) 123-45-67", an IBAN in blocks), far
# below anything a person means.
PHONE_TEXT_MAX = 32
IBAN_TEXT_MAX = 42

# Characters shown by name in a message, at most this many.
_SHOWN_CHARACTERS = 5

_NAME_PUNCTUATION = frozenset(" '’.-")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.")


class InputError(ValueError):
    """One or more fields are not acceptable; `errors` maps each field to a message fit for a person."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


def clean_text(value: object, field: str) -> str:
    """Strip surrounding whitespace and refuse control / invisible formatting characters anywhere."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError({field: "Enter text here."})
    text = unicodedata.normalize("NFC", value).strip()
    # Cs: a lone surrogate half, which no browser sends and no request body can carry.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text):
        raise InputError({field: "Remove the invisible control characters (a pasted line break, tab or similar)."})
    return text


def too_long(text: str, limit: int, message: str, field: str) -> None:
    """Refuse text past `limit` with `message` naming the limit and the length (never cut it short)."""
    if len(text) > limit:
        raise InputError({field: message.format(limit=limit, length=len(text))})


def _shown(chars) -> str:
    """Characters a message names: each in quotes, invisible ones as U+XXXX, no repeats."""
    unique = list(dict.fromkeys(chars))
    shown = [
        f"“{ch}”" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}" for ch in unique[:_SHOWN_CHARACTERS]
    ]
    return ", ".join(shown) + (" …" if len(unique) > _SHOWN_CHARACTERS else "")


def check_amount(
    value: Decimal | int | float | None,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal = MAX_PAYOUT,
    field: str = "amount",
) -> Decimal:
    """An amount in lira as a number: > 0, kuruş precision, within limits; returned with two decimals.

    Typed text ('1.500,50') is the forms' to read (`dashboard.validation.check_amount`), not the client's.
    """
    if value is None:
        raise InputError({field: "Enter an amount."})
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise InputError({field: "This is not an amount."})
    # Floats (st.number_input) go through their shortest repr, exact for what a person typed.
    amount = to_decimal(value)
    if amount is None or not amount.is_finite():
        raise InputError({field: "This is not an amount."})
    if amount <= 0:
        raise InputError({field: "The amount must be more than zero."})
    # The upper limit before rounding: a huge number has more digits than Decimal rounding allows.
    if amount > maximum:
        raise InputError({field: f"The amount is above {format_lira(maximum)}, the console's limit; check for a typo."})
    if quantize(amount) != amount:
        raise InputError({field: "Use at most two decimals (kuruş)."})
    if minimum is not None and amount < minimum:
        raise InputError({field: f"The amount must be at least {format_lira(minimum)}."})
    return quantize(amount)


def check_iban(value: object, *, field: str = "customer_iban") -> str:
    """A valid Turkish IBAN (mod-97), returned compact and upper case."""
    text = clean_text(value, field)
    too_long(text, IBAN_TEXT_MAX, "An IBAN as typed has at most {limit} characters (this one has {length}).", field)
    problem = iban_problem(text)
    if problem:
        raise InputError({field: problem})
    return normalize_iban(text)


def check_name(value: object, *, field: str = "name") -> str:
    """A person's name: 2-100 characters, letters (any alphabet, Turkish included), spaces, ' - and ."""
    text = " ".join(clean_text(value, field).split())
    if not text:
        raise InputError({field: "Enter the name."})
    low, high = NAME_LENGTH
    too_long(text, high, "A name has at most {limit} characters (this one has {length}).", field)
    # Letters of any alphabet and their accents (marks); digits, emoji and symbols are not names.
    refused = [ch for ch in text if unicodedata.category(ch)[0] not in "LM" and ch not in _NAME_PUNCTUATION]
    if refused:
        raise InputError(
            {field: f"A name has only letters, spaces, apostrophes, hyphens and dots; remove {_shown(refused)}."}
        )
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise InputError({field: "A name needs letters."})
    if len(text) < low:
        raise InputError({field: f"A name has at least {low} characters."})
    return text


def check_username(value: object, *, field: str = "username") -> str:
    """The customer's username on the dealer's site: 1-64 printable characters."""
    text = clean_text(value, field)
    if not text:
        raise InputError({field: "Enter the customer's username."})
    too_long(text, USERNAME_MAX, "A username has at most {limit} characters (this one has {length}).", field)
    if not text.isprintable():
        hidden = [ch for ch in text if not ch.isprintable()]
        raise InputError({field: f"A username has only printable characters; remove {_shown(hidden)}."})
    return text


def check_description(value: object, *, field: str = "description") -> str:
    """Optional free text, at most 255 characters ('' when left empty)."""
    text = clean_text(value, field)
    too_long(text, DESCRIPTION_MAX, "A description has at most {limit} characters (this one has {length}).", field)
    return text


def check_email(value: object, *, field: str = "email") -> str:
    """A plain address (name@example.com); the domain is lower-cased."""
    text = clean_text(value, field)
    if not text:
        raise InputError({field: "Enter the customer's email address."})
    too_long(text, EMAIL_MAX, "An email address has at most {limit} characters (this one has {length}).", field)
    local, at, domain = text.rpartition("@")
    if not at or not local:
        raise InputError({field: "An email address has a name, an @ and a domain, e.g. name@example.com."})
    if not _EMAIL.match(text):
        raise InputError({field: _email_problem(local, domain)})
    if len(local) > EMAIL_LOCAL_MAX:
        raise InputError(
            {field: f"The part before the @ has at most {EMAIL_LOCAL_MAX} characters (this one has {len(local)})."}
        )
    return f"{local}@{domain.lower()}"


def _email_problem(local: str, domain: str) -> str:
    """Which part of an address that does not match the pattern is wrong, in words."""
    refused = [ch for ch in local if ch not in _EMAIL_LOCAL_CHARS]
    if refused:
        return (
            f"The part before the @ has only Latin letters, digits and . _ - + and similar; remove {_shown(refused)}."
        )
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "The part before the @ cannot start or end with a dot or have two dots in a row."
    return "The part after the @ is not a domain name, e.g. example.com."


def check_phone(value: object, *, field: str = "phone") -> str:
    """A Turkish phone number in any usual writing -> '+90XXXXXXXXXX'.

    Assumed (the guide gives no format): the provider wants Turkish numbers; we send E.164.
    Accepts spaces, dashes, dots, parentheses and a +90, 0090, 90 or 0 prefix before 10 national digits.
    """
    text = clean_text(value, field)
    if not text:
        raise InputError({field: "Enter the customer's phone number."})
    too_long(text, PHONE_TEXT_MAX, "A phone number has at most {limit} characters (this one has {length}).", field)
    digits = _PHONE_SEPARATORS.sub("", text)
    refused = [ch for i, ch in enumerate(digits) if ch not in "0123456789" and not (i == 0 and ch == "+")]
    if refused:
        raise InputError(
            {
                field: f"A phone number has only digits, spaces, dashes, dots, brackets and a leading +; remove {_shown(refused)}."
            }
        )
    if digits.startswith(("+", "00")) and not digits.startswith(("+90", "0090")):
        raise InputError({field: "Only Turkish phone numbers (+90) are accepted."})
    for prefix in ("+90", "0090", "90", "0"):
        if len(digits) == len(prefix) + 10 and digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    if len(digits) != 10 or digits[0] == "0":
        raise InputError({field: "Enter a Turkish phone number with 10 digits, e.g. 0532 123 45 67."})
    return "+90" + digits


def _collect(checks: dict[str, tuple]) -> dict[str, object]:
    """Run every check, gathering all fields' problems before raising once."""
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, (check, value, kwargs) in checks.items():
        try:
            cleaned[name] = check(value, field=name, **kwargs)
        except InputError as exc:
            errors.update(exc.errors)
    if errors:
        raise InputError(errors)
    return cleaned


def check_send_money(
    *,
    username: object,
    amount: Decimal | int | float | None,
    customer_iban: object,
    customer_name: object,
    description: object = "",
) -> models.SendMoneyRequest:
    """A clean payout request, or InputError listing every field's problem."""
    c = _collect(
        {
            "username": (check_username, username, {}),
            "amount": (check_amount, amount, {}),
            "customer_iban": (check_iban, customer_iban, {}),
            "customer_name": (check_name, customer_name, {}),
            "description": (check_description, description, {}),
        }
    )
    return models.SendMoneyRequest(**c)  # type: ignore[arg-type]


def check_card_payment(
    *,
    username: object,
    firstname: object,
    lastname: object,
    email: object,
    phone: object,
    amount: Decimal | int | float | None,
    description: object = "",
) -> models.CardPaymentRequest:
    """A clean card payment request (at least CARD_MIN_AMOUNT), or InputError listing every problem."""
    c = _collect(
        {
            "username": (check_username, username, {}),
            "firstname": (check_name, firstname, {}),
            "lastname": (check_name, lastname, {}),
            "email": (check_email, email, {}),
            "phone": (check_phone, phone, {}),
            "amount": (check_amount, amount, {"minimum": CARD_MIN_AMOUNT}),
            "description": (check_description, description, {}),
        }
    )
    return models.CardPaymentRequest(**c)  # type: ignore[arg-type]
