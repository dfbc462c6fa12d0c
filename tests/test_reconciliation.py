"""Reconciliation on hand-computed days: snapshot openings, a drift, a day with no snapshot, an IBAN
never snapshotted, a snapshot taken too soon after a completion, Istanbul day boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.history import combine, records_to_frame
from dashboard.reconciliation import (
    DIFFERENCE,
    NOT_RECONCILED,
    RECONCILED,
    Difference,
    day_transactions,
    differences,
    history_start,
    iban_totals,
    reconcile,
)
from dashboard.store import SnapshotRow
from dashboard.timeutil import day_bounds

TZ = "Europe/Istanbul"
IST = ZoneInfo(TZ)
IBAN1, IBAN2 = "TR330006100519786457841326", "TR320010009999901234567890"


@dataclass(frozen=True)
class Account:
    id: int
    iban: str


ACCOUNTS = [Account(1, IBAN1), Account(2, IBAN2)]


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=IST)


def tx(id_, type_, amount, commission, status, created, completed=None):
    return {
        "id": id_,
        "type": type_,
        "amount": amount,
        "commission": commission,
        "status": status,
        "username": f"user{id_}",
        "customer_name": "Ali Veli",
        "created_at": created,
        "completed_at": completed,
    }


IBAN1_RECORDS = [
    # created the day before, completed after midnight: counts on the 10th, when the money moved
    tx(1, "deposit", "1000.00", "10.00", "Completed", "2026-03-09 23:58:00", "2026-03-10 00:02:00"),
    tx(2, "withdrawal", "500.00", "5.00", "Completed", "2026-03-10 12:00:00", "2026-03-10 12:05:00"),
    tx(3, "deposit", "200.00", "2.00", "Failed", "2026-03-10 13:00:00", "2026-03-10 13:01:00"),
    tx(4, "deposit", "300.00", "3.00", "Completed", "2026-03-10 23:59:00", "2026-03-10 23:59:50"),
    tx(5, "withdrawal", "1000.00", "7.50", "Completed", "2026-03-11 13:59:00", "2026-03-11 14:00:00"),
    tx(6, "deposit", "50.00", "0.50", "Completed", "2026-03-12 10:00:00", "2026-03-12 10:00:10"),
]
IBAN2_RECORDS = [tx(7, "deposit", "100.00", "1.00", "Completed", "2026-03-11 12:00:00", "2026-03-11 12:00:05")]

SNAPSHOTS = [
    SnapshotRow(1, at("2026-03-09 23:50:00"), 10_000_000),
    SnapshotRow(1, at("2026-03-10 18:00:00"), 10_048_500),  # after tx 1 and 2
    # 5 s after tx 4 completed, and missing it (upstream refreshes once a minute): must not be used
    SnapshotRow(1, at("2026-03-10 23:59:55"), 10_048_500),
    SnapshotRow(1, at("2026-03-11 09:00:00"), 10_078_200),
    # after tx 5 (-1007.50) the provider reports 150.25 less than the transactions explain: a drift
    SnapshotRow(1, at("2026-03-11 20:00:00"), 9_962_425),
]
NOW = at("2026-03-13 10:00:30")
CURRENT_AT = at("2026-03-13 10:00:00")
CURRENT = {1: 9_967_375, 2: 500_000}  # IBAN 1: the drifted balance + tx 6 (49.50)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return combine(
        [
            records_to_frame(IBAN1_RECORDS, iban_id=1, iban=IBAN1, tz=TZ),
            records_to_frame(IBAN2_RECORDS, iban_id=2, iban=IBAN2, tz=TZ),
        ]
    )


@pytest.fixture(scope="module")
def days(frame) -> pd.DataFrame:
    return reconcile(
        frame, ACCOUNTS, SNAPSHOTS, CURRENT, CURRENT_AT, start=date(2026, 3, 10), end=date(2026, 3, 31), tz=TZ, now=NOW
    )


def row(days: pd.DataFrame, iban_id: int, day: str) -> dict:
    found = days[(days["iban_id"] == iban_id) & (days["day"] == date.fromisoformat(day))]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def test_days_stop_at_today(days):
    assert sorted(set(days["day"])) == [date(2026, 3, d) for d in (10, 11, 12, 13)]
    assert len(days) == 8


def test_a_reconciled_day_from_snapshots(days):
    r = row(days, 1, "2026-03-10")
    assert r["opening_source"] == "snapshot"
    assert r["opening_kurus"] == 10_000_000  # the 23:50 snapshot; tx 1 moved money after midnight
    assert (r["in_kurus"], r["out_kurus"], r["commission_kurus"], r["fees_kurus"]) == (130_000, 50_000, 1_800, 0)
    assert r["transactions"] == 3  # tx 1, 2, 4 (tx 3 failed: moved nothing)
    assert r["closing_kurus"] == 10_000_000 + 130_000 - 50_000 - 1_800 == 10_078_200
    assert r["reported_kurus"] == 10_078_200  # 18:00 snapshot + tx 4 after it
    assert r["difference_kurus"] == 0 and r["state"] == RECONCILED
    assert r["checked_from"] == pd.Timestamp(at("2026-03-09 23:50:00"))
    assert r["checked_to"] == pd.Timestamp(at("2026-03-10 18:00:00"))


def test_a_drift_is_a_difference_with_its_amount_on_its_day(days):
    r = row(days, 1, "2026-03-11")
    assert r["opening_kurus"] == 10_078_200
    assert r["closing_kurus"] == 10_078_200 - 100_000 - 750 == 9_977_450
    assert r["reported_kurus"] == 9_962_425
    assert r["difference_kurus"] == -15_025 and r["state"] == DIFFERENCE


def test_a_day_with_no_snapshot_is_not_reconciled_not_a_false_difference(days):
    r = row(days, 1, "2026-03-12")
    assert r["opening_kurus"] == 9_962_425  # the provider's last balance before the day
    assert r["closing_kurus"] == 9_962_425 + 4_950
    assert r["state"] == NOT_RECONCILED
    assert pd.isna(r["difference_kurus"]) and pd.isna(r["reported_kurus"])


def test_today_is_checked_against_the_current_balance(days):
    r = row(days, 1, "2026-03-13")
    assert r["opening_kurus"] == 9_967_375
    assert r["reported_kurus"] == 9_967_375 and r["state"] == RECONCILED


def test_an_iban_never_snapshotted_is_reconstructed_and_not_reconciled(days):
    assert list(days[days["iban_id"] == 2]["state"]) == [NOT_RECONCILED] * 4
    assert row(days, 2, "2026-03-10")["opening_kurus"] == 500_000 - 9_900
    assert row(days, 2, "2026-03-10")["opening_source"] == "reconstructed"
    assert row(days, 2, "2026-03-11")["closing_kurus"] == 500_000


def test_a_too_fresh_snapshot_is_not_used(frame):
    # Without the lag rule the 23:59:55 snapshot (missing tx 4) would make the 10th and 11th differ.
    honest = [s for s in SNAPSHOTS if s.taken_at != at("2026-03-10 23:59:55")]
    kwargs = dict(start=date(2026, 3, 10), end=date(2026, 3, 13), tz=TZ, now=NOW)
    with_it = reconcile(frame, ACCOUNTS, SNAPSHOTS, CURRENT, CURRENT_AT, **kwargs)
    without = reconcile(frame, ACCOUNTS, honest, CURRENT, CURRENT_AT, **kwargs)
    pd.testing.assert_frame_equal(with_it, without)


def test_a_snapshot_older_than_the_day_before_the_first_day_is_not_an_opening(frame):
    # The history loaded starts two days before the first day: what happened before is unknown.
    old = [SnapshotRow(1, at("2026-03-08 12:00:00"), 9_000_000)]
    days = reconcile(
        frame, ACCOUNTS, old, CURRENT, CURRENT_AT, start=date(2026, 3, 10), end=date(2026, 3, 10), tz=TZ, now=NOW
    )
    r = row(days, 1, "2026-03-10")
    assert r["opening_source"] == "reconstructed" and r["state"] == NOT_RECONCILED


def test_no_balances_at_all_means_nothing_reconciled_and_openings_unknown(frame):
    days = reconcile(frame, ACCOUNTS, [], {}, None, start=date(2026, 3, 10), end=date(2026, 3, 13), tz=TZ, now=NOW)
    assert set(days["state"]) == {NOT_RECONCILED}
    assert days["opening_kurus"].isna().all() and days["difference_kurus"].isna().all()
    assert list(days["in_kurus"][days["iban_id"] == 1]) == [130_000, 0, 5_000, 0]


def test_totals_per_iban_and_for_all(days):
    totals = iban_totals(days).set_index("iban_id")
    one = totals.loc[1]
    assert one["opening_kurus"] == 10_000_000 and one["closing_kurus"] == 9_967_375
    assert (one["in_kurus"], one["out_kurus"], one["commission_kurus"]) == (135_000, 150_000, 2_600)
    assert one["difference_kurus"] == -15_025 and one["difference_days"] == 1 and one["unreconciled"] == 1
    assert pd.isna(totals.loc[2]["difference_kurus"]) and totals.loc[2]["unreconciled"] == 4
    everything = totals.loc[-1]
    assert everything["in_kurus"] == 135_000 + 10_000
    assert everything["opening_kurus"] == 10_000_000 + 490_100
    assert everything["closing_kurus"] == 9_967_375 + 500_000
    assert everything["difference_kurus"] == -15_025 and everything["difference_days"] == 1


def test_differences_for_the_alerts(frame):
    # as the alerts get them: the watch -> desk.recent_differences -> Period.differences -> differences(reconcile)
    found = differences(reconcile_days(frame))
    assert found == [Difference(1, "TR33 0006 1005 1978 6457 8413 26", date(2026, 3, 11), -15_025)]


def test_drill_down_lists_the_days_transactions_with_their_effect(frame):
    rows = day_transactions(frame, 1, date(2026, 3, 10), TZ, NOW)
    assert list(rows["id"]) == [1, 2, 3, 4]  # in the order money moved; the failed one moved nothing
    assert list(rows["effect_kurus"]) == [99_000, -50_500, 0, 29_700]
    assert rows["effect_kurus"].sum() == row(reconcile_days(frame), 1, "2026-03-10")["closing_kurus"] - 10_000_000


def reconcile_days(frame):
    return reconcile(
        frame, ACCOUNTS, SNAPSHOTS, CURRENT, CURRENT_AT, start=date(2026, 3, 10), end=date(2026, 3, 13), tz=TZ, now=NOW
    )


def test_istanbul_days_are_24_hours_and_start_at_21_utc():
    # Istanbul keeps +03:00 all year: no day of 23 or 25 hours around Europe's clock changes.
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 10)):
        start, end = day_bounds(day, day, TZ)
        assert end - start == timedelta(hours=24)
        assert start.astimezone(ZoneInfo("UTC")).hour == 21


def test_a_completion_at_local_midnight_belongs_to_the_new_day():
    records = [
        tx(1, "deposit", "10.00", "0.00", "Completed", "2026-03-29 23:00:00", "2026-03-29 23:59:59"),
        tx(2, "deposit", "20.00", "0.00", "Completed", "2026-03-29 23:00:00", "2026-03-30 00:00:00"),
    ]
    frame = records_to_frame(records, iban_id=1, iban=IBAN1, tz=TZ)
    days = reconcile(
        frame,
        ACCOUNTS[:1],
        [],
        {},
        None,
        start=date(2026, 3, 29),
        end=date(2026, 3, 30),
        tz=TZ,
        now=NOW + timedelta(30),
    )
    assert list(days["in_kurus"]) == [1_000, 2_000]
    assert list(day_transactions(frame, 1, date(2026, 3, 30), TZ, NOW + timedelta(30))["id"]) == [2]


def test_history_start_covers_the_opening_snapshots_day_and_one_more():
    assert history_start(date(2026, 3, 1)) == date(2026, 2, 27)


def test_stored_snapshots_near_midnights(any_store):
    # A snapshot a minute for a month is ~45,000 rows per IBAN: the page reads the k on each side of
    # each midnight, through the primary key (both engines).
    base = at("2026-03-10 23:55:00")
    rows = [
        {"iban_id": i, "taken_at": base + timedelta(minutes=m), "balance_kurus": i * 1000 + m}
        for i in (1, 2)
        for m in range(10)
    ]
    any_store.balances.add(rows)
    midnight = at("2026-03-11 00:00:00")
    got = any_store.balances.near([1], [midnight, midnight], 2)  # a repeated moment adds nothing
    assert [(r.iban_id, r.taken_at, r.balance_kurus) for r in got] == [
        (1, at("2026-03-10 23:59:00"), 1004),
        (1, midnight, 1005),  # at or before the moment
        (1, at("2026-03-11 00:01:00"), 1006),
        (1, at("2026-03-11 00:02:00"), 1007),
    ]
    assert any_store.balances.near([2], [at("2026-03-12 00:00:00")], 3)[-1].balance_kurus == 2009
    assert any_store.balances.near([1, 2], [], 3) == []
