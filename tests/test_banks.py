"""Bank names from Turkish IBANs."""

from __future__ import annotations

import pytest

from dashboard.banks import BANKS, bank_name_for_iban
from dashboard.iban import iban_is_valid, make_tr_iban


@pytest.mark.parametrize(
    "code, name",
    [("00010", "Ziraat Bankası"), ("00012", "Halkbank"), ("00015", "VakıfBank"), ("00046", "Akbank"),
     ("00062", "Garanti BBVA"), ("00064", "İş Bankası"), ("00067", "Yapı Kredi"), ("00111", "QNB"),
     ("00205", "Kuveyt Türk"), ("00211", "Emlak Katılım")],
)
def test_known_banks(code, name):
    iban = make_tr_iban(code, "0000001234567890")
    assert iban_is_valid(iban)
    assert bank_name_for_iban(iban) == name


def test_spaced_lower_case_input():
    assert bank_name_for_iban("tr95 0006 4000 0000 1234 5678 90") == "İş Bankası"


@pytest.mark.parametrize("iban", ["TR330006100519786457841326", "", "TR95", "DE89370400440532013000", None])
def test_unknown_or_not_an_iban(iban):
    # 00061 (the guide's sample IBAN) is not in the table: no name rather than a guessed one.
    assert bank_name_for_iban(iban) is None


def test_table_keys_are_five_digit_codes():
    assert all(len(code) == 5 and code.isdigit() for code in BANKS)
    assert len(set(BANKS.values())) == len(BANKS)
