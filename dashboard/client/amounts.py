"""Amounts as the API writes them: reading them into Decimal, rounding to kuruş, writing them in messages.

The client's part of money handling; `dashboard.money` re-exports these and adds the console's own
(typed Turkish input, integer kuruş frames, Turkish display).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal | None:
    """Tolerant reader for amounts in API bodies: "3.50", 3.5, 125000, "1,234.50", None/"" -> None.

    Floats go through their shortest repr, which is exact for two-decimal amounts the API sends.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("₺", "").replace("TL", "").replace("TRY", "").strip()
        if not text:
            return None
        # API bodies use '.' for decimals; a ',' there is a thousands separator ("125,000.00").
        text = text.replace(",", "").replace(" ", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def quantize(amount: Decimal) -> Decimal:
    """Round half-up to kuruş."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_lira(amount: Decimal) -> str:
    """'₺125,000.00', '-₺5.00': an amount in the client's (English) messages, rounded to kuruş."""
    value = quantize(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}₺{abs(value):,.2f}"
