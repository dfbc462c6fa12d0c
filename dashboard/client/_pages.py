"""One page of an IBAN's transaction history, and where the next page is.

`read_transaction_page` takes every paginated shape the tolerant reader knows; `arrow_transaction_page`
is the fast path for the common shape, read from the JSON bytes straight into Arrow.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ._envelope import body_data
from ._fields import read_int
from .errors import MalformedResponseError


@dataclass(frozen=True, slots=True)
class TransactionPage:
    """One page of transaction records with whatever pagination hints the body carried.

    `records` is a list of dicts, or (from `arrow_transaction_page`) a pyarrow StructArray.
    """

    records: Any
    current_page: int | None = None
    last_page: int | None = None
    next_page_url: str | None = None


def read_transaction_page(body: dict[str, Any]) -> TransactionPage:
    """`data: [...]`, a paginated body (`data` beside `current_page`/`last_page`/`next_page_url`),
    the nested form `data: {data: [...], current_page, ...}`, or an API-resource form with
    `meta.current_page` and `links.next`."""
    data = body_data(body)
    records: list[Any]
    meta: dict[str, Any]
    if data is None:
        records, meta = [], body
    elif isinstance(data, list):
        records, meta = data, body
    elif isinstance(data, dict) and isinstance(data.get("data"), list):
        records, meta = data["data"], data
    else:
        raise MalformedResponseError(f"expected a list of transactions, got {type(data).__name__}")
    inner_meta = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
    links = meta.get("links") if isinstance(meta.get("links"), dict) else {}
    next_url = meta.get("next_page_url", links.get("next"))
    return TransactionPage(
        # A record that is not an object cannot be shown; it is dropped rather than failing the history.
        records=[r for r in records if isinstance(r, dict)],
        current_page=read_int(meta.get("current_page", inner_meta.get("current_page"))),
        last_page=read_int(meta.get("last_page", inner_meta.get("last_page"))),
        next_page_url=next_url.strip() if isinstance(next_url, str) and next_url.strip() else None,
    )


# Record fields as the Arrow fast path reads them: numbers as JSON numbers, text as JSON strings.
ARROW_NUMBER_FIELDS = ("id", "amount", "commission")
ARROW_TEXT_FIELDS = (
    "type",
    "status",
    "username",
    "customer_name",
    "customer_iban",
    "description",
    "created_at",
    "completed_at",
)


@functools.cache
def _arrow_page_options():
    import pyarrow as pa
    import pyarrow.json as pajson

    text = pa.large_string()
    record = pa.struct(
        [
            ("id", pa.int64()),
            ("amount", pa.float64()),
            ("commission", pa.float64()),
            *((name, text) for name in ARROW_TEXT_FIELDS),
        ]
    )
    schema = pa.schema(
        [
            ("success", pa.bool_()),
            ("data", pa.list_(record)),
            ("current_page", pa.int64()),
            ("last_page", pa.int64()),
            ("next_page_url", text),
            ("meta", pa.null()),
            ("links", pa.null()),
        ]
    )
    return (
        pajson.ReadOptions(use_threads=False, block_size=1 << 30),
        pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
    )


def arrow_transaction_page(content: bytes) -> TransactionPage | None:
    """The common page shape read straight from the JSON bytes into Arrow (no Python dicts, GIL released).

    Only for the plain Laravel shape the sandbox and the API send: `success: true`, `data: [records]`
    with numbers as numbers and text as text, and `current_page`/`last_page` or `next_page_url`.
    Anything else (a type that differs, a record that is not an object, `meta`/`links`, nested data,
    no pagination hints...) returns None and the caller reads the body with orjson and
    `read_transaction_page`, so the tolerant reader still decides every odd case.
    """
    import pyarrow as pa
    import pyarrow.json as pajson

    if not content or content[:1] != b"{" or b"\n" in content:  # one object on one line, as orjson/PHP write it
        return None
    read_options, parse_options = _arrow_page_options()
    try:
        table = pajson.read_json(pa.BufferReader(content), read_options=read_options, parse_options=parse_options)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != 1:
        return None
    row = {name: table.column(name)[0] for name in ("success", "data", "current_page", "last_page", "next_page_url")}
    meta = {name: value.as_py() for name, value in row.items() if name != "data"}
    paginated = meta["next_page_url"] is not None or (
        meta["current_page"] is not None and meta["last_page"] is not None
    )
    if meta["success"] is not True or not row["data"].is_valid or not paginated:
        return None
    records = row["data"].values  # StructArray of this page's records
    if records.null_count:
        return None  # a null among the records: the tolerant reader drops it
    next_url = meta["next_page_url"]
    return TransactionPage(
        records=records,
        current_page=meta["current_page"],
        last_page=meta["last_page"],
        next_page_url=next_url.strip() if next_url and next_url.strip() else None,
    )
