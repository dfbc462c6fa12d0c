"""Raw transaction records -> one column per field, the first step of the history's ingest.

Records come as the API sent them: dicts given flat, pages of dicts, or pages already read into
Arrow by the client. Each page becomes Arrow columns as it arrives (so its dicts can go); where
records are irregular, the tolerant path picks fields out in Python. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyarrow as pa

from dashboard.history.schema import TEXT_FIELDS

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


def columns_of(pages_or_records: Iterable[object]) -> tuple[int, dict[str, Values]]:
    """Per-field columns of records given flat, as pages (lists of dicts) or as Arrow pages.

    Streaming: each page is turned into Arrow columns as it arrives and its dicts can be dropped,
    so a year of history never has more than one page of Python dicts alive (the pages iterator
    from the client is consumed lazily). Records given flat are converted in one pass.
    """
    if isinstance(pages_or_records, Mapping):  # one record on its own
        pages_or_records = [pages_or_records]
    if (
        isinstance(pages_or_records, list)
        and (not pages_or_records or isinstance(pages_or_records[0], dict))
        and all(not isinstance(item, (list, tuple, pa.Array)) for item in pages_or_records)
    ):
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
