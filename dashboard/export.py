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


def _neutralise_arrow(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    risky = pa.chunked_array([pa.array(_risky(chunk)) for chunk in arr.chunks], type=pa.bool_())
    if not pc.any(risky).as_py():
        return arr  # the usual case: nothing to copy
    quoted = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(risky, quoted, arr)


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


def _header(name: object, series: pd.Series) -> str:
    """Column label as text, with the zone for aware date-times; neutralised like any text cell."""
    label = str(name)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        label = f"{label} ({series.dt.tz})"
    return neutralise_text(pd.Series([label])).iloc[0]


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


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, comma separated, header row) of exactly `table`'s rows and columns.

    Money/numbers are plain numbers with '.' decimals ('-1234.50', never quoted); text is quoted
    and neutralised; date-times are 'YYYY-MM-DD HH:MM:SS' local, zone in the header; missing
    values are empty. Written by pyarrow's CSV writer.
    """
    names, arrays = [], []
    for position in range(table.shape[1]):
        series = table.iloc[:, position]
        kind = _kind(series)
        if kind == "datetime":
            seconds = _wall_time(series).astype("datetime64[s]")
            arrays.append(pa.array(seconds, type=pa.timestamp("s"), from_pandas=True).cast(pa.string()))
        elif kind == "text":
            arrays.append(_to_arrow(neutralise_text(series)))
        else:
            arrays.append(_to_arrow(series))
        names.append(_header(table.columns[position], series))
    sink = pa.BufferOutputStream()
    sink.write(BOM)
    pacsv.write_csv(pa.Table.from_arrays(arrays, names=names), sink)
    return sink.getvalue().to_pybytes()


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
        values = words[:, 0] / float(10 ** arr.type.scale)
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
    methods = {"money": sheet.write_number, "datetime": sheet.write_number, "number": sheet.write_number,
               "bool": sheet.write_boolean, "text": sheet.write_string}

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
