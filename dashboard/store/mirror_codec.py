"""The history mirror's values: a history frame -> Arrow rows of `mirror_transactions`, and the
compact month blocks of `mirror_blocks` -> the typed parts a history frame is assembled from.

Everything is columnar (Arrow kernels, numpy): a year is a million rows. Conventions of the mirror:
- `created_at` / `completed_at` are INTEGER microseconds since the epoch (UTC), NULL when unknown --
  not the ISO text of other tables' `*_at`: a million timestamps are read back as one int64 column.
- `day` is the dealer-local date of created_at, 'YYYY-MM-DD' (a row with no created_at belongs to
  the first day of the range it was fetched with).
- `tx_id` is the provider's id; a row without one gets a stable negative key from its content.
- `search_text` is `history.schema.fold` of the id, username, customer name, compact IBAN and
  description, joined by \\x1f (so no query matches across two fields).
- `final` is 1 when the status can no longer change (Completed, Failed, Cancelled, Rejected).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.history.schema import STATUSES, TIME_UNIT, TYPES

FINAL_STATUSES = ("Completed", "Failed", "Cancelled", "Rejected")
SEPARATOR = "\x1f"
SEARCH_FIELDS = ("tx_id", "username", "customer_name", "customer_iban", "description")
# What a row reports: the history frame's values, in this order -- the order of a month block's
# columns (part of the stored format, so it stays) and of the row columns between key and search.
_REPORTED: tuple[str, ...] = (
    "day",
    "type",
    "status",
    "amount_kurus",
    "commission_kurus",
    "signed_kurus",
    "username",
    "customer_name",
    "customer_iban",
    "description",
    "created_at",
    "completed_at",
)
# The columns of `mirror_transactions` a write sets (missing_since is the repository's): the reported
# values behind the row's key, then what the mirror derives (search, finality, when synced).
ROW_COLUMNS: tuple[str, ...] = ("iban_id", "tx_id", "iban", *_REPORTED, "search_text", "final", "synced_at")
# What a month block holds per row: the reported values and the provider's id, enough to rebuild the
# history frame's columns. Both tuples come from _REPORTED so a value added to one cannot be missed by
# the other (the block is one IBAN, so it needs no iban_id / iban; search_text etc. are rebuilt).
BLOCK_COLUMNS: tuple[str, ...] = ("id", *_REPORTED)
_TEXT = ("username", "customer_name", "customer_iban", "description")
_NAT = np.iinfo(np.int64).min
# Uncompressed: per-block compression cost more than the read it should speed up (measured: a
# 420-row block wrote in 0.9 ms and read in 0.06 ms plain, 5.7 ms and 4.2 ms with zstd).
_IPC = pa.ipc.IpcWriteOptions()


# Python's str.split() (what `fold` collapses) splits on every character of str.isspace(); RE2's \s
# is only [\t\n\f\r ], so the other ones are named. After NFKD (run on non-ASCII rows) the
# compatibility spaces (U+00A0, U+2000-U+200A, U+202F, U+205F, U+3000) are a plain " " already.
_SPACE = r"[\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}]"
# A row needs the whitespace regex only if it has a space other than " ", or " " at an end or twice:
# one regex pass over the column (not one substring pass per kind of space).
_ODD_SPACING = r"^ | $|  |[\t\n\r\x{0b}\x{0c}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def fold_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`history.schema.fold` of a whole text column, with Arrow kernels (no Python per row). A column
    that repeats (names, usernames) folds each distinct text once; the Unicode steps (Turkish i's,
    NFKD, accents off) run on the non-ASCII rows only, the whitespace regex only on rows that have
    odd spacing -- the rest is a lower-casing and two plain replacements."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    values = values.cast(pa.large_string())
    encoded = values.dictionary_encode()
    if len(encoded.dictionary) < len(values) // 2:
        return fold_array(encoded.dictionary).take(encoded.indices)
    out = _only_where(pc.invert(pc.string_is_ascii(values).fill_null(True)), pc.ascii_lower(values), _unicode_fold)
    out = pc.replace_substring(pc.replace_substring(out, "_", " "), "-", " ")
    odd = pc.match_substring_regex(out, _ODD_SPACING)
    return _only_where(odd.fill_null(False), out, _collapse_spaces)


def _only_where(mask: pa.Array, values: pa.Array, step) -> pa.Array:
    """`values` with `step` applied to the rows of `mask` only."""
    if not pc.any(mask).as_py():
        return values
    rows = np.flatnonzero(np.asarray(mask))
    return pc.replace_with_mask(values, mask, step(values.take(pa.array(rows))))


def _unicode_fold(values: pa.Array) -> pa.Array:
    out = values
    for capital in ("İ", "I", "ı"):
        out = pc.replace_substring(out, capital, "i")
    out = pc.utf8_normalize(pc.utf8_lower(out), "NFKD")
    return pc.replace_substring_regex(out, r"\p{M}+", "")


def _collapse_spaces(values: pa.Array) -> pa.Array:
    return pc.utf8_trim(pc.replace_substring_regex(values, _SPACE + "+", " "), " ")


def _micros(values: pd.Series) -> pa.Array:
    """Aware datetimes -> int64 UTC microseconds, null for NaT."""
    ticks = values.dt.as_unit(TIME_UNIT).array.asi8
    return pa.array(ticks, mask=ticks == _NAT, type=pa.int64())


def _days(created: pd.Series, tz: str, fallback: date) -> pa.Array:
    local = created.dt.tz_convert(tz).dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    days = pa.array(local, from_pandas=True).cast(pa.string())
    return days.fill_null(fallback.isoformat())


def _tx_ids(frame: pd.DataFrame) -> pa.Array:
    """The provider's ids; for a row without one, a stable negative key made from its content."""
    ids = frame["id"].array
    values = ids.to_numpy(dtype=np.int64, na_value=0)
    missing = np.asarray(ids.isna())
    if missing.any():
        cols = ["created_at", "completed_at", "type", "amount_kurus", *_TEXT]
        hashed = pd.util.hash_pandas_object(frame.loc[missing, cols], index=False).to_numpy()
        values = values.copy()
        values[missing] = -((hashed >> np.uint64(1)).astype(np.int64)) - 1
    return pa.array(values, type=pa.int64())


def _labels(values: pd.Series) -> pa.Array:
    """A categorical column as plain Arrow strings (decoded from its categories, not per row)."""
    return pa.array(values.array).dictionary_decode().cast(pa.string())


def _text(frame: pd.DataFrame, name: str) -> pa.Array:
    return pa.array(frame[name].array).cast(pa.large_string()).fill_null("")


def search_text(ids: pa.Array, text: dict[str, pa.Array]) -> pa.Array:
    """The mirror's search column: folded id, username, customer name, IBAN, description."""
    pieces = [ids.cast(pa.large_string())] + [fold_array(text[name]) for name in SEARCH_FIELDS[1:]]
    return pc.binary_join_element_wise(*pieces, pa.scalar(SEPARATOR, pa.large_string()))


def row_table(frame: pd.DataFrame, *, iban_id: int, iban: str, tz: str, first_day: date, synced_at: str) -> pa.Table:
    """A history frame (of one IBAN) as mirror rows: `ROW_COLUMNS` plus `id` (nullable, for blocks)."""
    n = len(frame)
    tx_ids = _tx_ids(frame)
    text = {name: _text(frame, name) for name in _TEXT}
    status = _labels(frame["status"])
    columns = {
        "iban_id": pa.array(np.full(n, int(iban_id), dtype=np.int64)),
        "tx_id": tx_ids,
        "iban": pa.array([iban] * n, type=pa.string()) if n else pa.array([], pa.string()),
        "day": _days(frame["created_at"], tz, first_day),
        "type": _labels(frame["type"]),
        "status": status,
        **{name: pa.array(frame[name].to_numpy(dtype=np.int64)) for name in _KURUS},
        **text,
        "created_at": _micros(frame["created_at"]),
        "completed_at": _micros(frame["completed_at"]),
        "search_text": search_text(tx_ids, text),
        "final": pc.cast(pc.is_in(status, pa.array(FINAL_STATUSES)), pa.int64()),
        "synced_at": pa.array([synced_at] * n, type=pa.string()) if n else pa.array([], pa.string()),
        "id": pa.array(frame["id"].array, type=pa.int64()),
    }
    return pa.table(columns)


_KURUS = ("amount_kurus", "commission_kurus", "signed_kurus")


def block_bytes(table: pa.Table) -> bytes:
    """Rows of one IBAN and month (`BLOCK_COLUMNS`) as a compressed Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    block = table.select(list(BLOCK_COLUMNS))
    with pa.ipc.new_stream(sink, block.schema, options=_IPC) as writer:
        writer.write_table(block)
    return sink.getvalue().to_pybytes()


def block_table(data: bytes | memoryview) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


_DTYPES: dict[tuple[str, ...], pd.CategoricalDtype] = {}  # made once: from_codes validates new categories each time


def _codes(values: pa.ChunkedArray | pa.Array, labels: tuple[str, ...], other: str) -> pd.Categorical:
    codes = pc.index_in(values, value_set=pa.array(labels)).fill_null(labels.index(other))
    dtype = _DTYPES.get(labels) or _DTYPES.setdefault(labels, pd.CategoricalDtype(list(labels)))
    return pd.Categorical.from_codes(np.asarray(codes).astype(np.int8), dtype=dtype)


def _times(values: pa.ChunkedArray | pa.Array, tz: str) -> pd.arrays.DatetimeArray:
    ticks = np.asarray(values.fill_null(_NAT), dtype=np.int64)
    return pd.DatetimeIndex(ticks.view(f"datetime64[{TIME_UNIT}]")).tz_localize("UTC").tz_convert(tz).array


def _large(values: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    """large_string, left in its blocks' chunks: `assemble` joins every part's chunks in one go."""
    return values if values.type == pa.large_string() else values.cast(pa.large_string())


def _ibans(table: pa.Table, iban_id: int, iban: str) -> tuple[np.ndarray, pd.Categorical]:
    n = table.num_rows
    if "iban_id" not in table.column_names:  # a block: one IBAN
        return np.full(n, int(iban_id), dtype=np.int64), pd.Categorical.from_codes(np.zeros(n, np.int8), [iban])
    encoded = table["iban"].combine_chunks().dictionary_encode()
    labels = encoded.dictionary.to_pylist()
    order = sorted(range(len(labels)), key=labels.__getitem__)
    lookup = np.empty(len(labels), dtype=np.int16)
    lookup[order] = np.arange(len(labels))
    codes = lookup[np.asarray(encoded.indices)] if n else np.zeros(0, np.int16)
    return np.asarray(table["iban_id"], dtype=np.int64), pd.Categorical.from_codes(codes, sorted(labels))


def part_of(table: pa.Table, *, iban_id: int = 0, iban: str = "", tz: str) -> dict:
    """Block (or row) columns -> the typed columns `history.assemble` joins (no search text). A block
    is one IBAN's (`iban_id`, `iban`); rows with `iban_id` and `iban` columns may be of several."""
    ids = table["id"]
    mask = np.asarray(ids.is_null())
    iban_ids, ibans = _ibans(table, iban_id, iban)
    return {
        "id": pd.arrays.IntegerArray(np.asarray(ids.fill_null(0), dtype=np.int64), mask),
        "iban_id": iban_ids,
        "iban": ibans,
        "type": _codes(table["type"], TYPES, "unknown"),
        "status": _codes(table["status"], STATUSES, "Unknown"),
        **{name: np.asarray(table[name], dtype=np.int64) for name in _KURUS},
        **{name: _large(table[name]) for name in _TEXT},
        "created_at": _times(table["created_at"], tz),
        "completed_at": _times(table["completed_at"], tz),
    }
