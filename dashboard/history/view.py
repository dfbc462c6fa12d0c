"""What the Transactions page shows for one filter of a history: the rows, their summary and daily
volume, and the display table per language. No Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.history import filters  # called through the module: tests and benches count the calls
from dashboard.history.display import display_frame
from dashboard.history.schema import frame_tz
from dashboard.history.summary import Summary, daily_chart, daily_volume, summarize


@dataclass(frozen=True)
class HistoryView:
    """The rows of one filter of a history, their summary and daily volume, and the display table
    per language (made on first use)."""

    rows: pd.DataFrame
    summary: Summary
    daily: pd.DataFrame
    tables: dict[str, pd.DataFrame]

    def table(self, lang: str) -> pd.DataFrame:
        table = self.tables.get(lang)
        if table is None:
            table = self.tables.setdefault(lang, display_frame(self.rows, lang=lang))
        return table

    def daily_chart(self) -> pd.DataFrame:
        """The daily volume as chart bars (float lira: for the axis only)."""
        return daily_chart(self.daily)


def build_view(frame: pd.DataFrame, flt: filters.TransactionFilter) -> HistoryView:
    """Filter `frame` and summarise the rows kept (the display tables come later, per language)."""
    rows = filters.apply_filter(frame, flt)
    return HistoryView(rows, summarize(rows), daily_volume(rows, tz=frame_tz(frame)), {})


def view_bytes(frame: pd.DataFrame, rows: pd.DataFrame) -> int:
    """Memory a view adds to its history: its own rows (none when it is the whole frame), plus the
    display table's two decimal money columns (16 bytes a row each)."""
    own = 0 if rows is frame else int(rows.memory_usage(deep=True).sum())
    return own + 32 * len(rows)
