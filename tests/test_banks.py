"""Bank names from Turkish IBANs: schwifty's registry plus the participation banks."""

from __future__ import annotations

import pytest

from dashboard.banks import PARTICIPATION_BANKS, bank_for_iban, turkish_banks
from dashboard.iban import iban_is_valid, make_tr_iban


@pytest.mark.parametrize(
    "code, name, bic",
    [
        ("00010", "Türkiye Cumhuriyeti Ziraat Bankası A.Ş.", "TCZBTR2A"),
        ("00012", "Türkiye Halk Bankası A.Ş.", "TRHBTR2A"),
        ("00046", "Akbank T.A.Ş.", "AKBKTRIS"),
        ("00062", "Türkiye Garanti Bankası A.Ş.", "TGBATRIS"),
        ("00064", "Türkiye İş Bankası A.Ş.", "ISBKTRIS"),
        ("00111", "QNB Finansbank A.Ş.", "FNNBTRIS"),
        # Banks the old hand-made table of 22 did not have:
        ("00103", "Fibabanka A.Ş.", "FBHLTRIS"),
        ("00157", "Enpara Bank A.Ş.", "ENASTRIS"),
        ("00092", "Citibank A.Ş.", "CITITRIX"),
    ],
)
def test_banks_from_the_registry(code, name, bic):
    iban = make_tr_iban(code, "0000001234567890")
    assert iban_is_valid(iban)
    bank = bank_for_iban(iban)
    assert (bank.code, bank.name, bank.bic) == (code, name, bic)


@pytest.mark.parametrize("code", sorted(PARTICIPATION_BANKS))
def test_participation_banks_from_the_supplement(code):
    assert bank_for_iban(make_tr_iban(code, "0000001234567890")).name == PARTICIPATION_BANKS[code]


def test_registry_covers_every_bank_of_the_old_table_and_more():
    old_codes = {
        "00010",
        "00012",
        "00015",
        "00032",
        "00046",
        "00059",
        "00062",
        "00064",
        "00067",
        "00099",
        "00111",
        "00123",
        "00124",
        "00134",
        "00135",
        "00146",
        "00203",
        "00205",
        "00206",
        "00209",
        "00210",
        "00211",
    }
    assert old_codes <= set(turkish_banks())
    assert len(turkish_banks()) >= 52 + len(PARTICIPATION_BANKS)  # schwifty 2026.10 lists 52


def test_spaced_lower_case_input():
    assert bank_for_iban("tr95 0006 4000 0000 1234 5678 90").name == "Türkiye İş Bankası A.Ş."


@pytest.mark.parametrize("iban", ["", "TR95", "DE89370400440532013000", None])
def test_not_a_turkish_iban(iban):
    assert bank_for_iban(iban) is None


def test_the_guides_example_code_is_in_no_registry():
    # 00061, the bank code of the guide's sample IBAN TR33 0006 1005 ..., is in neither schwifty's
    # registry nor the TKBB list: the form names the code instead of guessing a bank.
    assert bank_for_iban("TR330006100519786457841326") is None
