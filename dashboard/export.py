"""CSV and Excel files of exactly the rows and columns shown (`history.display_frame`).

Both are safe against formula injection (OWASP "CSV injection"): a text cell that starts with
'=', '+', '-', '@', tab or CR gets a leading apostrophe, so a customer name like
'=HYPERLINK(...)' stays text. Only text columns are touched: money and other numbers stay
numbers, negative ones included. The Excel file gets the same apostrophe, although it writes every
text cell with `write_string` (which can never create a formula): the same cell then reads the
same in both files, and a workbook re-saved as CSV is still safe.

Column kinds follow the dtypes: decimal -> money, integer/float -> number, datetime -> date-time,
everything else (strings, categoricals) -> text. Date-times are written as local wall time in
their own zone, "YYYY-MM-DD HH:MM:SS"; the zone goes into the column header, e.g.
"Date (Europe/Istanbul)", because neither CSV nor Excel can carry it in the value.
"""

from __future__ import annotations

import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xlsxwriter

BOM = b"\xef\xbb\xbf"  # lets Excel open UTF-8 CSV with Turkish letters intact
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "us")  # serial 0 in Excel's 1900 date system
_US_PER_DAY = 86_400_000_000
_MONEY_FORMATS = {"en": '"₺"#,##0.00', "tr": '#,##0.00" ₺"'}  # Excel localises the separators itself
_DATETIME_FORMATS = {"en": "yyyy-mm-dd hh:mm:ss", "tr": "dd.mm.yyyy hh:mm:ss"}  # as on screen (ui.fmt_time)
_STRING_DTYPE = pd.StringDtype("pyarrow")


def _arrow_strings(series: pd.Series) -> pa.ChunkedArray:
    if not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        series = series.astype(_STRING_DTYPE)
    return pa.chunked_array(_to_arrow(series)).cast(pa.large_string())


_RISKY_BYTE = np.zeros(256, dtype=bool)
_RISKY_BYTE[[ord(p) for p in FORMULA_PREFIXES]] = True


def _risky(chunk: pa.Array) -> np.ndarray:
    """Cells whose first byte is a formula prefix, read straight off the Arrow buffers.

    Every prefix is one ASCII byte, and in UTF-8 an ASCII byte never starts a longer character,
    so the first byte decides; this is several times faster than slicing strings.
    """
    if len(chunk) == 0:
        return np.zeros(0, dtype=bool)
    validity, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype="<i8")[chunk.offset : chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    starts = offsets[:-1]
    nonempty = offsets[1:] > starts
    first = data[np.minimum(starts, max(len(data) - 1, 0))] if len(data) else np.zeros(len(starts), np.uint8)
    risky = nonempty & _RISKY_BYTE[first]
    if validity is not None:
        risky &= chunk.is_valid().to_numpy(zero_copy_only=False)
    return risky


def _neutralise_chunk(chunk: pa.Array) -> pa.Array:
    risky = _risky(chunk)
    if not risky.any():
        return chunk  # the usual case: nothing to copy
    # Only the risky cells are rewritten; one pass copies the rest into place.
    mask = pa.array(risky)
    quote, empty = pa.scalar("'", chunk.type), pa.scalar("", chunk.type)
    return pc.replace_with_mask(chunk, mask, pc.binary_join_element_wise(quote, chunk.filter(mask), empty))


def _neutralise_arrow(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    chunks = [_neutralise_chunk(chunk) for chunk in arr.chunks]
    if all(new is old for new, old in zip(chunks, arr.chunks)):
        return arr
    return pa.chunked_array(chunks, type=arr.type)


def neutralise_text(series: pd.Series) -> pd.Series:
    """Prefix "'" to cells starting with = + - @ tab or CR; vectorised, missing stays missing.

    Categoricals keep their codes and only their (few) categories are rewritten, unless two
    categories would collide, then the column becomes plain strings. Everything else comes back as
    pyarrow-backed strings.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Series(series.cat.categories.astype(str), dtype=_STRING_DTYPE)
        renamed = neutralise_text(categories)
        if renamed.is_unique:
            return series.cat.rename_categories(renamed.to_list())
        series = series.astype(_STRING_DTYPE)
    arr = _neutralise_arrow(_arrow_strings(series))
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=series.index, name=series.name)


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_decimal(dtype.pyarrow_dtype):
        return "money"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return "number"
    return "text"


def _neutralise_label(text: str) -> str:
    """`neutralise_text` for one Python string (headers, category labels)."""
    return "'" + text if text[:1] in FORMULA_PREFIXES else text


def _header(name: object, series: pd.Series) -> str:
    """Column label as text, with the zone for aware date-times; neutralised like any text cell."""
    label = str(name)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        label = f"{label} ({series.dt.tz})"
    return _neutralise_label(label)


def _to_arrow(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Zero-copy where the column is already Arrow-backed (strings, decimals, categoricals)."""
    values = series.array
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pa.array(series, from_pandas=True)  # dictionary-encoded, codes not copied
    if hasattr(values, "__arrow_array__"):
        return values.__arrow_array__()
    return pa.array(series.to_numpy(), from_pandas=True)


def _wall_time(series: pd.Series) -> np.ndarray:
    """Local wall-clock time (naive datetime64[us]) of a datetime column; NaT stays NaT."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    return series.dt.as_unit("us").to_numpy()


def _csv_wall_seconds(series: pd.Series) -> pa.Array:
    """Local wall time as naive timestamp[s] (the CSV writer prints 'YYYY-MM-DD HH:MM:SS'); one
    Arrow kernel for the zone, no pandas round trip; NaT -> null (empty)."""
    dtype = series.dtype
    ticks = series.array.asi8  # UTC ticks for aware columns, wall ticks for naive ones; NaT is min int64
    missing = ticks == np.iinfo(np.int64).min
    unit = np.datetime_data(dtype.base if isinstance(dtype, pd.DatetimeTZDtype) else dtype)[0]
    arr = pa.array(ticks, type=pa.int64(), mask=missing if missing.any() else None).view(pa.timestamp(unit))
    if isinstance(dtype, pd.DatetimeTZDtype):
        arr = pc.local_timestamp(arr.cast(pa.timestamp(unit, tz=str(dtype.tz))))
    return arr.cast(pa.timestamp("s"), safe=False)  # drop fractions of a second, as the format does


def _csv_categories(series: pd.Series) -> pa.Array:
    """A categorical as plain strings: only its (few) labels are neutralised, then one take."""
    values = series.array  # the Categorical itself: no Series built for codes or categories
    labels = pa.array([_neutralise_label(str(c)) for c in values.categories], type=pa.string())
    codes = values.codes
    if codes.min(initial=0) < 0:  # missing values: null indices
        return labels.take(pa.array(codes, mask=codes < 0))
    return labels.take(pa.array(codes))


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, comma separated, header row) of exactly `table`'s rows and columns.

    Money/numbers are plain numbers with '.' decimals ('-1234.50', never quoted); text is quoted
    and neutralised; date-times are 'YYYY-MM-DD HH:MM:SS' local, zone in the header; missing
    values are empty. Written by pyarrow's CSV writer, each column handed over as plain Arrow
    (categoricals as strings: the writer's own dictionary path is several times slower).
    """
    columns = [table.iloc[:, position] for position in range(table.shape[1])]
    names = [_header(name, series) for name, series in zip(table.columns, columns)]
    # Big tables: the other core prepares every second column meanwhile (the kernels release the GIL).
    parallel = len(table) >= CSV_PARALLEL_ROWS and (os.cpu_count() or 1) > 1 and len(columns) > 1
    side = _writer().submit(lambda: [_csv_array(c) for c in columns[1::2]]) if parallel else None
    here = [_csv_array(c) for c in (columns[0::2] if parallel else columns)]
    if side is None:
        arrays = here
    else:
        there = side.result()
        arrays = [a for pair in zip(here, there) for a in pair] + here[len(there) :]
    data = pa.Table.from_arrays(arrays, names=names)
    # The writer releases the GIL: on big tables both cores write a half each, joined once.
    halves = 2 if len(data) >= CSV_SPLIT_ROWS and (os.cpu_count() or 1) > 1 else 1
    step = -(-len(data) // halves)
    pieces = [data.slice(i * step, step) for i in range(halves)]
    if halves == 1:
        return b"".join([BOM, _write_csv(pieces[0], True)])
    rest = [_writer().submit(_write_csv, piece, False) for piece in pieces[1:]]
    first = _write_csv(pieces[0], True)  # meanwhile, on this thread
    return b"".join([BOM, first, *(f.result() for f in rest)])


CSV_SPLIT_ROWS = 4_096  # from here on the two halves are written at once
CSV_PARALLEL_ROWS = 65_536  # from here on the columns are prepared on two threads


def _csv_array(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """One column as the plain Arrow the CSV writer prints the way the module docstring says."""
    kind = _kind(series)
    if kind == "datetime":
        return _csv_wall_seconds(series)
    if kind == "text" and isinstance(series.dtype, pd.CategoricalDtype):
        return _csv_categories(series)
    if kind == "text":
        return _neutralise_arrow(_arrow_strings(series))
    return _to_arrow(series)


_WRITER: list[ThreadPoolExecutor] = []
_WRITER_LOCK = threading.Lock()


def _writer() -> ThreadPoolExecutor:
    """One writer thread kept for the process (starting a thread per export costs more than a
    small table's write)."""
    with _WRITER_LOCK:
        if not _WRITER:
            _WRITER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-writer"))
        return _WRITER[0]


def _write_csv(table: pa.Table, header: bool) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(include_header=header))
    return sink.getvalue()


def _money_floats(series: pd.Series) -> np.ndarray:
    """Decimal column -> float64 for Excel (its only number type); NaN for missing.

    Divides the exact unscaled integer by 10**scale, which gives the double nearest the decimal
    (so 0.10 is Excel's 0.1), instead of relying on a decimal->double cast.
    """
    arr = pa.chunked_array(_to_arrow(series)).combine_chunks()
    words = np.frombuffer(arr.buffers()[1], dtype="<i8").reshape(-1, 2)[arr.offset : arr.offset + len(arr)]
    if np.any(words[:, 1] != (words[:, 0] >> 63)):  # beyond int64: let Arrow convert
        values = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
    else:
        values = words[:, 0] / float(10**arr.type.scale)
    return np.where(arr.is_null().to_numpy(zero_copy_only=False), np.nan, values)


def _excel_column(series: pd.Series, kind: str) -> list:
    """Python values to write, None where the cell stays empty."""
    if kind == "money":
        values = _money_floats(series)
    elif kind == "datetime":
        wall = _wall_time(series)
        values = (wall - _EXCEL_EPOCH).astype(np.int64) / _US_PER_DAY
        values[np.isnat(wall)] = np.nan
    elif kind in ("number", "bool"):
        values = series.to_numpy(dtype=object, na_value=None)
        return values.tolist()
    else:
        text = neutralise_text(series).astype(_STRING_DTYPE)
        return text.to_numpy(dtype=object, na_value=None).tolist()
    return np.where(np.isnan(values), None, values).tolist()


def _width(header: str, values: list, kind: str) -> float:
    if kind == "datetime":
        return max(len(header), 19) + 2
    sample = [len(str(v)) for v in values[:1000] if v is not None]
    return min(max([len(header), *sample]) + 2, 60)


def to_excel_bytes(table: pd.DataFrame, *, lang: str = "en", sheet_name: str = "Transactions") -> bytes:
    """An .xlsx of exactly `table`: bold frozen header, numbers as numbers (money with a ₺ format),
    date-times as Excel date-times (local wall time, zone in the header), text neutralised.

    Uses xlsxwriter's constant_memory mode (rows streamed to disk), so 100k+ rows stay light.
    """
    rows = len(table)
    if rows + 1 > EXCEL_MAX_ROWS:
        raise ValueError(f"Excel holds at most {EXCEL_MAX_ROWS - 1:,} rows; narrow the filter or export CSV.")
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    formats = {
        "money": workbook.add_format({"num_format": _MONEY_FORMATS.get(lang, _MONEY_FORMATS["en"])}),
        "datetime": workbook.add_format({"num_format": _DATETIME_FORMATS.get(lang, _DATETIME_FORMATS["en"])}),
        "number": None,
        "bool": None,
        "text": None,
    }
    methods = {
        "money": sheet.write_number,
        "datetime": sheet.write_number,
        "number": sheet.write_number,
        "bool": sheet.write_boolean,
        "text": sheet.write_string,
    }

    columns = []
    for position in range(table.shape[1]):
        series = table.iloc[:, position]
        kind = _kind(series)
        header = _header(table.columns[position], series)
        values = _excel_column(series, kind)
        sheet.set_column(position, position, _width(header, values, kind))
        sheet.write_string(0, position, header, bold)
        columns.append((position, values, methods[kind], formats[kind]))

    # constant_memory needs whole rows in order; the per-cell call is xlsxwriter's only interface.
    for row in range(rows):
        for position, values, write, cell_format in columns:
            value = values[row]
            if value is not None and value != "":
                write(row + 1, position, value, cell_format)

    sheet.freeze_panes(1, 0)
    if table.shape[1]:
        sheet.autofilter(0, 0, max(rows, 1), table.shape[1] - 1)
    workbook.close()
    return output.getvalue()
