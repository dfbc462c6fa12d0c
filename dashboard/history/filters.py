"""Filtering the history frame: what the Transactions page asks for, and the quick date ranges.

Every condition is a numpy mask over whole columns (ints, categorical codes, int64 times); the text
search is a RE2 pattern run by Arrow over `SEARCH_COLUMN`, only on the rows still selected.
No Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from dashboard import money, timeutil
from dashboard.history.schema import SEARCH_COLUMN, fold, status_label, type_label


@dataclass(frozen=True)
class TransactionFilter:
    """What the Transactions page asks for. None means "no condition"; an empty tuple selects nothing.

    `start`/`end` are inclusive local dates in the dealer's zone (the frame's zone); amounts are
    lira, inclusive, compared on `amount_kurus`; `text` is a Turkish-aware, accent-free substring
    search over username, customer name, description and customer IBAN.
    """

    iban_ids: tuple[int, ...] | None = None
    start: date | None = None
    end: date | None = None
    statuses: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    text: str = ""

    def __post_init__(self) -> None:
        # Pages pass lists from multiselects; tuples keep the filter hashable (cache keys).
        for name in ("iban_ids", "statuses", "types"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


_ACCENT_CLASSES = {"a": "aâ", "c": "cç", "g": "gğ", "i": "iıî", "o": "oö", "s": "sş", "u": "uüû"}


def search_regex(query: str) -> str:
    """A RE2 pattern matching `query` inside `search_text` (already lower-cased by Arrow).

    The query is folded like `fold`; each letter that has Turkish/accented forms becomes a class,
    e.g. 'sule' -> '[sş][uüû]le', so 'ŞULE', 'şule' and 'sule' all find 'Şule'.
    """
    parts = []
    for ch in fold(query):
        if ord(ch) < 32:
            continue  # control characters (the field separator among them) are never searched for
        if ch in _ACCENT_CLASSES:
            parts.append(f"[{_ACCENT_CLASSES[ch]}]")
        elif ch.isalnum():
            parts.append(ch)
        else:
            parts.append(f"\\x{{{ord(ch):x}}}")
    return "".join(parts)


def _text_mask(search: pd.Series, query: str) -> np.ndarray:
    data = search.array.__arrow_array__()  # the Arrow data itself, no copy
    patterns = [search_regex(query)]
    compact = re.sub(r"\s", "", query)
    if compact != query.strip() and re.fullmatch(r"(?i)(tr)?\d+", compact):
        patterns.append(search_regex(compact))  # 'TR33 0006 1005' typed in blocks finds the compact IBAN
    hit = pc.match_substring_regex(data, patterns[0])
    for pattern in patterns[1:]:
        hit = pc.or_(hit, pc.match_substring_regex(data, pattern))
    return hit.to_numpy(zero_copy_only=False)


def _category_mask(column: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    categories = list(column.cat.categories)
    lookup = np.zeros(len(categories) + 1, dtype=bool)  # last slot: code -1 (missing)
    for label in wanted:
        if label in categories:
            lookup[categories.index(label)] = True
    return lookup[column.cat.codes.to_numpy()]


def apply_filter(df: pd.DataFrame, f: TransactionFilter) -> pd.DataFrame:
    """The rows of `df` matching every condition of `f`, in the same order.

    Cheap masks (ints, categorical codes, int64 times) first; the text search runs only on the rows
    still selected, so a date range narrows the costly part.
    """
    mask = np.ones(len(df), dtype=bool)
    if f.iban_ids is not None:
        mask &= np.isin(df["iban_id"].to_numpy(), np.asarray(f.iban_ids, dtype=np.int64))
    if f.start is not None or f.end is not None:
        t = df["created_at"]
        ticks = t.array.asi8
        mask &= ~t.isna().to_numpy()
        tz = str(t.dt.tz)
        lo, hi = timeutil.day_bounds(f.start or date.min, f.end or date.max - timedelta(days=1), tz)
        if f.start is not None:
            mask &= ticks >= pd.Timestamp(lo).as_unit(t.dt.unit)._value
        if f.end is not None:
            mask &= ticks < pd.Timestamp(hi).as_unit(t.dt.unit)._value
    if f.statuses is not None:
        mask &= _category_mask(df["status"], {status_label(s) for s in f.statuses})
    if f.types is not None:
        mask &= _category_mask(df["type"], {type_label(s) for s in f.types})
    if f.min_amount is not None:
        mask &= df["amount_kurus"].to_numpy() >= money.kurus_at_least(f.min_amount)
    if f.max_amount is not None:
        mask &= df["amount_kurus"].to_numpy() <= money.kurus_at_most(f.max_amount)
    if f.text and f.text.strip():
        rows = np.flatnonzero(mask)
        if len(rows) == len(df):
            mask = _text_mask(df[SEARCH_COLUMN], f.text.strip())
        elif len(rows):
            mask[rows] = _text_mask(df[SEARCH_COLUMN].iloc[rows], f.text.strip())
    if mask.all():
        return df
    return df.iloc[np.flatnonzero(mask)].reset_index(drop=True)


def date_presets(today: date) -> dict[str, tuple[date, date]]:
    """Inclusive (start, end) local dates for the quick range buttons, keyed by English name."""
    return {
        "today": (today, today),
        "7 days": (today - timedelta(days=6), today),
        "30 days": (today - timedelta(days=29), today),
        "this month": (today.replace(day=1), today),
    }
