"""The sync planner: which days of an IBAN's history must be fetched again, the rest being read from
the mirror (store/mirror.py). Pure: the mirror's day states and a clock in, date ranges out.

A day of `start`..`end` is fetched when
- it was never synced;
- it was synced before it ended (its last sync did not see the whole day: today, or a day synced
  on that day);
- it is in the look-back window: the `lookback_days` days before today (and today), where late
  changes of status and late-booked transactions are usual;
- at its last sync it held a transaction whose status was not final yet.
Days after today hold nothing yet and are never fetched. The days to fetch are grouped into as few
contiguous date ranges as possible: one API call (a page sequence) each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Protocol

from dashboard.timeutil import zone


class SyncedDay(Protocol):
    """What the planner needs of a synced day (store.mirror.DayState)."""

    @property
    def synced_at(self) -> datetime: ...

    @property
    def open_rows(self) -> int: ...


def day_end(day: date, tz: str) -> datetime:
    """The instant a local day ends (the next day's midnight in `tz`)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone(tz))


def needs_fetch(
    day: date, state: SyncedDay | None, *, today: date, lookback_days: int, tz: str, fresh_since: datetime | None = None
) -> bool:
    if day > today:
        return False
    if state is not None and fresh_since is not None and state.synced_at >= fresh_since:
        return False  # synced a moment ago (by any replica): read it from the mirror
    if state is None or day >= today - timedelta(days=lookback_days):
        return True
    return state.synced_at < day_end(day, tz) or state.open_rows > 0


def plan_days(
    start: date,
    end: date,
    states: Mapping[date, SyncedDay],
    *,
    now: datetime,
    tz: str,
    lookback_days: int,
    fresh_for: timedelta = timedelta(0),
) -> list[tuple[date, date]]:
    """The date ranges (first, last; inclusive, oldest first) of `start`..`end` to fetch for one IBAN
    whose synced days are `states`, at `now` (aware). `fresh_for` > 0: a day synced that recently is
    not fetched again whatever the rules (settling's checks a few seconds apart share one sync)."""
    today = now.astimezone(zone(tz)).date()
    fresh_since = now - fresh_for if fresh_for > timedelta(0) else None
    ranges: list[tuple[date, date]] = []
    day = start
    while day <= min(end, today):
        state = states.get(day)
        if needs_fetch(day, state, today=today, lookback_days=lookback_days, tz=tz, fresh_since=fresh_since):
            if ranges and ranges[-1][1] == day - timedelta(days=1):
                ranges[-1] = (ranges[-1][0], day)
            else:
                ranges.append((day, day))
        day += timedelta(days=1)
    return ranges


def fetched_days(ranges: list[tuple[date, date]]) -> int:
    """How many days the ranges hold."""
    return sum((last - first).days + 1 for first, last in ranges)
