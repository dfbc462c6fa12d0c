"""IBAN primitives: normalising, mod-97, Turkish structure, display and masking."""

from __future__ import annotations

import pytest

from dashboard.iban import (
    TR_IBAN_LENGTH,
    bank_code,
    format_iban,
    iban_is_valid,
    iban_problem,
    make_tr_iban,
    mask_iban,
    normalize_iban,
)

GUIDE_IBAN = "TR330006100519786457841326"  # the provider guide's example; valid


def test_normalize():
    assert normalize_iban(" tr33 0006-1005\u00a01978 6457 8413 26\n") == GUIDE_IBAN
    assert normalize_iban(None) == ""  # type: ignore[arg-type]


def test_valid_guide_iban():
    assert iban_problem(GUIDE_IBAN) is None and iban_is_valid("tr33 0006 1005 1978 6457 8413 26")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "Enter"),
        ("DE89370400440532013000", "starts with TR"),
        ("TR33 0006.1005", "only letters and digits"),
        ("TR3300061005197864578413", "26 characters; this one has 24"),
        ("TR33000610051978645784132A", "only digits"),
        ("TR340006100519786457841326", "check digits"),
        ("TR330006100519786457841362", "check digits"),  # swapped digits
    ],
)
def test_problems(text, fragment):
    problem = iban_problem(text)
    assert problem is not None and fragment in problem
    assert not iban_is_valid(text)


def test_every_single_digit_typo_is_caught():
    for i in range(4, TR_IBAN_LENGTH):
        for d in "0123456789":
            if d != GUIDE_IBAN[i]:
                assert not iban_is_valid(GUIDE_IBAN[:i] + d + GUIDE_IBAN[i + 1 :])


def test_make_tr_iban_round_trip():
    iban = make_tr_iban("00064", "0000001234567890")
    assert iban == "TR950006400000001234567890" and iban_is_valid(iban) and bank_code(iban) == "00064"
    assert make_tr_iban("00061", "0519786457841326") == GUIDE_IBAN
    with pytest.raises(ValueError):
        make_tr_iban("64", "0000001234567890")


def test_bank_code():
    assert bank_code("tr33 0006 1005 1978 6457 8413 26") == "00061"
    assert bank_code("TR33") is None and bank_code("DE89370400440532013000") is None


def test_format_and_mask():
    assert format_iban(GUIDE_IBAN.lower()) == "TR33 0006 1005 1978 6457 8413 26"
    assert mask_iban(GUIDE_IBAN) == "TR33 **** **** 1326"
    assert mask_iban("TR33") == "****"
