"""A warm refresh in the same process (history/reuse.py through history/mirrored.py), on SQLite and
PostgreSQL: the previous frame's untouched days are taken from it, not read from the mirror again;
a day another replica synced since, or an IBAN with rows lacking a creation time, is read again; the
frame is the very frame a restart would build (order, search text and all)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.history.cache import FrameCache
from dashboard.history.ingest import records_to_frame
from dashboard.history.load import HistoryLoader
from dashboard.history.mirrored import MirrorSync
from dashboard.history.reuse import Built, day_index, fully_skipped, reused_rows, skip_ranges
from dashboard.loaded import LastGood
from dashboard.timeutil import now
from tests.test_mirror_load import IBANS, START, TODAY, TZ, BrokenMirror, FakeApi, tidy


class CountedMirror(BrokenMirror):
    """The mirror, noting the IBAN ids of every `read_parts`."""

    def __init__(self, mirror) -> None:
        super().__init__(mirror)
        self.reads: list[list[int]] = []

    def read_parts(self, iban_ids, *args, **kwargs):
        self.reads.append(sorted(iban_ids))
        return self._mirror.read_parts(iban_ids, *args, **kwargs)

    def write_days(self, *args, **kwargs):
        return self._mirror.write_days(*args, **kwargs)


def refreshed(sync: MirrorSync, api: FakeApi) -> pd.DataFrame:
    """The sidebar's Refresh: a new frame cache, the same process's MirrorSync."""
    history = HistoryLoader(FrameCache(300), lambda: api, "fp", TZ, LastGood(), mirror=sync)
    frame, _, error = history.load(IBANS, START, TODAY)
    assert error is None
    sync.wait_for_writes()
    return frame


def test_a_warm_refresh_takes_the_untouched_days_from_the_previous_frame(any_store):
    api = FakeApi()
    watched = CountedMirror(any_store.mirror)
    sync = MirrorSync(watched, lookback_days=3)
    refreshed(sync, api)
    api.records[1][-2]["status"] = "Failed"  # yesterday: inside the look-back
    api.add(2, 2999, TODAY, "Pending")
    watched.reads.clear()
    api.calls.clear()
    warm = refreshed(sync, api)
    assert watched.reads == []  # nothing read from the mirror: all of it from the previous frame
    assert sorted(api.calls) == [(1, TODAY - timedelta(days=3), TODAY), (2, TODAY - timedelta(days=3), TODAY)]
    pd.testing.assert_frame_equal(tidy(warm), api.expected(START, TODAY))
    restarted = refreshed(MirrorSync(any_store.mirror, lookback_days=3), api)  # a new process
    pd.testing.assert_frame_equal(warm, restarted)  # the same rows, order and search text


def test_a_day_another_replica_synced_since_is_read_again(open_store):
    api = FakeApi()
    here, there = open_store(), open_store()
    watched = CountedMirror(here.mirror)
    sync = MirrorSync(watched, lookback_days=3)
    refreshed(sync, api)
    old = START + timedelta(days=4)  # outside the look-back: this replica would not fetch it
    api.records[1][4]["status"] = "Failed"
    records = [r for r in api.records[1] if r["created_at"].startswith(old.isoformat())]
    rows = records_to_frame(records, iban_id=1, iban=IBANS[0].iban, tz=TZ)
    there.mirror.write_days(1, IBANS[0].iban, old, old, rows, now(TZ), tz=TZ)  # the other replica's sync
    watched.reads.clear()
    api.calls.clear()
    warm = refreshed(sync, api)
    assert watched.reads == [[1]]  # only the IBAN with a day synced elsewhere
    assert (1, old, old) not in api.calls
    assert warm.loc[warm["id"] == 1004, "status"].tolist() == ["Failed"]
    pd.testing.assert_frame_equal(tidy(warm), api.expected(START, TODAY))
    pd.testing.assert_frame_equal(warm, refreshed(MirrorSync(there.mirror, lookback_days=3), api))


def test_an_iban_with_undated_rows_is_read_again(any_store):
    api = FakeApi()
    undated = api.add(1, 1999, START + timedelta(days=2), "Completed")
    undated["created_at"] = f"{(START + timedelta(days=2)).isoformat()} 25:00:00"  # unreadable: NaT
    watched = CountedMirror(any_store.mirror)
    sync = MirrorSync(watched, lookback_days=3)
    first = refreshed(sync, api)
    assert first.loc[first["id"] == 1999, "created_at"].isna().all()
    watched.reads.clear()
    warm = refreshed(sync, api)
    assert watched.reads == [[1]]
    assert (warm["id"] == 1999).sum() == 1
    pd.testing.assert_frame_equal(warm, refreshed(MirrorSync(any_store.mirror, lookback_days=3), api))


def test_reused_rows_are_those_of_the_reusable_days_and_ibans():
    day = date(2026, 3, 10)
    records = [
        {
            "id": n,
            "type": "deposit",
            "amount": 1,
            "status": "Completed",
            "created_at": f"{day + timedelta(days=n % 3)} 23:30:00",
        }
        for n in range(1, 10)
    ]
    frame = pd.concat(
        [records_to_frame(records, iban_id=i, iban=f"TR{i:024d}", tz=TZ) for i in (1, 2)], ignore_index=True
    )
    previous = Built(frame, {}, frozenset())
    picked = reused_rows(previous, {1: {day, day + timedelta(days=2)}, 3: {day}}, TZ)
    expected = frame[(frame["iban_id"] == 1) & (frame["id"] % 3 != 1)]
    assert picked["id"].tolist() == expected["id"].tolist()
    assert reused_rows(previous, {}, TZ) is None
    assert reused_rows(previous, {3: {day}}, TZ) is None  # an IBAN the frame does not hold
    whole = reused_rows(previous, {i: {day + timedelta(days=k) for k in range(3)} for i in (1, 2)}, TZ)
    assert whole is frame


def test_skip_ranges_merge_planned_and_reusable_days():
    d = date(2026, 1, 1)
    days = {d + timedelta(days=k) for k in range(0, 5)} | {d + timedelta(days=9)}
    skip = skip_ranges({7: [(d + timedelta(days=5), d + timedelta(days=7))]}, {7: days})
    assert skip == {7: [(d, d + timedelta(days=7)), (d + timedelta(days=9), d + timedelta(days=9))]}
    assert not fully_skipped(skip[7], d, d + timedelta(days=9))
    assert fully_skipped(skip[7], d, d + timedelta(days=7))


def test_day_index_is_the_local_day_across_a_clock_change():
    tz = "Europe/Berlin"  # 2026-03-29: 02:00 -> 03:00
    local = ["2026-03-28 23:59:59", "2026-03-29 00:00:00", "2026-03-29 03:30:00", "2026-03-29 23:59:59", "2026-03-30"]
    created = pd.Series(pd.DatetimeIndex(local).tz_localize(tz).as_unit("us").append(pd.DatetimeIndex([pd.NaT], tz=tz)))
    assert day_index(created, date(2026, 3, 29), 1, tz).tolist() == [-1, 0, 0, 0, 1, -1]
