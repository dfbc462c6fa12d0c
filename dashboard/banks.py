"""Turkish bank codes -> bank names, to show the receiving bank beside an IBAN on the payout form.

Only codes we are sure of are listed; an unknown code shows no name rather than a wrong one.
"""

from __future__ import annotations

from dashboard.iban import bank_code

# The 5-digit bank code is characters 5-9 of a Turkish IBAN (EFT code with a leading zero).
BANKS: dict[str, str] = {
    "00010": "Ziraat Bankası",
    "00012": "Halkbank",
    "00015": "VakıfBank",
    "00032": "TEB",
    "00046": "Akbank",
    "00059": "Şekerbank",
    "00062": "Garanti BBVA",
    "00064": "İş Bankası",
    "00067": "Yapı Kredi",
    "00099": "ING",
    "00111": "QNB",
    "00123": "HSBC",
    "00124": "Alternatif Bank",
    "00134": "DenizBank",
    "00135": "Anadolubank",
    "00146": "Odeabank",
    "00203": "Albaraka Türk",
    "00205": "Kuveyt Türk",
    "00206": "Türkiye Finans",
    "00209": "Ziraat Katılım",
    "00210": "Vakıf Katılım",
    "00211": "Emlak Katılım",
}


def bank_name_for_iban(iban: str) -> str | None:
    """The bank's name for a Turkish IBAN (spaces and lower case accepted); None when not known."""
    code = bank_code(iban or "")
    return BANKS.get(code) if code else None
