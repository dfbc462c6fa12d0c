"""Transaction history as one typed pandas frame, in modules with one job each:

- `schema`: the frame's columns, status / type words, word folding
- `records`: raw records (dicts, pages, Arrow pages) -> one column per field
- `ingest`: those columns -> the typed frame of one IBAN (`records_to_frame`)
- `assemble`: many IBANs -> one frame, built from typed parts column by column
- `filters`: `TransactionFilter`, `apply_filter`, the quick date ranges, the text search
- `summary`: totals (`summarize`) and the daily volume
- `balance`: balance effects and each IBAN's balance over time
- `display`: the table's columns and labels (also what exports write)
- `view`, `cache`, `fetch`, `load`: the filtered views, the process's frame cache, fetching from
  the API and loading a selection through the cache

No Streamlit anywhere here. The names below are what callers used when this was one module.
"""

from dashboard.history.assemble import BATCH_ROWS, Part, assemble, combine, frame_part, frame_parts, select_ibans
from dashboard.history.balance import balance_effect, balance_history
from dashboard.history.display import LABELS, display_frame
from dashboard.history.filters import TransactionFilter, apply_filter, date_presets
from dashboard.history.ingest import empty_frame, records_to_frame
from dashboard.history.records import FIELDS
from dashboard.history.schema import (
    COLUMNS,
    SEARCH_COLUMN,
    STATUSES,
    STRING_DTYPE,
    TEXT_FIELDS,
    TIME_UNIT,
    TYPES,
    fold,
    frame_tz,
    status_label,
    type_label,
)
from dashboard.history.summary import Summary, daily_volume, summarize

__all__ = [
    "BATCH_ROWS",
    "COLUMNS",
    "FIELDS",
    "LABELS",
    "SEARCH_COLUMN",
    "STATUSES",
    "STRING_DTYPE",
    "TEXT_FIELDS",
    "TIME_UNIT",
    "TYPES",
    "Part",
    "Summary",
    "TransactionFilter",
    "apply_filter",
    "assemble",
    "balance_effect",
    "balance_history",
    "combine",
    "daily_volume",
    "date_presets",
    "display_frame",
    "empty_frame",
    "fold",
    "frame_part",
    "frame_parts",
    "frame_tz",
    "records_to_frame",
    "select_ibans",
    "status_label",
    "summarize",
    "type_label",
]
