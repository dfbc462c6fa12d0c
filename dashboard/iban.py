"""IBAN handling for the console: display in blocks, masking, the bank code.

The rules (mod-97, Turkish length, normalising) are the client's, re-exported here for the console.
Input is accepted with spaces and in lower case; everything returned is compact upper case.
"""

from __future__ import annotations

from dashboard.client.iban import TR_IBAN_LENGTH, iban_is_valid, iban_problem, make_tr_iban, normalize_iban

__all__ = [
    "TR_IBAN_LENGTH",
    "bank_code",
    "format_iban",
    "iban_is_valid",
    "iban_problem",
    "make_tr_iban",
    "mask_iban",
    "normalize_iban",
]


def bank_code(iban: str) -> str | None:
    """The 5-digit bank code of a Turkish IBAN (characters 5-9)."""
    iban = normalize_iban(iban)
    if len(iban) != TR_IBAN_LENGTH or not iban.startswith("TR"):
        return None
    return iban[4:9]


def format_iban(iban: str) -> str:
    """Blocks of four for reading aloud: 'TR33 0006 1005 1978 6457 8413 26'."""
    iban = normalize_iban(iban)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def mask_iban(iban: str) -> str:
    """Enough to recognise an account in an audit log, not enough to use it: 'TR33 **** **** 1326'."""
    iban = normalize_iban(iban)
    if len(iban) < 8:
        return "*" * len(iban)
    return f"{iban[:4]} **** **** {iban[-4:]}"
