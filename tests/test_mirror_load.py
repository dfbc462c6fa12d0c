"""The history loader through the mirror (history/mirrored.py), on SQLite and PostgreSQL: the first
view fetches the range and writes it to the mirror; a restart (a new frame cache), a refresh or
another replica on the same database fetches only what the planner names; the frame is always the
whole range; a failed mirror write loses nothing."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from dashboard.client import models
from dashboard.client.errors import APIConnectionError
from dashboard.history.cache import FrameCache
from dashboard.history.ingest import records_to_frame
from dashboard.history.load import HistoryLoader
from dashboard.history.mirrored import MirrorSync
from dashboard.history.schema import COLUMNS
from dashboard.loaded import LastGood
from dashboard.timeutil import now

TZ = "Europe/Istanbul"
TODAY = now(TZ).date()
START = TODAY - timedelta(days=20)
IBANS = [
    models.Iban(
        id=k,
        iban=iban,
        owner_name="X",
        bank_name="B",
        status_text="",
        active=True,
        balance=Decimal(0),
        formatted_balance="",
    )
    for k, iban in ((1, "TR330006100519786457841326"), (2, "TR560001000000000000000001"))
]


class FakeApi:
    """Transactions per IBAN; answers a date range with the records created in it; counts calls."""

    def __init__(self) -> None:
        self.records: dict[int, list[dict]] = {1: [], 2: []}
        self.calls: list[tuple[int, date, date]] = []
        self.failing: set[int] = set()
        self._lock = threading.Lock()
        for iban_id in (1, 2):
            for n in range(21):
                day = START + timedelta(days=n)
                self.add(iban_id, iban_id * 1000 + n, day, "Completed")

    def add(self, iban_id: int, tx_id: int, day: date, status: str) -> dict:
        record = {
            "id": tx_id,
            "type": "deposit",
            "amount": 100 + tx_id,
            "commission": 1,
            "status": status,
            "username": f"user{tx_id}",
            "customer_name": "Ayşe",
            "customer_iban": "TR120001001234567890123456",
            "description": f"tx {tx_id}",
            "created_at": f"{day.isoformat()} 12:00:00",
            "completed_at": None,
        }
        self.records[iban_id].append(record)
        return record

    def iter_transaction_pages(self, iban_id, start_date=None, end_date=None, *, arrow=False, on_page=None):
        with self._lock:
            self.calls.append((iban_id, start_date, end_date))
        if iban_id in self.failing:
            raise APIConnectionError("down")
        rows = [r for r in self.records[iban_id] if start_date <= date.fromisoformat(r["created_at"][:10]) <= end_date]
        yield from (rows[i : i + 7] for i in range(0, len(rows), 7))

    def expected(self, start: date, end: date) -> pd.DataFrame:
        frames = [
            records_to_frame(
                [r for r in self.records[i.id] if start <= date.fromisoformat(r["created_at"][:10]) <= end],
                iban_id=i.id,
                iban=i.iban,
                tz=TZ,
            )
            for i in IBANS
        ]
        return tidy(pd.concat(frames))


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(COLUMNS)].sort_values(["iban_id", "id"]).reset_index(drop=True)
    out["iban"] = out["iban"].astype(str)
    return out


def loader(store, api: FakeApi, sync: MirrorSync | None = None) -> HistoryLoader:
    sync = sync or MirrorSync(store.mirror, lookback_days=3)
    return HistoryLoader(FrameCache(300), lambda: api, "fp", TZ, LastGood(), mirror=sync)


def load(history: HistoryLoader, start=START, end=TODAY) -> pd.DataFrame:
    frame, _, error = history.load(IBANS, start, end)
    assert error is None
    history.mirror.wait_for_writes()
    return frame


def test_first_view_fetches_the_range_then_a_restart_only_the_lookback(any_store):
    api = FakeApi()
    first = load(loader(any_store, api))
    assert sorted(api.calls) == [(1, START, TODAY), (2, START, TODAY)]
    pd.testing.assert_frame_equal(tidy(first), api.expected(START, TODAY))
    assert [(s.iban_id, s.rows) for s in any_store.mirror.sync_status()] == [(1, 21), (2, 21)]

    api.calls.clear()
    api.records[1][-2]["status"] = "Failed"  # yesterday: inside the look-back
    api.records[1][2]["status"] = "Failed"  # 18 days ago, final: the mirror keeps what it saw
    api.add(2, 2999, TODAY, "Pending")  # new today
    again = load(loader(any_store, api))  # a restart: an empty frame cache
    assert sorted(api.calls) == [(1, TODAY - timedelta(days=3), TODAY), (2, TODAY - timedelta(days=3), TODAY)]
    api.records[1][2]["status"] = "Completed"
    pd.testing.assert_frame_equal(tidy(again), api.expected(START, TODAY))


def test_a_non_final_day_is_fetched_again_until_it_is_final(any_store):
    api = FakeApi()
    api.records[2][5]["status"] = "Pending"  # 15 days ago
    load(loader(any_store, api))
    api.calls.clear()
    api.records[2][5]["status"] = "Completed"
    frame = load(loader(any_store, api))
    old = START + timedelta(days=5)
    assert (2, old, old) in api.calls and (1, old, old) not in api.calls
    assert frame.loc[frame["id"] == 2005, "status"].tolist() == ["Completed"]
    api.calls.clear()
    load(loader(any_store, api))
    assert (2, old, old) not in api.calls  # final now: read from the mirror


def test_a_second_replica_on_the_same_database_costs_only_the_lookback(open_store):
    api = FakeApi()
    one, two = open_store(), open_store()
    load(loader(one, api))
    api.calls.clear()
    frame = load(loader(two, api))
    assert sorted(api.calls) == [(1, TODAY - timedelta(days=3), TODAY), (2, TODAY - timedelta(days=3), TODAY)]
    pd.testing.assert_frame_equal(tidy(frame), api.expected(START, TODAY))


def test_a_narrower_view_later_is_read_from_the_mirror(any_store):
    api = FakeApi()
    load(loader(any_store, api))
    api.calls.clear()
    week_ago = TODAY - timedelta(days=14)
    frame = load(loader(any_store, api), START, week_ago)
    assert api.calls == []
    pd.testing.assert_frame_equal(tidy(frame), api.expected(START, week_ago))


class BrokenMirror:
    def __init__(self, mirror) -> None:
        self._mirror = mirror
        self.broken = True

    def __getattr__(self, name):
        return getattr(self._mirror, name)

    def write_days(self, *args, **kwargs):
        if self.broken:
            raise RuntimeError("disk full")
        return self._mirror.write_days(*args, **kwargs)


def test_a_failed_mirror_write_loses_nothing_and_is_reported(any_store):
    api = FakeApi()
    sync = MirrorSync(BrokenMirror(any_store.mirror), lookback_days=3)
    frame = load(loader(any_store, api, sync))
    pd.testing.assert_frame_equal(tidy(frame), api.expected(START, TODAY))
    assert len(sync.write_errors) == 2 and "disk full" in sync.write_errors[0]
    api.calls.clear()
    load(loader(any_store, api))  # nothing was synced: the whole range again
    assert sorted(api.calls) == [(1, START, TODAY), (2, START, TODAY)]


def test_a_failed_write_is_kept_per_iban_until_its_days_are_written(any_store):
    """What the Balances page shows: which IBAN's days failed to be written and when; gone once a later
    load wrote those days."""
    api = FakeApi()
    mirror = BrokenMirror(any_store.mirror)
    sync = MirrorSync(mirror, lookback_days=3)
    before = now(TZ)
    load(loader(any_store, api, sync))
    failures = sorted(sync.write_failures(), key=lambda f: f.iban_id)
    assert [(f.iban_id, f.iban, f.first, f.last) for f in failures] == [
        (1, IBANS[0].iban, START, TODAY),
        (2, IBANS[1].iban, START, TODAY),
    ]
    assert all(f.at.utcoffset() is not None and before <= f.at <= now(TZ) for f in failures)
    mirror.broken = False
    load(loader(any_store, api, sync))  # nothing was synced: the whole range again, written this time
    assert sync.write_failures() == []


def test_an_iban_that_fails_is_reported_and_its_days_stay_unsynced(any_store):
    api = FakeApi()
    api.failing.add(2)
    history = loader(any_store, api)
    frame, _, error = history.load(IBANS, START, TODAY)
    assert isinstance(error, APIConnectionError) and frame is None  # no last good answer yet
    history.mirror.wait_for_writes()
    api.failing.clear()
    api.calls.clear()
    load(loader(any_store, api))
    assert sorted(api.calls) == [(1, TODAY - timedelta(days=3), TODAY), (2, START, TODAY)]


@pytest.mark.parametrize("lookback", [1, 5])
def test_the_lookback_setting_is_the_window(any_store, lookback):
    api = FakeApi()
    load(loader(any_store, api))
    api.calls.clear()
    load(loader(any_store, api, MirrorSync(any_store.mirror, lookback_days=lookback)))
    assert {(first, last) for _, first, last in api.calls} == {(TODAY - timedelta(days=lookback), TODAY)}


class WatchedMirror(BrokenMirror):
    """The mirror, noting whether a write started before the mirror read of the same load had ended."""

    def __init__(self, mirror, read_delay: float = 0.0) -> None:
        super().__init__(mirror)
        self.read_delay = read_delay
        self.reading = threading.Event()
        self.written = threading.Event()
        self.writes_during_read = 0

    def read_parts(self, *args, **kwargs):
        self.reading.set()
        try:
            time.sleep(self.read_delay)  # the look-back's pages arrive meanwhile
            return self._mirror.read_parts(*args, **kwargs)
        finally:
            self.reading.clear()

    def write_days(self, *args, **kwargs):
        self.writes_during_read += self.reading.is_set()
        try:
            return self._mirror.write_days(*args, **kwargs)
        finally:
            self.written.set()


def test_a_warm_loads_writes_wait_until_its_frame_is_assembled(any_store):
    api = FakeApi()
    load(loader(any_store, api))
    api.records[1][-1]["status"] = "Failed"  # today: fetched again, written again
    watched = WatchedMirror(any_store.mirror, read_delay=0.3)
    frame = load(loader(any_store, api, MirrorSync(watched, lookback_days=3)))
    assert watched.written.is_set() and watched.writes_during_read == 0
    pd.testing.assert_frame_equal(tidy(frame), api.expected(START, TODAY))
    assert any_store.mirror.read([1], TODAY, TODAY, TZ)["status"].tolist() == ["Failed"]


class SlowSecondIban(FakeApi):
    """IBAN 2's pages come only once a mirror write has started (or after 10 s)."""

    def __init__(self, mirror: WatchedMirror) -> None:
        super().__init__()
        self.mirror = mirror
        self.written_before_iban_2: bool | None = None

    def iter_transaction_pages(self, iban_id, *args, **kwargs):
        if iban_id == 2:
            self.written_before_iban_2 = self.mirror.written.wait(10)
        yield from super().iter_transaction_pages(iban_id, *args, **kwargs)


def test_a_cold_loads_writes_keep_pace_with_the_pages(any_store):
    watched = WatchedMirror(any_store.mirror)
    api = SlowSecondIban(watched)
    frame = load(loader(any_store, api, MirrorSync(watched, lookback_days=3)))
    assert api.written_before_iban_2 is True  # IBAN 1 was written while IBAN 2 was being fetched
    pd.testing.assert_frame_equal(tidy(frame), api.expected(START, TODAY))
