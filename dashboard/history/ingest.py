"""Transaction history as one typed pandas frame: ingest, filters, summary, chart data, table columns.

The console fetches raw records (dicts exactly as the API sent them, page by page) for one or many
IBANs. `records_to_frame` turns them into the frame described by `COLUMNS`; everything the
Transactions and Balances pages do with it lives here. No Streamlit: pure, importable, testable.

Scale: a dealer's year can be a million rows, so every step is columnar (pyarrow kernels, numpy,
pandas on whole columns). Python loops run over records only to pick fields out of the dicts, and
over *distinct* values (status words, IBANs, days), never per row otherwise.
Money is integer kuruş (`*_kurus`, int64) throughout; `Decimal` only at the edges.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import money, timeutil
from dashboard.iban import format_iban, normalize_iban

# --- schema ---------------------------------------------------------------------------------

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

_STRING_COLUMNS = ("username", "customer_name", "customer_iban", "description", SEARCH_COLUMN)
_TIME_COLUMNS = ("created_at", "completed_at")

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


# --- ingest ---------------------------------------------------------------------------------


FIELDS: tuple[str, ...] = ("id", "type", "amount", "commission", "status", *TEXT_FIELDS, "created_at", "completed_at")
_NUMBER_FIELDS = {"id": pa.int64(), "amount": pa.float64(), "commission": pa.float64()}

Values = pa.Array | list  # a column: Arrow array on the fast path, Python list on the tolerant one


def _struct_type(first: Mapping) -> pa.StructType:
    """Arrow types for the known fields, guessed from the first record (numbers may come as strings)."""
    fields = []
    for name in FIELDS:
        value = first.get(name)
        if isinstance(value, str) or name not in _NUMBER_FIELDS:
            fields.append((name, pa.large_string()))
        elif isinstance(value, float) and name == "id":
            fields.append((name, pa.float64()))
        else:
            fields.append((name, _NUMBER_FIELDS[name]))
    return pa.struct(fields)


def _page_columns(records: list) -> tuple[int, dict[str, Values]]:
    """Per-field columns of one page of records: Arrow arrays where the records are regular, else lists.

    Fast path: one C++ pass converting the dicts into a struct array of the known fields (unknown
    keys are ignored), with types guessed from the first record. If that raises (say amounts are
    numbers in some records and strings in others), a second pass converts only the text fields
    and the three number fields are picked out in Python. Anything odder (a non-dict item, a
    number among names) takes the tolerant path: every field picked out in Python.
    """
    if records and isinstance(records[0], Mapping):
        text_only = pa.struct([(name, pa.large_string()) for name in FIELDS if name not in _NUMBER_FIELDS])
        for struct_type in (_struct_type(records[0]), text_only):
            try:
                struct = pa.array(records, type=struct_type)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
                continue
            if struct.null_count:
                break  # None items among the records
            columns: dict[str, Values] = {field.name: struct.field(field.name) for field in struct_type}
            for name in FIELDS:
                if name not in columns:
                    columns[name] = [r.get(name) for r in records]
            return len(struct), columns
    # A page may itself hold pages (or junk): flatten once more, keep the records.
    flat = (r for item in records for r in (item if isinstance(item, (list, tuple)) else (item,)))
    kept = [r for r in flat if isinstance(r, Mapping)]
    return len(kept), {name: [r.get(name) for r in kept] for name in FIELDS}


def _struct_columns(struct: pa.StructArray) -> tuple[int, dict[str, Values]]:
    """A page already read into Arrow (`client._reader.arrow_transaction_page`); missing fields are null."""
    names = {struct.type.field(i).name for i in range(struct.type.num_fields)}
    columns: dict[str, Values] = {}
    for name in FIELDS:
        columns[name] = struct.field(name) if name in names else pa.nulls(len(struct), pa.large_string())
    return len(struct), columns


def _join(chunks: list[Values]) -> Values:
    """One column from its per-page pieces: Arrow when every page agreed on the type, else a list."""
    if len(chunks) == 1:
        return chunks[0]
    if all(isinstance(c, pa.Array) for c in chunks) and len({c.type for c in chunks}) == 1:
        return pa.concat_arrays(chunks)
    values: list = []
    for chunk in chunks:  # pages disagree (numbers here, strings there): the tolerant readers decide
        values.extend(chunk.to_pylist() if isinstance(chunk, pa.Array) else chunk)
    return values


def _columns(pages_or_records: Iterable[object]) -> tuple[int, dict[str, Values]]:
    """Per-field columns of records given flat, as pages (lists of dicts) or as Arrow pages.

    Streaming: each page is turned into Arrow columns as it arrives and its dicts can be dropped,
    so a year of history never has more than one page of Python dicts alive (the pages iterator
    from the client is consumed lazily). Records given flat are converted in one pass.
    """
    if isinstance(pages_or_records, Mapping):  # one record on its own
        pages_or_records = [pages_or_records]
    if isinstance(pages_or_records, list) and (not pages_or_records or isinstance(pages_or_records[0], dict)) \
            and all(not isinstance(item, (list, tuple, pa.Array)) for item in pages_or_records):
        return _page_columns(pages_or_records)  # the common flat case: no copy
    chunks: dict[str, list[Values]] = {name: [] for name in FIELDS}
    total = 0
    loose: list[object] = []

    def add(n: int, columns: dict[str, Values]) -> None:
        nonlocal total
        if n:
            total += n
            for name in FIELDS:
                chunks[name].append(columns[name])

    for item in pages_or_records:
        if isinstance(item, pa.StructArray):
            add(*_struct_columns(item))
        elif isinstance(item, (list, tuple)):
            if loose:
                add(*_page_columns(loose))
                loose = []
            add(*_page_columns(list(item)))
        else:
            loose.append(item)  # records given between pages (and junk, dropped by the tolerant path)
    if loose:
        add(*_page_columns(loose))
    if not total:
        return _page_columns([])
    return total, {name: _join(chunks.pop(name)) for name in FIELDS}


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
    local = pd.DatetimeIndex(naive).tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool),
                                                nonexistent="shift_forward")
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


def _search_text(text: Mapping[str, pa.Array | pa.ChunkedArray], slice_rows: int = 1 << 17,
                 pool: ThreadPoolExecutor | None = None) -> pa.ChunkedArray:
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


def _typed_columns(n: int, fields: dict[str, Values], *, iban_id: int, iban: str, tz: str,
                   search: bool = True) -> dict[str, object]:
    """The columns of `COLUMNS` from per-field raw columns, in record order (not sorted yet).

    Text columns are Arrow large_string arrays, times DatetimeArrays; `_as_frame` wraps them.
    search=False leaves SEARCH_COLUMN out (`assemble` makes it once the rows are in order).
    """
    amount = np.abs(_kurus(fields["amount"]))
    types = _categorical(fields["type"], type_label, TYPES)
    codes = types.codes
    signed = np.where(codes == TYPES.index("deposit"), amount,
                      np.where(codes == TYPES.index("withdrawal"), -amount, 0))

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
        search_text = _search_text(text)
        columns[SEARCH_COLUMN] = search_text.chunk(0) if search_text.num_chunks == 1 else search_text
    return columns


def _as_frame(columns: dict[str, object]) -> pd.DataFrame:
    """Typed columns -> DataFrame, without copying them and without consolidating the int64 ones
    into one 2-D block (so every column stays its own buffer, freed on its own)."""
    wrapped = {name: pd.arrays.ArrowStringArray(v) if isinstance(v, (pa.Array, pa.ChunkedArray)) else v
               for name, v in columns.items()}
    return pd.DataFrame(wrapped, copy=False)


def records_to_frame(
    pages_or_records: Iterable[object],
    *,
    iban_id: int,
    iban: str = "",
    tz: str = timeutil.DEFAULT_TZ,
) -> pd.DataFrame:
    """Raw transaction records of one IBAN -> the typed frame of `COLUMNS`, newest first.

    Accepts records or pages of records. Missing fields are empty ('' / NaT / 0), unknown fields
    are dropped, odd values (None, '1,234.50', text in a number field) never raise.
    """
    n, fields = _columns(pages_or_records)
    return _newest_first(_as_frame(_typed_columns(n, fields, iban_id=iban_id, iban=iban, tz=tz)))


# --- ingest of many IBANs: parts, then one frame built column by column -----------------------

ASSEMBLE_THREADS = 2  # columns gathered at once by `assemble` (Arrow and numpy release the GIL)
BATCH_ROWS = 65_536  # pages converted together: few kernel calls per row, at most ~13 MB of raw pages per IBAN

Part = dict  # column name -> typed column of `_typed_columns` (a batch of one IBAN's records)


def _page_rows(page: object) -> int:
    return len(page) if isinstance(page, (list, tuple, pa.Array)) else 1


def frame_parts(
    pages: Iterable[object],
    *,
    iban_id: int,
    iban: str = "",
    tz: str = timeutil.DEFAULT_TZ,
    batch_rows: int = BATCH_ROWS,
    gate: AbstractContextManager | None = None,
) -> Iterable[Part]:
    """The typed columns of `records_to_frame`, a batch of pages at a time, for `assemble`.

    Pages are consumed lazily and converted every `batch_rows` records, so at most one batch of raw
    pages is alive per IBAN being fetched; the parts together are about the size of the final frame.
    Yields at least one part (possibly empty), unsorted. `gate` (say a semaphore shared by the
    fetch threads) is held while a batch is converted: it bounds how many batches are converted
    at once, and so their transient memory, without holding up the fetching.
    """
    gate = gate or nullcontext()

    def convert(batch: list[object]) -> Part:
        with gate:
            return _typed_columns(*_columns(batch), iban_id=iban_id, iban=iban, tz=tz, search=False)

    batch: list[object] = []
    rows = 0
    yielded = False
    for page in pages:
        batch.append(page)
        rows += _page_rows(page)
        if rows >= batch_rows:
            part = convert(batch)
            batch, rows = [], 0
            yield part
            yielded = True
    if batch or not yielded:
        part = convert(batch)
        del batch
        yield part


def frame_part(df: pd.DataFrame, tz: object) -> Part:
    """A frame of `COLUMNS` as a part (no copies, times converted to `tz` if they are elsewhere)."""
    part: Part = {}
    for name in df.columns:
        col = df[name]
        if name in _TIME_COLUMNS:
            part[name] = col.dt.tz_convert(tz).dt.as_unit(TIME_UNIT).array
        elif name in _STRING_COLUMNS:
            part[name] = col.array.__arrow_array__()
        elif isinstance(col.dtype, pd.CategoricalDtype):
            part[name] = col.array
        else:
            part[name] = col.array if name == "id" else col.to_numpy()
    return part


def select_ibans(df: pd.DataFrame, iban_ids: Iterable[int]) -> pd.DataFrame:
    """The rows of `df` from these IBANs, in the same order (the frame itself when that is all of it)."""
    mask = np.isin(df["iban_id"].to_numpy(), np.fromiter(iban_ids, dtype=np.int64))
    if mask.all():
        return df
    return df.iloc[np.flatnonzero(mask)].reset_index(drop=True)


def _gather_strings(chunks: list, order: np.ndarray | None) -> pa.Array:
    pieces = [c for x in chunks for c in (x.chunks if isinstance(x, pa.ChunkedArray) else (x,))]
    chunks.clear()
    whole = pa.chunked_array(pieces, type=pa.large_string()).combine_chunks()
    del pieces  # the parts' buffers go now, before the gather allocates the result
    return whole if order is None else whole.take(pa.array(order))


def _gather_numbers(chunks: list[np.ndarray], order: np.ndarray | None) -> np.ndarray:
    whole = np.concatenate(chunks) if len(chunks) != 1 else chunks[0]
    chunks.clear()
    return whole if order is None else whole[order]


def _utc_times(utc: np.ndarray, tz: str) -> pd.arrays.DatetimeArray:
    """int64 UTC microseconds (NaT = min int64) -> an aware DatetimeArray in `tz`."""
    return pd.DatetimeIndex(utc.view(f"datetime64[{TIME_UNIT}]")).tz_localize("UTC").tz_convert(tz).array


def assemble(parts: list[Part], tz: str | None = None) -> pd.DataFrame:
    """One frame of `COLUMNS`, newest first, from parts of one or many IBANs.

    Built column by column: each column is popped from every part, joined and put in order with one
    gather, so the parts' memory is released as the frame grows (the caller must hold no other
    reference to the parts' columns). IBAN categories are unioned.
    """
    if not parts:
        return empty_frame(tz or timeutil.DEFAULT_TZ)
    tz = tz or str(parts[0]["created_at"].tz)
    n = sum(len(p["iban_id"]) for p in parts)

    # Newest first: created_at then id, both descending, NaT last (NaT is the smallest int64).
    ticks = np.concatenate([p["created_at"].asi8 for p in parts])
    id_key = np.concatenate([np.where(p["id"].isna(), np.iinfo(np.int64).min, p["id"].to_numpy(dtype=np.int64, na_value=0))
                             for p in parts])
    order: np.ndarray | None = None
    if n > 1 and not (np.all(ticks[:-1] >= ticks[1:]) and np.all((ticks[:-1] > ticks[1:]) | (id_key[:-1] >= id_key[1:]))):
        order = np.lexsort((id_key, ticks))[::-1].copy()
    del id_key

    ibans = sorted({c for p in parts for c in p["iban"].categories})
    search = all(SEARCH_COLUMN in p for p in parts)
    if not search:
        for p in parts:
            p.pop(SEARCH_COLUMN, None)

    def build(name: str) -> object:
        if name == "id":
            values = _gather_numbers([p["id"].to_numpy(dtype=np.int64, na_value=0) for p in parts], order)
            mask = _gather_numbers([p.pop("id").isna() for p in parts], order)
            return pd.arrays.IntegerArray(values, mask)
        if name in ("iban", "type", "status"):
            categories = {"iban": ibans, "type": list(TYPES), "status": list(STATUSES)}[name]
            codes = []
            for p in parts:
                cat = p.pop(name)
                lookup = np.array([categories.index(c) for c in cat.categories] + [-1], dtype=np.int16)
                codes.append(lookup[cat.codes].astype(np.int8 if len(categories) < 128 else np.int16))
            return pd.Categorical.from_codes(_gather_numbers(codes, order), categories=categories)
        if name in _TIME_COLUMNS:
            # asi8 is UTC microseconds whatever the part's zone: the result only needs the dealer's zone.
            return _utc_times(_gather_numbers([p.pop(name).asi8 for p in parts], order), tz)
        if name in _STRING_COLUMNS:
            return _gather_strings([p.pop(name) for p in parts], order)
        return _gather_numbers([p.pop(name) for p in parts], order)

    # Two columns at a time (the gathers release the GIL): each pops its own column from the parts.
    names = [name for name in COLUMNS if search or name != SEARCH_COLUMN]
    with ThreadPoolExecutor(max_workers=ASSEMBLE_THREADS) as pool:
        columns = dict(zip(names, pool.map(build, names)))
        if not search:  # from the ordered text columns, a slice at a time
            # One chunk: a take on a chunked string column concatenates it first, on every filter.
            columns[SEARCH_COLUMN] = _search_text(columns, pool=pool).combine_chunks()
    return _as_frame({name: columns[name] for name in COLUMNS})


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-IBAN frames into one, newest first; IBAN categories are unioned."""
    frames = [f for f in frames if f is not None]
    if not frames:
        return empty_frame()
    tz = str(frames[0]["created_at"].dt.tz)
    return assemble([frame_part(f, tz) for f in frames], tz)


def _newest_first(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by created_at then id, both descending, NaT last; skipped when already in that order."""
    t = df["created_at"].array.asi8  # NaT is the smallest int64, so it sorts last when descending
    ids = df["id"].array
    id_key = np.where(ids.isna(), np.iinfo(np.int64).min, ids.to_numpy(dtype=np.int64, na_value=0))
    if len(t) < 2 or (np.all(t[:-1] >= t[1:]) and np.all((t[:-1] > t[1:]) | (id_key[:-1] >= id_key[1:]))):
        return df.reset_index(drop=True)
    order = np.lexsort((id_key, t))[::-1]
    return df.take(order).reset_index(drop=True)


# --- filters --------------------------------------------------------------------------------


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


def _search_regex(query: str) -> str:
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
    patterns = [_search_regex(query)]
    compact = re.sub(r"\s", "", query)
    if compact != query.strip() and re.fullmatch(r"(?i)(tr)?\d+", compact):
        patterns.append(_search_regex(compact))  # 'TR33 0006 1005' typed in blocks finds the compact IBAN
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


def _min_kurus(amount: Decimal) -> int:
    return math.ceil(Decimal(amount) * money.KURUS_PER_TRY)


def _max_kurus(amount: Decimal) -> int:
    return math.floor(Decimal(amount) * money.KURUS_PER_TRY)


def frame_tz(df: pd.DataFrame) -> str:
    """The dealer zone the frame's times are in."""
    return str(df["created_at"].dt.tz)


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
        mask &= df["amount_kurus"].to_numpy() >= _min_kurus(f.min_amount)
    if f.max_amount is not None:
        mask &= df["amount_kurus"].to_numpy() <= _max_kurus(f.max_amount)
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


# --- summary and chart data -----------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Totals over the rows shown.

    `count` counts every row; money only moves when a transaction is Completed, so `money_in`
    (deposits), `money_out` (withdrawals, positive) and `commission` sum Completed rows only;
    `net = money_in - money_out` (before commission).
    """

    count: int
    money_in: Decimal
    money_out: Decimal
    net: Decimal
    commission: Decimal


def _completed(df: pd.DataFrame) -> np.ndarray:
    return df["status"].cat.codes.to_numpy() == df["status"].cat.categories.get_loc("Completed")


def _type_is(df: pd.DataFrame, label: str) -> np.ndarray:
    categories = df["type"].cat.categories
    if label not in categories:
        return np.zeros(len(df), dtype=bool)
    return df["type"].cat.codes.to_numpy() == categories.get_loc(label)


def summarize(df: pd.DataFrame) -> Summary:
    """Exact totals: integer kuruş sums converted once to Decimal."""
    done = _completed(df)
    amount = df["amount_kurus"].to_numpy()
    money_in = int(amount[done & _type_is(df, "deposit")].sum())
    money_out = int(amount[done & _type_is(df, "withdrawal")].sum())
    commission = int(df["commission_kurus"].to_numpy()[done].sum())
    return Summary(
        count=len(df),
        money_in=money.from_kurus(money_in),
        money_out=money.from_kurus(money_out),
        net=money.from_kurus(money_in - money_out),
        commission=money.from_kurus(commission),
    )


_QUARTER_HOUR_US = 900 * 1_000_000
_US_PER_DAY = 86_400 * 1_000_000


def _local_days(times: pd.Series, tz: str) -> np.ndarray:
    """Local calendar day of each time as days since 1970-01-01 (int64); NaT -> min int64.

    The zone's UTC offset is looked up once per quarter hour of the span (zone transitions fall on
    quarter hours) instead of converting a million timestamps: the same days, about 3x faster.
    """
    t = times.dt.as_unit(TIME_UNIT) if times.dt.unit != TIME_UNIT else times
    ticks = t.array.asi8  # UTC microseconds; NaT is min int64
    missing = ticks == np.iinfo(np.int64).min
    if missing.all():
        return np.full(len(ticks), np.iinfo(np.int64).min, dtype=np.int64)
    present = ticks[~missing] if missing.any() else ticks
    slot = present // _QUARTER_HOUR_US
    first, last = int(slot.min()), int(slot.max())
    grid = pd.DatetimeIndex((np.arange(first, last + 1, dtype=np.int64) * _QUARTER_HOUR_US).astype(f"datetime64[{TIME_UNIT}]"))
    local = grid.tz_localize("UTC").tz_convert(tz).tz_localize(None)
    offsets = local.asi8 - grid.asi8  # the zone's offset in each quarter hour, microseconds
    days = (present + offsets[slot - first]) // _US_PER_DAY
    if not missing.any():
        return days
    out = np.full(len(ticks), np.iinfo(np.int64).min, dtype=np.int64)
    out[~missing] = days
    return out


_EPOCH_DAY = date(1970, 1, 1)


def daily_volume(
    df: pd.DataFrame,
    tz: str | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Per local day (by created_at): completed deposit and withdrawal kuruş, and the count of all rows.

    Days with nothing are zero rows, from `start` (default: first day in the data) to `end`
    (default: last day), so a chart's bars line up with the selected range.
    Columns: day (datetime.date), deposits_kurus, withdrawals_kurus, count (all int64).
    """
    tz = tz or frame_tz(df)
    days = _local_days(df["created_at"], tz)
    valid = days != np.iinfo(np.int64).min
    if start is None and end is None and not valid.any():
        return pd.DataFrame({"day": pd.Series([], dtype=object), "deposits_kurus": np.zeros(0, np.int64),
                             "withdrawals_kurus": np.zeros(0, np.int64), "count": np.zeros(0, np.int64)})
    present = days if valid.all() else days[valid]
    first = (start - _EPOCH_DAY).days if start is not None else int(present.min())
    last = (end - _EPOCH_DAY).days if end is not None else int(present.max())
    last = max(last, first - 1)
    size = last - first + 1
    done = _completed(df)
    amount = df["amount_kurus"].to_numpy()
    in_deposits = np.where(done & _type_is(df, "deposit"), amount, 0)
    in_withdrawals = np.where(done & _type_is(df, "withdrawal"), amount, 0)
    index = days - first
    if not (valid.all() and (start is None or index.min() >= 0) and (end is None or index.max() < size)):
        valid &= (index >= 0) & (index < size)
        index, in_deposits, in_withdrawals = index[valid], in_deposits[valid], in_withdrawals[valid]
    deposits, withdrawals, count = _sum_by_day(index, size, in_deposits, in_withdrawals)
    return pd.DataFrame(
        {
            "day": [_EPOCH_DAY + timedelta(days=first + i) for i in range(size)],
            "deposits_kurus": deposits,
            "withdrawals_kurus": withdrawals,
            "count": count,
        }
    )


def _sum_by_day(index: np.ndarray, size: int, *values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Exact int64 sums of `values` per day index (0..size-1), and the row count per day.

    Frames are kept newest first, so the day index is usually monotonic: then each day is one run
    and np.add.reduceat sums the runs (several times faster than np.add.at). Otherwise np.add.at.
    """
    index = index.astype(np.intp, copy=False)
    count = np.zeros(size, dtype=np.int64)
    sums = [np.zeros(size, dtype=np.int64) for _ in values]
    if len(index) == 0:
        return (*sums, count)
    step = np.diff(index)
    if (step <= 0).all() or (step >= 0).all():
        starts = np.concatenate(([0], np.flatnonzero(step) + 1))
        days = index[starts]
        count[days] = np.diff(np.append(starts, len(index)))
        for out, column in zip(sums, values):
            out[days] = np.add.reduceat(column.astype(np.int64, copy=False), starts)
    else:
        count[:] = np.bincount(index, minlength=size)
        for out, column in zip(sums, values):
            np.add.at(out, index, column)
    return (*sums, count)


def balance_effect(df: pd.DataFrame) -> np.ndarray:
    """What each row did to the dealer's balance, in kuruş, if it completed.

    Convention: a completed deposit adds amount - commission; a completed withdrawal subtracts
    amount + commission; anything else (other statuses, unknown type) is 0.
    """
    amount = df["amount_kurus"].to_numpy()
    commission = df["commission_kurus"].to_numpy()
    done = _completed(df)
    return np.where(done & _type_is(df, "deposit"), amount - commission,
                    np.where(done & _type_is(df, "withdrawal"), -(amount + commission), 0)).astype(np.int64)


def balance_history(
    df: pd.DataFrame,
    current_balances: Mapping[int, int],
    *,
    now: datetime,
    freq: str | None = None,
) -> pd.DataFrame:
    """Each IBAN's balance over time, walked backwards from its current balance (kuruş).

    A completed transaction takes effect at `completed_at` (else `created_at`; rows with neither are
    left out, times after `now` count as `now`). Balance after a transaction = current balance minus
    the effects (`balance_effect`) of every later one. IBANs without a current balance are skipped.

    Long format: iban_id, at (tz-aware), balance_kurus; one point per completed transaction plus
    one at `now` per IBAN. With freq="D": one point per local day, the balance at the end of it
    (`at` = next local midnight, or `now` for today), days without transactions carried forward.
    """
    tz = frame_tz(df) if len(df.columns) else timeutil.DEFAULT_TZ
    now_ts = pd.Timestamp(now).tz_convert(tz) if pd.Timestamp(now).tzinfo else pd.Timestamp(now).tz_localize(tz)
    now_ts = now_ts.as_unit(TIME_UNIT)
    effect = balance_effect(df)
    when = df["completed_at"].fillna(df["created_at"])
    keep = (effect != 0) & when.notna().to_numpy() & np.isin(df["iban_id"].to_numpy(), list(current_balances))
    ids = df["iban_id"].to_numpy()[keep]
    ticks = np.minimum(when.array.asi8[keep], now_ts._value)
    effect = effect[keep]
    order = np.lexsort((ticks, ids))
    ids, ticks, effect = ids[order], ticks[order], effect[order]

    frames = []
    for iban_id, current in current_balances.items():
        rows = ids == iban_id
        later = np.cumsum(effect[rows][::-1])[::-1] - effect[rows]  # effects strictly after each row
        balances = np.append(int(current) - later, int(current)).astype(np.int64)
        at = np.append(ticks[rows], now_ts._value)
        frames.append(pd.DataFrame({"iban_id": np.full(len(at), iban_id, dtype=np.int64),
                                    "at": pd.to_datetime(at, unit=TIME_UNIT, utc=True).tz_convert(tz),
                                    "balance_kurus": balances}))
    if not frames:
        return pd.DataFrame({"iban_id": np.zeros(0, np.int64),
                             "at": pd.Series([], dtype=f"datetime64[{TIME_UNIT}, {tz}]"),
                             "balance_kurus": np.zeros(0, np.int64)})
    points = pd.concat(frames, ignore_index=True)
    points["at"] = points["at"].dt.as_unit(TIME_UNIT)
    return _end_of_day(points, tz, now_ts) if freq == "D" else points


def _end_of_day(points: pd.DataFrame, tz: str, now_ts: pd.Timestamp) -> pd.DataFrame:
    """Last balance of each local day per IBAN, with days without transactions carried forward."""
    out = []
    day = points["at"].dt.tz_localize(None).dt.normalize()
    for iban_id, balances in points.groupby("iban_id", sort=True)["balance_kurus"]:
        # Points are in time order within an IBAN, so the last one of a day is its closing balance.
        closing = balances.groupby(day[balances.index].to_numpy()).last()
        days = pd.date_range(closing.index.min(), closing.index.max(), freq="D", unit=TIME_UNIT)
        ends = (days + pd.Timedelta(days=1)).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        out.append(pd.DataFrame({
            "iban_id": np.full(len(days), iban_id, dtype=np.int64),
            "at": pd.Series(ends).clip(upper=now_ts).dt.as_unit(TIME_UNIT),
            "balance_kurus": closing.reindex(days).ffill().to_numpy(dtype=np.int64),
        }))
    return pd.concat(out, ignore_index=True)


# --- the table ------------------------------------------------------------------------------

# Every word the table shows, per language, in one place (the i18n issue can lift this dict).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "id": "ID", "created_at": "Date", "completed_at": "Completed at", "iban": "IBAN", "type": "Type",
        "status": "Status", "amount": "Amount (TRY)", "commission": "Commission (TRY)",
        "username": "Username", "customer_name": "Customer", "customer_iban": "Customer IBAN",
        "description": "Description",
        "deposit": "Deposit", "withdrawal": "Withdrawal", "unknown": "Unknown",
        **{s: s for s in STATUSES},
    },
    "tr": {
        "id": "No", "created_at": "Tarih", "completed_at": "Tamamlanma", "iban": "IBAN", "type": "Tür",
        "status": "Durum", "amount": "Tutar (TL)", "commission": "Komisyon (TL)",
        "username": "Kullanıcı adı", "customer_name": "Müşteri", "customer_iban": "Müşteri IBAN",
        "description": "Açıklama",
        "deposit": "Yatırım", "withdrawal": "Çekim", "unknown": "Bilinmiyor",
        "Pending": "Beklemede", "Processing": "İşleniyor", "Completed": "Tamamlandı", "Failed": "Başarısız",
        "Cancelled": "İptal edildi", "Rejected": "Reddedildi", "Unknown": "Bilinmiyor",
    },
}

MONEY_DTYPE = pd.ArrowDtype(pa.decimal128(18, 2))


def kurus_to_decimal_array(kurus: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """int64 kuruş -> exact, sortable lira as Arrow decimal128(18, 2), without any float.

    decimal128(18, 2) stores the unscaled integer, i.e. the kuruş: write it (sign-extended to
    128 bits, little-endian) straight into the buffer.
    """
    kurus = np.ascontiguousarray(kurus, dtype=np.int64)
    words = np.empty((len(kurus), 2), dtype="<i8")
    words[:, 0] = kurus
    words[:, 1] = kurus >> 63
    arr = pa.Array.from_buffers(pa.decimal128(18, 2), len(kurus), [None, pa.py_buffer(words)])
    return pd.arrays.ArrowExtensionArray(arr)


def display_frame(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The table's columns, in order, with labels in `lang` ("en" / "tr"); also what exports write.

    Values stay typed so the table sorts correctly and the exports keep numbers: ID Int64, dates
    tz-aware datetimes, Type/Status/IBAN categoricals of translated words, money as exact
    decimal128(18, 2) lira. Amount is signed: withdrawals negative (unknown types as sent).
    Formatting (₺, separators, date format) is the job of the table's column_config and the exports.
    """
    labels = LABELS.get(lang, LABELS["en"])
    amount = df["amount_kurus"].to_numpy()
    shown_amount = np.where(_type_is(df, "withdrawal"), -amount, amount)
    ibans = df["iban"].cat.rename_categories(format_iban)
    return pd.DataFrame(
        {
            labels["id"]: df["id"].array,
            labels["created_at"]: df["created_at"].array,
            labels["iban"]: ibans.array,
            labels["type"]: df["type"].cat.rename_categories([labels[t] for t in df["type"].cat.categories]).array,
            labels["status"]: df["status"].cat.rename_categories(
                [labels.get(s, s) for s in df["status"].cat.categories]).array,
            labels["amount"]: kurus_to_decimal_array(shown_amount),
            labels["commission"]: kurus_to_decimal_array(df["commission_kurus"].to_numpy()),
            labels["username"]: df["username"].array,
            labels["customer_name"]: df["customer_name"].array,
            labels["customer_iban"]: df["customer_iban"].array,
            labels["description"]: df["description"].array,
            labels["completed_at"]: df["completed_at"].array,
        }
    )
