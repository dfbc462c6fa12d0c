"""The history frame's schema: its columns, the canonical status and type words, word folding.

Shared by every step of the history (ingest, filters, summary, balance, display): what a column
holds is written once, in `COLUMNS`. No Streamlit, no I/O.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

STATUSES: tuple[str, ...] = ("Pending", "Processing", "Completed", "Failed", "Cancelled", "Rejected", "Unknown")
TYPES: tuple[str, ...] = ("deposit", "withdrawal", "unknown")
TEXT_FIELDS: tuple[str, ...] = ("username", "customer_name", "customer_iban", "description")
SEARCH_COLUMN = "search_text"

# pyarrow-backed strings: filters and CSV run as Arrow kernels without copying to Python objects.
STRING_DTYPE = pd.StringDtype("pyarrow")
TIME_UNIT = "us"

COLUMNS: dict[str, str] = {
    "id": "Int64 - provider's transaction id; <NA> when missing or not an integer",
    "iban_id": "int64 - the dealer IBAN's id the records were fetched for",
    "iban": "category - that IBAN, compact upper case",
    "type": "category of TYPES: deposit / withdrawal / unknown",
    "status": "category of STATUSES (canonical English labels)",
    "amount_kurus": "int64 - |amount| as sent, in kuruş, >= 0; 0 when missing or unreadable",
    "commission_kurus": "int64 - commission as sent, in kuruş; 0 when missing",
    "signed_kurus": "int64 - +amount for deposits, -amount for withdrawals, 0 for unknown type (any status)",
    "username": "string[pyarrow] - '' when missing",
    "customer_name": "string[pyarrow] - '' when missing",
    "customer_iban": "string[pyarrow] - compact upper case, '' when missing",
    "description": "string[pyarrow] - '' when missing",
    "created_at": "datetime64[us, <dealer tz>] - NaT when missing or unparseable",
    "completed_at": "datetime64[us, <dealer tz>] - NaT when missing or unparseable",
    SEARCH_COLUMN: "string[pyarrow] - internal: lower-cased text fields joined by \\x1f, for the text filter",
}

STRING_COLUMNS = ("username", "customer_name", "customer_iban", "description", SEARCH_COLUMN)
TIME_COLUMNS = ("created_at", "completed_at")

# --- word folding (status / type words and the search box) -----------------------------------


def fold(text: str) -> str:
    """Turkish-aware, accent-free lower case for matching: 'İPTAL EDİLDİ' / 'iptal edildi' -> 'iptal edildi'.

    'İ', 'I', 'ı' and 'i' all become 'i' (Python's 'İ'.lower() is 'i' plus a combining dot, and
    'I' lowers to 'i' not 'ı'), and accents are dropped (ş->s, ğ->g, ç->c, ö->o, ü->u, â->a) so a
    dealer typing on a non-Turkish keyboard still finds 'Şule Yılmaz' with 'sule yilmaz'.
    """
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i").lower()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.replace("_", " ").replace("-", " ").split())


_STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(["pending", "beklemede", "bekliyor", "waiting"], "Pending"),
    **dict.fromkeys(["processing", "in progress", "isleniyor", "isleme alindi"], "Processing"),
    **dict.fromkeys(["completed", "complete", "success", "successful", "tamamlandi", "basarili"], "Completed"),
    **dict.fromkeys(["failed", "failure", "error", "basarisiz", "hata"], "Failed"),
    **dict.fromkeys(["cancelled", "canceled", "iptal", "iptal edildi"], "Cancelled"),
    **dict.fromkeys(["rejected", "declined", "reddedildi", "red"], "Rejected"),
}
_TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(["deposit", "yatirim", "para yatirma"], "deposit"),
    **dict.fromkeys(["withdrawal", "withdraw", "cekim", "para cekme"], "withdrawal"),
}


def status_label(word: object) -> str:
    """Any status word the API may send (English or Turkish, any case) -> a label of STATUSES."""
    return _STATUS_WORDS.get(fold(word), "Unknown") if isinstance(word, str) else "Unknown"


def type_label(word: object) -> str:
    """deposit / yatırım / withdrawal / çekim (any case) -> a label of TYPES."""
    return _TYPE_WORDS.get(fold(word), "unknown") if isinstance(word, str) else "unknown"


# --- reading a frame --------------------------------------------------------------------------


def frame_tz(df: pd.DataFrame) -> str:
    """The dealer zone the frame's times are in."""
    return str(df["created_at"].dt.tz)


def completed(df: pd.DataFrame) -> np.ndarray:
    """Which rows are Completed: the only ones that moved money."""
    return df["status"].cat.codes.to_numpy() == df["status"].cat.categories.get_loc("Completed")


def type_is(df: pd.DataFrame, label: str) -> np.ndarray:
    """Which rows have this type label (none when the frame has no such category)."""
    categories = df["type"].cat.categories
    if label not in categories:
        return np.zeros(len(df), dtype=bool)
    return df["type"].cat.codes.to_numpy() == categories.get_loc(label)
