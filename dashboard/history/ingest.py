"""Transaction records of one IBAN -> the typed frame of `schema.COLUMNS`, newest first.

Scale: a dealer's year can be a million rows, so every step is columnar (pyarrow kernels, numpy,
pandas on whole columns). Python loops run over *distinct* values (status words, IBANs), never
per row. Money is integer kuruş (`*_kurus`, int64); odd values (None, '1,234.50', text in a
number field) never raise. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import money, timeutil
from dashboard.history.records import Values, columns_of
from dashboard.history.schema import SEARCH_COLUMN, STATUSES, TEXT_FIELDS, TIME_UNIT, TYPES, status_label, type_label
from dashboard.iban import normalize_iban


def _string_array(values: Values, *, keep_non_strings: bool = True) -> pa.Array:
    """A large_string Arrow array with nulls for None; other odd values stringified (or nulled)."""
    if isinstance(values, pa.Array):
        if pa.types.is_large_string(values.type):
            return values
        if pa.types.is_string(values.type) or pa.types.is_null(values.type) or keep_non_strings:
            return values.cast(pa.large_string())
        return pa.nulls(len(values), pa.large_string())
    try:
        return pa.array(values, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Mixed types in a text field are rare: a per-value pass is acceptable on that path only.
        if keep_non_strings:
            cleaned = [v if v is None or isinstance(v, str) else str(v) for v in values]
        else:
            cleaned = [v if isinstance(v, str) else None for v in values]
        return pa.array(cleaned, type=pa.large_string())


_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _kurus(values: Values) -> np.ndarray:
    """Amounts (JSON numbers, numeric strings, API-style '1,234.50') -> int64 kuruş; unreadable -> 0."""
    try:
        arr = values if isinstance(values, pa.Array) else pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return money.kurus_array(values)  # mixed numbers and strings: money's tolerant reader
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        # Same reading as money.to_decimal ("," is a thousands separator in API bodies), but columnar.
        cleaned = pc.replace_substring_regex(arr, r"[,\s₺]|TL|TRY", "")
        ok = pc.match_substring_regex(cleaned, _NUMBER)
        arr = pc.cast(pc.if_else(ok, cleaned, pa.scalar(None, cleaned.type)), pa.float64())
    elif pa.types.is_null(arr.type) or pa.types.is_boolean(arr.type):
        return np.zeros(len(values), dtype=np.int64)
    elif not (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)):
        return money.kurus_array(values)
    floats = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)  # nulls -> NaN -> 0 in kurus_array
    return money.kurus_array(floats)


def _ids(values: Values) -> pd.arrays.IntegerArray:
    """Transaction ids -> nullable Int64; "123" and 123.0 are read, anything else is <NA>."""
    try:
        arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        arr = None
    if arr is not None and (pa.types.is_integer(arr.type) or pa.types.is_null(arr.type)):
        arr = arr.cast(pa.int64())
        mask = arr.is_null().to_numpy(zero_copy_only=False)
        return pd.arrays.IntegerArray(arr.fill_null(0).to_numpy(), mask)
    objects = arr.to_pandas() if arr is not None else pd.Series(values, dtype=object)
    numbers = pd.to_numeric(objects, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2**53)
    return pd.arrays.IntegerArray(np.where(whole, numbers, 0).astype(np.int64), ~whole)


def _categorical(values: Values, to_label, categories: Sequence[str]) -> pd.Categorical:
    """Map a column of words to canonical labels by mapping only its distinct values."""
    encoded = _string_array(values).dictionary_encode()
    labels = [to_label(v) for v in encoded.dictionary.to_pylist()] + [to_label(None)]
    lookup = np.array([categories.index(label) for label in labels], dtype=np.int8)
    indices = encoded.indices.fill_null(len(labels) - 1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(lookup[indices], categories=list(categories))


_OFFSET_AT_END = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[Zz]|[+-]\d\d(?::?\d\d)?)$"


def _times(values: Values, tz: str) -> pd.Series:
    """API times -> tz-aware datetimes in `tz`; NaT when missing or unreadable.

    Fast path: 'YYYY-MM-DD HH:MM:SS' local (the API's format) with Arrow's strptime. The rest
    (ISO 8601 with 'T', fractions, 'Z' or an offset, bare dates) goes through pandas on that subset.
    Non-string values (numbers, ...) are NaT.
    """
    text = _string_array(values, keep_non_strings=False)
    parsed = pc.strptime(text, format=timeutil.API_DATETIME_FORMAT, unit="s", error_is_null=True)
    # Arrow's strptime rolls '02-30' over into March and ':60' into the next minute: keep only
    # values that format back to the very same text; the others get the strict ISO reading below.
    exact = pc.equal(parsed.cast(pa.large_string()), text).fill_null(False)
    parsed = pc.if_else(exact, parsed, pa.scalar(None, parsed.type))
    naive = parsed.to_numpy(zero_copy_only=False).astype(f"datetime64[{TIME_UNIT}]")
    # ambiguous=True picks the first (summer-time) instant of a repeated hour, like datetime's fold=0.
    local = pd.DatetimeIndex(naive).tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    result = pd.Series(local)
    failed = pc.and_(pc.is_null(parsed), pc.greater(pc.utf8_length(text), 0)).fill_null(False)
    retry = np.flatnonzero(failed.to_numpy(zero_copy_only=False))
    if len(retry):
        subset = pd.Series(text.take(retry).to_pylist(), dtype=object).str.strip()
        with_offset = subset.str.contains(_OFFSET_AT_END, regex=True).to_numpy(dtype=bool)
        fixed = pd.Series(pd.NaT, index=subset.index, dtype=result.dtype)
        if with_offset.any():
            aware = pd.to_datetime(subset[with_offset], format="ISO8601", utc=True, errors="coerce")
            fixed[with_offset] = aware.dt.tz_convert(tz).dt.as_unit(TIME_UNIT)
        if (~with_offset).any():
            plain = pd.to_datetime(subset[~with_offset], format="ISO8601", errors="coerce")
            fixed[~with_offset] = plain.dt.as_unit(TIME_UNIT).dt.tz_localize(
                tz, ambiguous="NaT", nonexistent="shift_forward"
            )
        result.iloc[retry] = fixed.array
    return result


def empty_frame(tz: str = timeutil.DEFAULT_TZ) -> pd.DataFrame:
    """A frame with no rows and exactly the dtypes of `records_to_frame`."""
    return records_to_frame([], iban_id=0, tz=tz)


def search_text(
    text: Mapping[str, pa.Array | pa.ChunkedArray], slice_rows: int = 1 << 17, pool: ThreadPoolExecutor | None = None
) -> pa.ChunkedArray:
    """SEARCH_COLUMN from the text columns: lower-cased, joined by \x1f (no query contains it, so
    nothing matches across fields). Made a slice of rows at a time (on `pool`'s threads if given),
    so the transient is one slice's joined text, not a whole column's."""
    n = len(text[TEXT_FIELDS[0]])
    separator = pa.scalar("\x1f", pa.large_string())

    def one(start: int) -> pa.Array:
        pieces = (text[f].slice(start, slice_rows) for f in TEXT_FIELDS)
        return pc.utf8_lower(pc.binary_join_element_wise(*pieces, separator))

    chunks = list((pool.map if pool is not None else map)(one, range(0, n, slice_rows)))
    chunks = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in chunks]
    return pa.chunked_array(chunks, type=pa.large_string())


def typed_columns(
    n: int, fields: dict[str, Values], *, iban_id: int, iban: str, tz: str, search: bool = True
) -> dict[str, object]:
    """The columns of `COLUMNS` from per-field raw columns, in record order (not sorted yet).

    Text columns are Arrow large_string arrays, times DatetimeArrays; `as_frame` wraps them.
    search=False leaves SEARCH_COLUMN out (`assemble` makes it once the rows are in order).
    """
    amount = np.abs(_kurus(fields["amount"]))
    types = _categorical(fields["type"], type_label, TYPES)
    codes = types.codes
    signed = np.where(codes == TYPES.index("deposit"), amount, np.where(codes == TYPES.index("withdrawal"), -amount, 0))

    text = {name: _string_array(fields[name]).fill_null("") for name in TEXT_FIELDS}
    iban_text = text["customer_iban"]
    if pc.any(pc.match_substring_regex(iban_text, r"[\s\-a-z]")).as_py():
        iban_text = pc.ascii_upper(pc.replace_substring_regex(iban_text, r"[\s\-]", ""))
    text["customer_iban"] = iban_text

    columns = {
        "id": _ids(fields["id"]),
        "iban_id": np.full(n, int(iban_id), dtype=np.int64),
        "iban": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[normalize_iban(iban)]),
        "type": types,
        "status": _categorical(fields["status"], status_label, STATUSES),
        "amount_kurus": amount,
        "commission_kurus": _kurus(fields["commission"]),
        "signed_kurus": signed.astype(np.int64),
        **{name: text[name] for name in TEXT_FIELDS},
        "created_at": _times(fields["created_at"], tz).array,
        "completed_at": _times(fields["completed_at"], tz).array,
    }
    if search:
        joined = search_text(text)
        columns[SEARCH_COLUMN] = joined.chunk(0) if joined.num_chunks == 1 else joined
    return columns


def as_frame(columns: dict[str, object]) -> pd.DataFrame:
    """Typed columns -> DataFrame, without copying them and without consolidating the int64 ones
    into one 2-D block (so every column stays its own buffer, freed on its own)."""
    wrapped = {
        name: pd.arrays.ArrowStringArray(v) if isinstance(v, (pa.Array, pa.ChunkedArray)) else v
        for name, v in columns.items()
    }
    return pd.DataFrame(wrapped, copy=False)


def records_to_frame(
    pages_or_records: Iterable[object], *, iban_id: int, iban: str = "", tz: str = timeutil.DEFAULT_TZ
) -> pd.DataFrame:
    """Raw transaction records of one IBAN -> the typed frame of `COLUMNS`, newest first.

    Accepts records or pages of records. Missing fields are empty ('' / NaT / 0), unknown fields
    are dropped, odd values (None, '1,234.50', text in a number field) never raise.
    """
    n, fields = columns_of(pages_or_records)
    return _newest_first(as_frame(typed_columns(n, fields, iban_id=iban_id, iban=iban, tz=tz)))


def id_sort_key(ids: pd.arrays.IntegerArray) -> np.ndarray:
    """Transaction ids as int64 for sorting, <NA> as the smallest int64 (last when descending)."""
    return np.where(ids.isna(), np.iinfo(np.int64).min, ids.to_numpy(dtype=np.int64, na_value=0))


def newest_first_order(ticks: np.ndarray, id_key: np.ndarray) -> np.ndarray | None:
    """Row order by created_at then id, both descending, NaT last (NaT is the smallest int64);
    None when the rows are already in that order (the usual case: the API pages newest first)."""
    if len(ticks) < 2 or (
        np.all(ticks[:-1] >= ticks[1:]) and np.all((ticks[:-1] > ticks[1:]) | (id_key[:-1] >= id_key[1:]))
    ):
        return None
    return np.lexsort((id_key, ticks))[::-1]


def _newest_first(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by created_at then id, both descending, NaT last; skipped when already in that order."""
    order = newest_first_order(df["created_at"].array.asi8, id_sort_key(df["id"].array))
    return df.reset_index(drop=True) if order is None else df.take(order).reset_index(drop=True)
