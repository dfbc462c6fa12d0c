"""Money primitives: tolerant API parsing, strict input parsing, kuruş conversion, formatting."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from dashboard.money import (
    AmountError,
    format_percent,
    format_try,
    from_kurus,
    kurus_array,
    parse_amount_input,
    quantize,
    to_decimal,
    to_kurus,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("3.50", Decimal("3.50")),
        (3.5, Decimal("3.5")),
        (125000, Decimal("125000")),
        (125000.00, Decimal("125000.0")),
        ("1,234.50", Decimal("1234.50")),
        ("125,000.00 ₺", Decimal("125000.00")),
        ("10 TL", Decimal("10")),
        (0.1, Decimal("0.1")),
        (Decimal("2.5"), Decimal("2.5")),
        (" -7.25 ", Decimal("-7.25")),
    ],
)
def test_to_decimal(value, expected):
    assert to_decimal(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "  ", "abc", True, False, float("nan"), float("inf"), "NaN", "Infinity", [1]]
)
def test_to_decimal_unreadable(value):
    assert to_decimal(value) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1500", "1500"),
        ("1500.5", "1500.5"),
        ("1500,50", "1500.50"),
        ("1.500,50", "1500.50"),
        ("1,500.50", "1500.50"),
        ("₺1.500,50", "1500.50"),
        ("1500 TL", "1500"),
        ("1 500,50", "1500.50"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        (",5", "0.5"),
        ("1500tl", "1500"),
    ],
)
def test_parse_amount_input(text, expected):
    assert parse_amount_input(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "Enter"),
        ("TL", "Enter"),
        ("1.500", "ambiguous"),
        ("1,500", "ambiguous"),
        ("1e5", "only digits"),
        ("12a", "only digits"),
        ("1.500.000", "without thousands"),
        ("1,50.000,00", "misplaced"),
        ("1.50,000.5", "misplaced"),
        # A first group of more than three digits is no thousands grouping (fixed: was read as 1234567.89).
        ("1234.567,89", "misplaced"),
        ("1234,567.89", "misplaced"),
        (",", "not an amount"),
    ],
)
def test_parse_amount_input_refuses(text, fragment):
    with pytest.raises(AmountError) as info:
        parse_amount_input(text)
    assert fragment in str(info.value)


def test_quantize_and_kurus():
    assert quantize(Decimal("1.005")) == Decimal("1.01") and quantize(Decimal("-1.005")) == Decimal("-1.01")
    assert to_kurus(Decimal("1500.50")) == 150050 and to_kurus(Decimal("-0.01")) == -1
    with pytest.raises(ValueError):
        to_kurus(Decimal("1.005"))
    assert from_kurus(150050) == Decimal("1500.50") and str(from_kurus(5)) == "0.05"


def test_kurus_array_fast_and_slow_paths():
    fast = kurus_array([0.1, 0.2, "3.50", 125000.0, 1234.57])
    assert fast.dtype == np.int64 and fast.tolist() == [10, 20, 350, 12500000, 123457]
    slow = kurus_array(["1,234.50", None, "junk", 2])
    assert slow.tolist() == [123450, 0, 0, 200]
    assert kurus_array([]).tolist() == []
    with pytest.raises(ValueError):
        kurus_array([1e14])


def test_format_try():
    assert format_try(Decimal("125000")) == "₺125,000.00"
    assert format_try(Decimal("125000"), "tr") == "125.000,00 ₺"
    assert format_try(Decimal("-1234.5")) == "-₺1,234.50"
    assert format_try(150050, kurus=True) == "₺1,500.50"
    assert format_try(None) == ""


def test_format_percent():
    assert format_percent(Decimal("3.5")) == "3.50%" and format_percent(Decimal("3.5"), "tr") == "%3,50"
    assert format_percent(None) == ""
