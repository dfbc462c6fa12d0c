"""Money: the one place where amounts are parsed, converted and formatted.

Amounts are Turkish lira with two decimals. Models, forms and the journal hold `Decimal`;
large frames hold integer kuruş (1 TRY = 100 kuruş) so sums are exact and filters fast.
Reading API amounts and rounding to kuruş are the client's (`dashboard.client.amounts`, re-exported
here); typed input, kuruş conversion and display are the console's.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.client.amounts import CENT, format_lira, quantize, to_decimal

__all__ = [
    "CENT",
    "KURUS_PER_TRY",
    "AmountError",
    "format_percent",
    "format_try",
    "from_kurus",
    "kurus_array",
    "parse_amount_input",
    "quantize",
    "to_decimal",
    "to_kurus",
]

KURUS_PER_TRY = 100
# Exact, sortable money for tables and exports: Arrow decimals holding the kuruş, never floats.
MONEY_DTYPE = pd.ArrowDtype(pa.decimal128(18, 2))
# JSON numbers decode to binary doubles; for a two-decimal amount below this bound,
# round(x * 100) recovers the exact kuruş integer (2**53 / 100 with a wide margin).
_EXACT_FLOAT_KURUS_LIMIT = 10**15


class AmountError(ValueError):
    """An amount that cannot be read as lira; the message is fit to show a person."""


_INPUT_CHARS = re.compile(r"^[+-]?[0-9.,]+$")


def parse_amount_input(text: str) -> Decimal:
    """Read an amount a person typed, in Turkish or English style, refusing anything ambiguous.

    Accepts "1500", "1500.5", "1500,50", "1.500,50", "1,500.50", "₺1.500,50", "1500 TL".
    Refuses "1.500" and "1,500": a person may mean fifteen hundred or one and a half, and a payout
    must not guess.
    """
    cleaned = (text or "").strip()
    for token in ("₺", "TRY", "TL", "tl", " ", "\u00a0"):
        cleaned = cleaned.replace(token, "")
    if not cleaned:
        raise AmountError("Enter an amount.")
    if not _INPUT_CHARS.match(cleaned):
        raise AmountError("An amount has only digits and one decimal separator, e.g. 1500,50.")
    if "." in cleaned and "," in cleaned:
        decimal_sep = "." if cleaned.rfind(".") > cleaned.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        whole, _, fraction = cleaned.rpartition(decimal_sep)
        groups = whole.lstrip("+-").split(thousands_sep)
        if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]) or decimal_sep in whole:
            raise AmountError("The thousands separators in this amount are misplaced.")
        number = whole.replace(thousands_sep, "") + "." + fraction
    elif "." in cleaned or "," in cleaned:
        sep = "." if "." in cleaned else ","
        if cleaned.count(sep) > 1:
            raise AmountError("Write the amount without thousands separators, e.g. 1500000,00.")
        whole, fraction = cleaned.split(sep)
        if len(fraction) == 3:
            _refuse_three_decimals(text.strip(), whole, sep, fraction)
        number = f"{whole}.{fraction}"
    else:
        number = cleaned
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise AmountError("This is not an amount.") from None
    if not amount.is_finite():
        raise AmountError("This is not an amount.")
    return amount


def _could_be_thousands(whole: str) -> bool:
    """Whether the digits before a lone separator can be a first thousands group ("1" to "999")."""
    digits = whole.lstrip("+-")
    return 1 <= len(digits) <= 3 and not digits.startswith("0")


def _refuse_three_decimals(typed: str, whole: str, sep: str, fraction: str) -> None:
    """Three digits after a lone separator ("1.500", "0.001", "200,001"): refuse what cannot be read
    one way only, saying why; return when the decimal reading is the only one ("0.500", "1500,000").

    Read as decimals, a last digit other than 0 is below a kuruş: that is too many decimals whatever
    was meant (a thousands reading is not guessed). "1.500" is both 1500 and 1.50: ambiguous.
    """
    whole_number = whole + fraction
    if fraction[-1] != "0":
        if _could_be_thousands(whole):
            raise AmountError(
                f"'{typed}' has 3 decimals; use at most 2 (kuruş). For the whole number write {whole_number}."
            )
        raise AmountError(f"'{typed}' has 3 decimals; use at most 2 (kuruş).")
    if _could_be_thousands(whole):
        decimal = f"{whole}{sep}{fraction[:2]}"
        raise AmountError(
            f"'{typed}' is ambiguous: write {whole_number} for the whole number or {decimal} for lira and kuruş."
        )


def to_kurus(amount: Decimal) -> int:
    """Exact lira -> integer kuruş; refuses sub-kuruş precision rather than silently rounding."""
    scaled = amount * KURUS_PER_TRY
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(scaled)


def from_kurus(kurus: int) -> Decimal:
    return (Decimal(int(kurus)) / KURUS_PER_TRY).quantize(CENT)


def kurus_at_least(amount: Decimal) -> int:
    """The smallest whole kuruş >= `amount` lira (an inclusive lower bound on amounts)."""
    return math.ceil(Decimal(amount) * KURUS_PER_TRY)


def kurus_at_most(amount: Decimal) -> int:
    """The largest whole kuruş <= `amount` lira (an inclusive upper bound on amounts)."""
    return math.floor(Decimal(amount) * KURUS_PER_TRY)


def kurus_array(values: object) -> np.ndarray:
    """Vectorised lira -> int64 kuruş for a column of JSON numbers or numeric strings.

    Missing or unreadable values become 0 with no error: the tolerant reader keeps such rows.
    """
    arr = np.asarray(values, dtype=object)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    try:
        floats = arr.astype(np.float64)
    except (TypeError, ValueError):
        # Strings with thousands separators or junk: slow path, one value at a time.
        out = np.empty(arr.size, dtype=np.int64)
        for i, v in enumerate(arr):
            d = to_decimal(v)
            out[i] = int(quantize(d) * KURUS_PER_TRY) if d is not None else 0
        return out
    floats = np.nan_to_num(floats, nan=0.0, posinf=0.0, neginf=0.0)
    scaled = np.rint(floats * KURUS_PER_TRY)
    if np.abs(scaled).max(initial=0) >= _EXACT_FLOAT_KURUS_LIMIT:
        raise ValueError("amount too large for exact kuruş conversion")
    return scaled.astype(np.int64)


def kurus_to_decimal_array(kurus: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """int64 kuruş -> exact, sortable lira as Arrow decimal128(18, 2), without any float.

    decimal128(18, 2) stores the unscaled integer, i.e. the kuruş: write it (sign-extended to
    128 bits, little-endian) straight into the buffer.
    """
    kurus = np.ascontiguousarray(kurus, dtype=np.int64)
    words = np.empty((len(kurus), 2), dtype="<i8")
    words[:, 0] = kurus
    words[:, 1] = kurus >> 63
    arr = pa.Array.from_buffers(pa.decimal128(18, 2), len(kurus), [None, pa.py_buffer(words)])
    return pd.arrays.ArrowExtensionArray(arr)


def kurus_for_chart(kurus: object) -> np.ndarray:
    """int kuruş -> float64 lira for a chart's axis only: plotting takes floats; sums, tables and
    exports never do."""
    return np.asarray(kurus) / KURUS_PER_TRY


def decimals_for_chart(amounts: pd.Series) -> pd.Series:
    """Exact lira (Decimal / `MONEY_DTYPE`) -> float64 for a chart's axis only, like `kurus_for_chart`."""
    return amounts.astype("float64")


def format_try(amount: Decimal | int | None, lang: str = "en", *, kurus: bool = False) -> str:
    """'₺125,000.00' in English, '125.000,00 ₺' in Turkish; `kurus=True` when `amount` is int kuruş."""
    if amount is None:
        return ""
    value = from_kurus(int(amount)) if kurus else quantize(Decimal(amount))
    if lang != "tr":
        return format_lira(value)
    sign = "-" if value < 0 else ""
    body = format_amount(abs(value), lang)
    return f"{sign}{body} ₺"


def format_amount(amount: Decimal | None, lang: str = "en") -> str:
    """The number alone, two decimals: '-125,000.00' in English, '-125.000,00' in Turkish ('' for None)."""
    if amount is None:
        return ""
    body = f"{quantize(Decimal(amount)):,.2f}"
    return body.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "tr" else body


def format_percent(rate: Decimal | None, lang: str = "en") -> str:
    """Commission rates: '3.50%' / '%3,50' (Turkish puts the sign first)."""
    if rate is None:
        return ""
    body = f"{quantize(rate):.2f}"
    return f"%{body.replace('.', ',')}" if lang == "tr" else f"{body}%"
