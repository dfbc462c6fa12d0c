"""Batch payouts from a file (issue 14): parse, check and preview, store for approval, send once per row.

    parsing.py   CSV / XLSX bytes -> rows as text, or BatchFileError (a bad file changes nothing)
    preview.py   each row through the Send money form's checks; bank, costs, repeats; totals
    desk.py      a previewed file -> a stored batch awaiting approval; approve / reject / pause / cancel
    sender.py    approved batches sent row by row through the journal, bounded and rate-limited
    frames.py    the preview and results tables (the results also as the downloadable file)

No Streamlit here: the Batch payouts page reaches this through dashboard.data_access.
"""

from dashboard.batches.desk import BATCH_STATES, KIND, Approvals, BatchDesk, BatchError, operation_id
from dashboard.batches.parsing import COLUMNS, TURKISH_HEADERS, BatchFileError, PayoutFile, read_payout_file
from dashboard.batches.preview import RECENT_WINDOW, Preview, PreviewRow, Totals, build_preview
from dashboard.batches.sender import AdaptiveRate, BatchSender

__all__ = [
    "BATCH_STATES",
    "COLUMNS",
    "KIND",
    "RECENT_WINDOW",
    "TURKISH_HEADERS",
    "AdaptiveRate",
    "Approvals",
    "BatchDesk",
    "BatchError",
    "BatchFileError",
    "BatchSender",
    "PayoutFile",
    "Preview",
    "PreviewRow",
    "Totals",
    "build_preview",
    "operation_id",
    "read_payout_file",
]
