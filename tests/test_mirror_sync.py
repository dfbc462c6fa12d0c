"""The sync planner (history/sync.py) with a fixed clock: which days are fetched again, grouped into
as few ranges as possible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dashboard.history.sync import fetched_days, plan_days

TZ = "Europe/Istanbul"
IST = ZoneInfo(TZ)
NOW = datetime(2025, 6, 20, 15, 0, tzinfo=IST)  # today is 2025-06-20
TODAY = NOW.date()


@dataclass(frozen=True)
class Day:
    synced_at: datetime
    open_rows: int = 0


def d(n: int) -> date:
    """n days before today."""
    return TODAY - timedelta(days=n)


def synced_long_after(*days: date, open_days: tuple[date, ...] = ()) -> dict[date, Day]:
    return {x: Day(NOW - timedelta(hours=1), open_rows=1 if x in open_days else 0) for x in days}


def plan(start, end, states, lookback=3, now=NOW):
    return plan_days(start, end, states, now=now, tz=TZ, lookback_days=lookback)


def test_a_range_never_synced_is_fetched_whole_as_one_range():
    assert plan(d(30), TODAY, {}) == [(d(30), TODAY)]


def test_a_synced_range_fetches_only_the_lookback_and_today():
    states = synced_long_after(*(d(n) for n in range(0, 31)))
    assert plan(d(30), TODAY, states) == [(d(3), TODAY)]
    assert plan(d(30), TODAY, states, lookback=1) == [(d(1), TODAY)]
    assert fetched_days(plan(d(30), TODAY, states)) == 4


def test_a_day_synced_before_it_ended_is_fetched_again():
    states = synced_long_after(*(d(n) for n in range(0, 31)))
    # d(10) was last synced at 18:00 on that very day: it may have had more transactions after that.
    states[d(10)] = Day(datetime.combine(d(10), datetime.min.time(), tzinfo=IST) + timedelta(hours=18))
    # d(11) was synced one minute after it ended (local midnight): complete.
    states[d(11)] = Day(datetime.combine(d(10), datetime.min.time(), tzinfo=IST) + timedelta(minutes=1))
    assert plan(d(30), TODAY, states) == [(d(10), d(10)), (d(3), TODAY)]


def test_days_holding_a_non_final_transaction_are_fetched_and_neighbours_merge():
    states = synced_long_after(*(d(n) for n in range(0, 31)), open_days=(d(20), d(19), d(4)))
    # d(4) joins the look-back's range: one call for d(4)..today.
    assert plan(d(30), TODAY, states) == [(d(20), d(19)), (d(4), TODAY)]


def test_gaps_never_synced_and_days_after_today():
    states = synced_long_after(*(d(n) for n in range(5, 31) if n not in (12, 13)))
    assert plan(d(30), TODAY + timedelta(days=5), states) == [(d(13), d(12)), (d(4), TODAY)]
    assert plan(TODAY + timedelta(days=1), TODAY + timedelta(days=9), {}) == []


def test_today_is_read_in_the_dealer_zone():
    late_utc = datetime(2025, 6, 20, 22, 30, tzinfo=ZoneInfo("UTC"))  # already 21 June in Istanbul
    states = synced_long_after(*(d(n) for n in range(0, 10)))
    assert plan(d(9), TODAY + timedelta(days=1), states, now=late_utc)[-1] == (d(2), TODAY + timedelta(days=1))


def test_an_old_range_fully_synced_fetches_nothing():
    states = synced_long_after(*(d(n) for n in range(40, 61)))
    assert plan(d(60), d(40), states) == []


def test_a_day_synced_a_moment_ago_is_not_fetched_again_when_asked():
    states = synced_long_after(*(d(n) for n in range(0, 10)))  # synced an hour ago
    assert plan(d(9), TODAY, states) == [(d(3), TODAY)]
    assert plan_days(d(9), TODAY, states, now=NOW, tz=TZ, lookback_days=3, fresh_for=timedelta(hours=2)) == []
    assert plan_days(d(9), TODAY, {}, now=NOW, tz=TZ, lookback_days=3, fresh_for=timedelta(hours=2)) == [(d(9), TODAY)]
