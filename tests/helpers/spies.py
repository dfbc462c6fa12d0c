"""Spies on the console's code, for the tests and benchmarks that check what it was handed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def spying_on_filters() -> Iterator[tuple[list[int], list[int]]]:
    """(seen, filtered): the id() of each frame handed to data_access.filter_history and to
    history.filters.apply_filter while inside; the real functions are back on exit."""
    # Imported here: a benchmark sets the console's environment before dashboard.data_access loads.
    from dashboard import data_access
    from dashboard.history import filters

    seen: list[int] = []
    filtered: list[int] = []
    real_view, real_filter = data_access.filter_history, filters.apply_filter

    def spy_view(df, f):
        seen.append(id(df))
        return real_view(df, f)

    def spy_filter(df, f):
        filtered.append(id(df))
        return real_filter(df, f)

    data_access.filter_history, filters.apply_filter = spy_view, spy_filter
    try:
        yield seen, filtered
    finally:
        data_access.filter_history, filters.apply_filter = real_view, real_filter
