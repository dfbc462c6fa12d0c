"""Turkish bank codes -> banks, to show the receiving bank beside an IBAN on the payout form.

The names come from schwifty's bank registry (a maintained PyPI package whose Turkish list holds
52 banks with their BICs), so a new release of it brings new banks without a change here.
Its list lacks the participation (Islamic) banks; `PARTICIPATION_BANKS` adds them, from the
member list of the Participation Banks Association of Türkiye (TKBB). A code in neither list
gets no name: never a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dashboard.iban import bank_code

# TKBB member banks with their EFT codes (5 digits, as in characters 5-9 of an IBAN).
PARTICIPATION_BANKS: dict[str, str] = {
    "00203": "Albaraka Türk Katılım Bankası A.Ş.",
    "00205": "Kuveyt Türk Katılım Bankası A.Ş.",
    "00206": "Türkiye Finans Katılım Bankası A.Ş.",
    "00209": "Ziraat Katılım Bankası A.Ş.",
    "00210": "Vakıf Katılım Bankası A.Ş.",
    "00211": "Türkiye Emlak Katılım Bankası A.Ş.",
}


@dataclass(frozen=True, slots=True)
class Bank:
    code: str
    name: str
    bic: str | None = None


@cache
def turkish_banks() -> dict[str, Bank]:
    """Every Turkish bank we can name, by 5-digit code (schwifty's registry, then the supplement)."""
    from schwifty import registry  # imported on first use: reading the registry takes ~0.2 s

    banks: dict[str, Bank] = {}
    # A code listed twice keeps its primary entry (a foreign bank's branch can be listed without one).
    for entry in sorted(registry.get_banks_by_country("TR"), key=lambda entry: not entry.primary):
        banks.setdefault(entry.bank_code, Bank(entry.bank_code, entry.name, entry.bic or None))
    for code, name in PARTICIPATION_BANKS.items():
        banks.setdefault(code, Bank(code, name))
    return banks


def bank_for_iban(iban: str | None) -> Bank | None:
    """The bank of a Turkish IBAN (spaces and lower case accepted); None when not known."""
    code = bank_code(iban or "")
    return turkish_banks().get(code) if code else None
