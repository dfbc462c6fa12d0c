"""IBAN rules the client checks before a payout: ISO 13616 mod-97 and the Turkish length.

Input is accepted with spaces and in lower case; everything returned is compact upper case.
`dashboard.iban` re-exports these and adds display and masking.
"""

from __future__ import annotations

import re

TR_IBAN_LENGTH = 26
_ALNUM = re.compile(r"^[A-Z0-9]+$")


def normalize_iban(text: str) -> str:
    """Strip spaces (also non-breaking ones) and dashes, upper-case: 'tr33 0006 ...' -> 'TR330006...'."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def _mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97


def iban_problem(text: str) -> str | None:
    """Why `text` is not a valid Turkish IBAN, or None when it is."""
    iban = normalize_iban(text)
    if not iban:
        return "Enter the customer's IBAN."
    if not iban.startswith("TR"):
        return "A Turkish IBAN starts with TR."
    if not _ALNUM.match(iban):
        return "An IBAN has only letters and digits."
    if len(iban) != TR_IBAN_LENGTH:
        length = len(iban)
        return f"A Turkish IBAN has {TR_IBAN_LENGTH} characters; this one has {length}."
    if not iban[2:].isdigit():
        return "After TR a Turkish IBAN has only digits."
    if _mod97(iban) != 1:
        return "The IBAN's check digits do not match: look for a typo."
    return None


def iban_is_valid(text: str) -> bool:
    return iban_problem(text) is None


def make_tr_iban(bank_code: str, account: str, reserve: str = "0") -> str:
    """Build a valid Turkish IBAN from a 5-digit bank code and a 16-digit account (sandbox data, tests)."""
    if len(bank_code) != 5 or len(account) != 16 or len(reserve) != 1:
        raise ValueError("bank code has 5 digits, reserve 1, account 16")
    bban = bank_code + reserve + account
    check = 98 - _mod97("TR00" + bban)
    return f"TR{check:02d}{bban}"
