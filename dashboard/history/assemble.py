"""The history of many IBANs as one frame: typed parts per batch of pages, assembled column by column.

Each IBAN's pages are converted a batch at a time (`frame_parts`) as they arrive; `assemble` then
joins the parts of every IBAN into one newest-first frame, releasing the parts' memory column by
column as the frame grows. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import timeutil
from dashboard.history.ingest import as_frame, empty_frame, id_sort_key, newest_first_order, search_text, typed_columns
from dashboard.history.records import columns_of
from dashboard.history.schema import COLUMNS, SEARCH_COLUMN, STATUSES, STRING_COLUMNS, TIME_COLUMNS, TIME_UNIT, TYPES

ASSEMBLE_THREADS = 2  # columns gathered at once by `assemble` (Arrow and numpy release the GIL)
POOLED_ROWS = 50_000  # frames of fewer rows are assembled on the calling thread alone
BATCH_ROWS = 65_536  # pages converted together: few kernel calls per row, at most ~13 MB of raw pages per IBAN

Part = dict  # column name -> typed column of `ingest.typed_columns` (a batch of one IBAN's records)


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
            return typed_columns(*columns_of(batch), iban_id=iban_id, iban=iban, tz=tz, search=False)

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
        if name in TIME_COLUMNS:
            part[name] = col.dt.tz_convert(tz).dt.as_unit(TIME_UNIT).array
        elif name in STRING_COLUMNS:
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

    # Newest first: created_at then id, both descending, NaT last (NaT is the smallest int64).
    ticks = np.concatenate([p["created_at"].asi8 for p in parts])
    id_key = np.concatenate([id_sort_key(p["id"]) for p in parts])
    order = newest_first_order(ticks, id_key)
    if order is not None:
        order = order.copy()  # contiguous: every column's gather reads it
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
        if name in TIME_COLUMNS:
            # asi8 is UTC microseconds whatever the part's zone: the result only needs the dealer's zone.
            return _utc_times(_gather_numbers([p.pop(name).asi8 for p in parts], order), tz)
        if name in STRING_COLUMNS:
            return _gather_strings([p.pop(name) for p in parts], order)
        return _gather_numbers([p.pop(name) for p in parts], order)

    # Two columns at a time (the gathers release the GIL): each pops its own column from the parts.
    # A small frame (a few days' pages) on this thread: starting a pool's threads costs more than its gathers.
    names = [name for name in COLUMNS if search or name != SEARCH_COLUMN]
    pooled = len(ticks) >= POOLED_ROWS
    with ThreadPoolExecutor(max_workers=ASSEMBLE_THREADS) if pooled else nullcontext() as pool:
        columns = dict(zip(names, (pool.map if pool else map)(build, names)))
        if not search:  # from the ordered text columns, a slice at a time
            # One chunk: a take on a chunked string column concatenates it first, on every filter.
            columns[SEARCH_COLUMN] = search_text(columns, pool=pool).combine_chunks()
    return as_frame({name: columns[name] for name in COLUMNS})


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-IBAN frames into one, newest first; IBAN categories are unioned."""
    frames = [f for f in frames if f is not None]
    if not frames:
        return empty_frame()
    tz = str(frames[0]["created_at"].dt.tz)
    return assemble([frame_part(f, tz) for f in frames], tz)
