"""The words EnigmaPay uses for statuses, transaction types and on/off, in English or Turkish.

Tables map a normalised word to an enum *value* ("completed"), so `models` can parse its enums here
without this module importing `models` (and the reader imports `models`, never the other way round).
"""

from __future__ import annotations

import functools
import unicodedata


def normalize_word(text: object) -> str:
    """Casefold and drop combining marks so 'İPTAL EDİLDİ', 'iptal_edildi' and 'Iptal Edildi' compare equal.

    'İ'.lower() is 'i' + COMBINING DOT ABOVE, and Turkish dotless 'ı' has no casefold to 'i'; both are
    flattened here, as are ç/ğ/ö/ş/ü, so ASCII spellings ('Basarili', 'cekim') match too.
    """
    folded = unicodedata.normalize("NFKD", str(text).casefold())
    flat = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("ı", "i")
    return " ".join(flat.replace("_", " ").replace("-", " ").split())


def _table(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalize_word(word): value for value, variants in words.items() for word in variants}


_STATUS_WORDS = _table(
    {
        "pending": ("Pending", "Beklemede", "Bekliyor", "Onay Bekliyor", "Waiting"),
        "processing": ("Processing", "İşleniyor", "İşlemde", "In Progress"),
        "completed": ("Completed", "Complete", "Tamamlandı", "Başarılı", "Success", "Successful"),
        "failed": ("Failed", "Başarısız", "Hata", "Error"),
        "cancelled": ("Cancelled", "Canceled", "İptal", "İptal Edildi"),
        "rejected": ("Rejected", "Reddedildi", "Declined"),
    }
)
_TYPE_WORDS = _table(
    {
        "deposit": ("deposit", "yatırım", "para yatırma"),
        "withdrawal": ("withdrawal", "withdraw", "çekim", "para çekme", "payout"),
    }
)
_ACTIVE_WORDS = frozenset(
    normalize_word(w) for w in ("Aktif", "Active", "Enabled", "Etkin", "Açık", "On", "True", "1", "Yes", "Evet")
)


@functools.lru_cache(maxsize=256)
def status_value(text: str) -> str:
    """A status word -> the `Status` value it names ('Tamamlandı' -> 'completed'), else 'unknown'."""
    return _STATUS_WORDS.get(normalize_word(text), "unknown")


def type_value(text: object) -> str:
    """A transaction type word -> the `TxType` value it names ('çekim' -> 'withdrawal'), else 'unknown'."""
    return _TYPE_WORDS.get(normalize_word(text), "unknown")


def is_active_word(value: object) -> bool:
    """'Aktif'/'Active'/true/1 -> True; 'Pasif'/'Inactive'/anything else -> False."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return normalize_word(value) in _ACTIVE_WORDS
