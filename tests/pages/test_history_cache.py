"""data_access's history cache: one frame per selection (no per-IBAN copies), narrower selections
sliced from a cached frame, wider ones fetching only the IBANs not cached, filtered views memoised
per (history, filter) and dropped with the history. Runs data_access directly against the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from dashboard import data_access, history
from dashboard.timeutil import now


@pytest.fixture
def ibans(console):
    loaded = data_access.load_ibans()
    assert loaded.ok and len(loaded.value) == 5
    return loaded.value


def dates():
    today = now().date()
    return today - timedelta(days=29), today


def history_keys() -> list[tuple]:
    return [k for k in data_access._frames()._items if k[0] == "history"]


def test_a_narrower_selection_is_sliced_from_the_cached_history(console, ibans):
    start, end = dates()
    full = data_access.load_history(ibans, start, end).value
    calls = console.calls("GET /transactions")
    two = [ibans[3], ibans[1]]
    part = data_access.load_history(two, start, end).value
    assert console.calls("GET /transactions") == calls  # nothing fetched
    expected = full[full["iban_id"].isin([i.id for i in two])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, expected)
    assert data_access.load_history(two, start, end).value is part  # and kept: reruns get the same object


def test_a_wider_selection_fetches_only_the_new_ibans_and_replaces_the_narrower_frame(console, ibans):
    start, end = dates()
    data_access.load_history(ibans[:2], start, end)
    assert console.calls("GET /transactions") == 2
    wide = data_access.load_history(ibans, start, end).value
    assert console.calls("GET /transactions") == 5  # the three not cached yet
    assert history_keys() == [("history", data_access._fingerprint(), tuple(sorted(i.id for i in ibans)), start, end)]

    data_access.refresh_all()
    fresh = data_access.load_history(ibans, start, end).value
    assert console.calls("GET /transactions") == 10
    pd.testing.assert_frame_equal(wide, fresh)  # the same rows, order and types as a fetch from scratch
    assert list(wide["iban_id"].unique()) != [] and wide["created_at"].is_monotonic_decreasing


def test_filtered_views_are_memoised_per_history_and_filter(console, ibans):
    start, end = dates()
    frame = data_access.load_history(ibans, start, end).value
    flt = history.TransactionFilter(start=start, end=end, statuses=("Completed",))
    view = data_access.filter_history(frame, flt)
    pd.testing.assert_frame_equal(view.rows, history.apply_filter(frame, flt))
    assert view.summary == history.summarize(view.rows)
    pd.testing.assert_frame_equal(view.daily, history.daily_volume(view.rows, tz=history.frame_tz(frame)))
    pd.testing.assert_frame_equal(view.table("tr"), history.display_frame(view.rows, lang="tr"))
    assert view.table("tr") is view.table("tr")

    assert data_access.filter_history(frame, flt) is view
    other = data_access.filter_history(frame, history.TransactionFilter(text="a"))
    assert other is not view and data_access.filter_history(frame, flt) is view

    data_access.after_money_moved()  # the history is dropped, its views with it
    again = data_access.load_history(ibans, start, end).value
    assert again is not frame
    assert data_access.filter_history(again, flt) is not view
    assert data_access._frames()._view_total == sum(v[2] for v in data_access._frames()._views.values())


def test_views_are_bounded_and_a_frame_not_cached_is_filtered_without_keeping_anything(console, ibans):
    start, end = dates()
    frame = data_access.load_history(ibans, start, end).value
    cache = data_access._frames()
    cache._view_entries = 2
    views = [data_access.filter_history(frame, history.TransactionFilter(min_amount=m)) for m in (1, 2, 3)]
    assert len(cache._views) == 2
    assert data_access.filter_history(frame, history.TransactionFilter(min_amount=3)) is views[2]
    assert data_access.filter_history(frame, history.TransactionFilter(min_amount=1)) is not views[0]  # evicted

    cache._view_bytes = 1  # too large to keep: computed, not stored
    big = data_access.filter_history(frame, history.TransactionFilter(min_amount=4))
    assert data_access.filter_history(frame, history.TransactionFilter(min_amount=4)) is not big

    loose = frame.copy()
    assert data_access.filter_history(loose, history.TransactionFilter()).rows is loose
    assert all(v[0] is frame for v in cache._views.values())
